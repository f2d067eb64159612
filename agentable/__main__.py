"""`python -m agentable ...`: the same command line as `agentable ...` (useful where scripts are not on PATH)."""

from agentable.cli import entry

entry()
