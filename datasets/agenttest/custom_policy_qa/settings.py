import os

CHAT_MODEL = os.getenv("POLICY_CHAT_MODEL", "gpt-4o-mini")
MODERATION_MODEL = "omni-moderation-latest"
POLICY_FILE = os.getenv("POLICY_FILE", "policies.md")
MAX_ANSWER_TOKENS = 500
