"""Deterministic answers on realistic agent code: mismatches on strong evidence, "unknown" on weak."""

from __future__ import annotations

import datetime as dt

import pytest

from agentable.nl_check.lexicon import content_stems, split_words, stem
from agentable.nl_check.offline import answer_offline, check_model_suitability
from agentable.nl_check.parser_check import regex_requirements
from agentable.nl_check.questions import (
    ModelSuitabilityQuestion,
    PromptParserQuestion,
    StopFormatQuestion,
    ToolDescriptionQuestion,
    Verdict,
)

REACT = """Answer the following questions as best you can. You have access to the following tools:

{tools}

Use the following format:

Question: the input question you must answer
Thought: you should always think about what to do
Action: the action to take, should be one of [{tool_names}]
Action Input: the input to the action
Observation: the result of the action
... (this Thought/Action/Action Input/Observation can repeat N times)
Thought: I now know the final answer
Final Answer: the final answer to the original input question

Begin!

Question: {input}
Thought:{agent_scratchpad}"""
REACT_REGEX = r"Action\s*\d*\s*:[\s]*(.*?)[\s]*Action\s*\d*\s*Input\s*\d*\s*:[\s]*(.*)"


def tool(name: str, description: str, source: str, identifiers: tuple[str, ...] = (),
         params: tuple[str, ...] = ()) -> ToolDescriptionQuestion:
    return ToolDescriptionQuestion(name, description, params, {}, source, identifiers)


# -- Verdict ---------------------------------------------------------------------------------

def test_verdict_defect_follows_the_answer_and_confidence_is_clamped():
    assert Verdict("no", 1.7, "r", "llm").defect is True
    assert Verdict("no", 1.7, "r", "llm").confidence == 1.0
    assert Verdict("yes", -2, "r", "cache").defect is False
    assert Verdict.unknown("r").defect is False
    with pytest.raises(ValueError):
        Verdict("maybe", 0.5, "r", "llm")  # type: ignore[arg-type]


# -- lexicon ---------------------------------------------------------------------------------

def test_identifier_splitting_and_stemming():
    assert split_words("getWeatherURL_forCity") == ["get", "weather", "url", "for", "city"]
    assert stem("searches") == stem("searching") == stem("searched") == "search"
    assert stem("queries") == "query" and stem("emails") == "email"
    assert content_stems("Returns the current temperature") == {"temperatur"}


# -- tool description vs implementation -------------------------------------------------------

SEND_EMAIL = '''
@tool
def send_email(to: str, body: str) -> str:
    """Search the web for the latest news about a topic."""
    server = smtplib.SMTP("smtp.example.com", 587)
    server.sendmail("bot@example.com", to, body)
    server.quit()
    return "sent"
'''


def test_mismatch_on_strong_evidence():
    v = answer_offline(tool("send_email", "Search the web for the latest news about a topic.", SEND_EMAIL,
                            ("smtplib.SMTP", "server.sendmail", "server.quit"), ("to", "body")))
    assert v.answer == "no" and v.defect and v.source == "deterministic"
    assert "email" in v.reason


def test_mismatch_where_the_name_is_neutral_but_code_is_sql():
    src = '''
def helper(customer_id):
    """Translate a sentence into French."""
    cur = sqlite3.connect("crm.db").cursor()
    cur.execute("SELECT * FROM orders WHERE customer_id = ?", (customer_id,))
    return cur.fetchall()
'''
    assert answer_offline(tool("helper", "Translate a sentence into French.", src)).answer == "no"


def test_synonyms_count_as_agreement():
    src = '''
def get_weather(city):
    """Get the current forecast for a city."""
    return requests.get(f"https://api.openweathermap.org/data/2.5/weather?q={city}").json()
'''
    v = answer_offline(tool("get_weather", "Get the current forecast for a city.", src))
    assert v.answer == "unknown"  # never "yes" offline, and certainly not "no"


def test_description_matching_only_through_the_synonym_table_is_not_flagged():
    src = '''
def lookup_customer(name):
    """Find a customer record in the database."""
    return cursor.execute("SELECT * FROM customers WHERE name = %s", (name,)).fetchone()
'''
    v = answer_offline(tool("lookup_customer", "Find a customer record in the database.", src))
    assert v.answer == "unknown"


def test_weak_evidence_stays_unknown():
    # No shared words, but the code has no clear domain: lexical evidence cannot decide.
    src = '''
def helper(x):
    """Summarize the article in three sentences."""
    return x.strip()[:500]
'''
    assert answer_offline(tool("helper", "Summarize the article in three sentences.", src)).answer == "unknown"


def test_single_domain_word_in_code_is_not_enough():
    src = "def f(x):\n    return open(x).name\n"
    assert answer_offline(tool("f", "Translate a sentence into French.", src)).answer == "unknown"


def test_short_description_is_unknown():
    assert answer_offline(tool("send_email", "Tool.", SEND_EMAIL)).answer == "unknown"


def test_docstring_is_not_counted_as_code_evidence():
    # If the docstring counted, the description would overlap with itself and hide the mismatch.
    v = answer_offline(tool("send_email", "Search the web for the latest news about a topic.", SEND_EMAIL,
                            ("Search the web for the latest news about a topic.", "smtplib.SMTP", "sendmail")))
    assert v.answer == "no"


# -- prompt vs parser -------------------------------------------------------------------------

