from datetime import datetime

CUSTOMERS = {
    "ana@example.com": {"name": "Ana Silva", "plan": "business", "open_tickets": 2, "since": "2021-04-02"},
    "li@example.com": {"name": "Li Wei", "plan": "starter", "open_tickets": 0, "since": "2023-09-15"},
}
INTERACTIONS: list[dict] = []

TOOL_SCHEMAS = [
    {
        "name": "find_customer",
        "description": "Look up a customer record by e-mail address.",
        "input_schema": {
            "type": "object",
            "properties": {"email": {"type": "string", "description": "Customer e-mail address."}},
            "required": ["email"],
        },
    },
    {
        "name": "log_interaction",
        "input_schema": {
            "type": "object",
            "properties": {
                "email": {"type": "string"},
                "note": {"type": "string"},
            },
            "required": ["email", "note"],
        },
    },
]


def find_customer(email: str) -> dict:
    record = CUSTOMERS.get(email.lower())
    if record is None:
        return {"error": f"no customer with e-mail {email}"}
    return {"email": email.lower(), **record}


def log_interaction(email: str, note: str) -> str:
    INTERACTIONS.append({"email": email, "note": note, "at": datetime.now().isoformat()})
    return f"Logged interaction #{len(INTERACTIONS)} for {email}."


REGISTRY = {"find_customer": find_customer, "log_interaction": log_interaction}
