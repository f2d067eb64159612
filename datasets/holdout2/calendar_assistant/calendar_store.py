import datetime as dt
import sqlite3

DB = sqlite3.connect("calendar.db", check_same_thread=False)
DB.execute("CREATE TABLE IF NOT EXISTS events (day TEXT, start TEXT, title TEXT)")


def list_events(day: str) -> list[dict]:
    rows = DB.execute("SELECT start, title FROM events WHERE day = ? ORDER BY start", (day,)).fetchall()
    return [{"start": s, "title": t} for s, t in rows]


def add_event(day: str, start: str, title: str) -> str:
    dt.date.fromisoformat(day)
    DB.execute("INSERT INTO events VALUES (?, ?, ?)", (day, start, title))
    DB.commit()
    return f"Added '{title}' on {day} at {start}."
