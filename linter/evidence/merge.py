"""Merges runtime evidence into the findings of a lint run.

- A static finding on a line where goroutines are parked or made (or, for a growth rule, on the
  call path of an allocation site that grew) carries the evidence in its message and in its
  `properties`, and is raised to error when the evidence is proof (the leak profile, goleak) or
  reaches a warning threshold (thresholds.py): production says the leak is real. A handful of
  goroutines in a plain dump is carried without changing the level.
- A parked site no finding covers becomes a GL601 runtime-parked-goroutines finding, its level
  from the evidence (thresholds.py); a growing allocation site none covers, a GL602
  runtime-heap-growth finding at warning. Each says which static rule would have caught it, or that
  none does.

These findings are made here, after the rules ran, rather than by GL601's and GL602's own checks:
the evidence belongs to the run, not to a file, so a check would need it shipped to every worker and
folded into every cache key, and it needs the other rules' findings to know what is covered. The
rule modules hold the metadata and the docs; their checks report nothing from source alone.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..engine import LintResult
from ..fingerprint import with_fingerprints
from ..rule import Finding, Severity
from ..source import SourceFile, new_parser
from ..suppress import parse_suppressions
from .heap import HeapProfile
from .mapping import FrameMapper, Where, split_function
from .sites import GoroutineEvidence, GoroutineSite, short_function
from .thresholds import Thresholds

PARKED_RULE = "GL601"
HEAP_RULE = "GL602"
GROWTH_RULES = ("GL201", "GL202", "GL203")

# Which static rule looks for goroutines waiting in each state, and what it needs to see them.
_SAME_FUNCTION = "it follows only channels made in the function that starts the goroutine"
_COVERING_RULE = {
    "chan send": ("GL101", "goroutine-blocked-send", _SAME_FUNCTION),
    "chan receive": ("GL102", "goroutine-blocked-receive", _SAME_FUNCTION),
    "chan receive (nil chan)": ("GL102", "goroutine-blocked-receive", "a nil channel is out of its reach"),
    "select": ("GL103", "goroutine-without-exit",
               "it looks for loops with no way out, not for a select whose cases never come"),
    "sleep": ("GL104", "handler-goroutine-detached", "it looks only at goroutines that HTTP handlers start"),
}
_NO_RULE = {
    "sync.Mutex.Lock": "no static rule looks for a lock that is never released",
    "sync.RWMutex.Lock": "no static rule looks for a lock that is never released",
    "sync.RWMutex.RLock": "no static rule looks for a lock that is never released",
    "semacquire": "no static rule looks for a lock or semaphore that is never released",
    "sync.WaitGroup.Wait": "no static rule looks for a WaitGroup whose count never reaches zero",
    "sync.Cond.Wait": "no static rule looks for a condition that is never signalled",
    "IO wait": "no static rule looks for connections that are never closed or read to the end",
}


@dataclass
class HeapSite:
    path: str
    line: int
    function: str
    bytes_before: float = 0.0
    bytes_after: float = 0.0
    objects_before: float = 0.0
    objects_after: float = 0.0
    call_path: set[tuple[str, int, str]] = field(default_factory=set)  # (path, line, function) in the tree

    @property
    def growth_bytes(self) -> float:
        return self.bytes_after - self.bytes_before

    @property
    def growth_objects(self) -> float:
        return self.objects_after - self.objects_before


@dataclass
class RuntimeSummary:
    """What the reporters show besides the findings."""

    goroutines: GoroutineEvidence | None = None
    heap_files: list[tuple[str, str]] = field(default_factory=list)  # (name, format)
    heap_sites: list[HeapSite] = field(default_factory=list)  # growing, largest first
    heap_unmatched: Counter = field(default_factory=Counter)
    attached: int = 0  # static findings that carry evidence
    runtime_only: int = 0  # GL601/GL602 findings made


def human_bytes(value: float) -> str:
    sign = "+" if value >= 0 else "-"
    value = abs(value)
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{sign}{value:.0f} {unit}" if unit == "B" else f"{sign}{value:.1f} {unit}"
        value /= 1000
    return f"{sign}{value:.1f} GB"


def human_count(value: float) -> str:
    sign = "+" if value >= 0 else "-"
    value = abs(value)
    if value >= 1e6:
        return f"{sign}{value / 1e6:.1f}M"
    if value >= 1e4:
        return f"{sign}{value / 1e3:.0f}k"
    return f"{sign}{value:.0f}"


def goroutine_level(site: GoroutineSite, thresholds: Thresholds) -> Severity | None:
    """The level of the site's evidence; None for a dump site too small to be a finding."""
    if site.proof:
        return Severity.ERROR
    waited = (site.longest_wait or 0) >= thresholds.warning_minutes
    if site.count >= thresholds.warning_count or waited:
        return Severity.WARNING
    if site.count >= thresholds.min_count:
        return Severity.NOTE
    return None


