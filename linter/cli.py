"""Command line: argument parsing and exit codes only.

Exit codes: 0 no findings at or above the fail level, 1 findings, 2 usage, config, I/O or internal
error (every finding that was found is still written), or nothing to lint.

Notes (findings of level note) are left out of every format here, after the engine and every filter
have settled what the findings and their levels are, unless asked for or able to fail the run.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import TextIO

from . import __version__
from .baseline import Baseline, filter_findings
from .changes import changes_from_patch, changes_since
from .config import Config, ConfigError, ConfigResolver, load_config
from .cache import ResultCache, default_cache_dir
from .discover import DiscoveryStats, PackageJob, discover, module_context, parse_shard, select_shard
from .engine import (LintResult, RunOptions, by_precision, judge_lifetimes, lint, module_model, module_path_list, replacements, run_key,
                     options_fingerprint, selected_rules, stat_keys)
from .lifetime import one_run, remember_go_mods, table_of
from .callgraph import BENCHMARK
from .registry import all_rules, rules_by_key
from .report import FORMATS, Report, render
from .rule import DEFAULT_MIN_PRECISION, PRECISIONS, Finding, Severity, below

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
    parser.add_argument("--config", metavar="FILE", help="config file for every path (default: each path takes "
                        "the nearest .goleaklint.toml or [tool.goleaklint] in pyproject.toml at or above it)")
    parser.add_argument("-j", "--jobs", type=int, metavar="N", default=None,
                        help="worker processes (default: number of CPUs)")
    parser.add_argument("--fail-on", choices=[s.value for s in Severity], default=None,
                        help="lowest level that makes the exit code 1 (default: warning)")
    parser.add_argument("--exit-zero", action="store_true", help="exit 0 even when there are findings")
    parser.add_argument("--no-color", action="store_true", help="no colour (also: NO_COLOR=1)")
    parser.add_argument("--statistics", action="store_true", help="print counts by rule, most frequent first")
    parser.add_argument("--no-lifetimes", action="store_true",
                        help="judge every function alone: report findings in once-per-process and test-only code "
                        "too, at the rule's own level (see 'goleaklint explain FILE:LINE')")
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
    _add_first_run_arguments(parser)
    _add_evidence_arguments(parser)
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


def _add_first_run_arguments(parser: argparse.ArgumentParser) -> None:
    """What to lint, what to show, and how to see why (docs/workflows.md)."""
    parser.add_argument("--no-gitignore", action="store_true",
                        help="in a git work tree, also lint Go files that .gitignore hides")
    parser.add_argument("--min-precision", choices=PRECISIONS, default=None,
                        help="rules measured below this precision on code they were not tuned on report notes "
                        f"(default: {DEFAULT_MIN_PRECISION}, right four times in five; medium: also those right half "
                        "the time; low: every rule at its own levels)")
    parser.add_argument("--show-notes", action="store_true",
                        help="also report findings of level note (hidden by default; --fail-on note shows them)")
    parser.add_argument("--color", choices=("auto", "always", "never"), default="auto",
                        help="colour in the text format (default auto: on a terminal, unless NO_COLOR is set; "
                        "FORCE_COLOR forces it)")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="say more on stderr: -v the config of each path, Go versions, files linted and skipped")
    parser.add_argument("--show-settings", action="store_true",
                        help="print the config of each path, Go versions and the files to lint, then exit")
def _add_evidence_arguments(parser: argparse.ArgumentParser) -> None:
    """Runtime evidence merged with the findings (linter/evidence)."""
    group = parser.add_argument_group("runtime evidence (README: From production to the line)")
    group.add_argument("--goroutines", metavar="FILE", action="append", default=[],
                       help="a goroutine dump or leak profile (pprof goroutine/goroutineleak, debug=1, debug=2 "
                       "or binary) or goleak's output; repeatable")
    group.add_argument("--heap", metavar="FILE", action="append", default=[],
                       help="a heap profile (debug=1 or binary); give two, --heap BASE --heap LATER, to "
                       "report what grew between them")


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
        if argv[:1] == ["explain"]:
            from .explain import explain_command

            return explain_command(argv[1:], sys.stdout)
        with one_run():
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


def _load_evidence(args: argparse.Namespace):
    if not (args.goroutines or args.heap):
        return None
    from .evidence import load_evidence

    return load_evidence(args.goroutines, args.heap)


def _merge_evidence(result, evidence, jobs, root: Path, options: RunOptions, config: Config):
    from .evidence import Thresholds, merge_evidence

    return merge_evidence(result, evidence, jobs, root, set(options.rule_ids), config.runtime or Thresholds())


def _lint_command(args: argparse.Namespace) -> int:
    table = {key: rm.rule.id for key, rm in rules_by_key().items()}
    if args.list_rules:
        return _list_rules(args.format, sys.stdout)
    if args.jobs is not None and args.jobs < 1:
        raise ConfigError("--jobs must be at least 1")
    shard = parse_shard(args.shard) if args.shard else None

    fixed = load_config(Path(args.config), table) if args.config else None
    configs = ConfigResolver(table, fixed)
    select = _ids(args.select, table)
    ignore = _ids(args.ignore, table)

    # Read the baseline and the changed lines before the lint: a typo should not cost a full run.
    root = Path.cwd()
    baseline = Baseline.load(Path(args.baseline)) if args.baseline else None
    changed = (changes_since(args.new_from_rev, root) if args.new_from_rev else
               changes_from_patch(Path(args.new_from_patch), root) if args.new_from_patch else None)
    evidence = _load_evidence(args)

    stats = DiscoveryStats()
    jobs, warnings = discover(args.paths, configs, root, gitignore=not args.no_gitignore, stats=stats)
    remember_go_mods([(job.directory, job.go_mod) for job in jobs])
    discovered = jobs
    if shard is not None:
        jobs = select_shard(jobs, shard, root)
    for warning in warnings:
        sys.stderr.write(f"goleaklint: warning: {warning}\n")
    if args.show_settings or args.verbose:
        from .settings import describe_settings

        text = describe_settings(jobs, stats, root, args, select, ignore, gitignore=not args.no_gitignore)
        if args.show_settings:
            sys.stdout.write(text)
            return EXIT_CLEAN
        sys.stderr.write(text)
    if not any(job.report for job in jobs):
        return _nothing_to_lint(args, stats, shard)

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
        processes = args.jobs or os.cpu_count() or 1
        # The module model sees every package of the linted modules (and the other shards'),
        # linted or not: a caller elsewhere decides how often a linted function runs.
        context = [] if args.no_lifetimes else module_context(jobs, configs, root, discovered,
                                                              gitignore=not args.no_gitignore,
                                                              walked=args.paths or ["./..."])
        result, ran, options = _lint_by_config(jobs, root, select, ignore, _cache_dir(args), processes,
                                               context, lifetimes=not args.no_lifetimes,
                                               min_precision=args.min_precision, args=args)
        if result.files_scanned == 0 and stats.directory_args and shard is None and not result.notifications:
            raise ConfigError(f"nothing to lint in {' '.join(args.paths or ['./...'])}: "
                              "every Go file found is generated (// Code generated ... DO NOT EDIT.)")
        runtime = None
        if evidence:
            result, runtime = _merge_evidence(result, evidence, jobs, root, options, configs.for_directory(root.resolve()))
        extra = filter_findings(result, jobs, options, baseline, args.baseline,
                                args.write_baseline, changed)
        if result.silenced:
            # Counted, so a user sees why a leak they expected is not listed: `goleaklint explain`.
            extra["silenced_by_lifetime"] = len(result.silenced)
        # After every filter that decides what is a finding, and after the engine has settled levels:
        # notes are left out of the report here, and here only.
        levels = _LevelsByPath(jobs, root, args)
        shown = [finding for finding in result.findings if levels.shown(finding)]
        report = Report(
            findings=shown,
            suppressed=result.suppressed,
            notifications=result.notifications,
            rules=ran,
            tool_version=__version__,
            files_scanned=result.files_scanned,
            color=_use_color(args),
            verbose=bool(args.verbose),
            extra=extra,
            statistics=args.statistics,
            sarif_include_suppressed=args.sarif_include_suppressed,
            sarif_category=args.sarif_category,
            hidden_notes=len(result.findings) - len(shown),
            hidden_medium=sum(1 for finding in result.findings if finding.lowered == "medium" and not levels.shown(finding)),
            runtime=runtime,
        )
        render(args.format, report, out)
    finally:
        if out is not sys.stdout:
            out.close()
    if args.verbose:
        generated = sum(len(job.report) for job in jobs) - result.files_scanned
        sys.stderr.write(f"goleaklint: linted {result.files_scanned} file{'s' if result.files_scanned != 1 else ''}"
                         + (f"; {generated} generated or unreadable, read as context only" if generated else "")
                         + "\n")
        if not options.lint_tests:
            tests = sum(1 for job in jobs for path in job.report if path.name.endswith("_test.go"))
            if tests:
                sys.stderr.write(f"goleaklint: of those, {tests} test file{'s were' if tests != 1 else ' was'} read for "
                                 "the call graph only, not parsed: "
                                 "no finding in test-only code can reach the bar (--show-notes or "
                                 "--min-precision medium lints them)\n")

    if any(note.is_error for note in result.notifications):
        return EXIT_ERROR
    if args.exit_zero:
        return EXIT_CLEAN
    failing = [f for f in result.findings if f.severity.rank >= levels.fail_on(f).rank]
    return EXIT_FINDINGS if failing else EXIT_CLEAN


def _list_rules(fmt: str, out: TextIO) -> int:
    rules = [rm.rule for rm in all_rules()]
    if fmt == "json":
        import json

        document = {"version": 1, "rules": [
            {"id": rule.id, "slug": rule.slug, "severity": rule.severity.value, "title": rule.title,
             "tags": list(rule.tags), "precision": rule.precision,
             **({"precision_by_lifetime": dict(rule.precision_by_lifetime)} if rule.precision_by_lifetime else {}),
             **({"precision_by_kind": dict(rule.precision_by_kind)} if rule.precision_by_kind else {}),
             "help_uri": rule.help_uri}
            for rule in rules
        ]}
        json.dump(document, out, indent=2, ensure_ascii=False)
        out.write("\n")
        return EXIT_CLEAN
    if fmt not in ("text", "concise"):
        raise ConfigError(f"--list-rules prints text or json, not {fmt}")
    for rule in rules:
        label = rule.precision + ("*" if rule.precision_by_lifetime or rule.precision_by_kind else "")
        out.write(f"{rule.id}  {rule.slug:<32} {rule.severity.value:<8} {label:<9} {rule.title}\n")
    weak = [rule.id for rule in rules if below(rule.precision, DEFAULT_MIN_PRECISION) and "runtime-evidence" not in rule.tags]
    if weak:
        out.write(f"\nPrecision: how often a rule's findings were worth a change on codebases nobody tuned it on "
                  f"(high from four in five, medium from half; medium until enough are judged). Rules below "
                  f"{DEFAULT_MIN_PRECISION} report notes by default ({', '.join(weak)}): --min-precision medium "
                  f"(or min-precision = \"medium\" in the config) reports the medium ones at their own levels, "
                  f"--min-precision low every rule.\n")
    def where(rule) -> str:
        # One clause per label, in the order the rule declares them: `high where api or once`.
        by_label: dict[str, list[str]] = {}
        for lifetime, label in rule.precision_by_lifetime:
            by_label.setdefault(label, []).append(lifetime)
        return ", ".join([f"{label} where {' or '.join(lifetimes)}" for label, lifetimes in by_label.items()]
                         + [f"{label} for {kind}" for kind, label in rule.precision_by_kind])

    split = [f"{rule.id} ({where(rule)})" for rule in rules if rule.precision_by_lifetime or rule.precision_by_kind]
    if split:
        out.write(f"*: a different label in code of some lifetimes or for some kinds of finding, as notes there by default when below it: "
                  f"{'; '.join(split)} (`goleaklint rule ID` says more).\n")
    return EXIT_CLEAN


def lints_tests(rules: list, config: Config, min_precision: str | None, lifetimes: bool,
                args: argparse.Namespace | None) -> bool:
    """Whether `_test.go` files are parsed and linted, or only read for the module model
    (linter/testscan.py). Test-only code is not reported, except a benchmark loop, whose findings
    keep their rule's level; they are shown only if that rule's label reaches the bar, or its level
    is the user's, or notes are shown. When none of that can happen, what the rules would find in
    test files never reaches the output, and parsing them is most of their cost."""
    if not lifetimes or config.show_notes or config.fail_on is Severity.NOTE:
        return True
    if args is not None and (args.show_notes or args.fail_on == "note" or args.write_baseline):
        return True
    bar = min_precision or config.min_precision
    # Runtime evidence (GL601, GL602) comes from profiles, not from reading test files.
    return any(rm.rule.id in config.severity or not below(rm.rule.precision_for(BENCHMARK), bar)
               for rm in rules if "runtime-evidence" not in rm.rule.tags)


def _nothing_to_lint(args: argparse.Namespace, stats: DiscoveryStats, shard: tuple[int, int] | None) -> int:
    """No Go file to report on. An error when a directory was named (a mistyped path in CI must not
    pass forever); not when only files were named and each is skipped on purpose (a pre-commit hook
    on a commit that touches only vendor/), nor for an empty shard."""
    skipped = sum(stats.skipped.values())
    parts = []
    if skipped:
        reasons = ", ".join(f"{count} {reason}" for reason, count in sorted(stats.skipped.items()))
        parts.append(f"{skipped} Go file{'s' if skipped != 1 else ''} skipped: {reasons}")
    if stats.excluded_dirs:
        names = sorted(os.path.relpath(path, Path.cwd().resolve()) for path in stats.excluded_dirs)
        parts.append("excluded by config: " + ", ".join(names[:3]) + (", ..." if len(names) > 3 else ""))
    detail = f" ({'; '.join(parts)}; -v says more)" if parts else ""
    if shard is not None:
        sys.stderr.write(f"goleaklint: shard {shard[0]}/{shard[1]} has no packages to lint\n")
        return EXIT_CLEAN
    if stats.skipped_named and not stats.directory_args:
        sys.stderr.write(f"goleaklint: nothing to lint: every file named is skipped{detail}\n")
        return EXIT_CLEAN
    raise ConfigError(f"nothing to lint: no Go files in {' '.join(args.paths or ['./...'])}{detail}")


def _lint_by_config(jobs: list[PackageJob], root: Path, select, ignore, cache_dir: str | None,
                    processes: int, context: list[PackageJob] = (), lifetimes: bool = True,
                    min_precision: str | None = None,
                    args: argparse.Namespace | None = None) -> tuple[LintResult, list, RunOptions]:
    """Lints each group of packages that share a config with that config's rules and levels, and
    reads the `context` packages for the module model only; then judges every finding by the
    lifetime of its code, over one model of the whole run. Returns the merged result, every rule
    that ran, and options naming all of them.

    With a cache, a run over a tree whose every file stats as it did when a run with the same
    packages, rules and options was cached (cache.stat_key) takes that run's result whole: one
    entry instead of one per package, no lifetimes to look up."""
    groups: dict[int, tuple[Config, list[PackageJob]]] = {}
    for job in jobs:
        config = job.config or Config()
        groups.setdefault(id(config), (config, []))[1].append(job)
    modules = module_path_list([*jobs, *context]) if lifetimes else ()
    replaced = replacements([*jobs, *context], root) if lifetimes else {}
    planned: list[tuple[list[PackageJob], RunOptions, Config]] = []
    ran: dict[str, object] = {}
    for config, group in groups.values():
        rules = selected_rules(config, select, ignore)
        options = RunOptions(
            rule_ids=tuple(rm.rule.id for rm in rules),
            root=str(root.resolve()),
            severity=tuple(sorted(config.severity.items())),
            cache_dir=cache_dir,
            require_reason=config.require_reason,
            lifetimes=lifetimes,
            modules=modules,
            lint_tests=lints_tests(rules, config, min_precision, lifetimes, args),
        )
        planned.append((group, options, config))
        ran.update((rm.rule.id, rm.rule) for rm in rules)
    rules = [ran[rule_id] for rule_id in sorted(ran)]
    merged = RunOptions(rule_ids=tuple(sorted(ran)), root=str(root.resolve()), cache_dir=cache_dir,
                        lint_tests=any(options.lint_tests for _, options, _ in planned))
    settled = stat_keys([*jobs, *context]) if cache_dir else None
    whole = _whole_run_key(planned, context, settled, min_precision, replaced) if settled else None
    if whole is not None:
        cached = ResultCache(cache_dir).load_run(whole)
        if cached is not None:
            return cached, rules, merged
    result = LintResult()
    parts: list[tuple[LintResult, RunOptions]] = []
    groups_configs: list[Config] = []
    for group, options, config in planned:
        parts.append((lint(group, options, processes, judge=False, settled=settled), options))
        groups_configs.append(config)
    summaries = LintResult()
    if lifetimes and context:
        # The context's test files are read as the linted packages' are: the same lifetimes either way.
        options = RunOptions(rule_ids=(), root=str(root.resolve()), cache_dir=cache_dir, modules=modules,
                             lint_tests=any(options.lint_tests for _, options, _ in planned))
        summaries.extend(lint(list(context), options, processes, judge=False, settled=settled))
    for part, _ in parts:
        summaries.summaries += part.summaries
        summaries.summary_blobs += part.summary_blobs
        summaries.keys += part.keys
    table = None
    if lifetimes:
        # A warm run whose every package came from the cache has the same model as the run that
        # filled it: its lifetimes are cached under the keys of all the packages.
        key = run_key(summaries.keys, modules, replaced) if cache_dir and len(summaries.keys) == len(jobs) + len(context) else None
        cache = ResultCache(cache_dir) if key is not None else None
        table = cache.load_table(key) if cache is not None else None
        if table is None:
            # The model and the summaries live until the process ends: the collector need not
            # walk their hundreds of thousands of objects, while they are made (a full collection
            # right after the model, 0.15 s on the benchmark corpus) or after.
            collecting = gc.isenabled()
            gc.disable()
            try:
                model = module_model(summaries, [*jobs, *context], root, replaced)
                result.module = model
                table = table_of(model)
                gc.freeze()
            finally:
                if collecting:
                    gc.enable()
            if cache is not None:
                judged = [f for part, _ in parts for f in (*part.findings, *part.suppressed)]
                cache.store_table(key, table.for_findings(judged))
    for (part, options), config in zip(parts, groups_configs):
        if table is not None:
            judge_lifetimes(part, [*jobs, *context], options, table)
        by_precision(part, ran, min_precision or config.min_precision, dict(options.severity))
        part.summaries, part.summary_blobs = [], []
        result.extend(part)
        result.silenced += part.silenced
    result.sort()
    # Only when every package was settled as it was read and came from the cache or was cached:
    # a package whose result was not stored (an internal error) is linted again next time.
    if whole is not None and len(summaries.keys) == len(jobs) + len(context):
        ResultCache(cache_dir).store_run(whole, result)
    return result, rules, merged


def _whole_run_key(planned: list[tuple[list[PackageJob], RunOptions, Config]], context: list[PackageJob],
                   settled: dict[Path, str | None], min_precision: str | None,
                   replaced: dict[str, tuple[str, ...]]) -> str | None:
    """The key of a whole run (see _lint_by_config), or None when a package is not settled.
    `replaced`: which modules take which others from the tree (engine.replacements), which a
    go.mod can change without changing a package's key."""
    import hashlib

    from .cache import FORMAT

    digest = hashlib.sha256(f"run\0{FORMAT}\0{min_precision!r}\0{sorted(replaced.items())!r}\0".encode())
    for group, options, config in [*planned, (context, None, None)]:
        if options is not None:
            digest.update(f"{options_fingerprint(options)}\0{config.min_precision!r}".encode())
        for job in group:
            if settled.get(job.directory) is None:
                return None
            digest.update(f"\0{job.directory}\0{settled[job.directory]}".encode("utf-8", "surrogateescape"))
        digest.update(b"\1")
    return digest.hexdigest()


