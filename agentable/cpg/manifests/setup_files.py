"""setup.cfg (`[options] install_requires` and `[options.extras_require]`) and setup.py, read
statically, never executed: the install_requires and extras_require of its calls, followed through
the names, dicts and `**kwargs` they come from and the requirement files the file reads. An
install_requires built by code that cannot be followed is recorded in `unknown_dependencies`."""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path
from typing import Optional

from agentable.cpg.manifests.model import normalize_dist
from agentable.cpg.manifests.requirements_txt import _COMMENT_RE, _find_col, _name_prefix
from agentable.cpg.manifests.entry_points import cfg_entry_points
from agentable.cpg.manifests.toml_locations import _Lines, _python_range
from agentable.cpg.manifests.reader_api import ManifestReader


# ----------------------------------------------------------------------------- setup.cfg


def _setup_cfg(reader: ManifestReader, text: str, rel: str) -> bool:
    cp = configparser.ConfigParser(interpolation=None)
    try:
        cp.read_string(text)
    except configparser.Error as exc:
        line = getattr(exc, "lineno", 0) or 0
        reader.note(f"invalid setup.cfg: {str(exc).splitlines()[0]}", rel, line)
        return False
    lines = _Lines(text)
    if cp.has_option("metadata", "name") and cp.get("metadata", "name").strip():
        reader.out.project_names[rel] = normalize_dist(cp.get("metadata", "name").strip())
    if cp.has_option("options", "install_requires"):
        first, end = lines.within("options")
        _cfg_list(reader, lines, cp.get("options", "install_requires"), rel, "main",
                  lines.key("install_requires", first, end))
    if cp.has_option("options", "python_requires"):
        idx = lines.key("python_requires", *lines.within("options"))
        _python_range(reader, cp.get("options", "python_requires"), rel, idx,
                      lines.lines[idx] if idx < len(lines.lines) else "")
    if cp.has_section("options.extras_require"):
        first, end = lines.within("options.extras_require")
        for extra, value in cp.items("options.extras_require"):
            _cfg_list(reader, lines, value, rel, f"optional:{extra}", lines.key(extra, first, end))
    for key in ("console_scripts", "gui_scripts"):
        if cp.has_option("options.entry_points", key):
            first, end = lines.within("options.entry_points")
            cfg_entry_points(reader, lines, cp.get("options.entry_points", key), rel, lines.key(key, first, end))
    return True


def _cfg_list(reader: ManifestReader, lines: _Lines, value: str, rel: str, group: str, start: int) -> None:
    items = [_COMMENT_RE.sub("", i).strip() for i in value.splitlines()]
    items = [i for i in items if i]
    if len(items) == 1 and all(re.match(r"\s*[A-Za-z0-9]", i) for i in items[0].split(",")):
        items = [i.strip() for i in items[0].split(",")]  # "a, b>=1" on the key line
    idx = start
    for item in items:
        if item.startswith("file:"):
            continue  # requirements kept in another file
        for j in range(idx, len(lines.lines)):
            at = lines.lines[j].find(item, lines.lines[j].find("=") + 1 if j == start else 0)
            if at >= 0:
                idx = j
                reader.add(item, rel, j + 1, at + 1, at + 1 + len(item), group)
                break
        else:
            reader.add(item, rel, start + 1, 1, 1, group)


# ----------------------------------------------------------------------------- setup.py


def _setup_py(reader: ManifestReader, p: Path, text: str, rel: str) -> bool:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", 0) or 0
        reader.note(f"setup.py does not parse ({getattr(exc, 'msg', exc)}); its dependencies are unknown", rel, line)
        return False
    sp = _SetupPy(tree)
    lines = text.splitlines()
    emitted: set[tuple[int, str]] = set()
    read_by: dict[str, set[str]] = {}  # requirement file read -> the groups that read it

    def emit(node: ast.expr, group: str) -> bool:
        """Declare the requirements `node` evaluates to; True when all of it could be read (a
        requirement file it reads counts)."""
        consts, opaque = sp.strings(node)
        for c in consts:
            if (id(c), group) not in emitted:
                emitted.add((id(c), group))
                _add_const(reader, c, lines, rel, group)
        files = [f for f in sp.file_refs(node) if reader.is_file(p.parent / f)]
        read = [reader.include(p, f, rel, group, getattr(node, "lineno", 0)) for f in files]
        for f in files:
            read_by.setdefault(f, set()).add(group)
        return not opaque or (bool(read) and all(read))

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for arg, value in sp.keywords(node):
            if arg == "name" and isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value.strip():
                reader.out.project_names[rel] = normalize_dist(value.value.strip())
            elif arg == "install_requires":
                if not emit(value, "main"):
                    reader.out.unknown_dependencies.setdefault(
                        rel, f"install_requires (line {value.lineno}) is computed by code this tool does not run")
            elif arg == "python_requires" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                idx = value.lineno - 1
                _python_range(reader, value.value, rel, idx, lines[idx] if idx < len(lines) else "")
            elif arg == "extras_require":
                for extra, v in sp.entries(value):
                    emit(v, f"optional:{extra}")
    # A requirement file that install_requires and an extra under a computed name both read is split
    # by code between them: the lines that name an extra in brackets (`torch[hf]`) are taken as that
    # extra's (the name cannot come from anything else on the line), the others as install_requires.
    for f, groups in read_by.items():
        if "main" in groups and f"optional:{_COMPUTED}" in groups:
            reader.out.bracket_extras[reader.rel(p.parent / f)] = rel
    return True


