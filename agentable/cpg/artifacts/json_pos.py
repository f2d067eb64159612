"""Where each key and value of a JSON document is written: `json` keeps no positions, so the text
is scanned once more by a small reader of the same grammar (strings decoded by `json`'s own
scanner), bounded in nodes and depth like the other artifact walks (docs/security.md).

`json_locations(text)` maps a key path (object keys as str, array indexes as int) to the 0-based
(line, col) of the key (an object member: what a report points at) or of the value (an array
item). A text that is not JSON keeps the positions read before the error."""

from __future__ import annotations

import re
from json.decoder import scanstring  # type: ignore[attr-defined]  # (not in typeshed; the C scanner json uses)
from typing import Union

Key = Union[str, int]
Where = tuple[int, int]  # 0-based line, 0-based character column

_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null")
_MAX_NODES = 50_000
_MAX_DEPTH = 200


class _Stop(Exception):
    """The text is not JSON, or is over the bounds: what was read so far is kept."""


def json_locations(text: str) -> dict[tuple[Key, ...], Where]:
    """Key path -> where its key (object member) or its value (array item) is written."""
    reader = _Reader(text)
    try:
        reader.value(reader.skip(0), (), 0)
    except (_Stop, ValueError, IndexError, RecursionError):
        pass
    return reader.out


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.out: dict[tuple[Key, ...], Where] = {}
        self.budget = _MAX_NODES
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def where(self, off: int) -> Where:
        lo, hi = 0, len(self._newlines)
        while lo < hi:  # the number of newlines before `off`
            mid = (lo + hi) // 2
            if self._newlines[mid] < off:
                lo = mid + 1
            else:
                hi = mid
        start = self._newlines[lo - 1] + 1 if lo else 0
        return lo, off - start

    def skip(self, i: int) -> int:
        m = _WS.match(self.text, i)
        return m.end() if m else i

    def value(self, i: int, keys: tuple[Key, ...], depth: int) -> int:
        self.budget -= 1
        if self.budget <= 0 or depth > _MAX_DEPTH:
            raise _Stop
        ch = self.text[i:i + 1]
        if ch == "{":
            return self._object(i + 1, keys, depth)
        if ch == "[":
            return self._array(i + 1, keys, depth)
        if ch == '"':
            return scanstring(self.text, i + 1)[1]
        m = _SCALAR.match(self.text, i)
        if m is None:
            raise _Stop
        return m.end()

    def _object(self, i: int, keys: tuple[Key, ...], depth: int) -> int:
        i = self.skip(i)
        if self.text[i:i + 1] == "}":
            return i + 1
        while True:
            if self.text[i:i + 1] != '"':
                raise _Stop
            key, end = scanstring(self.text, i + 1)
            path = (*keys, key)
            self.out[path] = self.where(i)  # a duplicate key: json keeps the last one, so does this
            i = self.skip(end)
            if self.text[i:i + 1] != ":":
                raise _Stop
            i = self.skip(self.value(self.skip(i + 1), path, depth + 1))
            ch = self.text[i:i + 1]
            if ch == "}":
                return i + 1
            if ch != ",":
                raise _Stop
            i = self.skip(i + 1)

    def _array(self, i: int, keys: tuple[Key, ...], depth: int) -> int:
        i = self.skip(i)
        if self.text[i:i + 1] == "]":
            return i + 1
        n = 0
        while True:
            item = (*keys, n)
            self.out[item] = self.where(i)
            i = self.skip(self.value(i, item, depth + 1))
            n += 1
            ch = self.text[i:i + 1]
            if ch == "]":
                return i + 1
            if ch != ",":
                raise _Stop
            i = self.skip(i + 1)
