import os
import json
from pathlib import Path

import google.generativeai as genai

genai.configure(api_key=os.environ["GOOGLE_API_KEY"])

PANTRY_FILE = Path(os.environ.get("PANTRY_FILE", "pantry.json"))


def list_pantry() -> str:
    """List the ingredients currently in the user's pantry, one per line."""
    try:
        items = json.loads(PANTRY_FILE.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return f"Pantry unavailable: {exc}"
    return "\n".join(f"{name}: {qty}" for name, qty in items.items()) or "The pantry is empty."


def scale_recipe(servings_from: int, servings_to: int, amount_grams: float) -> str:
    """Scale an ingredient amount between serving sizes.

    Args:
        servings_from: Number of servings the original recipe makes.
        servings_to: Number of servings wanted.
        amount_grams: Amount of the ingredient in the original recipe, in grams.
    """
    if servings_from <= 0:
        return "servings_from must be positive."
    return f"{amount_grams * servings_to / servings_from:.0f} g"


model = genai.GenerativeModel(
    model_name="gemini-2.0-flash",
    tools=[list_pantry, scale_recipe],
    system_instruction="You are a helpful cooking assistant. Use the tools when relevant.",
)


def main() -> None:
    chat = model.start_chat(enable_automatic_function_calling=True)
    for prompt in (
        "What could I cook tonight with what I have?",
        "The recipe uses 300 g of rice for 4 people; how much for 6?",
    ):
        reply = chat.send_message(prompt)
        print(f"> {prompt}\n{reply.text}\n")


if __name__ == "__main__":
    main()
