"""Runs the rules over packages, in worker processes, and gathers plain findings.

Per file: read once, parse once, one run of one combined tree-sitter query for every rule (in C),
then each rule's `check` gets its own captures. Per package: `check_package` sees every file.
A rule that raises becomes an internal-error notification; every other rule and file goes on.
Workers return findings and notifications, never trees.
"""

from __future__ import annotations

import os
import re
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from tree_sitter import Node, Query, QueryCursor

from .config import Config
from .context import FileContext, PackageContext
from .discover import PackageJob
from .fingerprint import with_fingerprints
from .registry import RuleModule, all_rules
from .rule import Finding, Notification, NotificationKind, Severity
from .source import GO, SourceFile, new_parser
from .suppress import parse_suppressions

_GENERATED = re.compile(rb"^// Code generated .* DO NOT EDIT\.\r?$", re.M)
_CAPTURE = re.compile(r"@([A-Za-z_][\w.-]*)")


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    files_scanned: int = 0

    def extend(self, other: "LintResult") -> None:
        self.findings += other.findings
        self.suppressed += other.suppressed
        self.notifications += other.notifications
        self.files_scanned += other.files_scanned

    def sort(self) -> None:
        self.findings.sort()
        self.suppressed.sort()
        self.notifications = sorted(set(self.notifications))


@dataclass(frozen=True)
class RunOptions:
    """What a worker needs to know; picklable."""

    rule_ids: tuple[str, ...]
    root: str
    severity: tuple[tuple[str, Severity], ...] = ()


def selected_rules(config: Config, select: list[str] | None = None, ignore: list[str] | None = None) -> list[RuleModule]:
    chosen = select if select is not None else config.select
    ignored = set(config.ignore) | set(ignore or ())
    return [rm for rm in all_rules() if (chosen is None or rm.rule.id in chosen) and rm.rule.id not in ignored]


def lint(jobs: list[PackageJob], options: RunOptions, processes: int = 1) -> LintResult:
    result = LintResult()
    if processes <= 1 or len(jobs) <= 1:
        for job in jobs:
            result.extend(lint_package(job, options))
    else:
        batches = _batches(jobs, processes)
        with ProcessPoolExecutor(max_workers=min(processes, len(batches))) as pool:
            for part in pool.map(_lint_batch, batches, [options] * len(batches)):
                result.extend(part)
    result.sort()
    return result


