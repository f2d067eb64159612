import json
import math
import sys

from openai import OpenAI

import config

ATTRACTIONS = [
    "Louvre Museum - world's largest art museum",
    "Eiffel Tower - iron lattice tower with city views",
    "Musee d'Orsay - impressionist paintings in a former railway station",
    "Le Marais - historic district with boutiques and falafel",
    "Sainte-Chapelle - gothic chapel famous for stained glass",
    "Canal Saint-Martin - relaxed walks and cafes",
    "Pere Lachaise Cemetery - resting place of many artists",
    "Montmartre - hilltop village and Sacre-Coeur basilica",
]

client = OpenAI()


def _cos(a, b):
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)))


def rank_attractions(interests: str) -> list[str]:
    resp = client.embeddings.create(model=config.EMBED_MODEL, input=[interests, *ATTRACTIONS])
    query, *docs = [d.embedding for d in resp.data]
    scored = sorted(zip(ATTRACTIONS, docs), key=lambda p: _cos(query, p[1]), reverse=True)
    return [name for name, _ in scored[: config.TOP_K_ATTRACTIONS]]


def plan_trip(interests: str, days: int = config.DEFAULT_DAYS) -> dict:
    shortlist = rank_attractions(interests)
    prompt = (
        f"Plan a {days}-day Paris itinerary for someone interested in: {interests}.\n"
        "Use only these attractions:\n- " + "\n- ".join(shortlist) + "\n"
        'Return JSON: {"days": [{"day": 1, "morning": "...", "afternoon": "..."}]}'
    )
    chat = client.chat.completions.create(
        model=config.PLANNER_MODEL,
        messages=[{"role": "user", "content": prompt}],
        temperature=0.4,
    )
    itinerary = json.loads(chat.choices[0].message.content)
    return itinerary


if __name__ == "__main__":
    plan = plan_trip(" ".join(sys.argv[1:]) or "impressionism and food")
    for day in plan["days"]:
        print(f"Day {day['day']}: {day['morning']} / {day['afternoon']}")
