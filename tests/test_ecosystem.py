"""The ecosystem check's matching, precision and diff, on tiny made-up findings and snapshots (CI has
no real snapshots; the check itself is run by hand, docs/ecosystem.md)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "benchmarks" / "ecosystem" / "check.py"

_spec = importlib.util.spec_from_file_location("ecosystem_check", SCRIPT)
check = importlib.util.module_from_spec(_spec)
sys.modules["ecosystem_check"] = check  # dataclasses look their module up by name
_spec.loader.exec_module(check)


def finding(line=10, text="ctx, _ := context.WithTimeout(p, d)", rule="GL401", path="a/a.go",
            function="handle", level="warning", repo="r"):
    return check.Finding(repo=repo, rule=rule, path=path, function=function, text=check.normalise_text(text),
                         level=level, line=line)


def entry(verdict="TRUE", line=10, text="ctx, _ := context.WithTimeout(p, d)", rule="GL401", path="a/a.go",
          function="handle", level="warning", repo="r", reason="why"):
    return check.Entry(repo=repo, rule=rule, path=path, function=function, text=check.normalise_text(text),
                       level=level, verdict=verdict, reason=reason, line=line)


def test_a_finding_that_moved_keeps_its_verdict():
    result = check.compare([finding(line=42, text="\t\tctx, _ :=  context.WithTimeout(p, d)  ")], [entry(line=10)], {"r"})
    assert [(f.line, e.verdict) for f, e in result.matched] == [(42, "TRUE")]
    assert result.appeared == [] and result.vanished == [] and result.regressions == []


@pytest.mark.parametrize("change", [
    {"rule": "GL404"}, {"path": "b/a.go"}, {"function": "other"}, {"text": "ctx, _ := context.WithCancel(p)"}, {"repo": "s"},
])
def test_a_different_rule_path_function_text_or_repo_is_a_different_finding(change):
    result = check.compare([finding(**change)], [entry()], {"r", "s"})
    assert result.matched == []
    assert len(result.appeared) == 1 and len(result.vanished) == 1
    assert [e.verdict for e, f in result.regressions] == ["TRUE"]


def test_identical_lines_in_one_function_pair_up_one_to_one():
    findings = [finding(line=5), finding(line=9), finding(line=30)]
    ledger = [entry("TRUE", line=5), entry("FALSE", line=9)]
    result = check.compare(findings, ledger, {"r"})
    assert [(f.line, e.verdict) for f, e in result.matched] == [(5, "TRUE"), (9, "FALSE")]
    assert [f.line for f in result.appeared] == [30]
    result = check.compare(findings[:1], ledger, {"r"})
    assert [e.verdict for e in result.vanished] == ["FALSE"] and result.regressions == []


def test_a_finding_on_its_entrys_line_takes_that_entry_before_earlier_twins():
    # Notes with the same text come first in the function; the ledger recorded only the warning.
    findings = [finding(line=5, level="note"), finding(line=9, level="note"), finding(line=30)]
    result = check.compare(findings, [entry("TRUE", line=30)], {"r"})
    assert [(f.line, e.verdict) for f, e in result.matched] == [(30, "TRUE")]
    assert [f.line for f in result.appeared] == [5, 9] and result.regressions == []


def test_entries_of_codebases_not_linted_do_not_vanish():
    result = check.compare([], [entry(repo="elsewhere")], {"r"})
    assert result.vanished == [] and result.regressions == []


def test_precision_counts_only_warnings_and_errors_and_debatable_is_not_true():
    findings = [finding(line=1, text="a"), finding(line=2, text="b"), finding(line=3, text="c"),
                finding(line=4, text="d", level="error"), finding(line=5, text="e", level="note"),
                finding(line=6, text="f"), finding(line=7, text="g"), finding(line=8, text="h", rule="GL404")]
    ledger = [entry("TRUE", text="a"), entry("FALSE", text="b"), entry("DEBATABLE", text="c"),
              entry("TRUE", text="d"), entry("FALSE", text="e", level="warning"), entry("UNJUDGED", text="f", reason="")]
    stats = check.precision_by_rule(check.compare(findings, ledger, {"r"}))
    row = stats["GL401"]
    # e is a FALSE demoted to a note since it was judged: it no longer costs precision.
    assert (row.findings, row.true, row.false, row.debatable, row.unjudged) == (6, 2, 1, 1, 2)
    assert row.judged == 4 and row.precision == 0.5
    assert stats["GL404"].precision is None and stats["GL404"].unjudged == 1


def test_a_true_finding_demoted_to_a_note_is_a_regression_and_a_false_one_is_not():
    result = check.compare([finding(text="a", level="note"), finding(text="b", level="note"),
                            finding(text="c", level="note")],
                           [entry("TRUE", text="a"), entry("FALSE", text="b"), entry("TRUE", text="c", level="note")],
                           {"r"})
    assert [(e.text, f.level) for e, f in result.regressions] == [("a", "note")]
    # c was a note when judged: a leak users never saw, not one they lost.
    assert [f.text for f, e in result.true_notes] == ["c"]


def test_sampling_is_reproducible_and_keeps_the_rest_as_unjudged():
    findings = [finding(line=i, text=f"t{i}") for i in range(1, 51)] + [finding(line=1, rule="GL404", text="x")]
    first = check.sample_stubs(findings, 30, seed=7)
    assert first == check.sample_stubs(list(reversed(findings)), 30, seed=7)
    assert first != check.sample_stubs(findings, 30, seed=8)
    to_judge = [s for s in first if not s.reason]
    assert len(first) == 51 and all(s.verdict == "UNJUDGED" for s in first)
    assert sum(s.rule == "GL401" for s in to_judge) == 30 and sum(s.rule == "GL404" for s in to_judge) == 1
    assert {s.reason for s in first if s.reason} == {"outside the random sample of 30 (seed 7)"}
    assert first[:31] == to_judge  # the sample first, for the judge


def test_ledger_entries_round_trip_and_bad_ones_are_errors(tmp_path):
    ledger = tmp_path / "ledger.jsonl"
    good = entry("FALSE", reason="store into a value receiver's field")
    good = check.Entry(**{**good.__dict__, "shape": "value receiver"})
    ledger.write_text(good.to_json() + "\n\n", encoding="utf-8")
    assert check.load_ledger(ledger) == [good]
    assert check.load_ledger(tmp_path / "absent.jsonl") == []
    for bad, message in [({"verdict": "MAYBE"}, "verdict must be one of"), ({"reason": ""}, "needs a reason"),
                         ({"level": "info"}, "level must be one of"), ({"colour": 1}, "unknown keys")]:
        data = {**json.loads(good.to_json()), **bad}
        ledger.write_text(json.dumps(data) + "\n", encoding="utf-8")
        with pytest.raises(check.InputError, match=message):
            check.load_ledger(ledger)


def test_repos_carry_a_batch_that_defaults_to_one_and_must_be_a_positive_integer(tmp_path):
    repos = tmp_path / "repos.toml"
    head = '[[repo]]\nname = "a"\nurl = "u"\ncommit = "c"\nset = "heldout"\n'
    repos.write_text(head + '\n[[repo]]\nname = "b"\nurl = "u"\ncommit = "c"\nset = "heldout"\nbatch = 2\n',
                     encoding="utf-8")
    assert [(r.name, r.batch) for r in check.load_repos(repos)] == [("a", 1), ("b", 2)]
    for bad in ("0", '"2"', "true", "1.5"):
        repos.write_text(head + f"batch = {bad}\n", encoding="utf-8")
        with pytest.raises(check.InputError, match="'batch' must be a positive integer"):
            check.load_repos(repos)

def test_findings_carry_the_text_of_their_source_line(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "a.go").write_text("package a\n\nfunc f() {\n\t\tdefer  x()\n}\n", encoding="utf-8")
    report = {"version": 1, "findings": [{"rule": "GL404", "path": "a/a.go", "line": 4, "severity": "warning",
                                          "function": "f", "message": "m"}]}
    [found] = check.findings_from_report("r", report, tmp_path)
    assert (found.text, found.function, found.level, found.line) == ("defer x()", "f", "warning", 4)
    with pytest.raises(check.InputError, match="version"):
        check.findings_from_report("r", {"version": 2, "findings": []}, tmp_path)


_LOST_CANCEL = """package svc

