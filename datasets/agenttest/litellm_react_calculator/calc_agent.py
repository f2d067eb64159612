import ast
import operator
import re

from litellm import completion

MODEL = "gpt-4o-mini"

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
}


def _eval(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp):
        return _OPS[type(node.op)](_eval(node.left), _eval(node.right))
    if isinstance(node, ast.UnaryOp):
        return _OPS[type(node.op)](_eval(node.operand))
    raise ValueError(f"unsupported expression: {ast.dump(node)}")


def calculate(expression: str) -> str:
    try:
        return str(_eval(ast.parse(expression.strip(), mode="eval").body))
    except (SyntaxError, ValueError, KeyError, TypeError, ZeroDivisionError, OverflowError) as exc:
        return f"error: {exc}"


PROMPT = """Solve the problem. You have one tool, calculate, for arithmetic.
Thought: reason about the next step
Action: calculate
Action Input: <arithmetic expression>
Observation: <result>
... (repeat)
Final Answer: <answer>

Problem: {problem}
"""


def call_llm(prompt: str) -> str:
    resp = completion(model=MODEL, messages=[{"role": "user", "content": prompt}], temperature=0)
    return resp.choices[0].message.content or ""


def solve(problem: str, max_steps: int = 6) -> str:
    prompt = PROMPT.format(problem=problem)
    for _ in range(max_steps):
        output = call_llm(prompt)
        prompt += output
        done = re.search(r"Final Answer:\s*(.*)", output)
        if done:
            return done.group(1).strip()
        step = re.search(r"Action Input:\s*(.+)", output)
        if step is None:
            prompt += "\nObservation: missing Action Input\n"
            continue
        prompt += f"\nObservation: {calculate(step.group(1))}\n"
    return "gave up"


if __name__ == "__main__":
    print(solve("A train travels 342 km in 2.25 hours. What is its average speed in m/s?"))
