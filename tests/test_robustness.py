"""Never crash, never lose a finding, never surprise.

Property tests feed the engine what CI will eventually meet: random bytes, truncated and mutated Go,
absurd nesting, huge files. The property is always the same: no exception escapes, and no rule
reports an internal error. Set GOLEAKLINT_FUZZ_EXAMPLES to run longer (see the README).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goleaklint.config import Config
from goleaklint.discover import PackageJob
from goleaklint.engine import RunOptions, lint_package
from goleaklint.registry import all_rules

from .conftest import FIXTURES

EXAMPLES = int(os.environ.get("GOLEAKLINT_FUZZ_EXAMPLES", "60"))
SEEDS = [p.read_bytes() for p in sorted(FIXTURES.rglob("*.go"))]
ALL_RULES = tuple(rm.rule.id for rm in all_rules())


def lint_bytes(tmp: Path, files: dict[str, bytes]):
    """Lints the given files as one package with every rule, in this process."""
    for name in list(tmp.iterdir()):
        name.unlink()
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    paths = sorted(tmp / name for name in files)
    job = PackageJob(tmp.resolve(), [p.resolve() for p in paths], {p.resolve() for p in paths})
    result = lint_package(job, RunOptions(ALL_RULES, str(tmp.resolve())))
    crashes = [n for n in result.notifications if n.is_error]
    assert not crashes, crashes
    return result


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz")


fuzz_settings = settings(max_examples=EXAMPLES, deadline=None, derandomize="CI" in os.environ,
                         suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@fuzz_settings
@given(data=st.binary(max_size=2000))
def test_random_bytes(scratch, data):
    lint_bytes(scratch, {"a.go": data})


@fuzz_settings
@given(seed=st.sampled_from(SEEDS), cut=st.floats(0, 1))
def test_truncated_real_files(scratch, seed, cut):
    lint_bytes(scratch, {"a.go": seed[: int(len(seed) * cut)]})


@fuzz_settings
@given(seed=st.sampled_from(SEEDS), edits=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40), st.binary(max_size=12)), max_size=8))
def test_mutated_real_files(scratch, seed, edits):
    data = bytearray(seed)
    for where, length, replacement in edits:
        at = int(len(data) * where)
        data[at : at + length] = replacement
    lint_bytes(scratch, {"a.go": bytes(data), "b.go": seed})


@fuzz_settings
@given(tokens=st.lists(st.sampled_from([
    "go func() {", "}()", "for {", "}", "select {", "case <-ctx.Done():", "return", "defer f()", "x := make(chan int)",
    "ch <- 1", "<-ch", "m[k] = v", "delete(m, k)", "ctx, cancel := context.WithCancel(ctx)", "_ = cancel",
    "if err != nil {", "resp, err := http.Get(u)", "defer resp.Body.Close()", "t := time.NewTicker(d)",
    "case <-time.After(d):", "wg.Wait()", "c.JSON(200, x)", "r.Body", "break", "{", "(", ")", "\n",
]), max_size=60))
def test_token_soup_in_a_handler(scratch, tokens):
    head = ('package p\nimport (\n"context"\n"net/http"\n"time"\n"github.com/gin-gonic/gin"\n)\n'
            "var m = map[string]int{}\nfunc h(w http.ResponseWriter, r *http.Request, c *gin.Context) {\n")
    lint_bytes(scratch, {"a.go": (head + "\n".join(tokens) + "\n}\n").encode()})


def test_ten_thousand_levels_of_nesting(scratch):
    depth = 10_000
    expr = "(" * depth + "1" + ")" * depth
    blocks = "{" * depth + "x := 1; _ = x" + "}" * depth
    literals = "func() {" * 2000 + "defer f()" + "}()" * 2000
    lint_bytes(scratch, {
        "a.go": f"package p\nvar v = {expr}\nfunc f() {{ {blocks} }}\nfunc g() {{ for {{ {literals} }} }}\n".encode(),
    })


def test_a_ten_megabyte_file(scratch):
    body = ('func f{i}(p context.Context) {{\n\tctx, cancel := context.WithCancel(p)\n\tdefer cancel()\n'
            '\tfor _, x := range xs {{\n\t\t_ = x\n\t}}\n\t_ = ctx\n}}\n')
    chunks = ['package p\n\nimport "context"\n\nvar xs []int\n\n']
    size = 0
    i = 0
    while size < 10 * 1024 * 1024:
        chunk = body.format(i=i)
        chunks.append(chunk)
        size += len(chunk)
        i += 1
    chunks.append("func leak(p context.Context) {\n\tctx, _ := context.WithCancel(p)\n\t_ = ctx\n}\n")
    result = lint_bytes(scratch, {"big.go": "".join(chunks).encode()})
    assert [(f.rule_id, f.context) for f in result.findings] == [("GL401", "leak")]


def test_empty_and_comment_only_files(scratch):
    result = lint_bytes(scratch, {"a.go": b"", "b.go": b"// only\n/* comments */\n", "c.go": b"\xef\xbb\xbf"})
    assert not result.findings


def test_no_network_during_a_lint(scratch, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("goleaklint opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    for seed in SEEDS:
        lint_bytes(scratch, {"a.go": seed})


def test_nothing_from_the_scanned_tree_is_imported_or_executed(tmp_path):
    """A scanned repo that ships a `goleaklint` Python package, a conftest and a sitecustomize must
    not get them run: the console script does not put the working directory on sys.path."""
    marker = tmp_path / "executed"
    payload = f"open({str(marker)!r}, 'w').write('pwned')\n"
    for rel in ("goleaklint/__init__.py", "goleaklint/rules/__init__.py", "sitecustomize.py", "conftest.py",
                "tree_sitter.py", "rich/__init__.py"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(payload)
    (tmp_path / ".goleaklint.toml").write_text('select = ["GL401"]\n')
    (tmp_path / "a.go").write_text('package a\n\nimport "context"\n\nfunc f(p context.Context) {\n\tx, _ := context.WithCancel(p)\n\t_ = x\n}\n')
    script = shutil.which("goleaklint", path=str(Path(sys.executable).parent))
    assert script, "the goleaklint console script is not installed next to this Python"
    run = subprocess.run([script, "./...", "-j", "2", "--min-precision", "low"], cwd=tmp_path, capture_output=True, text=True,
                         env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
    assert run.returncode == 1, run.stderr
    assert "a.go:6:5: GL401" in run.stdout
    assert not marker.exists()


def test_nothing_is_written_but_the_output(tmp_path, monkeypatch):
    from goleaklint.cli import main

    (tmp_path / "a.go").write_text('package a\n\nimport "context"\n\nfunc f(p context.Context) {\n\tx, _ := context.WithCancel(p)\n\t_ = x\n}\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert main(["--format", "json", "-o", "report.json", "--no-cache"] if "--no-cache" in _flags() else
                ["--format", "json", "-o", "report.json"]) == 1
    after = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    assert sorted(set(after) - set(before)) == ["report.json"]


def _flags() -> str:
    from goleaklint.cli import build_parser

    return build_parser().format_help()


def test_duplicate_keys_and_wrong_types_in_config(tmp_path):
    from goleaklint.config import ConfigError, load_config

    known = {rm.rule.id: rm.rule.id for rm in all_rules()}
    cases = {
        'tests = true\ntests = false\n': ":2:",
        'tests = "yes"\n': ":1: 'tests' must be true or false",
        'select = "GL401"\n': ":1: 'select' must be a list",
        'exclude = [1]\n': ":1: 'exclude' must be a list of glob strings",
        '\n\ngo-version = 1.22\n': ":3: 'go-version' must be a string",
        '[severity]\nGL401 = 3\n': ":2: severity of GL401",
        'fail-on = "loud"\n': ":1: 'fail-on'",
    }
    for text, expected in cases.items():
        path = tmp_path / ".goleaklint.toml"
        path.write_text(text)
        with pytest.raises(ConfigError) as info:
            load_config(path, known)
        assert expected in str(info.value), (text, str(info.value))


def test_statements_outside_any_function(scratch):
    """Broken code leaves statements at top level; a rule asking for their function gets None."""
    lint_bytes(scratch, {"a.go": b"package p\n{\n\twork := func() { for {} }\n\tgo work()\n\tch := make(chan int)\n\tgo func() { <-ch }()\n}\n"})
