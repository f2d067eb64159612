"""Helpers of the TRE rules: predicates only one rule asks (shared ones live in agentable/query)."""
