"""Agent that drafts event poster copy and layout suggestions."""
import sys

from agents import Agent, Runner, function_tool, set_default_openai_key

set_default_openai_key("sk-proj-Hh3Zq8WmR1xLc5Tn0VbK7yPs2Ae9JdFu")

PALETTES = {
    "calm": ["#1d3557", "#457b9d", "#a8dadc", "#f1faee"],
    "energetic": ["#ff006e", "#fb5607", "#ffbe0b", "#3a86ff"],
    "earthy": ["#606c38", "#283618", "#fefae0", "#dda15e"],
}


@function_tool
def color_palette(mood: str) -> str:
    """Suggest a four-color hex palette for a mood: calm, energetic or earthy."""
    colors = PALETTES.get(mood.lower())
    return ", ".join(colors) if colors else f"No palette for {mood}; try calm, energetic or earthy."


@function_tool
def headline_length_check(headline: str) -> str:
    """Check whether a headline fits on an A3 poster (at most 42 characters)."""
    n = len(headline)
    return f"{n} characters - OK" if n <= 42 else f"{n} characters - too long, shorten by {n - 42}"


designer = Agent(
    name="Poster designer",
    instructions=(
        "You design event posters. Produce a headline, a subline, three bullet points of details and a "
        "color palette. Verify the headline length with the tool."
    ),
    tools=[color_palette, headline_length_check],
    model="dall-e-3",
)

if __name__ == "__main__":
    brief = " ".join(sys.argv[1:]) or "Community jazz night, Friday 8pm, free entry, riverside park"
    print(Runner.run_sync(designer, brief).final_output)
