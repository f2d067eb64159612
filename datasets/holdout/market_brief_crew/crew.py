import os

from crewai import LLM, Agent, Crew, Process, Task

from tools import FilingsSearchTool, NewsSearchTool

os.environ.setdefault("OPENAI_API_KEY", "sk-proj-4fQm8ZkT1vXbN2rLw7HcY3sJ0aPeU9dG")

llm = LLM(model="gpt-4.1-mini", temperature=0.2)

researcher = Agent(
    role="Equity researcher",
    goal="Collect the week's material news and filings for {company}",
    backstory="You cover mid-cap tech and never speculate beyond your sources.",
    tools=[NewsSearchTool(), FilingsSearchTool()],
    llm=llm,
    max_iter=8,
)

writer = Agent(
    role="Brief writer",
    goal="Turn research notes into a one-page brief for portfolio managers",
    backstory="Former financial journalist; crisp, neutral, bullet points.",
    llm=llm,
)

gather = Task(
    description="Find this week's news and any new SEC filings for {company}.",
    expected_output="A bullet list of items, each with date and source.",
    agent=researcher,
)
write = Task(
    description="Write the weekly brief for {company} from the research notes.",
    expected_output="Markdown, at most 300 words, with a 'What changed' section.",
    agent=writer,
    context=[gather],
)

crew = Crew(agents=[researcher, writer], tasks=[gather, write], process=Process.sequential)

if __name__ == "__main__":
    print(crew.kickoff(inputs={"company": "Datadog"}).raw)
