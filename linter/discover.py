"""From the paths a user typed to the Go packages to lint.

A package is a directory. `DIR/...` means DIR and everything below it, as with the go tool; a plain
DIR is that package only; a `.go` file is that file, with the other files of its directory loaded as
context for package-level rules (so a pre-commit hook that passes one file still sees the `delete`
in its sibling) but not reported on.

A file named on the command line obeys the same skips as a directory walk (vendor/, third_party/, a module
cache's `module@vX.Y.Z/` directories, testdata/,
hidden and `_` directories, exclude globs, `tests = false`, .gitignore): a pre-commit hook passes
every changed file by name, vendored ones included (ruff's `--force-exclude`, always on). Each
directory takes its own config (`ConfigResolver`: the nearest file wins). Inside a git work tree,
only what git lists is linted (linter/gitfiles.py), and a named file's siblings are context only
if git tracks them.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from .config import Config, ConfigError, ConfigResolver, read_go_mod
from .gitfiles import GitFiles

# third_party/: copies of other projects' code (golangci-lint skips it too), not the owners' to change.
SKIPPED_DIRS = frozenset({"vendor", "third_party", "testdata", "node_modules"})


@dataclass
class PackageJob:
    directory: Path  # absolute, resolved
    files: list[Path] = field(default_factory=list)  # every Go file of the package, sorted
    report: set[Path] = field(default_factory=set)  # the files to report on
    go_version: tuple[int, int] | None = None
    # Its module requires the Kubernetes client libraries (go.mod): a cluster component.
    kubernetes: bool = False
    config: Config | None = field(default=None, compare=False, repr=False)  # the one its directory takes
    # The nearest go.mod at or above `directory` (None: none), as discovery found it: the module
    # model asks again for every package, and the answer is the same.
    go_mod: Path | None = field(default=None, compare=False, repr=False)


@dataclass
class DiscoveryStats:
    """What discovery looked at and left out, for `-v`, `--show-settings` and "nothing to lint"."""

    skipped: Counter = field(default_factory=Counter)  # reason -> Go files left out
    skipped_named: list[tuple[str, str]] = field(default_factory=list)  # (path as typed, reason)
    excluded_dirs: list[Path] = field(default_factory=list)  # directories an exclude glob kept out of a walk
    directory_args: bool = False  # a directory was named (not only files)
    go_mods: dict[str, tuple[int, int] | None] = field(default_factory=dict)  # go.mod -> `go` directive
    git_roots: set[Path] = field(default_factory=set)  # work trees whose git list was used


# A directory's child from a name it lists, without parsing it again: 0.7 us against 3.4 us for `/`,
# for every Go file of a warm run. CPython's own (iterdir uses it); `/` where a version lacks it.
_child = getattr(Path, "_make_child_relpath", None) or Path.joinpath


# A module's directory in a Go module cache (`pkg/mod/golang.org/x/sys@v0.0.0-2020…`): a copy of a
# dependency at a version, checked in with the code, no more the owners' than vendor/ is.
_MODULE_VERSION = re.compile(r"[^@]+@v[0-9]+\.[0-9]+\.[0-9]+.*")


def skip_dir(name: str) -> bool:
    """A directory the walk never enters: vendored, test data, hidden, `_`-prefixed, a module cache's `name@v1.2.3`."""
    return name in SKIPPED_DIRS or name.startswith((".", "_")) or ("@v" in name and _MODULE_VERSION.fullmatch(name) is not None)


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _go_files(directory: Path, config: Config, root: Path, entries: list[os.DirEntry] | None = None,
              git: "_GitFilter | None" = None, skipped: Counter | None = None) -> list[Path]:
    """The Go files of a directory; `entries` are its entries sorted by name when a walk has
    listed them already (a warm cached run spends much of its time here)."""
    files = []
    if entries is None:
        try:
            # Sorted by name is sorted by path within one directory, and cheaper.
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            entries = None
    listed = git.listed_in(directory, _names(entries)) if git is not None else None
    if entries is None:
        return files
    for entry in entries:
        if not entry.name.endswith(".go") or entry.name.startswith((".", "_")):
            continue
        if not config.tests and entry.name.endswith("_test.go"):
            if skipped is not None:
                skipped["tests = false"] += 1
            continue
        path = _child(directory, entry.name)
        try:
            if entry.is_symlink() and not _is_within(path.resolve(), root):
                continue
            if not entry.is_file():
                continue
        except OSError:
            continue
        if config.excluded(path):
            if skipped is not None:
                skipped["exclude"] += 1
            continue
        if listed is not None and entry.name not in listed:
            if skipped is not None:
                skipped[".gitignore"] += 1
            continue
        files.append(path)
    return files


