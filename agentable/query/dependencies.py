"""Imports vs declared distributions (EPDD)."""

from __future__ import annotations


from agentable.cpg import ir
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import FunctionInfo
from agentable.query.facts import per_graph


def import_targets(stmt: object) -> list[str]:
    """Absolute dotted names an import statement brings in: `import a.b` -> a.b, `from a import b`
    -> a.b (relative imports give nothing)."""
    out: list[str] = []
    if isinstance(stmt, ir.Import):
        out.extend(a.name for a in stmt.names)
    elif isinstance(stmt, ir.ImportFrom) and stmt.level == 0 and stmt.module:
        out.extend(f"{stmt.module}.{a.name}" if a.name != "*" else stmt.module for a in stmt.names)
    return out


def import_is_optional(func: FunctionInfo, stmt: ir.Stmt) -> bool:
    """Is an import guarded so that a missing package does not break the program: inside a `try`
    whose handlers catch ImportError/ModuleNotFoundError (or everything), or under
    `if TYPE_CHECKING:`?"""
    from agentable.cpg.flow import handler_type_names

    for anc in func.ancestors(stmt):
        if isinstance(anc, ir.Try):
            for h in anc.handlers:
                names = handler_type_names(h)
                if not names or any(n.rpartition(".")[2] in ("ImportError", "ModuleNotFoundError", "Exception",
                                                                 "BaseException") for n in names):
                    return True
        if isinstance(anc, ir.If) and "TYPE_CHECKING" in (ir.dotted(anc.test) or ""):
            return True
    return False


@per_graph
def is_project_module(g: ProjectGraph, top: str) -> bool:
    """Is `top` (a top-level import name) a module or package of the scanned project?"""
    if top in g.modules or g.find_module(top) is not None:
        return True
    return any(name.split(".")[0] == top or f".{top}." in f".{name}." for name in g.modules)


def import_declared(g: ProjectGraph, scope: object, dotted: str) -> bool:
    """Is the import `dotted` covered by the requirements in `scope` (a ManifestSet): one of the
    distributions that provide it is declared (any group), or a declared distribution brings it
    in as a dependency (catalog `provides`, transitively)."""
    from agentable.cpg.manifests import normalize_dist

    cat = g.catalog
    declared = {r.dist for r in scope.requirements}
    if any(normalize_dist(d) in declared for d in cat.distributions_for_import(dotted)):
        return True
    parts = dotted.split(".")
    prefixes = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return any(prefixes & cat.provided_imports(d) for d in declared)


def import_name_known(g: ProjectGraph, dotted: str) -> bool:
    """False for an import under a namespace root whose catalog entries all name subpackages
    (e.g. `google.colab` when only `google.genai`, `google.auth`… are known): which distribution
    provides it cannot be guessed from its name."""
    imports = getattr(g.catalog, "_imports", {})
    parts = dotted.split(".")
    if any(".".join(parts[:i]) in imports for i in range(1, len(parts) + 1)):
        return True
    return not any(k.startswith(parts[0] + ".") for k in imports)
