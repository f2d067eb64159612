import os
from dataclasses import dataclass

from openai import AzureOpenAI


@dataclass
class AzureSettings:
    endpoint: str
    deployment: str
    api_version: str = "2024-10-21"

    @classmethod
    def from_env(cls) -> "AzureSettings":
        return cls(
            endpoint=os.environ["AZURE_OPENAI_ENDPOINT"],
            deployment=os.environ.get("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-mini"),
        )


class TicketSummarizer:
    def __init__(self, settings: AzureSettings):
        self.settings = settings
        self.client = AzureOpenAI(
            azure_endpoint=settings.endpoint,
            api_key=os.environ["AZURE_OPENAI_API_KEY"],
            api_version=settings.api_version,
        )

    def summarize(self, thread: list[str]) -> str:
        transcript = "\n---\n".join(thread)
        completion = self.client.chat.completions.create(
            model=self.settings.deployment,
            messages=[
                {"role": "system", "content": "Summarise the support thread in three sentences for a handover."},
                {"role": "user", "content": transcript},
            ],
            max_tokens=300,
        )
        return (completion.choices[0].message.content or "").strip()


if __name__ == "__main__":
    s = TicketSummarizer(AzureSettings.from_env())
    print(s.summarize([
        "Customer: the export to CSV hangs at 99%.",
        "Agent: which browser are you using?",
        "Customer: Firefox 128 on Windows.",
    ]))
