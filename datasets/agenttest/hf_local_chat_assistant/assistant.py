"""Offline writing assistant running a small instruct model locally."""
import argparse

from transformers import pipeline

DEFAULT_MODEL = "Qwen/Qwen2.5-0.5B-Instruct"


def build_generator(model_id: str):
    return pipeline("text-generation", model=model_id, device_map="auto")


def rewrite(generator, text: str, tone: str) -> str:
    messages = [
        {"role": "system", "content": f"Rewrite the user's text in a {tone} tone. Keep the meaning."},
        {"role": "user", "content": text},
    ]
    outputs = generator(messages, max_new_tokens=256, do_sample=False)
    conversation = outputs[0]["generated_text"]
    return conversation[-1]["content"].strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--tone", default="friendly")
    ap.add_argument("text")
    args = ap.parse_args()
    gen = build_generator(args.model)
    print(rewrite(gen, args.text, args.tone))


if __name__ == "__main__":
    main()
