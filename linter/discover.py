"""From the paths a user typed to the Go packages to lint.

A package is a directory. `DIR/...` means DIR and everything below it, as with the go tool; a plain
DIR is that package only; a `.go` file is that file, with the other files of its directory loaded as
context for package-level rules (so a pre-commit hook that passes one file still sees the `delete`
in its sibling) but not reported on.
"""

from __future__ import annotations

import hashlib
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config, ConfigError, read_go_mod_version

SKIPPED_DIRS = frozenset({"vendor", "testdata", "node_modules"})


@dataclass
class PackageJob:
    directory: Path  # absolute, resolved
    files: list[Path] = field(default_factory=list)  # every Go file of the package, sorted
    report: set[Path] = field(default_factory=set)  # the files to report on
    go_version: tuple[int, int] | None = None


def _skip_dir(name: str) -> bool:
    return name in SKIPPED_DIRS or name.startswith((".", "_"))


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _go_files(directory: Path, config: Config, root: Path, entries: list[os.DirEntry] | None = None) -> list[Path]:
    """The Go files of a directory; `entries` are its entries sorted by name when a walk has
    listed them already (a warm cached run spends much of its time here)."""
    files = []
    if entries is None:
        try:
            # Sorted by name is sorted by path within one directory, and cheaper.
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            return files
    for entry in entries:
        if not entry.name.endswith(".go") or entry.name.startswith((".", "_")):
            continue
        if not config.tests and entry.name.endswith("_test.go"):
            continue
        path = directory / entry.name
        try:
            if entry.is_symlink() and not _is_within(path.resolve(), root):
                continue
            if not entry.is_file():
                continue
        except OSError:
            continue
        if config.excluded(path):
            continue
        files.append(path)
    return files


def _walk(root: Path, config: Config, warnings: list[str],
          listed: dict[Path, list[os.DirEntry]] | None = None) -> list[Path]:
    """Every package directory under root. Symlinked directories are followed only when they stay
    inside root, and each real directory is visited once, so link loops end. Each directory's
    sorted entries go into `listed`, so its Go files need no second listing."""
    real_root = root.resolve()
    seen: set[Path] = set()
    directories: list[Path] = []
    stack = [real_root]
    while stack:
        directory = stack.pop()
        if directory in seen:
            continue
        seen.add(directory)
        directories.append(directory)
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except PermissionError:
            warnings.append(f"{directory}: permission denied, skipped")
            continue
        except OSError as exc:
            warnings.append(f"{directory}: {exc.strerror or exc}, skipped")
            continue
        if listed is not None:
            listed[directory] = entries
        children = []
        for entry in entries:
            if _skip_dir(entry.name):
                continue
            try:
                if not entry.is_dir():
                    continue
                child = Path(entry.path)
                if entry.is_symlink():
                    child = child.resolve()
                    if not _is_within(child, real_root):
                        continue
            except OSError:
                continue
            if config.excluded(child):
                continue
            children.append(child)
        stack.extend(reversed(children))
    return directories


def discover(args: list[str], config: Config, cwd: Path | None = None) -> tuple[list[PackageJob], list[str]]:
    """Packages to lint, sorted by directory, and warnings about what was skipped.

    Raises ConfigError for a path that does not exist.
    """
    cwd = cwd or Path.cwd()
    warnings: list[str] = []
    jobs: dict[Path, PackageJob] = {}
    listed: dict[Path, list[os.DirEntry]] = {}

    def job_for(directory: Path, root: Path) -> PackageJob:
        job = jobs.get(directory)
        if job is None:
            job = jobs[directory] = PackageJob(directory, _go_files(directory, config, root, listed.get(directory)))
        return job

    for arg in args or ["./..."]:
        recursive = arg == "..." or arg.endswith("/...")
        raw = arg[: -len("...")].rstrip("/") or "." if recursive else arg
        path = (cwd / raw) if not Path(raw).is_absolute() else Path(raw)
        if not path.exists():
            raise ConfigError(f"{arg}: no such file or directory")
        if path.is_file():
            if path.suffix != ".go":
                raise ConfigError(f"{arg}: not a Go file or a directory")
            resolved = path.resolve()
            job = job_for(resolved.parent, resolved.parent)
            if resolved not in job.files:
                # Named explicitly: lint it even if it would be skipped in a directory walk.
                job.files = sorted([*job.files, resolved])
            job.report.add(resolved)
            continue
        if not path.is_dir():
            raise ConfigError(f"{arg}: not a Go file or a directory")
        root = path.resolve()
        directories = _walk(path, config, warnings, listed) if recursive else [root]
        for directory in directories:
            job = job_for(directory, root)
            job.report.update(job.files)

    go_mod_cache: dict[Path, tuple[int, int] | None] = {}
    result = []
    for directory in sorted(jobs):
        job = jobs[directory]
        if not job.files:
            continue
        job.go_version = config.go_version or _go_version(directory, go_mod_cache)
        result.append(job)
    return result, warnings


