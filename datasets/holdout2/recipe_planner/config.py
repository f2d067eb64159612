import os
from dataclasses import dataclass


@dataclass
class PlannerConfig:
    chat_model: str = os.getenv("GEMINI_CHAT_MODEL", "gemini-2.5-flash")
    embed_model: str = os.getenv("GEMINI_EMBED_MODEL", "text-embedding-004")
    pantry_file: str = os.getenv("PANTRY_FILE", "pantry.txt")
    temperature: float = 0.4


CONFIG = PlannerConfig()
