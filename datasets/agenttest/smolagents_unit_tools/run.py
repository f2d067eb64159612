from smolagents import LiteLLMModel, ToolCallingAgent

from unit_tools import convert_length, convert_speed, convert_temperature

agent = ToolCallingAgent(
    tools=[convert_length, convert_temperature, convert_speed],
    model=LiteLLMModel(model_id="anthropic/claude-3-5-haiku-20241022"),
    max_steps=5,
)

if __name__ == "__main__":
    print(agent.run("A marathon is 26.2 miles. How many km is that, and what is 30 C in Fahrenheit?"))
