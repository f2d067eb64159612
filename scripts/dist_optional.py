"""Optional dependencies of an integration-heavy distribution, read from its wheel's sources (used by
scripts/dist_metadata.py; the sources are parsed with `ast`, never imported or run).

An integration package (langchain-community, crewai-tools, autogen-ext...) imports most third-party
packages only where a feature needs them, and tells the user what to install when the import fails:

    try:
        import faiss
    except ImportError:
        raise ImportError("Could not import faiss python package. Please install it with `pip install faiss-cpu`")

Such a block, inside a function or at module level, whose handler raises and names a distribution
after `pip install`, makes the enclosing public name need that package: the class whose method holds
it, a module-level function (and the classes of that module that call it), or the whole module when
the block is at module level. `guard_import("x", pip_name="y")` calls count the same. The package
`__init__.py` re-exports (`from .faiss import FAISS`, and lazy `_module_lookup = {"FAISS":
"langchain_community.vectorstores.faiss"}` tables) give the names users import.
"""

from __future__ import annotations

import ast
import re
import zipfile

from packaging.utils import canonicalize_name

_HINT = re.compile(r"pip3? install\s+(?:-\S+\s+)*([`'\"]?)([^`'\"\n]*)([`'\"]?)")
_NAME = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[A-Za-z0-9_,.\s-]+\])?")


def _hint_dists(strings: list[str]) -> list[str]:
    """Distribution names after `pip install` in any of the strings (flags, quotes and version
    ranges dropped, extras kept: `autogen-ext[openai]`)."""
    out: list[str] = []
    for s in strings:
        for m in _HINT.finditer(s):
            # `pip install a b` in quotes names packages up to the quote; bare, only the first word
            # is sure to be one ("pip install browserbase to use the loader")
            words = re.sub(r",\s+", ",", m.group(2)).split()
            if not m.group(3):
                words = words[: next((i + 1 for i, w in enumerate(words) if not w.startswith("-")), len(words))]
            for word in words:
                word = word.strip("`'\".,;:()")
                if not word or word.startswith("-"):
                    continue
                name = _NAME.match(word)
                if name is None:
                    break
                dist = str(canonicalize_name(name.group(1).rstrip(".")))
                if name.group(2):  # an extra of a distribution: `autogen-ext[openai]`
                    extras = sorted(str(canonicalize_name(e)) for e in name.group(2)[1:-1].split(",") if e.strip())
                    dist += f"[{','.join(extras)}]"
                if dist not in out:
                    out.append(dist)
    return out


def _strings(nodes: list[ast.stmt]) -> list[str]:
    out = []
    for n in nodes:
        for x in ast.walk(n):
            if isinstance(x, ast.Constant) and isinstance(x.value, str):
                out.append(x.value)
    # adjacent literals split a hint across lines: join them too
    return [*out, " ".join(out)]


def _catches_import_error(h: ast.ExceptHandler) -> bool:
    t = h.type
    names = [t] if t is not None and not isinstance(t, ast.Tuple) else list(getattr(t, "elts", []))
    return any((isinstance(n, ast.Name) and n.id in ("ImportError", "ModuleNotFoundError"))
               or (isinstance(n, ast.Attribute) and n.attr in ("ImportError", "ModuleNotFoundError")) for n in names)


