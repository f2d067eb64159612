"""listed_model_ids: the ids a project lists for a model field, beyond the default that reaches it."""

from agentable.query.model_choices import listed_model_ids
from agentable.query.models import model_slots
from tests.conftest import graph_of


def _listed(src: str) -> list[tuple[str, int, str]]:
    g = graph_of({"app.py": src})
    (slot,) = model_slots(g)
    return sorted((x.model_id, x.pos[0], x.how) for x in listed_model_ids(g, slot.expr, slot.func, slot.stmt))


def test_literal_annotation_of_the_parameter():
    assert _listed("""
        from typing import Literal, Optional
        from openai import OpenAI

        def ask(q, model: Optional[Literal["gpt-4o", "gpt-4-0613"]] = "gpt-4o"):
            return OpenAI().chat.completions.create(model=model, messages=q)
        """) == [("gpt-4-0613", 5, "annotation"), ("gpt-4o", 5, "annotation")]


def test_string_enum_field_of_a_settings_class():
    assert _listed("""
        from dataclasses import dataclass
        from enum import Enum
        from openai import OpenAI

        class Model(str, Enum):
            FAST = "gpt-4o-mini"
            SLOW = "o3"

        @dataclass
        class Settings:
            model: Model = Model.FAST

        def ask(s: Settings, q):
            return OpenAI().chat.completions.create(model=s.model, messages=q)
        """) == [("gpt-4o-mini", 7, "annotation"), ("o3", 8, "annotation")]


def test_table_looked_up_with_the_model_through_a_config_dict():
    assert _listed("""
        import openai
        from pydantic import BaseModel

        LIMITS = {"gpt-4": 8192, "gpt-3.5-turbo-0613": 4096}

        class Cfg(BaseModel):
            model: str = "gpt-4"

        def defaults(model: str = "gpt-4") -> dict:
            return {"model": model, "limit": LIMITS[model]}

        class Runner:
            def __init__(self, cfg: Cfg):
                self.cfg = cfg

            def go(self, msgs):
                return openai.ChatCompletion.create(model=self.cfg.model, messages=msgs)

        def main(**kw):
            settings = defaults(**kw)
            Runner(Cfg(**settings)).go([])
        """) == [("gpt-3.5-turbo-0613", 5, "table"), ("gpt-4", 5, "table")]


def test_lookups_that_do_not_restrict_the_model_list_nothing():
    # `.get` with a fallback, a membership test and a store all admit other ids
    assert _listed("""
        from openai import OpenAI

        PRICES = {"gpt-4o": 1.0}
        LEGACY = {"gpt-4-0613": True}
        SEEN = {}

        def ask(q, model: str = "gpt-4o"):
            price = PRICES.get(model, 0.0)
            if model in LEGACY:
                print("legacy model")
            SEEN[model] = True
            return OpenAI().chat.completions.create(model=model, messages=q)
        """) == []


def test_choices_of_the_argparse_option_the_model_is_read_from():
    assert _listed("""
        import argparse
        import openai

        MODELS = ["gpt-4o", "o3"]
        p = argparse.ArgumentParser()
        p.add_argument("--model", default="gpt-4o", choices=MODELS)
        p.add_argument("--style", default="short", choices=["short", "long"])
        args = p.parse_args()
        openai.OpenAI().chat.completions.create(model=args.model, messages=[])
        """) == [("gpt-4o", 5, "choices"), ("o3", 5, "choices")]


def test_allow_list_guarding_the_construction_through_super_init_kwargs():
    assert _listed("""
        import litellm

        class Engine:
            def __init__(self, model=None, **kwargs):
                self.model = model

        class Chat(Engine):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

            def generate(self, msgs):
                return litellm.completion(model=self.model, messages=msgs)

        class Local(Engine):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)

        def build(model, **kwargs):
            if model in ["gpt-4o", "gpt-4-turbo"]:
                return Chat(model=model, **kwargs)
            if model in ["llava"]:
                return Local(model=model, **kwargs)
            if model not in ["never-read"]:
                print(model)
            raise ValueError(model)
        """) == [("gpt-4-turbo", 20, "allowlist"), ("gpt-4o", 20, "allowlist")]


def test_not_in_guard_that_raises_and_asserted_exclusions():
    assert _listed("""
        from typing import Literal
        import openai

        Name = Literal["gpt-4o", "text-davinci-003"]
        ALLOWED = ("gpt-4o", "o3")

        def ask(q, model: Name):
            assert model != "text-davinci-003"
            if model not in ALLOWED:
                raise ValueError(model)
            return openai.OpenAI().chat.completions.create(model=model, messages=q)
        """) == [("gpt-4o", 6, "allowlist"), ("o3", 6, "allowlist")]
