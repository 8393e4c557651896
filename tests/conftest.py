from __future__ import annotations

from pathlib import Path

import pytest

from goleaklint.config import Config
from goleaklint.discover import discover
from goleaklint.engine import LintResult, RunOptions, lint, selected_rules
from goleaklint.rule import DEFAULT_MIN_PRECISION

FIXTURES = Path(__file__).parent / "fixtures"


def run_lint(paths: list[str], root: Path, *, select: list[str] | None = None, config: Config | None = None,
             processes: int = 1, lint_tests: bool = True) -> LintResult:
    """The engine as the CLI drives it, without the CLI: for tests that look at findings.
    `lint_tests=False`: test files are only read for the module model (linter/testscan.py)."""
    config = config or Config()
    jobs, _ = discover(paths, config, root)
    rules = selected_rules(config, select)
    options = RunOptions(tuple(rm.rule.id for rm in rules), str(root.resolve()), tuple(sorted(config.severity.items())),
                         lint_tests=lint_tests)
    return lint(jobs, options, processes)


@pytest.fixture
def lint_tree(tmp_path):
    """Writes {relpath: text} under tmp_path and lints it; returns the LintResult."""

    def run(files: dict[str, str | bytes], select: list[str] | None = None, **kwargs) -> LintResult:
        for rel, content in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return run_lint(["./..."], tmp_path, select=select, **kwargs)

    return run


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory, monkeypatch):
    """The CLI caches in the user's cache dir by default: tests use their own, never the real one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("xdg-cache")))


@pytest.fixture(autouse=True)
def _rules_at_their_own_levels(request, monkeypatch):
    """Tests of the command line's mechanics (formats, baselines, caches, exit codes) use whichever
    rule gives them a warning; which rules the measured precision labels lower by default changes as
    the ledger grows (docs/ecosystem.md). So the CLI runs in-process with every rule at its own
    levels, as `--min-precision low` asks, unless a test is marked `default_precision`: those test
    the default itself. A run that names --min-precision or a config's min-precision still decides."""
    if request.node.get_closest_marker("default_precision"):
        return
    from goleaklint import cli

    real = cli.by_precision

    def at_own_levels(result, rules, min_precision, overrides):
        return real(result, rules, "low" if min_precision == DEFAULT_MIN_PRECISION else min_precision, overrides)

    monkeypatch.setattr(cli, "by_precision", at_own_levels)
