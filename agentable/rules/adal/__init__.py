"""Helpers of the ADAL rules: predicates only one rule asks (shared ones live in agentable/query)."""
