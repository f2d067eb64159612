"""A scripted OpenAI-compatible server on 127.0.0.1 (ThreadingHTTPServer), for the real openai client."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    status: int = 200
    content: str = ""  # assistant message content for 200 replies
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    usage: bool = True
    error: str = "error"  # error message for non-200 replies
    body: str | None = None  # sent as is instead of a chat completion or an error object
    content_type: str = "application/json"
    trickle: float = 0.0  # seconds between two 8-byte pieces of the body (headers go at once)


def verdict(answer: str = "no", confidence: float = 0.9, reason: str = "Scripted reason.") -> Reply:
    return Reply(content=json.dumps({"answer": answer, "confidence": confidence, "reason": reason}))


class FakeLLM:
    def __init__(self) -> None:
        self.script: deque[Reply] = deque()
        self.default: Reply = verdict("yes", 0.8, "Default scripted verdict.")
        self.reject_formats: set[str] = set()  # response_format types answered with HTTP 400
        self.reject_params: set[str] = set()  # request fields answered with HTTP 400
        self.requests: list[dict] = []
        # judged answers: the first (texts, reply) whose every text is in the question's user message
        self.judged: list[tuple[tuple[str, ...], Reply]] = []
        self.arrivals: list[float] = []  # time.monotonic() of each request, in order
        self.raw_bodies: list[bytes] = []
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def push(self, *replies: Reply) -> None:
        self.script.extend(replies)

    def _next(self, body: dict) -> Reply:
        fmt = (body.get("response_format") or {}).get("type")
        if fmt in self.reject_formats:
            return Reply(400, error=f"response_format type {fmt} is not supported")
        for param in self.reject_params:
            if param in body:
                return Reply(400, error=f"Unsupported parameter: '{param}' is not supported with this model.")
        user = next((m.get("content", "") for m in body.get("messages", []) if m.get("role") == "user"), "")
        for texts, reply in self.judged:
            if all(t in user for t in texts):
                return reply
        with self._lock:
            return self.script.popleft() if self.script else self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                body = json.loads(raw or b"{}")
                with fake._lock:
                    fake.raw_bodies.append(raw)
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    fake.requests.append({"path": self.path, "headers": headers, "body": body})
                    fake.arrivals.append(time.monotonic())
                    fake._in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake._in_flight)
                try:
                    if self.path != "/v1/chat/completions":
                        return self._send(404, {"error": {"message": "not found"}}, {})
                    reply = fake._next(body)
                    time.sleep(reply.delay)
                    if reply.body is not None:
                        return self._send(reply.status, reply.body.encode(), reply)
                    if reply.status != 200:
                        error = {"error": {"message": reply.error, "type": "x"}}
                        return self._send(reply.status, json.dumps(error).encode(), reply)
                    payload = {
                        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
                        "model": body.get("model", ""),
                        "choices": [{"index": 0, "finish_reason": "stop",
                                     "message": {"role": "assistant", "content": reply.content}}],
                    }
                    if reply.usage:
                        payload["usage"] = {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120}
                    self._send(200, json.dumps(payload).encode(), reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)
                finally:
                    with fake._lock:
                        fake._in_flight -= 1

            def _send(self, status: int, data: bytes, reply: Reply) -> None:
                self.send_response(status)
                self.send_header("Content-Type", reply.content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                if not reply.trickle:
                    self.wfile.write(data)
                    return
                self.wfile.flush()
                for start in range(0, len(data), 8):  # each piece well within the client's read timeout
                    time.sleep(reply.trickle)
                    self.wfile.write(data[start:start + 8])
                    self.wfile.flush()

        return Handler


def vague(i: int = 0):
    """A question the deterministic pass leaves "unknown", so it goes to the LLM."""
    from agentable.nl_check.questions import PromptParserQuestion

    return PromptParserQuestion(f"Summarize document number {i} for the user.", "json.loads")


def llm_config(fake: "FakeLLM", **overrides):
    """An enabled LLMConfig pointing at `fake`, no retries unless overridden."""
    from agentable.nl_check.llm import LLMConfig

    values = dict(model="test-model", base_url=fake.url, max_retries=0, enabled=True)
    values.update(overrides)
    return LLMConfig(**values)
