"""Deterministic evidence for MarkerPromptQuestion: does the prompt ask for the marker the code waits for?

Only a "yes" is decided here (the marker is written in the prompt as the code tests it, for a test
that does not depend on where the marker sits). Whether other wording is "the same marker" to a
model, or where in the reply the prompt puts it, is the model's judgement: "unknown" otherwise.
"""

from __future__ import annotations

import re

from agentable.nl_check.questions import MarkerPromptQuestion, Verdict

# tests that read the marker anywhere in the reply (`"DONE" in reply`, `reply.find("DONE")`)
_ANYWHERE = re.compile(r"\bin\b|\.(?:find|index|count|split|partition|rfind|rindex|rsplit|rpartition)\(")


def check_marker_prompt(q: MarkerPromptQuestion) -> Verdict:
    marker = q.marker.strip()
    if not marker:
        return Verdict.unknown("The marker is empty.")
    prompt = q.prompt_text.lower() if q.case_folded else q.prompt_text
    wanted = marker.lower() if q.case_folded else marker
    if wanted in prompt and _ANYWHERE.search(q.test):
        return Verdict("yes", 0.7, f"The prompt writes {marker!r} as the code tests it.", "deterministic")
    return Verdict.unknown("Whether the prompt's wording gives the marker in the form the test needs "
                           "is a judgement on the prompt.")