def describe_goroutines(site: GoroutineSite, role: str) -> str:
    """"7 goroutines parked here (chan send) in Go's goroutine leak profile, the longest for 43 minutes"."""
    noun = "goroutine" if site.count == 1 else "goroutines"
    states = ", ".join(state for state, _ in site.states.most_common())
    where = "in Go's goroutine leak profile" if site.proof else "in the goroutine dump"
    if site.proof and any("goleak" in source for source in site.sources):
        where = "in the leak reports"
    text = f"{site.count} {noun} {role} here" + (f" ({states})" if states else "") + f" {where}"
    if site.longest_wait:
        text += f", the longest for {site.longest_wait} minute{'s' if site.longest_wait != 1 else ''}"
    return text


def _goroutine_properties(site: GoroutineSite, role: str) -> dict:
    props: dict = {
        "role": role,
        "goroutines": site.count,
        "states": dict(sorted(site.states.items())),
        "leakProfile": site.proof,
        "sources": list(site.sources),
        "function": site.function,
    }
    if site.longest_wait is not None:
        props["longestWaitMinutes"] = site.longest_wait
    if site.created_at:
        props["createdAt"] = [f"{p}:{l}" for (p, l), _ in sorted(site.created_at.items())]
    return props


def _growth_properties(sites: list[HeapSite]) -> dict:
    return {
        "inuseBytesGrowth": round(sum(s.growth_bytes for s in sites)),
        "inuseObjectsGrowth": round(sum(s.growth_objects for s in sites)),
        "allocationSites": [f"{s.path}:{s.line}" for s in sites],
    }


def describe_growth(sites: list[HeapSite], here: bool = False) -> str:
    """"+9.8 MB, +600 objects in use between the heap profiles, allocated at store.go:23"."""
    size = sum(s.growth_bytes for s in sites)
    objects = sum(s.growth_objects for s in sites)
    where = "here" if here else "at " + ", ".join(f"{Path(s.path).name}:{s.line}" for s in sites)
    return f"{human_bytes(size)}, {human_count(objects)} objects in use between the heap profiles, allocated {where}"


def heap_growth(base: HeapProfile, later: HeapProfile, mapper: FrameMapper) -> tuple[list[HeapSite], Counter]:
    """In-use growth per allocation site: the innermost frame of each stack in the tree."""
    sites: dict[tuple[str, int], HeapSite] = {}
    unmatched: dict[str, set] = {}
    for profile, after in ((base, False), (later, True)):
        for record in profile.records:
            site: HeapSite | None = None
            path: list[tuple[str, int, str]] = []
            for frame in record.frames:
                mapped = mapper.map(frame)
                if mapped.where is Where.UNMATCHED:
                    unmatched.setdefault(mapped.reason, set()).add(frame)
                if mapped.where is not Where.TREE:
                    continue
                path.append((mapped.path, mapped.line, frame.function))
                if site is None:
                    key = (mapped.path, mapped.line)
                    site = sites.get(key) or sites.setdefault(key, HeapSite(mapped.path, mapped.line, frame.function))
            if site is None:
                continue
            site.call_path.update(path)
            if after:
                site.bytes_after += record.inuse_bytes
                site.objects_after += record.inuse_objects
            else:
                site.bytes_before += record.inuse_bytes
                site.objects_before += record.inuse_objects
    return list(sites.values()), Counter({reason: len(frames) for reason, frames in unmatched.items()})


