import json
import os

import autogen

LLM_CONFIG = {
    "config_list": [{"model": "gpt-4o", "api_key": os.getenv("OPENAI_API_KEY")}],
    "temperature": 0.3,
}

planner = autogen.AssistantAgent(
    name="planner",
    llm_config=LLM_CONFIG,
    system_message=(
        "You write project plans as JSON: "
        '{"milestones": [{"name": str, "weeks": int, "owner": str}], "risks": [str]}. '
        "Output only JSON."
    ),
)
critic = autogen.AssistantAgent(
    name="critic",
    llm_config=LLM_CONFIG,
    system_message=(
        "You review project plans for missing milestones, unrealistic durations and unowned work. "
        "If the plan is acceptable reply exactly APPROVED, otherwise list the problems."
    ),
)
coordinator = autogen.UserProxyAgent(
    name="coordinator",
    human_input_mode="NEVER",
    code_execution_config=False,
    max_consecutive_auto_reply=1,
)


def make_plan(goal: str) -> dict:
    request = f"Create a plan for: {goal}"
    while True:
        drafted = coordinator.initiate_chat(planner, message=request, max_turns=1, summary_method="last_msg")
        review = coordinator.initiate_chat(critic, message=drafted.summary, max_turns=1, summary_method="last_msg")
        if review.summary.strip().upper().startswith("APPROVED"):
            break
        request = f"Revise this plan.\nPlan:\n{drafted.summary}\nCritique:\n{review.summary}"
    plan = json.loads(drafted.summary)
    total_weeks = sum(m["weeks"] for m in plan["milestones"])
    plan["total_weeks"] = total_weeks
    return plan


if __name__ == "__main__":
    result = make_plan("migrate our billing service from a monolith to two microservices")
    for m in result["milestones"]:
        print(f"{m['name']:<40} {m['weeks']:>2} wk  {m['owner']}")
    print("total:", result["total_weeks"], "weeks")
