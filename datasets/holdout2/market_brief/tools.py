from typing import Type

import yfinance as yf
from crewai.tools import BaseTool, tool
from pydantic import BaseModel, Field


@tool("Latest close")
def latest_close(ticker: str) -> str:
    """Return the most recent closing price for a stock ticker such as MSFT."""
    hist = yf.Ticker(ticker).history(period="5d")
    if hist.empty:
        return f"No price data for {ticker}."
    return f"{ticker} closed at {hist['Close'].iloc[-1]:.2f}"


@tool("Company headlines")
def headlines(ticker: str) -> str:
    """Return up to five recent news headlines for a stock ticker."""
    news = yf.Ticker(ticker).news or []
    if news:
        titles = [n.get("content", {}).get("title") or n.get("title", "") for n in news[:5]]
        return "\n".join(f"- {t}" for t in titles if t)


class PeerInput(BaseModel):
    symbol: str = Field(..., description="Stock ticker to compare")
    period: str = Field("1y", description="Look-back period, e.g. 6mo or 1y")


class PeerReturnTool(BaseTool):
    name: str = "Peer return"
    description: str = "Percentage price return of a ticker over a look-back period."
    args_schema: Type[BaseModel] = PeerInput

    def _run(self, ticker: str, window: str = "1y") -> str:
        hist = yf.Ticker(ticker).history(period=window)
        if hist.empty:
            return f"No data for {ticker}."
        change = (hist["Close"].iloc[-1] / hist["Close"].iloc[0] - 1) * 100
        return f"{ticker}: {change:+.1f}% over {window}"
