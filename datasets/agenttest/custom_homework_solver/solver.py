import math

from llm import LLM

TRANSLATE = (
    "Translate the word problem into a single Python arithmetic expression. "
    "You may use sqrt, pi and round. Output only the expression."
)
EXPLAIN = "Explain step by step, for a 12-year-old, how to solve this problem. The answer is {answer}."

SAFE_NAMES = {"sqrt": math.sqrt, "pi": math.pi, "round": round}


class HomeworkSolver:
    def __init__(self, llm: LLM):
        self.llm = llm

    def solve(self, problem: str) -> tuple[float, str]:
        expression = self.llm.generate(problem, system=TRANSLATE)
        expression = expression.strip("` \n")
        answer = eval(expression, {"__builtins__": {}}, SAFE_NAMES)
        explanation = self.llm.generate(problem, system=EXPLAIN.format(answer=answer), temperature=0.3)
        return answer, explanation


if __name__ == "__main__":
    solver = HomeworkSolver(LLM())
    value, why = solver.solve("A garden is 12 m long and 7.5 m wide. How much fence is needed around it?")
    print(value)
    print(why)
