"""SARIF: the shape GitHub code scanning needs, checked by the official schema and Microsoft's multitool."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from goleaklint import __version__
from goleaklint.fingerprint import CONTEXT_KEY, LINE_HASH_KEY, context_key, line_hash
from goleaklint.registry import rules_by_key
from goleaklint.report import Report, render
from goleaklint.report.sarif import sarif_log
from goleaklint.rule import Docs, Finding, Notification, NotificationKind, Rule, Severity

from .sarif_tools import multitool_problems, schema_errors

PPROF = Rule(
    id="GL501",
    slug="pprof-exposed",
    title="net/http/pprof is served on a non-loopback address",
    severity=Severity.ERROR,
    docs=Docs(
        what="Finds `net/http/pprof` imported where the default mux is served on all interfaces.",
        why="Anyone who reaches the port can take heap profiles and start CPU profiles.",
        example='import _ "net/http/pprof"\n\nhttp.ListenAndServe(":8080", nil)',
        use_instead='http.ListenAndServe("127.0.0.1:6060", nil)',
        limits="Muxes built elsewhere are not followed.",
        references=("https://pkg.go.dev/net/http/pprof",),
    ),
    tags=("security", "external/cwe/cwe-200"),
    precision="medium",
    security_severity="5.3",
)


def real_rule(rule_id: str) -> Rule:
    return rules_by_key()[rule_id].rule


def finding(path, line, prefix, marked, rule_id, message, severity=Severity.WARNING, **extra) -> Finding:
    """A finding whose columns are computed from the text before and inside the span, as the engine does."""
    utf16 = lambda text: len(text.encode("utf-16-le")) // 2  # noqa: E731
    source_line = extra.pop("source_line", prefix + marked + " // rest")
    return Finding(
        path=path, line=line, column=len(prefix) + 1, end_line=line, end_column=len(prefix + marked) + 1,
        rule_id=rule_id, message=message, severity=severity,
        column_utf16=utf16(prefix) + 1, end_column_utf16=utf16(prefix + marked) + 1,
        context=extra.pop("context", "Server.handle"), source_line=source_line, **extra,
    )


def realistic_report(**options) -> Report:
    lost = finding(
        "internal/naïve pkg/handler.go", 12, '\tlabel := "日本😀"; ctx, ', "_", "GL401",
        "the cancel function returned by context.WithTimeout is assigned to _",
        fix="keep the cancel function and `defer cancel()`",
        fingerprints=(("goleaklint/v1", "0123456789abcdef0123456789abcdef"), ("primaryLocationLineHash", "5e1c3a7f00d2e9b1:1")),
    )
    loop = finding("cmd/server/main.go", 40, "\t\t", "defer f.Close()", "GL404",
                   "`defer f.Close()` in a loop runs only when main returns", context="main")
    pprof = finding("cmd/server/main.go", 5, "import ", '_ "net/http/pprof"', "GL501",
                    "net/http/pprof is served on :8080, reachable from outside", severity=Severity.ERROR, context="")
    note = finding("worker/pool.go", 3, "\t", "ctx, cancel := context.WithCancel(p)", "GL401",
                   "cancel is only stored in a field", severity=Severity.NOTE, context="Pool.Start")
    suppressed = finding("worker/pool.go", 30, "\t", "_", "GL401", "cancel assigned to _",
                         suppressed="handed to the caller, who cancels", context="Pool.Stop")
    unexplained = finding("worker/pool.go", 31, "\t", "_", "GL401", "cancel assigned to _", suppressed="",
                          context="Pool.Stop")
    return Report(
        findings=sorted([lost, loop, pprof, note]),
        suppressed=sorted([suppressed, unexplained]),
        notifications=sorted([
            Notification("broken/x.go", 7, NotificationKind.SYNTAX, "syntax error: linted as far as the parse allows"),
            Notification("worker/pool.go", 29, NotificationKind.DIRECTIVE, "unknown rule id GL999 in directive"),
        ] + options.pop("notifications", [])),
        rules=sorted([real_rule("GL401"), real_rule("GL404"), PPROF], key=lambda r: r.id),
        tool_version=__version__,
        files_scanned=4,
        **options,
    )


def sarif_text(report: Report) -> str:
    out = io.StringIO()
    render("sarif", report, out)
    return out.getvalue()


def run_of(report: Report) -> dict:
    document = json.loads(sarif_text(report))
    assert document["version"] == "2.1.0"
    assert document["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    [run] = document["runs"]
    return run


def test_empty_report_still_has_results_and_validates():
    report = Report(findings=[], suppressed=[], notifications=[], rules=[real_rule("GL401")], tool_version="0.1.0")
    run = run_of(report)
    assert run["results"] == []
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert schema_errors(sarif_log(report)) == []


def test_driver_describes_the_tool_and_every_rule():
    driver = run_of(realistic_report())["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("goleaklint", __version__)
    assert driver["informationUri"] == "https://github.com/goleaklint/goleaklint"
    assert [rule["id"] for rule in driver["rules"]] == ["GL401", "GL404", "GL501"]
    lost, _, pprof = driver["rules"]
    assert lost["name"] == "lost-cancel"
    assert lost["shortDescription"]["text"] == "The cancel function of a derived context is discarded or never called."
    assert lost["fullDescription"]["text"].startswith("Finds calls of `context.WithCancel`")
    assert lost["defaultConfiguration"] == {"level": "warning"}
    assert lost["helpUri"].endswith("docs/rules.md#gl401-lost-cancel")
    for section in ("### What it does", "### Why is this bad?", "### Example", "### Use instead", "### Known limits"):
        assert section in lost["help"]["markdown"]
    assert "```go\nfunc fetch(parent context.Context" in lost["help"]["markdown"]
    assert "Why: A derived context registers itself" in lost["help"]["text"]
    from goleaklint.rules import lost_cancel

    # the measured label (benchmarks/ecosystem), whatever the ledger makes it
    assert lost["properties"] == {"precision": lost_cancel.RULE.precision, "tags": ["memory-leak", "goroutine-leak"]}
    assert "security-severity" not in lost["properties"]
    assert pprof["defaultConfiguration"] == {"level": "error"}
    assert pprof["properties"] == {
        "precision": "medium", "tags": ["security", "external/cwe/cwe-200"], "security-severity": "5.3",
    }


def test_results_point_at_relative_uris_with_utf16_columns():
    run = run_of(realistic_report())
    assert run["columnKind"] == "utf16CodeUnits"
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]  # no absolute path: same bytes on every machine
    by_line = {(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r for r in run["results"]}
    lost = by_line[("internal/na%C3%AFve%20pkg/handler.go", 12)]
    assert lost["ruleId"] == "GL401" and lost["level"] == "warning"
    assert run["tool"]["driver"]["rules"][lost["ruleIndex"]]["id"] == "GL401"
    # `\tlabel := "日本😀"; ctx, ` is 22 code points but 23 UTF-16 units: the emoji is a surrogate pair.
    assert lost["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 12, "startColumn": 24, "endLine": 12, "endColumn": 25,
    }
    assert lost["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
    assert lost["message"]["text"] == (
        "The cancel function returned by context.WithTimeout is assigned to _. "
        "Fix: Keep the cancel function and `defer cancel()`."
    )
    assert lost["locations"][0]["logicalLocations"] == [{"fullyQualifiedName": "Server.handle", "kind": "function"}]
    pprof = by_line[("cmd/server/main.go", 5)]
    assert pprof["level"] == "error" and "logicalLocations" not in pprof["locations"][0]
    assert by_line[("worker/pool.go", 3)]["level"] == "note"
    assert [r["ruleId"] for r in run["results"]] == ["GL501", "GL404", "GL401", "GL401"]  # report order


def test_fingerprints_are_passed_through_and_the_context_key_is_never_missing():
    run = run_of(realistic_report())
    lost, loop = run["results"][2], run["results"][1]
    assert lost["partialFingerprints"] == {
        "goleaklint/v1": "0123456789abcdef0123456789abcdef", "primaryLocationLineHash": "5e1c3a7f00d2e9b1:1",
    }
    # Without the engine's keys (a report built by hand), our own key is still derived from the finding;
    # the line hash needs the file, so it is left to the upload action.
    assert loop["partialFingerprints"] == {CONTEXT_KEY: context_key("GL404", "main", "\t\tdefer f.Close() // rest")}


def test_suppressed_findings_are_left_out_by_default():
    run = run_of(realistic_report())
    assert all("suppressions" not in r for r in run["results"])
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"] if r["ruleId"] == "GL401"] == [12, 3]


def test_suppressed_findings_on_request_carry_in_source_suppressions():
    run = run_of(realistic_report(sarif_include_suppressed=True))
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in suppressed] == [30, 31]
    assert suppressed[0]["suppressions"] == [
        {"kind": "inSource", "status": "accepted", "justification": "handed to the caller, who cancels"}
    ]
    assert suppressed[1]["suppressions"] == [{"kind": "inSource", "status": "accepted"}]
    assert len(run["results"]) == 6
    paths = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in run["results"]]
    assert paths == sorted(paths)  # merged in report order, not appended


@pytest.mark.parametrize("category, expected", [("shard-1", "shard-1/"), ("go/backend/", "go/backend/")])
def test_category_becomes_the_automation_id_as_the_upload_action_writes_it(category, expected):
    assert run_of(realistic_report(sarif_category=category))["automationDetails"] == {"id": expected}


def test_no_automation_id_without_a_category():
    # An id in the file would override the upload action's `category` input.
    assert "automationDetails" not in run_of(realistic_report())


def test_notifications_and_execution_success():
    run = run_of(realistic_report())
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is True
    syntax, directive = invocation["toolExecutionNotifications"]
    assert syntax == {
        "level": "note",
        "message": {"text": "Syntax error: linted as far as the parse allows."},
        "descriptor": {"id": "syntax"},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": "broken/x.go", "uriBaseId": "%SRCROOT%"},
                                            "region": {"startLine": 7}}}],
    }
    assert directive["level"] == "warning" and directive["descriptor"] == {"id": "directive"}


@pytest.mark.parametrize("kind", [NotificationKind.INTERNAL_ERROR, NotificationKind.IO_ERROR])
def test_an_internal_or_io_error_marks_the_run_unsuccessful(kind):
    crash = Notification("worker", 1, kind, "rule GL401 lost-cancel crashed: KeyError: 'x'", "GL401")
    [invocation] = run_of(realistic_report(notifications=[crash]))["invocations"]
    assert invocation["executionSuccessful"] is False
    [entry] = [n for n in invocation["toolExecutionNotifications"] if n["level"] == "error"]
    assert entry["associatedRule"] == {"id": "GL401", "index": 0}
    # A package directory, not a file: no line that would mean nothing.
    assert entry["locations"] == [{"physicalLocation": {"artifactLocation": {"uri": "worker/", "uriBaseId": "%SRCROOT%"}}}]


def test_output_is_deterministic():
    report = realistic_report(sarif_include_suppressed=True)
    shuffled = realistic_report(sarif_include_suppressed=True)
    shuffled.rules.reverse()
    text = sarif_text(report)
    assert text == sarif_text(report) == sarif_text(shuffled)
    assert text.endswith("}\n") and "日本" not in text  # region only, no snippets; no absolute paths
    assert str(Path.cwd()) not in text and "/tmp" not in text


@pytest.mark.parametrize("options", [{}, {"sarif_include_suppressed": True, "sarif_category": "shard-2"}])
def test_validates_against_the_official_schema(options):
    assert schema_errors(sarif_log(realistic_report(**options))) == []


@pytest.mark.slow
@pytest.mark.parametrize("options", [{}, {"sarif_include_suppressed": True, "sarif_category": "shard-2"}])
def test_multitool_with_githubs_rules_reports_nothing(tmp_path, options):
    crash = Notification("worker/pool.go", 1, NotificationKind.INTERNAL_ERROR, "rule GL404 crashed", "GL404")
    path = tmp_path / "out.sarif"
    path.write_text(sarif_text(realistic_report(notifications=[crash], **options)), encoding="utf-8")
    assert multitool_problems(path, tmp_path) == []


# End to end: the command line as a workflow runs it.

LEAKY = """package server

