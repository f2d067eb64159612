"""Defaults of configuration reads: environment variables, argparse options, settings fields."""

from agentable.cpg import ir
from agentable.query.config import config_default_strs
from tests.conftest import graph_of

SRC = '''
import argparse
import os
from dataclasses import dataclass, field
from pydantic import Field

class Settings:
    model: str = Field("from-field", description="x")
    other: str = Field(default="from-field-kw")

@dataclass
class Cfg:
    model: str = field(default="from-dataclass")

def parser():
    p = argparse.ArgumentParser()
    p.add_argument("-m", "--model-name", default="from-long-option")
    p.add_argument("--temperature", default="0.2")
    p.add_argument("mode", default="from-positional")
    p.add_argument("--x", dest="picked", default="from-dest")
    return p

def main():
    args = parser().parse_args()
    s = Settings()
    c = Cfg()
    use(os.getenv("A", "from-getenv"), os.environ.get("B", default="from-environ"), os.getenv("C"))
    use(args.model_name, args.mode, args.picked, args.temperature, args.missing)
    use(s.model, s.other, c.model)
'''


def _defaults_of_use_args() -> list[list[str]]:
    g = graph_of({"app.py": SRC})
    main = g.functions["app.main"]
    out = []
    for site in main.calls:
        if isinstance(site.call.func, ir.Name) and site.call.func.id == "use":
            out.append([config_default_strs(g, a, main, site.stmt) for a in site.call.args])
    return out


def test_defaults_of_environment_argparse_and_settings_reads() -> None:
    env, cli, fields = _defaults_of_use_args()
    assert env == [["from-getenv"], ["from-environ"], []]
    assert cli == [["from-long-option"], ["from-positional"], ["from-dest"], ["0.2"], []]
    assert fields == [["from-field"], ["from-field-kw"], ["from-dataclass"]]
