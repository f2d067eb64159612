"""The catalog's retirement data (models.toml `retired` / `replacement`) is well-formed.

Checked without today's date, so the test does not change verdict as dates pass: a replacement has to
be a model the catalog knows and that is not retired on or before the retiring model's own date (the
provider recommended it then). A replacement named for a model with no known retirement still has to
be a known, not retired id at the latest retirement date in the catalog.
"""

from __future__ import annotations

import datetime

import pytest


def _date(value: str) -> datetime.date:
    return datetime.date.fromisoformat(value)  # raises on anything but YYYY-MM-DD


def test_retirement_dates_are_iso_dates(cat):
    bad = []
    for m in cat.models:
        if m.retired is None:
            continue
        try:
            parsed = _date(m.retired)
        except (TypeError, ValueError):
            bad.append((m.id, m.retired))
            continue
        if parsed.isoformat() != m.retired or not (2020 <= parsed.year <= 2035):
            bad.append((m.id, m.retired))
    assert bad == []


def test_replacements_are_known_ids_not_retired_at_the_date(cat):
    latest = max(_date(m.retired) for m in cat.models if m.retired)
    bad = []
    for m in cat.models:
        if not m.replacement:
            continue
        when = _date(m.retired) if m.retired else latest
        repl = cat.model(m.replacement)
        if repl is None:
            bad.append((m.id, m.replacement, "unknown id"))
        elif repl is m:
            bad.append((m.id, m.replacement, "replaces itself"))
        elif repl.retired and _date(repl.retired) <= when:
            bad.append((m.id, m.replacement, f"retired {repl.retired}, not after {when}"))
    assert bad == []


def test_retired_entries_have_no_stale_notes(cat):
    # "not marked" in the notes means the date was left out on purpose; an entry cannot be both
    for m in cat.models:
        assert not (m.retired and "not marked" in m.notes), m.id


@pytest.mark.parametrize("model_id, retired, replacement", [
    ("gpt-3.5-turbo", "2026-10-23", "gpt-4.1-mini"),
    ("openai/gpt-3.5-turbo-0125", "2026-10-23", "gpt-4.1-mini"),
    ("gpt-4", "2026-10-23", None),
    ("gpt-4-0613", "2026-10-23", None),
    ("gpt-4-1106-preview", "2026-03-26", "gpt-4.1"),
    ("gpt-4-turbo-preview", "2026-03-26", "gpt-4.1"),
    ("gpt-5-chat-latest", "2026-07-23", "gpt-5.5"),
    ("chatgpt-4o-latest", "2026-02-17", "gpt-5.5"),
    ("gpt-5-2025-08-07", "2026-12-11", "gpt-6.1-sol"),
    ("claude-sonnet-4-5-20250929", "2026-11-30", "claude-sonnet-5-5"),
    ("gemini-2.0-flash-001", "2026-06-01", "gemini-3.1-flash-lite"),
    ("o3-mini-2025-01-31", "2026-10-23", "gpt-5.6-sol"),
    ("gpt-4o-2024-05-13", "2026-10-23", "gpt-5.6-sol"),
    ("gpt-4-turbo-2024-04-09", "2026-10-23", "gpt-5.6-sol"),
    ("dall-e-3", "2026-05-12", "gpt-image-2"),
    ("claude-sonnet-4-20250514", "2026-06-15", "claude-sonnet-4-6"),
    ("claude-opus-4-0", "2026-06-15", "claude-opus-4-8"),
    ("claude-opus-4-1-20250805", "2026-08-05", "claude-opus-4-8"),
    ("o1-preview", "2025-07-28", "o3"),
    ("o1-mini-2024-09-12", "2025-10-27", "gpt-5.6-terra"),
    ("groq/llama-3.1-70b-versatile", "2025-01-24", "gpt-oss-120b"),
    ("llama3-70b-8192", "2025-08-30", "gpt-oss-120b"),
    ("llama-3.1-8b-instant", "2026-08-16", "gpt-oss-20b"),
])
def test_retirement_examples(cat, model_id, retired, replacement):
    m = cat.model(model_id)
    assert m is not None and m.retired == retired and m.replacement == replacement


@pytest.mark.parametrize("model_id", [
    # later models that share a prefix with a retired one keep their own (active) entries
    "gpt-4o", "gpt-4o-2024-08-06", "gpt-4.1", "gpt-5.1", "gpt-5.4-mini", "gpt-5.5",
    "gpt-6.1-sol", "claude-sonnet-4-6", "claude-opus-4-7", "claude-opus-4-8-20260101",
    "gpt-image-2",
    "anthropic/claude-sonnet-4.5", "claude-opus-4.1", "claude-sonnet-5-5", "gemini-2.5-flash", "gemini-3.1-flash-lite",
    # the same open weights under other hosts' names keep the generic (not retired) rows of Groq's ids
    "meta-llama/Llama-3.1-70B-Instruct", "llama3:70b", "llama-3.1-8b", "gemma2:9b",
])
def test_not_retired(cat, model_id):
    m = cat.model(model_id)
    assert m is not None and m.retired is None, (model_id, m and m.id)
