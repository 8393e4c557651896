"""Maps the frames of a stack recorded on another machine to the files being linted.

A frame names a file as the binary recorded it, which is rarely a path on this machine:
- an absolute path from the build machine: `/home/runner/work/app/app/handlers/x.go`, `/go/src/…`,
  `/app/…`, or a Windows path (`C:\\src\\app\\handlers\\x.go`, `C:/src/app/…`);
- with `-trimpath`, a module path: `example.com/app/handlers/x.go` for the main module, `net/http/…`
  for the standard library, `example.com/dep@v1.2.3/…` for a dependency.
Module paths are resolved through the `module` directive of each linted package's go.mod. Absolute
paths are matched by their longest tail that names a linted file, counted from the repository root
or from a module root; a tail that names two files is not used. Either way the function name checks
the match: its package path must lead to the file's directory when it lies in a linted module, and
the function (or method) must be declared in the file. A frame that passes neither is unmatched and
counted, never guessed. Frames of the standard library (GOROOT) and of dependencies (the module
cache, `vendor/`) are skipped.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from ..discover import PackageJob
from ..source import query, query_captures
from .stacks import Frame

_MODULE = re.compile(r"(?m)^\s*module\s+\"?([^\s\"/]+(?:/[^\s\"]+)*)\"?\s*(?://.*)?$")
_DECLARED = """
(function_declaration name: (identifier) @name)
(method_declaration name: (field_identifier) @name)
"""


class Where(str, Enum):
    TREE = "tree"  # a line of a linted file
    GOROOT = "goroot"  # the standard library: skipped
    DEPENDENCY = "dependency"  # the module cache or vendor/: skipped
    UNMATCHED = "unmatched"  # looks like the project's, matches no linted file: counted


@dataclass(frozen=True)
class Mapped:
    where: Where
    path: str = ""  # relative to the report root, posix; only for TREE
    line: int = 0
    reason: str = ""  # why a frame is UNMATCHED


_FUNCTIONS = "[(function_declaration) (method_declaration) (func_literal)] @function"
_IDENTIFIERS = "(identifier) @id"
# What a goroutine parked on a line waits for, read from the statement there, for the formats that
# print no state and hide the runtime's frames (debug=1, the binary profile).
_WAITS = """
(send_statement) @send
(unary_expression operator: "<-") @receive
(range_clause) @receive
(select_statement) @select
(call_expression function: (selector_expression field: (field_identifier) @lock (#any-of? @lock "Lock" "RLock")))
(call_expression function: (selector_expression operand: (identifier) @pkg field: (field_identifier) @sleep)
  (#eq? @pkg "time") (#eq? @sleep "Sleep"))
"""
_WAIT_STATES = (("send", "chan send"), ("receive", "chan receive"), ("select", "select"),
                ("lock", "sync.Mutex.Lock"), ("sleep", "sleep"))


@dataclass
class _File:
    relpath: str
    lines: int
    declared: frozenset[str]
    data: bytes
    tree: object


def split_function(function: str) -> tuple[str, str]:
    """`example.com/app/h.(*T).run.func1` -> ("example.com/app/h", "(*T).run.func1")."""
    head = function.split("[", 1)[0]
    slash = head.rfind("/")
    dot = head.find(".", slash + 1)
    if dot < 0:
        return head, ""
    return function[:dot], function[dot + 1 :]


def declared_name(rest: str) -> str | None:
    """The name a Go function symbol is declared under in source, None for package-level closures.

    `(*notifier).publish` -> publish, `Fetch.func1` -> Fetch, `init.0` -> init, `glob..func1` -> None.
    """
    if rest.startswith("glob."):
        return None
    if rest.startswith("("):
        close = rest.find(").")
        if close < 0:
            return None
        rest = rest[close + 2 :]
    name = rest.split(".", 1)[0].split("[", 1)[0]
    return name or None


def _normalise(file: str) -> tuple[str, bool]:
    """(posix path without a drive letter, whether it was absolute)."""
    path = file.replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", path):
        return path[2:], True
    return path, path.startswith("/")


@dataclass
class FrameMapper:
    root: Path  # the report root: paths of findings are relative to it
    files: dict[str, Path]  # relpath -> absolute path, every linted file
    modules: dict[str, str] = field(default_factory=dict)  # module path -> module dir relative to root ("" for root)
    _tails: dict[str, str | None] = field(default_factory=dict)  # tail -> relpath, None when ambiguous
    _parsed: dict[str, _File | None] = field(default_factory=dict)
    _cache: dict[Frame, Mapped] = field(default_factory=dict)

    @classmethod
    def for_jobs(cls, jobs: list[PackageJob], root: Path) -> "FrameMapper":
        root = root.resolve()
        files: dict[str, Path] = {}
        module_dirs: set[Path] = set()
        for job in jobs:
            for path in job.report:
                files[_relpath(path, root)] = path
            module_dirs |= _go_mod_dirs(job.directory, root)
        mapper = cls(root, files)
        for directory in sorted(module_dirs):
            module = _module_path(directory / "go.mod")
            if module:
                mapper.modules[module] = _relpath(directory, root) if directory != root else ""
        mapper._index_tails()
        return mapper

    def _index_tails(self) -> None:
        roots = sorted(self.modules.values(), key=len, reverse=True)
        for relpath in self.files:
            keys = {relpath}
            for module_dir in roots:
                if module_dir == "" or relpath.startswith(module_dir + "/"):
                    keys.add(relpath[len(module_dir) + 1 :] if module_dir else relpath)
                    break
            for key in keys:
                previous = self._tails.get(key, relpath)
                self._tails[key] = relpath if previous == relpath else None

    def map(self, frame: Frame) -> Mapped:
        mapped = self._cache.get(frame)
        if mapped is None:
            mapped = self._cache[frame] = self._map(frame)
        return mapped

    def _module_of(self, import_path: str) -> tuple[str, str] | None:
        """(module path, module dir) of the linted module that holds `import_path`, longest first."""
        best = None
        for module, directory in self.modules.items():
            if import_path == module or import_path.startswith(module + "/"):
                if best is None or len(module) > len(best[0]):
                    best = (module, directory)
        return best

    def _map(self, frame: Frame) -> Mapped:
        package, rest = split_function(frame.function)
        path, absolute = _normalise(frame.file)
        if "/pkg/mod/" in path or re.search(r"@v[0-9]", path) or "/vendor/" in f"/{path}":
            return Mapped(Where.DEPENDENCY)
        own = self._module_of(package)
        if own is None and package != "main":
            first = package.split("/", 1)[0]
            # The standard library's import paths have no dot in their first element.
            return Mapped(Where.GOROOT if "." not in first else Where.UNMATCHED,
                          reason="" if "." not in first else f"package {package} is in no linted module")
        candidate = None
        if not absolute:
            module = self._module_of(path)
            if module is not None:
                tail = path[len(module[0]) :].lstrip("/")
                candidate = f"{module[1]}/{tail}" if module[1] else tail
                if candidate not in self.files:
                    return Mapped(Where.UNMATCHED, reason=f"{frame.file} is not a linted file")
        if candidate is None:
            parts = [p for p in path.split("/") if p]
            for size in range(len(parts), 0, -1):
                hit = self._tails.get("/".join(parts[-size:]), "")
                if hit is None:  # ambiguous: a longer tail would have told; do not guess
                    return Mapped(Where.UNMATCHED, reason=f"{frame.file} matches several linted files")
                if hit:
                    candidate = hit
                    break
        if candidate is None:
            return Mapped(Where.UNMATCHED, reason=f"{frame.file} matches no linted file")
        if own is not None:
            module, module_dir = own
            package_dir = package[len(module) :].lstrip("/")
            expected = "/".join(p for p in (module_dir, package_dir) if p)
            if os.path.dirname(candidate) != expected:
                return Mapped(Where.UNMATCHED, reason=f"{frame.function} is not in {candidate}'s package")
        parsed = self._parse(candidate)
        if parsed is None:
            return Mapped(Where.UNMATCHED, reason=f"{candidate} cannot be read")
        name = declared_name(rest)
        if name is not None and name not in parsed.declared:
            return Mapped(Where.UNMATCHED, reason=f"{name} is not declared in {candidate}: the build was of other code")
        if not 1 <= frame.line <= parsed.lines:
            return Mapped(Where.UNMATCHED, reason=f"{candidate} has no line {frame.line}")
        return Mapped(Where.TREE, candidate, frame.line)

    def _parse(self, relpath: str) -> _File | None:
        if relpath not in self._parsed:
            try:
                data = self.files[relpath].read_bytes()
            except OSError:
                self._parsed[relpath] = None
                return None
            from ..source import new_parser

            tree = new_parser().parse(data)
            names = query_captures(_DECLARED, tree.root_node).get("name", [])
            declared = frozenset(data[n.start_byte : n.end_byte].decode("utf-8", "replace") for n in names)
            self._parsed[relpath] = _File(relpath, data.count(b"\n") + (not data.endswith(b"\n")), declared, data, tree)
        return self._parsed[relpath]

    def waiting_statement(self, relpath: str, line: int) -> str:
        """The state a goroutine parked on `line` is in, from the statement there ("" if unclear:
        none, or two kinds of wait on one line)."""
        from tree_sitter import QueryCursor

        parsed = self._parse(relpath)
        if parsed is None:
            return ""
        cursor = QueryCursor(query(_WAITS))
        cursor.set_point_range((line - 1, 0), (line, 0))
        captures = cursor.captures(parsed.tree.root_node)
        found = {state for name, state in _WAIT_STATES
                 if any(n.start_point[0] == line - 1 for n in captures.get(name, []))}
        return found.pop() if len(found) == 1 else ""

    def identifiers_of_function(self, relpath: str, line: int) -> frozenset[str]:
        """The names used in the innermost function around `line` (empty outside functions)."""
        from tree_sitter import QueryCursor

        parsed = self._parse(relpath)
        if parsed is None:
            return frozenset()
        row = line - 1
        functions = query_captures(_FUNCTIONS, parsed.tree.root_node).get("function", [])
        around = [n for n in functions if n.start_point[0] <= row <= n.end_point[0]]
        if not around:
            return frozenset()
        inner = min(around, key=lambda n: n.end_byte - n.start_byte)
        cursor = QueryCursor(query(_IDENTIFIERS))
        cursor.set_byte_range(inner.start_byte, inner.end_byte)
        names = cursor.captures(parsed.tree.root_node).get("id", [])
        return frozenset(parsed.data[n.start_byte : n.end_byte].decode("utf-8", "replace") for n in names)

    def line_text(self, relpath: str, line: int) -> str:
        try:
            lines = self.files[relpath].read_bytes().decode("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return lines[line - 1] if 1 <= line <= len(lines) else ""


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _go_mod_dirs(directory: Path, root: Path) -> set[Path]:
    """The directory of the go.mod that governs `directory` (its nearest ancestor with one)."""
    for candidate in [directory, *directory.parents]:
        if (candidate / "go.mod").is_file():
            return {candidate}
        if candidate == root.parent:
            break
    return set()


def _module_path(go_mod: Path) -> str | None:
    try:
        text = go_mod.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    match = _MODULE.search(text)
    return match.group(1) if match else None
