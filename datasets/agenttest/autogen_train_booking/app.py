import asyncio

from autogen_agentchat.agents import AssistantAgent
from autogen_agentchat.conditions import MaxMessageTermination, TextMentionTermination
from autogen_agentchat.teams import RoundRobinGroupChat
from autogen_agentchat.ui import Console
from autogen_ext.models.openai import OpenAIChatCompletionClient

from tools import book_seat, find_trains


async def main() -> None:
    client = OpenAIChatCompletionClient(model="gpt-4o-mini")
    agent = AssistantAgent(
        name="rail_agent",
        model_client=client,
        tools=[find_trains, book_seat],
        system_message="You help travellers find and book German trains. Say DONE when the booking is confirmed.",
        reflect_on_tool_use=True,
    )
    team = RoundRobinGroupChat(
        [agent],
        termination_condition=TextMentionTermination("DONE") | MaxMessageTermination(10),
    )
    await Console(team.run_stream(task="Book me, Jana Weber, on the earliest train from Berlin to Munich."))
    await client.close()


if __name__ == "__main__":
    asyncio.run(main())
