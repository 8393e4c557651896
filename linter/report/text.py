"""The terminal format: one finding per block with a code frame, then a summary."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from rich.cells import cell_len
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..rule import NotificationKind
from . import Report

_STYLE = {"error": "bold red", "warning": "yellow", "note": "cyan"}
_TAB = 4
_LEVELS = ("error", "warning", "note")


def _expand(text: str) -> str:
    return text.replace("\t", " " * _TAB)


def _caret_line(finding) -> str:
    """Spaces up to the start column, carets to the end (same line) or to the end of the line.

    Widths are terminal cells, not code points: a CJK character or an emoji before the span takes
    two cells, and the caret must still sit under the span."""
    prefix = _expand(finding.source_line[: finding.column - 1])
    if finding.end_line == finding.line and finding.end_column > finding.column:
        marked = _expand(finding.source_line[finding.column - 1 : finding.end_column - 1])
    else:
        marked = _expand(finding.source_line[finding.column - 1 :]).rstrip()
    return " " * cell_len(prefix) + "^" * max(1, cell_len(marked))


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    """`Found 3 findings (1 error, 2 warnings) in 12 files, 1 suppressed, 4 notes hidden (--show-notes).`"""
    files = plural(report.files_scanned, "file")
    tail = f", {len(report.suppressed)} suppressed" if report.suppressed else ""
    tail += "".join(f", {value} {key.replace('_', ' ')}" for key, value in sorted(report.extra.items()) if value)
    if report.hidden_notes:
        tail += f", {plural(report.hidden_notes, 'note')} hidden (--show-notes shows them)"
        if report.hidden_medium:
            tail += (f", {report.hidden_medium} of them from rules right less than four times in five"
                     " (--min-precision medium shows them)")
    if not report.findings:
        return f"No leaks found in {files}{tail}."
    levels = Counter(f.severity.value for f in report.findings)
    by_level = ", ".join(plural(levels[level], level) for level in _LEVELS if levels[level])
    return f"Found {plural(len(report.findings), 'finding')} ({by_level}) in {files}{tail}."


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

    summary = escape(summary_line(report))
    if not report.findings:
        console.print(summary.replace("No leaks found", "[green]No leaks found[/]", 1))
        _runtime(console, report)
        return
    console.print(summary)
    if report.statistics:
        counts = Counter(f.rule_id for f in report.findings)
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        table.add_column("rule")
        table.add_column("slug")
        table.add_column("count", justify="right")
        for rule_id, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
            table.add_row(rule_id, slugs.get(rule_id, ""), str(count))
        console.print(table)
    _runtime(console, report)


def _runtime(console: Console, report: Report) -> None:
    """Runtime evidence (--goroutines, --heap): sites by count, growth by size."""
    if report.runtime is None:
        return
    from ..evidence.summary import text_lines

    for heading, rows, columns in text_lines(report.runtime):
        console.print()
        console.print(escape(heading))
        if not rows:
            continue
        table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
        for i, name in enumerate(columns):
            table.add_column(name, justify="right" if i == 0 else "left")
        for row in rows:
            table.add_row(*(escape(cell) for cell in row))
        console.print(table)
