import os
import sys
import time

import openai

openai.api_key = os.getenv("OPENAI_API_KEY")

FAQ = """Q: What are your opening hours? A: Mon-Fri 9:00-18:00, Sat 10:00-14:00.
Q: Do you ship abroad? A: Yes, to all EU countries; shipping takes 3-5 business days.
Q: How do I reset my password? A: Use the 'Forgot password' link on the login page."""


def ask(question, history, retries=3):
    messages = [
        {"role": "system", "content": "Answer only from this FAQ. If unsure, say so.\n" + FAQ}
    ] + history + [{"role": "user", "content": question}]
    for attempt in range(retries):
        try:
            response = openai.ChatCompletion.create(
                model="gpt-4o-mini",
                messages=messages,
                temperature=0,
                request_timeout=30,
            )
            return response["choices"][0]["message"]["content"]
        except (openai.error.RateLimitError, openai.error.APIConnectionError, openai.error.Timeout):
            time.sleep(2 ** attempt)
    return "The assistant is unavailable right now, please try again later."


def main():
    history = []
    print("Ask a question (Ctrl-D to quit).")
    for line in sys.stdin:
        q = line.strip()
        if not q:
            continue
        a = ask(q, history[-6:])
        history += [{"role": "user", "content": q}, {"role": "assistant", "content": a}]
        print("bot>", a)


if __name__ == "__main__":
    main()
