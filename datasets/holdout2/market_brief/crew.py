import sys

from crewai import Agent, Crew, Process, Task

from tools import PeerReturnTool, headlines, latest_close

analyst = Agent(
    role="Equity analyst",
    goal="Summarise how {ticker} is trading and why",
    backstory="You cover large-cap tech for a retail brokerage newsletter.",
    tools=[latest_close, headlines, PeerReturnTool()],
    llm="gpt-4o-mini",
    max_iter=15,
    verbose=True,
)

editor = Agent(
    role="Newsletter editor",
    goal="Turn analyst notes into a crisp 120-word brief",
    backstory="You edit the morning market email and hate jargon.",
    llm="gpt-4o-mini",
)

research = Task(
    description="Collect the latest price, headlines and one-year return for {ticker} and two peers.",
    expected_output="Bullet notes with numbers and sources.",
    agent=analyst,
)
brief = Task(
    description="Write the morning brief for {ticker} from the analyst notes.",
    expected_output="A 120-word paragraph.",
    agent=editor,
    context=[research],
)

crew = Crew(agents=[analyst, editor], tasks=[research, brief], process=Process.sequential)

if __name__ == "__main__":
    print(crew.kickoff(inputs={"ticker": sys.argv[1] if len(sys.argv) > 1 else "NVDA"}).raw)
