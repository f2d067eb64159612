import os
from dataclasses import dataclass, field


@dataclass
class BridgeConfig:
    model: str = os.getenv("BRIDGE_MODEL", "claude-haiku-4-5")
    max_tokens: int = int(os.getenv("BRIDGE_MAX_TOKENS", "200000"))
    server_cmd: str = os.getenv("BRIDGE_SERVER", "python")
    server_args: list[str] = field(default_factory=lambda: ["server.py"])
