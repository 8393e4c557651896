"""Runs the rules over packages, in worker processes, and gathers plain findings.

Per file: read once, parse once, one run of one combined tree-sitter query for every rule (in C),
then each rule's `check` gets its own captures. Per package: `check_package` sees every file.
A rule that raises becomes an internal-error notification; every other rule and file goes on.
Workers return findings and notifications, never trees, and drop each package's trees before the
next, so memory stays flat however large the tree. With a cache (linter/cache.py), a package whose
key (a hash of its files' bytes and the configuration) is known is not parsed at all.
"""

from __future__ import annotations

import gc
import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from tree_sitter import Node, Query, QueryCursor

from .cache import ResultCache, flush_writes, package_key, read_bytes, stat_key, write_in_background
from .config import Config
from .context import FileContext, PackageContext, PackageScope
from .discover import PackageJob
from .fingerprint import with_fingerprints
from .callgraph import SUMMARY_CAPTURES, SUMMARY_PATTERNS, PackageSummary, summarise_package
from .lifetime import (LifetimeTable, ModuleModel, apply as apply_lifetimes, build_model, import_paths_for, local_libraries,
                       relative_directory, table_of, underscore_imports, unimported)
from .model import FUNCTIONS_PATTERN, GO_STATEMENTS_PATTERN
from .patterns import LazyPattern
from .predicates import simplify_predicates
from .registry import RuleModule, all_rules
from .rule import LIFETIME_PLACES, Finding, Notification, NotificationKind, Rule, Severity, below
from .source import GO, SourceFile, new_parser, package_clause, source_order
from .suppress import parse_suppressions
from .testscan import ScannedTestFile, scan as scan_test_file

_GENERATED = LazyPattern(rb"^// Code generated .* DO NOT EDIT\.\r?$", re.M)
_FUNCTIONS = "_fn"
_GO_STATEMENTS = "_go"
# What the module model's summary of a file needs (linter/callgraph.py), from the same walk.
_SUMMARY = "_s"
_CAPTURE = LazyPattern(r"@([A-Za-z_][\w.-]*)")


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    suppressed: list[Finding] = field(default_factory=list)
    notifications: list[Notification] = field(default_factory=list)
    files_scanned: int = 0
    summaries: list[PackageSummary] = field(default_factory=list)  # for the module model
    summary_blobs: list[bytes] = field(default_factory=list)  # the same, as cached JSON not yet decoded
    keys: list[str] = field(default_factory=list)  # the cache key of every package linted or loaded
    # (stat key, key) of the packages whose files were settled (cache.stat_key): the run's index.
    stat_keys: list[tuple[str, str]] = field(default_factory=list)
    # Findings in code that runs once per process or only in tests (linter/lifetime.py): not reported.
    silenced: list[Finding] = field(default_factory=list)
    module: ModuleModel | None = None

    def extend(self, other: "LintResult") -> None:
        self.findings += other.findings
        self.suppressed += other.suppressed
        self.notifications += other.notifications
        self.files_scanned += other.files_scanned
        self.summaries += other.summaries
        self.summary_blobs += other.summary_blobs
        self.keys += other.keys
        self.stat_keys += other.stat_keys

    def all_summaries(self) -> list[PackageSummary]:
        """Every package summary, decoding the cached ones (once)."""
        if self.summary_blobs:
            import json

            for blob in self.summary_blobs:
                self.summaries += [PackageSummary.from_json(item) for item in json.loads(blob)]
            self.summary_blobs = []
        return self.summaries

    def sort(self) -> None:
        self.findings.sort()
        self.suppressed.sort()
        self.silenced.sort()
        self.notifications = sorted(set(self.notifications))


@dataclass(frozen=True)
class RunOptions:
    """What a worker needs to know; picklable."""

    rule_ids: tuple[str, ...]
    root: str
    severity: tuple[tuple[str, Severity], ...] = ()
    cache_dir: str | None = None  # None: no cache
    lifetimes: bool = True  # judge findings by how often their code runs (linter/lifetime.py)
    modules: tuple[str, ...] = ()  # module paths of the run: import calls outside them are no edges
    require_reason: bool = False  # report suppressions that give no reason
    # Lint `_test.go` files; when no finding in them can be shown (cli.lints_tests), they are only
    # read for the module model, from their bytes (linter/testscan.py), and never parsed.
    lint_tests: bool = True


def selected_rules(config: Config, select: list[str] | None = None, ignore: list[str] | None = None) -> list[RuleModule]:
    chosen = select if select is not None else config.select
    ignored = set(config.ignore) | set(ignore or ())
    return [rm for rm in all_rules() if (chosen is None or rm.rule.id in chosen) and rm.rule.id not in ignored]


