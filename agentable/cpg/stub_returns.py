"""What a call of a project's interface method returns: the model output of its implementations.

A project that wraps several providers behind its own base class (`class BaseLLM: def chat(self,
messages): pass`, one subclass per provider) annotates its parameters with the base (`llm:
BaseLLM`) and builds the provider by name from configuration, so the resolver sees only the
base's stub. At run time the call reaches one of the subclasses' implementations; what they all
return is model output, and so is the stub's result. Only the return values travel: the stub stays
the callee (the call graph, and with it which loops and handlers call a model, is unchanged), and
only model output, structures parsed from it, and instances of plain data classes that carry it
(`ChatResponse(content=..., total_tokens=...)`: no methods of their own but dunders) are taken.
Implementations in test code (mocks) do not count."""

from __future__ import annotations

from typing import TYPE_CHECKING

from agentable.cpg.structure import FunctionInfo, stub_body
from agentable.cpg.values import Instance, LLMOutput, Parsed, Value, VSet
from agentable.paths import is_test_path

if TYPE_CHECKING:
    from agentable.cpg.graph_api import ValueResolver

EMPTY: VSet = frozenset()


def implemented_outputs(r: ValueResolver, func: FunctionInfo) -> VSet:
    """The model output the subclasses' own implementations of the stub method `func` return
    (EMPTY when `func` is not a stub method of a project class)."""
    if func.cls is None or func.node is None or not stub_body(func):
        return EMPTY
    out: set[Value] = set()
    for sub in sorted(r.g.subclasses(func.cls.qualname)):
        cls = r.g.classes.get(sub)
        impl = cls.methods.get(func.name) if cls is not None else None
        if impl is None or impl.node is None or stub_body(impl) or is_test_path(impl.path, impl.module.ir.source):
            continue
        for v in r.function_returns(impl.qualname):
            if isinstance(v, (LLMOutput, Parsed)) or (isinstance(v, Instance) and _data_holder(r, v.qualname)):
                out.add(v)
    return frozenset(out)


def _data_holder(r: ValueResolver, qualname: str) -> bool:
    """A project class with no methods of its own but dunders (`__init__`, `__repr__`), nor in its
    project bases: reading its fields runs no project code."""
    mro = r.g.mro(qualname)
    return bool(mro) and all(m.startswith("__") and m.endswith("__") for cls in mro for m in cls.methods)
