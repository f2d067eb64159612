from pathlib import Path

from google import genai
from google.genai import types

from config import CONFIG

client = genai.Client()


def pantry_items() -> list[str]:
    """Return the ingredients currently in the pantry, one per entry."""
    path = Path(CONFIG.pantry_file)
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text().splitlines() if line.strip()]


def scale_quantity(amount_g: float, servings_from: int, servings_to: int) -> float:
    """Scale an ingredient amount in grams from one serving count to another.

    Args:
        amount_g: amount in grams for the original recipe
        servings_from: servings the recipe was written for
        servings_to: servings wanted
    """
    return round(amount_g * servings_to / max(servings_from, 1), 1)


def similar_recipes(query: str) -> list[list[float]]:
    res = client.models.embed_content(model=CONFIG.embed_model, contents=[query])
    return [e.values for e in res.embeddings]


def suggest_servings(guest_note: str) -> int:
    response = client.models.generate_content(
        model=CONFIG.chat_model,
        contents=f"How many servings should I cook for: {guest_note}? Reply with a number only.",
    )
    return int(response.text)


def plan_menu(request: str) -> str:
    response = client.models.generate_content(
        model=CONFIG.embed_model,
        contents=request,
        config=types.GenerateContentConfig(
            system_instruction="Plan a dinner menu from what is in the pantry. Scale recipes to the guest count.",
            tools=[pantry_items, scale_quantity],
            temperature=CONFIG.temperature,
        ),
    )
    return response.text or ""


if __name__ == "__main__":
    guests = suggest_servings("four adults and two kids, one vegetarian")
    print(plan_menu(f"Dinner for {guests} people on Saturday."))
