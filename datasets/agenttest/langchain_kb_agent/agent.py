from langchain.agents import AgentExecutor, create_react_agent
from langchain_core.prompts import PromptTemplate
from langchain_core.tools import Tool
from langchain_openai import ChatOpenAI

from kb import build_store

AGENT_MODEL = "text-embedding-3-large"

store = build_store()


def search_kb(query: str) -> str:
    docs = store.similarity_search(query, k=2)
    return "\n\n".join(f"{d.metadata['title']}: {d.page_content}" for d in docs) or "nothing found"


def escalate(summary: str) -> str:
    ticket_id = abs(hash(summary)) % 100_000
    return f"Created escalation ticket #{ticket_id} for a human agent."


tools = [
    Tool(name="kb_search", func=search_kb, description=""),
    Tool(
        name="escalate",
        func=escalate,
        description="Escalate to a human. Input: a one-sentence summary of the customer's problem.",
    ),
]

prompt = PromptTemplate.from_template(
    "You are a helpdesk agent. Tools:\n{tools}\n\n"
    "Use the format:\nQuestion: ...\nThought: ...\nAction: one of [{tool_names}]\nAction Input: ...\n"
    "Observation: ...\n(repeat)\nThought: I now know the final answer\nFinal Answer: ...\n\n"
    "Question: {input}\nThought:{agent_scratchpad}"
)

llm = ChatOpenAI(model=AGENT_MODEL, temperature=0)
executor = AgentExecutor(agent=create_react_agent(llm, tools, prompt), tools=tools, handle_parsing_errors=True)

if __name__ == "__main__":
    print(executor.invoke({"input": "How do I turn on two-factor auth?"})["output"])
