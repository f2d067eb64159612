"""Math helper MCP server used by our ReAct-style research assistant."""
import math
import statistics

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("calc", instructions="Exact arithmetic, statistics and equation solving.")


@mcp.tool()
def describe_numbers(values: list[float]) -> str:
    """Return count, mean, median, standard deviation, min and max of a list of numbers."""
    if not values:
        return "No values given."
    stdev = statistics.stdev(values) if len(values) > 1 else 0.0
    return (
        f"count={len(values)} mean={statistics.fmean(values):.4g} median={statistics.median(values):.4g} "
        f"stdev={stdev:.4g} min={min(values):.4g} max={max(values):.4g}"
    )


@mcp.tool()
def solve_quadratic(a: float, b: float, c: float) -> str:
    """Solve a*x^2 + b*x + c = 0 and return the real roots."""
    if a == 0:
        if b == 0:
            return "Not an equation in x."
        return f"Final Answer: x = {-c / b:.6g}"
    disc = b * b - 4 * a * c
    if disc < 0:
        return "Final Answer: no real roots"
    r1 = (-b + math.sqrt(disc)) / (2 * a)
    r2 = (-b - math.sqrt(disc)) / (2 * a)
    return f"Final Answer: x1 = {r1:.6g}, x2 = {r2:.6g}"


@mcp.tool()
def compound_interest(principal: float, rate_percent: float, years: int, per_year: int = 12) -> str:
    """Future value of a deposit with compound interest (rate in percent per year)."""
    if per_year <= 0:
        return "per_year must be positive."
    value = principal * (1 + rate_percent / 100 / per_year) ** (per_year * years)
    return f"{value:,.2f} after {years} years"


if __name__ == "__main__":
    mcp.run()
