import hashlib
import os
from pathlib import Path

from mcp.server.fastmcp import FastMCP

ROOT = Path(os.environ.get("FILESERVER_ROOT", ".")).resolve()
server = FastMCP("workspace-files")


def _safe(path: str) -> Path:
    target = (ROOT / path).resolve()
    if ROOT not in target.parents and target != ROOT:
        raise ValueError(f"{path} is outside the workspace")
    return target


@server.tool()
def read_text(path: str, max_bytes: int = 20000) -> str:
    """Read a UTF-8 text file inside the workspace (truncated to max_bytes)."""
    data = _safe(path).read_bytes()[:max_bytes]
    return data.decode("utf-8", errors="replace")


@server.tool()
def file_checksum(path: str, algorithm: str = "sha256") -> str:
    target = _safe(path)
    digest = hashlib.new(algorithm)
    with target.open("rb") as fh:
        for block in iter(lambda: fh.read(65536), b""):
            digest.update(block)
    return f"{algorithm}:{digest.hexdigest()}"


@server.tool()
def find_files(extension: str) -> str:
    """List workspace files with the given extension (e.g. '.py'), relative to the workspace root."""
    if not extension.startswith("."):
        extension = "." + extension
    matches = [str(p.relative_to(ROOT)) for p in ROOT.rglob(f"*{extension}") if p.is_file()]
    if not matches:
        return
    return "\n".join(sorted(matches)[:200])


if __name__ == "__main__":
    server.run(transport="stdio")
