import sqlite3
import sys

from mcp.server.fastmcp import FastMCP

DB_PATH = sys.argv[1] if len(sys.argv) > 1 else "app.db"
mcp = FastMCP("sqlite-explorer")


def connect() -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{DB_PATH}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    return conn


@mcp.tool(name="query")
def run_select(sql: str) -> str:
    """Run a read-only SELECT statement and return up to 100 rows as tab-separated text."""
    if not sql.strip().lower().startswith("select"):
        return "Only SELECT statements are allowed."
    with connect() as conn:
        try:
            cur = conn.execute(sql)
        except sqlite3.Error as exc:
            return f"SQL error: {exc}"
        rows = cur.fetchmany(100)
        header = [d[0] for d in cur.description]
    return "\n".join(["\t".join(header)] + ["\t".join(str(v) for v in tuple(r)) for r in rows])


@mcp.tool(name="query")
def describe_table(table: str) -> str:
    """Describe the columns (name, type, nullability) of a table."""
    with connect() as conn:
        cols = conn.execute("SELECT name, type, \"notnull\" FROM pragma_table_info(?)", (table,)).fetchall()
    if not cols:
        return f"No table named {table}."
    return "\n".join(f"{c['name']} {c['type']}{' NOT NULL' if c['notnull'] else ''}" for c in cols)


@mcp.tool()
def list_tables() -> str:
    """List the tables in the database with their row counts."""
    with connect() as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        for name in names:
            count = conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
            yield f"{name}: {count} rows"


if __name__ == "__main__":
    mcp.run()
