"""Command-line weather assistant built on a LangChain ReAct agent."""
import os

import requests
from langchain.agents import AgentExecutor, create_react_agent
from langchain_core.prompts import PromptTemplate
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

GEO_URL = "https://geocoding-api.open-meteo.com/v1/search"
FORECAST_URL = "https://api.open-meteo.com/v1/forecast"

REACT_PROMPT = PromptTemplate.from_template(
    """Answer the user's weather question. You can use these tools:

{tools}

Use the following format:

Question: the input question you must answer
Thought: you should always think about what to do
Action: the action to take, should be one of [{tool_names}]
Action Input: the input to the action
Observation: the result of the action
... (this Thought/Action/Action Input/Observation can repeat N times)
Thought: I now know the final answer
Final Answer: the final answer to the original input question

Question: {input}
Thought:{agent_scratchpad}"""
)


@tool
def geocode(city: str) -> str:
    """Return 'lat,lon' for a city name, or a short explanation if the city is unknown."""
    try:
        resp = requests.get(GEO_URL, params={"name": city, "count": 1}, timeout=10)
        resp.raise_for_status()
    except requests.RequestException as exc:
        return f"geocoding failed: {exc}"
    results = resp.json().get("results") or []
    if not results:
        return f"no location found for {city!r}"
    top = results[0]
    return f"{top['latitude']},{top['longitude']}"


@tool
def current_temperature(coordinates: str) -> str:
    """Return the current temperature (Celsius) and wind speed for coordinates written as 'lat,lon'."""
    try:
        lat, lon = (float(part) for part in coordinates.split(",", 1))
    except ValueError:
        return "coordinates must look like '52.52,13.41'"
    try:
        resp = requests.get(
            FORECAST_URL,
            params={"latitude": lat, "longitude": lon, "current_weather": True},
            timeout=10,
        )
        resp.raise_for_status()
    except requests.RequestException as exc:
        return f"forecast failed: {exc}"
    weather = resp.json().get("current_weather", {})
    if "temperature" not in weather:
        return "no current weather available for these coordinates"
    return f"{weather['temperature']} C, wind {weather.get('windspeed', '?')} km/h"


def build_executor() -> AgentExecutor:
    llm = ChatOpenAI(model="gpt-4o-mini", temperature=0, api_key=os.environ["OPENAI_API_KEY"])
    tools = [geocode, current_temperature]
    agent = create_react_agent(llm, tools, REACT_PROMPT)
    return AgentExecutor(agent=agent, tools=tools, handle_parsing_errors=True, verbose=True)


def main() -> None:
    executor = build_executor()
    question = input("Ask about the weather: ").strip()
    result = executor.invoke({"input": question})
    print(result["output"])


if __name__ == "__main__":
    main()
