"""Runs every fixture directory: `// want "GLnnn"` lines must be reported, every other line not.

A fixture directory is named `<rule id>_<slug>`; only its rule runs over it, so adding a rule adds
fixtures and no test code. `// want "GL402[note]:regexp"` also checks the level and the message.
A directory with `profiles/fixture.toml` also gets the runtime evidence that file names
(`goroutines = [...]`, `heap = [...]`, paths relative to profiles/, and an optional `[runtime]`
table of thresholds), merged as the CLI merges it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from goleaklint.registry import all_rules

from .conftest import FIXTURES, run_lint

_WANT = re.compile(r"//\s*want\s+((?:\"[^\"]*\"\s*)+)\s*$")
_EXPECTATION = re.compile(r"^(GL[0-9]{3})(?:\[(error|warning|note)\])?(?::(.*))?$")

FIXTURE_DIRS = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and re.match(r"GL[0-9]{3}_", p.name))


def _expectations(directory: Path) -> dict[tuple[str, int], list[tuple[str, str | None, str | None]]]:
    wants: dict[tuple[str, int], list[tuple[str, str | None, str | None]]] = {}
    for path in sorted(directory.rglob("*.go")):
        rel = path.relative_to(directory).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = _WANT.search(line)
            if not match:
                continue
            for item in re.findall(r"\"([^\"]*)\"", match.group(1)):
                spec = _EXPECTATION.match(item)
                assert spec, f"{rel}:{number}: malformed want {item!r}"
                wants.setdefault((rel, number), []).append(spec.groups())
    return wants


def test_every_rule_has_fixtures():
    covered = {p.name.split("_", 1)[0] for p in FIXTURE_DIRS}
    missing = [rm.rule.id for rm in all_rules() if rm.rule.id not in covered]
    assert not missing, f"rules without a fixture directory: {missing}"


def test_fixture_directories_name_real_rules():
    rules = {rm.rule.id: rm.rule.slug for rm in all_rules()}
    for directory in FIXTURE_DIRS:
        rule_id, slug = directory.name.split("_", 1)
        assert rules.get(rule_id) == slug, f"{directory.name}: no rule {rule_id} with slug {slug}"


@pytest.mark.parametrize("directory", FIXTURE_DIRS, ids=lambda p: p.name)
def test_fixture(directory: Path):
    rule_id = directory.name.split("_", 1)[0]
    wants = _expectations(directory)
    assert any(rule_id == want[0] for items in wants.values() for want in items), \
        f"{directory.name} has no positive case for {rule_id}"
    result = run_lint(["./..."], directory, select=[rule_id])
    result = _with_evidence(result, directory, rule_id)
    crashes = [n for n in result.notifications if n.is_error]
    assert not crashes, crashes
    problems = []
    got: dict[tuple[str, int], list] = {}
    for finding in result.findings:
        got.setdefault((finding.path, finding.line), []).append(finding)
    for key in sorted(set(wants) | set(got)):
        expected = [w for w in wants.get(key, []) if w[0] == rule_id]
        found = list(got.get(key, []))
        for want_id, level, pattern in expected:
            match = next((f for f in found if f.rule_id == want_id
                          and (level is None or f.severity.value == level)
                          and (pattern is None or re.search(pattern, f.message))), None)
            if match is None:
                detail = "; ".join(f"{f.severity.value}: {f.message}" for f in found) or "nothing"
                problems.append(f"{key[0]}:{key[1]}: want {want_id}[{level or '*'}]:{pattern or '*'}, got {detail}")
            else:
                found.remove(match)
        for finding in found:
            problems.append(f"{key[0]}:{key[1]}: unexpected {finding.rule_id} {finding.severity.value}: {finding.message}")
    assert not problems, "\n".join(problems)


def _with_evidence(result, directory: Path, rule_id: str):
    spec_file = directory / "profiles" / "fixture.toml"
    if not spec_file.is_file():
        return result
    from goleaklint.config import Config
    from goleaklint.discover import discover
    from goleaklint.evidence import Thresholds, load_evidence, merge_evidence

    spec = tomllib.loads(spec_file.read_text(encoding="utf-8"))
    profiles = spec_file.parent
    evidence = load_evidence([str(profiles / f) for f in spec.get("goroutines", [])],
                             [str(profiles / f) for f in spec.get("heap", [])])
    thresholds = Thresholds(**{k.replace("-", "_"): v for k, v in spec.get("runtime", {}).items()})
    jobs, _ = discover(["./..."], Config(), directory)
    merged, _summary = merge_evidence(result, evidence, jobs, directory, {rule_id}, thresholds)
    return merged


# Every fixture tree with test files, the lifetime fixtures' too: what only tests call is test code
# whether the test files are parsed or read from their bytes (linter/testscan.py).
TREES_WITH_TESTS = sorted({path.parent for path in FIXTURES.rglob("*_test.go")})


@pytest.mark.parametrize("directory", TREES_WITH_TESTS, ids=lambda p: p.relative_to(FIXTURES).as_posix())
def test_test_files_read_from_bytes_give_the_same_findings(directory: Path):
    """A default run does not parse `_test.go` files (cli.lints_tests): the findings of the other
    files, with their levels and lifetimes, and the findings silenced by lifetime, are the same."""
    def production(result):
        return sorted((f.path, f.line, f.rule_id, f.severity.value, f.lifetime or "", f.message)
                      for f in [*result.findings, *result.silenced] if not f.path.endswith("_test.go"))

    parsed = run_lint(["./..."], directory)
    scanned = run_lint(["./..."], directory, lint_tests=False)
    assert production(scanned) == production(parsed)
    assert not [f for f in scanned.findings if f.path.endswith("_test.go")]
