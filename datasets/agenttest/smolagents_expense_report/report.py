import csv
import json
from pathlib import Path

from smolagents import InferenceClientModel, ToolCallingAgent, tool

RECEIPTS_DIR = Path("receipts")
PER_DIEM = {"de": 28.0, "fr": 35.0, "uk": 40.0}


@tool
def read_receipts(trip_id: str) -> str:
    """
    Read all receipts recorded for a trip as CSV text (date, vendor, amount_eur, category).

    Args:
        trip_id: Identifier of the business trip, e.g. "T-2025-014".
    """
    path = RECEIPTS_DIR / f"{trip_id}.csv"
    if not path.exists():
        return f"No receipts for trip {trip_id}."
    return path.read_text(encoding="utf-8")


@tool
def per_diem_allowance(country_code: str, days: int) -> str:
    """
    Compute the meal per-diem allowance for a trip.

    Args:
        country_code: Two-letter country code such as "de", "fr" or "uk".
        days: Number of travel days.
    """
    rate = PER_DIEM.get(country_code.lower())
    if rate is not None:
        return f"{rate * days:.2f} EUR ({days} days at {rate:.2f})"


agent = ToolCallingAgent(
    tools=[read_receipts, per_diem_allowance],
    model=InferenceClientModel(model_id="meta-llama/Llama-3.3-70B-Instruct"),
    max_steps=8,
)


def build_report(trip_id: str, country: str, days: int) -> dict:
    answer = agent.run(
        f"Prepare the expense report for trip {trip_id} ({days} days in {country}). "
        'Return JSON only: {"total": number, "per_diem": number, "flagged": [string]}'
    )
    report = json.loads(answer)
    report["reimbursable"] = report["total"] + report["per_diem"]
    return report


if __name__ == "__main__":
    rep = build_report("T-2025-014", "fr", 3)
    with open("report.csv", "w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["total", "per_diem", "reimbursable", "flagged"])
        writer.writerow([rep["total"], rep["per_diem"], rep["reimbursable"], "; ".join(rep.get("flagged", []))])
