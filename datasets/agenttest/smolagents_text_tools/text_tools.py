import re
from collections import Counter

from smolagents import Tool


class KeywordExtractor(Tool):
    name = "keyword_extractor"
    description = "Return the most frequent meaningful words of a text, one per line with counts."
    inputs = {
        "text": {"type": "string", "description": "The text to analyse"},
        "top_k": {"type": "integer", "description": "How many keywords to return", "nullable": True},
    }
    output_type = "string"

    STOPWORDS = {"the", "a", "an", "and", "or", "of", "to", "in", "is", "it", "for", "on", "with", "that"}

    def forward(self, text: str, top_k: int | None = None) -> str:
        words = [w for w in re.findall(r"[a-zA-Z']+", text.lower()) if w not in self.STOPWORDS and len(w) > 2]
        common = Counter(words).most_common(top_k or 10)
        return "\n".join(f"{word}: {count}" for word, count in common) or "no keywords"


class ReadabilityScore(Tool):
    name = "readability"
    description = ""
    inputs = {"text": {"type": "string", "description": "English text to score"}}
    output_type = "string"

    def forward(self, text: str) -> str:
        sentences = max(1, len(re.findall(r"[.!?]+", text)))
        words = re.findall(r"\w+", text)
        syllables = sum(max(1, len(re.findall(r"[aeiouy]+", w.lower()))) for w in words)
        n = max(1, len(words))
        score = 206.835 - 1.015 * (n / sentences) - 84.6 * (syllables / n)
        return f"Flesch reading ease: {score:.1f}"


class TextStats(Tool):
    name = "text_stats"
    description = "Count characters, words and sentences in a text."
    inputs = {"text": {"type": "string", "description": "The text to count"}}
    output_type = "string"

    def forward(self, text: str):
        return {
            "characters": len(text),
            "words": len(text.split()),
            "sentences": len(re.findall(r"[.!?]+", text)),
        }
