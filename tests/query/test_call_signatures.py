"""Keywords a mined callee does not accept in the installed release (query/call_signatures.py)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from agentable.catalog import load_catalog
from agentable.catalog.datapack import API_SURFACE, Pack
from agentable.cpg.manifests import parse_manifests
from agentable.query.call_signatures import Signature, callee_of, rejected_keywords
from tests.conftest import graph_of

# A made-up SDK under a framework import root (`marvin`), newest release first:
# bit 0 = 2.1.0, bit 1 = 2.0.0, bit 2 = 1.5.0, bit 3 = 1.0.0.
_SDK = {
    "versions": ["2.1.0", "2.0.0", "1.5.0", "1.0.0"],
    "releases": ["2.1.0", "2.0.0", "1.5.0", "1.0.0"],
    "modules": {"marvin": 0b1111, "marvin.client": 0b1111, "marvin.client.core": 0b1111, "marvin.tools": 0b1111},
    "lazy": {},
    "open": {"marvin:Model": 0b1111},
    "symbols": {
        "marvin:complete": 0b1111, "marvin:Client": 0b1111, "marvin.client:Client": 0b1111,
        "marvin.client.core:Client": 0b1111, "marvin.client.core:Client.__init__": 0b1111,
        "marvin.client.core:Client.ask": 0b1111, "marvin:Model": 0b1111, "marvin:Model.__init__": 0b1111,
        "marvin.tools:search": 0b1111, "marvin:search": 0b1111,
        # a dataclass in 2.x (its generated __init__ is not in the data), a hand-written one before
        "marvin:Config": 0b1111, "marvin:Config.load": 0b1111, "marvin:Config.__init__": 0b1100,
    },
    "params": {
        # `temp` renamed to `temperature` in 2.0
        "marvin:complete": [["prompt,*,model,temperature", 0b0011], ["prompt,*,model,temp", 0b1100]],
        "marvin.client.core:Client.__init__": [["self,api_key,*,timeout", 0b0011], ["self,api_key,*,timeout,retries", 0b1100]],
        # `stream` added in 2.1 only (a newer API: not this rule's); `**` absorbs anything in 2.0
        "marvin.client.core:Client.ask": [["self,question,*,stream", 0b0001], ["self,question,**", 0b0010],
                                          ["self,question,*,verbose", 0b1100]],
        # an open class (a base outside the wheel, as a pydantic model's): never judged
        "marvin:Model.__init__": [["self,name", 0b0011], ["self,name,description", 0b1100]],
        "marvin:Config.__init__": [["self,debug", 0b1100]],
        "marvin.tools:search": [["query,*,limit", 0b1111]],
    },
}


@pytest.fixture
def sdk(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    data = tmp_path / "api.pack"
    API_SURFACE.write(data, {"version": 2, "mined": "2026-12-06", "roots": {"marvin": ["marvin-sdk"]},
                             "dists": {"marvin-sdk": _SDK}})
    index = load_catalog().api_surface  # the instance graph_of's catalog holds (its pack may be read already)
    monkeypatch.setattr(index, "_pack", Pack(lambda: open(data, "rb")))
    monkeypatch.setattr(index, "_built", {})


def findings(tmp_path: Path, requirement: str, source: str) -> list[tuple[int, str, str]]:
    (tmp_path / "requirements.txt").write_text(requirement + "\n", encoding="utf-8")
    g = graph_of({"app.py": source}, parse_manifests(tmp_path, [tmp_path / "requirements.txt"]))
    return [(r.site.call.pos[0], r.keyword, r.renamed_to) for r in rejected_keywords(g)]


def test_signature_text() -> None:
    s = Signature.parse("self,a,*args,b,**")
    assert s.names == ("self", "a", "b") and s.var_kw and s.accepts("anything")
    assert not Signature.parse("a,*,b").accepts("c") and Signature.parse("").names == ()


def test_callee_paths() -> None:
    assert callee_of("pkg.mod.func") == ("pkg.mod.func", "")
    assert callee_of("pkg.Client().ask") == ("pkg.Client", "ask")
    assert callee_of("pkg.Client()") == ("pkg.Client", "__call__")
    assert callee_of("pkg.Client().chat.create") is None  # an attribute of an instance: its type is unknown
    assert callee_of("pkg.make().x().y") is None


APP = """\
    import marvin
    from marvin import Client, Config, Model, complete, search

    def run(q):
        a = complete(q, model="m", temp=0.3)
        b = complete(q, model="m", temperature=0.3)
        c = Client("key", retries=3)
        d = c.ask(q, verbose=True)
        e = Model(name="x", description="y")
        f = marvin.search(q, limit=3, page=2)
        g = Config(debug=True)
        return a, b, d, e, f, g
"""


def test_renamed_and_dropped_keywords(sdk, tmp_path: Path) -> None:
    got = findings(tmp_path, "marvin-sdk>=1.0", textwrap.dedent(APP))
    # the rename, named from its position; a dropped keyword through the re-export chain
    # marvin -> marvin.client -> marvin.client.core; `ask` is judged in 2.1 where `stream` took the
    # place of `verbose`.
    # Silent: the accepted spelling, an open class (a pydantic-style model) even though an older release
    # named the keyword, a keyword no release knew, a constructor the installed release's data does not show.
    assert got == [(5, "temp", "temperature"), (7, "retries", ""), (8, "verbose", "stream")]


def test_the_installed_release_decides(sdk, tmp_path: Path) -> None:
    assert findings(tmp_path, "marvin-sdk<2", textwrap.dedent(APP)) == []
    # 2.0.0: `ask` has **kwargs there
    assert [f[1] for f in findings(tmp_path, "marvin-sdk==2.0.0", textwrap.dedent(APP))] == ["temp", "retries"]


def test_unknown_callees_stay_silent(sdk, tmp_path: Path) -> None:
    src = """\
        from marvin import complete

        def local_complete(prompt, **kw):
            return prompt

        def run(q, fast):
            fn = local_complete if fast else complete
            return fn(q, temp=0.1)
    """
    assert findings(tmp_path, "marvin-sdk", textwrap.dedent(src)) == []
    shims = """\
        import marvin
        from marvin import complete

        OLD = marvin.__version__.startswith("1.")

        def run(q):
            a = complete(q, temp=0.1) if OLD else complete(q, temperature=0.1)
            try:
                b = complete(q, temp=0.1)
            except TypeError:
                b = complete(q, temperature=0.1)
            return a, b, complete(q, temp=0.2)
    """
    # a version-tested branch and a TypeError fallback are written for both releases; the last call is not
    assert findings(tmp_path, "marvin-sdk", textwrap.dedent(shims)) == [(12, "temp", "temperature")]
    shadow = """\
        from marvin import complete
        complete("q", temp=0.1)
    """
    (tmp_path / "requirements.txt").write_text("marvin-sdk\n", encoding="utf-8")
    g = graph_of({"app.py": textwrap.dedent(shadow), "marvin/__init__.py": "def complete(p, temp=0): ...\n"},
                 parse_manifests(tmp_path, [tmp_path / "requirements.txt"]))
    assert rejected_keywords(g) == []  # the project's own `marvin` package shadows the library
