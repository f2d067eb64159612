"""nl_check.redact: secrets redacted, in linear time, from what is sent to the LLM; the cut of
huge texts, and templates.prepare applying redaction and budgets to every field of a question."""

from __future__ import annotations

import json
import time

import pytest

from agentable.nl_check.questions import ToolDescriptionQuestion
from agentable.nl_check.redact import MARK, PRECUT_CHARS, precut, redact, truncate
from agentable.nl_check.templates import build_messages, prepare


@pytest.mark.parametrize("source, secret", [
    ('client = OpenAI(api_key="sk-proj-abcdef1234567890abcdef")', "sk-proj-abcdef1234567890abcdef"),
    ('k = "sk-ant-api03-abcdefghijklmnop_qrstu"', "sk-ant-api03"),
    ('aws = "AKIAIOSFODNN7EXAMPLE"', "AKIAIOSFODNN7EXAMPLE"),
    ('t = "ghp_abcdefghijklmnopqrstuvwxyz0123456789"', "ghp_abc"),
    ('t = "github_pat_11ABCDEFG0123456789_abcdefghijk"', "github_pat_11"),
    ('slack = "xoxb-1234567890-abcdefghij"', "xoxb-1234567890"),
    ('g = "AIzaSyA1234567890abcdefghijklmnopqrstuv"', "AIzaSyA123"),
    ('hf = "hf_abcdefghijklmnopqrstuvwxyz"', "hf_abcdef"),
    ('headers = {"Authorization": "Bearer abc.def-ghi_jkl123"}', "abc.def-ghi_jkl123"),
    ('jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"',
     "dozjgNryP4J3jVmNHl0w5N"),
    ('db_password = "hunter2"', "hunter2"),
    ('cfg = {"api_key": "abc123xyz"}', "abc123xyz"),
    ('os.environ["OPENAI_API_KEY"] = "whatever-value"', "whatever-value"),
    ('e = create_engine("postgres://admin:S3cretPass@db.internal:5432/app")', "S3cretPass"),
    ('u = "mongodb+srv://user:pa55word@cluster0.mongodb.net/test"', "pa55word"),
    ('r = redis.from_url("redis://:redispw@localhost:6379/0")', "redispw"),
    ('cs = "Server=myServer;Database=db;User Id=sa;Password=MyP@ss;"', "MyP@ss"),
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEA"),
    ('blob = "Zx9Kq2LmN8pR4tV7wY1bC3dF6gH0jS5e"', "Zx9Kq2LmN8pR4tV7wY1bC3dF6gH0jS5e"),
    ("OPENAI_API_KEY=abc-def", "abc-def"),
    ('u = "https://api.example.com/v1?api_key=abcd1234&q=x"', "abcd1234"),
])
def test_secrets_are_redacted(source, secret):
    out = redact(source)
    assert secret not in out and MARK in out


def test_redaction_keeps_code_structure():
    assert redact('c = OpenAI(api_key="sk-proj-abcdef1234567890abcdef")') == 'c = OpenAI(api_key="<REDACTED>")'
    assert (redact('e = create_engine("postgres://admin:S3cret@db:5432/app")')
            == 'e = create_engine("postgres://<REDACTED>@db:5432/app")')


@pytest.mark.parametrize("source", [
    'resp = client.chat.completions.create(model="gpt-4o-2024-08-06", max_tokens=512)',
    "conn = psycopg2.connect(host=h, password=pw)",
    "password = get_password()",
    'url = "https://api.weather.example/v1/forecast?city=Paris"',
    "def very_long_function_name_with_words_2024(): pass",
    "token_count = len(tokens)",
    'stop=["\\nObservation:"]',
    'e = create_engine("postgres://db.internal:5432/app")',
])
def test_ordinary_code_is_left_alone(source):
    assert redact(source) == source


@pytest.mark.parametrize("source, secret", [
    # annotated assignments
    ('db_password: str = "hunter2-Secret"', "hunter2-Secret"),
    ('api_key: Optional[str] = "abc123xyz"', "abc123xyz"),
    ("token: str | None = 'tok-value'", "tok-value"),
    # HTTP basic auth: the password part
    ('r = requests.get(url, auth=("admin", "pw"))', '"pw"'),
    ("r = httpx.get(url, auth = ('admin', 'S3cr3t'))", "S3cr3t"),
    ('es = Elasticsearch(hosts, basic_auth=("elastic", "changeme"))', "changeme"),
    ('a = HTTPBasicAuth(user, "hunter2")', "hunter2"),
    ('a = aiohttp.BasicAuth("bot", "hunter2")', "hunter2"),
    # header dicts
    ('headers = {"X-API-Key": "abc123def456"}', "abc123def456"),
    ('headers = {"api-key": "abc123"}', "abc123"),
    ('headers = {"Ocp-Apim-Subscription-Key": "abc123"}', "abc123"),
    ('headers = {"Authorization": "Token abc"}', "abc"),
    ('headers = {"Authorization": "abcdef"}', "abcdef"),
    ('headers = {"Proxy-Authorization": "Basic dXNlcjpwdw"}', "dXNlcjpwdw"),
    ('headers = {"Cookie": "sessionid=abc123"}', "abc123"),
    # comments
    ("# password=hunter2", "hunter2"),
    ("x = 1  # api_key: abcd1234", "abcd1234"),
    ("# login with user=admin password=pw1 token=t0k3n", "t0k3n"),
    ("# login with user=admin password=pw1 token=t0k3n", "pw1"),
    # a secret as the default of an environment read
    ('pw = os.getenv("DB_PASSWORD", "hunter2")', "hunter2"),
    ("k = os.environ.get('SERVICE_API_KEY', 'short-key')", "short-key"),
])
def test_more_secret_forms_are_redacted(source, secret):
    out = redact(source)
    assert secret not in out and MARK in out