import (
	"context"
	"net/http"
)

func handle(w http.ResponseWriter, r *http.Request) {
	ctx, _ := context.WithTimeout(base, 1)
	_ = ctx
}

// The server's base context, cancelled at shutdown: a derived context is registered with it.
var base, stop = context.WithCancel(context.Background())
"""


def _run(tmp_path, *args):
    return subprocess.run([sys.executable, str(SCRIPT), "--snapshots", str(tmp_path / "snaps"),
                           "--repos", str(tmp_path / "repos.toml"), "--ledger", str(tmp_path / "ledger.jsonl"), *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)


@pytest.fixture
def snapshots(tmp_path):
    (tmp_path / "snaps" / "svc" / "svc").mkdir(parents=True)
    (tmp_path / "snaps" / "svc" / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n", encoding="utf-8")
    (tmp_path / "snaps" / "svc" / "svc" / "h.go").write_text(_LOST_CANCEL, encoding="utf-8")
    (tmp_path / "repos.toml").write_text(
        '[[repo]]\nname = "svc"\nurl = "https://example.com/svc"\ncommit = "abc"\nset = "heldout"\n\n'
        '[[repo]]\nname = "other"\nurl = "https://example.com/other"\ncommit = "def"\nset = "tuning"\n', encoding="utf-8")
    return tmp_path


def test_end_to_end_a_moved_true_finding_counts_and_stubs_are_written(snapshots):
    ledger = entry("TRUE", repo="svc", path="svc/h.go", line=3, text="ctx, _ := context.WithTimeout(base, 1)",
                   reason="per-request context never cancelled")
    (snapshots / "ledger.jsonl").write_text(ledger.to_json() + "\n", encoding="utf-8")
    result = _run(snapshots, "--set", "heldout", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["rules"]["GL401"]["true"] == 1 and report["rules"]["GL401"]["precision"] == 1.0
    assert report["appeared"] == [] and report["vanished"] == [] and report["regressions"] == []
    assert [r["name"] for r in report["repos"]] == ["svc"]

    (snapshots / "ledger.jsonl").write_text("", encoding="utf-8")
    result = _run(snapshots, "--repo", "svc", "--write-stubs", str(snapshots / "stubs.jsonl"))
    assert result.returncode == 0, result.stderr
    assert "svc:svc/h.go:9: GL401 warning in handle: ctx, _ := context.WithTimeout(base, 1)" in result.stdout
    [stub] = [json.loads(line) for line in (snapshots / "stubs.jsonl").read_text().splitlines()]
    assert stub == {"repo": "svc", "rule": "GL401", "path": "svc/h.go", "function": "handle",
                    "text": "ctx, _ := context.WithTimeout(base, 1)", "level": "warning",
                    "verdict": "UNJUDGED", "reason": "", "line": 9, "lifetime": "per-request"}


def test_end_to_end_a_lost_true_finding_is_a_regression(snapshots):
    gone = entry("TRUE", repo="svc", path="svc/h.go", function="handle", text="go leak()", rule="GL103", reason="leaks")
    (snapshots / "ledger.jsonl").write_text(gone.to_json() + "\n", encoding="utf-8")
    result = _run(snapshots)
    assert result.returncode == 1, result.stderr
    assert "REGRESSIONS: 1" in result.stdout and "vanished: svc:svc/h.go:10: GL103: go leak() (leaks)" in result.stdout
    assert "no snapshot for 1 codebases (not compared): other" in result.stdout


def test_no_snapshot_at_all_is_an_error(snapshots):
    result = _run(snapshots, "--set", "tuning")
    assert result.returncode == 2 and "no snapshot of 1 codebases" in result.stderr


def test_snapshot_writes_only_go_sources_and_module_files_of_the_commit(tmp_path):
    work = tmp_path / "work"
    (work / "pkg").mkdir(parents=True)
    (work / "vendor" / "dep").mkdir(parents=True)
    (work / "pkg" / "a.go").write_text("package pkg\n", encoding="utf-8")
    (work / "go.mod").write_text("module m\n", encoding="utf-8")
    (work / "go.work").write_text("go 1.22\n", encoding="utf-8")
    (work / "README.md").write_text("hi\n", encoding="utf-8")
    (work / "vendor" / "dep" / "d.go").write_text("package dep\n", encoding="utf-8")
    (work / "pkg" / "link.go").symlink_to("a.go")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    (work / "pkg" / "a.go").write_text("package pkg // changed after the pinned commit\n", encoding="utf-8")
    subprocess.run([*git, "commit", "-q", "-am", "two"], check=True)
    dest = tmp_path / "snap"
    (dest / "stale").mkdir(parents=True)
    result = subprocess.run([sys.executable, str(SCRIPT.parent / "snapshot.py"), str(work / ".git"), str(dest),
                             "--commit", "HEAD~1"], capture_output=True, text=True, check=True)
    assert "3 files of" in result.stdout
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()) == ["go.mod", "go.work", "pkg/a.go"]
    assert (dest / "pkg" / "a.go").read_text() == "package pkg\n"


def test_labels_need_ten_held_out_judgements_and_follow_the_share_of_true():
    assert check.label_for(8, 10) == "high" and check.label_for(5, 10) == "medium" and check.label_for(4, 10) == "low"
    assert check.label_for(9, 9) is None and check.label_for(2, 7) is None
    assert check.label_for(1, 5) == "low" and check.label_for(0, 4) is None
    repos = [check.Repo(name="tuned", url="", commit="", set="tuning", kind="", paths=("./...",), batch=1),
             check.Repo(name="held", url="", commit="", set="tuning", kind="", paths=("./...",), batch=2)]
    ledger = [entry(verdict="TRUE", repo="held", line=i) for i in range(4)]
    ledger += [entry(verdict="DEBATABLE", repo="held", line=10 + i) for i in range(6)]
    ledger += [entry(verdict="TRUE", repo="tuned", line=20 + i) for i in range(20)]  # written on: not counted
    ledger += [entry(verdict="FALSE", repo="held", line=50, level="note")]  # notes are not measured
    assert check.measured_labels(ledger, repos) == {"GL401": ("low", 4, 10)}


def test_every_rules_declared_precision_is_what_the_ledger_measured():
    # A rule's precision label decides whether its warnings are shown by default; the committed
    # ledger decides the label, wherever it holds enough judgements of the rule.
    from goleaklint.registry import all_rules

    here = REPO / "benchmarks" / "ecosystem"
    measured = check.measured_labels(check.load_ledger(here / "ledger.jsonl"), check.load_repos(here / "repos.toml"))
    wrong = {rm.rule.id: (rm.rule.precision, measured[rm.rule.id]) for rm in all_rules()
             if rm.rule.id in measured and measured[rm.rule.id][0] not in (None, rm.rule.precision)}
    assert wrong == {}


def test_a_label_by_lifetime_is_measured_from_the_entries_that_recorded_a_lifetime():
    repos = [check.Repo(name="held", url="", commit="", set="tuning", kind="", paths=("./...",), batch=2)]
    ledger = [replace(entry(verdict="TRUE", repo="held", line=i), lifetime="per-request") for i in range(8)]
    ledger += [replace(entry(verdict="DEBATABLE", repo="held", line=20 + i), lifetime="unknown") for i in range(9)]
    ledger += [replace(entry(verdict="TRUE", repo="held", line=40), lifetime="unknown")]
    ledger += [entry(verdict="TRUE", repo="held", line=60 + i) for i in range(30)]  # no lifetime: not counted
    assert check.measured_lifetime_labels(ledger, repos) == {
        ("GL401", "per-request"): (None, 8, 8), ("GL401", "unknown"): ("low", 1, 10)}


def test_every_declared_label_by_lifetime_is_not_contradicted_by_the_ledger():
    # Labels by lifetime are measured as a rule's are, from held-out entries that kept their finding's
    # lifetime; until ten are judged the declared one stands (docs/ecosystem.md says what decided it).
    from goleaklint.registry import all_rules

    here = REPO / "benchmarks" / "ecosystem"
    measured = check.measured_lifetime_labels(check.load_ledger(here / "ledger.jsonl"),
                                              check.load_repos(here / "repos.toml"))
    wrong = {(rm.rule.id, lifetime): (label, measured[(rm.rule.id, lifetime)]) for rm in all_rules()
             for lifetime, label in rm.rule.precision_by_lifetime
             if measured.get((rm.rule.id, lifetime), (None,))[0] not in (None, label)}
    assert wrong == {}


def test_a_label_by_kind_is_measured_from_the_entries_stubbed_with_that_kind(tmp_path):
    repos = [check.Repo(name="held", url="", commit="", set="tuning", kind="", paths=("./...",), batch=2)]
    ledger = [replace(entry(verdict="TRUE", repo="held", line=i, rule="GL201"), kind="client-address") for i in range(9)]
    ledger += [replace(entry(verdict="FALSE", repo="held", line=20, rule="GL201"), kind="client-address")]
    ledger += [entry(verdict="FALSE", repo="held", line=40 + i, rule="GL201") for i in range(10)]  # no kind: not counted
    assert check.measured_kind_labels(ledger, repos) == {("GL201", "client-address"): ("high", 9, 10)}
    # the kind survives the ledger's JSON, and a stub keeps the kind its finding had
    path = tmp_path / "ledger.jsonl"
    path.write_text("".join(e.to_json() + "\n" for e in ledger[:1] + ledger[-1:]), encoding="utf-8")
    assert [e.kind for e in check.load_ledger(path)] == ["client-address", ""]
    assert '"kind"' not in ledger[-1].to_json()
    assert check.stub(replace(finding(rule="GL201"), kind="client-address")).kind == "client-address"


def test_as_shipped_lets_a_kinds_label_win_over_the_rules_and_the_lifetimes():
    shown = replace(finding(line=1, text="a", rule="GL201"), lifetime="per-request", kind="client-address")
    plain = replace(finding(line=2, text="b", rule="GL201"), lifetime="per-request")
    comparison = check.Comparison(appeared=[shown, plain])
    shipped = check.as_shipped(comparison, {"GL201": "low"}, {"GL201": {"per-request": "medium"}},
                               by_kind={"GL201": {"client-address": "high"}})
    assert [f.level for f in shipped.appeared] == ["warning", "note"]


def test_every_declared_label_by_kind_is_not_contradicted_by_the_ledger():
    # As for lifetimes: once ten held-out entries stubbed with a kind are judged, they decide its label.
    from goleaklint.registry import all_rules

    here = REPO / "benchmarks" / "ecosystem"
    measured = check.measured_kind_labels(check.load_ledger(here / "ledger.jsonl"), check.load_repos(here / "repos.toml"))
    wrong = {(rm.rule.id, kind): (label, measured[(rm.rule.id, kind)]) for rm in all_rules()
             for kind, label in rm.rule.precision_by_kind
             if measured.get((rm.rule.id, kind), (None,))[0] not in (None, label)}
    assert wrong == {}


def test_entries_judged_on_tuning_code_do_not_measure_labels(tmp_path):
    repos = [check.Repo(name="held", url="", commit="", set="tuning", kind="", paths=("./...",), batch=2)]
    ledger = [entry(verdict="TRUE", repo="held", line=i) for i in range(10)]
    later = [check.Entry(**{**e.__dict__, "verdict": "FALSE", "line": 100 + i, "tuning": True})
             for i, e in enumerate(ledger)]
    assert check.measured_labels(ledger + later, repos) == {"GL401": ("high", 10, 10)}
    path = tmp_path / "ledger.jsonl"
    path.write_text("".join(e.to_json() + "\n" for e in ledger[:1] + later[:1]), encoding="utf-8")
    loaded = check.load_ledger(path)
    assert [e.tuning for e in loaded] == [False, True] and '"tuning"' not in ledger[0].to_json()


def test_as_shipped_lowers_a_rules_findings_in_code_of_a_lifetime_it_is_labelled_low_for():
    per_request = replace(finding(rule="GL101", line=3, text="ch <- a"), lifetime="per-request")
    unknown = replace(finding(rule="GL101", line=9, text="ch <- b"), lifetime="unknown")
    comparison = check.compare([per_request, unknown], [], {"r"})
    shipped = check.as_shipped(comparison, {"GL101": "high"}, {"GL101": {"unknown": "medium"}})
    assert [(f.line, f.level) for f in shipped.appeared] == [(3, "warning"), (9, "note")]
    shipped = check.as_shipped(comparison, {"GL101": "high"})
    assert [(f.line, f.level) for f in shipped.appeared] == [(3, "warning"), (9, "warning")]
    # and up: a medium rule labelled high per request shows those findings
    shipped = check.as_shipped(comparison, {"GL101": "medium"}, {"GL101": {"per-request": "high"}})
    assert [(f.line, f.level) for f in shipped.appeared] == [(3, "warning"), (9, "note")]
    # with a lower bar, as `--min-precision medium` asks, the medium ones are shown too
    shipped = check.as_shipped(comparison, {"GL101": "medium"}, {"GL101": {"unknown": "low"}}, minimum="medium")
    assert [(f.line, f.level) for f in shipped.appeared] == [(3, "warning"), (9, "note")]


def test_the_check_assumes_goleaklints_own_default_bar():
    from goleaklint.rule import DEFAULT_MIN_PRECISION, PRECISIONS

    assert (check.DEFAULT_MIN_PRECISION, check.PRECISIONS) == (DEFAULT_MIN_PRECISION, PRECISIONS)


def test_a_ledger_entry_keeps_the_lifetime_it_was_judged_in():
    line = entry("DEBATABLE", reason="stranded only at shutdown")
    assert "lifetime" not in json.loads(line.to_json())
    judged = replace(line, lifetime="unknown")
    assert json.loads(judged.to_json())["lifetime"] == "unknown"


def test_a_codebase_whose_every_file_is_generated_is_linted_with_nothing_found(snapshots):
    generated = snapshots / "snaps" / "svc" / "svc" / "h.go"
    generated.write_text("// Code generated by a tool. DO NOT EDIT.\n\n" + _LOST_CANCEL, encoding="utf-8")
    result = _run(snapshots, "--set", "heldout", "--format", "json")
    assert result.returncode == 0, result.stderr
    assert "svc: nothing to lint" in result.stderr
    assert [r["name"] for r in json.loads(result.stdout)["repos"]] == ["svc"]


def test_totals_count_held_out_judgements_of_the_batches_by_what_each_bar_shows():
    repos = [check.Repo("a", "u", "c", "heldout", batch=5), check.Repo("b", "u", "c", "tuning", batch=6),
             check.Repo("old", "u", "c", "tuning", batch=2)]
    ledger = [
        replace(entry(verdict="TRUE", repo="a", rule="GL405"), lifetime="per-request"),  # high: shown by default
        replace(entry(verdict="FALSE", repo="a", rule="GL405", line=2), lifetime="unknown"),  # medium
        replace(entry(verdict="TRUE", repo="b", rule="GL201", line=3), kind="client-address"),  # medium by its kind
        entry(verdict="DEBATABLE", repo="b", rule="GL201", line=4),  # low
        entry(verdict="TRUE", repo="b", rule="GL201", line=5, level="note"),  # a note: not counted
        replace(entry(verdict="TRUE", repo="b", rule="GL201", line=6), tuning=True),  # judged on tuning code
        entry(verdict="TRUE", repo="old", rule="GL405", line=7),  # outside the batches asked for
    ]
    declared = {"GL405": ("medium", {"per-request": "high"}, {}), "GL201": ("low", {}, {"client-address": "medium"})}
    text = " ".join(check.render_totals(ledger, repos, 5, 6, declared).split())
    assert "batches 5-6 (2 codebases)" in text
    assert "as shipped: 1 / 1 " in text
    assert "--min-precision medium: 2 / 3 " in text
    assert "the rules' own levels: 2 / 4 " in text
    assert "GL201 client-address 1 / 1" in text and "GL405 unknown 0 / 1" in text
    assert "per-request" not in text  # shown by default, not a medium group


def test_totals_lint_nothing_and_need_no_snapshots(tmp_path):
    out = subprocess.run([sys.executable, str(SCRIPT), "--totals", "68-70"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "batches 68-70" in out.stdout and "as shipped:" in out.stdout
    bad = subprocess.run([sys.executable, str(SCRIPT), "--totals", "70-68"], capture_output=True, text=True)
    assert bad.returncode == 2 and "FIRST-LAST" in bad.stderr
    neither = subprocess.run([sys.executable, str(SCRIPT)], capture_output=True, text=True)
    assert neither.returncode == 2 and "--snapshots is required" in neither.stderr