def _go_version(directory: Path, cache: dict[Path, tuple[int, int] | None]) -> tuple[int, int] | None:
    """The `go` directive of the nearest go.mod at or above `directory`."""
    visited = []
    for candidate in itertools.chain((directory,), directory.parents):  # lazily: most stop at once
        if candidate in cache:
            version = cache[candidate]
            break
        visited.append(candidate)
        go_mod = os.path.join(candidate, "go.mod")
        if os.path.isfile(go_mod):
            version = read_go_mod_version(Path(go_mod))
            break
    else:
        version = None
    for candidate in visited:
        cache[candidate] = version
    return version


def parse_shard(text: str) -> tuple[int, int]:
    """`K/N` -> (K, N), 1 <= K <= N; raises ConfigError otherwise."""
    k, sep, n = text.partition("/")
    if not (sep and k.isdigit() and n.isdigit() and 1 <= int(k) <= int(n)):
        raise ConfigError(f"--shard {text}: expected K/N with 1 <= K <= N, e.g. --shard 2/4")
    return int(k), int(n)


def shard_of(directory: Path, root: Path, count: int) -> int:
    """The 1-based shard of a package: a hash of its directory relative to root, so every CI job,
    whatever its checkout path, machine or Python, puts each package in the same shard (Python's
    own str hash is salted per process and would not)."""
    try:
        rel = directory.relative_to(root).as_posix()
    except ValueError:
        rel = directory.as_posix()
    digest = hashlib.blake2b((rel or ".").encode("utf-8", "surrogateescape"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % count + 1


def select_shard(jobs: list[PackageJob], shard: tuple[int, int], root: Path) -> list[PackageJob]:
    """The packages of shard K of N. Whole packages, never split: package rules need every file."""
    index, count = shard
    real_root = root.resolve()
    return [job for job in jobs if shard_of(job.directory, real_root, count) == index]


def module_context(jobs: list[PackageJob], config: Config, cwd: Path | None = None,
                   linted_elsewhere: list[PackageJob] = ()) -> list[PackageJob]:
    """The packages the module model must see but nobody asked to lint: the rest of each linted
    package's module (a handler in another package decides how often a linted function runs), and
    `linted_elsewhere` (the other shards' packages). Their files are read and summarised, never
    reported; with the same skips as a walk (vendor, testdata, excludes)."""
    from .lifetime import module_paths

    linted = {job.directory for job in jobs}
    extra: dict[Path, PackageJob] = {}
    for job in linted_elsewhere:
        if job.directory not in linted:
            extra[job.directory] = PackageJob(job.directory, list(job.files), set(), job.go_version)
    roots = sorted({module_root for module_root, _ in module_paths(sorted(linted)).values()})
    for module_root in roots:
        try:
            found, _ = discover([f"{module_root}/..."], config, cwd)
        except ConfigError:
            continue
        for job in found:
            if job.directory not in linted and job.directory not in extra:
                job.report = set()
                extra[job.directory] = job
    return [extra[directory] for directory in sorted(extra)]
