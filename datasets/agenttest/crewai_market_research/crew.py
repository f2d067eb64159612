from crewai import LLM, Agent, Crew, Process, Task
from pydantic import BaseModel, Field

from tools import competitor_lookup, list_competitors


class Positioning(BaseModel):
    summary: str
    strengths: list[str] = Field(default_factory=list)
    gaps: list[str] = Field(default_factory=list)
    recommended_price_eur: float


llm = LLM(model="gpt-4o-mini", temperature=0.2)

analyst = Agent(
    role="Market analyst",
    goal="Compare our product against competitors using stored research data",
    backstory="You have a decade of SaaS pricing experience and rely on data, not guesses.",
    tools=[competitor_lookup, list_competitors],
    llm=llm,
    max_iter=10,
)
strategist = Agent(
    role="Product strategist",
    goal="Turn competitor analysis into a clear positioning recommendation",
    backstory="You write crisp recommendations for the leadership team.",
    llm=llm,
)

analysis = Task(
    description="Research every stored competitor and compare them with our product: {product}.",
    expected_output="A bullet list comparing features and prices per competitor.",
    agent=analyst,
)
positioning = Task(
    description="Based on the analysis, recommend positioning and a monthly price for {product}.",
    expected_output="Positioning summary, strengths, gaps and a recommended price in EUR.",
    agent=strategist,
    context=[analysis],
    output_pydantic=Positioning,
)

crew = Crew(agents=[analyst, strategist], tasks=[analysis, positioning], process=Process.sequential)

if __name__ == "__main__":
    result = crew.kickoff(inputs={"product": "a team wiki with built-in AI search"})
    rec = result.pydantic
    if isinstance(rec, Positioning):
        print(rec.summary)
        print("Price:", rec.recommended_price_eur, "EUR")
    else:
        print(result.raw)
