MODELS = {
    "triage": "gpt-4-0314",
    "summary": "gpt-4o-mini",
}
MAX_TOOL_ROUNDS = 4
SERVICES = ["checkout", "search", "auth", "notifications"]
