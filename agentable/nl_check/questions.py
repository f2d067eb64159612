"""Typed questions the rules ask the natural-language checker, and the verdict it returns.

Polarity is the same for every question kind: "yes" means the thing is fine, "no" means a
defect, "unknown" means the checker could not tell. `Verdict.defect` spells that out so rules
never have to remember it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Literal, Union

Answer = Literal["yes", "no", "unknown"]
Source = Literal["deterministic", "llm", "cache"]
ANSWERS: tuple[str, ...] = ("yes", "no", "unknown")
# A model's "no" below this confidence is not reported (Verdict.reportable).
MIN_MODEL_CONFIDENCE = 0.6
SOURCES: tuple[str, ...] = ("deterministic", "llm", "cache")


@dataclass(frozen=True)
class ToolDescriptionQuestion:
    """Is the tool's name/description consistent with what its implementation does?

    yes = consistent; no = the name/description promises something the code does not do (defect).
    """

    kind: ClassVar[str] = "tool_description"
    # Lexical evidence can only ever show a mismatch, never consistency: let the LLM read the code.
    llm_always: ClassVar[bool] = True

    tool_name: str
    description: str
    param_names: tuple[str, ...] = ()
    param_docs: dict[str, str] = field(default_factory=dict, hash=False)
    implementation: str = ""  # source text of the function
    identifiers: tuple[str, ...] = ()  # called functions, attributes, string literals in the body


@dataclass(frozen=True)
class PromptParserQuestion:
    """Does the parser accept what the prompt asks the model to produce?

    parser_kind: "json.loads" | "regex:<pattern>" | "split:<sep>" | "int" | "float".
    yes = the parser accepts the requested format; no = it would reject it (defect).
    """

    kind: ClassVar[str] = "prompt_parser"
    llm_always: ClassVar[bool] = False

    prompt_text: str
    parser_kind: str
    parser_detail: str = ""  # free text: e.g. keys read from the parsed object, regex flags
    # the keys the code reads from the parsed reply: the deterministic pass compares only the
    # format ("asks for JSON"), so with these a "yes" of its own is still put to the model
    fields_read: tuple[str, ...] = ()

    @property
    def wants_llm(self) -> bool:
        return bool(self.fields_read)


@dataclass(frozen=True)
class StopFormatQuestion:
    """Are the stop sequences compatible with the output format the prompt requires?

    format_markers: markers of the required format (e.g. "Thought:", "Action:"); may be empty,
    then they are read from the prompt. yes = no stop sequence cuts off the format;
    no = a stop sequence truncates part of what the model must write (defect).
    """

    kind: ClassVar[str] = "stop_format"
    llm_always: ClassVar[bool] = False

    stop_sequences: tuple[str, ...]
    prompt_text: str
    format_markers: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModelSuitabilityQuestion:
    """Is this model suitable for the role it is used in?

    role: "chat-agent" | "tool-calling-agent" | "json-output".
    yes = suitable; no = unsuitable: wrong model kind, no tool calling, retired (defect).
    """

    kind: ClassVar[str] = "model_suitability"
    llm_always: ClassVar[bool] = False

    model_id: str
    role: str
    provider: str = ""


@dataclass(frozen=True)
class MarkerPromptQuestion:
    """Does a reply that follows the prompt contain the marker the code waits for, in the form the
    code's test needs (`"TERMINATE" in reply`, `reply.startswith("FINAL ANSWER:")`)?

    test: the source text of the test; code: the lines around it.
    yes = a well-behaved reply passes the test when it should; no = the prompt asks for other
    wording (another spelling, case or marker), so the branch the test guards never runs (defect).
    """

    kind: ClassVar[str] = "marker_prompt"
    llm_always: ClassVar[bool] = False

    marker: str
    test: str
    prompt_text: str
    code: str = ""
    case_folded: bool = False  # the code lowers (or uppers) the reply before the test


Question = Union[
    ToolDescriptionQuestion, PromptParserQuestion, StopFormatQuestion, ModelSuitabilityQuestion,
    MarkerPromptQuestion,
]
QUESTION_TYPES: tuple[type, ...] = (
    ToolDescriptionQuestion,
    PromptParserQuestion,
    StopFormatQuestion,
    ModelSuitabilityQuestion,
    MarkerPromptQuestion,
)


def wants_llm(question: Question) -> bool:
    """Is the question put to the model even when the deterministic pass answered it?"""
    return question.llm_always or bool(getattr(question, "wants_llm", False))


@dataclass(frozen=True)
class Verdict:
    """What a question's source answered. `defect` is the bare answer; `reportable` is whether a rule
    may report it: a model's "no" counts only from MIN_MODEL_CONFIDENCE up (a hesitant "no" is a
    guess, and a finding from a guess is a false alarm half the time)."""

    answer: Answer
    confidence: float  # 0..1, how sure the source is of `answer`
    reason: str  # one sentence, suitable for Finding.checker_reason
    source: Source  # deterministic | llm | cache
    defect: bool = field(init=False)  # answer == "no": the question found a defect

    def __post_init__(self) -> None:
        if self.answer not in ANSWERS:
            raise ValueError(f"answer must be one of {ANSWERS}, not {self.answer!r}")
        if self.source not in SOURCES:
            raise ValueError(f"source must be one of {SOURCES}, not {self.source!r}")
        confidence = min(1.0, max(0.0, float(self.confidence)))
        object.__setattr__(self, "confidence", confidence)
        object.__setattr__(self, "defect", self.answer == "no")

    @property
    def reportable(self) -> bool:
        return self.defect and (self.source == "deterministic" or self.confidence >= MIN_MODEL_CONFIDENCE)

    @classmethod
    def unknown(cls, reason: str, source: Source = "deterministic") -> "Verdict":
        return cls("unknown", 0.0, reason, source)
