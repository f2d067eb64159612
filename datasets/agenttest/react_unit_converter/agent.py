import re

from openai import OpenAI

RATES = {"usd": 1.0, "eur": 0.93, "gbp": 0.79}


def length(query):
    """Convert lengths, input like '12 km to mi'. Supports km, mi, m, ft."""
    factors = {"km": 1000.0, "mi": 1609.344, "m": 1.0, "ft": 0.3048}
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(\w+)\s+to\s+(\w+)", query)
    if not m or m.group(2) not in factors or m.group(3) not in factors:
        return "Could not parse; use '<number> <unit> to <unit>'."
    value = float(m.group(1)) * factors[m.group(2)] / factors[m.group(3)]
    return f"{value:.3f} {m.group(3)}"


def temperature(query):
    m = re.match(r"\s*(-?\d+(?:\.\d+)?)\s*([cf])", query.lower())
    if not m:
        return "Could not parse temperature."
    v = float(m.group(1))
    return f"{v * 9 / 5 + 32:.1f} F" if m.group(2) == "c" else f"{(v - 32) * 5 / 9:.1f} C"


def currency(query):
    """Convert money, input like '20 usd to eur'."""
    m = re.match(r"\s*(\d+(?:\.\d+)?)\s*(\w{3})\s+to\s+(\w{3})", query.lower())
    if not m or m.group(2) not in RATES or m.group(3) not in RATES:
        return "Unsupported currency query."
    print(f"{float(m.group(1)) / RATES[m.group(2)] * RATES[m.group(3)]:.2f} {m.group(3).upper()}")


TOOLS = {"length": length, "temperature": temperature, "currency": currency}

TEMPLATE = """You convert units. Available tools:
{tools}

Format:
Thought: ...
Action: <tool>: <input>
Observation: <result>
...
Final Answer: <answer>

Question: {question}
"""


def solve(question: str, steps: int = 5) -> str:
    client = OpenAI()
    tool_help = "\n".join(f"- {name}: {fn.__doc__}" for name, fn in TOOLS.items())
    prompt = TEMPLATE.format(tools=tool_help, question=question)
    for _ in range(steps):
        out = client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": prompt}],
            stop=["Observation:"],
        ).choices[0].message.content or ""
        prompt += out
        if "Final Answer:" in out:
            return out.split("Final Answer:", 1)[1].strip()
        act = re.search(r"Action:\s*(\w+):\s*(.+)", out)
        if act is None:
            prompt += "Observation: invalid format\n"
            continue
        fn = TOOLS.get(act.group(1))
        result = fn(act.group(2)) if fn else "unknown tool"
        prompt += f"Observation: {result}\n"
    return "no answer"


if __name__ == "__main__":
    print(solve("How many euros is 45 dollars, and what is 30C in Fahrenheit?"))
