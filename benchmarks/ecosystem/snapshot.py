"""Write the Go sources of one pinned commit of a git repository into a snapshot directory.

    python benchmarks/ecosystem/snapshot.py GIT_DIR DEST [--commit SHA]

Only what goleaklint reads is written: `.go` files and `go.mod`/`go.work` files (so each package's Go
version is known), nothing under `vendor/`. Blobs are read with `git ls-tree -r` and one
`git cat-file --batch` process rather than `git archive` or a checkout, because partial and shallow
clones can lack some large blobs, and `git archive` stops at the first one missing; a missing blob is
counted and skipped. GIT_DIR may be a bare repository or a work tree's `.git`. DEST is emptied first.
Snapshots are third-party code: keep them outside this repository (docs/ecosystem.md).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath

_MODULE_FILES = {"go.mod", "go.work"}


def wanted(path: str) -> bool:
    """Whether a path in the tree is something goleaklint reads (and not a vendored copy)."""
    parts = PurePosixPath(path).parts
    if "vendor" in parts[:-1] or any(part in ("", ".", "..") for part in parts):
        return False
    name = parts[-1]
    return name.endswith(".go") or name in _MODULE_FILES


def extract(git_dir: Path, commit: str, dest: Path) -> tuple[int, int]:
    """Write the wanted blobs of `commit` under `dest`; return (files written, blobs missing)."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=True).stdout
    entries: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, oid = meta.decode().split()
        path = name.decode("utf-8", errors="surrogateescape")
        # Regular files only: a symlink (120000) or a submodule (commit) is not code of this commit.
        if kind == "blob" and mode in ("100644", "100755") and wanted(path):
            entries.append((path, oid))
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    written = missing = 0
    with subprocess.Popen(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE) as batch:
        assert batch.stdin and batch.stdout
        for path, oid in entries:
            batch.stdin.write(oid.encode() + b"\n")
            batch.stdin.flush()
            header = batch.stdout.readline().split()
            if len(header) < 3 or header[1] != b"blob":  # "<oid> missing"
                missing += 1
                continue
            data = batch.stdout.read(int(header[2]))
            batch.stdout.read(1)  # the newline after each object
            target = dest / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            written += 1
        batch.stdin.close()
    return written, missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("dest", type=Path)
    parser.add_argument("--commit", default="HEAD", help="the pinned commit (default: HEAD)")
    args = parser.parse_args(argv)
    commit = subprocess.run(["git", "--git-dir", str(args.git_dir), "rev-parse", "--verify",
                             f"{args.commit}^{{commit}}"], capture_output=True, text=True)
    if commit.returncode:
        print(f"snapshot: {args.commit} is not a commit in {args.git_dir}: {commit.stderr.strip()}",
              file=sys.stderr)
        return 2
    sha = commit.stdout.strip()
    written, missing = extract(args.git_dir, sha, args.dest)
    print(f"{args.dest}: {written} files of {sha}" + (f", {missing} blobs missing" if missing else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