class _LevelsByPath:
    """Each finding's fail level and whether it is shown, from the config of its package.

    A note is shown when asked for (--show-notes, `show-notes = true`) and whenever notes fail the
    run (`--fail-on note`): a run never fails on a finding it does not show."""

    def __init__(self, jobs: list[PackageJob], root: Path, args: argparse.Namespace):
        self.args = args
        self.by_directory: dict[str, Config] = {}
        real_root = root.resolve()
        for job in jobs:
            try:
                rel = job.directory.relative_to(real_root).as_posix()
            except ValueError:
                rel = job.directory.as_posix()
            self.by_directory[rel] = job.config or Config()

    def config(self, finding: Finding) -> Config:
        directory = finding.path.rpartition("/")[0] or "."
        return self.by_directory.get(directory) or Config()

    def fail_on(self, finding: Finding) -> Severity:
        return Severity(self.args.fail_on) if self.args.fail_on else self.config(finding).fail_on

    def shown(self, finding: Finding) -> bool:
        if finding.severity is not Severity.NOTE or self.args.show_notes:
            return True
        config = self.config(finding)
        return config.show_notes or self.fail_on(finding) is Severity.NOTE


def _use_color(args: argparse.Namespace) -> bool:
    """--color wins; with auto, NO_COLOR (no-color.org) turns colour off, FORCE_COLOR on (for CI logs,
    which are not terminals), else a terminal gets colour. Never into a file (-o) unless `always`."""
    if args.format != "text":
        return False
    choice = "never" if args.no_color else args.color
    if choice != "auto":
        return choice == "always"
    if args.output or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR", "") not in ("", "0", "false"):
        return True
    return sys.stdout.isatty()
