"""Helpers of the IETI rules: predicates only one rule asks (shared ones live in agentable/query)."""
