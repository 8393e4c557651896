"""The terminal format: one finding per block with a code frame, then a summary by rule."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..rule import NotificationKind
from . import Report

_STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}
_TAB = 4


def _expand(text: str) -> str:
    return text.replace("\t", " " * _TAB)


def _caret_line(finding) -> str:
    """Spaces up to the start column, carets to the end (same line) or to the end of the line."""
    prefix = _expand(finding.source_line[: finding.column - 1])
    if finding.end_line == finding.line and finding.end_column > finding.column:
        marked = _expand(finding.source_line[finding.column - 1 : finding.end_column - 1])
    else:
        marked = _expand(finding.source_line[finding.column - 1 :]).rstrip()
    return " " * len(prefix) + "^" * max(1, len(marked))


def render(report: Report, out: TextIO) -> None:
    console = Console(
        file=out,
        force_terminal=report.color,
        no_color=not report.color,
        color_system="standard" if report.color else None,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )
    slugs = {rule.id: rule.slug for rule in report.rules}
    for finding in report.findings:
        level = finding.severity.value
        console.print(
            f"[bold]{escape(finding.path)}:{finding.line}:{finding.column}[/]: "
            f"[{_STYLE[level]}]{finding.rule_id}[/] [dim]{slugs.get(finding.rule_id, '')}[/] "
            f"[{_STYLE[level]}]{level}[/]  {escape(finding.message)}"
        )
        if finding.source_line:
            gutter = f"{finding.line:>5} | "
            console.print(f"[dim]{gutter}[/]{escape(_expand(finding.source_line))}")
            console.print(f"[dim]{' ' * (len(gutter) - 2)}| [/][{_STYLE[level]}]{_caret_line(finding)}[/]")
        if finding.fix:
            console.print(f"      [green]fix:[/] {escape(finding.fix)}")
        console.print()
    # A large tree can have dozens of files with syntax notifications (code for a newer Go, code
    # that does not compile): one line counts them, -v lists them. Other notifications ask for
    # action and are always listed.
    syntax_files = {note.path for note in report.notifications if note.kind is NotificationKind.SYNTAX}
    listed = [note for note in report.notifications
              if report.verbose or note.kind is not NotificationKind.SYNTAX]
    for note in listed:
        style = "bold red" if note.is_error else "magenta"
        console.print(f"[bold]{escape(note.path)}:{note.line}[/]: [{style}]{note.kind.value}[/]  {escape(note.message)}")
    if syntax_files and not report.verbose:
        count = len(syntax_files)
        console.print(f"[magenta]syntax[/]  {count} file{'s' if count != 1 else ''} could not be fully parsed and "
                      f"{'were' if count != 1 else 'was'} linted as far as the parse allows (-v lists them)")
    if report.notifications:
        console.print()

    counts = Counter(f.rule_id for f in report.findings)
    files = f"{report.files_scanned} file{'s' if report.files_scanned != 1 else ''}"
    suppressed = f", {len(report.suppressed)} suppressed" if report.suppressed else ""
    extra = "".join(f", {value} {key.replace('_', ' ')}" for key, value in sorted(report.extra.items()) if value)
    if not report.findings:
        console.print(f"[green]No leaks found[/] in {files}{suppressed}{extra}.")
        return
    levels = Counter(f.severity.value for f in report.findings)
    by_level = ", ".join(f"{levels[l]} {l}" for l in ("error", "warning", "note") if levels[l])
    total = len(report.findings)
    console.print(f"Found [bold]{total}[/] finding{'s' if total != 1 else ''} ({by_level}) in {files}{suppressed}{extra}.")
    if report.statistics or len(counts) > 1:
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("rule")
        table.add_column("slug")
        table.add_column("count", justify="right")
        for rule_id, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(rule_id, slugs.get(rule_id, ""), str(count))
        console.print(table)
