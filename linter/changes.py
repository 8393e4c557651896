"""Changed lines, for PR checks: `--new-from-rev REV` (git) and `--new-from-patch FILE` (a unified diff).

Only added or modified lines count (the `+` side of each hunk); a finding is kept when its first line is
one of them. Files git does not track yet count as changed throughout. git runs as a subprocess with a
fixed argument list and no shell; options that could run configured programs (external diff drivers,
textconv filters, fsmonitor hooks) are turned off, so linting a repository never executes its code.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .config import ConfigError
from .patterns import LazyPattern
from .rule import Finding

if TYPE_CHECKING:
    import subprocess

_HUNK = LazyPattern(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}
_GIT_SAFE = ("-c", "core.quotepath=off", "-c", "core.fsmonitor=false", "-c", "diff.noprefix=false")


@dataclass
class ChangedLines:
    lines: dict[str, set[int]] = field(default_factory=dict)  # path relative to the root -> changed lines
    whole_files: set[str] = field(default_factory=set)  # new, untracked files: every line is new

    def contains(self, path: str, line: int) -> bool:
        return path in self.whole_files or line in self.lines.get(path, ())


def apply_changes(findings: list[Finding], changed: ChangedLines) -> tuple[list[Finding], dict[str, int]]:
    kept = [f for f in findings if changed.contains(f.path, f.line)]
    return kept, {"on_unchanged_lines": len(findings) - len(kept)}


def _unquote(path: str) -> str:
    """git C-quotes paths with unusual characters: "a/t\\303\\251st.go"."""
    if not (len(path) >= 2 and path[0] == path[-1] == '"'):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        char = body[i]
        if char == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and re.match(r"[0-7]{3}", body[i + 1 : i + 4]):
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out += _ESCAPES.get(nxt, nxt).encode()
            i += 2
            continue
        out += char.encode()
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _header_path(rest: str) -> str | None:
    rest = rest.rstrip("\n").rstrip("\r")
    if not rest.startswith('"'):
        rest = rest.split("\t", 1)[0]  # `diff -u` appends a tab and a timestamp
    path = _unquote(rest)
    return None if path == "/dev/null" else path


def parse_unified_diff(text: str) -> dict[str, set[int]]:
    """Added lines per new-side path, as written in the diff (prefixes not yet stripped).

    Hunk bodies are walked line by line rather than trusted from the header, so a patch with context
    lines marks only the `+` lines. A file that is only deleted is absent.
    """
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    old_path: str | None = None
    new_line = remaining_new = remaining_old = 0
    for raw in text.splitlines():
        if remaining_new > 0 or remaining_old > 0:
            tag = raw[:1]
            if tag == "+":
                if current is not None:
                    current.add(new_line)
                new_line += 1
                remaining_new -= 1
            elif tag == "-":
                remaining_old -= 1
            elif tag == "\\":  # "\ No newline at end of file"
                pass
            else:  # context (" ", or an empty line from an editor that trimmed the space)
                new_line += 1
                remaining_new -= 1
                remaining_old -= 1
            continue
        if raw.startswith("--- "):
            old_path = _header_path(raw[4:])
        elif raw.startswith("+++ "):
            new_path = _header_path(raw[4:])
            if new_path is None:
                current = None
            else:
                new_path = _strip_prefix(old_path, new_path)
                current = changed.setdefault(new_path, set())
        elif (match := _HUNK.match(raw)) is not None:
            header = raw[: match.end()]
            old = re.match(r"^@@ -\d+(?:,(\d+))?", header)
            remaining_old = int(old.group(1)) if old and old.group(1) is not None else 1
            new_line = int(match.group(1))
            remaining_new = int(match.group(2)) if match.group(2) is not None else 1
    return {path: lines for path, lines in changed.items() if lines}


def _strip_prefix(old_path: str | None, new_path: str) -> str:
    """git's `a/` and `b/` prefixes, as `patch -p1` would strip them; other diffs keep their paths."""
    if new_path.startswith("b/") and (old_path is None or old_path.startswith("a/")):
        return new_path[2:]
    return new_path


def _relative(paths: dict[str, set[int]], base: Path, root: Path) -> dict[str, set[int]]:
    result: dict[str, set[int]] = {}
    for path, lines in paths.items():
        rel = Path(os.path.relpath(base / path, root)).as_posix()
        result.setdefault(rel, set()).update(lines)
    return result


def changes_from_patch(patch: Path, root: Path) -> ChangedLines:
    """Paths in the patch are relative to the working directory (after git's a/ b/ prefixes)."""
    try:
        text = patch.read_bytes().decode("utf-8", "surrogateescape")
    except OSError as exc:
        raise ConfigError(f"cannot read patch {patch}: {exc.strerror or exc}") from None
    real_root = root.resolve()
    return ChangedLines(_relative(parse_unified_diff(text), real_root, real_root))


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    import subprocess  # only --new-from-rev runs git here: 8 ms of imports for every other run

    env = dict(os.environ, LC_ALL="C", GIT_OPTIONAL_LOCKS="0", GIT_PAGER="cat")
    try:
        return subprocess.run(["git", *_GIT_SAFE, *args], cwd=cwd, env=env, capture_output=True, check=False)
    except FileNotFoundError:
        raise ConfigError("--new-from-rev needs git, and git is not on PATH") from None


def changes_since(rev: str, root: Path) -> ChangedLines:
    """Lines added or changed in the working tree (staged or not) since REV, plus untracked files."""
    if not rev or rev.startswith("-"):
        raise ConfigError(f"--new-from-rev: {rev!r} is not a revision")
    real_root = root.resolve()
    top = _git(["rev-parse", "--show-toplevel"], real_root)
    if top.returncode != 0:
        raise ConfigError(f"--new-from-rev: {real_root} is not inside a git repository")
    toplevel = Path(top.stdout.decode("utf-8", "surrogateescape").strip())
    verify = _git(["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"], toplevel)
    if verify.returncode != 0:
        raise ConfigError(f"--new-from-rev: unknown revision {rev!r} (is it fetched? CI checkouts are often shallow)")
    commit = verify.stdout.decode().strip()
    diff = _git(
        ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", "--unified=0",
         "--src-prefix=a/", "--dst-prefix=b/", commit, "--"],
        toplevel,
    )
    if diff.returncode != 0:
        message = diff.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConfigError(f"--new-from-rev: git diff failed: {message[-1] if message else diff.returncode}")
    lines = parse_unified_diff(diff.stdout.decode("utf-8", "surrogateescape"))
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], toplevel)
    new_files = {
        Path(os.path.relpath(toplevel / name, real_root)).as_posix()
        for name in untracked.stdout.decode("utf-8", "surrogateescape").split("\0") if name
    } if untracked.returncode == 0 else set()
    return ChangedLines(_relative(lines, toplevel, real_root), new_files)