def lint(jobs: list[PackageJob], options: RunOptions, processes: int = 1,
         context: list[PackageJob] = (), judge: bool = True,
         settled: dict[Path, str | None] | None = None) -> LintResult:
    """Lints `jobs`; the packages of `context` are only read for the module model (see
    discover.module_context). With `judge`, findings take their levels from the model built of
    this run's summaries; without, the caller judges (several runs, one model). `settled`: the
    packages' stat keys, when the caller has taken them (`stat_keys`)."""
    threshold = gc.get_threshold()
    _fewer_collections()
    try:
        return _lint(jobs, options, processes, context, judge, settled)
    finally:
        gc.set_threshold(*threshold)


def stat_keys(jobs: list[PackageJob]) -> dict[Path, str | None]:
    """Every package's stat key (cache.stat_key), by directory, taken before any file is read."""
    now = _now()
    return {job.directory: stat_key(job.files, job.report, (job.go_version, job.kubernetes), now) for job in jobs}


def _lint(jobs: list[PackageJob], options: RunOptions, processes: int, context: list[PackageJob],
          judge: bool, settled: dict[Path, str | None] | None = None) -> LintResult:
    result = LintResult()
    if options.lifetimes and not options.modules:
        options = replace(options, modules=module_path_list([*jobs, *context]))
    if options.lifetimes and context:
        jobs = sorted([*jobs, *context], key=lambda job: job.directory)
    index_name, index = None, {}
    if options.cache_dir is not None:
        index_name = _index_name(jobs, options)
        index = ResultCache(options.cache_dir).load_index(index_name)
    if processes <= 1 or len(jobs) <= 1:
        write_in_background(True)
        try:
            for job in jobs:
                result.extend(lint_package(job, options, index, settled))
        finally:
            flush_writes()
            write_in_background(False)
    elif options.cache_dir is not None:
        _lint_cached_in_parallel(jobs, options, processes, result, index, settled)
    else:
        # Biggest batches first (one package can be a tenth of a monorepo): the last task to
        # start is then a small one and the processes finish together. The output is sorted anyway.
        from concurrent.futures import ProcessPoolExecutor  # not on the warm path: 30 ms of imports

        batches = sorted(_batches(jobs, processes), key=lambda batch: -sum(len(job.files) for job in batch))
        with _collector_paused(), ProcessPoolExecutor(max_workers=min(processes, len(batches))) as pool:
            for part in pool.map(_lint_batch, batches, [options] * len(batches)):
                result.extend(part)
    if index_name is not None:
        recorded = dict(result.stat_keys)
        if recorded != index:
            ResultCache(options.cache_dir).store_index(index_name, recorded)
    if options.lifetimes and judge:
        judge_lifetimes(result, jobs, options)
    result.sort()
    return result


