"""Extract contact details from email signatures."""
import csv
import sys
from dataclasses import dataclass

from pydantic_ai import Agent

extractor = Agent(
    "openai:gpt-4o-mini",
    system_prompt=(
        "Extract the sender's contact details from an email signature. "
        "Answer on one line as: name, company, phone, years_at_company"
    ),
)

title_agent = Agent("openai:gpt-4o-mini", system_prompt="Return the job title found in the signature, or 'unknown'.")


@dataclass
class Contact:
    name: str
    company: str
    phone: str
    tenure_years: int
    title: str


def extract(signature: str) -> Contact:
    line = extractor.run_sync(signature).output
    fields = [part.strip() for part in line.split(",")]
    title = title_agent.run_sync(signature).output.strip() or "unknown"
    return Contact(
        name=fields[0],
        company=fields[1],
        phone=fields[2],
        tenure_years=int(fields[3]),
        title=title,
    )


def main(paths: list[str]) -> None:
    writer = csv.writer(sys.stdout)
    writer.writerow(["name", "company", "phone", "tenure_years", "title"])
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            c = extract(fh.read())
        writer.writerow([c.name, c.company, c.phone, c.tenure_years, c.title])


if __name__ == "__main__":
    main(sys.argv[1:])
