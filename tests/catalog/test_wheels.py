"""The mined wheel table (wheels.pack, scripts/dist_metadata.py) and its optional-import miner."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

from agentable.catalog.datapack import WHEELS
from agentable.catalog.loader import DATA_DIR

ROOT = Path(__file__).resolve().parents[2]


def _payload() -> dict:
    return WHEELS.read(DATA_DIR / WHEELS.file)


def test_size_budget_and_provenance():
    assert (DATA_DIR / WHEELS.file).stat().st_size < 2_000_000  # far under the 20 MB budget
    payload = _payload()
    wheels = payload["wheels"]
    assert len(wheels) >= 300
    for name, w in wheels.items():
        assert w["version"] and isinstance(w["imports"], list), name
        assert w.get("imports_from", "wheel") in ("wheel", "name"), name
    for name, o in payload["optional"].items():
        # one release, or several ("0.0.44 to 0.0.79.post1") up to the newest, which the wheel entry describes
        assert o["version"].rpartition(" to ")[2] == wheels[name]["version"] and isinstance(o["needs"], dict), name


def test_top_distributions_are_mined():
    listed = [ln.split("#")[0].strip() for ln in (ROOT / "scripts/dist_requires.txt").read_text().splitlines()]
    top = [n for n in listed if n][:300]
    wheels = _payload()["wheels"]
    from agentable.catalog import normalize_dist

    missing = [n for n in top if normalize_dist(n) not in wheels]
    assert len(missing) <= 15, missing  # a few publish no wheel (sdists only)


def test_huge_wheels_are_named_not_downloaded():
    torch = _payload()["wheels"].get("torch")
    assert torch is not None and torch["imports_from"] == "name" and "torch" in torch["imports"]


def test_mined_names_answer_import_questions(cat):
    assert cat.distributions_for_import("yaml") == ("PyYAML",)  # hand-written name wins
    assert cat.distributions_for_import("tavily") == ("tavily-python",)
    assert cat.knows_import("sse_starlette")  # known only from its wheel
    hit = cat.optional_needs("langchain_community.vectorstores.FAISS")
    assert hit is not None and hit[0] == "langchain-community"
    assert "faiss-cpu" in hit[2]["faiss"]
    assert cat.optional_needs("langchain_community.vectorstores.faiss.FAISS") == hit
    assert cat.optional_needs("langchain_openai.ChatOpenAI") is None


def _wheel(files: dict[str, str]) -> zipfile.ZipFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    return zipfile.ZipFile(io.BytesIO(buf.getvalue()))


def test_optional_miner_reads_install_hints():
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from dist_optional import mine
    finally:
        sys.path.pop(0)
    z = _wheel({
        "kit/__init__.py": "from .stores.lance import *\n",
        "kit/stores/__init__.py": (
            "from .lance import LanceStore\n"
            "_module_lookup = {'Qdrant': 'kit.stores.qdrant', 'Plain': 'kit.stores.plain'}\n"),
        "kit/stores/lance.py": (
            "def _load():\n"
            "    try:\n        import lancedb\n"
            "    except ImportError as e:\n"
            "        raise ImportError('Please install it with `pip install lancedb`') from e\n"
            "    return lancedb\n"
            "class LanceStore:\n    def __init__(self):\n        self.db = _load()\n"),
        "kit/stores/qdrant.py": (
            "class Qdrant:\n    def __init__(self):\n"
            "        try:\n            from qdrant_client import QdrantClient\n"
            "        except ImportError:\n"
            "            raise ValueError('Could not import qdrant. pip install qdrant-client to use it')\n"
            "class Graph:\n    def show(self):\n"  # one optional method: not the class's need
            "        try:\n            import yfiles\n"
            "        except ImportError:\n            raise ImportError('pip install yfiles')\n"),
        "kit/stores/plain.py": (
            "class Plain:\n    def add(self):\n"
            "        try:\n            import orjson as json\n"
            "        except ImportError:\n            import json\n"),  # falls back: not needed
    })
    got = mine(z)
    assert got["needs"] == {"kit.stores.lance.LanceStore": {"lancedb": ["lancedb"]},
                            "kit.stores.qdrant.Qdrant": {"qdrant_client": ["qdrant-client"]}}
    assert got["exports"] == {"kit.LanceStore": "kit.stores.lance.LanceStore",
                              "kit.stores.LanceStore": "kit.stores.lance.LanceStore",
                              "kit.stores.Qdrant": "kit.stores.qdrant.Qdrant"}


def test_optional_miner_reads_per_integration_requirements():
    """A hub that ships a requirements.txt per integration: an unguarded import of a package listed
    there, in a method every use runs, is the class's need; an unlisted one (the hub's own
    dependency) and one in a folder without such a file are not."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from dist_optional import mine
    finally:
        sys.path.pop(0)
    z = _wheel({
        "hub/tools/search/__init__.py": "from hub.tools.search.base import SearchToolSpec\n",
        "hub/tools/search/requirements.txt": "acme-search-python>=1.2\n# comment\n",
        "hub/tools/search/base.py": (
            "import requests\n"
            "class SearchToolSpec:\n    def __init__(self, key):\n"
            "        from acme_search import Client\n        self.client = Client(key)\n"
            "    def _helper(self):\n        import yaml\n"),
        "hub/tools/plain/base.py": "class Plain:\n    def __init__(self):\n        import acme_search\n",
    })
    got = mine(z)
    assert got["needs"] == {"hub.tools.search.base.SearchToolSpec": {"acme_search": ["acme-search-python"]}}
    assert got["exports"] == {"hub.tools.search.SearchToolSpec": "hub.tools.search.base.SearchToolSpec"}


def test_a_dependency_installs_its_newest_wheel(cat):
    # declared setuptools may be pinned below 81 (which still shipped pkg_resources); one that a
    # dependency brings is the newest, whose wheel has no pkg_resources
    assert "pkg_resources" in cat.provided_imports("setuptools")
    assert "torch" in cat.provided_imports("accelerate") and "pkg_resources" not in cat.provided_imports("torch")
    assert "langgraph.checkpoint" in cat.provided_imports("langgraph")  # a hand name under the wheel's root stays
    assert "python3-xlib" in cat.distributions_for_import("Xlib.display")  # a fork without a wheel


def test_import_names_per_release(cat):
    """requires.pack's per-release import names (dist_requires.py --imports): the dspy-ai 2.4
    wheels install `dsp` beside `dspy`, the 2.6+ shims neither."""
    from packaging.version import Version

    dspy_ai = cat.releases.get("dspy-ai")
    assert dspy_ai is not None
    assert set(dspy_ai.imports_at(Version("2.4.9")) or ()) == {"dsp", "dspy"}
    assert dspy_ai.imports_at(Version("3.4.1")) == ()
    assert dspy_ai.imports_at(Version("0.1.9")) is None  # not read
    assert cat.distributions_for_import("dsp.utils") == ("dspy-ai",)
    assert cat.removed_imports["dsp"] == "dspy-ai<2.6.0"
    assert cat.removed_imports["pkg_resources"] == "setuptools<82"  # the hand-written entry stays
    assert "dspy" not in cat.removed_imports  # the dspy distribution's newest wheel installs it
