import argparse

from langchain_anthropic import ChatAnthropic
from langgraph.prebuilt import create_react_agent

from tools import trip_length, weather_outlook

model = ChatAnthropic(model="claude-sonnet-4-6", max_tokens=2048, timeout=60, max_retries=2)

planner = create_react_agent(
    model,
    tools=[weather_outlook, trip_length],
    prompt="You plan short city breaks. Check the weather and the trip length before suggesting a packing list.",
)


def plan(request: str) -> str:
    result = planner.invoke(
        {"messages": [{"role": "user", "content": request}]},
        config={"recursion_limit": 12},
    )
    return result["messages"][-1].content


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description="City break planner")
    ap.add_argument("request", nargs="+")
    print(plan(" ".join(ap.parse_args().request)))
