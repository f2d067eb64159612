import csv
import sys

from langchain_core.output_parsers import PydanticOutputParser
from langchain_core.prompts import PromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field, field_validator


class ReviewLabel(BaseModel):
    sentiment: str = Field(description="positive, neutral or negative")
    topics: list[str] = Field(default_factory=list, description="product aspects mentioned")
    stars_guess: int = Field(description="estimated star rating 1-5")

    @field_validator("sentiment")
    @classmethod
    def normalize_sentiment(cls, value: str) -> str:
        value = value.strip().lower()
        if value not in {"positive", "neutral", "negative"}:
            raise ValueError(f"unexpected sentiment {value!r}")
        return value

    @field_validator("stars_guess")
    @classmethod
    def clamp_stars(cls, value: int) -> int:
        return max(1, min(5, value))


parser = PydanticOutputParser(pydantic_object=ReviewLabel)
prompt = PromptTemplate(
    template="Classify this product review.\n{format_instructions}\n\nReview:\n{review}\n",
    input_variables=["review"],
    partial_variables={"format_instructions": parser.get_format_instructions()},
)
chain = prompt | ChatOpenAI(model="gpt-4o-mini", temperature=0) | parser


def main(in_path: str, out_path: str) -> None:
    with open(in_path, newline="", encoding="utf-8") as src, open(out_path, "w", newline="", encoding="utf-8") as dst:
        writer = csv.writer(dst)
        writer.writerow(["id", "sentiment", "stars_guess", "topics"])
        for row in csv.DictReader(src):
            label = chain.invoke({"review": row["text"]})
            writer.writerow([row["id"], label.sentiment, label.stars_guess, ";".join(label.topics)])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
