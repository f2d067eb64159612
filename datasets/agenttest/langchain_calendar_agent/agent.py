import os
from datetime import date

from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI

from tools import TOOLS

MODEL_NAME = os.getenv("CALENDAR_MODEL", "gpt-3.5-turbo-instruct")

PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "You manage the user's calendar. Today is {today}. Always confirm what you changed."),
        ("human", "{input}"),
        ("placeholder", "{agent_scratchpad}"),
    ]
)


def make_executor() -> AgentExecutor:
    llm = ChatOpenAI(model=MODEL_NAME, temperature=0)
    agent = create_tool_calling_agent(llm, TOOLS, PROMPT)
    return AgentExecutor(agent=agent, tools=TOOLS, max_iterations=8)


def repl() -> None:
    executor = make_executor()
    while True:
        try:
            line = input("calendar> ").strip()
        except EOFError:
            break
        if line in {"quit", "exit"}:
            break
        if not line:
            continue
        out = executor.invoke({"input": line, "today": date.today().isoformat()})
        print(out["output"])


if __name__ == "__main__":
    repl()
