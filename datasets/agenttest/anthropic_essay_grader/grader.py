import re
import sys
from dataclasses import dataclass
from pathlib import Path

from llm import ClaudeLLM

RUBRIC = """Grade the essay from 0 to 10 using this rubric:
- thesis clarity (0-3)
- use of evidence (0-4)
- structure and style (0-3)

Reply with:
Strengths: <one sentence>
Weaknesses: <one sentence>
Score: <integer>"""


@dataclass
class Grade:
    score: int
    strengths: str
    weaknesses: str


def grade_essay(llm: ClaudeLLM, essay: str) -> Grade:
    feedback = llm.generate(essay, system=RUBRIC)
    score = int(re.search(r"Score:\s*(\d+)", feedback).group(1))
    strengths = re.search(r"Strengths:\s*(.+)", feedback)
    weaknesses = re.search(r"Weaknesses:\s*(.+)", feedback)
    return Grade(
        score=min(score, 10),
        strengths=strengths.group(1).strip() if strengths else "",
        weaknesses=weaknesses.group(1).strip() if weaknesses else "",
    )


if __name__ == "__main__":
    llm = ClaudeLLM()
    for path in sys.argv[1:]:
        g = grade_essay(llm, Path(path).read_text(encoding="utf-8"))
        print(f"{path}: {g.score}/10 | + {g.strengths} | - {g.weaknesses}")
