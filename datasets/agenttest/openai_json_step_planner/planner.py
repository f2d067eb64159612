"""Break a user goal into an ordered list of steps using an OpenAI model."""
import argparse
import json
import logging
import sys

from openai import OpenAI

log = logging.getLogger("planner")

SYSTEM = (
    "You are a planning assistant. Reply with a JSON object of the form "
    '{"steps": ["...", "..."]} and nothing else.'
)


def ask_for_plan(client: OpenAI, goal: str, model: str = "gpt-4o-mini") -> str:
    resp = client.chat.completions.create(
        model=model,
        messages=[
            {"role": "system", "content": SYSTEM},
            {"role": "user", "content": goal},
        ],
        temperature=0.2,
    )
    return resp.choices[0].message.content or ""


def parse_plan(raw: str) -> list[str]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        log.warning("model returned non-JSON plan: %r", raw[:200])
        return []
    steps = data.get("steps") if isinstance(data, dict) else None
    if not isinstance(steps, list):
        return []
    return [str(s).strip() for s in steps if str(s).strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("goal", help="what you want to get done")
    parser.add_argument("--model", default="gpt-4o-mini")
    parser.add_argument("--retries", type=int, default=2)
    args = parser.parse_args(argv)

    client = OpenAI()
    steps: list[str] = []
    for attempt in range(args.retries + 1):
        steps = parse_plan(ask_for_plan(client, args.goal, args.model))
        if steps:
            break
        log.info("attempt %d produced no usable plan", attempt + 1)

    if not steps:
        print("Could not produce a plan.", file=sys.stderr)
        return 1
    for i, step in enumerate(steps, 1):
        print(f"{i:2d}. {step}")
    return 0


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    sys.exit(main())
