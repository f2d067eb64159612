import ast
import operator
import re

from langchain.agents import AgentExecutor, create_react_agent
from langchain_core.prompts import PromptTemplate
from langchain_core.tools import tool
from langchain_openai import ChatOpenAI

_OPS = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
    ast.USub: operator.neg,
}


def _eval_node(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval_node(node.left), _eval_node(node.right))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _OPS:
        return _OPS[type(node.op)](_eval_node(node.operand))
    raise ValueError(f"unsupported expression: {ast.dump(node)}")


@tool
def calculator(expression: str) -> str:
    """Evaluate an arithmetic expression using + - * / ** and parentheses, e.g. '(3 + 4) * 2'."""
    tree = ast.parse(expression.strip(), mode="eval")
    return _eval_node(tree.body)


@tool
def percentage(query: str) -> str:
    """Compute a percentage written like '15% of 240'."""
    match = re.fullmatch(r"\s*([\d.]+)\s*%\s*of\s*([\d.]+)\s*", query)
    if match is None:
        return "Input must look like '15% of 240'."
    pct, total = float(match.group(1)), float(match.group(2))
    return f"Final Answer: {pct / 100 * total:g}"


PROMPT = PromptTemplate.from_template(
    """You are a careful math tutor. Tools available:
{tools}

Format:
Question: the question
Thought: what to do
Action: one of [{tool_names}]
Action Input: the tool input
Observation: the tool output
... (repeat as needed)
Thought: I now know the final answer
Final Answer: the answer with a one-line explanation

Question: {input}
Thought:{agent_scratchpad}"""
)


def build_agent() -> AgentExecutor:
    llm = ChatOpenAI(model="gpt-4o-mini", temperature=0)
    tools = [calculator, percentage]
    return AgentExecutor(
        agent=create_react_agent(llm, tools, PROMPT),
        tools=tools,
        handle_parsing_errors=True,
        max_iterations=6,
    )


if __name__ == "__main__":
    agent = build_agent()
    for q in ["What is 17.5% of 1240, plus 30?", "What is (12 - 4) ** 3 / 2?"]:
        print(q, "->", agent.invoke({"input": q})["output"])
