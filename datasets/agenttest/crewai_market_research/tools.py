import json
from pathlib import Path

from crewai.tools import tool

DATA = Path(__file__).parent / "competitors.json"


def _load() -> dict:
    if not DATA.exists():
        return {}
    try:
        return json.loads(DATA.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}


@tool("Competitor lookup")
def competitor_lookup(company: str) -> str:
    """Return pricing, target segment and notable features for a competitor by company name."""
    info = _load().get(company.strip().lower())
    if not info:
        return f"No stored data about {company}."
    return "\n".join(f"{key}: {value}" for key, value in info.items())


@tool("List competitors")
def list_competitors() -> str:
    """List the competitor names that have stored data."""
    names = sorted(_load())
    return ", ".join(names) if names else "No competitor data available."
