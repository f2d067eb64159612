import json
import logging
import sys
from typing import List, Optional

import anthropic
from pydantic import BaseModel, ValidationError

logger = logging.getLogger(__name__)


class Job(BaseModel):
    company: str
    title: str
    start_year: int
    end_year: Optional[int] = None


class Resume(BaseModel):
    name: str
    email: Optional[str] = None
    skills: List[str] = []
    jobs: List[Job] = []


SCHEMA_HINT = json.dumps(
    {"name": "str", "email": "str|null", "skills": ["str"], "jobs": [{"company": "str", "title": "str", "start_year": 2020, "end_year": None}]}
)


def parse_resume(text: str) -> Optional[Resume]:
    client = anthropic.Anthropic()
    reply = client.messages.create(
        model="claude-sonnet-4-20250514",
        max_tokens=1500,
        system=f"Extract the resume into JSON matching this shape: {SCHEMA_HINT}. Output JSON only.",
        messages=[{"role": "user", "content": text}],
    )
    raw = "".join(b.text for b in reply.content if b.type == "text")
    try:
        return Resume.model_validate_json(raw)
    except ValidationError as exc:
        logger.error("resume did not validate: %s", exc)
        return None


if __name__ == "__main__":
    resume = parse_resume(open(sys.argv[1], encoding="utf-8").read())
    if resume is not None:
        print(resume.json(indent=2))
