"""Tool schemas built by calling the SDKs' TypedDicts are matched as the dicts they build (catalog
tool_schema_constructors); a dict literal written as one of their keywords is part of that schema."""

from tests.conftest import graph_of

TOOLS = {
    "desk.py": """
        from openai import OpenAI
        from openai.types.chat import ChatCompletionToolParam
        from openai.types.shared_params import FunctionDefinition
        from anthropic.types import ToolParam

        client = OpenAI()

        REFUND = ChatCompletionToolParam(type="function", function=FunctionDefinition(
            name="refund", description="Refund an order.",
            parameters={"type": "object", "properties": {"order": {"type": "string"}}}))
        CANCEL = ChatCompletionToolParam(type="function", function={
            "name": "cancel", "description": "Cancel an order.",
            "parameters": {"type": "object", "properties": {"order": {"type": "string"}}}})
        TICKET = ToolParam(name="ticket", input_schema={"type": "object", "properties": {"title": {"type": "string"}}})

        def ask(q):
            return client.chat.completions.create(model="gpt-4.1", tools=[REFUND, CANCEL],
                                                  messages=[{"role": "user", "content": q}])
    """,
}


def test_typed_constructors_are_schemas_and_their_inner_dicts_no_second_tool() -> None:
    g = graph_of(TOOLS)
    got = sorted((t.name, t.description, [p.name for p in t.params]) for t in g.agent.tools)
    assert got == [("cancel", "Cancel an order.", ["order"]), ("refund", "Refund an order.", ["order"]),
                   ("ticket", None, ["title"])]
