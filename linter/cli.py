"""Command line: argument parsing and exit codes only.

Exit codes: 0 no findings at or above the fail level, 1 findings, 2 usage, config, I/O or internal
error (every finding that was found is still written).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TextIO

from . import __version__
from .baseline import Baseline, filter_findings
from .changes import changes_from_patch, changes_since
from .config import Config, ConfigError, find_config, load_config
from .cache import default_cache_dir
from .discover import discover, parse_shard, select_shard
from .engine import RunOptions, lint, selected_rules
from .registry import all_rules, rules_by_key
from .report import FORMATS, Report, render
from .rule import Severity

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse exits 2 as well; keep its usage line, name the tool
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"goleaklint: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="goleaklint",
        description="Find memory and goroutine leaks in Go services before production does.",
        epilog="PATH: DIR/... lints DIR recursively (default ./...), DIR that package, FILE.go that file. "
        "'goleaklint rule GL401' prints a rule's documentation.",
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help="what to lint (default: ./...)")
    parser.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout")
    parser.add_argument("--select", metavar="IDS", help="only these rules, comma-separated ids or slugs")
    parser.add_argument("--ignore", metavar="IDS", help="skip these rules, comma-separated ids or slugs")
    parser.add_argument("--config", metavar="FILE", help="config file (default: .goleaklint.toml or "
                        "[tool.goleaklint] in pyproject.toml, searched upwards from the working directory)")
    parser.add_argument("-j", "--jobs", type=int, metavar="N", default=None,
                        help="worker processes (default: number of CPUs)")
    parser.add_argument("--fail-on", choices=[s.value for s in Severity], default=None,
                        help="lowest level that makes the exit code 1 (default: warning)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--no-color", action="store_true", help="no colour (also: NO_COLOR=1)")
    parser.add_argument("--statistics", action="store_true", help="print counts by rule, most frequent first")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="text format: list each file that could not be fully parsed (default: a count)")
    adoption = parser.add_argument_group("adopting on an existing codebase (docs/adoption.md)")
    adoption.add_argument("--baseline", metavar="FILE", help="do not report findings recorded in FILE")
    adoption.add_argument("--write-baseline", metavar="FILE", help="record the current findings in FILE")
    changed = adoption.add_mutually_exclusive_group()
    changed.add_argument("--new-from-rev", metavar="REV", help="only report findings on lines changed since git REV")
    changed.add_argument("--new-from-patch", metavar="FILE", help="only report findings on lines a unified diff adds")
    parser.add_argument("--sarif-include-suppressed", action="store_true",
                        help="keep suppressed findings in SARIF, marked as suppressions (GitHub would open them as alerts)")
    parser.add_argument("--sarif-category", metavar="NAME",
                        help="SARIF runs[].automationDetails.id, to upload several runs side by side")
    _add_speed_arguments(parser)
    parser.add_argument("--list-rules", action="store_true", help="list the rules and exit")
    parser.add_argument("--version", action="version", version=f"goleaklint {__version__}")
    return parser


def _add_speed_arguments(parser: argparse.ArgumentParser) -> None:
    """Cache and sharding (docs/speed.md)."""
    parser.add_argument("--cache-dir", metavar="DIR",
                        help="cache of per-package results (default: $XDG_CACHE_HOME/goleaklint or ~/.cache/goleaklint)")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--shard", metavar="K/N",
                        help="lint only shard K of N (packages split by a hash of their path), for a CI matrix")


def _cache_dir(args: argparse.Namespace) -> str | None:
    if args.no_cache:
        return None
    return str(Path(args.cache_dir).resolve() if args.cache_dir else default_cache_dir())


def _ids(text: str | None, table: dict[str, str]) -> list[str] | None:
    if text is None:
        return None
    ids = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        rule_id = table.get(item) or table.get(item.upper())
        if rule_id is None:
            raise ConfigError(f"unknown rule {item!r} (see goleaklint --list-rules)")
        ids.append(rule_id)
    return ids


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv[:1] == ["rule"]:
            from .ruledocs import rule_command

            return rule_command(argv[1:], sys.stdout)
        return _lint_command(build_parser().parse_args(argv))
    except ConfigError as exc:
        sys.stderr.write(f"goleaklint: error: {exc}\n")
        return EXIT_ERROR
    except KeyboardInterrupt:
        sys.stderr.write("goleaklint: interrupted\n")
        return 130
    except BrokenPipeError:
        # `goleaklint | head`: the reader left; say nothing more and do not print a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_CLEAN


def _lint_command(args: argparse.Namespace) -> int:
    table = {key: rm.rule.id for key, rm in rules_by_key().items()}
    if args.list_rules:
        for rm in all_rules():
            rule = rm.rule
            sys.stdout.write(f"{rule.id}  {rule.slug:<32} {rule.severity.value:<8} {rule.title}\n")
        return EXIT_CLEAN
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    shard = parse_shard(args.shard) if args.shard else None

    config_path = Path(args.config) if args.config else find_config(Path.cwd())
    config = load_config(config_path, table) if config_path else Config()
    select = _ids(args.select, table)
    ignore = _ids(args.ignore, table)
    fail_on = Severity(args.fail_on) if args.fail_on else config.fail_on

    # Read the baseline and the changed lines before the lint: a typo should not cost a full run.
    root = Path.cwd()
    baseline = Baseline.load(Path(args.baseline)) if args.baseline else None
    changed = (changes_since(args.new_from_rev, root) if args.new_from_rev else
               changes_from_patch(Path(args.new_from_patch), root) if args.new_from_patch else None)

    # Open the output first: a typo in -o should fail in a second, not after a full lint.
    out: TextIO
    if args.output:
        try:
            out = open(args.output, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            raise ConfigError(f"cannot write {args.output}: {exc.strerror or exc}") from None
    else:
        out = sys.stdout
    try:
        jobs, warnings = discover(args.paths, config, root)
        if shard is not None:
            jobs = select_shard(jobs, shard, root)
        for warning in warnings:
            sys.stderr.write(f"goleaklint: warning: {warning}\n")
        rules = selected_rules(config, select, ignore)
        options = RunOptions(
            rule_ids=tuple(rm.rule.id for rm in rules),
            root=str(root.resolve()),
            severity=tuple(sorted(config.severity.items())),
            cache_dir=_cache_dir(args),
        )
        processes = args.jobs or os.cpu_count() or 1
        result = lint(jobs, options, processes)
        extra = filter_findings(result, jobs, options, baseline, args.baseline,
                                args.write_baseline, changed)
        color = (
            args.format == "text" and not args.output and not args.no_color
            and not os.environ.get("NO_COLOR") and sys.stdout.isatty()
        )
        report = Report(
            findings=result.findings,
            suppressed=result.suppressed,
            notifications=result.notifications,
            rules=[rm.rule for rm in rules],
            tool_version=__version__,
            files_scanned=result.files_scanned,
            color=color,
            verbose=args.verbose,
            extra=extra,
            statistics=args.statistics,
            sarif_include_suppressed=args.sarif_include_suppressed,
            sarif_category=args.sarif_category,
        )
        render(args.format, report, out)
    finally:
        if out is not sys.stdout:
            out.close()

    if any(note.is_error for note in result.notifications):
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    failing = [f for f in result.findings if f.severity.rank >= fail_on.rank]
    return EXIT_FINDINGS if failing else EXIT_CLEAN
