from llama_index.core.agent import ReActAgent
from llama_index.llms.anthropic import Anthropic

from tools import ALL_TOOLS


def main() -> None:
    llm = Anthropic(model="claude-3-5-haiku-20241022", max_tokens=1024)
    agent = ReActAgent.from_tools(ALL_TOOLS, llm=llm, max_iterations=8)
    print("Shop assistant ready. Empty line to quit.")
    while line := input("> ").strip():
        print(agent.chat(line))


if __name__ == "__main__":
    main()
