import sqlite3
from pathlib import Path

from langchain_core.tools import tool

DB = Path(__file__).with_name("sales.sqlite")


def _connect() -> sqlite3.Connection:
    return sqlite3.connect(f"file:{DB}?mode=ro", uri=True)


@tool
def list_tables() -> list[str]:
    """List the tables in the sales database."""
    with _connect() as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return [r[0] for r in rows]


@tool
def describe_table(table: str) -> list[tuple]:
    """Return (column, type) pairs for one table of the sales database.

    Args:
        table: table name as returned by list_tables.
    """
    with _connect() as conn:
        return conn.execute("SELECT name, type FROM pragma_table_info(?)", (table,)).fetchall()


@tool
def run_query(sql: str) -> list[tuple]:
    """Run a read-only SQL SELECT against the sales database and return the rows.

    Args:
        sql: a single SQLite SELECT statement.
    """
    if not sql.lstrip().lower().startswith("select"):
        return [("error", "only SELECT statements are allowed")]
    conn = _connect()
    cursor = conn.execute(sql)
    return cursor
