import re

from google import genai
from google.genai import types

FLIGHT_HOURS = {("lisbon", "tokyo"): 16.5, ("berlin", "new york"): 9.0, ("madrid", "lima"): 12.5}
VISA_FREE = {"japan": {"pt", "de", "es"}, "usa": {"de", "pt", "es"}, "peru": {"pt", "de", "es"}}


def flight_time(route: str) -> str:
    parts = [p.strip().lower() for p in route.split("->")]
    if len(parts) != 2:
        return "Use the form 'origin -> destination'."
    hours = FLIGHT_HOURS.get(tuple(parts)) or FLIGHT_HOURS.get(tuple(reversed(parts)))
    return f"about {hours} h" if hours else "no data for that route"


def visa_free(query: str) -> str:
    if "," not in query:
        return "Use the form 'destination country, passport code'."
    country, passport = (x.strip().lower() for x in query.split(",", 1))
    allowed = VISA_FREE.get(country)
    if allowed is None:
        return f"no visa data for {country}"
    return "visa-free" if passport in allowed else "visa required"


TOOLS = {"flight_time": flight_time, "visa_free": visa_free}

SYSTEM = """You are a travel planning agent. Tools:
flight_time: input 'origin -> destination'
visa_free: input 'destination country, passport code'

Format:
Thought: ...
Action: <tool>
Action Input: <input>
Observation: <tool output>
Final Answer: <answer>"""

STEP = re.compile(r"Action:\s*(\w+)\s*\n\s*Action Input:\s*(.+)")


def plan(question: str, max_steps: int = 6) -> str:
    client = genai.Client()
    config = types.GenerateContentConfig(
        system_instruction=SYSTEM,
        temperature=0,
        stop_sequences=["Action Input:"],
    )
    scratch = f"Question: {question}\n"
    for _ in range(max_steps):
        text = client.models.generate_content(model="gemini-2.5-flash", contents=scratch, config=config).text or ""
        scratch += text
        if "Final Answer:" in text:
            return text.split("Final Answer:", 1)[1].strip()
        m = STEP.search(text)
        if m is None:
            scratch += "\nObservation: could not read the action.\n"
            continue
        tool = TOOLS.get(m.group(1))
        scratch += f"\nObservation: {tool(m.group(2)) if tool else 'no such tool'}\n"
    return "No plan produced."


if __name__ == "__main__":
    print(plan("I have a Portuguese passport. How long is the flight from Lisbon to Tokyo and do I need a visa?"))
