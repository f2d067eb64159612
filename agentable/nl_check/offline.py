"""Deterministic answers: used when no LLM is configured, and as the first pass when one is."""

from __future__ import annotations

import datetime as _dt
from typing import Callable, Mapping, Optional

from agentable.nl_check.marker_check import check_marker_prompt
from agentable.nl_check.parser_check import check_prompt_parser
from agentable.nl_check.questions import (
    MarkerPromptQuestion,
    ModelSuitabilityQuestion,
    PromptParserQuestion,
    Question,
    StopFormatQuestion,
    ToolDescriptionQuestion,
    Verdict,
)
from agentable.nl_check.stop_check import check_stop_format
from agentable.nl_check.tool_check import check_tool_description

ModelLookup = Callable[[str], Optional[Mapping[str, object]]]

CHAT_KINDS = frozenset({"chat", "reasoning", "multimodal", "vision"})
NON_CHAT_KINDS = frozenset({"embedding", "moderation", "image", "audio", "tts", "transcription",
                            "speech", "rerank", "search"})
ROLES = ("chat-agent", "tool-calling-agent", "json-output")


def _retired(value: object, today: _dt.date) -> tuple[bool, str]:
    """(is retired by `today`, readable date); an unreadable non-empty value counts as retired."""
    if not value:
        return False, ""
    try:
        day = _dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return True, str(value)
    return day <= today, day.isoformat()


def check_model_suitability(q: ModelSuitabilityQuestion, model_lookup: ModelLookup | None,
                            today: _dt.date | None = None) -> Verdict:
    if q.role not in ROLES:
        return Verdict.unknown(f"Role {q.role!r} is not one of {', '.join(ROLES)}.")
    if model_lookup is None:
        return Verdict.unknown("No model table is available.")
    try:
        info = model_lookup(q.model_id)
    except Exception as exc:  # the table belongs to another module; its bugs must not stop the scan
        return Verdict.unknown(f"The model table lookup failed ({type(exc).__name__}).")
    if not info:
        return Verdict.unknown(f"Model {q.model_id!r} is not in the model table.")

    def no(reason: str, confidence: float = 0.9) -> Verdict:
        return Verdict("no", confidence, reason, "deterministic")

    retired, when = _retired(info.get("retired"), today or _dt.date.today())
    if retired:
        return no(f"Model {q.model_id!r} was retired on {when}.")
    kind = str(info.get("kind") or "").lower()
    if kind in NON_CHAT_KINDS:
        return no(f"Model {q.model_id!r} is an {kind} model, not a chat model.")
    if kind == "completion":
        if q.role == "json-output":
            return Verdict.unknown(f"Model {q.model_id!r} is a completion model; JSON output "
                                   "depends on prompting alone.")
        return no(f"Model {q.model_id!r} is a completion-only model and cannot serve the chat API.")
    if kind not in CHAT_KINDS:
        return Verdict.unknown(f"The model table gives {q.model_id!r} the unfamiliar kind {kind!r}.")
    if q.role == "tool-calling-agent":
        tools = info.get("tools")
        if tools is False:
            return no(f"Model {q.model_id!r} does not support tool calling.")
        if tools is None:
            return Verdict.unknown(f"The model table does not say whether {q.model_id!r} supports tools.")
    if q.role == "json-output" and info.get("json") is False:
        return no(f"Model {q.model_id!r} does not support JSON output mode.", 0.7)
    note = f" (retirement scheduled for {info['retired']})" if info.get("retired") else ""
    return Verdict("yes", 0.9, f"Model {q.model_id!r} is a {kind} model suited to the "
                               f"{q.role} role{note}.", "deterministic")


def answer_offline(question: Question, model_lookup: ModelLookup | None = None) -> Verdict:
    if isinstance(question, ToolDescriptionQuestion):
        return check_tool_description(question)
    if isinstance(question, PromptParserQuestion):
        return check_prompt_parser(question)
    if isinstance(question, StopFormatQuestion):
        return check_stop_format(question)
    if isinstance(question, ModelSuitabilityQuestion):
        return check_model_suitability(question, model_lookup)
    if isinstance(question, MarkerPromptQuestion):
        return check_marker_prompt(question)
    raise TypeError(f"not a checker question: {type(question).__name__}")
