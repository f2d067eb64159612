import itertools
import os

import google.generativeai as genai

_ids = itertools.count(1)
TASKS: dict[int, dict] = {}


def add_task(title: str, due: str = "") -> str:
    """Add a new task to the to-do list.

    Args:
        title: Short description of the task.
        due: Optional due date in YYYY-MM-DD format.
    """
    task_id = next(_ids)
    TASKS[task_id] = {"title": title, "due": due, "done": False}
    return f"Added task #{task_id}: {title}"


def complete_task(task_id: int) -> str:
    """Add a new task to the to-do list.

    Args:
        task_id: Numeric id of the task.
    """
    task = TASKS.get(int(task_id))
    if task is None:
        return f"There is no task #{task_id}."
    task["done"] = True
    return f"Marked #{task_id} '{task['title']}' as done."


def list_tasks() -> str:
    """List all tasks with their id, status and due date."""
    if not TASKS:
        return "No tasks yet."
    rows = []
    for tid, t in TASKS.items():
        mark = "x" if t["done"] else " "
        rows.append(f"[{mark}] #{tid} {t['title']}" + (f" (due {t['due']})" if t["due"] else ""))
    return "\n".join(rows)


def main() -> None:
    genai.configure(api_key=os.environ["GEMINI_API_KEY"])
    model = genai.GenerativeModel("gemini-2.0-flash", tools=[add_task, complete_task, list_tasks])
    chat = model.start_chat(enable_automatic_function_calling=True)
    print("To-do assistant. Empty line to exit.")
    while line := input("> ").strip():
        print(chat.send_message(line).text)


if __name__ == "__main__":
    main()
