"""Syntax notifications are useful and quiet: valid Go of every release gets none, the text report
counts the files that could not be parsed in one line, and `-v` lists them with the reason."""

from __future__ import annotations

import json

import pytest

from goleaklint.cli import main

BROKEN = "package a\n\nfunc F() {\n\tx := )\n}\n"
UNRECOVERABLE = "package a\n\nfunc G() {\n\tp := new(1 +)\n\t_ = p\n}\n"
NEW_EXPR = 'package a\n\nfunc H() *string {\n\treturn new("x")\n}\n'


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in {"a/broken.go": BROKEN, "a/unrecoverable.go": UNRECOVERABLE, "a/ok.go": NEW_EXPR}.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_text_report_counts_files_with_syntax_notifications_in_one_line(tree, capsys):
    assert main(["-j", "1", "--no-cache", "--no-color"]) == 0
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "pars" in line]
    assert lines == ["syntax  2 files could not be fully parsed and were linted as far as the parse allows "
                     "(-v lists them)"]
    assert "broken.go" not in out and "unrecoverable.go" not in out


def test_verbose_lists_each_file_with_its_line_and_the_construct(tree, capsys):
    assert main(["-j", "1", "--no-cache", "--no-color", "-v"]) == 0
    out = capsys.readouterr().out
    assert "a/broken.go:4: syntax  syntax error: linted as far as the parse allows" in out
    assert ("a/unrecoverable.go:4: syntax  `new(expr)` (Go 1.26) could not be parsed: "
            "linted as far as the parse allows") in out
    assert "ok.go" not in out  # new("x") parses: no notification
    assert "-v lists them" not in out
    assert main(["-j", "1", "--no-cache", "--no-color", "--verbose"]) == 0
    assert capsys.readouterr().out == out


def test_machine_formats_keep_every_notification(tree):
    assert main(["-j", "1", "--no-cache", "--format", "json", "-o", "out.json"]) == 0
    notes = json.loads((tree / "out.json").read_text())["notifications"]
    assert [(n["path"], n["line"], n["kind"]) for n in notes] == [
        ("a/broken.go", 4, "syntax"), ("a/unrecoverable.go", 4, "syntax")]


def test_one_file_reads_as_one(tree, capsys):
    (tree / "a" / "broken.go").unlink()
    assert main(["-j", "1", "--no-cache", "--no-color"]) == 0
    assert ("syntax  1 file could not be fully parsed and was linted as far as the parse allows (-v lists them)"
            in capsys.readouterr().out)


def test_other_notifications_are_still_listed(tree, capsys):
    (tree / "a" / "directive.go").write_text("package a\n\n//goleaklint:ignore GL999 no such rule\nvar X = 1\n")
    assert main(["-j", "1", "--no-cache", "--no-color"]) == 0
    out = capsys.readouterr().out
    assert "a/directive.go:3: directive" in out


@pytest.mark.parametrize("ending", ["type T struct{}", "var (\n\tx int\n)", "const (\n\tc = 1\n)"])
def test_a_file_that_ends_without_a_newline_is_valid_go(tmp_path, monkeypatch, capsys, ending):
    """Go accepts a last declaration with no newline after it; tree-sitter-go reports a missing
    terminator there, which no child of the tree holds: no syntax error."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "last.go").write_text("package a\n\n" + ending)
    assert main(["-j", "1", "--no-cache", "--no-color", "-v", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["notifications"] == []


def test_a_finding_on_the_last_line_of_a_file_without_a_newline_keeps_its_place(lint_tree):
    text = ('package a\n\nimport "net/http"\n\nfunc main() { http.ListenAndServeTLS(":443", "c", "k", nil) }\n'
            "var (\n\tx int\n)")
    result = lint_tree({"main.go": text.encode()}, select=["GL502"])
    assert not result.notifications, result.notifications
    [finding] = result.findings
    assert (finding.line, finding.column) == (5, 15)
