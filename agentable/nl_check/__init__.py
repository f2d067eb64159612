"""The natural-language checker: rules hand it typed questions and get verdicts back.

Deterministic answers come first. The LLM is asked only when it is configured and enabled, and
only for questions the deterministic pass left "unknown" (or that want the model's judgement anyway,
`questions.wants_llm`: a tool's description, a parsed reply whose fields are read). Without
an enabled LLMConfig nothing leaves the machine and `openai` is never imported.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

from agentable.deep_stack import shallow_threads
from agentable.findings import Notification
from agentable.nl_check.cache import VerdictCache, cache_key, default_cache_dir
from agentable.nl_check.llm import LLMClient, LLMConfig, NoteBook
from agentable.nl_check.offline import ModelLookup, answer_offline
from agentable.nl_check.questions import (
    MarkerPromptQuestion,
    ModelSuitabilityQuestion,
    PromptParserQuestion,
    Question,
    StopFormatQuestion,
    ToolDescriptionQuestion,
    Verdict,
    wants_llm,
)
from agentable.nl_check.templates import TEMPLATE_VERSION, prepare

__all__ = [
    "Checker",
    "LLMConfig",
    "MarkerPromptQuestion",
    "ModelSuitabilityQuestion",
    "PromptParserQuestion",
    "Question",
    "StopFormatQuestion",
    "ToolDescriptionQuestion",
    "Verdict",
    "default_cache_dir",
]


def _merge(offline: Verdict, llm: Verdict) -> Verdict:
    """The LLM's answer wins when it has one; otherwise keep what the deterministic pass knew."""
    if llm.answer != "unknown" or offline.answer == "unknown":
        return llm
    return offline


class Checker:
    def __init__(self, config: LLMConfig | None = None, cache_dir: Path | None = None,
                 model_lookup: ModelLookup | None = None) -> None:
        self.model_lookup = model_lookup
        self.notifications: list[Notification] = []
        self._notes = NoteBook(self.notifications.append)
        self._client: LLMClient | None = None
        self._cache: VerdictCache | None = None
        self.questions_asked = 0
        self.sent_by_kind: dict[str, int] = {}  # questions put to the model (cache hits included), per kind
        self.cache_hits = 0
        if config is None or not config.enabled:
            return
        problem = config.problem()
        if problem:
            self._notes.add("config", problem)
            return
        self._client = LLMClient(config, self._notes)
        if cache_dir is not None:
            self._cache = VerdictCache(Path(cache_dir), self.notifications.append)

    @property
    def llm_active(self) -> bool:
        return self._client is not None

    def ask(self, question: Question) -> Verdict:
        return self.ask_many([question])[0]

    def ask_many(self, questions: Sequence[Question]) -> list[Verdict]:
        offline = [answer_offline(q, self.model_lookup) for q in questions]
        self.questions_asked += len(questions)
        client = self._client
        if client is None:
            return offline
        results = list(offline)
        pending: dict[str, list[int]] = {}  # cache key -> indexes of the questions it answers
        prepared: dict[str, Question] = {}
        for i, (question, verdict) in enumerate(zip(questions, offline, strict=True)):
            if verdict.answer != "unknown" and not wants_llm(question):
                continue
            sent = self.sent_by_kind.get(question.kind, 0)
            if sent >= client.config.max_questions_per_kind:
                client.not_asked[f"over {client.config.max_questions_per_kind} {question.kind} questions"] += 1
                continue  # the deterministic verdict stands
            ready = prepare(question)
            self.sent_by_kind[question.kind] = sent + 1
            key = cache_key(ready, TEMPLATE_VERSION, client.config.model, client.base_url)
            hit = self._cache.get(key) if self._cache else None
            if hit is not None:
                self.cache_hits += 1
                results[i] = _merge(verdict, hit)
                continue
            pending.setdefault(key, []).append(i)
            prepared[key] = ready
        if pending:
            workers = max(1, min(client.config.concurrency, len(pending)))
            # The pool's threads have the usual stack: not the deep stack's recursion limit.
            with client.clock.running(), shallow_threads(), \
                    ThreadPoolExecutor(max_workers=workers, thread_name_prefix="nl-check") as pool:
                futures = {key: pool.submit(client.ask, prepared[key]) for key in pending}
            for key, future in futures.items():
                verdict, cacheable = future.result()
                if cacheable and self._cache is not None:
                    self._cache.put(key, verdict)
                for i in pending[key]:
                    results[i] = _merge(offline[i], verdict)
        if self._cache is not None:
            self._cache.flush()
        return results

    def summary(self) -> str:
        client = self._client
        if client is None:
            return f"LLM checker: off ({self.questions_asked} questions answered deterministically)"
        budget = client.budget
        # Tokens of replies received only; what requests without a reply may have cost is said apart.
        text = (f"LLM checker: {budget.calls:,} calls, {budget.tokens:,} tokens, "
                f"{self.cache_hits:,} cache hits, {client.failures:,} failures")
        if budget.unanswered_tokens:
            text += f", about {budget.unanswered_tokens:,} tokens more in requests that got no reply"
        for reason, count in sorted(client.not_asked.items()):
            text += f", {count:,} not asked ({reason})"
        return text
