"""Helpers of the EPDD rules: predicates only one rule asks (shared ones live in agentable/query)."""
