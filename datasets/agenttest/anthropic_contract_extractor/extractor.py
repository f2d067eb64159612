from __future__ import annotations

import logging
from datetime import date

from anthropic import Anthropic
from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)


class ContractTerms(BaseModel):
    party_a: str
    party_b: str
    start_date: date
    end_date: date | None = None
    auto_renew: bool = False
    notice_days: int | None = None


SYSTEM = (
    "Extract the key terms of the contract. Respond with a single JSON object with keys "
    "party_a, party_b, start_date (YYYY-MM-DD), end_date, auto_renew, notice_days. No prose."
)


class ContractExtractor:
    def __init__(self, model: str = "claude-sonnet-4-20250514") -> None:
        self.client = Anthropic()
        self.model = model

    def _ask(self, contract_text: str) -> str:
        msg = self.client.messages.create(
            model=self.model,
            max_tokens=800,
            system=SYSTEM,
            messages=[{"role": "user", "content": contract_text}],
        )
        return "".join(block.text for block in msg.content if block.type == "text")

    def extract(self, contract_text: str, attempts: int = 2) -> ContractTerms | None:
        for n in range(attempts):
            raw = self._ask(contract_text)
            try:
                return ContractTerms.model_validate_json(raw)
            except ValidationError as err:
                log.warning("attempt %d: invalid extraction: %s", n + 1, err.errors()[:2])
        return None


if __name__ == "__main__":
    import sys

    terms = ContractExtractor().extract(open(sys.argv[1], encoding="utf-8").read())
    print(terms.model_dump_json(indent=2) if terms else "extraction failed")
