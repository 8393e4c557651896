"""pre-commit: the hooks in .pre-commit-hooks.yaml, driven by real pre-commit in a throwaway repository.

`pre-commit try-repo` installs this repository the way users get it (its committed HEAD, plus any
uncommitted changes to tracked files) into a fresh virtualenv, so these tests also prove that the
package installs from a clone.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from goleaklint import engine, registry
from goleaklint.cli import main
from goleaklint.registry import RuleModule, all_rules
from goleaklint.rule import Docs, Rule, Severity

yaml = pytest.importorskip("yaml")

ROOT = Path(__file__).resolve().parent.parent
HOOKS = {hook["id"]: hook for hook in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}

LEAKY = """package svc

import (
	"context"
	"time"
)

func Fetch(parent context.Context) error {
	ctx, _ := context.WithTimeout(parent, time.Second)
	return get(ctx)
}
"""
CLEAN = """package svc

import "context"

func get(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	return ctx.Err()
}
"""


def documented_config() -> dict:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("<!-- BEGIN pre-commit", 1)[1].split("<!-- END pre-commit", 1)[0]
    [block] = re.findall(r"```yaml\n(.*?)```", section, re.S)
    return yaml.safe_load(block)


def test_hooks_are_declared_for_whole_packages():
    hook = HOOKS["goleaklint"]
    assert hook["entry"] == "goleaklint" and hook["language"] == "python"
    assert hook["types"] == ["go"]
    assert hook["require_serial"] is True  # split across processes, a package would be linted in parts
    full = HOOKS["goleaklint-full"]
    assert full["pass_filenames"] is False and full["entry"] == "goleaklint ./..."
    assert full["language"] == "python"


def test_documented_config_names_our_hooks():
    [repo] = documented_config()["repos"]
    assert repo["repo"] == "https://github.com/goleaklint/goleaklint"
    assert {hook["id"] for hook in repo["hooks"]} <= set(HOOKS)


# What the `goleaklint` hook relies on: a file argument lints that file with its package as context.

@pytest.fixture
def package_rule(monkeypatch):
    """A package-level rule that reports once per file of the package and records what it saw."""
    seen: list[list[str]] = []
    module = ModuleType("goleaklint.rules.every_file")
    module.RULE = Rule("GL998", "every-file", "test rule", Severity.WARNING, Docs("", "", "", "", ""))

    def check_package(pkg):
        seen.append([ctx.relpath for ctx in pkg.files])
        for ctx in pkg.files:
            yield ctx.finding(module.RULE, ctx.source.root.named_children[0], "seen")

    module.check_package = check_package
    rules = (*all_rules(), RuleModule(module.RULE, module))
    monkeypatch.setattr(engine, "all_rules", lambda: rules)
    monkeypatch.setattr(registry, "all_rules", lambda: rules)
    engine._compiled.cache_clear()
    yield seen
    engine._compiled.cache_clear()


def test_a_passed_file_gets_its_siblings_as_context_and_only_it_is_reported(tmp_path, monkeypatch, capsys, package_rule):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "clean.go").write_text(CLEAN)
    (tmp_path / "svc" / "leak.go").write_text(LEAKY)
    (tmp_path / "svc" / "other.go").write_text("package svc\n")
    monkeypatch.chdir(tmp_path)
    assert main(["-j", "1", "--select", "GL401,GL998", "--no-color", "svc/clean.go"]) == 1
    out = capsys.readouterr().out
    assert package_rule == [["svc/clean.go", "svc/leak.go", "svc/other.go"]]
    assert "svc/clean.go:1:1" in out and "GL998" in out
    assert "leak.go" not in out and "other.go" not in out  # neither the sibling's leak nor its package finding


# Real pre-commit.

def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True)


@pytest.fixture
def go_repo(tmp_path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "svc").mkdir(parents=True)
    (repo / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    (repo / "svc" / "leak.go").write_text(LEAKY)
    (repo / "svc" / "clean.go").write_text(CLEAN)
    (repo / "README.txt").write_text("not Go\n")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "dev@example.com")
    _git(repo, "config", "user.name", "dev")
    _git(repo, "config", "commit.gpgsign", "false")
    _git(repo, "add", ".")
    return repo


def pre_commit(cwd: Path, *args: str, home: Path) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", NO_COLOR="1")
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900)


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> Path:
    pytest.importorskip("pre_commit")
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.mark.slow
def test_try_repo_fails_on_a_leak_and_prints_the_finding(go_repo, pre_commit_home):
    proc = pre_commit(go_repo, "try-repo", str(ROOT), "goleaklint", "--files", "svc/leak.go", "README.txt",
                      home=pre_commit_home)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert re.search(r"goleaklint\.+Failed", output), output
    assert "svc/leak.go:9:7" in output and "GL401" in output and "lost-cancel" in output
    assert "clean.go" not in output


@pytest.mark.slow
def test_try_repo_passes_a_clean_file_next_to_a_leaky_sibling(go_repo, pre_commit_home):
    proc = pre_commit(go_repo, "try-repo", str(ROOT), "goleaklint", "--files", "svc/clean.go",
                      home=pre_commit_home)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert re.search(r"goleaklint\.+Passed", output), output
    assert "GL401" not in output


@pytest.mark.slow
def test_try_repo_full_hook_lints_the_whole_tree(go_repo, pre_commit_home):
    proc = pre_commit(go_repo, "try-repo", str(ROOT), "goleaklint-full", "--files", "svc/clean.go",
                      home=pre_commit_home)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "svc/leak.go:9:7" in output and "GL401" in output


@pytest.mark.slow
def test_documented_config_blocks_a_leaky_commit(go_repo, pre_commit_home):
    """The README's configuration, pointed at this checkout, installed as a real git hook."""
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    if dirty and not os.environ.get("CI"):
        pytest.skip("the configuration pins a commit: commit your changes to run this test")
    config = documented_config()
    config["repos"][0].update(repo=str(ROOT), rev=head)
    (go_repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config, sort_keys=False))
    assert pre_commit(go_repo, "install", home=pre_commit_home).returncode == 0

    _git(go_repo, "rm", "-q", "--cached", "svc/leak.go")
    _git(go_repo, "add", ".pre-commit-config.yaml")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PRE_COMMIT", "GIT_"))}
    env.update(PRE_COMMIT_HOME=str(pre_commit_home), PRE_COMMIT_COLOR="never")
    commit = subprocess.run(["git", "commit", "-m", "clean code"], cwd=go_repo, env=env, capture_output=True,
                            text=True, timeout=900)
    assert commit.returncode == 0, commit.stdout + commit.stderr

    _git(go_repo, "add", "svc/leak.go")
    commit = subprocess.run(["git", "commit", "-m", "leak"], cwd=go_repo, env=env, capture_output=True,
                            text=True, timeout=900)
    output = commit.stdout + commit.stderr
    assert commit.returncode != 0, output
    assert "svc/leak.go:9:7" in output and "GL401" in output
