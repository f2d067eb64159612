"""EPDD007: the declared Python versions admit an interpreter the code cannot run on."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Iterable, Optional

from packaging.specifiers import SpecifierSet

from agentable.cpg.manifests.model import PythonRange, governing_dir
from agentable.findings import Finding, FlowStep, Span
from agentable.rules.base import Rule, RuleContext, RuleMeta
from agentable.rules.epdd.helpers import declaration_span, dev_only_file, loose_folder, package_dirs
from agentable.rules.epdd.python_features import FeatureUse, feature_uses
from agentable.findings import Severity

_MINORS = range(20)  # Python 3.0 .. 3.19
_OLDEST_INSTALLABLE = (3, 8)  # below it pip and the SDKs agents use no longer install: not worth naming


def oldest_admitted(specifier: str) -> Optional[tuple[int, int]]:
    """The oldest Python 3 minor version the range admits (at least 3.8), or None if none."""
    spec = SpecifierSet(specifier)
    for minor in _MINORS:
        if (3, minor) < _OLDEST_INSTALLABLE:
            continue
        if any(spec.contains(f"3.{minor}.{patch}", prereleases=True) for patch in (0, 99)):
            return 3, minor
    return None


class PythonRangeAdmitsOlderInterpreter(Rule):
    meta = RuleMeta(
        id="EPDD007",
        name="python-range-admits-older-interpreter",
        category="EPDD",
        severity=Severity.ERROR,
        short="The declared Python versions admit an interpreter the code cannot run on.",
        full=("`requires-python` (or Poetry's `python`, or `python_requires`) tells installers which "
              "interpreters the project runs on, and pip installs it on any of them. When the code needs a "
              "newer one (a `match` statement, `int | None` or `list[str]` in an annotation Python evaluates, "
              "`import tomllib`, `from typing import Self`), the install succeeds on the oldest admitted "
              "Python and the agent fails there at import with a SyntaxError, TypeError or ImportError. One "
              "finding per declaration, naming the oldest admitted version, the newest feature the code "
              "needs and where. Uses under `if sys.version_info >= ...` or `if TYPE_CHECKING:`, imports "
              "with an ImportError fallback, annotations under `from __future__ import annotations`, tests "
              "and example folders are not counted. A Dockerfile whose final stage is built from the official "
              "`python:X.Y` image and copies its folder in (`COPY . .`) runs that folder's code on X.Y alone: "
              "judged the same way, at its FROM line."),
        bad_example='# pyproject.toml: requires-python = ">=3.8"\ndef ask(prompt: str, model: str | None = None): ...',
        good_example='# pyproject.toml: requires-python = ">=3.10"\ndef ask(prompt: str, model: str | None = None): ...',
        fix="Raise the declared lower bound to the version the message names, or make the code run on the older one.",
        tags=("dependencies", "python", "manifest"),
        precision="high",
    )

    def check(self, ctx: RuleContext) -> Iterable[Finding]:
        graph = ctx.graph
        manifests = getattr(graph, "manifests", None)
        if manifests is None or not (manifests.python_ranges or manifests.image_pythons):
            return
        packages = package_dirs(graph)
        uses: dict[str, list[FeatureUse]] = {}
        for mod in sorted(graph.modules.values(), key=lambda m: m.path):
            path = PurePosixPath(mod.path)
            if dev_only_file(path):
                continue
            scope = manifests.for_path(mod.path)
            if not scope.manifests:
                continue
            # the nearest project's declaration: a folder with its own manifest (a template, a
            # deployment) is not installed by the project above it
            nearest = governing_dir(scope.manifests[0])
            ranges = [manifests.python_ranges[m] for m in scope.manifests
                      if m in manifests.python_ranges and governing_dir(m) == nearest]
            if not ranges or loose_folder(manifests, scope, path, packages):
                continue
            found = feature_uses(graph, mod)
            for r in ranges:
                uses.setdefault(r.path, []).extend(found)
        for manifest in sorted(uses):
            finding = self._finding(manifests.python_ranges[manifest], uses[manifest])
            if finding is not None:
                yield finding
        yield from self._images(graph, manifests, packages)

    def _images(self, graph, manifests, packages: frozenset[str]) -> Iterable[Finding]:
        """A Dockerfile built from `python:X.Y` that copies its folder in runs that folder's code on
        X.Y: the modules of the folder (not tests, examples or a sub-project with manifests of its
        own) must run there."""
        for dockerfile, image in sorted(manifests.image_pythons.items()):
            folder = governing_dir(dockerfile)
            prefix = "" if folder in (".", "") else folder + "/"
            found: list[FeatureUse] = []
            for mod in sorted(graph.modules.values(), key=lambda m: m.path):
                path = PurePosixPath(mod.path)
                if not mod.path.startswith(prefix) or dev_only_file(path):
                    continue
                scope = manifests.for_path(mod.path)
                nearest = governing_dir(scope.manifests[0]) if scope.manifests else folder
                if nearest != folder or loose_folder(manifests, scope, path, packages):
                    continue  # a sub-project's own, or a folder the image does not run
                found.extend(u for u in feature_uses(graph, mod) if not u.caught)  # (a handler there logs it)
            finding = self._finding(image, found, dockerfile)
            if finding is not None:
                yield finding

    def _finding(self, declared: PythonRange, uses: list[FeatureUse], image: str = "") -> Optional[Finding]:
        oldest = oldest_admitted(declared.specifier)
        too_new = [u for u in uses if oldest is not None and u.needs > oldest]
        if oldest is None or not too_new:
            return None
        needs = max(u.needs for u in too_new)
        newest = sorted((u for u in too_new if u.needs == needs), key=lambda u: (u.path, u.line))
        first = newest[0]
        more = len(too_new) - 1
        shown = ".".join(map(str, needs))
        if image:  # a Dockerfile's base image: the one Python the code runs on there
            message = (f"The image built by {image} runs this folder's code on Python {oldest[0]}.{oldest[1]} (its "
                       f"base image), but the code needs Python {shown}: {first.what} at {first.path}:{first.line}"
                       + (f" ({more} more use{'s' if more > 1 else ''} of features newer than "
                          f"{oldest[0]}.{oldest[1]})" if more else "")
                       + f". In the container the code fails: a SyntaxError, TypeError or ImportError at import, "
                       f"an AttributeError where a newer name is used, a TypeError where a newer keyword is "
                       f"passed. Build from a `python:{shown}` (or newer) image, or make the code run on "
                       f"{oldest[0]}.{oldest[1]}.")
            return Finding(self.meta.id, message, declaration_span(declared), self.meta.severity, self.meta.category,
                           flow=tuple(FlowStep(Span(u.path, u.line, 1, u.line, 2),
                                               f"{u.what} needs Python {'.'.join(map(str, u.needs))}")
                                      for u in newest[:3]))
        message = (f"`{declared.specifier}` admits Python {oldest[0]}.{oldest[1]}, but the code needs Python "
                   f"{shown}: {first.what} at {first.path}:{first.line}"
                   + (f" ({more} more use{'s' if more > 1 else ''} of features newer than "
                      f"{oldest[0]}.{oldest[1]})" if more else "")
                   + f". pip installs the project on {oldest[0]}.{oldest[1]} (unless a dependency refuses it), and "
                   f"there the code fails: a SyntaxError, TypeError or ImportError at import, an AttributeError "
                   f"where a newer name is used, a TypeError (ValueError for logging.basicConfig) where a newer "
                   f"keyword is passed. Declare `>={shown}` or make the code run on {oldest[0]}.{oldest[1]}.")
        span = declaration_span(declared)
        flow = tuple(FlowStep(Span(u.path, u.line, 1, u.line, 2), f"{u.what} needs Python {'.'.join(map(str, u.needs))}")
                     for u in newest[:3])
        return Finding(self.meta.id, message, span, self.meta.severity, self.meta.category, flow=flow)
