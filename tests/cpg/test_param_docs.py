"""Parameter documentation read from tool docstrings (Google, NumPy and Sphinx styles)."""

from agentable.cpg.tools import parse_param_docs


def test_google_args_end_where_the_docstring_dedents() -> None:
    doc = """Query the table.

    Args:
        query: SQL to run.
        limit (int): Max rows.
            Continued: still about limit.

    Schema:
        id: integer
    """
    assert parse_param_docs(doc) == {"query": "SQL to run.", "limit": "Max rows."}
    assert parse_param_docs("Args:\n    city: the city\nNote: cached for an hour.\n") == {"city": "the city"}


def test_numpy_and_sphinx_entries() -> None:
    numpy = "Parameters\n----------\nx : int\n    The x.\ny : str\n    The y.\n\nReturns\n-------\nz : int\n"
    assert parse_param_docs(numpy) == {"x": "int", "y": "str"}
    assert parse_param_docs("Do it.\n\n:param city: the city\n:param days: how many\n") == {
        "city": "the city", "days": "how many"}
