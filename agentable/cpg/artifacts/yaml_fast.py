"""ruamel.yaml's round-trip load of a YAML text, with libyaml (PyYAML's C parser) scanning and
parsing it when it is installed.

ruamel's pure-Python scanner is what a large YAML file costs (measured: 1,141 recorded HTTP
cassettes of one repository, 42 s of a 60 s scan). Here libyaml's events are handed to ruamel's
own composer, resolver (YAML 1.2 rules) and round-trip constructor, so the data, its types and
the line/column of every key and value are those of a pure ruamel load. Any text libyaml rejects,
or that has a tag or a directive (handled differently by the two), or that ruamel's constructor
rejects, is loaded by ruamel alone: its errors and notifications stay ruamel's.
"""

from __future__ import annotations

import re
from typing import Any, Iterator

_DIRECTIVE = re.compile(r"(?m)^%")


class _Fallback(Exception):
    """Not for the fast path: load with ruamel alone."""


def load_yaml(text: str) -> Any:
    """`YAML(typ="rt", pure=True).load(text)` with duplicate keys allowed."""
    if not _DIRECTIVE.search(text):  # a %YAML or %TAG directive: ruamel's own parser reads it
        try:
            return _load_fast(text)
        except _Fallback:
            pass
        except Exception:  # libyaml or the constructor refused it: ruamel reports the error
            pass
    return _new_loader().load(text)


def _new_loader() -> Any:
    from ruamel.yaml import YAML  # imported when a YAML file is read (it costs ~40 ms)

    yaml = YAML(typ="rt", pure=True)  # round-trip: plain data with positions; no object construction
    yaml.allow_duplicate_keys = True
    return yaml


def _load_fast(text: str) -> Any:
    try:
        import yaml as pyyaml  # PyYAML, optional
    except ImportError:
        raise _Fallback from None
    if not getattr(pyyaml, "__with_libyaml__", False) or not hasattr(pyyaml, "CSafeLoader"):
        raise _Fallback
    events = list(_converted(pyyaml, pyyaml.CSafeLoader(text)))  # all of them: a syntax error falls back here
    loader = _new_loader()
    loader.doc_infos.append(_doc_info(loader))  # as ruamel's `load` sets up before composing
    loader.tags = {}
    loader._parser = _EventFeed(events)  # what ruamel's composer reads events from
    return loader.constructor.get_single_data()


def _doc_info(loader: Any) -> Any:
    from ruamel.yaml.docinfo import DocInfo, version

    return DocInfo(requested_version=version(loader.version))


def _converted(pyyaml: Any, parser: Any) -> Iterator[Any]:
    from ruamel.yaml import events as ev

    try:
        while parser.check_event():
            e = parser.get_event()
            start, end = e.start_mark, e.end_mark
            if isinstance(e, pyyaml.ScalarEvent):
                _no_tag(e.tag)
                if not e.value and not e.style:  # an empty value (`key:`): libyaml places it after the
                    raise _Fallback  # colon, ruamel at the next token
                yield ev.ScalarEvent(e.anchor, None, e.implicit, e.value, start, end, style=e.style or None)
            elif isinstance(e, pyyaml.MappingStartEvent):
                _no_tag(e.tag)
                yield ev.MappingStartEvent(e.anchor, None, e.implicit, start, end, flow_style=e.flow_style)
            elif isinstance(e, pyyaml.SequenceStartEvent):
                _no_tag(e.tag)
                yield ev.SequenceStartEvent(e.anchor, None, e.implicit, start, end, flow_style=e.flow_style)
            elif isinstance(e, pyyaml.AliasEvent):
                yield ev.AliasEvent(e.anchor, start, end)
            elif isinstance(e, pyyaml.MappingEndEvent):
                yield ev.MappingEndEvent(start, end)
            elif isinstance(e, pyyaml.SequenceEndEvent):
                yield ev.SequenceEndEvent(start, end)
            elif isinstance(e, pyyaml.DocumentStartEvent):
                yield ev.DocumentStartEvent(start, end, explicit=e.explicit)
            elif isinstance(e, pyyaml.DocumentEndEvent):
                yield ev.DocumentEndEvent(start, end, explicit=e.explicit)
            elif isinstance(e, pyyaml.StreamStartEvent):
                yield ev.StreamStartEvent(start, end)
            elif isinstance(e, pyyaml.StreamEndEvent):
                yield ev.StreamEndEvent(start, end)
            else:
                raise _Fallback
    finally:
        parser.dispose()


def _no_tag(tag: Any) -> None:
    if tag is not None:  # an explicit tag (`!!str`, `!`): ruamel resolves tags itself
        raise _Fallback


class _EventFeed:
    """The part of ruamel's parser its composer uses: check, peek and get events."""

    def __init__(self, events: list[Any]) -> None:
        self._events = events
        self._i = 0

    def check_event(self, *choices: Any) -> bool:
        if self._i >= len(self._events):
            return False
        return not choices or isinstance(self._events[self._i], choices)

    def peek_event(self) -> Any:
        return self._events[self._i]

    def get_event(self) -> Any:
        e = self._events[self._i]
        self._i += 1
        return e

    def dispose(self) -> None:
        self._events = []