def _batches(jobs: list[PackageJob], processes: int, files_per_batch: int = 40) -> list[list[PackageJob]]:
    """Batches of whole packages, a few dozen files each: one pickle round trip per batch, yet
    enough batches that the processes finish together."""
    total = sum(len(j.files) for j in jobs)
    target = max(1, min(files_per_batch, total // (processes * 4) or 1))
    batches: list[list[PackageJob]] = [[]]
    count = 0
    for job in jobs:
        if count >= target:
            batches.append([])
            count = 0
        batches[-1].append(job)
        count += len(job.files)
    return batches


def _lint_batch(batch: list[PackageJob], options: RunOptions) -> LintResult:
    result = LintResult()
    for job in batch:
        result.extend(lint_package(job, options))
    return result


@lru_cache(maxsize=8)
def _compiled(rule_ids: tuple[str, ...]) -> tuple[list[RuleModule], Query | None]:
    """The rules and one combined query whose capture names are prefixed `GLnnn.`."""
    modules = [rm for rm in all_rules() if rm.rule.id in rule_ids]
    parts = []
    for rm in modules:
        if rm.query:
            prefix = rm.rule.id
            text = _CAPTURE.sub(lambda m: f"@{prefix}.{m.group(1)}", rm.query)
            try:
                Query(GO, text)
            except Exception as exc:  # a broken rule query is a bug in that rule: name it
                raise RuntimeError(f"{rm.rule.id} {rm.rule.slug}: invalid tree-sitter query: {exc}") from exc
            parts.append(text)
    return modules, (Query(GO, "\n".join(parts)) if parts else None)


@lru_cache(maxsize=1)
def _parser():
    return new_parser()


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def lint_package(job: PackageJob, options: RunOptions) -> LintResult:
    result = LintResult()
    modules, query = _compiled(options.rule_ids)
    known_ids = frozenset(rm.rule.id for rm in all_rules())
    root = Path(options.root)
    severity = dict(options.severity)
    sources: list[tuple[SourceFile, bool]] = []  # (file, reported)
    for path in job.files:
        relpath = _relpath(path, root)
        reported = path in job.report
        try:
            raw = path.read_bytes()
        except OSError as exc:
            if reported:
                result.notifications.append(
                    Notification(relpath, 1, NotificationKind.IO_ERROR, f"cannot read file: {exc.strerror or exc}")
                )
            continue
        source = SourceFile(path, relpath, raw, _parser())
        if reported and _is_generated(source):
            reported = False  # context for package rules, never reported
        sources.append((source, reported))
        if reported:
            result.files_scanned += 1
            if source.has_errors:
                result.notifications.append(
                    Notification(relpath, source.first_error_line(), NotificationKind.SYNTAX,
                                 "syntax error: linted as far as the parse allows")
                )

    # Files of one directory may belong to two packages (`foo` and `foo_test`).
    by_package: dict[str, list[tuple[SourceFile, bool]]] = {}
    for source, reported in sources:
        by_package.setdefault(_package_name(source), []).append((source, reported))

    for _name, members in sorted(by_package.items()):
        scope: dict[str, tuple[str, Node]] = {}
        contexts = []
        for source, reported in members:
            ctx = FileContext(source, job.go_version, scope, severity)
            for name, node in ctx.model.top_level_names.items():
                scope.setdefault(name, (source.relpath, node))
            contexts.append((ctx, reported))
        raw_findings: dict[str, list[Finding]] = {}
        for ctx, reported in contexts:
            if reported:
                raw_findings[ctx.relpath] = _run_file_rules(ctx, modules, query, result)
        report_paths = frozenset(ctx.relpath for ctx, reported in contexts if reported)
        if report_paths:
            pkg = PackageContext(_relpath(job.directory, root) or ".", [c for c, _ in contexts], report_paths,
                                 job.go_version, scope)
            for rm in modules:
                if rm.check_package is None:
                    continue
                try:
                    for finding in rm.check_package(pkg):
                        if finding.path in report_paths:
                            raw_findings.setdefault(finding.path, []).append(finding)
                except Exception as exc:
                    result.notifications.append(_crash(rm, pkg.directory, exc))
        for ctx, reported in contexts:
            findings = raw_findings.get(ctx.relpath)
            if not reported or not findings:
                if reported:
                    _, notes = parse_suppressions(ctx.source, known_ids)
                    result.notifications += notes
                continue
            suppressions, notes = parse_suppressions(ctx.source, known_ids)
            result.notifications += notes
            for finding in with_fingerprints(sorted(set(findings)), ctx.source.data, bom=ctx.source.has_bom):
                reason = suppressions.reason_for(finding.rule_id, finding.line)
                if reason is None:
                    result.findings.append(finding)
                else:
                    result.suppressed.append(_with(finding, suppressed=reason))
    return result


def _run_file_rules(ctx: FileContext, modules: list[RuleModule], query: Query | None, result: LintResult) -> list[Finding]:
    findings: list[Finding] = []
    captures: dict[str, list[Node]] = {}
    if query is not None:
        captures = QueryCursor(query).captures(ctx.source.root)
    model = ctx.model
    for rm in modules:
        if rm.check is None:
            continue
        needs = rm.requires_imports
        if needs and not any(model.imported(path) for path in needs):
            continue
        prefix = rm.rule.id + "."
        own = {
            name[len(prefix) :]: sorted(nodes, key=lambda n: (n.start_byte, -n.end_byte))
            for name, nodes in captures.items()
            if name.startswith(prefix)
        }
        if rm.query and not own:
            continue
        try:
            findings.extend(rm.check(ctx, own))
        except Exception as exc:
            result.notifications.append(_crash(rm, ctx.relpath, exc))
    return findings


def _crash(rm: RuleModule, where: str, exc: Exception) -> Notification:
    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {os.path.basename(frame.filename)}:{frame.lineno}" if frame else ""
    return Notification(
        where, 1, NotificationKind.INTERNAL_ERROR,
        f"rule {rm.rule.id} {rm.rule.slug} crashed: {type(exc).__name__}: {exc}{at}", rm.rule.id,
    )


def _package_name(source: SourceFile) -> str:
    for child in source.root.named_children:
        if child.type == "package_clause":
            for sub in child.named_children:
                return source.text(sub)
    return ""


def _is_generated(source: SourceFile) -> bool:
    """Go's convention: a `// Code generated ... DO NOT EDIT.` line before the package clause."""
    head_end = len(source.data)
    for child in source.root.children:
        if child.type == "package_clause":
            head_end = child.start_byte
            break
    return _GENERATED.search(source.data, 0, head_end) is not None


def _with(finding: Finding, **changes) -> Finding:
    return replace(finding, **changes)
