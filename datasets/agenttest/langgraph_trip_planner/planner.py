import json
import sys

from langchain_core.tools import tool
from langchain_ollama import ChatOllama
from langgraph.prebuilt import create_react_agent

ATTRACTIONS = {
    "lisbon": ["Belem Tower", "Alfama walk", "LX Factory", "Time Out Market"],
    "kyoto": ["Fushimi Inari", "Arashiyama bamboo grove", "Kinkaku-ji", "Nishiki market"],
}


@tool
def list_attractions(city: str) -> str:
    """Return the main sights of a city as a comma-separated list."""
    sights = ATTRACTIONS.get(city.strip().lower())
    return ", ".join(sights) if sights else f"No attraction data for {city}."


@tool
def travel_minutes(origin: str, destination: str) -> str:
    """Estimate walking/transit minutes between two sights in the same city."""
    return str(15 + (len(origin) * 7 + len(destination) * 3) % 40)


PLANNER_PROMPT = (
    "You plan one-day city trips. Use the tools, then reply ONLY with JSON: "
    '{"city": str, "steps": [{"time": "HH:MM", "place": str, "note": str}]}'
)

model = ChatOllama(model="codellama:7b-code", temperature=0)
agent = create_react_agent(model, tools=[list_attractions, travel_minutes], prompt=PLANNER_PROMPT)


def plan_day(city: str) -> list[dict]:
    result = agent.invoke({"messages": [("user", f"Plan a relaxed day in {city} starting at 09:00.")]})
    final = result["messages"][-1]
    plan = json.loads(final.content)
    return plan["steps"]


if __name__ == "__main__":
    for step in plan_day(sys.argv[1] if len(sys.argv) > 1 else "Lisbon"):
        print(f"{step['time']}  {step['place']:<28} {step.get('note', '')}")
