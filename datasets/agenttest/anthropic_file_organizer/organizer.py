"""Let Claude tidy a downloads folder into sub-folders by file type."""
import shutil
import sys
from pathlib import Path

import anthropic

TOOLS = [
    {
        "name": "list_files",
        "description": "List the files (not directories) directly inside the working folder.",
        "input_schema": {"type": "object", "properties": {}},
    },
    {
        "name": "move_file",
        "description": "Move a file from the working folder into a sub-folder, creating the sub-folder if needed.",
        "input_schema": {
            "type": "object",
            "properties": {
                "filename": {"type": "string", "description": "Name of a file in the working folder."},
                "folder": {"type": "string", "description": "Target sub-folder name, e.g. 'images'."},
            },
            "required": ["filename", "folder"],
        },
    },
]


class Organizer:
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.client = anthropic.Anthropic()

    def list_files(self) -> str:
        try:
            names = [p.name for p in self.root.iterdir() if p.is_file()]
        except OSError as exc:
            return f"Cannot list folder: {exc}"
        return "\n".join(sorted(names)) or "(no files)"

    def move_file(self, filename: str, folder: str) -> str:
        src = self.root / Path(filename).name
        dst_dir = self.root / Path(folder).name
        try:
            dst_dir.mkdir(exist_ok=True)
            shutil.move(str(src), str(dst_dir / src.name))
        except OSError as exc:
            return f"Move failed: {exc}"
        return f"Moved {src.name} -> {dst_dir.name}/"

    def dispatch(self, name: str, args: dict) -> str:
        if name == "list_files":
            return self.list_files()
        if name == "move_file":
            return self.move_file(args.get("filename", ""), args.get("folder", "misc"))
        return f"Unknown tool: {name}"

    def run(self) -> str:
        messages = [{"role": "user", "content": "Organise the files in my folder by type."}]
        while True:
            response = self.client.messages.create(
                model="claude-sonnet-4-20250514",
                max_tokens=2048,
                tools=TOOLS,
                messages=messages,
            )
            messages.append({"role": "assistant", "content": response.content})
            if response.stop_reason != "tool_use":
                return "".join(b.text for b in response.content if b.type == "text")
            results = [
                {"type": "tool_result", "tool_use_id": b.id, "content": self.dispatch(b.name, b.input)}
                for b in response.content
                if b.type == "tool_use"
            ]
            messages.append({"role": "user", "content": results})


if __name__ == "__main__":
    print(Organizer(Path(sys.argv[1] if len(sys.argv) > 1 else "~/Downloads").expanduser()).run())
