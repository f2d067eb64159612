from pathlib import Path

import yaml

DEFAULTS = {"model": "gpt-4.1-mini", "queues": ["billing", "bug", "feature_request", "account", "other"]}


def load(path: str | None = None) -> dict:
    cfg = dict(DEFAULTS)
    if path and Path(path).exists():
        cfg.update(yaml.safe_load(Path(path).read_text()) or {})
    return cfg
