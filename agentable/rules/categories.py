"""The eight defect categories of Ning et al. (2024), as agentable names them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    code: str
    title: str
    summary: str


CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category("ADAL", "Adaptation defect between agent and LLM",
                 "The model wired into the agent cannot do what the agent asks of it."),
        Category("IETI", "Insufficient external tool information",
                 "A tool offered to the model lacks the text the model needs to choose and call it."),
        Category("LOPE", "LLM output parsing error",
                 "Model output flows without a guard into an operation that fails on unexpected text."),
        Category("ALS", "Action listener setting",
                 "The stop sequences and protocol markers that delimit the agent's protocol are mis-set."),
        Category("MNFT", "Missing necessary fault tolerance",
                 "A failure-prone step of the agent's run has no fault tolerance, so one failure aborts the run."),
        Category("LARD", "LLM API-related defect",
                 "The LLM API is called in a way that fails or leaks."),
        Category("EPDD", "External package dependency defect",
                 "The declared dependencies do not fit the code."),
        Category("TRE", "Tool return error",
                 "A tool does not hand back a usable observation."),
    )
}


# Categories whose rules judge a file by facts of the whole project (a dependency declaration
# against every module's imports, module names, root scripts, extras' feature code): a pre-commit
# run that finds something with them on a slice of the project checks it on all of it.
PROJECT_WIDE: frozenset[str] = frozenset({"EPDD"})
