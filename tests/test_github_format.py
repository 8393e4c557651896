"""`--format github`: workflow-command annotations, escaped the way the Actions runner parses them."""

from __future__ import annotations

import io
import re

from goleaklint.registry import rules_by_key
from goleaklint.report import Report, render
from goleaklint.report.github import escape_data, escape_property
from goleaklint.rule import Finding, Notification, NotificationKind, Severity


def _finding(**changes) -> Finding:
    values = dict(path="pkg/x.go", line=9, column=51, end_line=9, end_column=52, rule_id="GL401",
                  message="cancel is assigned to _", severity=Severity.WARNING)
    values.update(changes)
    return Finding(**values)


def _render(findings=(), notifications=()) -> list[str]:
    report = Report(findings=list(findings), suppressed=[], notifications=list(notifications),
                    rules=[rules_by_key()["GL401"].rule, rules_by_key()["GL404"].rule], tool_version="0.1.0")
    out = io.StringIO()
    render("github", report, out)
    text = out.getvalue()
    assert text == "" or text.endswith("\n")
    return text.splitlines()


def unescape(text: str) -> str:
    """The runner's side (actions/runner ActionCommand.Unescape), to check the round trip."""
    for escaped, plain in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """Split a command as the runner does: the first `::` after the properties ends them."""
    match = re.fullmatch(r"::(\w+) ([^:]*)::(.*)", line)
    assert match, line
    props = dict(item.split("=", 1) for item in match.group(2).split(","))
    return match.group(1), {k: unescape(v) for k, v in props.items()}, unescape(match.group(3))


def test_warning_annotation():
    assert _render([_finding()]) == [
        "::warning file=pkg/x.go,line=9,endLine=9,col=51,endColumn=52,title=GL401 lost-cancel::cancel is assigned to _"
    ]


def test_levels_map_to_error_warning_notice():
    lines = _render([_finding(severity=Severity.ERROR), _finding(line=10, end_line=10, severity=Severity.NOTE)])
    assert [line.split(" ", 1)[0] for line in lines] == ["::error", "::notice"]


def test_fix_hint_follows_on_its_own_line():
    [line] = _render([_finding(fix="defer cancel()")])
    assert line.endswith("::cancel is assigned to _%0AFix: defer cancel()")


def test_escaping_round_trips_awkward_text():
    message = "100% sure:\r\nsecond, line :: with colons"
    path = "odd dir/a,b:c%.go"
    [line] = _render([_finding(path=path, message=message)])
    assert "\n" not in line and "\r" not in line
    command, props, text = parse(line)
    assert command == "warning"
    assert props["file"] == path and props["title"] == "GL401 lost-cancel"
    assert text == message


def test_escape_functions():
    assert escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"
    assert escape_property("%3A") == "%253A"  # `%` first, or an escape would be read back as text


def test_multiline_span_has_no_columns():
    [line] = _render([_finding(end_line=11, end_column=3)])
    assert line.startswith("::warning file=pkg/x.go,line=9,endLine=11,title=")


def test_empty_span_has_no_end_column():
    [line] = _render([_finding(end_column=51)])
    assert ",col=51,title=" in line


def test_unknown_rule_is_titled_by_id():
    [line] = _render([_finding(rule_id="GL999")])
    assert ",title=GL999::" in line


def test_notifications_become_annotations():
    lines = _render(notifications=[
        Notification("pkg/x.go", 4, NotificationKind.SYNTAX, "syntax error: linted as far as the parse allows"),
        Notification("pkg", 1, NotificationKind.INTERNAL_ERROR, "rule GL401 lost-cancel crashed: KeyError", "GL401"),
    ])
    assert lines == [
        "::notice file=pkg/x.go,line=4,title=goleaklint syntax::syntax error: linted as far as the parse allows",
        "::error title=goleaklint internal-error GL401::pkg: rule GL401 lost-cancel crashed: KeyError",
    ]


def test_clean_report_prints_nothing():
    assert _render() == []
