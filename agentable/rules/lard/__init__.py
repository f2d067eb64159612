"""Helpers of the LARD rules: predicates only one rule asks (shared ones live in agentable/query)."""
