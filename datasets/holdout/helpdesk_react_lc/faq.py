FAQ = {
    "vpn": (
        "VPN drops every few minutes",
        "Update the GlobalProtect client to 6.2 and switch the portal to vpn2.corp.example.",
    ),
    "password": (
        "Password reset",
        "Use https://id.corp.example/reset; you need your authenticator app.",
    ),
    "printer": (
        "Printer on floor 3 offline",
        "Re-add it as \\\\print01\\F3-COLOR; the old queue was retired.",
    ),
}


def lookup(question: str) -> str:
    q = question.lower()
    for key, (title, answer) in FAQ.items():
        if key in q:
            return f"FAQ match: {title}\nFinal Answer: {answer}"
    return "No FAQ entry matches; consider opening a ticket."


def open_ticket(summary: str) -> str:
    ticket_id = abs(hash(summary)) % 100000
    return f"Ticket INC-{ticket_id:05d} opened with summary: {summary.strip()[:120]}"
