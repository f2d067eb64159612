"""agentable: a static analyzer for the code of LLM-based agents."""

__version__ = "0.1.0"
