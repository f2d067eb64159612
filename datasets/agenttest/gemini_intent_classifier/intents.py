import math

from google import genai
from google.genai import types

EMBEDDING_MODEL = "text-embedding-004"
INTENTS = {
    "cancel_subscription": "I want to cancel my plan",
    "change_address": "Please update my shipping address",
    "report_bug": "The app crashes when I open settings",
    "pricing_question": "How much does the pro tier cost?",
}


class IntentClassifier:
    def __init__(self):
        self.client = genai.Client()
        self._examples = self._embed(list(INTENTS.values()))

    def _embed(self, texts):
        res = self.client.models.embed_content(model=EMBEDDING_MODEL, contents=texts)
        return [e.values for e in res.embeddings]

    @staticmethod
    def _cos(a, b):
        return sum(x * y for x, y in zip(a, b)) / (
            math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
        )

    def nearest(self, message: str) -> tuple[str, float]:
        vec = self._embed([message])[0]
        scores = {name: self._cos(vec, ex) for name, ex in zip(INTENTS, self._examples)}
        best = max(scores, key=scores.get)
        return best, scores[best]

    def classify(self, message: str) -> str:
        best, score = self.nearest(message)
        if score > 0.8:
            return best
        resp = self.client.models.generate_content(
            model=EMBEDDING_MODEL,
            contents=f"Intents: {', '.join(INTENTS)}\nMessage: {message}\nReply with one intent name.",
            config=types.GenerateContentConfig(temperature=0),
        )
        answer = (resp.text or "").strip()
        return answer if answer in INTENTS else best


if __name__ == "__main__":
    clf = IntentClassifier()
    for msg in ["my package should go to my new flat", "is there a student discount?"]:
        print(msg, "->", clf.classify(msg))
