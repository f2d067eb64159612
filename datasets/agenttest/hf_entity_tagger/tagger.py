"""Tag press releases with the organisations they mention and pick the main one."""
import re
import sys

from transformers import pipeline

ner = pipeline("ner", model="dslim/bert-base-NER", aggregation_strategy="simple")
writer = pipeline("text-generation", model="distilbert-base-uncased")

MAIN_ORG_PROMPT = """Press release:
{text}

Organisations mentioned: {orgs}
Which organisation is the press release mainly about? Answer as [Name].
Answer:"""


def organisations(text: str) -> list[str]:
    entities = ner(text)
    return sorted({e["word"] for e in entities if e["entity_group"] == "ORG"})


def main_organisation(text: str, orgs: list[str]) -> str:
    prompt = MAIN_ORG_PROMPT.format(text=text[:1500], orgs=", ".join(orgs))
    out = writer(prompt, max_new_tokens=20, return_full_text=False)[0]["generated_text"]
    return re.findall(r"\[([^\]]+)\]", out)[0]


if __name__ == "__main__":
    release = sys.stdin.read()
    orgs = organisations(release)
    print("organisations:", ", ".join(orgs) or "-")
    if orgs:
        print("main:", main_organisation(release, orgs))
