"""query.dataflow: the taint configuration (catalog/taint.toml) and what the engine reads from it."""

import dataclasses

from agentable.catalog import read_toml
from agentable.cpg.resolve import PARSERS
from agentable.query import dataflow, taint


def test_every_sink_has_a_kind_the_engine_handles():
    cfg = taint.config()
    for sink in list(cfg.calls.values()) + list(cfg.methods.values()):
        assert sink.kind in dataflow._SINK_KINDS, sink
        if sink.kind == "parse":
            assert sink.raises or sink.code or sink.lenient, f"{sink.name}: a parse sink names what it raises"


def test_every_barrier_applies_to_known_kinds():
    cfg = taint.config()
    kinds = set(dataflow._SINK_KINDS) | {"key", "shape"}
    for barrier, applies in cfg.barriers.items():
        assert applies <= kinds, (barrier, applies - kinds)
    assert cfg.names["retry"] and cfg.names["suppress"] and cfg.names["type_test"]


def test_sink_lines_are_read_one_per_line():
    raw = read_toml("taint.toml")["sinks"]
    names = [e.get("call") or e.get("method") for e in raw]
    assert len(names) == len(set(names)), "a sink is declared once"
    cfg = taint.config()
    assert cfg.calls["ast.literal_eval"].catch_all
    assert cfg.calls["eval"].code and cfg.calls["exec"].code
    assert cfg.methods["index"].kind == "parse" and cfg.methods["split"].kind == "pieces"
    fields = {f.name for f in dataclasses.fields(taint.Sink)}
    assert all(set(e) <= fields for e in raw)


def test_the_resolver_parses_structures_with_the_declared_sinks():
    assert PARSERS == taint.structure_parsers()
    assert "json.loads" in PARSERS and "int" not in PARSERS
