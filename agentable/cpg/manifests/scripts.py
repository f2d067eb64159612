"""PEP 723 inline script metadata: the `# /// script` block of a Python file other than setup.py,
whose `dependencies` govern that one file. An unclosed block, a second block, invalid TOML or
`dependencies` that is not a list is a notification; the file still runs in an environment of its
own, so its dependencies are recorded as unknown (not those of its folder)."""

from __future__ import annotations

import re
import sys

from agentable.cpg.manifests.toml_locations import _Lines, _pep508_list
from agentable.cpg.manifests.reader_api import ManifestReader

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


# The reference expression of PEP 723: a `# /// TYPE` line, comment lines, a `# ///` line.
_SCRIPT_BLOCK_RE = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


def _script(reader: ManifestReader, text: str, rel: str) -> bool:
    """The `# /// script` block of a Python file (PEP 723 inline script metadata): the
    dependencies of that one file. False when there is none; a block that cannot be read makes
    the file a script whose dependencies are unknown."""
    if _read_block(reader, text, rel):
        return True
    if re.search(r"(?m)^# /// script[ \t]*$", text):
        reader.out.unknown_dependencies[rel] = "its `# /// script` block could not be read"
        return True
    return False


def _read_block(reader: ManifestReader, text: str, rel: str) -> bool:
    text = text.replace("\r\n", "\n")
    blocks = [m for m in _SCRIPT_BLOCK_RE.finditer(text) if m.group("type") == "script"]
    if not blocks:
        at = re.search(r"(?m)^# /// script[ \t]*$", text)
        if at:
            reader.note("`# /// script` block without its closing `# ///` line; its metadata is ignored", rel,
                        text.count("\n", 0, at.start()) + 1)
        return False
    first_line = text.count("\n", 0, blocks[0].start())  # 0-based index of `# /// script`
    if len(blocks) > 1:
        reader.note("more than one `# /// script` block (PEP 723 allows one); its metadata is ignored", rel,
                    first_line + 1)
        return False
    content = "".join(line[2:] if line.startswith("# ") else line[1:]
                      for line in blocks[0].group("content").splitlines(keepends=True))
    try:
        data = tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        reader.note(f"invalid TOML in the `# /// script` block: {exc}", rel, first_line + 1)
        return False
    deps = data.get("dependencies")
    if deps is not None and not isinstance(deps, list):
        reader.note("`dependencies` of the `# /// script` block is not a list; its metadata is ignored", rel,
                    first_line + 1)
        return False
    inner = _Lines(content)
    key_line = first_line + 1 + inner.key("dependencies", 0, len(inner.lines))
    # Positions come from the file's own lines, so columns count the `# ` prefix.
    _pep508_list(reader, _Lines(text), deps or [], rel, "main", key_line)
    return True
