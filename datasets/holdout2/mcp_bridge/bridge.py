import asyncio
import sys

from anthropic import AsyncAnthropic
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from config import BridgeConfig

cfg = BridgeConfig()
claude = AsyncAnthropic()


def to_anthropic_tools(listing) -> list[dict]:
    return [
        {"name": t.name, "description": t.description or "", "input_schema": t.inputSchema}
        for t in listing.tools
    ]


def result_text(result) -> str:
    parts = [c.text for c in result.content if getattr(c, "type", "") == "text"]
    return "\n".join(parts) or "(empty result)"


async def ask(session: ClientSession, question: str) -> str:
    tools = to_anthropic_tools(await session.list_tools())
    messages = [{"role": "user", "content": question}]
    reply = await claude.messages.create(
        model=cfg.model, max_tokens=cfg.max_tokens, tools=tools, messages=messages
    )
    while reply.stop_reason == "tool_use":
        messages.append({"role": "assistant", "content": reply.content})
        results = []
        for block in reply.content:
            if block.type == "tool_use":
                res = await session.call_tool(block.name, block.input)
                results.append(
                    {
                        "type": "tool_result",
                        "tool_use_id": block.id,
                        "content": result_text(res),
                        "is_error": bool(res.isError),
                    }
                )
        messages.append({"role": "user", "content": results})
        reply = await claude.messages.create(
            model=cfg.model, max_tokens=cfg.max_tokens, tools=tools, messages=messages
        )
    return "".join(b.text for b in reply.content if b.type == "text")


async def main(question: str) -> None:
    params = StdioServerParameters(command=cfg.server_cmd, args=cfg.server_args)
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            print(await ask(session, question))


if __name__ == "__main__":
    asyncio.run(main(" ".join(sys.argv[1:]) or "Which items are low on stock?"))