class _GitFilter:
    """git's list of Go files, by directory: name -> tracked."""

    def __init__(self, git: GitFiles, stats: DiscoveryStats):
        self.git = git
        self.stats = stats
        self._by_directory: dict[Path, dict[str, dict[str, bool]]] = {}  # work tree -> dir relpath -> names

    def listed_in(self, directory: Path, names: set[str] | None = None) -> dict[str, bool] | None:
        listing = self.git.listing(directory, names)
        if listing is None:
            return None
        self.stats.git_roots.add(listing.root)
        by_directory = self._by_directory.get(listing.root)
        if by_directory is None:
            by_directory = self._by_directory[listing.root] = {}
            for rel, tracked in listing.files.items():
                parent, _, name = rel.rpartition("/")
                by_directory.setdefault(parent, {})[name] = tracked
        try:
            rel_dir = directory.relative_to(listing.root).as_posix()
        except ValueError:
            return None
        return by_directory.get("" if rel_dir == "." else rel_dir, {})


def _names(entries: list[os.DirEntry] | None) -> set[str] | None:
    """The names of a directory's entries, which answer "is there a go.mod, a config, a .git here"
    without a stat each (a warm run looks at every directory of the tree)."""
    return None if entries is None else {entry.name for entry in entries}


def _walk(root: Path, config_for, warnings: list[str],
          listed: dict[Path, list[os.DirEntry]] | None = None, excluded: list[Path] | None = None) -> list[Path]:
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
        config = config_for(directory, _names(entries))
        children = []
        for entry in entries:
            if skip_dir(entry.name):
                continue
            try:
                if not entry.is_dir():
                    continue
                child = _child(directory, entry.name)
                if entry.is_symlink():
                    child = child.resolve()
                    if not _is_within(child, real_root):
                        continue
            except OSError:
                continue
            if config.excluded(child):
                if excluded is not None:
                    excluded.append(child)
                continue
            children.append(child)
        stack.extend(reversed(children))
    return directories


def discover(args: list[str], config: Config | ConfigResolver, cwd: Path | None = None, *,
             gitignore: bool = True, stats: DiscoveryStats | None = None) -> tuple[list[PackageJob], list[str]]:
    """Packages to lint, sorted by directory, and warnings about what was skipped.

    `config` is one config for every directory, or a resolver that finds each directory's own.
    With `gitignore`, inside a git work tree only the Go files git lists are linted. `stats`, if
    given, is filled in with what was skipped and why.

    Raises ConfigError for a path that does not exist.
    """
    cwd = cwd or Path.cwd()
    stats = stats if stats is not None else DiscoveryStats()
    config_for = config.for_directory if isinstance(config, ConfigResolver) else (lambda _directory, _names=None: config)
    git_files = GitFiles() if gitignore else None
    git = _GitFilter(git_files, stats) if git_files is not None else None
    warnings: list[str] = []
    jobs: dict[Path, PackageJob] = {}
    listed: dict[Path, list[os.DirEntry]] = {}

    def job_for(directory: Path, root: Path) -> PackageJob:
        job = jobs.get(directory)
        if job is None:
            job_config = config_for(directory)
            files = _go_files(directory, job_config, root, listed.get(directory), git, stats.skipped)
            job = jobs[directory] = PackageJob(directory, files, config=job_config)
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
            reason = _named_file_skipped(path, resolved, cwd, config_for(resolved.parent), git_files)
            if reason is not None:
                stats.skipped_named.append((arg, reason))
                stats.skipped[reason] += 1
                continue
            job = job_for(resolved.parent, resolved.parent)
            if resolved not in job.files:  # a symlink whose target is elsewhere
                job.files = sorted([*job.files, resolved])
            job.report.add(resolved)
            continue
        if not path.is_dir():
            raise ConfigError(f"{arg}: not a Go file or a directory")
        stats.directory_args = True
        root = path.resolve()
        directories = _walk(path, config_for, warnings, listed, stats.excluded_dirs) if recursive else [root]
        for directory in directories:
            job = job_for(directory, root)
            job.report.update(job.files)

    if git_files is not None:
        warnings += git_files.warnings
        stats.git_roots |= git_files.roots()
    go_mod_cache: dict[Path, tuple[Path | None, tuple[int, int] | None, bool]] = {}
    result = []
    for directory in sorted(jobs):
        job = jobs[directory]
        if git_files is not None and len(job.report) < len(job.files):
            # pre-commit stashes unstaged changes, not untracked files: only what git tracks is context.
            job.files = [path for path in job.files
                         if path in job.report or git_files.status(path) in (None, "tracked")]
        if not job.files:
            continue
        go_mod, version, kubernetes = _go_version(directory, go_mod_cache, _names(listed.get(directory)))
        if go_mod is not None:
            stats.go_mods[str(go_mod)] = version
        job.go_version = job.config.go_version or version
        job.kubernetes = kubernetes
        job.go_mod = go_mod
        result.append(job)
    return result, warnings


