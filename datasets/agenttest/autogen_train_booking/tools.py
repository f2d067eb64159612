from datetime import time

TIMETABLE = [
    {"id": "ICE 571", "from": "Berlin", "to": "Frankfurt", "dep": time(7, 34), "seats": 12},
    {"id": "ICE 1003", "from": "Berlin", "to": "Munich", "dep": time(8, 2), "seats": 0},
    {"id": "IC 2043", "from": "Cologne", "to": "Frankfurt", "dep": time(9, 15), "seats": 40},
]
BOOKINGS: list[dict] = []


async def find_trains(origin: str, destination: str) -> str:
    matches = [t for t in TIMETABLE if t["from"].lower() == origin.lower() and t["to"].lower() == destination.lower()]
    if not matches:
        return f"No direct trains from {origin} to {destination}."
    return "\n".join(f"{t['id']} departs {t['dep']:%H:%M}, {t['seats']} seats left" for t in matches)


async def book_seat(train_id: str, passenger: str, seat_class: str = "second") -> str:
    """Book one seat on a train for a passenger. seat_class is 'first' or 'second'."""
    train = next((t for t in TIMETABLE if t["id"].lower() == train_id.lower()), None)
    if train is None or train["seats"] == 0:
        print(f"Cannot book {train_id}: unknown train or sold out")
        return
    train["seats"] -= 1
    BOOKINGS.append({"train": train["id"], "passenger": passenger, "class": seat_class})
    return f"Booked {seat_class} class on {train['id']} for {passenger} (booking #{len(BOOKINGS)})."
