"""Print python.toml's `stdlib_modules` list: the names it holds now joined with this interpreter's
`sys.stdlib_module_names`. Run it under each Python version agentable supports and paste the result,
so that whether an import is the standard library's does not depend on the interpreter that scans."""
from __future__ import annotations

import sys
import textwrap

from agentable.catalog import python_facts


def main() -> None:
    names = sorted(python_facts().stdlib_modules | set(sys.stdlib_module_names))
    body = textwrap.fill(", ".join(f'"{n}"' for n in names), width=110, initial_indent="  ", subsequent_indent="  ")
    print(f"stdlib_modules = [\n{body},\n]")


if __name__ == "__main__":
    main()
