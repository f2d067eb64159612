"""Data flow as value resolution: what may an expression evaluate to?

Names resolve through reaching definitions inside the function, then enclosing scopes, module
globals and imports; parameters through the arguments of every call site (arguments to
parameters across files; test code does not feed code outside it, and a call on `self` feeds
an override only for the receivers that dispatch to it); calls through the return values of
project functions (return values to call sites), `self.x` through every assignment to that
attribute in the class, and external symbols through the framework catalog (`frameworks.py`:
LLM calls produce LLMOutput values). Which argument binds which parameter is `binding.py`.

Two resolvers exist: the shallow one here (`Resolver`: parameters stay ParamRef), used to build
the call graph, and the full one that expands parameters through that call graph
(`interprocedural.ExpandingResolver`). The full one binds parameters to one call's arguments
where a result depends on them (BoundResolver) and resolves what runs on `self` for a subset of
its classes (ReceiverResolver).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Optional

from agentable.catalog import python_facts
from agentable.cpg import built_objects, ir
from agentable.cpg.containers import appended_items
from agentable.cpg.binding import argument_for, is_classmethod, is_staticmethod, param_index
from agentable.cpg.frameworks import (MATCH_ITEM_READERS, MATCH_PIECE, MATCHES_FOUND, PARSED_ITEM_METHODS, PARSERS,
                                      FrameworkCalls, is_future, streamed_text)
from agentable.cpg.graph_api import CodeGraph
from agentable.cpg.hook_sources import hooked_text
from agentable.cpg.response_paths import CALL, INDEX, on_documented_path, reaches_text
from agentable.cpg.shadowing import imports_itself
from agentable.cpg.structure import CallSite, ClassInfo, DefSite, FunctionInfo, is_property
from agentable.cpg.stub_returns import implemented_outputs
from agentable.cpg.super_calls import super_attribute
from agentable.cpg.typed_sources import typed_response
from agentable.cpg.keyed_reads import read_entries
from agentable.cpg.unpacking import unpacked_item
from agentable.cpg.yielded import yielded_outputs
from agentable.cpg.values import (UNKNOWN, Composed, BuildSpec, ClassRef, Const, ExtRef, FuncRef, Instance, LLMOutput,
                                  ModuleRef, ParamRef, Parsed, Typed, Value, VSet, compose)

if TYPE_CHECKING:
    from agentable.catalog.specs import LLMCallSpec

EMPTY: VSet = frozenset()
_STR: VSet = frozenset({Typed("str")})

# Attribute names that reach the generated text of a response object.
TEXT_ATTRS = frozenset({"content", "text", "output_text", "arguments", "final_output", "response", "completion", "answer",
                        "output", "raw", "summary", "data", "generated_text"})
# str methods whose result is still (derived from) the model's text
STR_METHODS = python_facts().text_methods
# An HTTP response from a model endpoint: the methods that decode its JSON body (`resp.json()`),
# and the attributes that hold the raw body.
HTTP_DECODERS = frozenset({"json"})
HTTP_BODY_ATTRS = frozenset({"text", "content"})
# What a method of a string literal returns (`"...".format(...)`, `PROMPT.strip()`).
STR_METHOD_RESULTS = python_facts().str_method_results
_STR_METHOD = Typed("str-method")
_BINDERS = python_facts().argument_binders

_MAX_DEPTH = 40


class Resolver:
    """The shallow resolver: parameters stay ParamRef (see `interprocedural.ExpandingResolver`)."""

    expand_params = False  # class-wide: the expanding resolvers say True

    def __init__(self, graph: CodeGraph) -> None:
        self.g = graph
        self.memo: dict[ir.Expr, VSet] = {}  # keyed by the node (identity): an id() would be an int object more
        # One object per distinct value set: the memo holds one set per expression, most of them
        # equal ({unknown}, {str}, {self's class}), and a frozenset costs ~220 bytes.
        self._sets: dict[VSet, VSet] = {EMPTY: EMPTY}
        self.returns_memo: dict[str, VSet] = {}
        self.depth = 0
        self.cut = 0  # how many times the depth limit cut a resolution short
        self.cut_short: list[tuple[dict, object]] = []  # (memo, key) to forget
        self.in_progress: set[object] = set()  # memo keys being resolved: reading one is a cycle
        self._field_memo: dict[tuple[str, str], VSet] = {}
        self.validator_memo: dict[str, built_objects.Stores] = {}  # class -> what its field-dict validators store
        self._stars: dict[str, list[str]] = {}  # module -> targets of its `import *`
        self.frameworks = FrameworkCalls(self)  # what external calls return (framework catalog)

    # ------------------------------------------------------------------ entry point

    def values(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: Optional[object] = None) -> VSet:
        if e is None:
            return EMPTY
        key = e
        memo = self.memo
        hit = memo.get(key)
        if hit is not None:  # EMPTY while `e` is being resolved: a cycle reads nothing for now, so
            self.cut += key in self.in_progress  # what is built on it is provisional (as past the depth limit)
            return hit
        if self.depth > _MAX_DEPTH:
            self.cut += 1
            return EMPTY
        memo[key] = EMPTY
        self.in_progress.add(key)
        self.depth += 1
        cut = self.cut
        try:
            result = self._dispatch(e, func, stmt)
        except BaseException:
            del memo[key]
            raise
        finally:
            self.depth -= 1
            self.in_progress.discard(key)
        result = memo[key] = self._sets.setdefault(result, result)
        if self.cut != cut and self.depth:
            self.cut_short.append((memo, key))  # resolved past the depth limit: see _forget_cut_short
        elif not self.depth and self.cut_short:
            self._forget_cut_short()
        return result

    def _forget_cut_short(self) -> None:
        """Drop the memo entries a query made past the depth limit or on a cycle's partial answer:
        asked on their own, they resolve in full (and the same whatever was asked first)."""
        for memo, k in self.cut_short:
            memo.pop(k, None)
        self.cut_short.clear()

    def _dispatch(self, e: ir.Expr, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        # commonest first; the IR expression classes have no subclasses, so isinstance is an exact test
        if isinstance(e, ir.Name):
            comp = func.comp_names.get(id(e))
            if comp is not None:  # a comprehension's own loop variable: an element of its iterable
                return self.elements(self.values(comp[1], func, stmt), comp[1], func, stmt)
            return self._name(e.id, func, stmt)
        if isinstance(e, ir.Attribute):
            return self._attribute(e, func, stmt)
        if isinstance(e, ir.Call):
            return self._call(e, func, stmt)
        if isinstance(e, ir.Constant):
            v = e.value
            if isinstance(v, (str, int, float, bool)) or v is None:
                return frozenset({Const(v)})
            return frozenset({Typed(type(v).__name__)})
        if isinstance(e, ir.Subscript):
            return self._subscript(e, func, stmt)
        if isinstance(e, ir.FString):  # f"{m}-instruct": also the strings it composes
            parts = [frozenset({Const(p)}) if isinstance(p, str) else self.values(p, func, stmt) for p in e.parts]
            first = next((i for i, p in enumerate(e.parts) if not isinstance(p, str)), -1)
            return _STR | compose(parts, first, (func.path, e.pos)) if first >= 0 else _STR
        if isinstance(e, ir.Concat):
            return _STR
        if isinstance(e, (ir.Await, ir.NamedExpr)):
            return self.values(e.value, func, stmt)
        if isinstance(e, ir.IfExp):
            return self.values(e.body, func, stmt) | self.values(e.orelse, func, stmt)
        if isinstance(e, ir.BoolOp):
            out: set[Value] = set()
            for v in e.values:
                out |= self.values(v, func, stmt)
            return frozenset(out)
        if isinstance(e, ir.Dict):
            return frozenset({Typed("dict")}) | built_objects.dict_literal_spec(self, e, func, stmt)
        if isinstance(e, ir.Seq):
            return frozenset({Typed(e.kind)})
        if isinstance(e, ir.Comp):
            # `[classify(t) for t in tickets]`: a list of structures parsed from model output holds them
            # (one with an `if` clause is taken to test them: `if isinstance(v, dict)`); so does a list
            # of the model's texts (`[c.message.content for c in r.choices][0]`)
            kept = frozenset(v for v in self.values(e.elt, func, stmt)
                             if (isinstance(v, Parsed) and not v.validated) or (isinstance(v, LLMOutput) and v.text)
                             or is_future(v)) \
                if e.kind in ("list", "generator") and not e.conds else frozenset()
            return kept | {Typed("generator" if e.kind == "generator" else e.kind)}
        if isinstance(e, ir.BinOp):
            if e.op == "|":
                chain = self.frameworks.lcel_chain(e, func, stmt)
                if chain:
                    return chain
            left = self.values(e.left, func, stmt)
            if e.op == "+" and any(isinstance(v, Composed) for v in left):
                return _STR | compose([left, self.values(e.right, func, stmt)], 0, (func.path, e.pos))
            if e.op == "%" or any(isinstance(v, Const) and isinstance(v.value, str) for v in left):
                composed = compose([left, self.values(e.right, func, stmt)], 0, (func.path, e.pos)) \
                    if e.op == "+" else EMPTY
                return _STR | composed
            return frozenset({UNKNOWN})
        if isinstance(e, ir.Compare) or (isinstance(e, ir.UnaryOp) and e.op == "not"):
            return frozenset({Typed("bool")})
        return frozenset({UNKNOWN})

    # ------------------------------------------------------------------ names

    def _name(self, name: str, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        if name in func.globals_declared:
            return self._module_name(name, func.module.toplevel)
        defs = self.local_defs(func, name, stmt)
        if defs:
            out: set[Value] = set()
            for d in defs:
                out |= self._def_values(d, func)
            return frozenset(out)
        scope = func.parent
        while scope is not None:
            if name in scope.defs:
                out = set()
                for d in scope.defs[name]:
                    out |= self._def_values(d, scope)
                return frozenset(out)
            scope = scope.parent
        return self._module_name(name, func.module.toplevel)

    def module_global(self, name: str, top: FunctionInfo) -> VSet:
        """A module-level name read from outside the module (`from m import name`). Not memoised
        by expression: there is no expression node to key it on."""
        return self._name(name, top, None)

    def local_defs(self, func: FunctionInfo, name: str, stmt: Optional[object]) -> list[DefSite]:
        all_defs = func.defs.get(name)
        if not all_defs:
            return []
        if stmt is None or len(all_defs) == 1:
            return all_defs
        reached = self.g.reaching(func).at(stmt, name)
        return all_defs if reached is None else reached

    def _module_name(self, name: str, top: FunctionInfo) -> VSet:
        if name in top.defs:
            out: set[Value] = set()
            for d in top.defs[name]:
                out |= self._def_values(d, d.scope or top)
            return frozenset(out)
        for target in self._star_imports(top):
            found = self.g.lookup(f"{target}.{name}")
            if found:
                return found
        if name in _BUILTIN_NAMES:
            return frozenset({ExtRef(name)})
        injected = self.g.injected_function(name)
        return frozenset({FuncRef(injected)}) if injected else frozenset({UNKNOWN})

    def _star_imports(self, top: FunctionInfo) -> list[str]:
        stars = self._stars.get(top.qualname)
        if stars is None:
            stars = self._stars[top.qualname] = [t for k, t in top.module.imports.items() if k.startswith("*")]
        return stars

    def _def_values(self, d: DefSite, func: FunctionInfo) -> VSet:
        how = d.how
        if how in ("assign", "walrus"):
            return self.values(d.value, func, d.stmt)
        if how == "augassign":
            if self._is_str(d.value, func, d.stmt):
                # `x += "-0613"`: the suffix as before, and the strings x and it compose
                stmt = d.stmt
                composed = compose([self.values(stmt.target, func, stmt), self.values(d.value, func, stmt)], 0,
                                   (func.path, stmt.pos)) \
                    if isinstance(stmt, ir.AugAssign) and stmt.op.startswith("+") else EMPTY
                return self.values(d.value, func, d.stmt) | frozenset({Typed("str")}) | composed
            if isinstance(d.stmt, ir.AugAssign) and d.stmt.op.startswith("+"):
                # `reply += chunk.choices[0].delta.content`: text gathered from the model's pieces is its text
                step = (func.path, d.stmt.pos, "model text accumulated")
                pieces = frozenset(v.with_step(step) for v in self.values(d.value, func, d.stmt)
                                   if isinstance(v, LLMOutput) and v.text)
                if pieces:
                    return pieces | frozenset({Typed("str")})
            return frozenset({UNKNOWN})
        if how == "element":  # `resp, seconds = helper()`: the item at the name's place, when known
            item = unpacked_item(self, d, func)
            if item is not None:
                return item
        if how in ("element", "iter"):
            return self.elements(self.values(d.value, func, d.stmt), d.value, func, d.stmt)
        if how == "with":
            return self.values(d.value, func, d.stmt)
        if how == "param":
            return self.param_values(func, d.name)
        if how == "import":
            target = d.value.value if isinstance(d.value, ir.Constant) else None
            if not target:
                return frozenset({UNKNOWN})
            found = self.g.lookup(str(target), from_import=isinstance(d.stmt, ir.ImportFrom))
            # project file openai.py importing `openai` (langchain.py: `langchain.llms`) imports the library
            own = ModuleRef(func.module.name) in found or imports_itself(self.g, str(target), func.module)
            return frozenset({ExtRef(str(target))}) if own else found
        if how == "def":
            nested = func.nested.get(d.name)
            return frozenset({FuncRef(nested.qualname)}) if nested else frozenset({UNKNOWN})
        if how == "class":
            prefix = func.qualname.removesuffix(".<module>")
            return frozenset({ClassRef(f"{prefix}.{d.name}")})
        if how == "except":
            return frozenset({Typed("exception")})
        return frozenset({UNKNOWN})

    def _is_str(self, e: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> bool:
        return any((isinstance(v, Typed) and v.kind == "str") or (isinstance(v, Const) and isinstance(v.value, str))
                   for v in self.values(e, func, stmt))

    def elements(self, container: VSet, expr: Optional[ir.Expr], func: FunctionInfo, stmt: object) -> VSet:
        """Values of the elements of a container (unpacking, for-loop targets)."""
        out: set[Value] = set()
        if isinstance(expr, ir.Seq):
            for elt in expr.elts:
                out |= self.values(elt, func, stmt)
        for v in container:
            if isinstance(v, LLMOutput) and v.text:
                out.add(v)
            elif isinstance(v, Parsed) or is_future(v):
                out.add(v)
            elif isinstance(v, LLMOutput):
                out.add(v.reading(INDEX))  # e.g. iterating a stream of chunks, or `for c in r.choices`
            elif (streamed := streamed_text(v)) is not None:  # `for piece in TextIteratorStreamer(tok)`
                out.add(streamed)
        for lit in self.g.literal_containers(expr, func, stmt, self):
            for vs in lit:
                out |= vs
        out |= appended_items(self, expr, func, stmt)  # `self.judges.append(Judge(n))` elsewhere
        call = expr.value if isinstance(expr, ir.Await) else expr  # `a, b = await helper()` too
        if isinstance(call, ir.Call):  # `a, b = helper()` where helper returns a tuple literal
            for callee in self.values(call.func, func, stmt):
                target = self.g.functions.get(callee.qualname) if isinstance(callee, FuncRef) else None
                if target is None:
                    continue
                for r in target.returns:
                    if isinstance(r.value, ir.Seq):
                        for elt in r.value.elts:
                            out |= self.values(elt, target, r)
        return frozenset(out) if out else frozenset({UNKNOWN})

    def param_values(self, func: FunctionInfo, name: str) -> VSet:
        """A parameter: for a method's receiver, an instance of its class (or the class); else the
        parameter itself (ParamRef) and the instance its annotation names. `ExpandingResolver`
        adds what every call site passes."""
        idx = param_index(func, name)
        if idx is None:
            return frozenset({UNKNOWN})
        own = self._receiver_values(func, idx)
        if own is not None:
            return own
        return frozenset({ParamRef(func.qualname, name)}) | self._annotated_instance(func.params[idx], func)

    def _receiver_values(self, func: FunctionInfo, idx: int) -> Optional[VSet]:
        """`self` (an instance of the class or of a subclass) or `cls` when parameter `idx` is a
        method's receiver, else None."""
        if idx == 0 and func.cls is not None and not is_staticmethod(func):
            if is_classmethod(func):
                return frozenset({ClassRef(func.cls.qualname)})
            return frozenset({Instance(func.cls.qualname)} | {Instance(sub) for sub in self.g.subclasses(func.cls.qualname)})
        return None

    def _annotated_instance(self, p: ir.Param, func: FunctionInfo) -> VSet:
        """`def __init__(self, llm: LLM)`: what callers pass, when the caller is a framework or a test harness
        the project does not contain (`result: ChatCompletion`, an output parser's `text`: model output)."""
        hooked = hooked_text(self.g, func, p) or typed_response(self.g, func, p)
        if hooked is not None:
            return frozenset({hooked})
        ann = ir.unwrap_type(p.annotation)
        if isinstance(ann, ir.Other):  # `engine_cls: type[Engine]`: the class object, to be called
            return built_objects.class_objects(self, ann, func)
        if ann is None or not isinstance(ann, (ir.Name, ir.Attribute)):
            return EMPTY
        scope = func.module.toplevel
        out: set[Value] = set()
        for v in self.g.shallow.values(ann, scope, None):
            if isinstance(v, ClassRef):
                out.add(Instance(v.qualname))
            elif isinstance(v, ExtRef) and (self.g.catalog.llm_client(v.path) or self.g.catalog.chat_model(v.path)
                                            or self.g.catalog.http_llm_calls_for(f"{v.path}().post")):
                out.add(ExtRef(f"{v.path}()"))
        return frozenset(out)

    # ------------------------------------------------------------------ attributes and subscripts

    def _attribute(self, e: ir.Attribute, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        inherited = super_attribute(self, e, func, stmt)  # `super().invoke` in a ChatOllama subclass, `super().__init__`
        if inherited is not None:
            return inherited
        base = self.values(e.value, func, stmt)
        out: set[Value] = set()
        for v in base:
            if isinstance(v, ModuleRef):
                out |= self.g.lookup(f"{v.name}.{e.attr}")
            elif isinstance(v, ExtRef):
                out.add(ExtRef(f"{v.path}.{e.attr}", v.site, v.binds, v.tail))
            elif isinstance(v, (Instance, ClassRef)):
                out |= self.class_attr(v.qualname, e.attr, isinstance(v, Instance))
            elif isinstance(v, LLMOutput):
                if v.text:
                    out.add(v)  # a str method, resolved at the call
                else:
                    step = (func.path, e.pos, f"`.{e.attr}` of the model's response")
                    out.add(v.with_step(step, text=_reaches_text(v, e.attr, e.attr, attribute=True), segment=e.attr))
            elif isinstance(v, Parsed):
                if not (e.attr.startswith("__") and e.attr.endswith("__")):
                    out.add(v)  # a field or a method; `obj.__dict__`/`__class__` is reflection, not the data
            elif isinstance(v, Const) and isinstance(v.value, str):
                out.add(_STR_METHOD)
            elif isinstance(v, FuncRef) and self._runs_function(v.qualname, e.attr):
                out.add(v)  # `generate.remote(...)` of a runtime-decorated function calls it
            elif isinstance(v, BuildSpec):
                out.add(v)  # a dict method, resolved at the call
        return frozenset(out) if out else frozenset({UNKNOWN})

    def _runs_function(self, qualname: str, method: str) -> bool:
        """Is `method` of the function a decorator wrapped it in a call of the function itself
        (catalog `function_runner`, e.g. Modal's `@app.function()` and `.remote`)?"""
        f = self.g.functions.get(qualname)
        if f is None or f.node is None or not f.node.decorators:
            return False
        scope = f.module.toplevel if f.cls is not None or f.parent is None else f.parent
        for d in f.node.decorators:
            for dv in self.values(d, scope, None):
                spec = self.g.catalog.lookup("function_runner", dv.path) if isinstance(dv, ExtRef) else None
                if spec is not None and method in spec.methods:
                    return True
        return False

    def class_attr(self, qualname: str, attr: str, instance: bool) -> VSet:
        out: set[Value] = set()
        for cls in self.g.mro(qualname):
            if attr in cls.methods:
                method = cls.methods[attr]
                if instance and is_property(method):
                    return self.function_returns(method.qualname)
                return frozenset({FuncRef(method.qualname)})
            if attr in cls.attrs:
                for value, s, assigner in cls.attrs[attr]:
                    owner = assigner if assigner is not None else cls.module.toplevel
                    out |= self.values(value, owner, s)
                    if instance and isinstance(value, ir.Call):
                        out |= self._field_default(value, owner, s)
                if instance:
                    out |= self._validated_field(qualname, attr)
                out.discard(UNKNOWN)
                if instance and self.expand_params and self.g.is_field_class(cls):
                    out |= self.field_values(cls, attr)
                return frozenset(out) or frozenset({UNKNOWN})
        if instance:
            out |= self._validated_field(qualname, attr)
        for ext in self.g.external_bases(qualname):
            out.add(ExtRef(f"{ext}(){'.' + attr}" if instance else f"{ext}.{attr}"))
        return frozenset(out) if out else frozenset({UNKNOWN})

    def _validated_field(self, qualname: str, attr: str) -> VSet:
        """What a validator of the class or a base stores for the field (`values["client"] = X`)."""
        out: VSet = EMPTY
        for cls in self.g.mro(qualname):
            out |= built_objects.validator_stores(self, cls, attr, self.validator_memo)
        return out

    def _field_default(self, decl: ir.Call, owner: FunctionInfo, stmt: object) -> VSet:
        """What a field declaration's factory builds (`Field(default_factory=LLM)`): an instance of a
        project class, or a catalogued model client or chat model."""
        out: set[Value] = set()
        for kw in decl.keywords:
            if kw.name is None or kw.name not in self.g.catalog.python.field_factory_keywords:
                continue
            for v in self.values(kw.value, owner, stmt):
                if isinstance(v, ClassRef):
                    out.add(Instance(v.qualname))
                elif isinstance(v, ExtRef) and (self.g.catalog.llm_client(v.path) or self.g.catalog.chat_model(v.path)):
                    out.add(ExtRef(f"{v.path}()"))
        return frozenset(out)

    def field_values(self, cls: ClassInfo, attr: str) -> VSet:
        """A field of a dataclass / pydantic model / NamedTuple: what constructions pass for it,
        by keyword or by position in field order (the class has no hand-written __init__). Kept per
        field: every read of the field on any instance asks the same."""
        key = (cls.qualname, attr)
        hit = self._field_memo.get(key)
        if hit is None:
            self._field_memo[key] = EMPTY  # a construction reading the field while it is resolved
            hit = self._field_memo[key] = self._field_values(cls, attr)
        return hit

    def _field_values(self, cls: ClassInfo, attr: str) -> VSet:
        fields = self.g.field_names(cls)
        idx = fields.index(attr) if attr in fields else None
        out: set[Value] = set()
        for site in self.g.field_constructions(cls.qualname):
            arg = site.call.kwarg(attr)
            if arg is None and idx is not None and idx < len(site.call.args) and not any(
                    isinstance(a, ir.Starred) for a in site.call.args[: idx + 1]):
                arg = site.call.args[idx]
            if arg is not None:
                out |= self.values(arg, site.func, site.stmt)
        return frozenset(out)

    def _subscript(self, e: ir.Subscript, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        base = self.values(e.value, func, stmt)
        out: set[Value] = set()
        key = e.index.value if isinstance(e.index, ir.Constant) else None
        for v in base:
            if isinstance(v, LLMOutput):
                step = (func.path, e.pos, "item of the model's response" if not v.text else "slice of the model's text")
                segment = key if isinstance(key, str) and key.isidentifier() else INDEX
                text = v.text or _reaches_text(v, segment, key, attribute=False)
                out.add(v.with_step(step, text=text, segment=segment))
            elif isinstance(v, Parsed):
                out.add(v)
            elif isinstance(v, BuildSpec) and key in built_objects.TYPE_KEYS:
                out |= v.class_refs()  # `cfg["type"]`: the class the config names
        entry = key if key is not None else ir.named_key(e.index)  # `MODELS[Provider.X]` reads that entry
        out |= read_entries(self.g.literal_mappings(e.value, func, stmt, self), entry, e.index,
                            self._key_values(func, stmt))
        return frozenset(out) if out else frozenset({UNKNOWN})

    def bound_param(self, func: FunctionInfo, name: str) -> Optional[VSet]:
        """What a parameter is bound to for one call site (`BoundResolver`); None here."""
        return None

    def _key_values(self, func: FunctionInfo, stmt: Optional[object]) -> Callable[[ir.Name], VSet]:
        """A key name's values for `keyed_reads`: a getter's key parameter bound to this call's
        literal, else what the shallow resolver knows. A parameter is not expanded through its
        callers: that resolves every call of the getter's name from inside a resolution."""
        def values(name: ir.Name) -> VSet:
            bound = self.bound_param(func, name.id)
            return bound if bound is not None else self.g.shallow.values(name, func, stmt)
        return values

    # ------------------------------------------------------------------ calls

    def _bound(self, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        """`partial(f, model=m)`: called as `f`; an external `f` carries the call's keywords as bound
        settings (an LLM call through it reads `model` there, as from `llm.bind(model=m)`)."""
        out: set[Value] = set()
        for v in self.values(e.args[0], func, stmt):
            if isinstance(v, ExtRef):
                out.add(ExtRef(v.path, v.site, (*v.binds, (func.path, e)), v.tail))
            else:
                out.add(v)
        return frozenset(out)

    def _call(self, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        if isinstance(e.func, ir.Attribute) and e.func.attr in ("get", "pop", "setdefault"):
            looked_up = self._mapping_lookup(e, func, stmt) or self._response_get(e, func, stmt)
            if looked_up:
                return looked_up
        if isinstance(e.func, ir.Attribute) and e.func.attr == "join" and len(e.args) == 1:
            joined = self._joined_text(e, func, stmt)
            if joined:
                return joined
        callee = self.values(e.func, func, stmt)
        if e.args and any(isinstance(v, ExtRef) and v.path in _BINDERS for v in callee):
            return self._bound(e, func, stmt)
        out: set[Value] = set()
        site = (func.path, e)
        if any(isinstance(v, ExtRef) and v.path == "dict" for v in callee):
            out |= built_objects.dict_call_spec(self, e, func, stmt)  # `dict(type=ChatAPI, ...)`
        for v in callee:
            if isinstance(v, FuncRef):
                out |= self.returns_at(v.qualname, e, func, stmt)
            elif isinstance(v, ClassRef):
                out.add(Instance(v.qualname))
            elif isinstance(v, Instance):
                out |= self.class_attr_call(v.qualname, e, func, stmt)
            elif isinstance(v, ExtRef):
                out |= self.frameworks.external_call(v, e, func, stmt, site)
            elif isinstance(v, LLMOutput) and v.text and isinstance(e.func, ir.Attribute):
                if e.func.attr in STR_METHODS:
                    out.add(v.with_step((func.path, e.pos, f"`.{e.func.attr}()` of the model's text")))
                elif e.func.attr in MATCH_ITEM_READERS and v.steps and v.steps[-1][2] == MATCHES_FOUND:
                    out.add(v.with_step((func.path, e.pos, MATCH_PIECE)))  # `m.group(1)` of `re.finditer(p, reply)`
            elif isinstance(v, LLMOutput) and v.http and isinstance(e.func, ir.Attribute) and e.func.attr in HTTP_DECODERS:
                out.add(v.with_step((func.path, e.pos, f"`.{e.func.attr}()` of the model's response")))
            elif (isinstance(v, LLMOutput) and not v.http and isinstance(e.func, ir.Attribute)
                  and on_documented_path((*v.read, CALL), v.documented)):  # `stream.get_final_completion()`
                step = (func.path, e.pos, f"`.{e.func.attr}()` of the model's response")
                out.add(v.with_step(step, text=reaches_text((*v.read, CALL), v.documented), segment=CALL))
            elif isinstance(v, BuildSpec):
                out |= built_objects.spec_method(v, e)
            elif isinstance(v, Parsed) and isinstance(e.func, ir.Attribute) and e.func.attr in PARSED_ITEM_METHODS:
                out.add(v)  # `plan.pop(0)`: an item of the parsed reply, as unchecked as the reply
            elif v == _STR_METHOD and isinstance(e.func, ir.Attribute):
                kind = STR_METHOD_RESULTS.get(e.func.attr)  # `TEMPLATE.format(q=q)` is a str
                if kind is not None:
                    out.add(Typed(kind))
        return frozenset(out) if out else frozenset({UNKNOWN})

    def _joined_text(self, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        """`"".join(block.text for block in response.content)`: a string separator joining pieces
        of the model's text is the model's text (Anthropic content blocks, streamed deltas)."""
        assert isinstance(e.func, ir.Attribute)
        sep = self.values(e.func.value, func, stmt)
        if not sep or not all(isinstance(v, Const) and isinstance(v.value, str) for v in sep):
            return EMPTY
        arg = e.args[0]
        pieces = (self.values(arg.elt, func, stmt) if isinstance(arg, ir.Comp)
                  else self.elements(self.values(arg, func, stmt), arg, func, stmt))
        step = (func.path, e.pos, "pieces of the model's text joined")
        return frozenset(v.with_step(step) for v in pieces if isinstance(v, LLMOutput) and v.text)

    def _response_get(self, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        """`delta.get("content", "")`: a dict-style read of a model response (a streamed chunk, a
        litellm response) is its `["content"]`, plus the default."""
        assert isinstance(e.func, ir.Attribute)
        key = e.args[0].value if e.args and isinstance(e.args[0], ir.Constant) else None
        if not isinstance(key, str) or not key.isidentifier():
            return EMPTY
        step = (func.path, e.pos, "item of the model's response")
        out: set[Value] = {v.with_step(step, text=_reaches_text(v, key, key, attribute=False), segment=key)
                           for v in self.values(e.func.value, func, stmt) if isinstance(v, LLMOutput) and not v.text}
        return frozenset(out | (self.values(e.args[1], func, stmt) if out and len(e.args) > 1 else set()))

    def _mapping_lookup(self, e: ir.Call, func: FunctionInfo, stmt: Optional[object]) -> VSet:
        """`registry.get(name)` on a dict literal: its values (one key's when the key is a
        literal), plus the default (None when absent)."""
        assert isinstance(e.func, ir.Attribute)
        mappings = self.g.literal_mappings(e.func.value, func, stmt, self)
        if not mappings:
            return EMPTY
        key = (e.args[0].value if isinstance(e.args[0], ir.Constant) else ir.named_key(e.args[0])) if e.args else None
        out = read_entries(mappings, key, e.args[0] if e.args else None, self._key_values(func, stmt))
        if len(e.args) > 1:
            out |= self.values(e.args[1], func, stmt)
        elif e.func.attr == "get":
            out.add(Const(None))
        return frozenset(out)

    def class_attr_call(self, qualname: str, call: Optional[ir.Call] = None, func: Optional[FunctionInfo] = None,
                        stmt: Optional[object] = None) -> VSet:
        for cls in self.g.mro(qualname):
            if "__call__" in cls.methods:
                return self.returns_at(cls.methods["__call__"].qualname, call, func, stmt)
        return frozenset({UNKNOWN})

    def returns_at(self, qualname: str, call: Optional[ir.Call], caller: Optional[FunctionInfo], stmt: Optional[object]) -> VSet:
        """Return values of a call (`ExpandingResolver` binds parameters to the call's arguments
        where the result depends on them)."""
        return self.function_returns(qualname)

    def _returned(self, func: FunctionInfo) -> VSet:
        out: set[Value] = set()
        if func.yields:
            out.add(Typed("generator"))
            out |= yielded_outputs(self, func)
        for r in func.returns:
            if r.value is None:
                out.add(Const(None))
            else:
                out |= self.values(r.value, func, r)
        out |= implemented_outputs(self, func)  # an interface's stub: what its implementations return
        return frozenset(out) if out else frozenset({Const(None)})

    def http_llm_spec(self, e: ir.Call, path: str, func: FunctionInfo, stmt: Optional[object]) -> Optional[LLMCallSpec]:
        """The `[[http_llm_call]]` entry a POST through an HTTP client addresses, or None (see
        `frameworks.FrameworkCalls.http_llm_spec`)."""
        return self.frameworks.http_llm_spec(e, path, func, stmt)

    def function_returns(self, qualname: str) -> VSet:
        func = self.g.functions.get(qualname)
        if func is None:
            return frozenset({UNKNOWN})
        return self.memoized(self.returns_memo, qualname, EMPTY, lambda: self._returned(func))

    def memoized(self, memo: dict, key: object, guard: VSet, compute: Callable[[], VSet]) -> VSet:
        """`compute()`, memoized in `memo` under `key`. While it runs, a cycle reads `guard`, and
        that read makes what is built on it provisional (see `values`); an error leaves no guard
        behind as the answer."""
        hit = memo.get(key)
        if hit is not None:
            self.cut += key in self.in_progress
            return hit
        memo[key] = guard
        self.in_progress.add(key)
        cut = self.cut
        try:
            result = compute()
        except BaseException:
            del memo[key]
            raise
        finally:
            self.in_progress.discard(key)
        memo[key] = result
        if self.cut != cut and self.depth:
            self.cut_short.append((memo, key))
        return result


def _reaches_text(v: LLMOutput, segment: str, name: object, *, attribute: bool) -> bool:
    """Is the response `v` read one `segment` further the model's text? Where the call's API
    documents its paths, they decide (`response.output`, the Responses API's list of output
    items, is not text; `response.output[0].arguments` is); otherwise a text-like field name does
    (`name`: the attribute or key read). A raw HTTP body (`r.text`) is the provider's envelope."""
    if v.http:
        return name in TEXT_ATTRS and not (attribute and name in HTTP_BODY_ATTRS)
    documented = reaches_text((*v.read, segment), v.documented)
    return documented if documented is not None else name in TEXT_ATTRS


_BUILTIN_NAMES = python_facts().builtin_names


def iter_values(vs: Iterable[Value], kind: type) -> list:
    return [v for v in vs if isinstance(v, kind)]


# PARSERS and argument_for live in frameworks and binding; re-exported for the queries that import them from here
__all__ = ["EMPTY", "PARSERS", "CallSite", "ClassInfo", "Resolver", "VSet", "argument_for"]

