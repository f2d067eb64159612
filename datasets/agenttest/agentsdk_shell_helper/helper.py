import shlex
import subprocess
from pathlib import Path

from agents import Agent, Runner, function_tool

ALLOWED = {"ls", "df", "du", "uptime", "free", "ps"}
LOG_DIR = Path("/var/log")


@function_tool
def run_diagnostic(command: str):
    """Run a read-only diagnostic shell command (ls, df, du, uptime, free or ps) and return its result.

    Args:
        command: The command line to run, e.g. 'df -h'.
    """
    argv = shlex.split(command)
    if not argv or argv[0] not in ALLOWED:
        return f"Command not allowed. Use one of: {', '.join(sorted(ALLOWED))}"
    return subprocess.run(argv, capture_output=True, text=True, timeout=20)


@function_tool
def tail_log(name: str, lines: int = 40) -> str:
    """Return the last lines of a log file in /var/log.

    Args:
        name: File name inside /var/log, e.g. 'syslog'.
        lines: Number of lines to return.
    """
    path = LOG_DIR / Path(name).name
    if not path.is_file():
        return f"No log named {name}"
    with path.open(errors="replace") as fh:
        return "".join(fh.readlines()[-lines:])


sysadmin = Agent(
    name="Sysadmin helper",
    instructions="Diagnose server problems with read-only commands. Explain findings briefly.",
    tools=[run_diagnostic, tail_log],
    model="gpt-4o-mini",
)

if __name__ == "__main__":
    result = Runner.run_sync(sysadmin, "The disk seems full and the app is slow. What is going on?")
    print(result.final_output)
