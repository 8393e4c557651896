"""Baselines: accept today's findings, report only new ones.

A baseline entry is keyed on what survives unrelated edits: rule id, path, enclosing function and the
finding's source line with its whitespace collapsed. Line numbers are left out on purpose, so inserting
lines above a finding, or reindenting it, does not resurrect it. Function literals are keyed on their
outermost named function ("serve.func2" -> "serve"), because adding a closure above another renumbers
it. Identical keys (the same line twice in one function) carry a count, and only that many findings
are absorbed: a third copy of a twice-baselined line is new.

The file format (documented in docs/adoption.md) is versioned JSON, written with sorted entries and
fixed formatting so that the same findings always give the same bytes and review diffs stay small.
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .config import ConfigError
from .patterns import LazyPattern
from .rule import Finding

FORMAT_VERSION = 1

_LITERAL_SUFFIX = LazyPattern(r"(?:\.func[0-9]+)+$")

Key = tuple[str, str, str, str]  # (path, rule id, function, normalised line)


def finding_key(finding: Finding, path: str | None = None) -> Key:
    """`path` is the finding's path as the baseline file spells it (see `BaselinePaths`)."""
    function = _LITERAL_SUFFIX.sub("", finding.context)
    return (finding.path if path is None else path, finding.rule_id, function, " ".join(finding.source_line.split()))


@dataclass(frozen=True)
class BaselinePaths:
    """Paths in a baseline are relative to the file's own directory, posix. Kept at the repository root,
    that is the root-relative path every report shows; and it still matches when goleaklint runs from a
    subdirectory, or with a baseline kept elsewhere in the tree (`ci/` gives `../svc/x.go`)."""

    root: Path  # the report root findings are relative to, resolved
    directory: Path  # the baseline file's directory, resolved

    @classmethod
    def of(cls, baseline_file: Path, root: Path) -> "BaselinePaths":
        return cls(root.resolve(), baseline_file.resolve().parent)

    def key(self, report_path: str) -> str:
        absolute = Path(report_path) if Path(report_path).is_absolute() else self.root / report_path
        return Path(os.path.relpath(absolute, self.directory)).as_posix()


@dataclass
class Baseline:
    counts: Counter  # Key -> how many findings it absorbs

    @classmethod
    def from_findings(cls, findings: list[Finding], paths: BaselinePaths | None = None) -> "Baseline":
        return cls(Counter(finding_key(f, paths.key(f.path) if paths else None) for f in findings))

    @classmethod
    def load(cls, path: Path) -> "Baseline":
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ConfigError(f"{path}: a baseline is UTF-8 JSON") from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
        if not isinstance(document, dict) or document.get("tool") != "goleaklint":
            raise ConfigError(f"{path}: not a goleaklint baseline (write one with --write-baseline)")
        if document.get("version") != FORMAT_VERSION:
            raise ConfigError(
                f"{path}: baseline format version {document.get('version')!r} is not supported "
                f"(this goleaklint reads version {FORMAT_VERSION}; rewrite it with --write-baseline)"
            )
        entries = document.get("findings")
        if not isinstance(entries, list):
            raise ConfigError(f"{path}: a baseline has a \"findings\" list")
        counts: Counter = Counter()
        for index, entry in enumerate(entries):
            try:
                key = (entry["path"], entry["rule"], entry["function"], " ".join(entry["line"].split()))
                count = entry.get("count", 1)
                if not all(isinstance(part, str) for part in key) or not isinstance(count, int) or count < 1:
                    raise TypeError
            except (KeyError, TypeError, AttributeError):
                raise ConfigError(
                    f"{path}: findings[{index}] needs string \"rule\", \"path\", \"function\", \"line\" "
                    f"and a positive integer \"count\""
                ) from None
            counts[key] += count
        return cls(counts)

    def dumps(self) -> str:
        entries = [
            {"rule": rule_id, "path": path, "function": function, "line": line, "count": count}
            for (path, rule_id, function, line), count in sorted(self.counts.items())
        ]
        document = {"tool": "goleaklint", "version": FORMAT_VERSION, "findings": entries}
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"

    def write(self, path: Path) -> None:
        """Replace the file atomically: an interrupted run never leaves half a baseline behind."""
        import tempfile  # only writing a baseline needs it: 14 ms of imports for every other run

        directory = path.parent if str(path.parent) else Path(".")
        try:
            fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                    handle.write(self.dumps())
                os.replace(temp, path)
            except BaseException:
                os.unlink(temp)
                raise
        except OSError as exc:
            raise ConfigError(f"cannot write baseline {path}: {exc.strerror or exc}") from None

    def absorb(self, findings: list[Finding], paths: BaselinePaths | None = None) -> tuple[list[Finding], int, Counter]:
        """Split findings into those still reported and a count of those the baseline absorbed;
        also return what is left of the baseline (entries no finding matched)."""
        remaining = Counter(self.counts)
        reported: list[Finding] = []
        absorbed = 0
        for finding in findings:  # sorted: with one entry for two findings, the later one is new
            key = finding_key(finding, paths.key(finding.path) if paths else None)
            if remaining[key] > 0:
                remaining[key] -= 1
                absorbed += 1
            else:
                reported.append(finding)
        return reported, absorbed, +remaining


def apply_baseline(findings: list[Finding], baseline: Baseline, rule_ids: set[str], scanned_paths: set[str],
                   paths: BaselinePaths) -> tuple[list[Finding], dict[str, int]]:
    """Filter findings through the baseline; return those to report and the summary counts.

    An unmatched entry is stale only when this run could have matched it: its rule ran and its file was
    linted (or no longer exists). Linting one package against a whole-repo baseline is not a reason to
    call the rest of the baseline stale.
    """
    reported, absorbed, left = baseline.absorb(findings, paths)
    scanned = {paths.key(path) for path in scanned_paths}
    stale = sum(
        count for (path, rule_id, _f, _l), count in left.items()
        if rule_id in rule_ids and (path in scanned or not (paths.directory / path).exists())
    )
    return reported, {"baselined": absorbed, "stale_in_baseline": stale}


def filter_findings(result, jobs, options, baseline: Baseline | None, baseline_file: str | None,
                    write_to: str | None, changed) -> dict[str, int]:
    """The filters that run after the engine, in order: write the baseline, apply it, keep changed lines.

    `result.findings` is replaced; notifications are untouched, so internal errors still exit 2.
    A written baseline also filters this run: what it records is accepted from now on. It is not
    written when the run had errors, since findings of a crashed rule or an unreadable file would be
    missing from it and come back as new later.
    """
    from .changes import apply_changes

    extra: dict[str, int] = {}
    if write_to is not None:
        if any(note.is_error for note in result.notifications):
            sys.stderr.write(f"goleaklint: error: not writing {write_to}: the run had errors (listed in the report)\n")
        else:
            baseline_file = write_to
            baseline = Baseline.from_findings(result.findings, BaselinePaths.of(Path(write_to), Path(options.root)))
            baseline.write(Path(write_to))
            total = sum(baseline.counts.values())
            sys.stderr.write(f"goleaklint: wrote {total} finding{'s' if total != 1 else ''} to {write_to}\n")
    if baseline is not None:
        root = Path(options.root)
        scanned = {_relpath(path, root) for job in jobs for path in job.report}
        paths = BaselinePaths.of(Path(baseline_file), root)
        result.findings, counts = apply_baseline(result.findings, baseline, set(options.rule_ids), scanned, paths)
        extra.update(counts)
    if changed is not None:
        result.findings, counts = apply_changes(result.findings, changed)
        extra.update(counts)
    return extra


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()
