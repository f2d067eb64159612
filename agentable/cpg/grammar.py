"""The tree-sitter Python grammar as the lowerer reads it: the language and parser, and the
integer ids of the node kinds and fields it dispatches on (`node.type` and field names build a
new str on every access; ids are looked up once, here, at import).
"""

from __future__ import annotations

from functools import lru_cache

import tree_sitter_python
from tree_sitter import Language, Node as TSNode, Parser

from agentable.cpg import ir

LANGUAGE = Language(tree_sitter_python.language())


@lru_cache(maxsize=1)
def parser() -> Parser:
    return Parser(LANGUAGE)


def parse_bytes(source: bytes):
    """Parse alone (used by the benchmark to time tree-sitter without the rest)."""
    return parser().parse(source)


# Line numbers as shared int objects: LINES[row] is row + 1 (tree-sitter rows are 0-based). An int
# above 256 is a 32-byte object of its own, and every position holds two: one object per line
# number instead of two per node (with the interned names: the IR of openai-agents-python, 425k
# lines, 324 -> 245 MB traced). `reserve_lines` grows it before each file.
LINES: list[int] = [1]


def reserve_lines(count: int) -> None:
    """Make LINES hold the line numbers of a file of `count` lines (it only grows)."""
    if len(LINES) < count:
        LINES.extend(range(len(LINES) + 1, count + 1))


def node_pos(n: TSNode) -> ir.Pos:
    s, e = n.start_point, n.end_point
    return (LINES[s[0]], s[1], LINES[e[0]], e[1])


# ---------------------------------------------------------------------------- grammar ids


def kind_ids(name: str) -> frozenset[int]:
    """Every kind id whose `node.type` is `name` (a grammar may give one name several ids)."""
    return frozenset(i for i in range(LANGUAGE.node_kind_count) if LANGUAGE.node_kind_for_id(i) == name)


def kind_id(name: str) -> int:
    """The kind id of `name`, for a name the grammar gives exactly one id (checked at import)."""
    (kind,) = kind_ids(name)
    return kind


def field_id(name: str) -> int:
    field = LANGUAGE.field_id_for_name(name)
    assert field is not None, name
    return field


ERROR_KIND = 0xFFFF  # ts_builtin_sym_error: outside node_kind_count, its type is "ERROR"

K_ASSIGNMENT = kind_id("assignment")
K_ATTRIBUTE = kind_id("attribute")
K_AUGMENTED_ASSIGNMENT = kind_id("augmented_assignment")
K_CASE_CLAUSE = kind_id("case_clause")
K_CLASS_DEFINITION = kind_id("class_definition")
K_COMMENT = kind_id("comment")
K_DECORATOR = kind_id("decorator")
K_DICTIONARY_SPLAT = kind_id("dictionary_splat")
K_ELIF_CLAUSE = kind_id("elif_clause")
K_ELSE_CLAUSE = kind_id("else_clause")
K_ESCAPE_SEQUENCE = kind_id("escape_sequence")
K_FINALLY_CLAUSE = kind_id("finally_clause")
K_FOR_IN_CLAUSE = kind_id("for_in_clause")
K_GENERATOR_EXPRESSION = kind_id("generator_expression")
K_IDENTIFIER = kind_id("identifier")
K_IF_CLAUSE = kind_id("if_clause")
K_IMPORT_PREFIX = kind_id("import_prefix")
K_INTERPOLATION = kind_id("interpolation")
K_KEYWORD_ARGUMENT = kind_id("keyword_argument")
K_PAIR = kind_id("pair")
K_STRING_CONTENT = kind_id("string_content")
K_WITH_CLAUSE = kind_id("with_clause")
K_WITH_ITEM = kind_id("with_item")

KS_ALIASED_IMPORT = kind_ids("aliased_import")
KS_AS_PATTERN = kind_ids("as_pattern")
KS_ASYNC = kind_ids("async")
KS_BLOCK = kind_ids("block")
KS_DICTIONARY_SPLAT_PATTERN = kind_ids("dictionary_splat_pattern")
KS_EXCEPT = kind_ids("except_clause") | kind_ids("except_group_clause")
KS_EXC_TUPLE = kind_ids("tuple") | kind_ids("parenthesized_expression") | kind_ids("expression_list")
KS_FROM = kind_ids("from")
KS_KEYWORD_SEPARATOR = kind_ids("keyword_separator")
KS_LIST_SPLAT_PATTERN = kind_ids("list_splat_pattern")
KS_PARAM_WITH_FIELDS = kind_ids("typed_parameter") | kind_ids("default_parameter") | kind_ids("typed_default_parameter")
KS_POSITIONAL_SEPARATOR = kind_ids("positional_separator")
KS_RELATIVE_IMPORT = kind_ids("relative_import")
KS_WILDCARD_IMPORT = kind_ids("wildcard_import")

F_ALIAS = field_id("alias")
F_ALTERNATIVE = field_id("alternative")
F_ARGUMENT = field_id("argument")
F_ARGUMENTS = field_id("arguments")
F_ATTRIBUTE = field_id("attribute")
F_BODY = field_id("body")
F_CONDITION = field_id("condition")
F_CONSEQUENCE = field_id("consequence")
F_DEFINITION = field_id("definition")
F_FUNCTION = field_id("function")
F_KEY = field_id("key")
F_LEFT = field_id("left")
F_MODULE_NAME = field_id("module_name")
F_NAME = field_id("name")
F_OBJECT = field_id("object")
F_OPERATOR = field_id("operator")
F_PARAMETERS = field_id("parameters")
F_RETURN_TYPE = field_id("return_type")
F_RIGHT = field_id("right")
F_SUBJECT = field_id("subject")
F_SUBSCRIPT = field_id("subscript")
F_SUPERCLASSES = field_id("superclasses")
F_TYPE = field_id("type")
F_VALUE = field_id("value")