def _index_name(jobs: list[PackageJob], options: RunOptions) -> str:
    """The name of a run's stat index: its packages and everything but their bytes that their
    keys cover. Runs over other trees, other shards or with other rules keep indexes of their own
    (a shared cache directory holds them all) and do not overwrite each other's."""
    import hashlib

    digest = hashlib.sha256(b"index\0")
    digest.update(options_fingerprint(options).encode())
    for job in jobs:
        digest.update(b"\0" + os.fspath(job.directory).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def options_fingerprint(options: RunOptions) -> str:
    """What of a run's options its results depend on, besides the files: the rules (and the source
    of the code that runs them), levels, settings, the root and the module paths."""
    from .cache import ruleset_fingerprint

    return ruleset_fingerprint(options.rule_ids) + repr((options.root, options.severity, options.require_reason,
                                                         options.lifetimes, options.modules, options.lint_tests))


def _settled(job: PackageJob, options: RunOptions, taken: dict[Path, str | None] | None = None) -> str | None:
    """The package's stat key (cache.stat_key), taken before its files are read."""
    if options.cache_dir is None:
        return None
    if taken is not None and job.directory in taken:
        return taken[job.directory]
    return stat_key(job.files, job.report, (job.go_version, job.kubernetes), _now())


_now = time.time_ns  # the clock the stat index judges "settled" by (tests move it)


def _lint_cached_in_parallel(jobs: list[PackageJob], options: RunOptions, processes: int, result: LintResult,
                             index: dict[str, str], taken: dict[Path, str | None] | None = None) -> None:
    """The parent looks packages up (read + hash, no parse) so that a warm run never starts a worker
    (the pool starts its processes on the first submit), handing misses to workers batch by batch.
    After a run of misses the cache is evidently cold: the rest goes to the workers unseen, which
    look each package up in the bytes they read anyway, instead of the parent reading and hashing
    everything twice while competing with them for the CPUs."""
    cache = ResultCache(options.cache_dir)
    root = Path(options.root)
    target = _batch_target(jobs, processes)
    futures = []
    batch: list[PackageJob] = []
    count = misses = 0
    with _collector_paused(), _LazyPool(processes) as pool:
        for position, job in enumerate(jobs):
            if misses >= _COLD_AFTER_MISSES:
                rest = sorted(_batches(jobs[position:], processes), key=lambda b: -sum(len(j.files) for j in b))
                futures += [pool.submit(_lint_batch, part, options) for part in rest]
                break
            settled = _settled(job, options, taken)
            hit = cache.load(index[settled]) if settled in index else None
            if hit is None:
                files = _read_files(job, root)
                hit = cache.load(_key(job, options, files)) if files is not None else None
            if hit is not None:
                if settled is not None:
                    hit.stat_keys.append((settled, hit.keys[0]))
                result.extend(hit)
                misses = 0
                continue
            misses += 1
            batch.append(job)
            count += len(job.files)
            if count >= target:
                futures.append(pool.submit(_lint_batch, batch, options))
                batch, count = [], 0
        if batch:
            futures.append(pool.submit(_lint_batch, batch, options))
        for future in futures:
            result.extend(future.result())


_COLD_AFTER_MISSES = 16


class _LazyPool:
    """A process pool made on the first submit: a warm run submits nothing, and importing
    multiprocessing alone is a tenth of it."""

    def __init__(self, processes: int):
        self.processes = processes
        self.pool = None

    def submit(self, *args):
        if self.pool is None:
            from concurrent.futures import ProcessPoolExecutor

            self.pool = ProcessPoolExecutor(max_workers=self.processes)
        return self.pool.submit(*args)

    def __enter__(self) -> "_LazyPool":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)


def _read_files(job: PackageJob, root: Path, errors: list[tuple[str, bool, OSError]] | None = None,
                ) -> list[tuple[Path, str, bool, bytes]] | None:
    """(path, relpath, reported, bytes) of every file. A file that cannot be read makes it None,
    or, given a list of `errors`, is left out and listed there as (relpath, reported, error).

    This is the whole warm path, run on every file of the tree: plain strings and os calls, since
    pathlib's parsing and buffered files cost more here than hashing the bytes does.
    """
    prefix = str(root).rstrip(os.sep) + os.sep
    every = len(job.report) == len(job.files)  # report is a subset of files
    files = []
    for path in job.files:
        name = str(path)
        relpath = name[len(prefix):].replace(os.sep, "/") if name.startswith(prefix) else _relpath(path, root)
        reported = every or path in job.report
        try:
            files.append((path, relpath, reported, read_bytes(name)))
        except OSError as exc:
            if errors is None:
                return None
            errors.append((relpath, reported, exc))
    return files


def _key(job: PackageJob, options: RunOptions, files: list[tuple[Path, str, bool, bytes]]) -> str:
    return package_key([(rel, reported, raw) for _, rel, reported, raw in files], (job.go_version, job.kubernetes),
                       options.rule_ids, options.severity, settings=(options.require_reason,),
                       extra=(options.lifetimes, options.modules))


def _fewer_collections() -> None:
    """Lets the cyclic collector run once per 50,000 new objects instead of 700. Linting makes
    millions of short-lived objects (nodes, captures, summaries' records) and frees its trees by
    reference counting (the package's scope breaks its one cycle), so the collector mostly walked
    live objects: 1.2 s of a 20 s run on the benchmark corpus at 700, 0.45 s at 10,000 for about
    8 MB more at the peak. On batch 53's snapshots (1 job, cold), 10,000 spent 0.41 s in 145
    collections (0.2 s of them in gen-0 collections walking the run's growing summaries) and
    50,000 spends 0.23-0.25 s, for 5 MB more at the peak (196 -> 202 MB). (Freezing what each
    package leaves took the collector to 0.09 s but kept every package's cyclic garbage: 328 MB.)"""
    if gc.get_threshold()[0] < 50_000:
        gc.set_threshold(50_000, *gc.get_threshold()[1:])


# Whether workers run the cyclic collector: the parent's own setting when it paused it to fork them.
_COLLECTOR_IN_WORKERS = True


