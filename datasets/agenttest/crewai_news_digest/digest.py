import datetime as dt

from crewai import Agent, Crew, Process, Task

from news_tools import news_search, word_budget

TOPICS = ["renewable energy storage", "open-source AI models", "European rail"]

scout = Agent(
    role="News scout",
    goal="Find the most relevant news of the last days for each topic",
    backstory="A wire editor with a nose for substantive stories over clickbait.",
    tools=[news_search],
    llm="gpt-4o-mini",
)
editor = Agent(
    role="Digest editor",
    goal="Write a compact morning digest with one section per topic",
    backstory="You write newsletters read by busy executives.",
    tools=[word_budget],
    llm="gpt-4o",
)

collect = Task(
    description="For each topic in {topics}, find 3 notable recent stories with their URLs.",
    expected_output="Per topic: three stories with title, source and URL.",
    agent=scout,
)
write = Task(
    description="Write the {date} digest from the collected stories. One section per topic.",
    expected_output="A Markdown newsletter with a headline and sections.",
    agent=editor,
    context=[collect],
)

if __name__ == "__main__":
    crew = Crew(agents=[scout, editor], tasks=[collect, write], process=Process.sequential)
    result = crew.kickoff(inputs={"topics": ", ".join(TOPICS), "date": dt.date.today().isoformat()})
    print(result.raw)
