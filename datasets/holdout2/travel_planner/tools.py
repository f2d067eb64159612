import datetime as dt

import httpx
from langchain_core.tools import tool

GEOCODE = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST = "https://api.open-meteo.com/v1/forecast"


@tool
def weather_outlook(city: str, days: int = 3) -> str:
    """Daily max/min temperature (°C) forecast for a city.

    Args:
        city: city name, e.g. "Porto"
        days: number of days to forecast, 1-7
    """
    days = max(1, min(int(days), 7))
    geo = httpx.get(GEOCODE, params={"name": city, "count": 1}, timeout=10).json()
    if not geo.get("results"):
        return f"Could not find a city called {city}."
    place = geo["results"][0]
    fc = httpx.get(
        FORECAST,
        params={
            "latitude": place["latitude"],
            "longitude": place["longitude"],
            "daily": "temperature_2m_max,temperature_2m_min",
            "forecast_days": days,
            "timezone": "auto",
        },
        timeout=10,
    ).json()
    daily = fc.get("daily", {})
    rows = zip(daily.get("time", []), daily.get("temperature_2m_max", []), daily.get("temperature_2m_min", []))
    lines = [f"{d}: {hi}/{lo}" for d, hi, lo in rows]
    return "\n".join(lines) or "No forecast available."


@tool
def trip_length(start: str, end: str) -> str:
    """Number of nights between two ISO dates (YYYY-MM-DD)."""
    try:
        nights = (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days
    except ValueError as exc:
        return f"Invalid date: {exc}"
    return f"{nights} nights" if nights >= 0 else "The end date is before the start date."