@contextmanager
def _collector_paused():
    """While the parent only waits for workers and unpickles what they return (summaries: about
    190,000 lists and dicts on the benchmark corpus, which nothing frees before the run ends),
    the collector would walk them again and again, half the cost of the unpickling, on a core the
    workers need. Workers forked meanwhile put it back as it was (_lint_batch)."""
    global _COLLECTOR_IN_WORKERS
    enabled = gc.isenabled()
    _COLLECTOR_IN_WORKERS = enabled
    gc.disable()
    try:
        yield
    finally:
        _COLLECTOR_IN_WORKERS = True
        if enabled:
            gc.enable()


def _batch_target(jobs: list[PackageJob], processes: int, files_per_batch: int = 40) -> int:
    total = sum(len(j.files) for j in jobs)
    return max(1, min(files_per_batch, total // (processes * 4) or 1))


def _batches(jobs: list[PackageJob], processes: int) -> list[list[PackageJob]]:
    """Batches of whole packages, a few dozen files each: one pickle round trip per batch, yet
    enough batches that the processes finish together."""
    target = _batch_target(jobs, processes)
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
    if _COLLECTOR_IN_WORKERS and not gc.isenabled():
        gc.enable()  # forked while the parent had paused it (_collector_paused)
    _fewer_collections()
    result = LintResult()
    for job in batch:
        result.extend(lint_package(job, options))
    flush_writes()  # a worker process may end as soon as it has returned its batch
    return result


@lru_cache(maxsize=64)
def _compiled(rule_ids: tuple[str, ...]) -> tuple[list[RuleModule], Query | None]:
    """The rules and one combined query whose capture names are prefixed `GLnnn.`.

    The query also captures every function as `_fn` for the model: one walk of the tree serves
    every rule and the model, and a walk costs about a third of a parse whatever it looks for.
    Compiled once per run's rules and used for every file, whatever rules apply to it
    (REQUIRES_IMPORTS): the patterns of rules that do not apply cost a walk too little to tell,
    and a compilation takes about 9 ms.
    """
    modules = [rm for rm in all_rules() if rm.rule.id in rule_ids]
    parts = []
    # Every rule's `x.Name(...)` calls are found from the names' bytes (_method_calls), not by a
    # pattern: one matched every method call of the file and tested its name, 0.09 of a parse.
    methods = any(rm.method_calls for rm in modules)
    own: list[tuple[RuleModule, str]] = []
    for rm in modules:
        if rm.query:
            prefix = rm.rule.id
            own.append((rm, _CAPTURE.sub(lambda m: f"@{prefix}.{m.group(1)}", simplify_predicates(rm.query))))
    parts += [text for _, text in own]
    if not parts and not methods:
        return modules, None
    parts.append(f"{FUNCTIONS_PATTERN} @{_FUNCTIONS}")
    parts.append(f"{GO_STATEMENTS_PATTERN} @{_GO_STATEMENTS}")
    parts += [_CAPTURE.sub(lambda m: f"@{_SUMMARY}.{m.group(1)}", pattern) for pattern, _ in SUMMARY_PATTERNS]
    try:
        return modules, Query(GO, "\n".join(parts))
    except Exception:
        # A broken rule query is a bug in that rule: name it. Compiling each one on its own only
        # here keeps the common path at one compilation per set of rules.
        for rm, text in own:
            try:
                Query(GO, text)
            except Exception as exc:
                raise RuntimeError(f"{rm.rule.id} {rm.rule.slug}: invalid tree-sitter query: {exc}") from exc
        raise


@lru_cache(maxsize=1)
def _parser():
    return new_parser()


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def lint_package(job: PackageJob, options: RunOptions, index: dict[str, str] | None = None,
                 taken: dict[Path, str | None] | None = None) -> LintResult:
    """Lints one package, or takes its result from the cache: by its stat key when `index` (the
    run's stat index) has it, else by the key of its bytes."""
    # Before any file is read: a file edited while it is read then has a newer stat than the one
    # recorded, and the next run reads it again.
    settled = _settled(job, options, taken)
    if index and settled in index:
        cached = ResultCache(options.cache_dir).load(index[settled])
        if cached is not None:
            cached.stat_keys.append((settled, cached.keys[0]))
            return cached
    result = LintResult()
    root = Path(options.root)
    sources: list[tuple[SourceFile, bool]] = []  # (file, reported)
    errors: list[tuple[str, bool, OSError]] = []
    files = _read_files(job, root, errors)
    for relpath, reported, exc in errors:
        if reported:
            result.notifications.append(
                Notification(relpath, 1, NotificationKind.IO_ERROR, f"cannot read file: {exc.strerror or exc}")
            )
    # The key is of the bytes read here, not of what the parent hashed: a file edited in between is
    # stored under its new content.
    key = _key(job, options, files) if options.cache_dir is not None and len(files) == len(job.files) else None
    if key is not None:
        cached = ResultCache(options.cache_dir).load(key)
        if cached is not None:
            if settled is not None:
                cached.stat_keys.append((settled, key))
            return cached
    # Only a package that is linted needs these: a warm run compiles no query.
    modules, query = _compiled(options.rule_ids)
    file_rules = [rm for rm in modules if rm.check is not None]
    known_ids = frozenset(rm.rule.id for rm in all_rules())
    waived_by = {rm.rule.id: rm.rule.waived_by for rm in all_rules() if rm.rule.waived_by}
    ran_ids = frozenset(options.rule_ids)
    severity = dict(options.severity)
    scanned: dict[str, list[ScannedTestFile]] = {}  # package name -> test files read, not parsed
    for path, relpath, reported, raw in files:
        if not options.lint_tests and options.lifetimes and relpath.endswith("_test.go"):
            test_file = scan_test_file(relpath, raw)
            head = package_clause(raw)
            head_end = head[0] if head is not None else len(raw)
            test_file.generated = raw.find(b"// Code generated ", 0, head_end) != -1 and \
                _GENERATED.search(raw, 0, head_end) is not None
            test_file.reported = reported and not test_file.generated
            scanned.setdefault(test_file.package, []).append(test_file)
            if test_file.reported:
                result.files_scanned += 1
            continue
        # A file that is only context for its package (generated code, the siblings of a file named
        # on the command line) is parsed only if a package rule or a name lookup asks for its tree.
        source = SourceFile(path, relpath, raw, _parser(), lazy=True)
        if reported and _is_generated(source):
            reported = False  # context for package rules, never reported
        if reported:
            source.tree  # noqa: B018 - parse now
        sources.append((source, reported))
        if reported:
            result.files_scanned += 1
            if source.has_errors:
                line, message = source.syntax_problem()
                result.notifications.append(Notification(relpath, line, NotificationKind.SYNTAX, message))
    del files

    # Files of one directory may belong to two packages (`foo` and `foo_test`).
    by_package: dict[str, list[tuple[SourceFile, bool]]] = {}
    for source, reported in sources:
        by_package.setdefault(_package_name(source), []).append((source, reported))

    for _name in scanned:
        by_package.setdefault(_name, [])
    for _name, members in sorted(by_package.items()):
        files: list[FileContext] = []
        scope = PackageScope(files)
        contexts = []
        for source, reported in members:
            ctx = FileContext(source, job.go_version, scope, severity, kubernetes=job.kubernetes)
            files.append(ctx)
            contexts.append((ctx, reported))
        report_paths = frozenset(ctx.relpath for ctx, reported in contexts if reported)
        # Made before the file rules, so that they share the package's facts with package rules.
        pkg = PackageContext(_relpath(job.directory, root) or ".", [c for c, _ in contexts], report_paths,
                             job.go_version, scope)
        for ctx in files:
            ctx.package = pkg
        raw_findings: dict[str, list[Finding]] = {}
        for ctx, reported in contexts:
            if reported:
                raw_findings[ctx.relpath] = _run_file_rules(ctx, file_rules, query, result)
        if report_paths:
            for rm in modules:
                if rm.check_package is None:
                    continue
                try:
                    for finding in rm.check_package(pkg):
                        if finding.path in report_paths:
                            raw_findings.setdefault(finding.path, []).append(finding)
                except Exception as exc:
                    result.notifications.append(_crash(rm, pkg.directory, exc))
        pkg.release()
        for ctx, reported in contexts:
            if not reported:
                continue
            findings = raw_findings.get(ctx.relpath, ())
            suppressions, notes = parse_suppressions(ctx.source, known_ids, require_reason=options.require_reason)
            result.notifications += notes
            for finding in with_fingerprints(sorted(set(findings)), ctx.source.data, bom=ctx.source.has_bom):
                reason = suppressions.reason_for(finding.rule_id, finding.line)
                if reason is None:
                    checks = waived_by.get(finding.rule_id)
                    waiver = suppressions.waiver_for(checks, finding.line) if checks else None
                    if waiver is not None and finding.severity is not Severity.NOTE:
                        finding = _with(finding, severity=Severity.NOTE,
                                        message=f"{finding.message}; the authors waived the same check here "
                                                f"(`{waiver}`), so it is a note")
                    result.findings.append(finding)
                else:
                    result.suppressed.append(_with(finding, suppressed=reason))
            result.notifications += suppressions.unused(ran_ids, known_ids)
        # A package of generated files only (a gRPC or RPC stub) is summarised for the names it
        # calls: the module's methods that only such a stub calls through its interface are not dead.
        if options.lifetimes and (report_paths or not job.report or any(t.reported for t in scanned.get(_name, ()))
                                  or (contexts and all(_is_generated(ctx.source) for ctx, _ in contexts))):
            try:
                found = [f for fs in raw_findings.values() for f in fs]
                flagged = {f.context for f in found if f.context} | {s for f in found for s in f.subjects}
                result.summaries.append(_summary(job, root, options, _name, contexts, flagged, scanned.get(_name)))
            except Exception as exc:  # the package's findings stand; its functions' lifetimes are unknown
                result.notifications.append(_crash_notification(
                    _relpath(job.directory, root) or ".", f"the module model's summary of package {_name}", exc, None))
        # The scope and the files' contexts refer to each other: break the cycle, so the trees go
        # now and not when the cyclic collector next runs.
        scope.release()
    # A crash may be fixed by the next release of a rule; an entry would hide it until then.
    if key is not None and not any(note.is_error for note in result.notifications):
        ResultCache(options.cache_dir).store(key, result)
        result.keys.append(key)
        if settled is not None:
            result.stat_keys.append((settled, key))
    return result


def _summary(job: PackageJob, root: Path, options: RunOptions, name: str, contexts: list[tuple[FileContext, bool]],
             flagged: set[str] | None = None, scanned: list[ScannedTestFile] | None = None) -> PackageSummary:
    """The package as the module model sees it. Generated files are left out: they are never
    reported, and what they call is not what decides how often a user's code runs."""
    models = []
    generated = [test_file.data for test_file in scanned or () if test_file.generated]
    scanned = [test_file for test_file in scanned or () if not test_file.generated]
    for ctx, reported in contexts:
        if not reported and _is_generated(ctx.source):
            generated.append(ctx.source.data)  # still names what it uses (dead code is named nowhere)
            continue
        models.append((ctx.model, ctx.summary_captures))
    return summarise_package(relative_directory(job.directory, root), name, models, options.modules, generated, flagged,
                             scanned)


def module_path_list(jobs: list[PackageJob]) -> tuple[str, ...]:
    """The module paths of the go.mod files above the jobs' directories."""
    from .lifetime import module_paths

    return tuple(sorted({path for _, path in module_paths(sorted({job.directory for job in jobs})).values() if path}))


def module_model(result: LintResult, jobs: list[PackageJob], root: Path,
                 replaced: dict[str, tuple[str, ...]] | None = None) -> ModuleModel:
    """`replaced`: replacements(jobs, root), when the caller already has it (for its cache keys)."""
    paths, modules = import_paths_for(sorted({job.directory for job in jobs}), root)
    model = build_model(result.all_summaries(), paths, modules,
                        replaced if replaced is not None else replacements(jobs, root))
    candidates = unimported(model)
    if candidates:  # what the walk left out may import them: read it only then
        model.hidden_imports = underscore_imports(root, {modules[d] for d in candidates if d in modules})
    return model


def judge_lifetimes(result: LintResult, jobs: list[PackageJob], options: RunOptions,
                    model: "ModuleModel | LifetimeTable | None" = None) -> "ModuleModel | LifetimeTable":
    """Every finding takes the level the lifetime of its code gives it (linter/lifetime.py)."""
    if model is None:
        model = module_model(result, jobs, Path(options.root))
    table = model if isinstance(model, LifetimeTable) else table_of(model)
    policies = {rm.rule.id: rm.rule.lifetime for rm in all_rules()}
    overrides = dict(options.severity)
    result.findings, result.silenced = apply_lifetimes(table, result.findings, policies, overrides)
    result.suppressed, _ = apply_lifetimes(table, result.suppressed, policies, overrides)
    if isinstance(model, ModuleModel):
        result.module = model
    return table


def by_precision(result: LintResult, rules: dict[str, Rule], min_precision: str,
                 overrides: dict[str, Severity]) -> None:
    """Findings of rules measured below `min_precision` are notes, hidden unless asked for: errors
    too, since held out they were as often wrong as the rule's warnings (GL501's errors 5 of 30 worth a
    change). A rule's label for code of one lifetime (`Rule.precision_by_lifetime`) decides there
    instead, and a finding that only it makes a note says so. A level the user set for a rule stands."""
    if all(rule_id in overrides or (not rule.precision_by_lifetime and not rule.precision_by_kind
                                    and not below(rule.precision, min_precision))
           for rule_id, rule in rules.items()):
        return

    def level(finding: Finding) -> Finding:
        rule = rules.get(finding.rule_id)
        if rule is None or finding.rule_id in overrides or finding.severity is Severity.NOTE:
            return finding
        precision = rule.precision_for(finding.lifetime, finding.kind)
        if not below(precision, min_precision):
            return finding
        if finding.lifetime not in dict(rule.precision_by_lifetime) or finding.kind in dict(rule.precision_by_kind):
            return replace(finding, severity=Severity.NOTE, lowered=precision)
        return replace(finding, severity=Severity.NOTE, lowered=precision,
                       message=finding.message + _LIFETIME_PRECISION_TEXT.format(
                           lifetime=LIFETIME_PLACES.get(finding.lifetime, f"{finding.lifetime} code"),
                           share=_SHARE_WORDS.get(precision, "too few"), precision=precision))

    for name in ("findings", "suppressed"):
        setattr(result, name, [level(f) for f in getattr(result, name)])


_SHARE_WORDS = {"low": "fewer than half", "medium": "fewer than four in five", "high": "fewer than all"}
_LIFETIME_PRECISION_TEXT = ("; a note by default: in {lifetime}, {share} of this rule's findings were worth a change on "
                            "codebases it was not tuned on (`--min-precision {precision}` reports them at the rule's level)")


def replacements(jobs: list[PackageJob], root: Path) -> dict[str, tuple[str, ...]]:
    """Module root -> the unpublished modules it takes from the tree (lifetime.local_libraries),
    for the modules of the jobs' directories (relative to `root`)."""
    from .lifetime import module_paths

    roots = {module_root for module_root, _ in module_paths(sorted({job.directory for job in jobs})).values()}
    return local_libraries(roots, root)


def run_key(keys: list[str], modules: tuple[str, ...], replaced: dict[str, tuple[str, ...]] | None = None) -> str:
    """The key of a whole run's lifetimes: every package's key (bytes, rules, Go version, the tool),
    the module paths and which modules take which others from the tree (a go.mod's `replace`).
    Any change anywhere is a new key."""
    import hashlib

    digest = hashlib.sha256(b"lifetimes\0")
    digest.update("\0".join(modules).encode())
    digest.update(repr(sorted((replaced or {}).items())).encode())
    for key in sorted(keys):
        digest.update(key.encode())
    return digest.hexdigest()


def _run_file_rules(ctx: FileContext, file_rules: list[RuleModule], query: Query | None, result: LintResult) -> list[Finding]:
    """`file_rules`: the rules that have a `check` (asked once per package, not per file)."""
    findings: list[Finding] = []
    model = ctx.model
    imported = model.imported_paths
    applicable = [rm for rm in file_rules if not rm.requires_imports or not imported.isdisjoint(rm.requires_imports)]
    if not applicable:
        return findings
    # Captures by rule, in one pass over the capture names: per-rule cost stays flat as rules grow.
    by_rule: dict[str, dict[str, list[Node]]] = {}
    if query is not None and any(rm.query or rm.method_calls for rm in applicable):
        # One query for every file, whatever rules apply to it: the captures of the others are
        # dropped. Since the method-call pattern left the walk, the rules' own patterns cost too
        # little to tell (0.392 against 0.396 of a parse on the corpus), and a query per set of
        # applicable rules was compiled 25 times per process, 9 ms each.
        captures = QueryCursor(query).captures(ctx.source.root)
        model.function_nodes = captures.pop(_FUNCTIONS, [])
        model.go_statement_nodes = captures.pop(_GO_STATEMENTS, [])
        ctx.summary_captures = {name: captures.pop(f"{_SUMMARY}.{name}", []) for name in SUMMARY_CAPTURES}
        # Source order, as every query's captures are (source.query_captures): tree-sitter gives
        # them in the order its matches finish.
        for nodes in ctx.summary_captures.values():
            nodes.sort(key=source_order)
        names = frozenset().union(*(rm.method_calls for rm in applicable))
        calls = _method_calls(ctx.source, names) if names else None
        for name, nodes in captures.items():
            rule_id, _, own_name = name.partition(".")
            by_rule.setdefault(rule_id, {})[own_name] = nodes
        if calls:
            _hand_out_method_calls(ctx.source.data, calls, applicable, by_rule)
    for rm in applicable:
        own = by_rule.get(rm.rule.id, {})
        for name, nodes in own.items():
            nodes.sort(key=source_order)
        if (rm.query or rm.method_calls) and not own:
            continue
        try:
            findings.extend(rm.check(ctx, own))
        except Exception as exc:
            result.notifications.append(_crash(rm, ctx.relpath, exc))
    return findings


# `.Name` of a method call, whitespace allowed after the dot (Go allows a line break there).
_METHOD_NAME_WORDS: dict[frozenset[str], re.Pattern] = {}
# A comment between a dot and a name: the pattern above would miss that selector.
_COMMENT_AFTER_DOT = LazyPattern(rb"\.[ \t\r\n]*/")
_IDENTIFIER_BYTE = [chr(b).isalnum() or b == 0x5F or b >= 0x80 for b in range(256)]


def _method_calls(source: SourceFile, names: frozenset[str]) -> list[Node]:
    """Every call `x.Name(…)` of the file whose method is one of `names`, what a query pattern
    `(call_expression function: (selector_expression field: (field_identifier) @m (#any-of? @m
    …)))` finds: the names are found in the bytes (a pattern that begins with a literal skips to
    the dots), and each hit is checked in the tree to be a call's selector field. A comment after
    a dot (which Go allows) sends the file to a search for each name itself."""
    data = source.data
    root = source.root
    if _COMMENT_AFTER_DOT.search(data) is None:
        pattern = _METHOD_NAME_WORDS.get(names)
        if pattern is None:
            alternatives = b"|".join(re.escape(name.encode()) for name in sorted(names))
            pattern = _METHOD_NAME_WORDS[names] = re.compile(
                rb"\.[ \t\r\n]*(" + alternatives + rb")(?![A-Za-z0-9_\x80-\xff])")
        spans = [match.span(1) for match in pattern.finditer(data)]
    else:
        spans = []
        size = len(data)
        for name in names:
            needle = name.encode()
            at = data.find(needle)
            while at != -1:
                end = at + len(needle)
                if (end == size or not _IDENTIFIER_BYTE[data[end]]) and (at == 0 or not _IDENTIFIER_BYTE[data[at - 1]]):
                    spans.append((at, end))
                at = data.find(needle, end)
    calls = []
    for start, end in spans:
        node = root.named_descendant_for_byte_range(start, end)
        if node is None or node.type != "field_identifier" or node.start_byte != start or node.end_byte != end:
            continue
        selector = node.parent
        call = selector.parent if selector is not None and selector.type == "selector_expression" else None
        if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == selector:
            calls.append(call)
    return calls


def _hand_out_method_calls(data: bytes, calls: list[Node], rules: list[RuleModule], by_rule: dict[str, dict[str, list[Node]]]) -> None:
    """Each rule gets, as `captures["call"]`, the calls of the shared pattern whose method it names."""
    wanted = [(rm.rule.id, rm.method_calls) for rm in rules if rm.method_calls]
    for call in calls:
        field = call.child_by_field_name("function").child_by_field_name("field")
        name = data[field.start_byte : field.end_byte].decode("utf-8", "replace")
        for rule_id, methods in wanted:
            if name in methods:
                by_rule.setdefault(rule_id, {}).setdefault("call", []).append(call)


def _crash(rm: RuleModule, where: str, exc: Exception) -> Notification:
    return _crash_notification(where, f"rule {rm.rule.id} {rm.rule.slug}", exc, rm.rule.id)


def _crash_notification(where: str, what: str, exc: Exception, rule_id: str | None) -> Notification:
    import traceback  # here: 3 ms of imports (textwrap) that a run without a crash does not need

    frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" at {os.path.basename(frame.filename)}:{frame.lineno}" if frame else ""
    return Notification(where, 1, NotificationKind.INTERNAL_ERROR, f"{what} crashed: {type(exc).__name__}: {exc}{at}",
                        rule_id)


def _package_name(source: SourceFile) -> str:
    if not source.parsed and source.head is not None:
        return source.head[1]
    for child in source.declarations:
        if child.type == "package_clause":
            for sub in child.named_children:
                return source.text(sub)
    return ""


def _is_generated(source: SourceFile) -> bool:
    """Go's convention: a `// Code generated ... DO NOT EDIT.` line before the package clause."""
    if source.head is not None:
        head_end = source.head[0]
    else:  # not the usual head: let the tree say where the package clause is
        head_end = len(source.data)
        for child in source.declarations:
            if child.type == "package_clause":
                head_end = child.start_byte
                break
    # (A find in C first: the multi-line pattern anchored at `^` is tried at every byte.)
    return source.data.find(b"// Code generated ", 0, head_end) != -1 and \
        _GENERATED.search(source.data, 0, head_end) is not None


def _with(finding: Finding, **changes) -> Finding:
    return replace(finding, **changes)
