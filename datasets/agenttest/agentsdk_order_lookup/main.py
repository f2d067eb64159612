import asyncio
import json

from agents import Agent, Runner

from tools import cancel_order, get_order

agent = Agent(
    name="Order desk",
    instructions=(
        "You manage customer orders. After acting, reply ONLY with JSON of the form "
        '{"order_id": str, "status": str, "message": str}.'
    ),
    tools=[get_order, cancel_order],
    model="gpt-4o",
)


async def process(request: str) -> dict:
    result = await Runner.run(agent, request)
    payload = json.loads(result.final_output)
    print(f"[{payload['order_id']}] -> {payload['status']}")
    return payload


async def main() -> None:
    requests = [
        "Please cancel SO-5521, I ordered the wrong size.",
        "What's the status of SO-5522?",
    ]
    for outcome in await asyncio.gather(*(process(r) for r in requests)):
        print(outcome["message"])


if __name__ == "__main__":
    asyncio.run(main())
