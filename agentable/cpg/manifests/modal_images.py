"""Modal images: a Python file whose functions run in a Modal container declares that container's
packages in code, `modal.Image.debian_slim().pip_install("openai", "tiktoken")`, and hands the image
to its app or functions (`modal.App(image=...)`, `@app.function(image=...)`). Those packages, not the
project's manifests, are what the file's code finds installed when it runs, so the file is a script
with its own dependencies, like a PEP 723 block. The Modal client is in every Modal image.

The file is read with `ast` (never run). An image built from a variable, a requirements file that
cannot be read or an installer whose packages are not written out (`uv_sync`, `run_commands`) makes
the file's dependencies unknown rather than wrong."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Optional

from agentable.cpg.manifests.reader_api import ManifestReader

_INSTALLERS = frozenset({"pip_install", "uv_pip_install"})
_FROM_FILE = frozenset({"pip_install_from_requirements"})
_UNKNOWN = frozenset({"pip_install_from_pyproject", "uv_sync", "poetry_install_from_file", "run_commands",
                      "pip_install_private_repos", "micromamba_install", "conda_install"})
# Calls whose `image=` is the environment the file's code runs in.
_RUNNERS = frozenset({"App", "Stub", "function", "cls"})


def modal_image(reader: ManifestReader, p: Path, text: str, rel: str) -> bool:
    """Record the packages of the Modal image(s) this file's app or functions run in; False when
    the file runs in none."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    modal_names, image_names = _modal_bindings(tree)
    if not modal_names and not image_names:
        return False
    images = {t.id: node.value for node in ast.walk(tree) if isinstance(node, ast.Assign)
              for t in node.targets if isinstance(t, ast.Name) and _is_image(node.value, modal_names, image_names)}
    used = _governing_images(tree, images, modal_names, image_names)
    if not used:
        return False
    for chain in used:
        _record(reader, p, chain, rel)
    first = min(used, key=lambda c: (c.lineno, c.col_offset))
    # the Modal client itself: every image has it
    reader.add("modal", rel, first.lineno, first.col_offset + 1, first.col_offset + 1, "main")
    return True


def _modal_bindings(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Names bound to the `modal` module, and to `modal.Image`."""
    modal_names: set[str] = set()
    image_names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modal_names |= {a.asname or a.name for a in node.names if a.name == "modal"}
        elif isinstance(node, ast.ImportFrom) and node.module == "modal" and not node.level:
            image_names |= {a.asname or a.name for a in node.names if a.name == "Image"}
    return modal_names, image_names


def _chain(node: ast.expr) -> list[ast.Call]:
    """The calls of a method chain, outermost first: `a().b().c()` -> [c, b, a]."""
    out: list[ast.Call] = []
    while isinstance(node, ast.Call):
        out.append(node)
        node = node.func.value if isinstance(node.func, ast.Attribute) else node.func
    return out


def _is_image(node: ast.expr, modal_names: set[str], image_names: set[str]) -> bool:
    calls = _chain(node)
    if not calls:
        return False
    root = calls[-1].func
    if not isinstance(root, ast.Attribute):
        return False
    base = root.value
    if isinstance(base, ast.Name) and base.id in image_names:
        return True
    return (isinstance(base, ast.Attribute) and base.attr == "Image" and isinstance(base.value, ast.Name)
            and base.value.id in modal_names)


def _governing_images(tree: ast.Module, images: dict[str, ast.expr], modal_names: set[str],
                      image_names: set[str]) -> list[ast.Call]:
    """The image chains handed as `image=` to the file's app or functions."""
    out: list[ast.Call] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name not in _RUNNERS:
            continue
        for kw in node.keywords:
            if kw.arg != "image":
                continue
            value = images.get(kw.value.id) if isinstance(kw.value, ast.Name) else kw.value
            if isinstance(value, ast.Call) and _is_image(value, modal_names, image_names) and value not in out:
                out.append(value)
    return out


def _record(reader: ManifestReader, p: Path, image: ast.Call, rel: str) -> None:
    for call in reversed(_chain(image)):
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if method in _INSTALLERS:
            for arg in call.args:
                for item in arg.elts if isinstance(arg, (ast.List, ast.Tuple)) else [arg]:
                    if not _add_literal(reader, item, rel):
                        reader.out.unknown_dependencies[rel] = "its Modal image installs packages named by variables"
        elif method in _FROM_FILE:
            target = _const_str(call.args[0]) if call.args else None
            if target is None or not reader.include(p, target, rel, "main", call.lineno):
                reader.out.unknown_dependencies[rel] = "its Modal image installs from a file that could not be read"
        elif method in _UNKNOWN:
            reader.out.unknown_dependencies[rel] = f"its Modal image runs `{method}`"


def _add_literal(reader: ManifestReader, item: ast.expr, rel: str) -> bool:
    text = _const_str(item)
    if text is None:
        return False
    # columns: 1-based, inside the quotes (ast counts from the quote, in bytes: ASCII names)
    reader.add(text, rel, item.lineno, item.col_offset + 2, max((item.end_col_offset or 0), item.col_offset + 2), "main")
    return True


def _const_str(node: Optional[ast.expr]) -> Optional[str]:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
