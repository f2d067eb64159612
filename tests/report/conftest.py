"""Fixtures for the report tests; the data lives in report_data.py (importable by the tests)."""

from __future__ import annotations

import pytest
from report_data import make_result

from agentable.scan_result import ScanResult


@pytest.fixture
def result() -> ScanResult:
    return make_result()
