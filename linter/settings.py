"""`--show-settings` and `-v`: which config applies to which packages, each module's Go version, and
how many files are linted and skipped, so "why was this (not) linted?" has an answer."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from . import __version__
from .config import Config
from .discover import DiscoveryStats, PackageJob
from .engine import selected_rules

_SHOWN_PACKAGES = 8


def _rel(path: Path | str, root: Path) -> str:
    rel = os.path.relpath(path, root)
    return Path(rel).as_posix()


def _version(version: tuple[int, int] | None) -> str:
    return f"{version[0]}.{version[1]}" if version else "unknown (treated as old)"


def describe_settings(jobs: list[PackageJob], stats: DiscoveryStats, root: Path, args: argparse.Namespace,
                      select: list[str] | None, ignore: list[str] | None, *, gitignore: bool) -> str:
    root = root.resolve()
    lines = [f"goleaklint {__version__} in {root}"]
    groups: dict[int, tuple[Config, list[PackageJob]]] = {}
    for job in jobs:
        config = job.config or Config()
        groups.setdefault(id(config), (config, []))[1].append(job)
    for config, group in groups.values():
        where = _rel(config.path, root) if config.path else "none (defaults)"
        if args.config:
            where += " (--config)"
        lines.append(f"config: {where}")
        names = [_rel(job.directory, root) for job in group]
        shown = ", ".join(names[:_SHOWN_PACKAGES]) + (f" and {len(names) - _SHOWN_PACKAGES} more"
                                                      if len(names) > _SHOWN_PACKAGES else "")
        lines.append(f"  packages ({len(names)}): {shown}")
        rules = [rm.rule.id for rm in selected_rules(config, select, ignore)]
        lines.append(f"  rules ({len(rules)}): {','.join(rules)}")
        if config.severity:
            lines.append("  severity: " + ", ".join(f"{rule}={level.value}" for rule, level in sorted(config.severity.items())))
        if config.exclude:
            lines.append(f"  exclude: {', '.join(config.exclude)} (relative to {_rel(config.base or root, root)})")
        fail_on = args.fail_on or config.fail_on.value
        notes = "shown" if args.show_notes or config.show_notes or fail_on == "note" else "hidden"
        from .cli import lints_tests

        rule_modules = selected_rules(config, select, ignore)
        tests = "skipped" if not config.tests else "linted" if lints_tests(
            rule_modules, config, args.min_precision, not args.no_lifetimes, args) else \
            "read for the call graph only (none of their findings can reach the bar)"
        lines.append(f"  tests: {tests}; fail-on: {fail_on}; notes: {notes}; "
                     f"min-precision: {args.min_precision or config.min_precision}; "
                     f"require-reason: {'yes' if config.require_reason else 'no'}")
        if config.go_version:
            lines.append(f"  go-version: {_version(config.go_version)} (config, overrides go.mod)")
    for go_mod, version in sorted(stats.go_mods.items()):
        lines.append(f"go.mod: {_rel(go_mod, root)}: go {_version(version)}")
    if not stats.go_mods:
        lines.append("go.mod: none found; Go version unknown (treated as old)")
    if not gitignore:
        lines.append("gitignore: not applied (--no-gitignore)")
    elif stats.git_roots:
        lines.append("gitignore: applied, from git's own file list in " + ", ".join(
            _rel(path, root) for path in sorted(stats.git_roots)))
    else:
        lines.append("gitignore: no git work tree here")
    files = sum(len(job.report) for job in jobs)
    context = sum(len(job.files) - len(job.report) for job in jobs)
    skipped = sum(stats.skipped.values())
    line = f"files: {files} to lint in {len(jobs)} package{'s' if len(jobs) != 1 else ''}"
    if context:
        line += f", {context} more read as context"
    if skipped:
        line += f"; {skipped} skipped (" + ", ".join(f"{count} {reason}" for reason, count in sorted(stats.skipped.items())) + ")"
    lines.append(line + "; vendor/, testdata/, node_modules/ and directories starting with . or _ are not entered")
    for path in stats.excluded_dirs:
        lines.append(f"skipped: {_rel(path, root)}/: exclude")
    for path, reason in stats.skipped_named:
        lines.append(f"skipped: {path}: {reason}")
    return "\n".join(lines) + "\n"
