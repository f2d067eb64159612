"""Deterministic evidence for PromptParserQuestion: does the parser accept the format the prompt asks for?"""

from __future__ import annotations

import codecs
import re
from typing import Union

try:  # the regex parser of the stdlib: private, but stable in 3.10-3.13 and the only exact reader
    import re._parser as _sre
except ImportError:  # Python 3.10
    import sre_parse as _sre

from agentable.nl_check.prompt_format import PromptFormat
from agentable.nl_check.questions import PromptParserQuestion, Verdict

# A requirement is a literal chunk, or a list of alternatives (each a list of requirements).
Req = Union[str, list]
_LETTERS = re.compile(r"[A-Za-z].*[A-Za-z]", re.S)
_CLOSING_TAG = re.compile(r"</([\w.:-]+)>")


def _verdict(answer: str, confidence: float, reason: str) -> Verdict:
    return Verdict(answer, confidence, reason, "deterministic")  # type: ignore[arg-type]


def regex_requirements(pattern: str) -> list[Req]:
    """Literal text every match must contain, read from the parsed regex."""

    def walk(sub) -> list[Req]:
        reqs: list[Req] = []
        buf: list[str] = []

        def flush() -> None:
            if buf:
                reqs.append("".join(buf))
                buf.clear()

        for op, av in sub:
            name = str(op)
            if name == "LITERAL":
                buf.append(chr(av))
                continue
            flush()
            if name == "SUBPATTERN":
                reqs.extend(walk(av[-1]))
            elif name == "BRANCH":
                reqs.append([walk(alt) for alt in av[1]])
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") and av[0] >= 1:
                reqs.extend(walk(av[2]))
        flush()
        return reqs

    return walk(_sre.parse(pattern))


def _missing(reqs: list[Req], prompt: str) -> tuple[list[str], int]:
    """(required markers absent from the prompt, number of markers checked)."""
    low = re.sub(r"\s+", " ", prompt).lower()
    missing: list[str] = []
    checked = 0
    for req in reqs:
        if isinstance(req, str):
            chunk = re.sub(r"\s+", " ", req).strip()
            if not _LETTERS.search(chunk):
                continue  # punctuation and whitespace say nothing about the prompt
            checked += 1
            if chunk.lower() not in low and not _opened_in(chunk.lower(), low):
                missing.append(chunk)
        else:
            options = [_missing(alt, prompt) for alt in req]
            checked += max((n for _, n in options), default=0)
            if options and all(m for m, _ in options):
                shortest = min((m for m, _ in options), key=len)
                missing.extend(shortest)
    return missing, checked


def _opened_in(chunk: str, prompt: str) -> bool:
    """A closing tag (`</plan>`) that the prompt asks for by naming its opening tag ("wrap the plan
    in <plan> tags"): a tag the model is told to open, it closes."""
    m = _CLOSING_TAG.fullmatch(chunk)
    return m is not None and f"<{m.group(1)}>" in prompt


def _check_regex(pattern: str, fmt: PromptFormat) -> Verdict:
    try:
        reqs = regex_requirements(pattern)
    except (re.error, RecursionError, OverflowError):
        return Verdict.unknown("The parser's regular expression could not be read.")
    missing, checked = _missing(reqs, fmt.text)
    if checked and not missing:
        return _verdict("yes", 0.75, "Every literal marker the regex requires appears in the prompt.")
    if missing:
        if fmt.has_format_placeholder:
            return Verdict.unknown("The regex needs markers the prompt text lacks, but format "
                                   "instructions are inserted later through a placeholder.")
        shown = ", ".join(repr(m) for m in missing[:3])
        return _verdict("no", 0.7, f"The regex requires {shown}, which the prompt never asks the model to write.")
    if re.search(r"\\d|\[0-9\]", pattern) and fmt.asks_number_only:
        return _verdict("yes", 0.6, "The prompt asks for a number and the regex extracts digits.")
    if "{" in pattern and fmt.asks_json:
        return _verdict("yes", 0.6, "The prompt asks for JSON and the regex extracts a braced object.")
    return Verdict.unknown("The regex has no literal markers to compare with the prompt.")


