"""The catalog's retirement data (models.toml `retired` / `replacement`) is well-formed.

Checked without today's date, so the test does not change verdict as dates pass: a replacement has to
be a model the catalog knows and that is not retired on or before the retiring model's own date (the
provider recommended it then). A replacement named for a model with no known retirement still has to
be a known, not retired id at the latest retirement date in the catalog.
"""

from __future__ import annotations

import datetime

import pytest

from agentable.catalog import Catalog, load_catalog


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


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
