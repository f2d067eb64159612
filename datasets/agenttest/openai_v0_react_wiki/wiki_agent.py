import json
import os
import re
import urllib.parse
import urllib.request

import openai

openai.api_key = os.environ["OPENAI_API_KEY"]

SUMMARY_URL = "https://en.wikipedia.org/api/rest_v1/page/summary/{}"

REACT_PROMPT = """Answer the following question. You can look things up on Wikipedia.

Thought: what to do next
Action: Search[article title]
Observation: summary of the article
... (this can repeat)
Thought: I now know the answer
Final Answer: the answer

Question: """


def wikipedia(title):
    url = SUMMARY_URL.format(urllib.parse.quote(title.replace(" ", "_")))
    with urllib.request.urlopen(url, timeout=10) as resp:
        data = json.load(resp)
    return data.get("extract") or "No summary."


def llm(prompt):
    response = openai.ChatCompletion.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": prompt}],
        temperature=0,
    )
    return response["choices"][0]["message"]["content"]


def react(question, max_steps=7):
    prompt = REACT_PROMPT + question + "\n"
    for i in range(max_steps):
        out = llm(prompt)
        prompt += out + "\n"
        m = re.search(r"Final Answer:(.*)", out, re.S)
        if m:
            return m.group(1).strip()
        a = re.search(r"Action:\s*Search\[(.+?)\]", out)
        if not a:
            prompt += "Observation: Invalid action, use Search[title].\n"
            continue
        prompt += "Observation: " + wikipedia(a.group(1)) + "\n"
    return None


if __name__ == "__main__":
    print(react("In which country was the inventor of the World Wide Web born?"))
