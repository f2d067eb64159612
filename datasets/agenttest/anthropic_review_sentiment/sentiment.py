import csv
import sys

from anthropic import Anthropic

client = Anthropic()

INSTRUCTION = (
    "Classify the sentiment of the product review as positive, negative or mixed, "
    "and give your confidence between 0 and 1. Answer exactly as: label,confidence"
)


def classify(review: str) -> tuple[str, float]:
    message = client.messages.create(
        model="claude-haiku-4-5",
        max_tokens=20,
        system=INSTRUCTION,
        messages=[{"role": "user", "content": review}],
    )
    reply = message.content[0].text
    label, confidence = reply.strip().split(",")
    return label.strip().lower(), float(confidence)


def main(in_path: str, out_path: str) -> None:
    with open(in_path, newline="", encoding="utf-8") as src, open(out_path, "w", newline="") as dst:
        reader = csv.DictReader(src)
        writer = csv.writer(dst)
        writer.writerow(["review_id", "sentiment", "confidence"])
        for row in reader:
            text = row.get("text", "").strip()
            if not text:
                continue
            label, conf = classify(text)
            writer.writerow([row["id"], label, f"{conf:.2f}"])


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
