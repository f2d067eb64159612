"""scripts/dist_api.py: which exported names of a wheel are exception classes (with their
`__init__`), plain classes, or names imported from another library (LARD014's data)."""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
import dist_api

_ERRORS = '''
import httpx

class SdkError(Exception):
    pass

class APIError(SdkError):
    def __init__(self, message: str, request: httpx.Request, *, body: object | None) -> None:
        super().__init__(message)

class StatusError(APIError):
    def __init__(self, message: str, *, response: httpx.Response, body=None) -> None:
        super().__init__(message, response.request, body=body)

class RateLimited(StatusError):
    pass

class Remote(httpx.HTTPError):
    pass
'''
_INIT = '''
from ._errors import SdkError, APIError, StatusError, RateLimited, Remote
from ._types import Timeout
from ._client import Client
'''


def _wheel(tmp_path: Path) -> Path:
    path = tmp_path / "sdk-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("sdk/__init__.py", _INIT)
        z.writestr("sdk/_errors.py", _ERRORS)
        z.writestr("sdk/_types.py", "from httpx import Timeout\n")
        z.writestr("sdk/_client.py", "class Client:\n    def __init__(self, key=None):\n        pass\n")
    return path


def test_exceptions_plain_classes_and_foreign_names(tmp_path: Path) -> None:
    sdk = dist_api.read_wheel(_wheel(tmp_path))["sdk"]
    assert sdk["exceptions"] == {"SdkError": "self,*args", "APIError": "self,message,request,*,body",
                                 "StatusError": "self,message,*,response,body=",
                                 "RateLimited": "self,message,*,response,body="}
    assert "Remote" not in sdk["exceptions"] and "Remote" not in sdk["plain"]  # a base outside the wheel
    assert sdk["plain"] == ["Client"]
    assert sdk["foreign"] == {"Timeout": "httpx.Timeout"}