import (
	"context"
	"time"
)

// Größe: 日本語 😀
func (s *Server) handle(parent context.Context) {
	label := "😀"; ctx, _ := context.WithTimeout(parent, time.Second)
	use(ctx, label)
	for i := 0; ; i++ {
		defer s.files[i].Close()
	}
	keep, cancel := context.WithCancel(parent) //nolint:goleaklint:GL401 // handed on below
	use(keep, "")
}
"""


def goleaklint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run([sys.executable, "-m", "goleaklint", *args], cwd=cwd, capture_output=True, text=True,
                          env=env, timeout=120)


def write_tree(root: Path, source: str = LEAKY) -> Path:
    (root / "go.mod").write_text("module example.com/svc\n\ngo 1.22\n")
    # GL404 (measured low precision) at its own level, so the tree has two warnings to key
    (root / ".goleaklint.toml").write_text('min-precision = "low"\n')
    path = root / "internal" / "server" / "handler.go"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(source.replace("\n", "\r\n").encode())  # CRLF: positions and hashes must hold
    (root / "internal" / "server" / "broken.go").write_text("package server\n\nfunc broken( {\n")
    return path


def cli_results(root: Path, *args: str) -> tuple[dict, subprocess.CompletedProcess]:
    proc = goleaklint(root, "--format", "sarif", "-o", "out.sarif", *args, "./...")
    assert proc.returncode == 1, proc.stderr
    return json.loads((root / "out.sarif").read_text(encoding="utf-8")), proc


def test_cli_sarif_end_to_end(tmp_path):
    handler = write_tree(tmp_path)
    document, _ = cli_results(tmp_path)
    assert schema_errors(document) == []
    [run] = document["runs"]
    results = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]): r for r in run["results"]}
    assert sorted(results) == [("GL401", 10), ("GL404", 13)]
    lost = results[("GL401", 10)]
    assert lost["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "internal/server/handler.go"
    # `\tlabel := "😀"; ctx, ` is 20 code points, 21 UTF-16 units.
    assert lost["locations"][0]["physicalLocation"]["region"]["startColumn"] == 22
    data = handler.read_bytes()
    assert lost["partialFingerprints"][LINE_HASH_KEY] == line_hash(data, 10)
    assert lost["partialFingerprints"][CONTEXT_KEY] == context_key(
        "GL401", "Server.handle", '\tlabel := "😀"; ctx, _ := context.WithTimeout(parent, time.Second)'
    )
    [syntax] = run["invocations"][0]["toolExecutionNotifications"]
    assert syntax["descriptor"] == {"id": "syntax"}
    assert "automationDetails" not in run


def test_cli_flags_category_and_suppressed(tmp_path):
    write_tree(tmp_path)
    document, _ = cli_results(tmp_path, "--sarif-category", "go-shard-1", "--sarif-include-suppressed")
    [run] = document["runs"]
    assert run["automationDetails"] == {"id": "go-shard-1/"}
    [suppressed] = [r for r in run["results"] if "suppressions" in r]
    assert suppressed["locations"][0]["physicalLocation"]["region"]["startLine"] == 15
    assert suppressed["suppressions"] == [{"kind": "inSource", "status": "accepted", "justification": "handed on below"}]


def test_keys_survive_lines_inserted_above_and_reindenting(tmp_path):
    write_tree(tmp_path)
    before, _ = cli_results(tmp_path)
    edited = LEAKY.replace("// Größe", "// Added later.\n\nvar unrelated = 1\n\n// Größe").replace(
        "\tlabel := ", "\t  label :=  "
    )
    write_tree(tmp_path, edited)
    after, _ = cli_results(tmp_path)

    def keys(document):
        return {r["ruleId"]: (r["locations"][0]["physicalLocation"]["region"]["startLine"], r["partialFingerprints"])
                for r in document["runs"][0]["results"]}

    old, new = keys(before), keys(after)
    assert new["GL401"][0] == old["GL401"][0] + 4
    assert new["GL401"][1] == old["GL401"][1]  # both keys: whitespace is not hashed, position is not either
    assert new["GL404"][1] == old["GL404"][1]


@pytest.mark.slow
def test_cli_sarif_passes_the_multitool(tmp_path):
    write_tree(tmp_path)
    cli_results(tmp_path, "--sarif-include-suppressed", "--sarif-category", "shard-1")
    assert multitool_problems(tmp_path / "out.sarif", tmp_path) == []


@pytest.mark.slow
def test_multitool_check_catches_what_github_would_reject(tmp_path):
    # The check itself must be able to fail: a driver without `rules` is an error for GitHub (GH1018),
    # a tool without informationUri or version a warning.
    path = tmp_path / "bad.sarif"
    path.write_text(json.dumps({"version": "2.1.0", "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                                "runs": [{"tool": {"driver": {"name": "x"}}, "results": []}]}))
    problems = multitool_problems(path, tmp_path)
    assert any(p.startswith("error GH1018") for p in problems)
    assert any(p.startswith("warning SARIF2005") for p in problems)


def test_cli_sarif_bytes_do_not_depend_on_worker_count(tmp_path):
    write_tree(tmp_path)
    (tmp_path / "cmd" / "tool").mkdir(parents=True)
    (tmp_path / "cmd" / "tool" / "main.go").write_text(
        'package main\n\nimport (\n\t"context"\n\t"net/http"\n\n\t_ "example.com/svc/internal/server"\n)\n\n'
        'func main() {\n\thttp.HandleFunc("/", handle)\n}\n\n'
            'func handle(w http.ResponseWriter, r *http.Request) {\n\tctx, _ := context.WithTimeout(base, 1)\n\t_ = ctx.Err()\n}\n\n'
        'var base, stop = context.WithCancel(context.Background())\n'
    )
    outputs = []
    for jobs in ("1", "2"):
        proc = goleaklint(tmp_path, "--format", "sarif", "-j", jobs, "./...")
        assert proc.returncode == 1, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count('"ruleId"') == 3
