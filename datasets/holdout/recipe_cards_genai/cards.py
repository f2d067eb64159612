"""Turn a pasted recipe into a structured recipe card with Gemini's JSON mode."""
import json
import logging
import sys

from google import genai
from google.genai import types
from pydantic import BaseModel, ValidationError

log = logging.getLogger(__name__)


class Ingredient(BaseModel):
    name: str
    quantity: str


class RecipeCard(BaseModel):
    title: str
    servings: int
    minutes: int
    ingredients: list[Ingredient]
    steps: list[str]


client = genai.Client()


def to_card(raw_recipe: str, retries: int = 2) -> RecipeCard | None:
    for attempt in range(retries + 1):
        response = client.models.generate_content(
            model="gemini-2.5-flash",
            contents=f"Convert this recipe into a recipe card:\n\n{raw_recipe}",
            config=types.GenerateContentConfig(
                response_mime_type="application/json",
                response_schema=RecipeCard,
                temperature=0,
            ),
        )
        if isinstance(response.parsed, RecipeCard):
            return response.parsed
        try:
            return RecipeCard.model_validate(json.loads(response.text or ""))
        except (json.JSONDecodeError, ValidationError) as exc:
            log.warning("attempt %d: unusable card (%s)", attempt + 1, exc)
    return None


if __name__ == "__main__":
    card = to_card(sys.stdin.read())
    if card is None:
        sys.exit("could not build a recipe card")
    print(f"{card.title} - serves {card.servings}, {card.minutes} min")
    for ing in card.ingredients:
        print(f"  {ing.quantity} {ing.name}")
