"""Configuration reads and their defaults: the value a setting takes when the environment, the
command line or the settings source leaves it unset (`os.getenv("MODEL", "gpt-4o")`, an argparse
`default=`, a pydantic / dataclass field default). Such a default is what the program runs with
out of the box, so model facts (ADAL, LARD) are checked against it too."""

from __future__ import annotations

import re
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.cpg.values import Const, ExtRef
from agentable.query.facts import EvalAt, per_graph


# Standard-library and settings-library reads that return a default when the source is unset:
# callee -> (position of the default argument or None, its keyword).
_DEFAULT_ARGS: dict[str, tuple[Optional[int], str]] = {
    "os.getenv()": (1, "default"),
    "os.environ.get()": (1, "default"),
    "pydantic.Field()": (0, "default"),
    "pydantic.fields.Field()": (0, "default"),
    "dataclasses.field()": (None, "default"),
    # a typer command's parameter default: `model: str = typer.Option("gpt-4", help=...)`
    "typer.Option()": (0, "default"),
    "typer.Argument()": (0, "default"),
    "typer.params.Option()": (0, "default"),
    "typer.params.Argument()": (0, "default"),
}
_PARSED_ARG_RE = re.compile(r"^argparse\.ArgumentParser\(\)\.parse_args\(\)\.([A-Za-z_]\w*)$")

Scoped = tuple[ir.Expr, FunctionInfo, EvalAt]


def config_default(g: ProjectGraph, v: object) -> Optional[Scoped]:
    """The default expression of a configuration read this value is (with the scope to resolve
    it in), or None: the second argument of an environment read, a field's `default`, or the
    `default=` of the argparse option an `args.<dest>` attribute reads."""
    if not isinstance(v, ExtRef) or v.site is None:
        return None
    path, call = v.site
    shape = _DEFAULT_ARGS.get(v.path)
    if shape is not None:
        pos, kw = shape
        e = call.kwarg(kw)
        if e is None and pos is not None and pos < len(call.args) and not any(
                isinstance(a, ir.Starred) for a in call.args[: pos + 1]):
            e = call.args[pos]
        if e is None:
            return None
        func = g.function_of(path, call.pos)
        return (e, func, func.call_statement(call)) if func is not None else None
    m = _PARSED_ARG_RE.match(v.path)
    if m is not None:
        return _argparse_default(g, path, call, m.group(1))
    return None


def config_default_strs(g: ProjectGraph, e: Optional[ir.Expr], func: FunctionInfo, stmt: EvalAt) -> list[str]:
    """The string constants an expression takes as the default of a configuration read
    (see `config_default`)."""
    out: list[str] = []
    for v in g.values(e, func, stmt):
        found = config_default(g, v)
        if found is None:
            continue
        d, owner, s = found
        out += [x.value for x in g.values(d, owner, s) if isinstance(x, Const) and isinstance(x.value, str)]
    return out


def _argparse_default(g: ProjectGraph, path: str, parse_call: ir.Call, dest: str) -> Optional[Scoped]:
    """The `default=` of the option `dest` on the parser whose `parse_args()` is `parse_call`."""
    return _argparse_keyword(g, path, parse_call, dest, "default")


def argparse_choices(g: ProjectGraph, v: object) -> Optional[Scoped]:
    """The `choices=` of the argparse option an `args.<dest>` value reads (with its scope)."""
    if not isinstance(v, ExtRef) or v.site is None:
        return None
    m = _PARSED_ARG_RE.match(v.path)
    return _argparse_keyword(g, v.site[0], v.site[1], m.group(1), "choices") if m is not None else None


def _argparse_keyword(g: ProjectGraph, path: str, parse_call: ir.Call, dest: str, keyword: str) -> Optional[Scoped]:
    """The `keyword=` argument of the option `dest` on the parser whose `parse_args()` is `parse_call`."""
    found: Optional[Scoped] = None
    for call, owner, s in _dest_options(g, path, parse_call, dest):
        if call.kwarg(keyword) is not None:
            if found is not None:
                return None  # declared twice: which one applies is not clear statically
            found = (call.kwarg(keyword), owner, s)  # type: ignore[assignment]
    return found


def _dest_options(g: ProjectGraph, path: str, parse_call: ir.Call, dest: str) -> list[tuple[ir.Call, FunctionInfo, EvalAt]]:
    """The `add_argument(...)` calls that declare the option `dest` on the parser whose
    `parse_args()` is `parse_call`."""
    func = g.function_of(path, parse_call.pos)
    if func is None or not isinstance(parse_call.func, ir.Attribute):
        return []
    stmt = func.call_statement(parse_call)
    ctors = {id(v.site[1]) for v in g.values(parse_call.func.value, func, stmt)
             if isinstance(v, ExtRef) and v.path == "argparse.ArgumentParser()" and v.site is not None}
    return [opt for ctor in ctors for opt in _parser_options(g).get(ctor, ()) if _option_dest(opt[0]) == dest]


