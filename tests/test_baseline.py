"""Baselines as a team adopting goleaklint meets them: accepted findings stay silent through unrelated
edits, new ones are reported, stale entries are counted, the file is stable and versioned."""

from __future__ import annotations

import json

import pytest

from goleaklint.baseline import FORMAT_VERSION, Baseline
from goleaklint.cli import main

HANDLER = """package svc

import "context"

func handle(parent context.Context) {
	ctx, _ := context.WithTimeout(parent, 0)
	_ = ctx
	go func() {
		c2, _ := context.WithCancel(parent)
		_ = c2
	}()
}
"""


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "svc").mkdir()
    handler = tmp_path / "svc" / "handler.go"
    handler.write_text(HANDLER, encoding="utf-8")
    return tmp_path


def _run(capsys, *argv) -> tuple[int, dict]:
    capsys.readouterr()  # drop what earlier runs printed
    code = main([*argv, "--format", "json", "-j", "1"])
    return code, json.loads(capsys.readouterr().out)


def _lines(document) -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in document["findings"]]


def test_written_baseline_silences_todays_findings_and_exits_0(repo, capsys):
    code, document = _run(capsys, "--write-baseline", "baseline.json")
    assert code == 0 and document["findings"] == []
    assert document["summary"]["baselined"] == 2
    code, document = _run(capsys, "--baseline", "baseline.json")
    assert code == 0 and document["findings"] == []
    assert document["summary"] == {**document["summary"], "baselined": 2, "stale_in_baseline": 0}
    assert main(["-j", "1"]) == 1  # without the baseline the findings are still there


def test_baselined_finding_stays_silent_after_lines_inserted_above_and_new_one_is_reported(repo, capsys):
    assert main(["--write-baseline", "baseline.json", "-j", "1"]) == 0
    handler = repo / "svc" / "handler.go"
    # Unrelated lines above everything, a new closure before the baselined one (renumbering it from
    # handle.func1 to handle.func2), a reindent, and one new leak in the same function.
    text = handler.read_text().replace("package svc\n", "package svc\n\n// Package svc serves.\n", 1)
    text = text.replace(
        "func handle(parent context.Context) {\n",
        "func handle(parent context.Context) {\n\tgo func() {}()\n\tc3, _ := context.WithCancel(parent)\n\t_ = c3\n",
    )
    text = text.replace("\tctx, _ := context.WithTimeout(parent, 0)", "\tctx, _ :=   context.WithTimeout(parent, 0)")
    handler.write_text(text)
    code, document = _run(capsys, "--baseline", "baseline.json")
    assert code == 1
    assert _lines(document) == [("svc/handler.go", 9)]
    assert "c3, _ := context.WithCancel" in text.splitlines()[8]
    assert document["summary"]["baselined"] == 2
    assert document["summary"]["stale_in_baseline"] == 0


def test_same_line_twice_in_a_function_is_counted(repo, capsys):
    twice = HANDLER.replace("\t_ = ctx\n", "\t_ = ctx\n\tctx, _ := context.WithTimeout(parent, 0)\n")
    (repo / "svc" / "handler.go").write_text(twice)
    assert main(["--write-baseline", "baseline.json", "-j", "1"]) == 0
    entries = json.loads((repo / "baseline.json").read_text())["findings"]
    assert [e["count"] for e in entries if "WithTimeout" in e["line"]] == [2]
    thrice = twice.replace("\t_ = ctx\n", "\t_ = ctx\n\tctx, _ := context.WithTimeout(parent, 0)\n", 1)
    (repo / "svc" / "handler.go").write_text(thrice)
    code, document = _run(capsys, "--baseline", "baseline.json")
    assert code == 1
    # Two of the three identical lines are absorbed; the last in source order is reported.
    assert _lines(document) == [("svc/handler.go", 9)]
    assert document["summary"]["baselined"] == 3


def test_same_line_in_another_function_is_new(repo, capsys):
    assert main(["--write-baseline", "baseline.json", "-j", "1"]) == 0
    with open(repo / "svc" / "handler.go", "a") as handle:
        handle.write("\nfunc other(parent context.Context) {\n\tctx, _ := context.WithTimeout(parent, 0)\n\t_ = ctx\n}\n")
    code, document = _run(capsys, "--baseline", "baseline.json")
    assert code == 1 and _lines(document) == [("svc/handler.go", 15)]


def test_fixed_findings_become_stale_entries_in_the_summary(repo, capsys):
    assert main(["--write-baseline", "baseline.json", "-j", "1"]) == 0
    handler = repo / "svc" / "handler.go"
    handler.write_text(handler.read_text().replace("ctx, _ := context.WithTimeout(parent, 0)",
                                                   "ctx, cancel := context.WithTimeout(parent, 0)\n\tdefer cancel()"))
    code, document = _run(capsys, "--baseline", "baseline.json")
    assert code == 0 and document["summary"]["stale_in_baseline"] == 1
    assert main(["--baseline", "baseline.json", "-j", "1"]) == 0
    assert "1 baselined, 1 stale in baseline." in capsys.readouterr().out


