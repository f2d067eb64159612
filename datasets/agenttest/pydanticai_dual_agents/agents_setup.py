from pydantic_ai import Agent

SUMMARY_PROMPT = "Summarize the given research abstract in plain language for a general audience, in 3 sentences."
CRITIQUE_PROMPT = "Point out overclaims or missing caveats in a plain-language summary compared with its abstract."

summarizer = Agent("openai:text-embedding-3-small", system_prompt=SUMMARY_PROMPT)
critic = Agent("anthropic:claude-2.0", system_prompt=CRITIQUE_PROMPT)
fallback_summarizer = Agent("openai:gpt-4o-mini", system_prompt=SUMMARY_PROMPT)
