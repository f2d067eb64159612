"""Helpers of the MNFT rules: predicates only one rule asks (shared ones live in agentable/query)."""
