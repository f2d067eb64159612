import re
import sys

from llm import LLM

SEVERITY_PROMPT = """Rate the severity of this bug report from 1 (cosmetic) to 5 (data loss or outage).
Answer with the number only.

Report:
{report}"""

LABEL_PROMPT = "Suggest one component label (ui, api, db, auth, infra) for this bug:\n{report}"
COMPONENTS = {"ui", "api", "db", "auth", "infra"}


class TriageAgent:
    def __init__(self, llm: LLM | None = None):
        self.llm = llm or LLM()

    def severity(self, report: str) -> int:
        raw = self.llm.generate(SEVERITY_PROMPT.format(report=report), max_tokens=5)
        match = re.search(r"[1-5]", raw)
        if match is None:
            return 3
        return int(match.group(0))

    def component(self, report: str) -> str:
        raw = self.llm.generate(LABEL_PROMPT.format(report=report), max_tokens=10).strip().lower()
        words = raw.split()
        first = words[0].strip(".,:") if words else ""
        return first if first in COMPONENTS else "unknown"

    def triage(self, report: str) -> dict:
        return {"severity": self.severity(report), "component": self.component(report)}


if __name__ == "__main__":
    text = sys.stdin.read()
    result = TriageAgent().triage(text)
    print(f"severity={result['severity']} component={result['component']}")
