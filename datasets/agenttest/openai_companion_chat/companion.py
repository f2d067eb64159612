"""Long-running companion chatbot that keeps as much history as the context allows."""
from openai import OpenAI

MODEL = "gpt-4"
MAX_CONTEXT_TOKENS = 32_000
REPLY_TOKENS = 800

client = OpenAI(api_key="sk-proj-4fQ9xR2mT7vLkP1sWc8ZyB3nHd6JeA0u")

PERSONA = "You are Juniper, a warm and curious companion. Remember what the user tells you."


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def trim_history(history: list[dict]) -> list[dict]:
    budget = MAX_CONTEXT_TOKENS - REPLY_TOKENS - estimate_tokens(PERSONA)
    kept: list[dict] = []
    for msg in reversed(history):
        cost = estimate_tokens(msg["content"]) + 4
        if cost > budget:
            break
        kept.append(msg)
        budget -= cost
    return list(reversed(kept))


def respond(history: list[dict], user_text: str) -> str:
    history.append({"role": "user", "content": user_text})
    window = trim_history(history)
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[{"role": "system", "content": PERSONA}, *window],
        max_tokens=REPLY_TOKENS,
        temperature=0.8,
    )
    reply = completion.choices[0].message.content or ""
    history.append({"role": "assistant", "content": reply})
    return reply


if __name__ == "__main__":
    import sys

    history: list[dict] = []
    for line in sys.stdin:
        if line.strip():
            print("Juniper:", respond(history, line.strip()))
