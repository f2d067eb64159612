"""The platforms' own retirement schedules (platform_models.toml, catalog/platforms.py)."""

from agentable.catalog import load_catalog


def test_platform_named_by_the_id() -> None:
    p = load_catalog().platforms
    assert p.platform_of_id("bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0") == "bedrock"
    assert p.platform_of_id("anthropic.claude-3-haiku-20240307-v1:0") == "bedrock"
    assert p.platform_of_id("claude-3-5-sonnet@20240620") == "vertex"
    assert p.platform_of_id("vertex_ai/gemini-2.0-flash") == "vertex"
    assert p.platform_of_id("azure/gpt-4o") == "azure"
    for first_party in ("claude-3-5-sonnet-20240620", "anthropic/claude-3-opus", "anthropic:claude-3-opus",
                        "gpt-4o", "gemini-1.5-pro-002"):
        assert p.platform_of_id(first_party) is None


def test_platform_dates_are_the_platforms() -> None:
    p = load_catalog().platforms
    row = p.retirement("bedrock", "bedrock/us.anthropic.claude-sonnet-4-20250514-v1:0")
    assert row is not None and row.retired == "2026-10-14" and "litellm" in row.source
    # a cross-region profile the table does not list has its model's date
    row = p.retirement("bedrock", "us.anthropic.claude-opus-4-20250514-v1:0")
    assert row is not None and row.retired == "2026-05-31"
    assert p.retirement("vertex", "vertex_ai/claude-3-haiku@20240307").retired == "2026-08-23"  # type: ignore[union-attr]
    assert p.retirement("azure", "text-davinci-003").retired == "2024-06-14"  # type: ignore[union-attr]
    # no source dates it on the platform: unknown, not the provider's date
    assert p.retirement("bedrock", "anthropic.claude-3-sonnet-20240229-v1:0") is None


def test_every_row_names_its_source() -> None:
    c = load_catalog()
    assert c.platform_retirements and all(r.source for r in c.platform_retirements)
