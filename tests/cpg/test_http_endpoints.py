"""Raw HTTP POSTs to model endpoints (`[[http_llm_call]]`): the URL followed through the value flow,
the exchange's shape when the URL says nothing, and the POSTs that are not model calls."""

from __future__ import annotations

from agentable.cpg.http_endpoints import names_endpoint
from agentable.cpg.values import LLMOutput
from tests.conftest import graph_of


def _calls(files: dict[str, str]) -> dict[str, tuple[str, str]]:
    g = graph_of(files)
    return {c.func.name: (c.provider, c.api) for c in g.agent.llm_calls}


def test_url_carried_in_the_payload_dict_by_every_caller() -> None:
    # the endpoint is chosen at module level (an f-string with a runtime part and a constant
    # part), passed down as a parameter, stored in the payload and popped back out before the POST
    calls = _calls({"svc.py": """
        import requests

        SETTINGS = load_settings()
        ROUTE = "completions" if SETTINGS.get("legacy") else "chat/completions"
        ENDPOINT = f"{SETTINGS['host']}/v1/{ROUTE}"

        def _send(body):
            target = body.pop("endpoint")
            resp = requests.post(target, json=body, timeout=30)
            return resp.json()

        def summarise(text, endpoint):
            body = {"model": SETTINGS["model"], "messages": text, "endpoint": endpoint}
            return _send(body)

        def run(text):
            return summarise(text, ENDPOINT)
    """})
    assert calls == {"_send": ("openai-compatible", "chat")}


def test_url_from_a_settings_attribute_and_a_dict_entry() -> None:
    calls = _calls({"cfg.py": """
        class Settings:
            ollama_url: str = "http://localhost:11434/api/generate"

        settings = Settings()
        ROUTES = {"chat": "http://gpu-box:8000/v1/chat/completions", "health": "http://gpu-box:8000/health"}
    """, "client.py": """
        import httpx
        from cfg import ROUTES, settings

        def draft(prompt):
            return httpx.post(settings.ollama_url, json={"model": "llama3", "prompt": prompt}).json()["response"]

        def answer(q):
            r = httpx.post(ROUTES["chat"], json={"model": "m", "messages": q})
            return r.json()["choices"][0]["message"]["content"]

        def health():
            return httpx.post(ROUTES["health"], json={}).json()["status"]
    """})
    assert calls == {"draft": ("ollama", "generate"), "answer": ("openai-compatible", "chat")}


def test_configured_url_recognised_by_the_shape_of_the_exchange() -> None:
    g = graph_of({"gen.py": """
        import os
        import json
        import aiohttp
        import requests

        LLM_URL = os.environ["LLM_URL"]

        def complete(prompt, model):
            data = {"model": model, "prompt": prompt, "stream": False}
            reply = requests.post(LLM_URL, json=data, timeout=60).json()
            return reply["response"]

        def ask(messages, model):
            r = requests.post(os.environ["CHAT_URL"], data=json.dumps({"model": model, "messages": messages}))
            body = json.loads(r.text)
            return body["choices"][0]["message"]["content"]

        async def ask_async(session: aiohttp.ClientSession, msgs):
            async with session.post(os.environ["CHAT_URL"], json={"model": "x", "messages": msgs}) as resp:
                out = await resp.json()
            return out["content"][0]["text"]
    """})
    calls = {c.func.name: (c.provider, c.api) for c in g.agent.llm_calls}
    assert calls == {"complete": ("ollama", "generate"), "ask": ("openai-compatible", "chat"),
                     "ask_async": ("anthropic", "chat")}
    f = g.functions["gen.complete"]
    ret = f.returns[0]
    assert any(isinstance(v, LLMOutput) and v.text for v in g.values(ret.value, f, ret))


def test_posts_that_are_not_model_calls() -> None:
    calls = _calls({"misc.py": """
        import os
        import requests

        CATALOG = os.environ["CATALOG_URL"]
        WEBHOOK = os.environ["SLACK_WEBHOOK"]
        EMBED = os.environ["EMBED_URL"]

        def find_car(make, model):
            # a JSON API with a `model` field: no messages or prompt, read another way
            resp = requests.post(CATALOG, json={"make": make, "model": model, "year": 2021})
            return resp.json()["results"][0]["content"]

        def notify(summary):
            requests.post(WEBHOOK, json={"text": summary, "model": "digest"})

        def embed(text):
            # Ollama's embeddings body carries model and prompt, but the reply is a vector
            r = requests.post(EMBED, json={"model": "nomic-embed-text", "prompt": text})
            return r.json()["embedding"]

        def log_chat(messages):
            # a chat log store: the body looks like a chat request, the reply is a record id
            r = requests.post(os.environ["LOG_URL"], json={"model": "gpt-4o", "messages": messages})
            return r.json()["id"]

        def choices_of_a_quiz(topic):
            # read like a completion, but the body has neither messages nor prompt
            r = requests.post(os.environ["QUIZ_URL"], json={"model": "quiz-v2", "topic": topic})
            return r.json()["choices"][0]["text"]
    """})
    assert calls == {}


def test_a_written_out_messages_value_must_be_role_dicts() -> None:
    calls = _calls({"m.py": """
        import os
        import requests

        def history(user):
            body = {"model": "inbox", "messages": "unread"}
            return requests.post(os.environ["MAIL_URL"], json=body).json()["message"]["content"]
    """})
    assert calls == {}


def test_url_returned_by_a_project_function() -> None:
    calls = _calls({"m.py": """
        import requests

        def chat_url():
            return "http://localhost:8080/v1/chat/completions"

        def ask(msgs):
            url = chat_url()
            return requests.post(url, json={"messages": msgs}).json()
    """})
    assert calls == {"ask": ("openai-compatible", "chat")}


def test_an_endpoint_fragment_ends_at_a_path_boundary() -> None:
    assert names_endpoint("http://localhost:11434/api/chat", "api/chat")
    assert names_endpoint("{}/openai/deployments/{}/chat/completions?api-version={}", "chat/completions")
    assert names_endpoint("{}/api/generate{}", "api/generate")
    assert not names_endpoint("https://slack.com/api/chat.postMessage", "api/chat")
    calls = _calls({"m.py": """
        import httpx

        async def post_update(channel, blocks):
            r = await httpx.AsyncClient().post("https://slack.com/api/chat.postMessage",
                                               json={"channel": channel, "blocks": blocks})
            return r.json()["message"]["text"]
    """})
    assert calls == {}
