"""Which code loads which non-Python file, and which calls fill in a loaded prompt template.

A load is linked when the file's path is a literal, or is built from literals and the module's
own location with `os.path.join`/`dirname`, `pathlib.Path` `/`, `.parent`, `.joinpath`, `.with_name`/`.with_suffix`
and `importlib.resources.files("package")` (also through a parameter's default), or is a loop
variable over a folder listing (`folder.glob("*.yaml")`, `rglob`, `glob.glob(...)`, two listings
joined with `+`, `os.listdir(folder)` joined to its folder; every matching file is loaded): `open(p)`,
`Path(p).read_text()`, Jinja2 `Environment(loader=FileSystemLoader(d)).get_template(name)`,
`jinja2.Template(<text read from p>)`, LangChain `PromptTemplate.from_file(p)` / `load_prompt(p)`,
and CrewAI's `agents_config` / `tasks_config` of a `@CrewBase` class (by default
`config/agents.yaml` and `config/tasks.yaml` beside the class's file). A path relative to the
working directory is looked up from the module's folder up to the root; the first file found wins.

A render is a call that fills a loaded template (`.render(...)`, `.format(...)`, `.invoke({...})`),
with the variable names it certainly supplies, or None when they are not all known (a `**`
splat, a dict built elsewhere, a positional argument)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Optional

from agentable.cpg import ir
from agentable.cpg.artifacts.parse import artifact_kind
from agentable.cpg.artifacts.store import ArtifactSet
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.values import ExtRef

if TYPE_CHECKING:
    from agentable.cpg.structure import FunctionInfo

# A linked path is written with literals, so a loading module names the file: the modules worth
# resolving are those whose text mentions the base name of a discovered file (one regex pass each).
_EXT_RE = re.compile(r"\.(?:ya?ml|json|toml|j2|jinja2?|prompty|txt|md|tmpl|ini|cfg)\b")


def _mentioned(src: str) -> set[str]:
    """The file names (`x.yaml`, `plan.j2`) a module's text mentions."""
    out: set[str] = set()
    for m in _EXT_RE.finditer(src):
        i = m.start()
        while i > 0 and (src[i - 1].isalnum() or src[i - 1] in "_.-"):
            i -= 1
        out.add(src[i:m.end()])
    return out
_OPEN_FUNCS = frozenset({"open", "io.open", "builtins.open", "codecs.open"})
_RENDER_METHODS = frozenset({"render", "render_async", "format", "format_prompt", "format_messages", "invoke",
                             "ainvoke"})
_TEXT_SUFFIXES = (".txt", ".md", ".tmpl", ".prompt")
_JINJA_SUFFIXES = (".j2", ".jinja", ".jinja2")
_MAX_PATHS = 8


@dataclass(eq=False)
class ArtifactLoad:
    artifact: str  # the file's path, relative to the root
    how: str  # open | read_text | get_template | jinja_template | prompt_file | load_prompt | crew_config | configparser
    syntax: str  # the template syntax the code reads it in: jinja | format | data | text
    func: "FunctionInfo"
    stmt: object
    call: Optional[ir.Call]  # the loading call (None for a CrewAI convention)
    pos: ir.Pos  # where the load is written
    owner: Optional[str] = None  # the @CrewBase class's qualname, for a crew_config load
    config: str = ""  # and the class attribute naming it: agents_config | tasks_config

    @property
    def path(self) -> str:
        return self.func.path


@dataclass(eq=False)
class TemplateRender:
    load: ArtifactLoad
    call: ir.Call
    func: "FunctionInfo"
    stmt: object
    method: str
    supplied: Optional[frozenset[str]]


@dataclass
class ArtifactLinks:
    loads: list[ArtifactLoad] = field(default_factory=list)
    renders: list[TemplateRender] = field(default_factory=list)
    by_call: dict[int, ArtifactLoad] = field(default_factory=dict)

    def loaders_of(self, artifact: str) -> list[ArtifactLoad]:
        return [ld for ld in self.loads if ld.artifact == artifact]


