from langchain import hub
from langchain.agents import AgentExecutor, create_react_agent
from langchain_core.tools import Tool
from langchain_openai import ChatOpenAI

from faq import lookup, open_ticket

tools = [
    Tool(
        name="faq_lookup",
        func=lookup,
        description="Search the IT FAQ. Input: the user's problem in a few words.",
    ),
    Tool(
        name="open_ticket",
        func=open_ticket,
        description="Open a helpdesk ticket. Input: a one-line summary of the problem.",
    ),
]

prompt = hub.pull("hwchase17/react")
llm = ChatOpenAI(model="gpt-4.1-mini", temperature=0)
agent = create_react_agent(llm, tools, prompt)
executor = AgentExecutor(agent=agent, tools=tools, max_iterations=6, handle_parsing_errors=True)


def help_user(message: str) -> str:
    return executor.invoke({"input": message})["output"]


if __name__ == "__main__":
    print(help_user("My VPN keeps disconnecting and I have a demo in an hour"))
