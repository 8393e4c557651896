"""What git knows about the files of a work tree: which Go files it ignores, which it tracks.

Inside a git work tree, discovery lints what git lists (`git ls-files --cached --others
--exclude-standard`: tracked files and untracked ones that no .gitignore, `.git/info/exclude` or
global excludes file hides), so generated `build/` and `third_party/` trees that the repository
ignores are not linted. git's own list is the one exact answer to "is this ignored" (negations,
nested .gitignore files, the global excludes file); a reimplementation would drift from it.

Tracked files matter on their own: when one file is named (a pre-commit hook), its package's other
files are read for context only if git tracks them, since pre-commit stashes unstaged changes but
not untracked files, and an untracked sibling would change the verdict on the committed file.

git runs with `core.fsmonitor` off, since a repository's config could name a program for it and a
linter must not run programs from the tree it reads (`ls-files` runs no hooks). Environment
variables a git hook inherits (GIT_DIR, GIT_INDEX_FILE, GIT_WORK_TREE...) are dropped so that git
looks at the repository of each directory asked about. Where git is missing or fails, nothing is
filtered and a warning says so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

# What a git hook's environment may carry that would point git at another repository or index.
_REPOSITORY_ENV = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR",
                   "GIT_NAMESPACE", "GIT_PREFIX", "GIT_ALTERNATE_OBJECT_DIRECTORIES")


@dataclass
class Listing:
    """The Go files of one work tree git lists: relpath (posix) -> tracked."""

    root: Path
    files: dict[str, bool]


class GitFiles:
    def __init__(self) -> None:
        self._repo_of: dict[Path, Path | None] = {}
        self._listings: dict[Path, Listing | None] = {}
        self.warnings: list[str] = []

    def repo_root(self, directory: Path, names: "set[str] | None" = None) -> Path | None:
        """The nearest directory at or above `directory` holding `.git` (a directory, or the file a
        worktree or submodule has), looked up once per directory. `names`, the entries of
        `directory` when a walk has listed them, spare its look-up."""
        visited = []
        found = None
        candidate = directory
        while True:  # parent by parent: most stop at a directory already seen, and `parents` is slow
            if candidate in self._repo_of:
                found = self._repo_of[candidate]
                break
            visited.append(candidate)
            if (".git" in names if names is not None and candidate is directory
                    else os.path.lexists(os.path.join(candidate, ".git"))):
                found = candidate
                break
            parent = candidate.parent
            if parent == candidate:
                break
            candidate = parent
        for candidate in visited:
            self._repo_of[candidate] = found
        return found

    def listing(self, directory: Path, names: "set[str] | None" = None) -> Listing | None:
        """git's list for the work tree `directory` is in, or None outside one (or if git failed).
        `names`: the entries of `directory`, if listed already."""
        root = self.repo_root(directory, names)
        if root is None:
            return None
        if root not in self._listings:
            self._listings[root] = self._list(root)
        return self._listings[root]

    def roots(self) -> set[Path]:
        """The work trees whose list was read."""
        return {listing.root for listing in self._listings.values() if listing is not None}

    def status(self, path: Path) -> str | None:
        """"tracked", "untracked" (not ignored), "ignored", or None when git has no say."""
        listing = self.listing(path.parent)
        if listing is None:
            return None
        rel = _relpath(path, listing.root)
        if rel is None:
            return None
        tracked = listing.files.get(rel)
        return "ignored" if tracked is None else "tracked" if tracked else "untracked"

    def _list(self, root: Path) -> Listing | None:
        import subprocess  # only a git work tree needs it: 8 ms of imports for any other

        env = {key: value for key, value in os.environ.items() if key not in _REPOSITORY_ENV}
        command = ["git", "-c", "core.fsmonitor=false", "ls-files", "-z", "-t", "--cached", "--others",
                   "--exclude-standard", "--", "*.go"]
        try:
            proc = subprocess.run(command, cwd=root, env=env, capture_output=True, timeout=300)
        except (OSError, subprocess.SubprocessError) as exc:
            self.warnings.append(f"{root}: cannot run git ({exc}); .gitignore is not applied")
            return None
        if proc.returncode != 0:
            message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            self.warnings.append(f"{root}: git ls-files failed ({message[0] if message else proc.returncode}); "
                                 ".gitignore is not applied")
            return None
        files: dict[str, bool] = {}
        for entry in proc.stdout.split(b"\0"):
            if len(entry) < 3:
                continue
            tag, rel = entry[:1], os.fsdecode(entry[2:])
            # `?` is an untracked file; every other tag (H cached, S skip-worktree, M unmerged...)
            # is a file in the index.
            files[rel] = files.get(rel, False) or tag != b"?"
        return Listing(root, files)


def _relpath(path: Path, root: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None
