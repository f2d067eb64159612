from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_community.utilities import WikipediaAPIWrapper
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

wiki = WikipediaAPIWrapper(top_k_results=2, doc_content_chars_max=3000)


@tool
def wikipedia_lookup(topic: str) -> str:
    """Search Wikipedia and return summaries of the best matching articles.

    Args:
        topic: a short search phrase, e.g. "Treaty of Westphalia".
    """
    return wiki.run(topic)


@tool
def word_count(text: str) -> int:
    """Count the words in a piece of text."""
    return len(text.split())


prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "You write short, sourced research notes. Cite the Wikipedia article titles you used."),
        ("human", "{input}"),
        MessagesPlaceholder("agent_scratchpad"),
    ]
)

llm = ChatOpenAI(model="gpt-4.1-mini", temperature=0)
tools = [wikipedia_lookup, word_count]
agent = create_tool_calling_agent(llm, tools, prompt)

executor = AgentExecutor(
    agent=agent,
    tools=tools,
    verbose=True,
    max_iterations=None,
    max_execution_time=None,
    handle_parsing_errors=True,
)


def research(question: str) -> str:
    result = executor.invoke({"input": question})
    return result["output"]


if __name__ == "__main__":
    print(research("Write a 150-word note on the causes of the Thirty Years' War."))
