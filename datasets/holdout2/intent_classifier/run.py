import argparse
import os

import dspy

from program import IntentRouter

KNOWN = {"balance", "transfer", "card_lost", "dispute", "other"}


def configure() -> None:
    lm = dspy.LM("openai/gpt-4o-mini", api_key=os.environ["OPENAI_API_KEY"], temperature=0)
    dspy.configure(lm=lm)


def route(router: IntentRouter, message: str, threshold: float = 0.6) -> str:
    pred = router(message=message)
    intent = pred.intent.strip().lower()
    if intent not in KNOWN:
        intent = "other"
    if float(pred.confidence) < threshold:
        return "human"
    return intent


def main() -> None:
    ap = argparse.ArgumentParser(description="Route banking chat messages")
    ap.add_argument("messages", nargs="+")
    args = ap.parse_args()
    configure()
    router = IntentRouter()
    for m in args.messages:
        print(f"{route(router, m):>10}  {m}")


if __name__ == "__main__":
    main()
