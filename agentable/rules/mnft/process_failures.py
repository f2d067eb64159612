"""Where running a child process raises in a tool's own code (MNFT005): a working folder that may
not exist (`cwd=`) and captured output decoded strictly (`.stdout.decode()`). Catalog tools.toml
[process_output] `cwd_keyword`, `decode_method`, `decode_lenient`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from agentable.cpg import ir
from agentable.cpg.flow import enclosing_handlers, handler_catches_any
from agentable.cpg.project import ProjectGraph
from agentable.cpg.structure import CallSite, FunctionInfo
from agentable.query.processes import process_calls
from agentable.rules.mnft.process_commands import model_written_argument, model_written_command


@dataclass(frozen=True)
class ProcessFailure:
    func: FunctionInfo
    site: CallSite
    why: str  # what it raises and when, for messages


def unhandled_process_failure(g: ProjectGraph, func: FunctionInfo, tool: object) -> Optional[ProcessFailure]:
    """The first process start in the tool function `func` (or a project function it calls, two
    levels) given a working folder the model chose, or running a command the model wrote whose
    captured stream is decoded strictly, that no handler for the error encloses."""
    out = g.catalog.process_output
    starts = frozenset(out.get("starts", ()))
    cwd_kw, decode, lenient = out.get("cwd_keyword"), out.get("decode_method"), out.get("decode_lenient")
    streams = {out.get("output"), out.get("errors")} - {None}
    for pc in process_calls(g, func, starts):
        cwd = pc.site.call.kwarg(cwd_kw) if cwd_kw else None
        if cwd is not None and not _caught(pc.func, pc.site.stmt, "FileNotFoundError") \
                and model_written_argument(g, func, tool, pc, cwd):
            return ProcessFailure(pc.func, pc.site, "FileNotFoundError when the working folder the model chose is "
                                                    "not there")
        if model_written_command(g, func, tool, pc) is None:
            continue  # a fixed command: its output's encoding is known
        for site in pc.func.calls:
            f = site.call.func
            if not (isinstance(f, ir.Attribute) and f.attr == decode and isinstance(f.value, ir.Attribute)
                    and f.value.attr in streams) or _caught(pc.func, site.stmt, "UnicodeDecodeError"):
                continue
            if (not lenient or site.call.kwarg(lenient) is None) and len(site.call.args) < 2:
                return ProcessFailure(pc.func, site, "UnicodeDecodeError when the model's command prints bytes that "
                                                     "are not UTF-8")
    return None


def _caught(func: FunctionInfo, stmt: ir.Stmt, error: str) -> bool:
    return any(handler_catches_any(h, (error,)) for h in enclosing_handlers(func, stmt))
