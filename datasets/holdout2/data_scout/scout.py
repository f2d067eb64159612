import csv
import io
import statistics

import requests
from smolagents import CodeAgent, LiteLLMModel, tool


@tool
def fetch_csv(url: str, max_rows: int = 500) -> str:
    """Download a CSV file and return its header and first rows as CSV text.

    Args:
        url: http(s) address of a CSV file.
        max_rows: maximum number of data rows to keep.
    """
    resp = requests.get(url, timeout=20)
    if resp.status_code != 200:
        return f"Download failed with HTTP {resp.status_code}."
    reader = csv.reader(io.StringIO(resp.text))
    out = io.StringIO()
    writer = csv.writer(out)
    for i, row in enumerate(reader):
        if i > max_rows:
            break
        writer.writerow(row)
    return out.getvalue()


@tool
def column_stats(csv_text: str, column: str) -> dict:
    """Compute count, mean, median, min and max of a numeric column.

    Args:
        csv_text: CSV text with a header row, as returned by fetch_csv.
        column: name of the numeric column.
    """
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    values = []
    for r in rows:
        try:
            values.append(float(r.get(column, "")))
        except ValueError:
            continue
    if not values:
        return {"column": column, "count": 0}
    return {
        "column": column,
        "count": len(values),
        "mean": statistics.fmean(values),
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
    }


agent = CodeAgent(
    tools=[fetch_csv, column_stats],
    model=LiteLLMModel(model_id="anthropic/claude-sonnet-4-6"),
    max_steps=8,
    additional_authorized_imports=["statistics"],
)

if __name__ == "__main__":
    print(agent.run("What is the median 'price' in https://example.org/listings.csv?"))
