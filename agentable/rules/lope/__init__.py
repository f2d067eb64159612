"""Helpers of the LOPE rules: predicates only one rule asks (shared ones live in agentable/query)."""
