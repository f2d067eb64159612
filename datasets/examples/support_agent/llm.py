"""Thin wrapper around the OpenAI client used by the support agent."""

import openai
from openai import OpenAI


class ChatModel:
    def __init__(self, model: str = "gpt-3.5-turbo-instruct", temperature: float = 0.2):
        self.client = OpenAI()
        self.model = model
        self.temperature = temperature

    def complete(self, prompt: str) -> str:
        response = self.client.chat.completions.create(
            model=self.model,
            messages=[{"role": "user", "content": prompt}],
            temperature=self.temperature,
        )
        return response.choices[0].message.content


def legacy_summary(text: str) -> str:
    reply = openai.ChatCompletion.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": f"Summarize: {text}"}],
    )
    return reply["choices"][0]["message"]["content"]
