"""SARIF 2.1.0, shaped for GitHub code scanning.

What GitHub does with each part decides its shape:

- Paths are relative to the repository root under ``%SRCROOT%`` and percent-encoded, written the same
  way every run (``pkg/x.go``): GitHub ties alerts to files by that text.
- ``partialFingerprints.primaryLocationLineHash`` is what GitHub matches alerts by across pushes; it is
  computed as the upload action computes it (see `goleaklint.fingerprint`), so an upload through the
  REST API, which computes nothing, matches alerts from the action. ``goleaklint/v1`` is our own key.
- Suppressed findings are left out unless asked for: code scanning ignores SARIF ``suppressions`` and
  would open them as alerts.
- ``automationDetails.id`` is written only for ``--sarif-category``: an id in the file overrides the
  upload action's ``category`` input, so writing one by default would silently merge runs.
- Columns count UTF-16 code units (``columnKind``), the unit GitHub and most SARIF viewers use.

The output is deterministic: same findings, same bytes (no timestamps, no absolute paths).
"""

from __future__ import annotations

import json
from typing import TextIO
from urllib.parse import quote

from ..fingerprint import CONTEXT_KEY, context_key
from ..rule import Finding, Notification, NotificationKind, Rule
from ..ruledocs import rule_markdown
from . import Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/goleaklint/goleaklint"
SRCROOT = "%SRCROOT%"


def _uri(path: str) -> str:
    """A relative URI reference for a posix path: spaces, `%`, `#`, `?` and non-ASCII encoded."""
    return quote(path, safe="/-._~!$&'()*+,;=:@")


def _sentence(text: str) -> str:
    """SARIF's guidance (and GitHub's rendering) expects plain-text messages as sentences."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def _plain_help(rule: Rule) -> str:
    docs = rule.docs
    parts = [
        docs.what.strip(),
        "Why: " + docs.why.strip(),
        "Example:\n" + docs.example.strip("\n"),
        "Use instead:\n" + docs.use_instead.strip("\n"),
        "Known limits: " + docs.limits.strip(),
    ]
    if docs.references:
        parts.append("References:\n" + "\n".join(docs.references))
    return "\n\n".join(parts)


def _rule(rule: Rule) -> dict:
    properties: dict = {"precision": rule.precision}
    if rule.tags:
        properties["tags"] = list(rule.tags)
    if rule.security_severity is not None:
        properties["security-severity"] = rule.security_severity
    return {
        "id": rule.id,
        "name": rule.slug,
        "shortDescription": {"text": _sentence(rule.title)},
        "fullDescription": {"text": _sentence(rule.docs.what)},
        "help": {"text": _plain_help(rule), "markdown": rule_markdown(rule, heading="##")},
        "helpUri": rule.help_uri,
        "defaultConfiguration": {"level": rule.severity.value},
        "properties": properties,
    }


def _region(finding: Finding) -> dict:
    start = finding.column_utf16 or finding.column
    end = finding.end_column_utf16 or finding.end_column
    region = {"startLine": finding.line, "startColumn": max(start, 1), "endLine": finding.end_line}
    # An empty span on one line (end == start) says nothing a start position does not; leave it out.
    if finding.end_line > finding.line or end > start:
        region["endColumn"] = end
    return region


def _result(finding: Finding, rule_index: dict[str, int]) -> dict:
    message = _sentence(finding.message)
    if finding.fix:
        message += " Fix: " + _sentence(finding.fix)
    fingerprints = dict(finding.fingerprints)
    fingerprints.setdefault(CONTEXT_KEY, context_key(finding.rule_id, finding.context, finding.source_line))
    result: dict = {"ruleId": finding.rule_id}
    if finding.rule_id in rule_index:
        result["ruleIndex"] = rule_index[finding.rule_id]
    result["level"] = finding.severity.value
    result["message"] = {"text": message}
    location: dict = {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(finding.path), "uriBaseId": SRCROOT},
            "region": _region(finding),
        }
    }
    if finding.context:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.context, "kind": "function"}]
    result["locations"] = [location]
    result["partialFingerprints"] = dict(sorted(fingerprints.items()))
    properties: dict = {}
    if finding.lifetime is not None:
        # How often the code runs, from the module model: what decided the level.
        properties["lifetime"] = finding.lifetime
    if finding.kind:
        # The kind of finding the rule measures apart (its label may differ from the rule's).
        properties["kind"] = finding.kind
    if finding.properties:
        # Runtime evidence (goroutines parked here, heap growth), under our own key as SARIF asks.
        properties["goleaklint/runtime"] = dict(finding.properties)
    if properties:
        result["properties"] = properties
    if finding.suppressed is not None:
        suppression: dict = {"kind": "inSource", "status": "accepted"}
        if finding.suppressed:
            suppression["justification"] = finding.suppressed
        result["suppressions"] = [suppression]
    return result


def _notification(note: Notification, rule_index: dict[str, int]) -> dict:
    entry: dict = {
        "level": note.level,
        "message": {"text": _sentence(note.message)},
        "descriptor": {"id": note.kind.value},
    }
    path = note.path.strip("/")
    if path and path != ".":
        artifact = {"uri": _uri(path if path.endswith(".go") else path + "/"), "uriBaseId": SRCROOT}
        physical: dict = {"artifactLocation": artifact}
        # A line only where it means something: the place of a syntax error or of a directive.
        if note.kind in (NotificationKind.SYNTAX, NotificationKind.DIRECTIVE) and note.line > 0:
            physical["region"] = {"startLine": note.line}
        entry["locations"] = [{"physicalLocation": physical}]
    if note.rule_id is not None and note.rule_id in rule_index:
        entry["associatedRule"] = {"id": note.rule_id, "index": rule_index[note.rule_id]}
    return entry


def sarif_log(report: Report) -> dict:
    """The SARIF document as plain data (what `render` writes)."""
    rules = sorted(report.rules, key=lambda rule: rule.id)
    rule_index = {rule.id: i for i, rule in enumerate(rules)}
    findings = list(report.findings)
    if report.sarif_include_suppressed:
        findings = sorted(findings + list(report.suppressed))
    run: dict = {
        "tool": {
            "driver": {
                "name": "goleaklint",
                "version": report.tool_version,
                "semanticVersion": report.tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_rule(rule) for rule in rules],
            }
        },
        "invocations": [
            {
                "executionSuccessful": not any(note.is_error for note in report.notifications),
                "toolExecutionNotifications": [_notification(n, rule_index) for n in report.notifications],
            }
        ],
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The directory goleaklint ran in: the root of the repository."}}
        },
        "results": [_result(finding, rule_index) for finding in findings],
        "columnKind": "utf16CodeUnits",
    }
    if report.runtime is not None:
        from ..evidence.summary import summary_data

        run["properties"] = {"goleaklint/runtime": summary_data(report.runtime)}
    if report.sarif_category:
        # As the upload action does with its `category` input: the category is what precedes the
        # last slash, so without one the whole name would be taken as a run id.
        category = report.sarif_category
        run["automationDetails"] = {"id": category if category.endswith("/") else category + "/"}
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(report: Report, out: TextIO) -> None:
    json.dump(sarif_log(report), out, indent=2, ensure_ascii=False)
    out.write("\n")
