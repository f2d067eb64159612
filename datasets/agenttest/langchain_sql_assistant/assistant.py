"""Natural-language questions over a SQLite database, with structured SQL plans."""
import sqlite3
import sys

from langchain_core.prompts import ChatPromptTemplate
from langchain_openai import ChatOpenAI
from pydantic import BaseModel, Field

MAX_ATTEMPTS = 3


class SqlPlan(BaseModel):
    """A read-only SQL query answering the user's question."""

    reasoning: str = Field(description="Short explanation of how the query answers the question")
    sql: str = Field(description="A single SELECT statement for SQLite")


PROMPT = ChatPromptTemplate.from_messages(
    [
        ("system", "Write SQLite SELECT queries for this schema:\n{schema}\n"
                   "Previous error (if any): {error}"),
        ("human", "{question}"),
    ]
)


def describe_schema(conn: sqlite3.Connection) -> str:
    rows = conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'").fetchall()
    return "\n".join(sql for _, sql in rows if sql)


def run_query(conn: sqlite3.Connection, sql: str, limit: int = 50) -> str:
    """Run a read-only query and return the rows as tab-separated text."""
    if not sql.lstrip().lower().startswith("select"):
        return "error: only SELECT statements are allowed"
    try:
        cursor = conn.execute(sql)
    except sqlite3.Error as exc:
        return f"error: {exc}"
    header = [col[0] for col in cursor.description or []]
    rows = cursor.fetchmany(limit)
    lines = ["\t".join(header)] + ["\t".join(str(v) for v in row) for row in rows]
    return "\n".join(lines)


def ask(db_path: str, question: str) -> str:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    planner = PROMPT | ChatOpenAI(model="gpt-4o", temperature=0).with_structured_output(SqlPlan)
    schema, error = describe_schema(conn), "none"
    for _ in range(MAX_ATTEMPTS):
        plan = planner.invoke({"schema": schema, "error": error, "question": question})
        result = run_query(conn, plan.sql)
        if not result.startswith("error:"):
            return f"{plan.reasoning}\n\n{plan.sql}\n\n{result}"
        error = result
    return f"Could not produce a working query: {error}"


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: assistant.py DB_PATH QUESTION")
    print(ask(sys.argv[1], sys.argv[2]))
