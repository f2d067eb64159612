import asyncio

import yfinance as yf
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.core.tools import FunctionTool
from llama_index.llms.openai import OpenAI


def last_close(ticker: str, currency: str = "USD") -> float:
    """Closing price of the last trading day for a ticker symbol."""
    hist = yf.Ticker(ticker).history(period="5d")
    if hist.empty:
        raise ValueError(f"unknown ticker {ticker}")
    return round(float(hist["Close"].iloc[-1]), 2)


def pct_change(ticker: str, days: int = 30) -> float:
    """Percentage change of the closing price over the last `days` trading days.

    Args:
        ticker: exchange ticker symbol, e.g. MSFT
        days: look-back window in trading days
    """
    hist = yf.Ticker(ticker).history(period=f"{days + 5}d")["Close"].tail(days + 1)
    if len(hist) < 2:
        raise ValueError(f"not enough history for {ticker}")
    return round((hist.iloc[-1] / hist.iloc[0] - 1) * 100, 2)


price_tool = FunctionTool.from_defaults(
    fn=last_close,
    name="last_close",
    description="last_close(symbol: str, exchange: str) -> str: latest quote text for a symbol on the given exchange.",
)
change_tool = FunctionTool.from_defaults(fn=pct_change)

agent = FunctionAgent(
    tools=[price_tool, change_tool],
    llm=OpenAI(model="gpt-3.5-turbo-instruct", temperature=0),
    system_prompt="You are a terse equity desk assistant. Always quote numbers with their units.",
)


async def main() -> None:
    response = await agent.run(user_msg="How did NVDA do this month, and where did it close?")
    print(str(response))


if __name__ == "__main__":
    asyncio.run(main())
