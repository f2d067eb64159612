"""The query library: reusable predicates over the project graph that keep rules short.

Rules ask questions such as "does this value come from an LLM call?" or "is this statement
protected by a handler, here or in every caller?"; the answers live here, once, in modules by topic
(`llm_output`, `guards`, `dataflow`, `tool_dispatch`, ...). Rules import what they need from the
module (`from agentable.query.llm_output import llm_outputs`); this package re-exports nothing.
A predicate only one rule asks lives next to that rule, in `agentable/rules/<category>/helpers.py`.
"""