def apply_evidence(
    result: LintResult,
    mapper: FrameMapper,
    rule_ids: set[str],
    thresholds: Thresholds,
    goroutines: GoroutineEvidence | None = None,
    heap: tuple[HeapProfile, HeapProfile] | None = None,
    heap_files: list[tuple[str, str]] | None = None,
) -> tuple[LintResult, RuntimeSummary]:
    """The merged result (a new LintResult) and what the reporters summarise."""
    summary = RuntimeSummary(goroutines=goroutines, heap_files=list(heap_files or ()))
    findings = list(result.findings)
    suppressed = list(result.suppressed)
    made: list[Finding] = []

    if goroutines is not None:
        covered: set[tuple[str, int]] = set()
        for table, role in ((goroutines.parked, "parked"), (goroutines.created, "started")):
            for site in table.values():
                if role == "parked" and not site.parked_here:
                    continue  # parked outside the tree: its creation site speaks for it
                level = goroutine_level(site, thresholds)
                hits = _attach(findings, suppressed, site.path, site.line, describe_goroutines(site, role),
                               {"goroutines": _goroutine_properties(site, role)},
                               raise_to_error=level in (Severity.ERROR, Severity.WARNING))
                summary.attached += hits
                if hits:
                    covered.add(site.key)
        if PARKED_RULE in rule_ids:
            for site in goroutines.sites_by_count():
                # A finding on the `go` statement that started them speaks for them too (GL104).
                if site.key in covered or any(made in covered for made in site.created_at):
                    continue
                level = goroutine_level(site, thresholds)
                if level is None:
                    continue  # listed in the summary only
                role = "parked" if site.parked_here else "started (and parked outside the tree)"
                message = describe_goroutines(site, role) + "; " + _which_rule(site.state, rule_ids)
                if site.created_at and site.parked_here:
                    made_at = ", ".join(f"{Path(p).name}:{l}" for (p, l), _ in sorted(site.created_at.items()))
                    message += f"; started at {made_at}"
                made.append(_runtime_finding(mapper, PARKED_RULE, site.path, site.line, site.function, message,
                                             level,
                                             {"goroutines": _goroutine_properties(site, role)}))

    if heap is not None:
        sites, summary.heap_unmatched = heap_growth(heap[0], heap[1], mapper)
        growing = sorted((s for s in sites if s.growth_bytes >= thresholds.heap_growth_bytes),
                         key=lambda s: (-s.growth_bytes, s.path, s.line))
        summary.heap_sites = growing
        by_finding: dict[int, list[HeapSite]] = {}
        pool = findings + suppressed
        uncovered: list[HeapSite] = []
        for site in growing:
            linked = [i for i, f in enumerate(pool) if f.rule_id in GROWTH_RULES and _on_call_path(f, site, mapper)]
            for i in linked:
                by_finding.setdefault(i, []).append(site)
            if not linked:
                uncovered.append(site)
        for i, linked_sites in by_finding.items():
            finding = pool[i]
            new = _with_evidence(finding, describe_growth(linked_sites), {"heap": _growth_properties(linked_sites)})
            if i < len(findings):
                findings[i] = new
            else:
                suppressed[i - len(findings)] = new
            summary.attached += 1
        if HEAP_RULE in rule_ids:
            for site in uncovered:
                message = (f"{describe_growth([site], here=True)} by {short_function(site.function)}; "
                           f"no static rule reports it: GL201, GL202 and GL203 "
                           f"follow package-level maps and slices and slices captured by closures")
                made.append(_runtime_finding(mapper, HEAP_RULE, site.path, site.line, site.function, message,
                                             Severity.WARNING, {"heap": _growth_properties([site])}))

    merged = LintResult(findings=findings, suppressed=suppressed, notifications=list(result.notifications),
                        files_scanned=result.files_scanned)
    _add_made(merged, made, mapper)
    summary.runtime_only = sum(1 for f in merged.findings if f.rule_id in (PARKED_RULE, HEAP_RULE))
    merged.sort()
    return merged, summary


def _which_rule(state: str, rule_ids: set[str]) -> str:
    if state in _COVERING_RULE:
        rule_id, slug, gap = _COVERING_RULE[state]
        if rule_id not in rule_ids:
            return f"{rule_id} {slug} looks for this shape but did not run"
        return f"{rule_id} {slug} looks for this shape but does not report this line: {gap}"
    if not state:
        return "the profile does not say what they wait for, so no static rule can be named"
    return _NO_RULE.get(state, "no static rule looks for goroutines waiting like this")


