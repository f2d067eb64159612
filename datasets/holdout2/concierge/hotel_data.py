from dataclasses import dataclass, field


@dataclass
class Room:
    number: str
    kind: str
    nightly_rate: float
    booked: set[str] = field(default_factory=set)


ROOMS = [
    Room("101", "single", 89.0),
    Room("204", "double", 129.0),
    Room("310", "suite", 240.0),
]

AMENITIES_FILE = "amenities.md"
