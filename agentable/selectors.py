"""Rule selectors (`--select`, `--ignore`, `select`/`ignore`/`per-file-ignores` in the
configuration) must name something: a typo such as `LOEP` would otherwise select no rule and
turn the check off in CI without a word."""

from __future__ import annotations

import difflib
from typing import Iterable

from agentable.config import Config, ConfigError


def check_selectors(config: Config) -> None:
    """Raise ConfigError for the first selector that matches no rule id, prefix or category."""
    from agentable.rules import rule_metas

    metas = rule_metas()
    ids = [m.id for m in metas]
    known = sorted({*ids, *(m.category for m in metas)})
    where = config.source or "the command line"
    groups: list[tuple[str, Iterable[str]]] = [("select", config.select), ("ignore", config.ignore)]
    groups += [(f"per-file-ignores[{pattern!r}]", codes) for pattern, codes in config.per_file_ignores]
    for name, selectors in groups:
        for selector in selectors:
            if selector == "ALL" or selector in known or any(rule_id.startswith(selector) for rule_id in ids):
                continue
            close = difflib.get_close_matches(selector, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; `agentable rules` lists them"
            raise ConfigError(f"{name} ({where}): {selector!r} matches no rule or category{hint}")
