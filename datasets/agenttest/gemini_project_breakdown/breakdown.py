import ast
import os
import sys

import google.generativeai as genai

PROMPT = """Break the following project into 4-8 concrete subtasks.
Return a Python list of strings, for example ["Set up repository", "Write CI config"].
Do not add any other text.

Project: {project}"""


class ProjectBreakdown:
    def __init__(self):
        genai.configure(api_key=os.environ["GOOGLE_API_KEY"])
        self.model = genai.GenerativeModel("gemini-pro")

    def subtasks(self, project: str) -> list[str]:
        response = self.model.generate_content(
            PROMPT.format(project=project),
            generation_config=genai.GenerationConfig(temperature=0.2, max_output_tokens=512),
        )
        tasks = ast.literal_eval(response.text.strip())
        return [t.strip() for t in tasks]

    def estimate(self, task: str) -> str:
        response = self.model.generate_content(f"Estimate in hours, one short line: {task}")
        return response.text.strip()


def main():
    project = " ".join(sys.argv[1:]) or "Migrate the company blog from WordPress to a static site"
    pb = ProjectBreakdown()
    for i, task in enumerate(pb.subtasks(project), 1):
        print(f"{i}. {task}  ({pb.estimate(task)})")


if __name__ == "__main__":
    main()
