import csv
import sys

import instructor
from instructor.exceptions import InstructorRetryException
from openai import OpenAI
from pydantic import ValidationError

from schema import LeadScore

client = instructor.from_openai(OpenAI())


def score_lead(note: str) -> LeadScore | None:
    try:
        return client.chat.completions.create(
            model="gpt-4o-mini",
            response_model=LeadScore,
            max_retries=2,
            messages=[
                {"role": "system", "content": "Score B2B sales leads from CRM notes."},
                {"role": "user", "content": note},
            ],
        )
    except (InstructorRetryException, ValidationError) as exc:
        print(f"skipping lead: {exc}", file=sys.stderr)
        return None


def main(path: str) -> None:
    with open(path, newline="", encoding="utf-8") as fh:
        notes = [row["note"] for row in csv.DictReader(fh)]
    scored = [s for s in map(score_lead, notes) if s is not None]
    for lead in sorted(scored, key=lambda s: s.score, reverse=True)[:10]:
        print(f"{lead.score:3d}  {lead.segment:<11} {lead.company}  ({'; '.join(lead.reasons)})")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "leads.csv")
