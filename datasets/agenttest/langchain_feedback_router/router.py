from typing import Literal

from langchain_core.exceptions import OutputParserException
from langchain_core.output_parsers import PydanticOutputParser, StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field


class Route(BaseModel):
    category: Literal["bug", "feature", "praise", "other"] = Field(description="Kind of feedback")
    confidence: float = Field(ge=0, le=1, description="Confidence between 0 and 1")


route_parser = PydanticOutputParser(pydantic_object=Route)

classify_prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "Classify product feedback.\n{format_instructions}"),
        ("human", "{feedback}"),
    ]
).partial(format_instructions=route_parser.get_format_instructions())

model = ChatOpenAI(model="gpt-4o-mini", temperature=0)
classifier = classify_prompt | model | route_parser

HANDLER_PROMPTS = {
    "bug": "Rewrite this bug report as steps to reproduce, expected and actual behaviour:\n{feedback}",
    "feature": "Summarize this feature request as a one-paragraph user story:\n{feedback}",
    "praise": "Write a two-sentence thank-you reply to this feedback:\n{feedback}",
    "other": "Summarize this feedback in one sentence:\n{feedback}",
}
handlers = {
    name: ChatPromptTemplate.from_template(text) | model | StrOutputParser()
    for name, text in HANDLER_PROMPTS.items()
}


def route(feedback: str) -> tuple[str, str]:
    try:
        decision = classifier.invoke({"feedback": feedback})
        category = decision.category if decision.confidence >= 0.5 else "other"
    except OutputParserException:
        category = "other"
    return category, handlers[category].invoke({"feedback": feedback})


if __name__ == "__main__":
    samples = [
        "The export button crashes the app when the table is empty.",
        "Would love a dark mode!",
        "Your support team was fantastic yesterday.",
    ]
    for text in samples:
        cat, out = route(text)
        print(f"[{cat}] {out}\n")