class _SetupPy:
    """A static reading of a setup.py: what a name is bound to anywhere in the file (assigned,
    extended, appended to), what is stored under a key of a dict name (`extras["test"] = [...]`,
    `extras.update({...})`, `extras.setdefault(k, [...])`), and the requirement strings an
    expression evaluates to. Names are not scoped: a union over the file, which is what setup.py
    files need."""

    _LIST_CALLS = frozenset({"list", "tuple", "sorted", "set", "frozenset"})

    def __init__(self, tree: ast.Module) -> None:
        self.bound: dict[str, list[ast.expr]] = {}  # name -> values (and pieces added to it)
        self.items: dict[str, list[tuple[str, ast.expr]]] = {}  # dict name -> (key, value)
        self.funcs: dict[str, ast.AST] = {}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.funcs.setdefault(node.name, node)
            elif isinstance(node, ast.Assign):
                for t in node.targets:
                    self._store(t, node.value)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and node.value is not None:
                if isinstance(node, ast.AugAssign) and not isinstance(node.op, (ast.Add, ast.BitOr)):
                    continue
                self._store(node.target, node.value)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                self._method(node.func.value, node.func.attr, node)
            elif isinstance(node, (ast.With, ast.AsyncWith)):  # with open("requirements.txt") as f
                for item in node.items:
                    if item.optional_vars is not None:
                        self._store(item.optional_vars, item.context_expr)
            elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):  # for line in f
                self._store(node.target, node.iter)

    def _store(self, target: ast.expr, value: ast.expr) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for elt, part in zip(target.elts, value.elts, strict=True):  # a, b = [...], {...}
                    self._store(elt, part)
                return
            for elt in target.elts:  # name, _, group = line.rpartition("["): each is a part of the value
                self._store(elt.value if isinstance(elt, ast.Starred) else elt, value)
        elif isinstance(target, ast.Name):
            self.bound.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
            self.items.setdefault(target.value.id, []).append((_key(target.slice), value))

    def _method(self, obj: ast.expr, attr: str, call: ast.Call) -> None:
        if isinstance(obj, ast.Name):
            if attr in ("extend", "append", "add", "update") and len(call.args) == 1:
                self.bound.setdefault(obj.id, []).append(call.args[0])
            elif attr == "insert" and len(call.args) == 2:
                self.bound.setdefault(obj.id, []).append(call.args[1])
            elif attr == "setdefault" and len(call.args) == 2:
                self.items.setdefault(obj.id, []).append((_key(call.args[0]), call.args[1]))
            if attr == "update":
                for kw in call.keywords:
                    if kw.arg is not None:
                        self.items.setdefault(obj.id, []).append((kw.arg, kw.value))
                    else:
                        self.bound.setdefault(obj.id, []).append(kw.value)
        elif isinstance(obj, ast.Subscript) and isinstance(obj.value, ast.Name):
            if attr in ("extend", "append") and len(call.args) == 1:  # extras["test"].extend([...])
                self.items.setdefault(obj.value.id, []).append((_key(obj.slice), call.args[0]))
        elif isinstance(obj, ast.Call) and isinstance(obj.func, ast.Attribute) and obj.func.attr == "setdefault" \
                and isinstance(obj.func.value, ast.Name) and obj.args and attr in ("extend", "append") \
                and len(call.args) == 1:  # extras.setdefault(name, []).append(req)
            self.items.setdefault(obj.func.value.id, []).append((_key(obj.args[0]), call.args[0]))

    def keywords(self, call: ast.Call) -> list[tuple[str, ast.expr]]:
        """The keyword arguments of a call, `**kwargs` of a dict it can read included."""
        out: list[tuple[str, ast.expr]] = []
        for kw in call.keywords:
            if kw.arg is not None:
                out.append((kw.arg, kw.value))
            else:
                out.extend(self.entries(kw.value))
        return out

    def entries(self, node: ast.expr, seen: frozenset[str] = frozenset(), depth: int = 0) -> list[tuple[str, ast.expr]]:
        """(key, value) pairs a dict expression holds: a literal, dict(...), a name with every
        value and item stored under it."""
        if depth > 20:
            return []
        out: list[tuple[str, ast.expr]] = []
        if isinstance(node, ast.Dict):
            for k, v in zip(node.keys, node.values, strict=False):
                if k is None:  # {**other}
                    out.extend(self.entries(v, seen, depth + 1))
                else:
                    out.append((_key(k), v))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            for a in node.args[:1]:
                out.extend(self.entries(a, seen, depth + 1))
            for kw in node.keywords:
                out.extend([(kw.arg, kw.value)] if kw.arg else self.entries(kw.value, seen, depth + 1))
        elif isinstance(node, ast.Name) and node.id not in seen:
            inner = seen | {node.id}
            for value in self.bound.get(node.id, ()):
                out.extend(self.entries(value, inner, depth + 1))
            out.extend(self.items.get(node.id, ()))
        return out

    def strings(self, node: ast.expr, seen: frozenset[str] = frozenset(),
                depth: int = 0) -> tuple[list[ast.Constant], bool]:
        """(requirement string constants `node` evaluates to, whether some part of it is opaque:
        computed by code, not literals)."""
        if depth > 20:
            return [], True
        if isinstance(node, ast.Constant):
            value = node.value
            if not isinstance(value, str) or "\n" in value.strip():
                return [], True
            return ([node] if value.strip() else []), False
        parts: list[ast.expr]
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            parts = list(node.elts)
        elif isinstance(node, ast.Starred):
            parts = [node.value]
        elif isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.BitOr)):
            parts = [node.left, node.right]
        elif isinstance(node, ast.IfExp):
            parts = [node.body, node.orelse]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in self._LIST_CALLS \
                and len(node.args) <= 1 and not node.keywords:
            parts = list(node.args)
        elif isinstance(node, ast.Name):
            if node.id in seen:
                return [], False
            seen = seen | {node.id}
            parts = list(self.bound.get(node.id, ()))
            if not parts:
                return [], True
        else:
            return [], True
        out: list[ast.Constant] = []
        opaque = False
        for part in parts:
            got, dark = self.strings(part, seen, depth + 1)
            out.extend(got)
            opaque = opaque or dark
        return out, opaque

    def file_refs(self, node: ast.expr) -> list[str]:
        """Requirement files an expression reads: the `.txt`/`.in` paths written in it, in the
        values of the names it uses and in the bodies of the module's functions it calls
        (`(here / "requirements.txt").read_text().splitlines()`, `parse_requirements("reqs.in")`)."""
        out: list[str] = []
        todo: list[ast.AST] = [node]
        done: set[int] = set()
        while todo and len(done) < 2000:
            cur = todo.pop()
            if id(cur) in done:
                continue
            done.add(id(cur))
            for sub in ast.walk(cur):
                if isinstance(sub, ast.Name):
                    todo.extend(self.bound.get(sub.id, ()))
                    if sub.id in self.funcs:
                        todo.append(self.funcs[sub.id])
                elif isinstance(sub, ast.Attribute) and sub.attr in self.funcs:
                    todo.append(self.funcs[sub.attr])
                path = _path_literal(sub)
                if path and path not in out:
                    out.append(path)
        return out


