from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel, Field
from pydantic_ai import Agent, ModelRetry, RunContext


@dataclass
class Calendar:
    rooms: dict[str, list[tuple[dt.datetime, dt.datetime]]] = field(default_factory=dict)

    def is_free(self, room: str, start: dt.datetime, end: dt.datetime) -> bool:
        return all(end <= s or start >= e for s, e in self.rooms.get(room, []))


class Booking(BaseModel):
    room: str
    start: dt.datetime
    end: dt.datetime
    attendees: int = Field(ge=1)


desk = Agent(
    "openai:gpt-4.1-mini",
    deps_type=Calendar,
    output_type=Booking,
    instructions="You book meeting rooms. Pick a free room that fits the attendees.",
)

CAPACITY = {"fjord": 4, "tundra": 8, "savanna": 16}


@desk.tool
def free_rooms(ctx: RunContext[Calendar], start: dt.datetime, end: dt.datetime, attendees: int) -> list[str]:
    """List rooms that are free in the interval and seat at least `attendees` people.

    Args:
        start: start of the meeting (ISO 8601)
        end: end of the meeting (ISO 8601)
        attendees: number of people
    """
    if end <= start:
        raise ModelRetry("end must be after start")
    return [r for r, cap in CAPACITY.items() if cap >= attendees and ctx.deps.is_free(r, start, end)]


def book(request: str, calendar: Calendar) -> Booking:
    result = desk.run_sync(request, deps=calendar)
    booking = result.data
    calendar.rooms.setdefault(booking.room, []).append((booking.start, booking.end))
    return booking


if __name__ == "__main__":
    cal = Calendar()
    print(book("Six of us need a room tomorrow 10:00-11:30", cal))
