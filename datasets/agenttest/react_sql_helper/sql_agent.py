"""Answer analytics questions against a local SQLite file with a ReAct loop."""
import re
import sqlite3
import sys

from openai import OpenAI

FORMAT = """You can use these tools:
list_tables: list the tables and their columns (input: anything)
run_sql: run a read-only SELECT statement and get up to 20 rows

Use the following format:
Thought: what you need to find out
Action: list_tables or run_sql
Action Input: the input to the action
Observation: the result
... (repeat)
Final Answer: the answer to the question"""

STEP_RE = re.compile(r"Action:\s*(\w+)\s*\nAction Input:\s*(.+)", re.DOTALL)


class SQLAgent:
    def __init__(self, db_path: str, model: str = "gpt-4o"):
        self.conn = sqlite3.connect(db_path)
        self.client = OpenAI()
        self.model = model

    def list_tables(self, _: str) -> str:
        try:
            rows = self.conn.execute("SELECT name, sql FROM sqlite_master WHERE type='table'").fetchall()
        except sqlite3.Error as exc:
            return f"SQL error: {exc}"
        return "\n".join(sql for _, sql in rows) or "(no tables)"

    def run_sql(self, query: str) -> str:
        if not query.lstrip().lower().startswith("select"):
            return "Only SELECT statements are allowed."
        try:
            rows = self.conn.execute(query).fetchmany(20)
        except sqlite3.Error as exc:
            return f"SQL error: {exc}"
        return "\n".join(map(str, rows)) or "(no rows)"

    def answer(self, question: str, max_steps: int = 8) -> str:
        history = f"{FORMAT}\n\nQuestion: {question}\n"
        for _ in range(max_steps):
            resp = self.client.chat.completions.create(
                model=self.model,
                messages=[{"role": "user", "content": history}],
                temperature=0,
                stop=["\n"],
            )
            text = resp.choices[0].message.content or ""
            history += text + "\n"
            if text.startswith("Final Answer:"):
                return text[len("Final Answer:"):].strip()
            m = STEP_RE.search(text)
            if not m:
                continue
            action, arg = m.group(1), m.group(2).strip()
            tools = {"list_tables": self.list_tables, "run_sql": self.run_sql}
            obs = tools[action](arg) if action in tools else f"Unknown action {action}"
            history += f"Observation: {obs}\n"
        return "No answer found."


if __name__ == "__main__":
    agent = SQLAgent(sys.argv[1])
    print(agent.answer(" ".join(sys.argv[2:]) or "Which customer placed the most orders?"))