def _check_json(fmt: PromptFormat) -> Verdict:
    if fmt.asks_json:
        return _verdict("yes", 0.85, "The prompt asks for JSON and the parser is json.loads.")
    if fmt.has_format_placeholder:
        return Verdict.unknown("Format instructions are inserted later through a placeholder.")
    if fmt.asks_yes_no:
        return _verdict("no", 0.75, "The prompt asks for a bare yes or no, which json.loads rejects.")
    if len(fmt.model_markers) >= 2:
        return _verdict("no", 0.7, f"The prompt asks for {fmt.model_markers[0]!r} lines, not JSON, "
                                   "so json.loads would reject the reply.")
    if fmt.asks_commas or fmt.asks_lines:
        return _verdict("no", 0.6, "The prompt asks for a plain list, not JSON, so json.loads would reject it.")
    if fmt.asks_number_only:
        return _verdict("yes", 0.6, "The prompt asks for a bare number, which json.loads accepts.")
    return Verdict.unknown("The prompt does not say clearly what format the reply has.")


def _check_number(kind: str, fmt: PromptFormat) -> Verdict:
    if fmt.asks_number_only and not fmt.asks_reasoning:
        return _verdict("yes", 0.75, f"The prompt asks for only a number, which {kind}() accepts.")
    if fmt.has_format_placeholder or fmt.asks_number_only:
        return Verdict.unknown("The prompt asks for a number but may also ask for other text.")
    if fmt.asks_json:
        return _verdict("no", 0.75, f"The prompt asks for JSON, which {kind}() rejects.")
    if fmt.asks_yes_no:
        return _verdict("no", 0.75, f"The prompt asks for yes or no, which {kind}() rejects.")
    if len(fmt.model_markers) >= 2:
        return _verdict("no", 0.7, f"The prompt asks for {fmt.model_markers[0]!r} lines, which {kind}() rejects.")
    if fmt.asks_reasoning:
        return _verdict("no", 0.65, f"The prompt asks the model to explain itself, so the reply is "
                                    f"prose that {kind}() rejects.")
    return Verdict.unknown("The prompt does not say clearly that the reply is only a number.")


_SEPARATOR_NAMES = {",": "comma", ";": "semicolon", "|": "pipe", "\t": "tab"}


def _check_split(sep: str, fmt: PromptFormat) -> Verdict:
    if not sep.strip() and sep != "\n" and sep != "\t":
        return Verdict.unknown("Splitting on whitespace accepts any reply.")
    if _LETTERS.search(sep):
        # A marker separator: when it is absent, split() returns one piece and [1] raises.
        if sep.strip().lower() in fmt.text.lower():
            return _verdict("yes", 0.7, f"The prompt asks for the separator {sep.strip()!r}.")
        if fmt.has_format_placeholder:
            return Verdict.unknown("Format instructions are inserted later through a placeholder.")
        return _verdict("no", 0.7, f"The parser splits on {sep.strip()!r}, which the prompt never "
                                   "asks the model to write.")
    if sep == "\n":
        if fmt.asks_lines or len(fmt.model_markers) >= 2:
            return _verdict("yes", 0.6, "The prompt asks for one item per line.")
        return Verdict.unknown("The prompt does not say the reply has several lines.")
    name = _SEPARATOR_NAMES.get(sep)
    if sep in fmt.text or (name and name in fmt.text.lower()):
        return _verdict("yes", 0.6, f"The prompt mentions the separator {sep!r}.")
    return Verdict.unknown(f"The prompt does not mention the separator {sep!r}.")


def check_prompt_parser(q: PromptParserQuestion) -> Verdict:
    fmt = PromptFormat(q.prompt_text)
    kind = q.parser_kind.lstrip()  # not rstrip: "split:\n" ends in its separator
    if kind.strip() in ("json.loads", "json", "json.load", "pydantic", "model_validate_json"):
        return _check_json(fmt)
    if kind.startswith("regex:"):
        return _check_regex(kind[len("regex:"):], fmt)
    if kind.startswith("split:"):
        sep = kind[len("split:"):]
        if "\\" in sep:  # the caller may pass the separator as written in source ("\\n")
            try:
                sep = codecs.decode(sep, "unicode_escape")
            except (UnicodeError, ValueError):
                pass
        return _check_split(sep, fmt)
    if kind.strip() in ("int", "float"):
        return _check_number(kind.strip(), fmt)
    return Verdict.unknown(f"Parser kind {kind!r} is not analysed offline.")
