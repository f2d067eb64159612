"""Write agentable/catalog/platform_models.toml's retirement rows: the dates Amazon Bedrock, Google
Vertex AI and Azure OpenAI shut down the models they host, which are their own, not the first-party
provider's (Anthropic's page: "partner-operated platforms set their own retirement schedules").

Two sources, each row keeping its own:
  * litellm's model_prices_and_context_window_backup.json (`deprecation_date` of its bedrock,
    bedrock_converse, vertex_ai-* and azure entries), from the wheel pip downloads:
        pip download litellm --no-deps -d /tmp/ll && unzip -o /tmp/ll/litellm-*.whl \
            'litellm/model_prices_and_context_window_backup.json' -d /tmp/ll
        python scripts/platform_retirements.py /tmp/ll/litellm/model_prices_and_context_window_backup.json 1.110.2
  * HAND below: rows read on the platforms' own pages (or an AWS-maintained copy of one), for
    models litellm lists without a date or has dropped since they were shut down.

Never guess a date: a model no source dates is left out, and LARD005 then says nothing about it
on that platform.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "agentable" / "catalog" / "platform_models.toml"

_AWS_COPY = ("awslabs/startups advisor/.../shared/ai-model-lifecycle.md, 'Legacy / EOL Models (as of May 26, 2026)', "
             "copied from docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html")
_AZURE_LEGACY = "learn.microsoft.com/azure/ai-foundry/openai/concepts/legacy-models, 'Retired models' table"
_VERTEX_DEPRECATIONS = "cloud.google.com/vertex-ai/generative-ai/docs/deprecations (Gemini 1.0 Pro, shutdown April 9, 2025)"
_VERTEX_PALM = ("cloud.google.com/vertex-ai/generative-ai/docs/deprecations/palm ('Starting April 9, 2025, these "
                "models will no longer be accessible')")

# (platform, id as the platform spells it, ISO date, source)
HAND: list[tuple[str, str, str, str]] = [
    ("bedrock", "anthropic.claude-opus-4-20250514-v1:0", "2026-05-31", _AWS_COPY),
    ("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0", "2026-06-19", _AWS_COPY),
    ("bedrock", "anthropic.claude-3-5-sonnet-20241022-v2:0", "2026-07-30", _AWS_COPY),
    ("bedrock", "anthropic.claude-3-7-sonnet-20250219-v1:0", "2026-04-28",
     "awslabs/startups pull request 10, 'Remove Claude 3.7 Sonnet (past EOL Apr 28, 2026)' from the same table"),
    *[("azure", m, "2024-06-14", _AZURE_LEGACY) for m in (
        "ada", "babbage", "curie", "davinci", "text-ada-001", "text-babbage-001", "text-curie-001",
        "text-davinci-002", "text-davinci-003")],
    ("azure", "babbage-002", "2025-01-27", _AZURE_LEGACY),
    ("azure", "davinci-002", "2025-01-27", _AZURE_LEGACY),
    ("azure", "gpt-35-turbo-0301", "2025-02-13", _AZURE_LEGACY),
    ("azure", "gpt-35-turbo-0613", "2025-02-13", _AZURE_LEGACY),
    ("azure", "gpt-35-turbo-16k-0613", "2025-04-30", _AZURE_LEGACY),
    *[("azure", m, "2025-06-06", _AZURE_LEGACY) for m in ("gpt-4-0314", "gpt-4-32k-0314", "gpt-4-0613", "gpt-4-32k-0613")],
    ("azure", "gpt-4.5-preview", "2025-07-14", _AZURE_LEGACY),
    ("azure", "o1-preview", "2025-07-28", _AZURE_LEGACY),
    ("vertex", "gemini-1.0-pro-001", "2025-04-09", _VERTEX_DEPRECATIONS),
    ("vertex", "gemini-1.0-pro-vision-001", "2025-04-09", _VERTEX_DEPRECATIONS),
    # the aliases that pointed at those versions on Vertex (ChatVertexAI(model_name="gemini-pro"))
    ("vertex", "gemini-pro", "2025-04-09", _VERTEX_DEPRECATIONS),
    ("vertex", "gemini-1.0-pro", "2025-04-09", _VERTEX_DEPRECATIONS),
    ("vertex", "gemini-1.0-pro-002", "2025-04-09", _VERTEX_DEPRECATIONS),
    ("vertex", "gemini-pro-vision", "2025-04-09", _VERTEX_DEPRECATIONS),
    # PaLM 2 on Vertex (the page's list), and the unversioned names that pointed at them
    *[("vertex", m, "2025-04-09", _VERTEX_PALM) for m in (
        "text-bison", "chat-bison", "code-bison", "codechat-bison", "code-gecko", "text-unicorn",
        "text-bison@001", "text-bison@002", "text-bison-32k@002", "chat-bison@001", "chat-bison@002",
        "chat-bison-32k@002", "code-bison@001", "code-bison@002", "code-bison-32k@002", "codechat-bison@001",
        "codechat-bison@002", "codechat-bison-32k@002", "code-gecko@001", "code-gecko@002", "text-unicorn@001",
        "textembedding-gecko@001", "textembedding-gecko@002")],
]

# litellm provider -> (platform, the router prefix its keys may carry)
_PROVIDERS = {"bedrock": ("bedrock", "bedrock/"), "bedrock_converse": ("bedrock", "bedrock/"),
              "azure": ("azure", "azure/")}


def _litellm_rows(data: dict, version: str) -> dict[tuple[str, str], tuple[str, str]]:
    rows: dict[tuple[str, str], tuple[str, str]] = {}
    dropped: set[tuple[str, str]] = set()
    for key, entry in data.items():
        if not isinstance(entry, dict) or not entry.get("deprecation_date"):
            continue
        provider = str(entry.get("litellm_provider", ""))
        if provider.startswith("vertex_ai"):
            platform, prefix = "vertex", "vertex_ai/"
        elif provider in _PROVIDERS:
            platform, prefix = _PROVIDERS[provider]
        else:
            continue
        mid = key.lower()
        mid = mid[len(prefix):] if mid.startswith(prefix) else mid
        # a region's or an image size's own row (`bedrock/us-east-1/...`, `azure/eu/...`): not the
        # id a program sends; Vertex's partner models keep their publisher path (`deepseek-ai/...`)
        if platform != "vertex" and "/" in mid:
            continue
        if platform == "bedrock" and "." not in mid:
            continue  # litellm's alias without the publisher (`claude-sonnet-4-5-...-v1:0`), no Bedrock id
        date = str(entry["deprecation_date"])
        src = f"litellm {version} model_prices_and_context_window_backup.json: {key} deprecation_date"
        k = (platform, mid)
        if k in rows and rows[k][0] != date:
            dropped.add(k)  # two dates for one id: neither is kept
        rows.setdefault(k, (date, src))
    for k in dropped:
        del rows[k]
    return rows


def main(argv: list[str]) -> None:
    data = json.loads(Path(argv[1]).read_text())
    rows = _litellm_rows(data, argv[2])
    for platform, mid, date, src in HAND:
        rows[(platform, mid)] = (date, src)  # a platform's own page wins over litellm's copy
    head = OUT.read_text().split("# ---- rows (scripts/platform_retirements.py)")[0]
    lines = [head.rstrip("\n"), "", "# ---- rows (scripts/platform_retirements.py)"]
    for (platform, mid), (date, src) in sorted(rows.items()):
        lines += ["[[platform_retirement]]", f'platform = "{platform}"', f"id = {json.dumps(mid)}",
                  f'retired = "{date}"', f"source = {json.dumps(src)}", ""]
    OUT.write_text("\n".join(lines))
    print(f"{len(rows)} rows -> {OUT}")


if __name__ == "__main__":
    main(sys.argv)
