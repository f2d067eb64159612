"""Weekend trip planner on Gemini with automatic function calling."""
from __future__ import annotations

import datetime as dt
import os

import httpx
from google import genai
from google.genai import types

OPEN_METEO = "https://api.open-meteo.com/v1/forecast"
GEOCODE = "https://geocoding-api.open-meteo.com/v1/search"


def geocode(city: str) -> dict:
    """Look up the coordinates of a city.

    Args:
        city: City name, optionally followed by a country, e.g. "Porto, Portugal".

    Returns:
        A dict with name, latitude and longitude, or an "error" key if the city is unknown.
    """
    r = httpx.get(GEOCODE, params={"name": city, "count": 1}, timeout=10)
    hits = r.json().get("results") or []
    if not hits:
        return {"error": f"no match for {city!r}"}
    h = hits[0]
    return {"name": h["name"], "latitude": h["latitude"], "longitude": h["longitude"]}


def daily_forecast(lat, lon, days):
    r = httpx.get(
        OPEN_METEO,
        params={
            "latitude": lat,
            "longitude": lon,
            "daily": "temperature_2m_max,precipitation_sum",
            "forecast_days": days,
            "timezone": "auto",
        },
        timeout=10,
    )
    d = r.json().get("daily", {})
    return [
        {"date": day, "t_max": t, "rain_mm": p}
        for day, t, p in zip(d.get("time", []), d.get("temperature_2m_max", []), d.get("precipitation_sum", []))
    ]


def plan_weekend(city: str) -> str:
    client = genai.Client(api_key=os.environ["GEMINI_API_KEY"])
    today = dt.date.today().isoformat()
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=f"Today is {today}. Plan a two-day weekend in {city}, adapting to the weather.",
        config=types.GenerateContentConfig(
            system_instruction="You are a practical travel planner. Check the weather before planning.",
            tools=[geocode, daily_forecast],
            temperature=0.4,
        ),
    )
    return response.text or "(no plan produced)"


if __name__ == "__main__":
    import sys

    print(plan_weekend(sys.argv[1] if len(sys.argv) > 1 else "Lisbon"))
