"""Access paths of SDK responses compared with the catalog's documented text paths."""

from agentable.cpg.response_paths import documented_paths, on_documented_path, parse_access, reaches_text
from agentable.catalog import load_catalog


def test_parse_access_treats_keys_and_attributes_alike() -> None:
    assert parse_access(".choices[0].message.content") == ("choices", "[]", "message", "content")
    assert parse_access('["choices"][0]["message"]["content"]') == ("choices", "[]", "message", "content")
    assert parse_access(".get_final_message().content[0].text") == ("get_final_message", "()", "content", "[]", "text")
    assert parse_access('[0]["generated_text"]') == ("[]", "generated_text")


def test_reaches_text_per_api() -> None:
    responses = documented_paths(load_catalog().llm_call("openai.OpenAI().responses.create"))
    assert reaches_text(("output_text",), responses) is True
    assert reaches_text(("output", "[]", "arguments"), responses) is True
    assert reaches_text(("output", "[]", "content", "[]", "text"), responses) is True
    assert reaches_text(("output",), responses) is False  # the list of output items
    assert reaches_text(("output", "[]", "type"), responses) is False
    assert reaches_text(("[]", "delta"), responses) is None  # a stream's events: not described
    assert reaches_text(("text",), ()) is None
    assert on_documented_path(("output", "[]"), responses) and not on_documented_path(("status",), responses)


def test_any_field_reaches_text_one_attribute_deep() -> None:
    prediction = (("*",),)  # a DSPy Prediction: every output field is model-written
    assert reaches_text(("rating",), prediction) is True
    assert reaches_text(("completions", "rating"), prediction) is False
    assert reaches_text(("toDict", "()"), prediction) is False
    assert load_catalog().chat_model("dspy.Predict").fields_are_text
    assert not load_catalog().chat_model("dspy.LM").fields_are_text