def _attach(findings: list[Finding], suppressed: list[Finding], path: str, line: int, text: str,
            properties: dict, raise_to_error: bool) -> int:
    hits = 0
    for pool in (findings, suppressed):
        for i, finding in enumerate(pool):
            if finding.path == path and finding.line <= line <= finding.end_line \
                    and finding.rule_id not in (PARKED_RULE, HEAP_RULE):
                pool[i] = _with_evidence(finding, text, properties, raise_to_error)
                hits += 1
    return hits


def _with_evidence(finding: Finding, text: str, properties: dict, raise_to_error: bool = True) -> Finding:
    merged = dict(finding.properties)
    for key, value in properties.items():
        if key in merged and isinstance(merged[key], dict):
            continue  # the first evidence of a kind stays; a finding is on one line
        merged[key] = value
    message = finding.message if text in finding.message else f"{finding.message}; in production: {text}"
    severity = Severity.ERROR if raise_to_error else finding.severity
    return replace(finding, message=message, severity=severity, properties=tuple(sorted(merged.items())))


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _on_call_path(finding: Finding, site: HeapSite, mapper: FrameMapper) -> bool:
    """A growth finding covers an allocation site when its line is on the site's call path, or when
    the collection it names is used by a function on that path in its own package: `sessions[id] = s`
    in Login keeps what Login allocated."""
    if any(path == finding.path and finding.line <= line <= finding.end_line for path, line, _ in site.call_path):
        return True
    name = _NAME.search(finding.source_line, max(finding.column - 1, 0))
    if name is None or name.group() in ("var", "func"):
        return False
    package_dir = str(Path(finding.path).parent)
    for path, line, _function in site.call_path:
        if str(Path(path).parent) == package_dir and name.group() in mapper.identifiers_of_function(path, line):
            return True
    return False


def context_name(function: str) -> str:
    """A Go symbol as goleaklint names functions: `(*notifier).publish` -> `notifier.publish`."""
    _package, rest = split_function(function)
    rest = re.sub(r"\[[^\]]*\]", "", rest)
    rest = re.sub(r"^\(\*?([^)]*)\)", r"\1", rest)
    return re.sub(r"\.(?:gowrap|deferwrap)[0-9]+$", "", rest)


def _runtime_finding(mapper: FrameMapper, rule_id: str, path: str, line: int, function: str, message: str,
                     level: Severity, properties: dict) -> Finding:
    text = mapper.line_text(path, line)
    stripped = text.rstrip()
    column = len(text) - len(text.lstrip()) + 1
    end = max(len(stripped) + 1, column)
    # A trailing comment is not part of the statement that waits.
    comment = stripped.find("//", column - 1)
    if comment > column - 1:
        end = len(stripped[:comment].rstrip()) + 1
    return Finding(
        path=path, line=line, column=column, end_line=line, end_column=end, rule_id=rule_id, message=message,
        severity=level, column_utf16=_utf16(text, column), end_column_utf16=_utf16(text, end),
        context=context_name(function), source_line=text, properties=tuple(sorted(properties.items())),
    )


def _utf16(text: str, column: int) -> int:
    return len(text[: column - 1].encode("utf-16-le")) // 2 + 1


def _add_made(result: LintResult, made: list[Finding], mapper: FrameMapper) -> None:
    """Fingerprints and inline suppressions, as the engine gives every finding."""
    from ..registry import all_rules

    known_ids = frozenset(rm.rule.id for rm in all_rules())
    by_path: dict[str, list[Finding]] = {}
    for finding in made:
        by_path.setdefault(finding.path, []).append(finding)
    for path, items in sorted(by_path.items()):
        try:
            raw = mapper.files[path].read_bytes()
        except OSError:
            continue
        source = SourceFile(mapper.files[path], path, raw, new_parser(), lazy=True)
        suppressions, _notes = parse_suppressions(source, known_ids)
        for finding in with_fingerprints(sorted(set(items)), source.data, bom=source.has_bom):
            finding = _with_bytes(finding, source)
            reason = suppressions.reason_for(finding.rule_id, finding.line)
            if reason is None:
                result.findings.append(finding)
            else:
                result.suppressed.append(replace(finding, suppressed=reason))


def _with_bytes(finding: Finding, source: SourceFile) -> Finding:
    start = source.line_starts[finding.line - 1]
    line = source.line_bytes(finding.line).decode("utf-8", "replace")
    return replace(finding, byte_start=start + len(line[: finding.column - 1].encode("utf-8")),
                   byte_end=start + len(line[: finding.end_column - 1].encode("utf-8")))
