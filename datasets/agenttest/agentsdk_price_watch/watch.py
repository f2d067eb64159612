import asyncio
import logging
import os

from agents import Agent, Runner, WebSearchTool

logging.basicConfig(level=logging.INFO)
log = logging.getLogger("price_watch")

TARGET_PRICE = float(os.getenv("TARGET_PRICE", "799"))
PRODUCT = os.getenv("PRODUCT", "Framework Laptop 13 (Ryzen 7 7840U)")
CHECK_EVERY_S = 6 * 3600

price_agent = Agent(
    name="Price checker",
    instructions=(
        "Find the current lowest new price in EUR of the given product at major European retailers. "
        "Reply with the number only, no currency sign."
    ),
    tools=[WebSearchTool()],
    model="gpt-4o",
)
summary_agent = Agent(
    name="Deal summarizer",
    instructions="Write a two-sentence alert about a price drop, mentioning the retailer if known.",
    model="gpt-4o-mini",
)


async def current_price(product: str) -> float:
    result = await Runner.run(price_agent, product)
    return float(result.final_output)


async def watch() -> None:
    while True:
        price = await current_price(PRODUCT)
        log.info("%s: %.2f EUR", PRODUCT, price)
        if price <= TARGET_PRICE:
            alert = await Runner.run(summary_agent, f"{PRODUCT} is now {price:.2f} EUR (target {TARGET_PRICE}).")
            print(alert.final_output)
            break
        await asyncio.sleep(CHECK_EVERY_S)


if __name__ == "__main__":
    asyncio.run(watch())
