"""The JSON format: a stable, versioned schema for scripts (documented in the README).

Lines are 1-based; columns are 1-based counts of Unicode code points, `end_column` exclusive.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import TextIO

from ..rule import Finding
from . import Report

SCHEMA_VERSION = 1


def _finding(finding: Finding, slugs: dict[str, str]) -> dict:
    entry = {
        "rule": finding.rule_id,
        "slug": slugs.get(finding.rule_id, ""),
        "severity": finding.severity.value,
        "path": finding.path,
        "line": finding.line,
        "column": finding.column,
        "end_line": finding.end_line,
        "end_column": finding.end_column,
        "message": finding.message,
        "fix": finding.fix,
        "function": finding.context,
    }
    if finding.lifetime is not None:
        entry["lifetime"] = finding.lifetime
    if finding.kind:
        entry["kind"] = finding.kind
    if finding.suppressed is not None:
        entry["suppressed"] = finding.suppressed
    if finding.properties:
        entry["runtime"] = dict(finding.properties)
    return entry


def render(report: Report, out: TextIO) -> None:
    slugs = {rule.id: rule.slug for rule in report.rules}
    counts = Counter(f.rule_id for f in report.findings)
    document = {
        "version": SCHEMA_VERSION,
        "tool": {"name": "goleaklint", "version": report.tool_version},
        "columns": "unicode-code-points",
        "findings": [_finding(f, slugs) for f in report.findings],
        "suppressed": [_finding(f, slugs) for f in report.suppressed],
        "notifications": [
            {"path": n.path, "line": n.line, "kind": n.kind.value, "message": n.message, "rule": n.rule_id}
            for n in report.notifications
        ],
        "summary": {
            "files": report.files_scanned,
            "findings": len(report.findings),
            "suppressed": len(report.suppressed),
            "hidden_notes": report.hidden_notes,
            "hidden_medium_precision": report.hidden_medium,
            "by_rule": {rule_id: counts[rule_id] for rule_id in sorted(counts)},
            **{key: value for key, value in sorted(report.extra.items())},
        },
    }
    if report.statistics:  # most frequent first, as in the text table; ties by id
        document["statistics"] = [
            {"rule": rule_id, "slug": slugs.get(rule_id, ""), "count": count}
            for rule_id, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
    if report.runtime is not None:
        from ..evidence.summary import summary_data

        document["runtime"] = summary_data(report.runtime)
    json.dump(document, out, indent=2, ensure_ascii=False)
    out.write("\n")