def _named_file_skipped(path: Path, resolved: Path, cwd: Path, config: Config, git: GitFiles | None) -> str | None:
    """Why a file named on the command line is not linted, or None: the skips a `./...` walk from the
    working directory would apply to it."""
    absolute = Path(os.path.normpath(path if path.is_absolute() else cwd / path))
    base = cwd.resolve() if _is_within(absolute, cwd.resolve()) else None
    if base is None and git is not None:
        base = git.repo_root(resolved.parent)
    if base is not None:
        try:
            parts = (absolute if _is_within(absolute, base) else resolved).relative_to(base).parts[:-1]
        except ValueError:
            parts = ()
        for part in parts:
            if skip_dir(part):
                return f"in {part}/"
    if path.name.startswith((".", "_")):
        return "name starts with . or _"
    if not config.tests and path.name.endswith("_test.go"):
        return "tests = false"
    if config.excluded(resolved):
        return "exclude"
    if git is not None and git.status(resolved) == "ignored":
        return ".gitignore"
    return None


def _go_version(directory: Path, cache: dict[Path, tuple[Path | None, tuple[int, int] | None, bool]],
                names: set[str] | None = None) -> tuple[Path | None, tuple[int, int] | None, bool]:
    """The nearest go.mod at or above `directory`, its `go` directive and whether it requires the
    Kubernetes client libraries; `names` are the entries of `directory` when a walk listed them
    (no go.mod among them: no stat)."""
    visited = []
    for candidate in itertools.chain((directory,), directory.parents):  # lazily: most stop at once
        if candidate in cache:
            found = cache[candidate]
            break
        visited.append(candidate)
        if names is not None and candidate is directory and "go.mod" not in names:
            continue
        go_mod = os.path.join(candidate, "go.mod")
        if os.path.isfile(go_mod):
            found = (Path(go_mod), *read_go_mod(Path(go_mod)))
            break
    else:
        found = (None, None, False)
    for candidate in visited:
        cache[candidate] = found
    return found


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


def module_context(jobs: list[PackageJob], config: "Config | ConfigResolver", cwd: Path | None = None,
                   linted_elsewhere: list[PackageJob] = (), *, gitignore: bool = True,
                   walked: list[str] = ()) -> list[PackageJob]:
    """The packages the module model must see but nobody asked to lint: the rest of each linted
    package's module (a handler in another package decides how often a linted function runs), and
    `linted_elsewhere` (the other shards' packages). Their files are read and summarised, never
    reported; with the same skips as a walk (vendor, testdata, excludes)."""
    from .lifetime import module_paths

    linted = {job.directory for job in jobs}
    extra: dict[Path, PackageJob] = {}
    for job in linted_elsewhere:
        if job.directory not in linted:
            extra[job.directory] = replace(job, files=list(job.files), report=set())
    roots = sorted({module_root for module_root, _ in module_paths(sorted(linted)).values()})
    # A module under a directory the user's `DIR/...` already walked has no package left to add.
    base = cwd or Path.cwd()
    covered = [(base / arg[: -len("...")].rstrip("/")).resolve() if arg not in ("...", "./...") else base.resolve()
               for arg in walked if arg == "..." or arg.endswith("/...")]
    for module_root in roots:
        if any(module_root == done or done in module_root.parents for done in covered):
            continue
        try:
            found, _ = discover([f"{module_root}/..."], config, cwd, gitignore=gitignore)
        except ConfigError:
            continue
        for job in found:
            if job.directory not in linted and job.directory not in extra:
                job.report = set()
                extra[job.directory] = job
    return [extra[directory] for directory in sorted(extra)]
