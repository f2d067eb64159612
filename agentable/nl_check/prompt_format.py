"""What output format a prompt asks for, read with plain patterns (shared by the parser and stop checks)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

# Lines like "Action: ..." or "Final Answer: ..." that describe a line-based format.
# Title-case words only, so headings like "Use the following format:" are not markers.
_MARKER_LINE = re.compile(r"(?m)^[ \t>*-]*([A-Z][A-Za-z]*(?: [A-Z][A-Za-z]*){0,2}):")
# Markers whose text the framework or the user writes, not the model.
ENVIRONMENT_MARKERS = frozenset({
    "observation", "question", "human", "user", "input", "context", "system", "tool output",
    "tool result", "begin", "note", "example", "examples", "rules", "instructions", "tools",
})
_PLACEHOLDER = re.compile(r"\{[A-Za-z_]*(?:format|instruction|schema|output_parser)[A-Za-z_]*\}", re.I)


def _has(pattern: str, text: str) -> bool:
    return re.search(pattern, text, re.I) is not None


@dataclass(frozen=True)
class PromptFormat:
    text: str

    @cached_property
    def asks_json(self) -> bool:
        return _has(r"\bjson\b", self.text) or _has(r'\{\s*"[\w ]+"\s*:', self.text)

    @cached_property
    def asks_number_only(self) -> bool:
        return (
            _has(r"\b(only|just|single|one)\b[^.\n]{0,30}\b(number|integer|digit|score|rating)\b", self.text)
            or _has(r"\b(respond|reply|answer|output|return)\s+with\s+(only\s+)?(a|an|the)?\s*"
                    r"(single\s+)?(number|integer|digit)\b", self.text)
            or _has(r"\b(number|integer|score)\s+(only|alone)\b", self.text)
        )

    @cached_property
    def asks_reasoning(self) -> bool:
        return _has(r"step[- ]by[- ]step|\bexplain\b|\breasoning\b|\bjustify\b|think (carefully|through)"
                    r"|show your work", self.text)

    @cached_property
    def asks_yes_no(self) -> bool:
        return _has(r"\byes or no\b|\byes/no\b|[\"']yes[\"'] or [\"']no[\"']", self.text)

    @cached_property
    def asks_lines(self) -> bool:
        return _has(r"one per line|each on (a|its own) (new )?line|new[- ]?line|line by line"
                    r"|numbered list|bullet", self.text)

    @cached_property
    def asks_commas(self) -> bool:
        return _has(r"comma", self.text)

    @cached_property
    def asks_code_fence(self) -> bool:
        return "```" in self.text or _has(r"code (block|fence)", self.text)

    @cached_property
    def has_format_placeholder(self) -> bool:
        """Format instructions are pasted in later ({format_instructions}): we cannot see them."""
        return _PLACEHOLDER.search(self.text) is not None

    @cached_property
    def markers(self) -> tuple[str, ...]:
        """Line markers ("Action:") in order of first appearance; only when there are two or more."""
        seen: dict[str, None] = {}
        for m in _MARKER_LINE.finditer(self.text):
            seen.setdefault(m.group(1).strip() + ":", None)
        return tuple(seen) if len(seen) >= 2 else ()

    @cached_property
    def model_markers(self) -> tuple[str, ...]:
        return tuple(m for m in self.markers if not is_environment_marker(m))

    def ends_with(self, marker: str) -> bool:
        """The prompt pre-fills `marker` as the start of the model's turn."""
        tail = re.sub(r"\{[^{}]*\}\s*$", "", self.text.rstrip()).rstrip()
        return tail.endswith(marker.rstrip())


def is_environment_marker(marker: str) -> bool:
    return marker.strip().rstrip(":").strip().lower() in ENVIRONMENT_MARKERS
