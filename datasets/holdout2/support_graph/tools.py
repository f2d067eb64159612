from langchain_core.tools import tool

ACCOUNTS = {"u-17": {"plan": "pro", "balance": 42.0}, "u-23": {"plan": "free", "balance": 0.0}}


@tool
def account_status(user_id: str) -> str:
    """Return the plan and outstanding balance for a user id such as u-17."""
    acct = ACCOUNTS[user_id]
    return f"plan={acct['plan']} balance={acct['balance']:.2f}"


@tool
def reset_password(user_id: str) -> str:
    """Send a password reset link to the user's registered e-mail address."""
    if user_id not in ACCOUNTS:
        return f"No account {user_id}."
    return f"Reset link sent for {user_id}."


TOOLS = [account_status, reset_password]
