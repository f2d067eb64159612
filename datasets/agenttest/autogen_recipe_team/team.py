import asyncio
import sys

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_ext.models.openai import OpenAIChatCompletionClient

PANTRY = {"rice": "500 g", "eggs": "6", "spinach": "200 g", "feta": "150 g", "lemons": "2", "chickpeas": "1 can"}


def pantry_contents() -> str:
    """List what is currently in the pantry with quantities."""
    return "\n".join(f"{item}: {qty}" for item, qty in PANTRY.items())


def scale_quantity(quantity_grams: float, servings_from: int, servings_to: int) -> str:
    """Scale an ingredient amount in grams from one number of servings to another."""
    if servings_from <= 0:
        return "servings_from must be positive"
    return f"{quantity_grams * servings_to / servings_from:.0f} g"


async def plan_dinner(people: int) -> None:
    chef_model = OpenAIChatCompletionClient(
        model="gpt-3.5-turbo-instruct",
        model_info={"vision": False, "function_calling": True, "json_output": False, "family": "unknown"},
    )
    critic_model = OpenAIChatCompletionClient(model="gpt-4o-mini")
    chef = AssistantAgent(
        "chef",
        model_client=chef_model,
        tools=[pantry_contents, scale_quantity],
        system_message="Suggest a dinner recipe using mostly pantry items, scaled to the number of people.",
    )
    nutritionist = AssistantAgent(
        "nutritionist",
        model_client=critic_model,
        system_message="Check the recipe for balance and suggest one improvement.",
    )
    team = RoundRobinGroupChat([chef, nutritionist], termination_condition=MaxMessageTermination(6))
    result = await team.run(task=f"Dinner for {people} people tonight.")
    for message in result.messages:
        print(f"--- {message.source} ---\n{message.content}\n")


if __name__ == "__main__":
    asyncio.run(plan_dinner(int(sys.argv[1]) if len(sys.argv) > 1 else 2))
