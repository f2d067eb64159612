import sqlite3
from contextlib import closing

DB_PATH = "sales.db"


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(DB_PATH)
    conn.row_factory = sqlite3.Row
    return conn


def table_names() -> list[str]:
    with closing(connect()) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'").fetchall()
    return [r["name"] for r in rows]


def execute(sql: str):
    conn = connect()
    return conn.execute(sql)
