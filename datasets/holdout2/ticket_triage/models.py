from __future__ import annotations

import json
from dataclasses import dataclass, field


@dataclass
class TriageReply:
    raw: str
    ticket_id: str
    created_at: float = field(default=0.0)

    @property
    def fields(self) -> dict:
        return json.loads(self.raw)

    @property
    def priority(self) -> str:
        return self.fields["priority"]

    @property
    def team(self) -> str:
        return self.fields.get("team", "general")


@dataclass
class Ticket:
    id: str
    subject: str
    body: str
    customer_tier: str = "standard"