def _guarded(body: list[ast.stmt]) -> list[tuple[list[str], list[str]]]:
    """(imported absolute names, hinted distributions) of each import block under `body` whose
    ImportError handler raises with a `pip install` hint, and of each guard_import(..., pip_name=)."""
    out = []
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        if isinstance(node, ast.Try):
            handlers = [h for h in node.handlers if _catches_import_error(h)]
            raising = [h for h in handlers if any(isinstance(x, ast.Raise) for x in ast.walk(h))]
            if not raising:
                continue
            dists = _hint_dists([s for h in raising for s in _strings(h.body)])
            inner = [x for s in node.body for x in ast.walk(s)]
            names = [a.name for x in inner if isinstance(x, ast.Import) for a in x.names]
            names += [x.module for x in inner if isinstance(x, ast.ImportFrom) and x.level == 0 and x.module]
            if dists and names:
                out.append((names, dists))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) == "guard_import":
            mod = node.args[0] if node.args else None
            pip = next((k.value for k in node.keywords if k.arg == "pip_name"), None)
            if isinstance(mod, ast.Constant) and isinstance(mod.value, str):
                dist = pip.value if isinstance(pip, ast.Constant) and isinstance(pip.value, str) else mod.value.split(".")[0]
                out.append(([mod.value], [str(canonicalize_name(dist))]))
    return out


def _module_name(path: str) -> str:
    parts = path[:-3].split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _listed_requirements(z: zipfile.ZipFile) -> dict[str, list[str]]:
    """Folder -> the distributions its own `requirements.txt` lists: a hub of integrations
    (llama-hub) ships one per integration and installs none of them."""
    out: dict[str, list[str]] = {}
    for path in z.namelist():
        if path.endswith("/requirements.txt") and ".dist-info/" not in path:
            names = [_NAME.match(ln.split("#")[0].strip()) for ln in z.read(path).decode("utf-8", "replace").splitlines()]
            out[path.rpartition("/")[0]] = [str(canonicalize_name(n.group(1))) for n in names if n]
    return out


def _listed_imports(body: list[ast.stmt], listed: list[str]) -> list[tuple[list[str], list[str]]]:
    """(imported names, the listed distribution) of each unguarded absolute import under `body`
    whose top-level name is a distribution of its folder's requirements.txt, by name
    (`metaphor_python` for metaphor-python)."""
    out = []
    for node in ast.walk(ast.Module(body=body, type_ignores=[])):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
            [node.module] if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module else []
        for name in names:
            top = str(canonicalize_name(name.split(".")[0]))
            dist = next((d for d in listed if top in (d, d.removesuffix("-python"), d.removeprefix("python-"))), None)
            if dist is not None:
                out.append(([name], [dist]))
    return out


