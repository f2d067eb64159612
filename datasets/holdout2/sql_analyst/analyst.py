from langchain.agents import AgentExecutor, create_tool_calling_agent
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

import db


@tool
def list_tables() -> str:
    """List the tables available in the sales database."""
    return ", ".join(db.table_names())


@tool
def describe_table(table: str) -> str:
    """Show the column names and types of one table."""
    if table not in db.table_names():
        return f"No table named {table}."
    cols = db.execute(f"PRAGMA table_info({table})").fetchall()
    return "\n".join(f"{c['name']} {c['type']}" for c in cols)


@tool
def run_query(sql: str):
    """Run a read-only SELECT statement and return the matching rows."""
    if not sql.lstrip().lower().startswith("select"):
        return "Only SELECT statements are allowed."
    return db.execute(sql)


prompt = ChatPromptTemplate.from_messages(
    [
        ("system", "You answer questions about sales data by querying SQLite. Inspect tables first."),
        ("human", "{input}"),
        ("placeholder", "{agent_scratchpad}"),
    ]
)

llm = ChatOpenAI(model="gpt-4o", temperature=0)
tools = [list_tables, describe_table, run_query]
agent = create_tool_calling_agent(llm, tools, prompt)
executor = AgentExecutor(agent=agent, tools=tools, max_iterations=10, handle_parsing_errors=True)

if __name__ == "__main__":
    print(executor.invoke({"input": "Which region had the highest revenue in 2024?"})["output"])
