"""What the catalog knows of the Python language, its builtins and standard library
(python.toml), and of the tool parameters frameworks fill themselves (tool_params.toml): facts
about the language rather than about one framework's API, kept apart from catalog.specs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class ToolParamFacts:
    """Tool parameters a framework fills itself (tool_params.toml; see its comments)."""

    injected_annotations: frozenset[str] = frozenset()
    injected_names: frozenset[str] = frozenset()


@dataclass(frozen=True, eq=False)  # identity hash: holds dicts
class PythonFacts:
    """The Python language, its builtins and standard library (python.toml; see its comments)."""

    builtin_names: frozenset[str] = frozenset()
    text_methods: frozenset[str] = frozenset()
    infinite_iterators: frozenset[str] = frozenset()
    clock_calls: frozenset[str] = frozenset()
    sleep_calls: frozenset[str] = frozenset()
    logging_methods: frozenset[str] = frozenset()
    coroutine_tests: frozenset[str] = frozenset()
    argument_binders: frozenset[str] = frozenset()
    human_input_calls: frozenset[str] = frozenset()
    human_input_methods: frozenset[str] = frozenset()
    human_input_tails: frozenset[str] = frozenset()
    user_interrupts: frozenset[str] = frozenset()
    base_only_exceptions: frozenset[str] = frozenset()  # not caught by `except Exception`
    terminating_calls: frozenset[str] = frozenset()
    signature_copiers: frozenset[str] = frozenset()
    executor_classes: frozenset[str] = frozenset()
    future_iterators: frozenset[str] = frozenset()
    timeout_raisers: dict[str, int] = field(default_factory=dict)  # call -> position of its `timeout`
    gather_calls: frozenset[str] = frozenset()
    function_runners: dict[str, int] = field(default_factory=dict)  # call -> index of the function it runs
    future_submitters: frozenset[str] = frozenset()  # executor methods returning a future of a call
    future_results: frozenset[str] = frozenset()  # future methods giving that call's return
    running_library_probes: frozenset[str] = frozenset()
    import_path_extenders: frozenset[str] = frozenset()  # calls that add a folder to sys.path
    opt_in_phrases: tuple[str, ...] = ()
    # distributions an install script installs to install the rest (pip, setuptools, uv, poetry)
    installer_tools: frozenset[str] = frozenset()
    environment_reads: frozenset[str] = frozenset()
    setting_words: frozenset[str] = frozenset()
    development_tree_names: frozenset[str] = frozenset()
    tool_failures: tuple[str, ...] = ()
    json_parsers: tuple[str, ...] = ()
    settings_loaders: tuple[str, ...] = ()
    validation_methods: tuple[str, ...] = ()
    stdlib_modules: frozenset[str] = frozenset()  # in any supported Python, not only the running one
    python_added_in: dict[str, str] = field(default_factory=dict)  # module or dotted name -> first Python with it
    python_syntax_added_in: dict[str, str] = field(default_factory=dict)  # syntax feature -> first Python with it
    # standard-library callable (dotted as imported) -> keyword argument -> first Python that accepts it
    python_keywords_added_in: dict[str, dict[str, str]] = field(default_factory=dict)
    failing_modules: frozenset[str] = frozenset()
    failing_calls: frozenset[str] = frozenset()
    failing_path_methods: frozenset[str] = frozenset()
    xml_tree_readers: frozenset[str] = frozenset()
    text_open_calls: frozenset[str] = frozenset()
    text_read_methods: frozenset[str] = frozenset()
    byte_transparent_encodings: frozenset[str] = frozenset()
    text_read_error: str = "UnicodeDecodeError"
    exception_bases: dict[str, str] = field(default_factory=dict)
    exception_aliases: dict[str, str] = field(default_factory=dict)
    lookup_errors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    builtin_results: dict[str, str] = field(default_factory=dict)
    item_keepers: frozenset[str] = frozenset()
    draining_calls: frozenset[str] = frozenset()  # iterate their argument to its end
    draining_methods: frozenset[str] = frozenset()
    short_circuit_drains: frozenset[str] = frozenset()  # iterate it until one item answers
    value_passers: dict[str, int] = field(default_factory=dict)  # call -> index of the argument it returns
    container_copiers: frozenset[str] = frozenset()
    field_factory_keywords: frozenset[str] = frozenset()
    builder_type_keys: frozenset[str] = frozenset()
    class_object_generics: frozenset[str] = frozenset()
    field_dict_validators: frozenset[str] = frozenset()
    object_copiers: frozenset[str] = frozenset()  # calls whose result is a copy of their first argument
    defaulting_mappings: frozenset[str] = frozenset()  # constructors of mappings whose `m[k]` cannot miss
    copy_methods: frozenset[str] = frozenset()  # methods whose result is a copy of their object
    item_adders: dict[str, int] = field(default_factory=dict)  # list method -> index of the item argument
    item_callbacks: dict[str, tuple[Union[int, str], Union[int, str]]] = field(default_factory=dict)
    # method -> the type it returns (the file lists them by type)
    str_method_results: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # the file lists lookup errors as TOML arrays and str methods grouped by the type they return
        object.__setattr__(self, "lookup_errors", {k: tuple(v) for k, v in self.lookup_errors.items()})
        object.__setattr__(self, "item_callbacks", {k: tuple(v) for k, v in self.item_callbacks.items()})
        results = self.str_method_results
        if any(isinstance(v, list) for v in results.values()):
            object.__setattr__(self, "str_method_results", {m: t for t, ms in results.items() for m in ms})
