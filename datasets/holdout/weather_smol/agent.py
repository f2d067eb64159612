import requests
from smolagents import LiteLLMModel, ToolCallingAgent, tool


@tool
def current_weather(latitude: float, longitude: float) -> str:
    """Get the current temperature and wind speed at a location.

    Args:
        latitude: Latitude in decimal degrees.
        longitude: Longitude in decimal degrees.
    """
    try:
        r = requests.get(
            "https://api.open-meteo.com/v1/forecast",
            params={"latitude": latitude, "longitude": longitude, "current": "temperature_2m,wind_speed_10m"},
            timeout=10,
        )
        r.raise_for_status()
    except requests.RequestException as exc:
        return f"weather service unavailable: {exc}"
    cur = r.json().get("current", {})
    return f"{cur.get('temperature_2m', '?')} °C, wind {cur.get('wind_speed_10m', '?')} km/h"


@tool
def find_city(name: str) -> str:
    """Find the coordinates of a city.

    Args:
        name: City name, e.g. "Reykjavik".
    """
    try:
        r = requests.get("https://geocoding-api.open-meteo.com/v1/search", params={"name": name, "count": 1}, timeout=10)
        results = r.json().get("results") or []
    except (requests.RequestException, ValueError) as exc:
        return f"geocoding failed: {exc}"
    if not results:
        return f"no city called {name}"
    c = results[0]
    return f"{c['name']}, {c.get('country', '')}: latitude={c['latitude']}, longitude={c['longitude']}"


model = LiteLLMModel(model_id="anthropic/claude-sonnet-4-6", temperature=0)
agent = ToolCallingAgent(tools=[find_city, current_weather], model=model, max_steps=6)

if __name__ == "__main__":
    print(agent.run("Is it windier right now in Reykjavik or in Wellington?"))