_COMPUTED = "extra"  # the name given to an extra whose name is computed by code


def _key(node: ast.expr) -> str:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else _COMPUTED


def _path_literal(node: ast.AST) -> Optional[str]:
    """A requirement file path written as a literal, `"a" / "b.txt"` or os.path.join("a", "b.txt")."""
    parts: list[str] = []
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        parts = [node.value]
    elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        cur: ast.expr = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, ast.Div):
            if isinstance(cur.right, ast.Constant) and isinstance(cur.right.value, str):
                parts.insert(0, cur.right.value)
            cur = cur.left
        if isinstance(cur, ast.Constant) and isinstance(cur.value, str):
            parts.insert(0, cur.value)
    elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name)) \
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "join":
        parts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    path = "/".join(p.strip("/") for p in parts if p)
    if not path or len(path) > 300 or "\n" in path or path.startswith("/") or not path.endswith((".txt", ".in")):
        return None
    return path


def _add_const(reader: ManifestReader, elt: ast.Constant, lines: list[str], rel: str, group: str) -> None:
    if not isinstance(elt.value, str):  # never: the constants handed here are the str ones
        return
    line = lines[elt.lineno - 1] if 0 < elt.lineno <= len(lines) else ""
    start = _char_col(line, elt.col_offset)
    col = _find_col(line, _name_prefix(elt.value), start)
    end = _char_col(line, elt.end_col_offset or 0) if elt.end_lineno == elt.lineno else len(line) + 1
    reader.add(elt.value.strip(), rel, elt.lineno, col, end, group)


def _char_col(line: str, byte_offset: int) -> int:
    """ast columns count UTF-8 bytes; Spans count characters."""
    return len(line.encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))
