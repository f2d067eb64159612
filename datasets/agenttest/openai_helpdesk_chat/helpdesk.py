"""IT helpdesk chat agent for the internal portal."""
import logging
from dataclasses import dataclass, field

from openai import OpenAI

CHAT_MODEL = "gpt-3.5-turbo-instruct"
HISTORY_TURNS = 10

SYSTEM_PROMPT = """You are the IT helpdesk assistant of ACME Corp.
- Help employees with VPN, email, printer and laptop problems.
- If the issue needs a technician, tell the user to open a ticket at https://it.acme.local/tickets.
- Never ask for passwords."""

log = logging.getLogger(__name__)


@dataclass
class Conversation:
    user_id: str
    turns: list = field(default_factory=list)

    def add(self, role: str, content: str) -> None:
        self.turns.append({"role": role, "content": content})
        if len(self.turns) > HISTORY_TURNS * 2:
            self.turns = self.turns[-HISTORY_TURNS * 2 :]


class HelpdeskAgent:
    def __init__(self, client: OpenAI | None = None):
        self.client = client or OpenAI()
        self.sessions: dict[str, Conversation] = {}

    def reply(self, user_id: str, text: str) -> str:
        convo = self.sessions.setdefault(user_id, Conversation(user_id))
        convo.add("user", text)
        response = self.client.chat.completions.create(
            model=CHAT_MODEL,
            messages=[{"role": "system", "content": SYSTEM_PROMPT}, *convo.turns],
            temperature=0.3,
            max_tokens=400,
        )
        answer = response.choices[0].message.content or ""
        convo.add("assistant", answer)
        log.info("user=%s tokens=%s", user_id, response.usage.total_tokens if response.usage else "?")
        return answer


if __name__ == "__main__":
    agent = HelpdeskAgent()
    print(agent.reply("u42", "My VPN disconnects every ten minutes on the train."))
