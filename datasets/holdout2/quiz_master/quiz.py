import json
import os
import random
from dataclasses import dataclass

from groq import Groq

client = Groq(api_key=os.environ.get("GROQ_API_KEY"))
MODEL = "llama-3.3-70b-versatile"


@dataclass
class Question:
    prompt: str
    choices: list[str]
    answer_index: int


def _coerce(item: object) -> Question | None:
    if not isinstance(item, dict):
        return None
    prompt, choices, idx = item.get("question"), item.get("choices"), item.get("answer")
    if not isinstance(prompt, str) or not isinstance(choices, list) or len(choices) < 2:
        return None
    try:
        idx = int(idx)
    except (TypeError, ValueError):
        return None
    if not 0 <= idx < len(choices):
        return None
    return Question(prompt, [str(c) for c in choices], idx)


def make_quiz(topic: str, n: int = 5) -> list[Question]:
    chat = client.chat.completions.create(
        model=MODEL,
        messages=[
            {
                "role": "system",
                "content": 'Write multiple-choice questions. Reply as JSON: {"questions": '
                '[{"question": str, "choices": [str, ...], "answer": <index of the correct choice>}]}',
            },
            {"role": "user", "content": f"{n} questions about {topic}"},
        ],
        response_format={"type": "json_object"},
        temperature=0.7,
        max_tokens=2000,
    )
    raw = chat.choices[0].message.content or "{}"
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return []
    items = data.get("questions", []) if isinstance(data, dict) else []
    return [q for q in (_coerce(i) for i in items) if q is not None][:n]


def play(topic: str) -> None:
    quiz = make_quiz(topic)
    if not quiz:
        print("Could not generate a quiz, try another topic.")
        return
    score = 0
    for q in random.sample(quiz, len(quiz)):
        print(q.prompt)
        for i, c in enumerate(q.choices):
            print(f"  {i + 1}. {c}")
        guess = input("> ").strip()
        if guess.isdigit() and int(guess) - 1 == q.answer_index:
            score += 1
    print(f"Score: {score}/{len(quiz)}")


if __name__ == "__main__":
    play(input("Topic: "))
