"""Which handler catches which error (cpg.flow.exception_catches)."""

import pytest

from agentable.cpg.flow import exception_catches


@pytest.mark.parametrize("handler, raised", [
    ("IOError", "FileNotFoundError"),  # IOError is OSError in Python 3
    ("EnvironmentError", "ConnectionError"),
    ("socket.error", "TimeoutError"),
    ("OSError", "IOError"),
    ("ValueError", "json.JSONDecodeError"),
    ("Exception", "KeyError"),
])
def test_handler_catches(handler: str, raised: str) -> None:
    assert exception_catches(handler, raised)


@pytest.mark.parametrize("handler, raised", [
    ("IOError", "ValueError"),
    ("KeyError", "IndexError"),
    ("TimeoutError", "ConnectionError"),
    ("socket.timeout", "ConnectionError"),
])
def test_handler_does_not_catch(handler: str, raised: str) -> None:
    assert not exception_catches(handler, raised)