def artifact_links(g: CodeGraph) -> ArtifactLinks:
    """The loads and renders of the project's artifacts (empty without discovered artifacts);
    computed once per graph."""
    arts = getattr(g, "artifacts", None)
    if arts is None or not arts.paths:
        return ArtifactLinks()
    hit = getattr(arts, "links", None)
    if hit is None:
        hit = arts.links = _Linker(g, arts).run()
    return hit


class _Linker:
    def __init__(self, g: CodeGraph, arts: ArtifactSet) -> None:
        self.g = g
        self.arts = arts
        self.out = ArtifactLinks()

    def run(self) -> ArtifactLinks:
        g = self.g
        names = {posixpath.basename(p) for p in self.arts.paths}
        # a bare extension is a glob pattern's (`"*.yaml"`) or a suffix test's
        names |= {posixpath.splitext(n)[1] for n in names}
        paths = {m.path for m in g.by_path.values()
                 if "CrewBase" in m.ir.source or not names.isdisjoint(_mentioned(m.ir.source))}
        if not paths:
            return self.out
        for func in g.functions.values():
            if func.module.path not in paths:
                continue
            for site in func.calls:
                exts = [v for v in g.values(site.call.func, func, site.stmt) if isinstance(v, ExtRef)]
                attr = site.call.func.attr if isinstance(site.call.func, ir.Attribute) else ""
                if attr in ("read_text", "read_bytes") and not any(v.path.startswith("pathlib.") for v in exts):
                    # `(Path(__file__).parent / "p.txt").read_text()`, a Traversable of importlib.resources
                    exts = [*exts, ExtRef("pathlib.Path()." + attr)]
                if exts:
                    self._load(site, exts)
        for cls in g.classes.values():
            if cls.module.path in paths:
                self._crew_base(cls)
        if not any(ld.syntax != "data" and artifact_kind(ld.artifact) not in ("yaml", "json", "toml", "env", "ini")
                   for ld in self.out.loads):
            return self.out  # no prompt text is loaded
        # a loaded template is filled in by its loader's module or one importing it
        loaders = {ld.func.module.name for ld in self.out.loads}
        renderers = {m.path for m in g.by_path.values() if m.name in loaders or g.imported_modules(m) & loaders}
        for func in g.functions.values():
            if func.module.path not in renderers:
                continue
            for site in func.calls:
                if isinstance(site.call.func, ir.Attribute) and site.call.func.attr in _RENDER_METHODS:
                    exts = [v for v in g.values(site.call.func, func, site.stmt) if isinstance(v, ExtRef)]
                    self._render(site, exts)
        return self.out

    # ------------------------------------------------------------------ loads

    def _add(self, rels: list[str], how: str, syntax: str, site, pos: Optional[ir.Pos] = None) -> None:
        for rel in rels:
            ld = ArtifactLoad(rel, how, syntax, site.func, site.stmt, site.call, pos or site.call.pos)
            self.out.loads.append(ld)
            self.out.by_call.setdefault(id(site.call), ld)

    def _load(self, site, exts: list[ExtRef]) -> None:
        call, func, stmt = site.call, site.func, site.stmt
        for v in exts:
            p = v.path
            last = p.rpartition(".")[2]
            if p in _OPEN_FUNCS:
                arg = call.args[0] if call.args else call.kwarg("file")
                self._add(self._files(arg, func, stmt), "open", "text", site)
            elif p.startswith("pathlib.") and last in ("read_text", "open", "read_bytes") and isinstance(call.func, ir.Attribute):
                self._add(self._files(call.func.value, func, stmt), "read_text", "text", site)
            elif p.startswith("configparser.") and last == "read":
                # `cfg.read("settings.ini")` / `cfg.read(["a.ini", "b.ini"])` (`read_file(open(p))` is an `open` load)
                arg = call.args[0] if call.args else call.kwarg("filenames")
                items = arg.elts if isinstance(arg, ir.Seq) else [arg]
                self._add([f for x in items for f in self._files(x, func, stmt)], "configparser", "data", site)
            elif p.startswith("jinja2.") and last in ("get_template", "select_template"):
                self._add(self._jinja_files(call, v, func, stmt), "get_template", "jinja", site)
            elif (p.endswith(("PromptTemplate.from_file", "PromptTemplate.from_template_file", ".load_prompt"))
                  or p == "load_prompt"):
                arg = call.args[0] if call.args else (call.kwarg("template_file") or call.kwarg("path"))
                files = self._files(arg, func, stmt)
                fmt = call.kwarg("template_format")
                syntax = "jinja" if _const_str(fmt) == "jinja2" else "format"
                if last == "load_prompt" and not any(f.endswith(_TEXT_SUFFIXES) for f in files):
                    syntax = "data"  # a serialized prompt (YAML/JSON) names its own variables
                self._add(files, "load_prompt" if last == "load_prompt" else "prompt_file", syntax, site)
            else:
                continue
            return

    def _jinja_files(self, call: ir.Call, v: ExtRef, func, stmt) -> list[str]:
        names = [s for s in self._strs(call.args[0] if call.args else call.kwarg("name"), func, stmt)]
        dirs: list[tuple[bool, str]] = []
        env = v.site[1] if v.site is not None else None
        if isinstance(env, ir.Call) and v.site is not None:
            loader = env.argument("loader", 0)
            lcall = self._bound_call(loader, func, stmt) if loader is not None else None
            if lcall is not None and (ir.dotted(lcall.func) or "").endswith("FileSystemLoader"):
                arg = lcall.args[0] if lcall.args else lcall.kwarg("searchpath")
                owner = self.g.function_of(v.site[0], env.pos) or func
                dirs = self._paths(arg, owner, None, 4) if arg is not None else []
        out: list[str] = []
        for name in names:
            cands = [(a, posixpath.join(d, name)) for a, d in dirs] if dirs else [(False, name)]
            out += self._existing(cands, func)
            if not out and not dirs:  # an unknown loader: a unique file of that name
                same = [p for p in self.arts.paths if p == name or p.endswith("/" + name)]
                if len(same) == 1:
                    out.append(same[0])
        return out[:1]  # `select_template([a, b])` reads the first that exists

    def _crew_base(self, cls) -> None:
        if not any((ir.dotted(d.func if isinstance(d, ir.Call) else d) or "").endswith("CrewBase")
                   for d in cls.node.decorators):
            return
        folder = posixpath.dirname(cls.module.path)
        func = cls.module.toplevel
        for attr, default in (("agents_config", "config/agents.yaml"), ("tasks_config", "config/tasks.yaml")):
            values = cls.attrs.get(attr, [])
            written = [(_const_str(e), s) for e, s, _ in values if e is not None]
            for rel, s in written or [(default, None)]:
                if rel is None:
                    continue
                target = posixpath.normpath(posixpath.join(folder, rel))
                if target in self.arts.paths:
                    pos = s.pos if s is not None else cls.node.name_pos
                    ld = ArtifactLoad(target, "crew_config", "format", func, s, None, pos, cls.qualname, attr)
                    self.out.loads.append(ld)

    # ------------------------------------------------------------------ renders

    def _render(self, site, exts: list[ExtRef]) -> None:
        call = site.call
        sources = [(v.path.rpartition(".")[2], v.site[1]) for v in exts if v.site is not None]
        if isinstance(call.func, ir.Attribute) and call.func.attr in _RENDER_METHODS:
            # the receiver as written: `text.format(...)` with `text = ....read_text()`
            bound = self._bound_call(call.func.value, site.func, site.stmt)
            if bound is not None:
                sources.append((call.func.attr, bound))
        for method, source in sources:
            if method not in _RENDER_METHODS:
                continue
            load = self._load_of(source, site.func, 3)
            if load is not None and load.syntax == "text" and method == "format":  # `text.format(...)`
                load = ArtifactLoad(load.artifact, load.how, "format", load.func, load.stmt, load.call, load.pos)
            if load is None or load.syntax not in ("jinja", "format"):
                continue
            self.out.renders.append(TemplateRender(load, call, site.func, site.stmt, method, _supplied(call, method)))
            return

    def _load_of(self, call: ir.Call, func, depth: int) -> Optional[ArtifactLoad]:
        """The load a template object or text comes from: the call itself, the text read from it
        (`open(p).read()`, `f.read()`), or a `jinja2.Template(...)` / `from_string(...)` of that text."""
        if depth < 0 or not isinstance(call, ir.Call):
            return None
        hit = self.out.by_call.get(id(call))
        if hit is not None:
            return hit
        if isinstance(call.func, ir.Attribute) and call.func.attr in ("read", "read_text", "strip"):
            for v in self.g.values(call.func.value, func, None):
                if isinstance(v, ExtRef) and v.site is not None:
                    hit = self._load_of(v.site[1], func, depth - 1)
                    if hit is not None:
                        return hit
            inner = self._bound_call(call.func.value, func, None)  # `open(p).read()`, `fh.read()`
            return self._load_of(inner, func, depth - 1) if inner is not None else None
        name = ir.dotted(call.func) or ""
        if name.endswith(("Template", "from_string")):
            arg = call.args[0] if call.args else call.kwarg("source")
            text = self._bound_call(arg, func, None) if arg is not None else None
            hit = self._load_of(text, func, depth - 1) if text is not None else None
            if hit is not None:
                return ArtifactLoad(hit.artifact, "jinja_template", "jinja", hit.func, hit.stmt, hit.call, hit.pos)
        return None

    # ------------------------------------------------------------------ paths

    def _bound_call(self, e: Optional[ir.Expr], func, stmt) -> Optional[ir.Call]:
        """The call an expression is, directly or through one binding of a name (an assignment or
        a `with ... as name`) or `self.x`, up to three bindings deep."""
        for _ in range(3):
            if isinstance(e, ir.Call):
                return e
            if isinstance(e, ir.Name):
                owner, defs = self.g.name_bindings(func, e.id, stmt)
                vals = [(d.value, d.stmt) for d in defs if d.how in ("assign", "walrus", "with") and d.value is not None]
                if len(vals) != 1 or len(defs) != 1:
                    return None
                e, func, stmt = vals[0][0], owner, vals[0][1]
                continue
            if not isinstance(e, ir.Attribute):
                return None
            defs = self.g._literal_defs(e, func, stmt)
            if len(defs) != 1:
                return None
            e, func, stmt = defs[0]
        return e if isinstance(e, ir.Call) else None

    def _strs(self, e: Optional[ir.Expr], func, stmt) -> list[str]:
        return [p for anchored, p in self._paths(e, func, stmt, 3) if not anchored]

    def _files(self, e: Optional[ir.Expr], func, stmt) -> list[str]:
        return self._existing(self._paths(e, func, stmt, 6), func) if e is not None else []

    def _existing(self, cands: list[tuple[bool, str]], func) -> list[str]:
        """The discovered files a load reads: the first candidate path that names one (anchored
        ones from the root, relative ones from the module's folder up to the root), or every file
        a glob pattern matches."""
        out: list[str] = []
        here = posixpath.dirname(func.module.path)
        if any(_is_pattern(p) for _, p in cands):
            return list(dict.fromkeys(f for anchored, p in cands if _is_pattern(p)
                                      for f in self._matching(anchored, p, here)))
        for anchored, p in cands:
            if anchored:
                rel = posixpath.normpath(p) if p else ""
                if rel in self.arts.paths:
                    out.append(rel)
                continue
            folder = here
            while True:
                rel = posixpath.normpath(posixpath.join(folder, p))
                if rel in self.arts.paths:
                    out.append(rel)
                    break
                if not folder:
                    break
                folder = posixpath.dirname(folder)
        return out[:1]

    def _matching(self, anchored: bool, pattern: str, here: str) -> list[str]:
        """The discovered files a glob pattern with a folder part matches: anchored from the root,
        relative from the module's folder up to the root (the first folder with a match wins)."""
        if "/" not in pattern.lstrip("./"):
            return []  # a bare `*.yaml` is relative to the working directory, which is unknown
        folders = [""] if anchored else _ancestors(here)
        for folder in folders:
            rx = _glob_re(posixpath.normpath(posixpath.join(folder, pattern)))
            hits = sorted(p for p in self.arts.paths if rx.fullmatch(p))
            if hits:
                return hits[:_MAX_GLOB]
        return []

    def _listing(self, it: Optional[ir.Expr], func, stmt, depth: int) -> list[tuple[bool, str]]:
        """The paths a loop variable takes over `folder.glob(pattern)` / `rglob`, `glob.glob(pattern)`,
        or `os.listdir(folder)` (a name, joined to its folder later), through `sorted`/`list`."""
        if isinstance(it, ir.BinOp) and it.op == "+":  # `glob.glob(a) + glob.glob(b)`
            return self._listing(it.left, func, stmt, depth) + self._listing(it.right, func, stmt, depth)
        if not isinstance(it, ir.Call) or depth < 0:
            return []
        name = ir.dotted(it.func) or ""
        last = name.rpartition(".")[2] if name else (it.func.attr if isinstance(it.func, ir.Attribute) else "")
        if last in ("sorted", "list", "tuple", "reversed") and it.args:
            return self._listing(it.args[0], func, stmt, depth)
        pattern = _const_str(it.args[0]) if it.args else None
        if last in ("glob", "rglob") and isinstance(it.func, ir.Attribute) and pattern is not None \
                and not name.startswith("glob."):
            pattern = "**/" + pattern if last == "rglob" else pattern
            return _joined([self._paths(it.func.value, func, stmt, depth), [(False, pattern)]])
        if name in ("glob.glob", "glob.iglob") and it.args:
            return [(a, p) for a, p in self._paths(it.args[0], func, stmt, depth) if _is_pattern(p)]
        if name == "os.listdir":
            return [(False, "*")]  # a bare name: a file only once joined to a folder
        return []

    def _paths(self, e: Optional[ir.Expr], func, stmt, depth: int) -> list[tuple[bool, str]]:
        """The paths an expression may be: (anchored, path), anchored ones relative to the root
        (built from `__file__`), the others as written (relative to the working directory)."""
        if e is None or depth < 0:
            return []
        s = _const_str(e)
        if s is not None:
            return [] if s.startswith(("/", "~")) or "\\" in s else [(False, s)]
        if isinstance(e, ir.Name) and e.id == "__file__":
            return [(True, func.module.path)]
        if isinstance(e, ir.Attribute) and e.attr == "parent":
            return [(a, posixpath.dirname(p)) for a, p in self._paths(e.value, func, stmt, depth)]
        if isinstance(e, ir.BinOp) and e.op == "/":
            return _joined([self._paths(e.left, func, stmt, depth), self._paths(e.right, func, stmt, depth)])
        if isinstance(e, ir.Call):
            name = ir.dotted(e.func) or ""
            last = name.rpartition(".")[2] if name else (e.func.attr if isinstance(e.func, ir.Attribute) else "")
            if last in ("join", "joinpath") and (name.endswith("path.join") or last == "joinpath"):
                parts = [self._paths(a, func, stmt, depth - 1) for a in e.args]
                if last == "joinpath" and isinstance(e.func, ir.Attribute):
                    parts.insert(0, self._paths(e.func.value, func, stmt, depth - 1))
                return _joined(parts)
            if last == "dirname" and e.args:
                return [(a, posixpath.dirname(p)) for a, p in self._paths(e.args[0], func, stmt, depth - 1)]
            if last in ("abspath", "realpath", "normpath", "expanduser", "str", "fspath") and e.args:
                return self._paths(e.args[0], func, stmt, depth - 1)
            if last in ("resolve", "absolute", "expanduser") and isinstance(e.func, ir.Attribute) and not e.args:
                return self._paths(e.func.value, func, stmt, depth - 1)
            if last in ("Path", "PurePath", "PosixPath") and e.args:
                return _joined([self._paths(a, func, stmt, depth - 1) for a in e.args])
            if last in ("with_name", "with_suffix") and isinstance(e.func, ir.Attribute) and len(e.args) == 1:
                part = _const_str(e.args[0])
                base = self._paths(e.func.value, func, stmt, depth - 1) if part is not None else []
                return [(a, _with(p, last, part)) for a, p in base if part is not None]
            if last == "files" and e.args and (name.endswith(_RESOURCE_FILES) or any(
                    isinstance(v, ExtRef) and v.path.endswith(_RESOURCE_FILES)
                    for v in self.g.values(e.func, func, stmt))):
                folder = self._package_folder(e.args[0], func)
                return [(True, folder)] if folder is not None else []
            return []
        if isinstance(e, (ir.Name, ir.Attribute)):
            out: list[tuple[bool, str]] = []
            for x, owner, at in self.g._literal_defs(e, func, stmt)[:_MAX_PATHS]:
                out += self._paths(x, owner, at, depth - 1)
            if isinstance(e, ir.Name):  # a loop variable over a folder listing
                comp = func.comp_names.get(id(e))
                if comp is not None:
                    out += self._listing(comp[1], func, stmt, depth - 1)
                else:
                    owner, defs = self.g.name_bindings(func, e.id, stmt)
                    for d in defs:
                        if d.how == "iter":
                            out += self._listing(d.value, owner, d.stmt, depth - 1)
                        elif d.how == "param" and owner.node is not None:  # `folder=os.path.join(HERE, "x")`
                            default = next((p.default for p in owner.node.params if p.name == e.id), None)
                            out += self._paths(default, owner, None, depth - 1) if default is not None else []
            return out[:_MAX_PATHS]
        return []

    def _package_folder(self, e: ir.Expr, func) -> Optional[str]:
        """The folder of the package `importlib.resources.files(...)` names: a dotted literal, or
        `__package__` / `__name__` of the calling module. A folder with no `__init__.py` under a
        project package (a folder of prompt files) is found from that package."""
        mod = func.module
        if isinstance(e, ir.Name) and e.id in ("__package__", "__name__"):
            here = posixpath.dirname(mod.path)
            return here if e.id == "__package__" or mod.path.endswith("__init__.py") else None
        pkg = _const_str(e)
        if not pkg or not all(p.isidentifier() for p in pkg.split(".")):
            return None
        parts = pkg.split(".")
        for i in range(len(parts), 0, -1):
            found = self.g.find_module(".".join(parts[:i]), mod)
            if found is not None and found.path.endswith("__init__.py"):
                return posixpath.join(posixpath.dirname(found.path), *parts[i:])
        return None


