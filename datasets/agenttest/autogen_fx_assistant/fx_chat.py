import os
from typing import Annotated

import autogen

RATES = {("EUR", "USD"): 1.09, ("USD", "EUR"): 0.92, ("EUR", "GBP"): 0.85, ("GBP", "EUR"): 1.17}

llm_config = {
    "config_list": [{"model": "gpt-4o", "api_key": os.environ["OPENAI_API_KEY"]}],
    "temperature": 0,
    "timeout": 60,
}


def get_exchange_rate(
    base: Annotated[str, "ISO code of the currency to convert from, e.g. EUR"],
    quote: Annotated[str, "ISO code of the currency to convert to, e.g. USD"],
) -> str:
    rate = RATES.get((base.upper(), quote.upper()))
    if rate is None:
        return f"No rate available for {base}->{quote}."
    return f"1 {base.upper()} = {rate} {quote.upper()}"


def convert(
    amount: Annotated[float, "Amount of money in the base currency"],
    base: Annotated[str, "ISO code of the base currency"],
    quote: Annotated[str, "ISO code of the target currency"],
) -> str:
    rate = RATES.get((base.upper(), quote.upper()))
    if rate is None:
        return f"No rate available for {base}->{quote}."
    return f"{amount:.2f} {base.upper()} = {amount * rate:.2f} {quote.upper()}"


assistant = autogen.AssistantAgent(
    name="fx_assistant",
    system_message="You answer currency questions. Use the tools for rates. Reply TERMINATE when done.",
    llm_config=llm_config,
)
user_proxy = autogen.UserProxyAgent(
    name="user",
    human_input_mode="NEVER",
    max_consecutive_auto_reply=5,
    code_execution_config=False,
    is_termination_msg=lambda m: "TERMINATE" in (m.get("content") or ""),
)

autogen.register_function(
    get_exchange_rate,
    caller=assistant,
    executor=user_proxy,
    name="get_exchange_rate",
    description="Get the current exchange rate between two currencies.",
)
autogen.register_function(
    convert,
    caller=assistant,
    executor=user_proxy,
    name="convert",
    description="Convert an amount of money from one currency to another.",
)

if __name__ == "__main__":
    result = user_proxy.initiate_chat(assistant, message="I have 250 GBP. How many USD is that via EUR?")
    print(result.summary)
