"""Helpers of the ALS rules: predicates only one rule asks (shared ones live in agentable/query)."""