def test_entries_out_of_this_runs_scope_are_not_stale(repo, capsys):
    (repo / "other").mkdir()
    (repo / "other" / "x.go").write_text(HANDLER.replace("package svc", "package other"))
    assert main(["--write-baseline", "baseline.json", "-j", "1"]) == 0
    code, document = _run(capsys, "--baseline", "baseline.json", "svc/...")
    assert code == 0 and document["summary"]["stale_in_baseline"] == 0
    code, document = _run(capsys, "--baseline", "baseline.json", "--select", "GL404")
    assert document["summary"]["stale_in_baseline"] == 0
    (repo / "other" / "x.go").unlink()  # a deleted file's entries are stale
    code, document = _run(capsys, "--baseline", "baseline.json")
    assert document["summary"]["stale_in_baseline"] == 2


def test_file_is_versioned_sorted_relative_and_byte_stable(repo, capsys):
    assert main(["--write-baseline", "a.json", "-j", "1"]) == 0
    assert main(["--write-baseline", "b.json", "-j", "4"]) == 0
    first, second = (repo / "a.json").read_bytes(), (repo / "b.json").read_bytes()
    assert first == second and first.endswith(b"}\n")
    document = json.loads(first)
    assert document["tool"] == "goleaklint" and document["version"] == FORMAT_VERSION
    assert document["findings"] == [
        {"rule": "GL401", "path": "svc/handler.go", "function": "handle",
         "line": "c2, _ := context.WithCancel(parent)", "count": 1},
        {"rule": "GL401", "path": "svc/handler.go", "function": "handle",
         "line": "ctx, _ := context.WithTimeout(parent, 0)", "count": 1},
    ]
    assert Baseline.load(repo / "a.json").dumps().encode() == first  # load and dump round-trip


@pytest.mark.parametrize("content, message", [
    (None, "cannot read baseline"),
    ("{\n  nope", "baseline.json:2: not valid JSON"),
    ('{"tool": "goleaklint", "version": 99, "findings": []}', "version 99 is not supported"),
    ('{"tool": "other", "version": 1, "findings": []}', "not a goleaklint baseline"),
    ('{"tool": "goleaklint", "version": 1, "findings": [{"rule": "GL401"}]}', "findings[0] needs"),
])
def test_bad_baseline_exits_2_before_linting(repo, capsys, content, message):
    if content is not None:
        (repo / "baseline.json").write_text(content)
    assert main(["--baseline", "baseline.json"]) == 2
    assert message in capsys.readouterr().err


def test_baseline_does_not_hide_internal_errors(repo, capsys, monkeypatch):
    from goleaklint.rules import lost_cancel

    assert main(["--write-baseline", "baseline.json", "-j", "1"]) == 0
    before = (repo / "baseline.json").read_bytes()

    def crash(ctx, captures):
        raise RuntimeError("boom")

    monkeypatch.setattr(lost_cancel, "check", crash)
    assert main(["--baseline", "baseline.json", "-j", "1", "--no-cache"]) == 2
    # An incomplete run must not overwrite a good baseline.
    assert main(["--write-baseline", "baseline.json", "-j", "1", "--no-cache"]) == 2
    assert "not writing baseline.json" in capsys.readouterr().err
    assert (repo / "baseline.json").read_bytes() == before


def test_statistics_count_by_rule_most_frequent_first(repo, capsys):
    loop = "\nfunc loop(paths []chan int) {\n\tfor i := 0; ; i++ {\n\t\tc := paths[i]\n\t\tdefer close(c)\n\t}\n}\n"
    with open(repo / "svc" / "handler.go", "a") as handle:
        handle.write(loop)
    code, document = _run(capsys, "--statistics", "--min-precision", "low")
    assert document["statistics"] == [
        {"rule": "GL401", "slug": "lost-cancel", "count": 2},
        {"rule": "GL404", "slug": "defer-in-loop", "count": 1},
    ]
    capsys.readouterr()
    assert main(["--statistics", "-j", "1", "--min-precision", "low"]) == 1
    table = [line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("GL")]
    assert table == [["GL401", "lost-cancel", "2"], ["GL404", "defer-in-loop", "1"]]
    # Baselined findings are not counted: statistics describe what is reported.
    assert main(["--write-baseline", "b.json", "-j", "1"]) == 0
    code, document = _run(capsys, "--statistics", "--baseline", "b.json")
    assert document["statistics"] == []


def test_paths_are_relative_to_the_baseline_file_so_subdirectory_runs_match(repo, capsys, monkeypatch):
    (repo / "ci").mkdir()
    assert main(["--write-baseline", "baseline.json", "-j", "1"]) == 0
    assert main(["--write-baseline", "ci/baseline.json", "-j", "1"]) == 0
    assert {e["path"] for e in json.loads((repo / "ci" / "baseline.json").read_text())["findings"]} == \
        {"../svc/handler.go"}
    code, document = _run(capsys, "--baseline", "ci/baseline.json")
    assert code == 0 and document["summary"]["baselined"] == 2
    monkeypatch.chdir(repo / "svc")  # a developer running it in one package, with the root's baseline
    code, document = _run(capsys, "--baseline", "../baseline.json")
    assert code == 0 and document["findings"] == []
    assert document["summary"]["baselined"] == 2 and document["summary"]["stale_in_baseline"] == 0