_RESOURCE_FILES = ("importlib.resources.files", "importlib_resources.files")
_MAX_GLOB = 64  # files one glob load links (a folder of tool specs or prompts)


def _is_pattern(path: str) -> bool:
    return any(c in path for c in "*?[")


def _glob_re(pattern: str) -> re.Pattern:
    """pathlib/glob semantics: `*` and `?` stay within one folder, `**/` spans folders."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _ancestors(folder: str) -> list[str]:
    out = [folder]
    while folder:
        folder = posixpath.dirname(folder)
        out.append(folder)
    return out


def _with(path: str, how: str, part: str) -> str:
    if how == "with_name":
        return posixpath.join(posixpath.dirname(path), part)
    return posixpath.splitext(path)[0] + part


def _joined(parts: list[list[tuple[bool, str]]]) -> list[tuple[bool, str]]:
    out: list[tuple[bool, str]] = [(False, "")]
    for cands in parts:
        if not cands:
            return []
        nxt = []
        for a, base in out:
            for b, p in cands:
                nxt.append((True, p) if b else (a, posixpath.join(base, p) if base else p))
        out = nxt[:_MAX_PATHS]
    return out


def _const_str(e: Optional[ir.Expr]) -> Optional[str]:
    if isinstance(e, ir.Constant) and isinstance(e.value, str):
        return e.value
    if isinstance(e, ir.Concat):
        texts = [p.value for p in e.parts if isinstance(p, ir.Constant) and isinstance(p.value, str)]
        if len(texts) == len(e.parts):  # every part a str literal
            return "".join(texts)
    return None


def _supplied(call: ir.Call, method: str) -> Optional[frozenset[str]]:
    """The variable names a render call certainly supplies; None when not all are known."""
    if call.has_kwargs_splat():
        return None
    names = {kw.name for kw in call.keywords if kw.name}
    if method in ("invoke", "ainvoke"):
        names = set()  # `config=` and the like are not variables
    if len(call.args) > 1:
        return None
    if call.args:
        d = call.args[0]
        if not isinstance(d, ir.Dict) or any(k is None or _const_str(k) is None for k in d.keys):
            return None
        names |= {_const_str(k) for k in d.keys}  # type: ignore[misc]
    elif method in ("invoke", "ainvoke"):
        return None
    return frozenset(names)
