"""Deterministic evidence for StopFormatQuestion: does a stop sequence cut off the required format?"""

from __future__ import annotations

from agentable.nl_check.prompt_format import PromptFormat, is_environment_marker
from agentable.nl_check.questions import StopFormatQuestion, Verdict

_JSON_CHARS = frozenset('{}[]":,')


def _collision(stop: str, model_markers: tuple[str, ...], fmt: PromptFormat,
               wants_json: bool, multiline: bool) -> tuple[str, float, str] | None:
    """(kind, confidence, reason) when `stop` fires inside text the model must write."""
    core = stop.strip()
    if core:
        for marker in model_markers:
            if core in marker:
                kind = "prefill" if fmt.ends_with(marker) else "marker"
                return kind, 0.85, (f"The stop sequence {stop!r} cuts the reply at {marker!r}, "
                                    "a marker the required format asks the model to write.")
        if wants_json and set(core) <= _JSON_CHARS:
            return "json", 0.8, (f"The stop sequence {stop!r} occurs in every JSON object the "
                                 "prompt asks for, so the reply is cut before it is complete.")
        if core.startswith("```") and fmt.asks_code_fence and not fmt.ends_with("```"):
            return "fence", 0.7, (f"The stop sequence {stop!r} matches the opening code fence the "
                                  "prompt asks for, so the reply ends before its content.")
        return None
    if stop.strip(" \t\r") == "\n" and multiline:
        return "newline", 0.75, ("The stop sequence '\\n' ends the reply after its first line, "
                                 "but the required format spans several lines.")
    return None


def check_stop_format(q: StopFormatQuestion) -> Verdict:
    stops = [s for s in q.stop_sequences if s]
    if not stops:
        return Verdict("yes", 0.9, "There are no stop sequences to cut off the format.", "deterministic")
    fmt = PromptFormat(q.prompt_text)
    markers = tuple(m for m in q.format_markers if m.strip()) or fmt.markers
    model_markers = tuple(m for m in markers if not is_environment_marker(m))
    wants_json = fmt.asks_json or any(m.strip() in ("{", "}", "[", "]") for m in markers)
    multiline = len(model_markers) >= 2 or (wants_json and "{\n" in q.prompt_text)

    found = [c for s in stops if (c := _collision(s, model_markers, fmt, wants_json, multiline))]
    certain = [c for c in found if c[0] != "prefill"]
    if certain:
        _, confidence, reason = max(certain, key=lambda c: c[1])
        return Verdict("no", confidence, reason, "deterministic")
    if found:
        return Verdict.unknown("A stop sequence matches a marker the prompt itself pre-fills; "
                               "later turns may or may not need it.")
    if model_markers or wants_json:
        return Verdict("yes", 0.7, "No stop sequence occurs in the markers or structure the model "
                                   "must write.", "deterministic")
    return Verdict.unknown("The prompt does not show a format the stop sequences could cut.")
