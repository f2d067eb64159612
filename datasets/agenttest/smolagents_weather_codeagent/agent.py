import requests
from smolagents import CodeAgent, InferenceClientModel, tool


@tool
def get_forecast(latitude: float, longitude: float, days: int = 3) -> str:
    """
    Get the daily min/max temperature forecast for a location.

    Args:
        latitude: Latitude of the location in decimal degrees.
        longitude: Longitude of the location in decimal degrees.
        days: Number of days to forecast, between 1 and 7.
    """
    days = max(1, min(7, days))
    try:
        resp = requests.get(
            "https://api.open-meteo.com/v1/forecast",
            params={
                "latitude": latitude,
                "longitude": longitude,
                "daily": "temperature_2m_max,temperature_2m_min",
                "forecast_days": days,
                "timezone": "auto",
            },
            timeout=10,
        )
        resp.raise_for_status()
    except requests.RequestException as exc:
        return f"Forecast service unavailable: {exc}"
    daily = resp.json().get("daily", {})
    rows = zip(daily.get("time", []), daily.get("temperature_2m_min", []), daily.get("temperature_2m_max", []))
    return "\n".join(f"{day}: {lo}..{hi} C" for day, lo, hi in rows) or "No forecast data."


@tool
def city_coordinates(city: str) -> str:
    """
    Look up the coordinates of a city.

    Args:
        city: Name of the city, e.g. "Oslo".
    """
    try:
        resp = requests.get(
            "https://geocoding-api.open-meteo.com/v1/search", params={"name": city, "count": 1}, timeout=10
        )
        resp.raise_for_status()
    except requests.RequestException as exc:
        return f"Geocoding unavailable: {exc}"
    results = resp.json().get("results") or []
    if not results:
        return f"Unknown city: {city}"
    return f"{results[0]['latitude']}, {results[0]['longitude']}"


def main() -> None:
    model = InferenceClientModel(model_id="Qwen/Qwen2.5-Coder-32B-Instruct")
    agent = CodeAgent(tools=[get_forecast, city_coordinates], model=model, max_steps=6)
    print(agent.run("Should I pack a warm jacket for a 3-day trip to Tromso starting tomorrow?"))


if __name__ == "__main__":
    main()
