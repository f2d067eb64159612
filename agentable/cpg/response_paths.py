"""Which reads of an SDK response reach the model's text, per API, from the catalog's access paths.

An LLM call entry lists `output_text` (where the API documents the generated text, e.g.
`.choices[0].message.content`) and `output_content` (other model-written fields, e.g. a tool
call's JSON `arguments`, the text of one part of a message). A read of the response is compared
segment by segment with those paths: attribute names and string keys are one kind of segment
(`.message` and `["message"]` alike, SDK objects and their dict forms), any other subscript or
an iteration is `[]`, a call is `()`.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

Segments = tuple[str, ...]

INDEX = "[]"
CALL = "()"
ANY_FIELD = "*"

_SEG = re.compile(r"""\.(\w+)|\[\s*["'](\w+)["']\s*\]|\[[^\]]*\]|\(\)""")


def parse_access(path: str) -> Segments:
    """`.choices[0].message.content` -> ("choices", "[]", "message", "content")."""
    out: list[str] = []
    for m in _SEG.finditer(path):
        if m.group(1) or m.group(2):
            out.append(m.group(1) or m.group(2))
        elif m.group(0) == "()":
            out.append(CALL)
        else:
            out.append(INDEX)
    return tuple(out)


@lru_cache(maxsize=None)  # specs hash by identity
def documented_paths(spec: object) -> tuple[Segments, ...]:
    """The access paths an LLM call's catalog entry documents as model-written (text first)."""
    paths = tuple(getattr(spec, "output_text", ()) or ()) + tuple(getattr(spec, "output_content", ()) or ())
    return tuple(parse_access(p) for p in paths)


def reaches_text(read: Segments, documented: tuple[Segments, ...]) -> Optional[bool]:
    """Does reading `read` from the response reach model-written content? True on a documented
    path; False on the way to one (`response.output`, the list of output items) or off them
    (`response.output[0].type`, another field of a documented object, or a field the API does
    not have); None when the paths cannot say: no paths, or a read that starts by iterating or
    indexing the response itself (a stream of chunks, whose shape the paths do not describe)."""
    if not documented or not read or read[0] == INDEX:
        return None
    if read in documented:
        return True
    # ANY_FIELD: every attribute of the result is a field the model wrote (a DSPy Prediction)
    return any(len(d) == len(read) and all(x == y or (x == ANY_FIELD and y not in (INDEX, CALL))
                                           for x, y in zip(d, read, strict=True)) for d in documented)


def on_documented_path(read: Segments, documented: tuple[Segments, ...]) -> bool:
    """`read` is a documented path or the start of one (`stream.get_final_completion()`)."""
    return any(d[:len(read)] == read for d in documented)
