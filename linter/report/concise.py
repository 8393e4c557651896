"""One line per finding, `path:line:col: GL401 message`, for editors and CI problem matchers.

The shape is the one compilers and flake8/ruff print, so a problem matcher written for them parses it:
see docs/workflows.md for a VS Code task and a GitHub Actions problem matcher. Notifications have no
column and name their kind instead of a rule (`path:line: syntax: message`), so a matcher for
findings does not take them for one. The summary line goes last, as in the text format.
"""

from __future__ import annotations

from typing import TextIO

from . import Report
from .text import summary_line


def render(report: Report, out: TextIO) -> None:
    for finding in report.findings:
        message = " ".join(finding.message.split())  # one line, whatever the message holds
        out.write(f"{finding.path}:{finding.line}:{finding.column}: {finding.rule_id} {message}\n")
    for note in report.notifications:
        out.write(f"{note.path}:{note.line}: {note.kind.value}: {' '.join(note.message.split())}\n")
    out.write(summary_line(report) + "\n")