@pytest.mark.parametrize("prompt, parser, expected", [
    ('Respond in JSON with keys "name" and "age".', "json.loads", "yes"),
    (REACT, f"regex:{REACT_REGEX}", "yes"),
    (REACT, r"regex:Final Result:\s*(.*)", "no"),
    ("{format_instructions}\nQuestion: {q}", r"regex:Final Result:\s*(.*)", "unknown"),
    (REACT, r"regex:(?:Final Answer|Action):\s*(.*)", "yes"),
    (REACT, "json.loads", "no"),
    ("Is the statement true? Answer yes or no.", "json.loads", "no"),
    ("Summarize the text for the user.", "json.loads", "unknown"),
    ("Rate the answer from 1 to 10. Reply with only the number.", "int", "yes"),
    ("Rate the answer from 1 to 10 and explain your reasoning step by step.", "int", "no"),
    ('Return a JSON object {"score": <int>}.', "int", "no"),
    ("Rate the answer.", "int", "unknown"),
    (REACT, "split:Final Answer:", "yes"),
    ("Give a short answer.", "split:Final Answer:", "no"),
    ("List three cities, one per line.", "split:\\n", "yes"),
    ("List three cities, comma-separated.", "split:,", "yes"),
    ("List three cities.", "split:,", "unknown"),
    ("Anything.", "xml", "unknown"),
    # a closing tag is asked for by naming the tag the model is told to wrap its answer in
    ("Plan the project. Wrap the JSON object in <folder_structure> tags.",
     r"regex:<folder_structure>(.*?)</folder_structure>", "yes"),
    ("Plan the project. Reply with the JSON object only.", r"regex:<folder_structure>(.*?)</folder_structure>", "no"),
])
def test_prompt_parser(prompt, parser, expected):
    v = answer_offline(PromptParserQuestion(prompt, parser))
    assert v.answer == expected, v.reason


def test_regex_requirements_know_optional_parts_and_alternatives():
    reqs = regex_requirements(r"(?:Final Answer|Action):\s*(\w+)(Note: .*)?")
    assert reqs == [[["Final Answer"], ["Action"]], ":"]


def test_bad_regex_is_unknown():
    assert answer_offline(PromptParserQuestion(REACT, "regex:(unclosed")).answer == "unknown"


# -- stop sequences vs format -----------------------------------------------------------------

@pytest.mark.parametrize("stops, expected", [
    (("\nObservation:",), "yes"),
    (("Observation:", "\n\tObservation:"), "yes"),
    (("Action:",), "no"),
    (("\nFinal Answer",), "no"),
    (("\n",), "no"),
    (("Thought:",), "unknown"),  # the prompt pre-fills "Thought:" itself
    ((), "yes"),
])
def test_stop_sequences_with_react(stops, expected):
    v = answer_offline(StopFormatQuestion(stops, REACT))
    assert v.answer == expected, v.reason


def test_stop_brace_with_json_output():
    v = answer_offline(StopFormatQuestion(("}",), 'Reply with a JSON object {"city": ..., "days": ...}.'))
    assert v.answer == "no" and "JSON" in v.reason


def test_stop_newline_with_single_line_json_is_fine():
    assert answer_offline(StopFormatQuestion(("\n",), "Reply with one line of JSON.")).answer == "yes"


def test_stop_code_fence():
    prompt = "Reply with the code in a ```python fenced block."
    assert answer_offline(StopFormatQuestion(("```",), prompt)).answer == "no"


def test_explicit_format_markers_are_used():
    q = StopFormatQuestion(("ANSWER",), "Follow the format.", format_markers=("REASONING:", "ANSWER:"))
    assert answer_offline(q).answer == "no"


def test_stop_without_a_known_format_is_unknown():
    assert answer_offline(StopFormatQuestion(("###",), "Write a poem about the sea.")).answer == "unknown"


# -- model suitability ------------------------------------------------------------------------

TABLE = {
    "gpt-4o": {"kind": "chat", "tools": True, "retired": None},
    "text-embedding-3-small": {"kind": "embedding", "tools": False, "retired": None},
    "gpt-3.5-turbo-instruct": {"kind": "completion", "tools": False, "retired": None},
    "old-chat": {"kind": "chat", "tools": True, "retired": "2024-06-13"},
    "future-retire": {"kind": "chat", "tools": True, "retired": "2999-01-01"},
    "no-tools": {"kind": "chat", "tools": False, "retired": None},
    "vague": {"kind": "chat"},
}


@pytest.mark.parametrize("model, role, expected", [
    ("gpt-4o", "tool-calling-agent", "yes"),
    ("gpt-4o", "json-output", "yes"),
    ("text-embedding-3-small", "chat-agent", "no"),
    ("gpt-3.5-turbo-instruct", "chat-agent", "no"),
    ("gpt-3.5-turbo-instruct", "json-output", "unknown"),
    ("old-chat", "chat-agent", "no"),
    ("future-retire", "chat-agent", "yes"),
    ("no-tools", "tool-calling-agent", "no"),
    ("no-tools", "chat-agent", "yes"),
    ("vague", "tool-calling-agent", "unknown"),
    ("gpt-17-ultra", "chat-agent", "unknown"),
    ("gpt-4o", "painter", "unknown"),
])
def test_model_suitability(model, role, expected):
    v = check_model_suitability(ModelSuitabilityQuestion(model, role, "openai"), TABLE.get,
                                today=dt.date(2026, 11, 23))
    assert v.answer == expected, v.reason


def test_model_suitability_without_a_table_or_with_a_broken_one():
    q = ModelSuitabilityQuestion("gpt-4o", "chat-agent")
    assert answer_offline(q).answer == "unknown"

    def broken(model_id: str) -> dict:
        raise KeyError(model_id)

    assert answer_offline(q, broken).answer == "unknown"
