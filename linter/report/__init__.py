"""Reporters: one module per output format, all reading the same `Report`.

A reporter is a module with ``render(report: Report, out: TextIO) -> None``. Reporters never see
trees or file contents beyond what a `Finding` carries.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TextIO

from ..rule import Finding, Notification, Rule

FORMATS = ("text", "json", "sarif", "github", "concise")


@dataclass
class Report:
    findings: list[Finding]  # sorted, not suppressed: what the user must act on
    suppressed: list[Finding]  # sorted; counted in summaries, in SARIF only on request
    notifications: list[Notification]  # sorted
    rules: list[Rule]  # every rule that ran, sorted by id
    tool_version: str
    files_scanned: int = 0
    color: bool = False  # text only
    verbose: bool = False  # text only: list each file with a syntax notification, not just their count
    statistics: bool = False
    sarif_include_suppressed: bool = False
    sarif_category: str | None = None
    extra: dict = field(default_factory=dict)  # e.g. baseline counts, for the summary
    # Notes left out of `findings` because nobody asked for them (--show-notes): counted, never shown.
    hidden_notes: int = 0
    # Of those, the findings of rules measured at medium precision, below the run's `min-precision`:
    # what `--min-precision medium` would show at their own levels.
    hidden_medium: int = 0
    runtime: object = None  # goleaklint.evidence.RuntimeSummary when runtime evidence was given


def render(fmt: str, report: Report, out: TextIO) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    module = importlib.import_module(f"{__name__}.{fmt}")
    module.render(report, out)
