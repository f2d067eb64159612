import asyncio
from pathlib import Path

from agents import Agent, Runner, function_tool

from hotel_data import AMENITIES_FILE, ROOMS


@function_tool
def available_rooms(night: str, kind: str | None = None) -> list[dict]:
    """List rooms that are free on a night.

    Args:
        night: ISO date of the night, e.g. 2025-06-01.
        kind: optional room type filter: single, double or suite.
    """
    return [
        {"number": r.number, "kind": r.kind, "rate": r.nightly_rate}
        for r in ROOMS
        if night not in r.booked and (kind is None or r.kind == kind)
    ]


@function_tool
def amenities() -> str:
    """Return the hotel's amenities guide (opening hours for spa, gym, restaurant)."""
    path = Path(AMENITIES_FILE)
    if not path.exists():
        return "The amenities guide is not available right now."
    return path.read_text(encoding="utf-8")


@function_tool
def book_room(number: str, night: str) -> str:
    """Reserve a room for one night and return a confirmation or the reason it failed.

    Args:
        number: room number from available_rooms.
        night: ISO date of the night.
    """
    room = next((r for r in ROOMS if r.number == number), None)
    if room is None:
        return f"Room {number} does not exist."
    if night in room.booked:
        return f"Room {number} is already booked on {night}."
    room.booked.add(night)
    return f"Booked room {number} for {night} at {room.nightly_rate:.2f}."


bookings = Agent(
    name="Bookings",
    instructions="Find and book rooms. Always confirm the rate with the guest before booking.",
    tools=[available_rooms, book_room],
    model="gpt-4.1-mini",
)

front_desk = Agent(
    name="Front desk",
    instructions="Greet guests, answer amenity questions, and hand off booking requests to Bookings.",
    tools=[amenities],
    handoffs=[bookings],
    model="gpt-4.1-mini",
)


async def main() -> None:
    result = await Runner.run(front_desk, "Is the spa open on Sunday, and is a double free on 2025-06-01?", max_turns=8)
    print(result.final_output)


if __name__ == "__main__":
    asyncio.run(main())
