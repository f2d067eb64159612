"""The API mined from wheels (catalog/api_surface.py) and the gaps it shows (query/versions.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from agentable.catalog.api_surface import ApiSurfaceIndex
from agentable.catalog.datapack import API_SURFACE, Pack
from agentable.query.versions import _read_bits, mined_api_gap, mined_ranges
from tests.query.test_versions import graph_with, lock

# versions newest first: bit 0 = 2.1.0, bit 1 = 2.0.0, bit 2 = 1.5.0, bit 3 = 1.0.0
_ACME = {
    "versions": ["2.1.0", "2.0.0", "1.5.0", "1.0.0"],
    "releases": ["2.1.0", "2.0.1", "2.0.0", "1.5.2", "1.5.0", "1.0.0", "0.9.0"],
    "modules": {"acme": 0b1111, "acme.chains": 0b1111, "acme.legacy": 0b1100, "acme.lazy": 0b1111, "acme.was_module": 0b1100},
    "lazy": {"acme.lazy": 0b0011},
    "open": {"acme.chains:Open": 0b1111},
    "symbols": {"acme:Client": 0b1111, "acme:old_helper": 0b1100, "acme:new_helper": 0b0011,
                "acme.chains:Chain": 0b1111, "acme.chains:Chain.run": 0b1100, "acme.chains:Chain.invoke": 0b1111,
                "acme.chains:Open": 0b1111, "acme.chains:Open.x": 0b0001, "acme.lazy:Thing": 0b1100,
                "acme.legacy:Agent": 0b1100, "acme:was_module": 0b0011},
    "params": {"acme:Client": [["api_key,*,timeout,**", 0b0011], ["api_key", 0b1100]]},
}


def index_of(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ApiSurfaceIndex:
    payload = {"version": 1, "mined": "2026-12-06", "roots": {"acme": ["acme-sdk"]}, "dists": {"acme-sdk": _ACME}}
    data = tmp_path / "api.pack"
    API_SURFACE.write(data, payload)
    return ApiSurfaceIndex(Pack(lambda: open(data, "rb")))


def test_presence_per_read_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    surface = index_of(tmp_path, monkeypatch).get("Acme_SDK")
    assert surface is not None and surface.versions[0] == Version("2.1.0") and surface.mined == "2026-12-06"
    assert surface.presence("acme.old_helper").have == 0b1100  # type: ignore[union-attr]
    assert surface.presence("acme.legacy.Agent").module == "acme.legacy"  # type: ignore[union-attr]
    assert surface.presence("acme.legacy").have == 0b1100  # type: ignore[union-attr]  (a module)
    assert surface.presence("acme.chains.Chain.run").have == 0b1100  # type: ignore[union-attr]
    # a class with bases outside the wheel: its members are unknown, so it counts as having them
    assert surface.presence("acme.chains.Open.y").have == 0b1111  # type: ignore[union-attr]
    # a lazy module-level __getattr__ (in 2.x) may give any name
    assert surface.presence("acme.lazy.Anything").have == 0b0011  # type: ignore[union-attr]
    assert surface.presence("other.mod") is None
    assert surface.presence("acme.was_module").have == 0b1111  # a module once, a function now
    assert surface.signatures("acme.Client")[0] == ("api_key,*,timeout,**", 0b0011)
    assert index_of(tmp_path, monkeypatch).get("unknown-dist") is None


def test_read_bits_and_ranges() -> None:
    vs = tuple(Version(v) for v in _ACME["versions"])
    assert _read_bits(vs, Version("2.0.0")) == (1,)
    assert _read_bits(vs, Version("2.0.1")) == (1, 0)  # a release between two read ones: both
    assert _read_bits(vs, Version("0.9.0")) is None and _read_bits(vs, Version("3.0")) is None
    assert mined_ranges(vs, 0b1100) == ">=1.0.0,<2.0.0"
    assert mined_ranges(vs, 0b0011) == ">=2.0.0"
    assert mined_ranges(vs, 0b1010) == ">=1.0.0,<1.5.0 or >=2.0.0,<2.1.0"


def test_a_gap_needs_the_installed_release_read_and_the_symbol_elsewhere(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    index = index_of(tmp_path, monkeypatch)
    g = graph_with(tmp_path / "a", {"requirements.txt": "acme-sdk\n"})
    monkeypatch.setattr(g.catalog, "api_surface", index)
    gap = mined_api_gap(g, "app.py", "acme.old_helper")
    assert gap is not None and gap.installed == ("2.1.0",) and not gap.newer
    assert gap.message() == ("`acme.old_helper` is not in acme-sdk 2.1.0, the newest release that requirements.txt:1 "
                             "admits (`acme-sdk`), which a fresh install gets; of the releases read (1.0.0 to 2.1.0), "
                             "only acme-sdk>=1.0.0,<2.0.0 has it.")
    assert mined_api_gap(g, "app.py", "acme.legacy.Agent") is not None  # its module is gone from the package
    assert mined_api_gap(g, "app.py", "acme.legacy") is not None
    assert mined_api_gap(g, "app.py", "acme.chains.Chain.run") is not None
    for silent in ("acme.Client", "acme.no_such_name", "acme.lazy.Thing", "acme.chains.Open.x", "other.x"):
        assert mined_api_gap(g, "app.py", silent) is None, silent


def test_pins_and_ranges_decide_what_is_judged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    index = index_of(tmp_path, monkeypatch)
    old = graph_with(tmp_path / "old", {"requirements.txt": "acme-sdk<2\n"})
    monkeypatch.setattr(old.catalog, "api_surface", index)
    assert mined_api_gap(old, "a.py", "acme.old_helper") is None
    # 1.5.2 was not read: 1.5.0 lacks the 2.x API but 2.0.0 has it, so 1.5.2 is unknown
    assert mined_api_gap(old, "a.py", "acme.new_helper") is None
    older = graph_with(tmp_path / "older", {"requirements.txt": "acme-sdk<1.5.1\n"})
    monkeypatch.setattr(older.catalog, "api_surface", index)
    gap = mined_api_gap(older, "a.py", "acme.new_helper")  # 1.5.0 was read: an API newer than the range
    assert gap is not None and gap.newer and gap.installed == ("1.5.0",)
    locked = graph_with(tmp_path / "lk", {"pyproject.toml": '[project]\nname = "a"\ndependencies = ["acme-sdk"]\n',
                                          "uv.lock": lock(("acme-sdk", "2.0.1"))})
    monkeypatch.setattr(locked.catalog, "api_surface", index)
    gap = mined_api_gap(locked, "a.py", "acme.old_helper")
    assert gap is not None and gap.installed == ("2.0.1",)
    assert gap.installed_text() == "acme-sdk 2.0.1, the version uv.lock:5 pins"
    ancient = graph_with(tmp_path / "an", {"requirements.txt": "acme-sdk==0.9.0\n"})
    monkeypatch.setattr(ancient.catalog, "api_surface", index)
    assert mined_api_gap(ancient, "a.py", "acme.new_helper") is None  # 0.9.0 was not read: unknown


def test_the_shipped_data_knows_a_real_removal() -> None:
    index = ApiSurfaceIndex()
    assert index.mined and "langchain" in index.dists_for("langchain")
    lc = index.get("langchain")
    assert lc is not None and {Version("0.3.0"), Version("1.0.0")} <= set(lc.versions)
    before, after = lc.versions.index(Version("0.3.0")), lc.versions.index(Version("1.0.0"))
    pres = lc.presence("langchain.agents.initialize_agent")  # removed by langchain 1.0
    assert pres is not None and pres.have >> before & 1 and not pres.have >> after & 1
    assert pres.module_mask >> after & 1  # while langchain.agents is still there


def test_mined_values_are_shared_and_read_alike() -> None:
    """The mined data is held compact (tuples, one object per equal value) and reads as before."""
    from agentable.catalog.api_surface import ByModule

    mask = 2 ** 40 + 3  # above 256: an int object of its own per JSON value unless shared
    params = ByModule({"pkg.mod:Client.create": [["self,*,model,**", mask]],
                       "pkg.other:Client.create": [["self,*,model,**", mask]]})
    first, second = params.get("pkg.mod:Client.create"), params.get("pkg.other:Client.create")
    assert first == (("self,*,model,**", mask),) and first is second
    symbols = ByModule({"pkg.mod:Client": mask, "pkg.other:Client": int(str(mask)), "pkg.mod:x": 7})
    assert symbols.get("pkg.mod:Client") is symbols.get("pkg.other:Client") == mask
    assert symbols.get("pkg.mod:x") == 7 and symbols.get("pkg.mod:y") is None


def test_client_chain_walks_typed_attributes_per_release() -> None:
    """openai's mined history: a client reaches its resources through typed attributes, and a
    method reached so is judged per release (the Responses API from 1.66, beta.vector_stores until
    1.65, the chat completions resource moving to another module in between)."""
    surface = ApiSurfaceIndex().get("openai")
    assert surface is not None
    at = {str(v): 1 << i for i, v in enumerate(surface.versions)}
    responses = surface.chain_presence("openai.OpenAI().responses.create")
    assert responses is not None
    assert responses.have & at["1.66.0"] and not responses.have & at["1.65.5"] and responses.module_mask & at["1.65.5"]
    stores = surface.chain_presence("openai.OpenAI().beta.vector_stores.create")
    assert stores is not None and stores.have & at["1.65.5"] and not stores.have & at["1.66.0"]
    assert surface.chain_owner("openai.OpenAI().chat.completions.create", at["1.40.0"]) != \
        surface.chain_owner("openai.OpenAI().chat.completions.create", at["3.63.0"])
    unknown = surface.chain_presence("openai.OpenAI().chat.completions.create")
    assert unknown is not None and unknown.unknown & at["0.28.1"]  # no client class in 0.x: unknown, not missing
