"""Translate product descriptions into several languages for the web shop."""
import csv
import os
import sys

import openai
from dotenv import load_dotenv

load_dotenv()
openai.api_key = os.getenv("OPENAI_API_KEY")

LANGUAGES = ["German", "French", "Spanish"]


def translate(text, language):
    response = openai.ChatCompletion.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": f"Translate the product description into {language}. Keep HTML tags."},
            {"role": "user", "content": text},
        ],
        temperature=0.2,
    )
    return response.choices[0].message.content.strip()


def main(path):
    with open(path, newline="", encoding="utf-8") as fh:
        products = list(csv.DictReader(fh))
    out = csv.writer(sys.stdout)
    out.writerow(["sku"] + LANGUAGES)
    for product in products:
        out.writerow([product["sku"]] + [translate(product["description"], lang) for lang in LANGUAGES])


if __name__ == "__main__":
    main(sys.argv[1])
