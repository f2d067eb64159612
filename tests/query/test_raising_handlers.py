"""raising_handlers: raises that a parse error of model output leads to, and the model loop each ends."""

from agentable.query.raising_handlers import raising_handlers
from tests.conftest import graph_of

_AGENT = """
    import json
    from openai import OpenAI

    client = OpenAI()

    class ReplyError(Exception):
        pass

    class BadReply(ReplyError):
        pass

    def ask(messages):
        text = client.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message.content
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise BadReply(text) from e

    def run(goal):
        messages = [{"role": "user", "content": goal}]
        while True:
            try:
                step = ask(messages)
            except CATCH:
                messages.append({"role": "user", "content": "Reply in JSON."})
                continue
            if step:
                return step
"""


def _found(catch: str) -> list[tuple[str, int, str, str]]:
    g = graph_of({"agent.py": _AGENT.replace("CATCH", catch)})
    return [(h.func.name, h.report.pos[0], h.raised, h.loop_func.name) for h in raising_handlers(g)]


def test_a_handler_for_another_error_lets_the_raise_end_the_loop():
    assert _found("KeyError") == [("ask", 18, "BadReply", "run")]


def test_a_handler_for_the_raised_class_or_a_project_base_catches_it():
    assert _found("BadReply") == []
    assert _found("ReplyError") == []
    assert _found("Exception") == []


def test_next_on_an_iterator_agent_reaches_its_dunder_next():
    g = graph_of({"agent.py": """
        import json
        from openai import OpenAI

        client = OpenAI()

        class Agent:
            def __init__(self):
                self.messages = []

            def __next__(self):
                reply = client.chat.completions.create(model="gpt-4o", messages=self.messages)
                text = reply.choices[0].message.content
                try:
                    return json.loads(text)
                except ValueError:
                    raise RuntimeError("bad reply")

            def run(self):
                while True:
                    try:
                        next(self)
                    except StopIteration:
                        break
    """})
    assert [(h.func.name, h.loop_func.name) for h in raising_handlers(g)] == [("__next__", "run")]


def test_no_model_loop_above_the_raise_is_a_library_parser():
    g = graph_of({"lib.py": """
        import json
        from openai import OpenAI

        def summarize(client: OpenAI, doc: str) -> dict:
            messages = [{"role": "user", "content": doc}]
            text = client.chat.completions.create(model="gpt-4o", messages=messages).choices[0].message.content
            try:
                return json.loads(text)
            except json.JSONDecodeError as e:
                raise ValueError("bad summary") from e
    """})
    assert raising_handlers(g) == []
