"""A data-only encoding of agentable's value classes for the on-disk caches (msgpack).

The caches used to be pickles, and a pickle read from a folder someone else can write runs
their code. This format can only ever rebuild the classes registered here, from plain values:
an entry is msgpack, a node is an array whose first element is an extension marker naming its
class, followed by its fields in declaration order (an IR node's `pos` tuple is flattened into
the first four values, since every node has one). Anything that does not fit, on writing or
reading, raises `CodecError`, which the caches treat as a miss.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Any, Callable, Iterable

import msgpack

from agentable.cpg import ir
from agentable.findings import Finding, FlowStep, Notification, Severity, Span

_NODE = 0  # data: the class's index in the registry
_ELLIPSIS = 1
_BIGINT = 2  # data: decimal digits
_COMPLEX = 3  # data: repr() of the complex
_TUPLE = 4  # a marker before a tuple's items
_ENUM = 5  # data: index of the enum class, then the member's int value


class CodecError(ValueError):
    """The value cannot be written, or the bytes are not an entry this codec wrote."""


class _Marker:
    """What an extension decodes to: the first element of an array that names a class."""

    __slots__ = ("build",)

    def __init__(self, build: Callable[[list], Any]) -> None:
        self.build = build


def _ir_classes() -> list[type]:
    found = [obj for obj in vars(ir).values()
             if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == ir.__name__]
    return sorted(found, key=lambda cls: cls.__name__)


class DataCodec:
    """Encoder and decoder for a fixed set of dataclasses (slots or not) and int enums."""

    def __init__(self, classes: Iterable[type], enums: Iterable[type[enum.IntEnum]] = ()) -> None:
        self._classes = list(classes)
        self._enums = list(enums)
        self._index = {cls: i for i, cls in enumerate(self._classes)}
        self._enum_index = {cls: i for i, cls in enumerate(self._enums)}
        self._fields = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in self._classes}
        self._markers = [_Marker(self._builder(cls)) for cls in self._classes]
        self._tuple_marker = _Marker(lambda items: tuple(items[1:]))
        self._packer = msgpack.Packer(default=self._default, use_bin_type=True, strict_types=True)

    # -- writing ------------------------------------------------------------------------------

    def encode(self, value: Any) -> bytes:
        try:
            return self._packer.pack(value)
        except (TypeError, ValueError, OverflowError, RecursionError) as exc:
            self._packer.reset()
            raise CodecError(f"cannot encode: {exc}") from exc

    def _default(self, obj: Any) -> Any:
        cls = obj.__class__
        index = self._index.get(cls)
        if index is not None:
            values = [getattr(obj, name) for name in self._fields[cls]]
            if values and self._fields[cls][0] == "pos":
                values[0:1] = list(values[0])
            return [msgpack.ExtType(_NODE, index.to_bytes(2, "little")), *values]
        if cls is tuple:
            return [msgpack.ExtType(_TUPLE, b""), *obj]
        if obj is Ellipsis:
            return msgpack.ExtType(_ELLIPSIS, b"")
        if cls is int:  # only reached for ints outside 64 bits
            return msgpack.ExtType(_BIGINT, str(obj).encode("ascii"))
        if cls is complex:
            return msgpack.ExtType(_COMPLEX, repr(obj).encode("ascii"))
        if cls in self._enum_index:
            return msgpack.ExtType(_ENUM, bytes([self._enum_index[cls]]) + int(obj).to_bytes(8, "little", signed=True))
        raise TypeError(f"{cls.__name__} is not a cached type")

    # -- reading ------------------------------------------------------------------------------

    def decode(self, data: bytes) -> Any:
        try:
            return msgpack.unpackb(data, ext_hook=self._ext, list_hook=self._list, raw=False,
                                   strict_map_key=True, use_list=True)
        except CodecError:
            raise
        except Exception as exc:  # msgpack raises several types for truncated or foreign data
            raise CodecError(f"not a cache entry: {type(exc).__name__}") from exc

    def _ext(self, code: int, data: bytes) -> Any:
        if code == _NODE and len(data) == 2:
            index = int.from_bytes(data, "little")
            if index < len(self._markers):
                return self._markers[index]
        elif code == _TUPLE and not data:
            return self._tuple_marker
        elif code == _ELLIPSIS and not data:
            return Ellipsis
        elif code == _BIGINT and data.isascii() and data.lstrip(b"-").isdigit():
            return int(data)
        elif code == _COMPLEX and data.isascii():
            return complex(data.decode("ascii"))
        elif code == _ENUM and len(data) == 9 and data[0] < len(self._enums):
            return self._enums[data[0]](int.from_bytes(data[1:], "little", signed=True))
        raise CodecError(f"unknown extension {code}")

    def _list(self, items: list) -> Any:
        if items and items[0].__class__ is _Marker:
            return items[0].build(items)
        return items

    def _builder(self, cls: type) -> Callable[[list], Any]:
        names = self._fields[cls]
        has_pos = bool(names) and names[0] == "pos"
        arity = len(names) + (3 if has_pos else 0) + 1

        def build(items: list) -> Any:
            if len(items) != arity:
                raise CodecError(f"{cls.__name__}: {len(items) - 1} values for {len(names)} fields")
            if has_pos:
                return cls((items[1], items[2], items[3], items[4]), *items[5:])
            return cls(*items[1:])

        return build


IR_CODEC = DataCodec(_ir_classes())
RESULT_CODEC = DataCodec([*_ir_classes(), Finding, FlowStep, Notification, Span], enums=[Severity])
