import dspy


class ClassifyIntent(dspy.Signature):
    """Classify a banking chatbot message into one intent."""

    message: str = dspy.InputField()
    intent: str = dspy.OutputField(desc="one of: balance, transfer, card_lost, dispute, other")
    confidence = dspy.OutputField(desc="confidence between 0 and 1")


class IntentRouter(dspy.Module):
    def __init__(self) -> None:
        super().__init__()
        self.classify = dspy.ChainOfThought(ClassifyIntent)

    def forward(self, message: str):
        return self.classify(message=message)
