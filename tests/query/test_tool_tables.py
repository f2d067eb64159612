"""Tool facts: the name -> function tables hand-written tool loops dispatch through."""




from agentable.rules.ieti.helpers import functions_registered_by_name
from tests.conftest import graph_of


def test_dict_literals_map_names_to_project_functions() -> None:
    g = graph_of({"m.py": """
        import json
        from openai import OpenAI

        def quote(ticker): return ticker
        def holdings(): return ""

        FUNCTIONS = {"get_quote": quote, "get_holdings": holdings, "limit": 3, "label": "x"}

        def run(q):
            r = OpenAI().responses.create(model="gpt-4.1", input=q)
            return {"other": holdings}
    """})
    table = functions_registered_by_name(g)
    assert table["get_quote"] == {"m.quote"}
    assert table["get_holdings"] == {"m.holdings"} and table["other"] == {"m.holdings"}
    assert "limit" not in table and "label" not in table
