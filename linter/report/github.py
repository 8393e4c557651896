"""GitHub Actions workflow commands: one annotation line per finding, shown on the pull request diff.

``::warning file=pkg/x.go,line=9,endLine=9,col=51,endColumn=52,title=GL401 lost-cancel::message``

Escaping follows the runner's parser (actions/toolkit ``command.ts``): in the message ``%``, CR and
LF are percent-encoded; in property values also ``:`` and ``,``, which would otherwise end the value.
Columns count code points, as the editor on the pull request page shows them.
GitHub shows at most a few annotations of each level per step (the rest stay in the log): the SARIF
upload is the complete view.
"""

from __future__ import annotations

from typing import TextIO

from ..rule import Finding, Notification
from . import Report

_COMMAND = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _command(level: str, properties: list[tuple[str, object]], message: str) -> str:
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties)
    return f"::{_COMMAND[level]} {props}::{escape_data(message)}\n"


def _finding(finding: Finding, slugs: dict[str, str]) -> str:
    props: list[tuple[str, object]] = [("file", finding.path), ("line", finding.line), ("endLine", finding.end_line)]
    # The runner takes columns only for a span on one line.
    if finding.end_line == finding.line:
        props.append(("col", finding.column))
        if finding.end_column > finding.column:
            props.append(("endColumn", finding.end_column))
    slug = slugs.get(finding.rule_id)
    props.append(("title", f"{finding.rule_id} {slug}" if slug else finding.rule_id))
    message = finding.message
    if finding.fix:
        message += f"\nFix: {finding.fix}"
    return _command(finding.severity.value, props, message)


def _notification(note: Notification) -> str:
    props: list[tuple[str, object]] = []
    if note.path.endswith(".go"):
        props += [("file", note.path), ("line", max(note.line, 1))]
    title = f"goleaklint {note.kind.value}" + (f" {note.rule_id}" if note.rule_id else "")
    props.append(("title", title))
    message = note.message if props[0][0] == "file" else f"{note.path}: {note.message}"
    return _command(note.level, props, message)


def render(report: Report, out: TextIO) -> None:
    slugs = {rule.id: rule.slug for rule in report.rules}
    for finding in report.findings:
        out.write(_finding(finding, slugs))
    for note in report.notifications:
        out.write(_notification(note))
