"""The `agentable` command line."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import click

from agentable import __version__
from agentable.findings import Notification, Severity
from agentable.selectors import check_selectors

if TYPE_CHECKING:  # imported when the checker is made (its client is optional)
    from agentable.nl_check import Checker

_FAIL_ON = ("error", "warning", "note", "never")


def _fail(message: str) -> None:
    click.echo(f"agentable: error: {message}", err=True)
    sys.exit(2)


class _Main(click.Group):
    """The command group, with one handler for agentable's own failures: one line and exit 2
    (a traceback only with --debug), never exit 1, which means "findings"."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except KeyboardInterrupt:
            click.echo("agentable: interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if _debug_wanted(ctx):
                raise
            detail = " ".join(str(exc).split())[:300]
            click.echo(f"agentable: internal error: {type(exc).__name__}: {detail}\n"
                       "agentable: this is a bug in agentable; rerun with --debug to see the traceback, and "
                       "please report it", err=True)
            ctx.exit(2)


def _debug_wanted(ctx: click.Context) -> bool:
    return bool(ctx.find_root().meta.get("agentable.debug")) or os.environ.get("AGENTABLE_DEBUG", "") not in ("", "0")


def _set_debug(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.find_root().meta["agentable.debug"] = True
    return value


_debug_option = click.option("--debug", is_flag=True, expose_value=False, callback=_set_debug,
                             help="Show the traceback of an internal error.")


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="agentable", message="%(prog)s %(version)s")
@_debug_option
def main() -> None:
    """agentable: find defects in the code of LLM-based agents."""


def _progress_callback(enabled: bool):
    if not enabled:
        return None, None
    bar = click.progressbar(length=1, label="Parsing", file=sys.stderr)
    bar.__enter__()

    def update(done: int, total: int) -> None:
        bar.length = total
        bar.update(done - bar.pos)

    return update, bar


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default=None, help="Output format.")
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None, help="Write the report to FILE.")
@click.option("--select", default=None, help="Comma-separated rule ids, categories or prefixes to run.")
@click.option("--ignore", default=None, help="Comma-separated rule ids, categories or prefixes to skip.")
@click.option("--fail-on", type=click.Choice(_FAIL_ON), default=None, help="Lowest severity that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 unless agentable itself fails.")
@click.option("--exclude", multiple=True, help="Glob of paths to skip (repeatable).")
@click.option("--jobs", "-j", type=click.IntRange(0, 64), default=None,
              help="Worker processes (0 = all cores): the rules run in forked workers; parsing uses a pool from 4 workers on.")
@click.option("--no-llm", is_flag=True, help="Never call the LLM checker, whatever the configuration says.")
@click.option("--llm", "use_llm", is_flag=True, help="Enable the LLM checker (OpenAI-compatible endpoint).")
@click.option("--llm-model", default=None, help="Model for the LLM checker.")
@click.option("--llm-base-url", default=None, help="Base URL of an OpenAI-compatible endpoint (default: $OPENAI_BASE_URL).")
@click.option("--cache-dir", type=click.Path(path_type=Path), default=None,
              help="Cache folder (default: the project's folder in the user's cache directory).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the cache.")
