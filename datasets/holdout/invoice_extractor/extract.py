"""Pull structured fields out of supplier invoices (plain text from the OCR step)."""
import json
import os
import sys
from dataclasses import dataclass, field

from openai import OpenAI

client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])
MODEL = os.getenv("INVOICE_MODEL", "gpt-4.1-mini")

SYSTEM = (
    "You extract invoice data. Reply with a JSON object with the keys "
    "vendor, invoice_number, currency, total, line_items (list of {description, amount})."
)


@dataclass
class Invoice:
    vendor: str
    invoice_number: str
    currency: str
    total: float
    line_items: list = field(default_factory=list)


def count_pages(ocr_text: str) -> int:
    """Ask the model how many pages the scan had; fall back to form feeds."""
    reply = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "Answer with a single integer."},
            {"role": "user", "content": f"How many pages does this scan have?\n\n{ocr_text[:4000]}"},
        ],
        max_tokens=5,
    )
    raw = (reply.choices[0].message.content or "").strip()
    try:
        return max(1, int(raw))
    except ValueError:
        return ocr_text.count("\f") + 1


def extract(ocr_text: str) -> Invoice:
    completion = client.chat.completions.create(
        model=MODEL,
        temperature=0,
        messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": ocr_text},
        ],
    )
    content = completion.choices[0].message.content
    data = json.loads(content)
    return Invoice(
        vendor=data["vendor"],
        invoice_number=str(data["invoice_number"]),
        currency=data.get("currency", "EUR"),
        total=float(data["total"]),
        line_items=data.get("line_items", []),
    )


def main(path: str) -> None:
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    inv = extract(text)
    pages = count_pages(text)
    print(f"{inv.vendor} #{inv.invoice_number}: {inv.total:.2f} {inv.currency} ({pages} pages)")
    for item in inv.line_items:
        print(f"  - {item.get('description')}: {item.get('amount')}")


if __name__ == "__main__":
    main(sys.argv[1])