def unset_option(g: ProjectGraph, v: object) -> Optional[tuple[str, str, ir.Pos]]:
    """When this value is a configuration read that gives None unless the user sets it, what is
    read and where it is declared: `os.getenv("MODEL")` / `os.environ.get("MODEL")` with no
    default -> ("environment variable `MODEL`", path, position of the read); `args.model` of an
    argparse option declared once, optional (`--model`), with no `default=` (or `default=None`),
    not `required`, stored as given (no `action=`), on a parser with no `set_defaults` ->
    ("option `--model`", path, position of its `add_argument`). None otherwise."""
    if not isinstance(v, ExtRef) or v.site is None:
        return None
    path, call = v.site
    if v.path in _ENV_READS:
        if len(call.args) != 1 or call.keywords or isinstance(call.args[0], ir.Starred):
            return None
        name = ir.string_value(call.args[0])
        return (f"environment variable `{name}`" if name else "environment variable", path, call.pos)
    m = _PARSED_ARG_RE.match(v.path)
    if m is None or _sets_defaults(g, path, call):
        return None
    options = _dest_options(g, path, call, m.group(1))
    if len(options) != 1:
        return None
    opt, owner, _s = options[0]
    first = ir.string_value(opt.args[0]) if opt.args else None
    default = opt.kwarg("default")
    required = opt.kwarg("required")
    if (first is None or not first.startswith("-") or opt.kwarg("action") is not None
            or (default is not None and not (isinstance(default, ir.Constant) and default.value is None))
            or (required is not None and not (isinstance(required, ir.Constant) and required.value is False))):
        return None
    return (f"option `{first}`", owner.path, opt.pos)


def _sets_defaults(g: ProjectGraph, path: str, parse_call: ir.Call) -> bool:
    """Does the parser of `parse_call` get defaults from `set_defaults(...)` (which argparse
    applies to every option)?"""
    func = g.function_of(path, parse_call.pos)
    if func is None or not isinstance(parse_call.func, ir.Attribute):
        return True
    stmt = func.call_statement(parse_call)
    return any(isinstance(v, ExtRef) and v.path == "argparse.ArgumentParser()" and v.site is not None
               and id(v.site[1]) in _defaulted_parsers(g) for v in g.values(parse_call.func.value, func, stmt))


@per_graph
def _defaulted_parsers(g: ProjectGraph) -> frozenset[int]:
    """The constructor calls (by id) of the argparse parsers given `set_defaults(...)`."""
    out: set[int] = set()
    for f in g.functions.values():
        for site in f.calls:
            fn = site.call.func
            if isinstance(fn, ir.Attribute) and fn.attr == "set_defaults":
                out.update(id(v.site[1]) for v in g.values(fn.value, f, site.stmt)
                           if isinstance(v, ExtRef) and v.path == "argparse.ArgumentParser()" and v.site is not None)
    return frozenset(out)


_ENV_READS = frozenset({"os.getenv()", "os.environ.get()"})


@per_graph
def _parser_options(g: ProjectGraph) -> dict[int, list[tuple[ir.Call, FunctionInfo, EvalAt]]]:
    """The `add_argument(...)` calls of every argparse parser, keyed by its constructor call."""
    out: dict[int, list[tuple[ir.Call, FunctionInfo, EvalAt]]] = {}
    for func in g.functions.values():
        for site in func.calls:
            f = site.call.func
            if not isinstance(f, ir.Attribute) or f.attr != "add_argument":
                continue
            for v in g.values(f.value, func, site.stmt):
                if isinstance(v, ExtRef) and v.path == "argparse.ArgumentParser()" and v.site is not None:
                    out.setdefault(id(v.site[1]), []).append((site.call, func, site.stmt))
    return out


def _option_dest(call: ir.Call) -> Optional[str]:
    """The attribute an `add_argument(...)` option is stored under: `dest=`, else the first long
    option (`--model-name` -> `model_name`), else the first short one, else the positional name."""
    dest = call.kwarg("dest")
    if dest is not None:
        return dest.value if isinstance(dest, ir.Constant) and isinstance(dest.value, str) else None
    names = [a.value for a in call.args if isinstance(a, ir.Constant) and isinstance(a.value, str)]
    if not names or len(names) != len(call.args):
        return None
    longs = [n for n in names if n.startswith("--")]
    chosen = longs[0] if longs else names[0]
    return chosen.lstrip("-").replace("-", "_") or None


@per_graph
def _code_strings(g: ProjectGraph) -> frozenset[str]:
    """Every string constant written in the project's code."""
    return frozenset(e.value for _, _, e in g.expressions(ir.Constant, g.functions.values())
                     if isinstance(e, ir.Constant) and isinstance(e.value, str))


def unread_setting(g: ProjectGraph, path: str, keys: tuple[str, ...]) -> bool:
    """Is this top-level key of a settings file read by nothing: the code reads the file's
    settings one by one by their exact names (`get_config("DB_HOST")` for at least two other keys
    of the file) but never names this one?"""
    arts = g.artifacts
    if len(keys) != 1 or arts is None:
        return False
    art = arts.get(path)
    data = art.data if art is not None else None
    if not isinstance(data, dict):
        return False
    named = _code_strings(g)
    if keys[0] in named:
        return False
    return sum(1 for k in data if isinstance(k, str) and k != keys[0] and k in named) >= 2
