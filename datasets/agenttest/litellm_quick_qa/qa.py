import argparse

from litellm import completion
from rich.console import Console
from rich.markdown import Markdown

console = Console()

TEMPLATE = """You are a concise technical assistant. Answer in Markdown, at most 200 words.

Question: {question}"""


def quick_answer(question: str, model: str) -> str:
    prompt = TEMPLATE.format(question=question)
    response = completion(model=model, messages=prompt, max_tokens=400, temperature=0.3)
    return response.choices[0].message.content or ""


def main() -> None:
    parser = argparse.ArgumentParser(description="Ask a quick technical question from the terminal.")
    parser.add_argument("question", nargs="+")
    parser.add_argument("-m", "--model", default="gpt-4o-mini")
    args = parser.parse_args()
    with console.status("thinking..."):
        text = quick_answer(" ".join(args.question), args.model)
    console.print(Markdown(text))


if __name__ == "__main__":
    main()
