import re
from typing import Callable

from openai import OpenAI

MOVIES = {
    "inception": {"year": 2010, "director": "Christopher Nolan", "runtime": 148},
    "arrival": {"year": 2016, "director": "Denis Villeneuve", "runtime": 116},
    "parasite": {"year": 2019, "director": "Bong Joon-ho", "runtime": 132},
}


def movie_info(title: str) -> str:
    info = MOVIES.get(title.strip().lower())
    if not info:
        return f"No data for '{title}'."
    return f"{title.title()} ({info['year']}), directed by {info['director']}, {info['runtime']} min."


def filmography(director: str) -> str:
    titles = [t.title() for t, i in MOVIES.items() if i["director"].lower() == director.strip().lower()]
    return ", ".join(titles) if titles else f"No films by {director} in the database."


INSTRUCTIONS = """You are a movie trivia agent. Tools:
movie_info(title) - year, director and runtime of a film
filmography(director) - films by that director in the database

Respond in this format:
Thought: think about what to do
Action: tool_name(argument)
Observation: result of the action
... repeat ...
Final Answer: the final answer
"""

ACTION = re.compile(r"Action:\s*(\w+)\((.*?)\)")


class TriviaAgent:
    def __init__(self, model: str = "gpt-4o-mini", max_turns: int = 6):
        self.client = OpenAI()
        self.model = model
        self.max_turns = max_turns
        self.tools: dict[str, Callable[[str], str]] = {"movie_info": movie_info, "filmography": filmography}

    def step(self, transcript: str) -> str:
        result = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "system", "content": INSTRUCTIONS}, {"role": "user", "content": transcript}],
            temperature=0,
        )
        return result.choices[0].message.content or ""

    def ask(self, question: str) -> str:
        transcript = f"Question: {question}\n"
        for _ in range(self.max_turns):
            output = self.step(transcript)
            transcript += output + "\n"
            if "Final Answer:" in output:
                return output.split("Final Answer:", 1)[1].strip()
            match = ACTION.search(output)
            if match is None:
                transcript += "Observation: please follow the format.\n"
                continue
            tool = self.tools.get(match.group(1))
            observation = tool(match.group(2).strip("'\" ")) if tool else "unknown tool"
            transcript += f"Observation: {observation}\n"
        return "I don't know."


if __name__ == "__main__":
    print(TriviaAgent().ask("Which is longer, Arrival or Parasite, and who directed it?"))
