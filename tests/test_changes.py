"""--new-from-rev and --new-from-patch: a PR check reports only findings on the lines the PR adds."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from goleaklint.changes import parse_unified_diff
from goleaklint.cli import main

OLD = """package svc

import "context"

func handle(parent context.Context) {
	ctx, _ := context.WithTimeout(parent, 0)
	_ = ctx
}
"""

# One line inserted above the old leak (moving it to line 7), one new leak at line 9.
NEW = """package svc

import "context"

func handle(parent context.Context) {
	// a comment that moves everything down
	ctx, _ := context.WithTimeout(parent, 0)
	_ = ctx
	c2, _ := context.WithCancel(parent)
	_ = c2
}
"""

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # Never let a repository above tmp_path answer for it.
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for key, value in {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
                       "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}.items():
        monkeypatch.setenv(key, value)
    _git(tmp_path, "init", "-q")
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "handler.go").write_text(OLD)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "first")
    return tmp_path


def _json(capsys, *argv) -> tuple[int, dict]:
    capsys.readouterr()
    code = main([*argv, "--format", "json", "-j", "1"])
    return code, json.loads(capsys.readouterr().out)


def _lines(document):
    return [(f["path"], f["line"], f["rule"]) for f in document["findings"]]


@needs_git
def test_new_from_rev_reports_only_findings_on_changed_lines(repo, capsys):
    (repo / "svc" / "handler.go").write_text(NEW)
    _git(repo, "commit", "-q", "-am", "second")
    code, document = _json(capsys, "--new-from-rev", "HEAD~1")
    assert code == 1
    assert _lines(document) == [("svc/handler.go", 9, "GL401")]
    assert document["summary"]["on_unchanged_lines"] == 1
    code, document = _json(capsys, "--new-from-rev", "HEAD")  # nothing changed since HEAD
    assert code == 0 and document["findings"] == []
    assert main(["-j", "1"]) == 1  # the old finding is still there without the filter


@needs_git
def test_uncommitted_edits_and_untracked_files_count_as_changed(repo, capsys):
    (repo / "svc" / "handler.go").write_text(NEW)  # not committed: the working tree is what is linted
    (repo / "svc" / "fresh.go").write_text(OLD.replace("handle", "fresh"))  # untracked
    code, document = _json(capsys, "--new-from-rev", "HEAD")
    assert _lines(document) == [("svc/fresh.go", 6, "GL401"), ("svc/handler.go", 9, "GL401")]


@needs_git
def test_run_from_a_subdirectory_maps_paths(repo, capsys, monkeypatch):
    (repo / "svc" / "handler.go").write_text(NEW)
    monkeypatch.chdir(repo / "svc")
    code, document = _json(capsys, "--new-from-rev", "HEAD")
    assert _lines(document) == [("handler.go", 9, "GL401")]


@needs_git
@pytest.mark.parametrize("rev", ["no-such-branch", "HEAD~5", "-p"])
def test_unknown_rev_is_a_clear_error(repo, capsys, rev):
    assert main([f"--new-from-rev={rev}"]) == 2
    err = capsys.readouterr().err
    assert "--new-from-rev" in err and repr(rev) in err


@needs_git
def test_outside_a_git_repository_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.go").write_text(OLD)
    assert main(["--new-from-rev", "HEAD"]) == 2
    assert "not inside a git repository" in capsys.readouterr().err


def test_new_from_patch_with_context_lines(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "handler.go").write_text(NEW)
    patch = tmp_path / "pr.diff"
    patch.write_text(
        "diff --git a/svc/handler.go b/svc/handler.go\n"
        "--- a/svc/handler.go\n"
        "+++ b/svc/handler.go\n"
        "@@ -6,3 +7,5 @@ func handle(parent context.Context) {\n"
        " \tctx, _ := context.WithTimeout(parent, 0)\n"  # context: line 7 is in the hunk but not changed
        " \t_ = ctx\n"
        "+\tc2, _ := context.WithCancel(parent)\n"
        "+\t_ = c2\n"
        " }\n"
    )
    code, document = _json(capsys, "--new-from-patch", "pr.diff")
    assert code == 1 and _lines(document) == [("svc/handler.go", 9, "GL401")]


def test_new_from_patch_missing_file_and_exclusive_flags(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--new-from-patch", "nope.diff"]) == 2
    assert "cannot read patch nope.diff" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["--new-from-patch", "x.diff", "--new-from-rev", "HEAD"])
    assert exit_info.value.code == 2


def test_parse_unified_diff_shapes():
    text = (
        "--- a/old.go\n+++ b/renamed.go\n@@ -1,2 +1,2 @@\n-x\n+y\n z\n"
        "--- a/gone.go\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        "--- /dev/null\n+++ b/new.go\n@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n"
        '--- "a/t\\303\\251st.go"\n+++ "b/t\\303\\251st.go"\n@@ -3,0 +4 @@\n+q\n'
        "--- plain/x.go\t2024-01-01 00:00:00\n+++ plain/x.go\t2024-01-02 00:00:00\n@@ -10,2 +10,3 @@\n a\n+--- not a header\n b\n"
        "--- a/only_removed.go\n+++ b/only_removed.go\n@@ -4,2 +3,0 @@\n-x\n-y\n"
    )
    assert parse_unified_diff(text) == {
        "renamed.go": {1},
        "new.go": {1, 2},
        "tést.go": {4},
        "plain/x.go": {11},
    }


@needs_git
def test_baseline_then_changed_lines(repo, capsys):
    (repo / "svc" / "handler.go").write_text(NEW)
    assert main(["--write-baseline", "baseline.json", "-j", "1"]) == 0  # accepts both leaks
    code, document = _json(capsys, "--baseline", "baseline.json", "--new-from-rev", "HEAD")
    assert code == 0 and document["findings"] == []
    assert document["summary"]["baselined"] == 2 and document["summary"]["on_unchanged_lines"] == 0
