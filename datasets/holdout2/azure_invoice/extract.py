import json
import logging
from pathlib import Path

from openai import AzureOpenAI

from settings import SETTINGS

log = logging.getLogger("invoices")

client = AzureOpenAI(
    azure_endpoint=SETTINGS.endpoint,
    api_key=SETTINGS.api_key,
    api_version=SETTINGS.api_version,
)

PROMPT = """Extract the vendor, invoice number, currency and total from this invoice.
Respond as JSON: {"vendor": str, "number": str, "currency": str, "total": number}."""


def extract(text: str) -> dict | None:
    completion = client.chat.completions.create(
        model=SETTINGS.deployment,
        messages=[{"role": "system", "content": PROMPT}, {"role": "user", "content": text}],
        response_format={"type": "json_object"},
        temperature=0,
    )
    content = completion.choices[0].message.content or ""
    try:
        data = json.loads(content)
        data["total"] = float(data["total"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError):
        log.warning("unparseable extraction: %r", content[:200])
        return None
    return data


def run(folder: str) -> list[dict]:
    rows = []
    for path in sorted(Path(folder).glob("*.txt")):
        row = extract(path.read_text(encoding="utf-8"))
        if row:
            row["file"] = path.name
            rows.append(row)
    return rows


if __name__ == "__main__":
    import sys

    for r in run(sys.argv[1] if len(sys.argv) > 1 else "inbox"):
        print(f"{r['file']}: {r['vendor']} {r['currency']} {r['total']:.2f}")
