"""Deterministic evidence for ToolDescriptionQuestion: word overlap plus synonym domains.

Lexical evidence can prove a mismatch only when it is stark, so this answers "no" on strong
evidence and "unknown" otherwise; it never answers "yes".
"""

from __future__ import annotations

import ast
import re
import textwrap
from typing import Callable

from agentable.nl_check.lexicon import concepts, content_stems, domain_hits
from agentable.nl_check.questions import ToolDescriptionQuestion, Verdict

MIN_DESCRIPTION_WORDS = 2  # fewer key words than this is too little to judge
MIN_DOMAIN_HITS = 2  # distinct code words needed before a domain counts as "clear"
_WS = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip().lower()


def _code_words(source: str) -> list[str]:
    """Names, attributes and short string literals of the function body, docstring excluded
    (in no particular order: callers only take their stems, as a set)."""
    try:
        tree = ast.parse(textwrap.dedent(source))
    except SyntaxError:
        # Not parseable: fall back to the raw text without comments and triple-quoted strings.
        text = re.sub(r"(?s)(\"\"\"|''').*?\1", " ", source)
        return [re.sub(r"#.*", "", text)]
    return _tree_words(tree)


_DOC_OWNERS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


def _tree_words(tree: ast.AST) -> list[str]:
    """The words of `_code_words` in one pass (ast.walk twice cost more than the parse). A node is
    visited before its children, so a docstring is known before it is reached; the Load/Store
    context leaf under every name is skipped."""
    docstrings: set[int] = set()
    words: list[str] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.Attribute):
            words.append(node.attr)
        elif isinstance(node, ast.arg):
            words.append(node.arg)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str) and id(node) not in docstrings:
                words.append(node.value)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            words.extend(alias.name for alias in node.names)
            if isinstance(node, ast.ImportFrom) and node.module:
                words.append(node.module)
        elif isinstance(node, _DOC_OWNERS):
            if isinstance(node, _DEFS):
                words.append(node.name)
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
        for field in node._fields:
            if field != "ctx":
                child = getattr(node, field, None)
                if isinstance(child, list):
                    stack.extend(c for c in child if isinstance(c, ast.AST))
                elif isinstance(child, ast.AST):
                    stack.append(child)
    return words


def _description_copy_test(description: str) -> Callable[[str], bool]:
    """`_is_description_copy` against one description, normalised once."""
    b = _norm(description)

    def is_copy(literal: str) -> bool:
        a = _norm(literal)
        return bool(a) and (a == b or (len(a) > 30 and (a in b or b in a)))

    return is_copy


def _is_description_copy(literal: str, description: str) -> bool:
    # The docstring is a string literal of the body too; counting it would be circular.
    return _description_copy_test(description)(literal)


def _stems_of_all(texts: list[str]) -> set[str]:
    """The union of content_stems over `texts` in one call: a space is part of no word and of no
    camel-case split, so the stems of the space-joined text are exactly that union."""
    return content_stems(" ".join(texts))


def check_tool_description(q: ToolDescriptionQuestion) -> Verdict:
    desc_stems = content_stems(q.description)
    if len(desc_stems) < MIN_DESCRIPTION_WORDS:
        return Verdict.unknown("The description has too few meaningful words to compare with the code.")

    name_stems = content_stems(q.tool_name)
    code_texts = list(q.identifiers)
    if q.implementation:
        code_texts += _code_words(q.implementation)
    is_copy = _description_copy_test(q.description)
    kept = [w for w in dict.fromkeys(code_texts) if not is_copy(w)]  # each distinct text once
    code_stems = _stems_of_all(kept + list(q.param_names))

    shared = concepts(desc_stems) & concepts(name_stems | code_stems)
    if shared:
        return Verdict.unknown(
            "The description shares words or synonyms with the name or code "
            f"({', '.join(sorted(c.removeprefix('group:') for c in shared)[:4])}); "
            "lexical evidence cannot tell more."
        )

    desc_domains = set(domain_hits(desc_stems))
    code_domains = {g: hits for g, hits in domain_hits(code_stems | name_stems).items()
                    if len(hits) >= MIN_DOMAIN_HITS and g not in desc_domains}
    if not code_domains:
        return Verdict.unknown(
            "The description shares no words with the name or code, but the code does not "
            "clearly belong to another domain."
        )
    domain, hits = max(code_domains.items(), key=lambda kv: (len(kv[1]), kv[0]))
    said = ", ".join(sorted(desc_stems)[:5])
    return Verdict(
        "no",
        0.8,
        f"The description speaks of {said}, which neither the name {q.tool_name!r} nor the code "
        f"mentions, while the code clearly does {domain} work ({', '.join(sorted(hits)[:4])}).",
        "deterministic",
    )
