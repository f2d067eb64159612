import argparse
from pathlib import Path

from google import genai
from google.genai import types
from PIL import Image

STYLE = {
    "alt": "Write concise, factual alt text (max 125 characters) for this image.",
    "social": "Write an upbeat Instagram caption with two relevant hashtags for this product photo.",
}


def load_image(path: Path, max_side: int = 1024) -> Image.Image:
    img = Image.open(path)
    img.thumbnail((max_side, max_side))
    return img


def caption(client: genai.Client, image: Image.Image, style: str) -> str:
    response = client.models.generate_content(
        model="gemini-2.5-flash",
        contents=[image, STYLE[style]],
        config=types.GenerateContentConfig(temperature=0.7 if style == "social" else 0.1),
    )
    return (response.text or "").strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("images", nargs="+", type=Path)
    ap.add_argument("--style", choices=sorted(STYLE), default="alt")
    args = ap.parse_args()
    client = genai.Client()
    for path in args.images:
        try:
            img = load_image(path)
        except OSError as exc:
            print(f"{path}: skipped ({exc})")
            continue
        print(f"{path.name}: {caption(client, img, args.style)}")


if __name__ == "__main__":
    main()
