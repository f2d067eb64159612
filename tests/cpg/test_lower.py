from agentable.cpg import ir
from agentable.cpg.lower import lower_source


def lower(src: str) -> ir.Module:
    return lower_source(src.encode(), "m.py", "m")


def test_positions_are_one_based_lines_and_char_columns() -> None:
    mod = lower("s = 'héllo'; x = call(1)\n")
    call = mod.body[1].value
    assert isinstance(call, ir.Call)
    span = mod.span(call.pos)
    assert (span.line, span.col, span.end_col) == (1, 18, 25)


def test_strings_fstrings_and_concatenation() -> None:
    mod = lower('a = "x\\n" \'y\'\nb = f"v={v!r}:"\nc = r"\\d+"\n')
    assert mod.body[0].value.value == "x\ny"
    assert isinstance(mod.body[1].value, ir.FString)
    assert mod.body[1].value.literal_text() == "v={}:"
    assert mod.body[2].value.value == "\\d+"


def test_try_handlers_with_tuple_and_alias() -> None:
    mod = lower("try:\n    f()\nexcept (ValueError, json.JSONDecodeError) as e:\n    pass\nfinally:\n    g()\n")
    t = mod.body[0]
    assert isinstance(t, ir.Try)
    assert [ir.dotted(x) for x in t.handlers[0].types] == ["ValueError", "json.JSONDecodeError"]
    assert t.handlers[0].name == "e"
    assert len(t.finalbody) == 1


def test_decorators_params_docstring_and_async() -> None:
    mod = lower('@tool("x")\nasync def f(a: int, /, b=1, *args, c, **kw) -> str:\n    """Doc."""\n    return a\n')
    fn = mod.body[0]
    assert isinstance(fn, ir.FunctionDef) and fn.is_async and fn.docstring == "Doc."
    assert [(p.name, p.kind) for p in fn.params] == [
        ("a", "posonly"), ("b", "normal"), ("args", "vararg"), ("c", "kwonly"), ("kw", "kwarg")]
    assert isinstance(fn.decorators[0], ir.Call)
    assert fn.pos[0] == 1  # a decorated definition starts at its first decorator


def test_relative_imports_and_aliases() -> None:
    mod = lower("from ..pkg.sub import a as b, c\nimport x.y as z\nfrom . import w\n")
    imp = mod.body[0]
    assert isinstance(imp, ir.ImportFrom) and imp.level == 2 and imp.module == "pkg.sub"
    assert [(a.name, a.asname) for a in imp.names] == [("a", "b"), ("c", None)]
    assert mod.body[1].names[0].asname == "z"
    assert mod.body[2].level == 1 and mod.body[2].module == ""


def test_syntax_errors_are_recovered_and_recorded() -> None:
    mod = lower("def ok():\n    return 1\n\ndef broken(:\n    pass\n\nx = ok()\n")
    assert mod.has_error and mod.error_lines
    names = [s.name for s in mod.body if isinstance(s, ir.FunctionDef)]
    assert "ok" in names
    assert any(isinstance(s, ir.Assign) for s in ir.walk_stmts(mod.body, True))


def test_new_syntax_parses_without_errors() -> None:
    src = ("type Alias[T] = list[T]\nmatch x:\n    case [a, *rest]:\n        pass\n"
           "try:\n    pass\nexcept* ValueError:\n    pass\nf'{a!r:>{w}}'\n")
    assert not lower(src).has_error


def test_lines_are_read_from_line_starts_as_from_the_split_source() -> None:
    source = 'a = "é"\r\nb = 2\n\n# done\r\nc = 3'
    mod = lower_source(source.encode(), "m.py", "m")
    lines = mod.lines()
    assert lines == ['a = "é"', "b = 2", "", "# done", "c = 3"] and mod.line_count() == 5
    assert [mod.line_text(n) for n in range(7)] == ["", *lines, ""]
    for first in range(7):
        for last in range(7):
            assert mod.line_range(first, last) == lines[max(first, 1) - 1:last]
    assert mod.span((2, 0, 2, 5)).col == 1 and mod.span((1, 7, 1, 8)).col == 7  # é: 2 bytes, 1 char
