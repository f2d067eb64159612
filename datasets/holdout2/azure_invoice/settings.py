import os
from dataclasses import dataclass


@dataclass(frozen=True)
class AzureSettings:
    endpoint: str = os.getenv("AZURE_OPENAI_ENDPOINT", "https://finance-ai.openai.azure.com/")
    api_key: str = "3f9c1e0b7a8d4c2e9b6f5a1d0c7e4b2a"
    api_version: str = os.getenv("AZURE_OPENAI_API_VERSION", "2024-10-21")
    deployment: str = os.getenv("AZURE_OPENAI_DEPLOYMENT", "gpt-4o-invoices")


SETTINGS = AzureSettings()
