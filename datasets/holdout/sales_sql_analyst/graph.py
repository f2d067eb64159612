from langchain_anthropic import ChatAnthropic
from langgraph.prebuilt import create_react_agent

from db_tools import describe_table, list_tables, run_query

SYSTEM = (
    "You are a sales analyst. Inspect the schema before writing SQL. "
    "Answer with the number(s) and one sentence of interpretation."
)

model = ChatAnthropic(model="claude-sonnet-4-6", max_tokens=2048, temperature=0)
analyst = create_react_agent(model, tools=[list_tables, describe_table, run_query], prompt=SYSTEM)


def ask(question: str) -> str:
    state = analyst.invoke(
        {"messages": [{"role": "user", "content": question}]},
        config={"recursion_limit": 20},
    )
    return state["messages"][-1].content


if __name__ == "__main__":
    print(ask("Which region had the highest revenue in Q3 2025?"))
