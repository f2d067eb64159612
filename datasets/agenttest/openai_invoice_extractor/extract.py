from __future__ import annotations

import sys
from pathlib import Path

from openai import OpenAI
from pydantic import BaseModel, Field


class LineItem(BaseModel):
    description: str
    quantity: int = Field(ge=0)
    unit_price: float


class Invoice(BaseModel):
    vendor: str
    invoice_number: str
    currency: str
    items: list[LineItem]

    @property
    def total(self) -> float:
        return sum(i.quantity * i.unit_price for i in self.items)


client = OpenAI()


def extract_invoice(text: str) -> Invoice | None:
    completion = client.beta.chat.completions.parse(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Extract the invoice fields from the document."},
            {"role": "user", "content": text},
        ],
        response_format=Invoice,
    )
    message = completion.choices[0].message
    if message.refusal:
        print(f"model refused: {message.refusal}", file=sys.stderr)
        return None
    return message.parsed


if __name__ == "__main__":
    invoice = extract_invoice(Path(sys.argv[1]).read_text())
    if invoice:
        print(f"{invoice.vendor} #{invoice.invoice_number}: {invoice.total:.2f} {invoice.currency}")
