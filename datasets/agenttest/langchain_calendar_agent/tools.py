from datetime import datetime, timedelta

from langchain_core.tools import tool

_EVENTS: list[dict] = []


@tool
def add_event(title: str, start_iso: str, duration_minutes: int = 30) -> str:
    """Add a calendar event. start_iso is an ISO timestamp such as '2025-03-01T14:00'."""
    try:
        start = datetime.fromisoformat(start_iso)
    except ValueError:
        return f"Could not parse start time {start_iso!r}; use ISO format."
    _EVENTS.append({"title": title, "start": start, "end": start + timedelta(minutes=duration_minutes)})
    return f"Added '{title}' on {start:%a %d %b %H:%M}."


@tool
def list_events(day_iso: str) -> str:
    """List events on a given day, written as 'YYYY-MM-DD'."""
    try:
        day = datetime.fromisoformat(day_iso).date()
    except ValueError:
        return f"Could not parse day {day_iso!r}."
    todays = sorted((e for e in _EVENTS if e["start"].date() == day), key=lambda e: e["start"])
    if not todays:
        return "Nothing scheduled."
    return "\n".join(f"{e['start']:%H:%M}-{e['end']:%H:%M} {e['title']}" for e in todays)


TOOLS = [add_event, list_events]