def mine(z: zipfile.ZipFile) -> dict[str, dict]:
    """{"needs": {public name: {import: [distributions]}}, "exports": {re-exported name: defining
    name}} of a wheel; imports are returned unfiltered (the caller drops those the distribution
    itself brings). Besides the guarded imports (`_guarded`), in a folder that lists its own
    requirements (`_listed_requirements`) an unguarded import of a listed distribution counts."""
    needs: dict[str, dict[str, list[str]]] = {}
    inits: dict[str, ast.Module] = {}
    listed = _listed_requirements(z)
    for path in z.namelist():
        # private modules too: their public classes are re-exported by the package (`from
        # ._openai_client import OpenAIChatCompletionClient`), and a guard at their top runs on import
        if not path.endswith(".py") or ".dist-info/" in path or {"tests", "test"} & set(path.split("/")):
            continue
        try:
            tree = ast.parse(z.read(path).decode("utf-8", "replace"))
        except (SyntaxError, ValueError):
            continue
        module = _module_name(path)
        if path.endswith("/__init__.py"):
            inits[module] = tree
        top_level = [s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
        here = listed.get(path.rpartition("/")[0], [])
        for names, dists in _guarded(top_level) + (_listed_imports(top_level, here) if here else []):
            _add(needs, module, names, dists)
        funcs = {s.name: _blocks(s, here) for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
        for s in tree.body:
            if s.name.startswith("_") if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else True:
                continue
            if isinstance(s, ast.ClassDef):
                blocks = _class_blocks(s, funcs, here)
            else:
                blocks = funcs[s.name]
            for names, dists in blocks:
                _add(needs, f"{module}.{s.name}", names, dists)
    return {"needs": needs, "exports": _exports(inits, needs)}


# Methods every use of a class runs: a guarded import there (or in a module-level function they
# call) is needed by the class; one in any other method only by that method's feature, unless two
# methods need it (FAISS: from_texts, add_embeddings, load_local). `from_defaults`-style
# constructors are not among them: they often import a default backend that an argument replaces.
_CORE = frozenset({"__init__", "__post_init__", "__new__", "__call__", "_run", "_arun", "run", "arun", "invoke",
                   "ainvoke", "load", "lazy_load", "alazy_load", "forward", "create", "_call", "_acall", "_generate",
                   "_agenerate", "_stream", "_astream", "embed_documents", "embed_query"})
_Blocks = list[tuple[list[str], list[str]]]


def _blocks(fn: ast.FunctionDef | ast.AsyncFunctionDef, listed: tuple[str, ...] | list[str] = ()) -> _Blocks:
    """The guarded import blocks of a function (and its imports of `listed` distributions), unless
    it is a dispatcher that imports one of several backends by its argument (three or more blocks
    naming different distributions)."""
    blocks = _guarded(fn.body) + (_listed_imports(fn.body, list(listed)) if listed else [])
    return [] if len({tuple(d) for _, d in blocks}) >= 3 else blocks


def _class_blocks(cls: ast.ClassDef, funcs: dict[str, _Blocks], listed: tuple[str, ...] | list[str] = ()) -> _Blocks:
    per_method: dict[str, _Blocks] = {}
    for m in cls.body:
        if not isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        own = _blocks(m, listed)
        called = {x.func.id for x in ast.walk(m) if isinstance(x, ast.Call) and isinstance(x.func, ast.Name)}
        own += [b for f in sorted(called & set(funcs)) for b in funcs[f]]
        core = m.name in _CORE or any(
            "validator" in ast.unparse(d) for d in m.decorator_list)
        per_method[m.name if core else f"~{m.name}"] = own
    out: _Blocks = [b for name, bs in per_method.items() if not name.startswith("~") for b in bs]
    counts: dict[tuple[str, ...], int] = {}
    for bs in per_method.values():
        for key in {tuple(d) for _, d in bs}:
            counts[key] = counts.get(key, 0) + 1
    out += [b for name, bs in per_method.items() if name.startswith("~") for b in bs if counts[tuple(b[1])] >= 2]
    return out


def _add(needs: dict[str, dict[str, list[str]]], where: str, names: list[str], dists: list[str]) -> None:
    entry = needs.setdefault(where, {})
    for n in names:
        have = entry.setdefault(n, [])
        have.extend(d for d in dists if d not in have)


def _exports(inits: dict[str, ast.Module], needs: dict) -> dict[str, str]:
    """Package-level names that stand for a name in `needs`: `from .faiss import FAISS` in the
    package's __init__ (under TYPE_CHECKING too) and lazy lookup tables {"FAISS": "pkg.faiss"}."""
    out: dict[str, str] = {}
    for pkg, tree in inits.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                base = node.module if node.level == 0 else ".".join(
                    [*pkg.split(".")[: len(pkg.split(".")) - node.level + 1], node.module])
                for a in node.names:
                    if a.name == "*":  # `from .default_tools import *`: every public name there
                        out.update({f"{pkg}.{k.rpartition('.')[2]}": k for k in needs
                                    if k.rpartition(".")[0] == base and not k.rpartition(".")[2].startswith("_")})
                        continue
                    target = f"{base}.{a.name}"
                    if target in needs or base in needs:
                        out[f"{pkg}.{a.asname or a.name}"] = target if target in needs else base
            elif isinstance(node, ast.Dict):
                for k, v in zip(node.keys, node.values, strict=True):
                    if isinstance(k, ast.Constant) and isinstance(v, ast.Constant) and isinstance(v.value, str) \
                            and isinstance(k.value, str):
                        target = f"{v.value}.{k.value}"
                        if target in needs or v.value in needs:
                            out[f"{pkg}.{k.value}"] = target if target in needs else v.value
    return out
