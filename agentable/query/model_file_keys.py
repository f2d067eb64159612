"""Model ids a settings file gives to the entry a configuration default picks: `config[args.agent]`
with `--agent` defaulting to "support-bot" and an agents file (YAML/JSON) whose top-level entry
`support-bot:` holds `model: ...`. The file offers many entries; the default is the one every run
without the option uses, so the default is a line to change as much as the entry's `model`."""

from __future__ import annotations

from dataclasses import dataclass

from agentable.cpg import ir
from agentable.cpg.artifacts.model import ModelSetting
from agentable.cpg.project import ProjectGraph
from agentable.query.artifacts import config_model_settings
from agentable.query.config import config_default_strs
from agentable.query.facts import code_strings, per_graph
from agentable.query.models import config_default_sites

_DATA_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class PickedEntry:
    """A configuration default (`default=` of an option, `os.getenv(..., default)`) that indexes
    a table read from a settings file and names a top-level entry of that file holding a model id."""

    key: str  # the default, the entry's name
    path: str  # the code file where the default is written
    pos: ir.Pos  # the default's literal
    setting: ModelSetting  # the model id inside the entry


def _named_in_code(path: str, strings: frozenset[str]) -> bool:
    """Is the settings file named by a path string in the code (`"configs/agents.yaml"`)?"""
    for s in strings:
        rel = s.strip().lstrip("./")
        if rel.endswith(_DATA_SUFFIXES) and (path == rel or path.endswith("/" + rel)):
            return True
    return False


@per_graph
def picked_file_entries(g: ProjectGraph) -> list[PickedEntry]:
    """Each configuration default used as the key of a subscript (`config[args.agent]`) that is
    a top-level entry of a settings file the code names, with each model id inside that entry."""
    strings = code_strings(g)
    entries: dict[str, list[ModelSetting]] = {}
    for ms in config_model_settings(g):
        if len(ms.keys) >= 2 and isinstance(ms.keys[0], str) and _named_in_code(ms.path, strings):
            entries.setdefault(ms.keys[0], []).append(ms)
    if not entries:
        return []
    out: list[PickedEntry] = []
    seen: set[tuple[str, ir.Pos, str, ir.Pos]] = set()
    funcs = list(g.functions.values()) + [m.toplevel for m in g.modules.values()]
    for f, st, e in g.expressions(ir.Subscript, funcs):
        if not isinstance(e, ir.Subscript) or isinstance(e.index, ir.Constant) or g.is_test_code(f.path):
            continue
        if isinstance(st, ir.Assign) and any(t is e for t in st.targets):
            continue  # `table[key] = ...` stores, it does not pick
        for key in dict.fromkeys(config_default_strs(g, e.index, f, st)):  # type: ignore[arg-type]
            for ms in entries.get(key, ()):
                for site in config_default_sites(g, e.index, f, st, key):  # type: ignore[arg-type]
                    if site is None or (site[0], site[1], ms.path, ms.pos) in seen:
                        continue
                    seen.add((site[0], site[1], ms.path, ms.pos))
                    out.append(PickedEntry(key, site[0], site[1], ms))
    return out