@pytest.mark.parametrize("source, expected", [
    ('db_password: str = "hunter2-Secret"', 'db_password: str = "<REDACTED>"'),
    ('r = requests.get(url, auth=("admin", "pw"))', 'r = requests.get(url, auth=("admin", "<REDACTED>"))'),
    ('h = {"Authorization": "Bearer abc.def-ghi_jkl123"}', 'h = {"Authorization": "Bearer <REDACTED>"}'),
    ('h = {"Authorization": "Token abc"}', 'h = {"Authorization": "Token <REDACTED>"}'),
    ("# user=admin password=pw1", "# user=admin password=<REDACTED>"),
])
def test_redaction_keeps_names_usernames_and_auth_schemes(source, expected):
    assert redact(source) == expected


@pytest.mark.parametrize("source", [
    'password_field = form.fields["password"]',
    'resp = client.chat.completions.create(model="gpt-4o", max_tokens=300)',
    "max_tokens=300",
    'model="gpt-4o"',
    'tokenizer = "cl100k_base"',
    'api_key_env = "OPENAI_API_KEY"',  # where the key comes from, not the key
    'token_url = "https://auth.example.com/oauth/token"',
    'author = ("Jane", "Doe")',
    'authorization_url = "https://example.com/oauth/authorize"',
    'cookie_name = "sessionid"',
    "# api_key_env: OPENAI_API_KEY",
    "# the password is read from the vault",
    "auth = (USER, PASSWORD)",
    'headers = {"Authorization": f"Bearer {self.api_key}"}',
    'headers = {"X-API-Key": api_key, "Content-Type": "application/json"}',
    'key = os.getenv("OPENAI_API_KEY")',
    'if data["password"] != expected:',
])
def test_near_misses_are_left_alone(source):
    assert redact(source) == source


HOSTILE_TEXTS = {
    "dotted-run": "a." * 20_000, "dashed-run": "x-" * 20_000, "colon-then-spaces": "password:" + " " * 20_000,
    "secret-dotted-run": "password." * 5_000, "env-name-run": "PASSWORD" * 5_000, "comment-run": "# " + "a." * 20_000,
    "open-quotes": 'a = "' * 8_000, "blank-lines": "\n" * 40_000, "url-schemes": "http://" * 6_000,
    "annotation-run": "password: a" + " a" * 20_000, "unclosed-keys": "-----BEGIN RSA PRIVATE KEY-----\n" * 10_000,
}


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
def test_redaction_time_is_linear_on_hostile_text(text):
    # Each of these took from 10 s to minutes with backtracking patterns; linear ones take milliseconds.
    start = time.perf_counter()
    redact(text)
    assert time.perf_counter() - start < 3.0


def test_huge_text_is_cut_on_line_ends_before_redaction():
    head = 'api_key = "head-secret-value"\n'
    tail = '\npassword = "tail-secret-value"'
    text = head + "x = 1\n" * 200_000 + "y = 2" + tail
    cut = precut(text)
    assert len(cut) <= PRECUT_CHARS + 1 and cut.startswith(head) and cut.endswith(tail)
    assert all(line in ("x = 1", "y = 2", "") for line in cut.splitlines()[1:-1])  # whole lines only
    assert precut("short\ntext") == "short\ntext"
    q = prepare(ToolDescriptionQuestion("t", "d", (), {}, text, ()))
    assert "head-secret-value" not in q.implementation and "tail-secret-value" not in q.implementation
    assert q.implementation.startswith('api_key = "<REDACTED>"')
    assert q.implementation.endswith('password = "<REDACTED>"')


def test_truncate_keeps_head_and_tail():
    text = "HEAD" + "x" * 10_000 + "TAIL"
    out = truncate(text, 500)
    assert len(out) <= 500 and out.startswith("HEAD") and out.endswith("TAIL") and "omitted" in out
    assert truncate("short", 500) == "short"


def test_prepare_redacts_every_field_and_applies_budgets():
    q = ToolDescriptionQuestion("t", "desc sk-proj-abcdef1234567890abcdef", ("p",),
                                {"p": 'token="tok_abcdef"'}, "x" * 50_000,
                                ("sk-ant-api03-abcdefghijklmnop_qrstu",) * 500)
    p = prepare(q)
    sent = json.dumps(build_messages(p))
    assert "sk-proj" not in sent and "sk-ant" not in sent and "tok_abcdef" not in sent
    assert len(p.implementation) <= 4000 and len(p.identifiers) == 200
    assert q.implementation == "x" * 50_000  # the original is untouched