@click.option("--baseline", type=click.Path(path_type=Path), default=None, help="Report only findings not in this baseline.")
@click.option("--statistics", is_flag=True, help="Print counts per rule instead of each finding.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, exists=True), default=None, help="Config file.")
@click.option("--no-respect-gitignore", is_flag=True, help="Scan files that .gitignore excludes.")
@click.option("--progress/--no-progress", default=None, help="Show a progress bar on stderr (default: when a terminal).")
@click.option("--include-tests", is_flag=True, default=None,
              help="Also report findings in test code (tests/ folders, test_*.py, conftest.py).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but findings.")
@_debug_option
def scan(paths, fmt, output, select, ignore, fail_on, exit_zero, exclude, jobs, no_llm, use_llm, llm_model,
         llm_base_url, cache_dir, no_cache, baseline, statistics, config_file, no_respect_gitignore, progress, include_tests,
         quiet) -> None:
    """Scan PATHS (default: the current directory) for agent defects."""
    from agentable.config import ConfigError, load_config
    from agentable.report import render
    from agentable.scan import ScanOptions, scan as run_scan, scan_targets

    paths = _existing(paths)
    root, targets, only_files = scan_targets(paths)  # named files or sub-folders: whole project, findings in them
    cache = _cache_dir(root, cache_dir, no_cache)
    try:
        config = load_config(root, config_file)
        config = config.merge_cli(
            select=_split(select), ignore=_split(ignore), fail_on=fail_on, format=fmt,
            exclude=list(exclude) or None, jobs=jobs,
            respect_gitignore=False if no_respect_gitignore else None,
            include_tests=include_tests,
        )
        check_selectors(config)
        checker, notes = _make_checker(config, cache, use_llm, no_llm, llm_model, llm_base_url)
    except ConfigError as exc:
        _fail(str(exc))
        return
    if output is not None:
        _check_output(output)
    fmt = config.format or "text"
    jobs_n = config.jobs if config.jobs is not None else 1
    if jobs_n == 0:
        jobs_n = os.cpu_count() or 1
    show_progress = progress if progress is not None else (sys.stderr.isatty() and not quiet)
    update, bar = _progress_callback(bool(show_progress))
    options = ScanOptions(jobs=jobs_n, only_files=only_files, progress=update, cache_dir=cache, checker=checker,
                          extra_notifications=notes + list(config.notifications))
    try:
        result = run_scan(targets, config, options)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if baseline is not None:
        from agentable.baseline import apply_baseline

        try:
            apply_baseline(result, baseline)
        except ValueError as exc:
            _fail(str(exc))
        if result.baseline_hidden and not quiet:
            click.echo(f"agentable: {result.baseline_hidden} findings hidden by the baseline {baseline}", err=True)
    text = render(result, fmt, color=(output is None and sys.stdout.isatty()), statistics=statistics)
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            _fail(f"cannot write the report to {output}: {exc.strerror or exc}")
        if not quiet:
            click.echo(f"agentable: wrote {fmt} report to {output} ({len(result.active)} findings)", err=True)
    else:
        click.echo(text, nl=not text.endswith("\n"))
    if not quiet and fmt != "text":
        click.echo(
            f"Scanned {result.files_scanned} files ({result.lines_scanned} lines) in {result.duration_s:.2f}s: "
            f"{len(result.active)} findings.", err=True)
    threshold = config.fail_on or "warning"
    code = 0 if exit_zero or threshold == "never" else \
        int(any(f.severity >= Severity.parse(threshold) for f in result.active))
    sys.exit(code)


def _cache_dir(root: Path, explicit: Optional[Path], disabled: bool) -> Optional[Path]:
    """The cache folder: none with --no-cache, the one named, else the project's folder in the
    user's cache directory (never inside the scanned tree unless the user names it)."""
    from agentable.cachedir import project_cache_dir

    if disabled:
        return None
    return explicit if explicit is not None else project_cache_dir(root)


def _check_output(output: Path) -> None:
    """Fail before the scan, not after it, when the report cannot be written."""
    if output.is_dir():
        _fail(f"--output {output} is a directory; name a file")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(f"cannot create the folder of --output {output}: {exc.strerror or exc}")
    if not os.access(output.parent, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        _fail(f"cannot write the report to {output}: permission denied")


def _existing(paths) -> list[Path]:
    """PATHS or the current folder; exit 2 when one does not exist."""
    paths = list(paths) or [Path(".")]
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        _fail(f"no such file or directory: {', '.join(missing)}")
    return paths


def _split(value: Optional[str]) -> Optional[list[str]]:
    if value is None:
        return None
    return [v.strip() for v in value.split(",") if v.strip()]


def _make_checker(config, cache: Optional[Path], use_llm: bool, no_llm: bool, model: Optional[str],
                  base_url: Optional[str]) -> tuple[Optional[Checker], list[Notification]]:
    """The NL checker: offline (deterministic) unless the user turns the LLM on (docs/security.md):
    a flag, AGENTABLE_LLM or the user-level configuration. The project's configuration may pick
    the model and the budgets only."""
    try:
        from agentable.nl_check import Checker, LLMConfig
    except ImportError:
        return None, []
    from agentable.config import env_llm, load_user_llm

    user, notes = load_user_llm()
    env = env_llm()
    project = config.llm
    enabled = not no_llm and (use_llm or bool(env.get("enabled", user.enabled)))
    cfg = None
    if enabled:
        # LLMConfig is frozen: the configured limits go in when it is made; the user's win.
        limits = {}
        for key in ("timeout", "max_retries", "max_calls", "max_tokens_total", "concurrency", "max_seconds"):
            value = getattr(user, key) if getattr(user, key) is not None else getattr(project, key)
            if value is not None:
                limits[key] = value
        cfg = LLMConfig(
            model=model or env.get("model") or user.model or project.model or "gpt-4o-mini",
            base_url=base_url or env.get("base_url") or user.base_url,
            api_key_env=env.get("api_key_env") or user.api_key_env or "OPENAI_API_KEY",
            enabled=True,
            **limits,
        )
    from agentable.catalog import load_catalog

    catalog = load_catalog()

    def lookup(model_id: str):
        info = catalog.model(model_id)
        if info is None:
            return None
        return {"kind": info.kind, "tools": info.tools, "retired": info.retired, "context_window": info.context_window}

    nl_cache = Path(user.cache_dir) if user.cache_dir else (cache / "nl") if cache is not None else None
    return Checker(cfg, nl_cache, model_lookup=lookup), notes


@main.group()
def baseline() -> None:
    """Accept the current findings so that scans report only new ones (`scan --baseline FILE`)."""


def _baseline_scan(paths, config_file: Optional[Path], no_cache: bool):
    """Scan PATHS as `agentable scan` would with the project's config, for a baseline."""
    from agentable.config import ConfigError, load_config
    from agentable.scan import ScanOptions, scan as run_scan, scan_targets

    paths = _existing(paths)
    root, targets, only_files = scan_targets(paths)
    cache = _cache_dir(root, None, no_cache)
    try:
        config = load_config(root, config_file)
        check_selectors(config)
        checker, notes = _make_checker(config, cache, False, False, None, None)
    except ConfigError as exc:
        _fail(str(exc))
    jobs = config.jobs if config.jobs is not None else 1
    for note in notes + list(config.notifications):  # a baseline has no room for them: say them here
        click.echo(f"agentable: {note.level}: {note.path + ': ' if note.path else ''}{note.message}", err=True)
    options = ScanOptions(jobs=jobs or (os.cpu_count() or 1), only_files=only_files, cache_dir=cache, checker=checker,
                          extra_notifications=notes + list(config.notifications))
    return run_scan(targets, config, options)


_baseline_scan_options = [
    click.argument("paths", nargs=-1, type=click.Path(path_type=Path)),
    click.option("--config", "config_file", type=click.Path(path_type=Path, exists=True), default=None,
                 help="Config file."),
    click.option("--no-cache", is_flag=True, help="Do not read or write the cache."),
]


def _with_scan_options(func):
    for decorator in reversed(_baseline_scan_options):
        func = decorator(func)
    return func


@baseline.command("create")
@_with_scan_options
@click.option("--output", "-o", type=click.Path(path_type=Path), default=Path("agentable-baseline.json"),
              show_default=True, help="Baseline file to write.")
def baseline_create(paths, config_file: Optional[Path], no_cache: bool, output: Path) -> None:
    """Write a baseline of every finding in PATHS."""
    from agentable.baseline import write_baseline

    doc = write_baseline(_baseline_scan(paths, config_file, no_cache), output)
    click.echo(f"agentable: wrote {len(doc['fingerprints'])} findings to the baseline {output}")


@baseline.command("update")
@_with_scan_options
@click.option("--baseline", "baseline_file", type=click.Path(path_type=Path), required=True,
              help="Baseline file to rewrite.")
def baseline_update(paths, config_file: Optional[Path], no_cache: bool, baseline_file: Path) -> None:
    """Rewrite a baseline with the current findings: new ones are added, fixed ones dropped."""
    from agentable.baseline import diff_counts, load_fingerprints, write_baseline

    try:
        old = load_fingerprints(baseline_file)
    except ValueError as exc:
        _fail(str(exc))
    doc = write_baseline(_baseline_scan(paths, config_file, no_cache), baseline_file)
    added, removed = diff_counts(old, set(doc["fingerprints"]))
    click.echo(f"agentable: updated {baseline_file}: {added} added, {removed} removed, "
               f"{len(doc['fingerprints'])} findings in total")


@main.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def rules_cmd(fmt: str) -> None:
    """List every rule with its category and severity."""
    import json

    from agentable.rules import rule_metas
    from agentable.rules.categories import CATEGORIES

    metas = rule_metas()
    if fmt == "json":
        click.echo(json.dumps([{"id": m.id, "name": m.name, "category": m.category, "severity": m.severity.label,
                                "short": m.short} for m in metas], indent=2))
        return
    for code, cat in CATEGORIES.items():
        click.echo(click.style(f"{code}  {cat.title}", bold=True))
        for m in metas:
            if m.category == code:
                click.echo(f"  {m.id:<9} {m.severity.label:<8} {m.name}: {m.short}")


@main.command()
@click.argument("rule")
def explain(rule: str) -> None:
    """Show what RULE finds, why it matters and how to fix it."""
    from agentable.rules import get_rule
    from agentable.rules.categories import CATEGORIES

    r = get_rule(rule)
    if r is None:
        _fail(f"unknown rule {rule!r}; `agentable rules` lists them")
        return
    m = r.meta
    cat = CATEGORIES.get(m.category)
    click.echo(f"{m.id} ({m.name}) [{m.severity.label}] - {cat.title if cat else m.category}\n")
    click.echo(f"{m.full}\n")
    click.echo("Example (defective):\n")
    click.echo(_indent(m.bad_example))
    click.echo("\nFixed:\n")
    click.echo(_indent(m.good_example))
    click.echo(f"\nHow to fix: {m.fix}")


@main.command("eval")
@click.argument("dataset", required=False, type=click.Path(path_type=Path, exists=True, file_okay=False),
                default=Path("datasets/agenttest"))
@click.option("--json-output", type=click.Path(path_type=Path), default=None, help="Also write the results as JSON.")
@click.option("--llm", "use_llm", is_flag=True, help="Include the LLM checker (needs a configured endpoint).")
@click.option("--llm-model", default=None)
@click.option("--llm-base-url", default=None)
@click.option("--quiet", "-q", is_flag=True, help="Print only the table.")
@click.option("--batch", default=None, metavar="NAME",
              help="Score only this batch (tuning, blind, blind2, ...) of a dataset whose cases have batches "
                   "(default: all).")
def eval_cmd(dataset: Path, json_output: Optional[Path], use_llm: bool, llm_model: Optional[str],
             llm_base_url: Optional[str], quiet: bool, batch: Optional[str]) -> None:
    """Measure precision and recall per category on a labelled DATASET (default: datasets/agenttest)."""
    import json

    from agentable.config import Config
    from agentable.eval import MissingCheckouts, batches, evaluate, render_report, render_table, to_json

    if not (dataset / "labels.json").is_file():
        _fail(f"{dataset} has no labels.json")
    if batch is not None and batch not in batches(dataset):
        known = ", ".join(sorted(batches(dataset))) or "none"
        _fail(f"{dataset} has no cases in batch {batch!r} (its batches: {known})")
    checker = None
    if use_llm:
        checker, _ = _make_checker(Config(), _cache_dir(dataset.resolve(), None, False), True, False, llm_model,
                                   llm_base_url)
    try:
        res = evaluate(dataset, checker, batch)
    except MissingCheckouts as exc:
        _fail(str(exc))
        return
    click.echo(render_table(res) if quiet else render_report(res))
    if json_output is not None:
        json_output.write_text(json.dumps(to_json(res), indent=2) + "\n", encoding="utf-8")


def _indent(code: str) -> str:
    return "\n".join("    " + line for line in code.strip("\n").splitlines())


def entry() -> None:
    """The `agentable` command (and `python -m agentable`): `main`, then an exit that skips
    collecting the scan's garbage. The graph leaves millions of objects in reference cycles; the
    collector run at interpreter exit would traverse them all only to free memory the OS reclaims
    anyway (measured: 2.5 s after a 5.5 s scan of 107k lines). Frozen, they are skipped. Not done
    in `main`, which tests call in-process."""
    import gc

    try:
        main(prog_name="agentable")
    except SystemExit:
        gc.freeze()
        raise


if __name__ == "__main__":  # pragma: no cover
    entry()
