"""What a `_test.go` file tells the module model, read from its bytes without parsing it.

At the default bar no finding in a `_test.go` file can be shown: test-only code is not reported,
and a benchmark loop's findings take their rule's label, which is below `high` for every rule
(linter/engine.py `lints_tests`). Test files then only tell the module model which functions of
the module tests call, so that a helper only tests call is test-only. Parsing them for that, and
walking their trees, was 40% of a cold run on code with many tests (docs/speed.md). This module
reads the same facts from the bytes, with comments and string literals blanked out first:

- the package clause and the imports (name -> path, as the tree reads them);
- the top-level functions and methods, with their lines (literals are part of the function
  they are written in; every function of a test file is test code either way);
- what the file's functions call or hand on that can be a function of the module: a plain call
  of a function of the package (`helper(t)`), a call or value of an in-module import
  (`server.New(…)`, `run(cmd.Execute)`), a function of the package handed to a call by name
  (`t.Cleanup(stop)`), a keyed value (`Handler: serve`), and the command literals of a CLI
  framework (`RunE: runServe`).

What the tree-based summary also reads in test code and this does not: method values and keyed
values whose type comes from a receiver or parameter (`Handler: s.ServeHTTP` in a helper taking
`s *Server`). A function only such a value reaches keeps the lifetime "unknown" instead of "test".
"""

from __future__ import annotations

import bisect
import itertools
import operator
import re
from dataclasses import dataclass, field

from .callgraph import _COMMAND_KEYS, _only_selected
from .model import assumed_package_name
from .patterns import LazyPattern
from .source import name_hits, package_clause

# Comments, interpreted and raw strings, runes: blanked to spaces, newlines kept (lines stay).
_BLANKABLE = LazyPattern(rb'//[^\n]*|/\*.*?\*/|"(?:[^"\\\n]|\\.)*"|`[^`]*`|\'(?:[^\'\\\n]|\\.)*\'', re.S)
_BLANK = bytes(b if b == 10 else 32 for b in range(256))
_IMPORT_BLOCK = LazyPattern(rb"^import[ \t]*\(", re.M)
_IMPORT_LINE = LazyPattern(rb'^import[ \t]+(?:([A-Za-z_]\w*|\.)[ \t]+)?"([^"\n]+)"', re.M)
_IMPORT_SPEC = LazyPattern(rb'(?:([A-Za-z_]\w*|\.)[ \t]+)?"([^"\n]+)"')
_FUNCTION = LazyPattern(rb"^func[ \t]*(?:\((?P<receiver>[^)]*)\)[ \t]*)?(?P<name>[A-Za-z_]\w*)", re.M)
_RECEIVER_TYPE = LazyPattern(rb"\*?[ \t]*([A-Za-z_]\w*)[ \t]*(?:\[[^\]]*\])?[ \t]*\Z")
# Calls, matched on the reversed bytes, where each begins with its `(`: a pattern that begins with a
# literal is found in C at the speed of a find, one that begins with a name is tried at every byte
# (fifteen times slower over test code). Reversed, `name(` is `(eman`: group 1 is the callee's name,
# group 2 the operand of `operand.name(` (reversed), `F[T](` is `(]T[F`; neither may follow a dot
# (`x.y.name(`, or a chain broken after its dot).
_CALLS_REVERSED = LazyPattern(
    rb"\((?:\][^\[\]\n]*\[[ \t]*)?[ \t]*+(\w++)(?:[ \t\r\n]*+\.[ \t]*+(\w++))?(?![\w.]|[ \t\r\n]*+\.)")
_ARGUMENT = (LazyPattern(rb"\([ \t\r\n]*([A-Za-z_]\w*)[ \t\r\n]*(?=[,)])"),
             LazyPattern(rb",[ \t\r\n]*([A-Za-z_]\w*)[ \t\r\n]*(?=[,)])"))
# `: value` of a keyed element, the value a name or `x.Name`, then `,`, `}` or the line's end.
_KEYED = LazyPattern(
    rb":(?![=:])[ \t]*+(?P<value>[A-Za-z_]\w*+)(?:[ \t]*+\.[ \t]*+(?P<field>[A-Za-z_]\w*+))?[ \t]*+(?=[,}]|\r?\n)")
_SELECTED_NAME = LazyPattern(rb"[ \t\r\n]*\.[ \t\r\n]*([A-Za-z_]\w*)[ \t\r\n]*([,)])?")
# After a name, what declares it: `:=` (after more names), or a type in a parameter list.
_DECLARES = LazyPattern(rb"[ \t]*(?:,[ \t]*\w+[ \t]*)*:=|[ \t]+[\w*\[]")
_KEYWORDS = frozenset({b"func", b"if", b"for", b"switch", b"return", b"go", b"defer", b"select", b"case",
                       b"range", b"type", b"map", b"chan", b"struct", b"interface"})


def code_only(data: bytes) -> bytes:
    """The bytes with comments, strings and runes blanked to spaces, newlines kept."""
    return _BLANKABLE.sub(lambda match: match.group().translate(_BLANK), data)


@dataclass
class ScannedTestFile:
    """The facts of one test file the module model needs (see the module's docstring)."""

    relpath: str
    package: str
    imports: list[tuple[str, str]] = field(default_factory=list)  # (local name, path), `_` and `.` too
    # (name, line, end line, kind, receiver type, exported), top-level only
    functions: list[tuple[str, int, int, str, str, bool]] = field(default_factory=list)
    declared: set[str] = field(default_factory=set)  # the names of its top-level funcs (not methods)
    code: bytes = b""  # code_only(data)
    lines: "_LineIndex | None" = None
    declaration_offsets: set[int] = field(default_factory=set)  # where each `func` declaration's name is
    imports_end: int = -1  # where the first function declaration starts
    data: bytes = b""
    generated: bool = False  # `// Code generated … DO NOT EDIT.`: read only for the names it uses
    reported: bool = True  # one of the files the run reports on (not only context, not generated)

    @property
    def imported_paths(self) -> frozenset[str]:
        return frozenset(path for _, path in self.imports)


def scan(relpath: str, data: bytes) -> ScannedTestFile:
    head = package_clause(data)
    code = code_only(data)
    package = head[1] if head is not None else _package_from_code(code)
    found = ScannedTestFile(relpath, package, code=code, data=data)
    found.imports = _imports(data, code)
    lines = found.lines = _LineIndex(code)
    for match in _FUNCTION.finditer(code):
        found.declaration_offsets.add(match.start("name"))
        if found.imports_end < 0:
            found.imports_end = match.start()
        name = match.group("name").decode()
        receiver = ""
        if match.group("receiver") is not None:
            typed = _RECEIVER_TYPE.search(match.group("receiver").strip())
            if typed is None:
                continue
            receiver = typed.group(1).decode()
        line = lines.line(match.start())
        end = _function_end(code, match.end())
        found.functions.append((f"{receiver}.{name}" if receiver else name, line, lines.line(end),
                                "method" if receiver else "func", receiver, name[:1].isupper()))
        if not receiver:
            found.declared.add(name)
    if found.imports_end < 0:
        found.imports_end = len(code)
    return found


def _package_from_code(code: bytes) -> str:
    match = re.search(rb"^package[ \t]+([A-Za-z_]\w*)", code, re.M)
    return match.group(1).decode() if match is not None else ""


def _imports(data: bytes, code: bytes) -> list[tuple[str, str]]:
    specs: list[tuple[str, str]] = []
    first = _FUNCTION.search(code)
    end = first.start() if first is not None else len(code)
    for match in _IMPORT_LINE.finditer(data, 0, end):
        if code[match.start():match.start() + 6] == b"import":
            specs.append(_spec(match.group(1), match.group(2)))
    for block in _IMPORT_BLOCK.finditer(code, 0, end):
        close = code.find(b")", block.end())
        close = len(code) if close == -1 else close
        for match in _IMPORT_SPEC.finditer(data, block.end(), close):
            if code[match.end() - 1:match.end()] == b" ":  # the path is a string, not in a comment
                if not code[match.start():match.start(2) - 1].strip(b" \t") or match.group(1) is not None:
                    specs.append(_spec(match.group(1), match.group(2)))
    return specs


def _spec(name: bytes | None, path: bytes) -> tuple[str, str]:
    text = path.decode("utf-8", "replace")
    return (name.decode() if name is not None else assumed_package_name(text)), text


def _function_end(code: bytes, start: int) -> int:
    """The offset of the closing brace of the function declared at `start`: the first `}` at the
    start of a line after it (gofmt's layout), or its own line's end for a one-line function."""
    line_end = code.find(b"\n", start)
    line_end = len(code) if line_end == -1 else line_end
    own = code[start:line_end]
    if own.count(b"{") and own.count(b"{") == own.count(b"}"):
        return line_end
    close = code.find(b"\n}", start)
    return close + 1 if close != -1 else len(code)


class _LineIndex:
    def __init__(self, data: bytes):
        # The offsets where lines start, found in C: a find per line costs a tenth of the scan.
        lengths = itertools.accumulate(map(len, data.split(b"\n")))
        self.starts = [0, *map(operator.add, lengths, itertools.count(1))][:-1]

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


class TestFileEdges:
    """The calls of one scanned test file, as the tree-based summary of test code records them:
    yields (caller, callee reference, line) in the summary's order of kinds."""

    def __init__(self, scanned: ScannedTestFile, package_functions: set[bytes], in_module):
        """`package_functions`: the names of the package's functions, as bytes."""
        self.scanned = scanned
        self.code = scanned.code
        # (line, end line, name) of each function, by line
        self.functions = sorted((fn[1], fn[2], fn[0]) for fn in scanned.functions)
        self._starts = [span[0] for span in self.functions]
        self.lines = scanned.lines or _LineIndex(self.code)
        self.package_functions = package_functions
        imports = {name.encode(): path for name, path in scanned.imports if name not in ("_", ".")}
        self.module_imports = {name: path for name, path in imports.items() if in_module(path)}
        self._declaration_offsets = scanned.declaration_offsets
        self._after_imports = scanned.imports_end
        self._shadowed: dict[bytes, bool] = {}
        self._declared: dict[tuple[bytes, int], int | None] = {}

    def _in_arguments(self, at: int) -> bool:
        """Whether `at` is directly inside a call's argument list: the innermost bracket open there
        is a `(` right after a callee (a name, `)` or `]`), not a parameter or result list, and
        not `new(`/`make(`, whose argument is a type."""
        code = self.code
        opener = _opener(code, at)
        if opener <= 0 or code[opener] != 0x28:
            return False
        before = code[opener - 1]
        if before in b")]":
            return True
        if not (chr(before).isalnum() or before == 0x5F):
            return False
        word = _word_before(code, opener)
        if word == b"func" or word in _TYPE_TAKING or word in _KEYWORDS:
            return False
        return opener - len(word) not in self._declaration_offsets

    def _in_literal(self, at: int) -> bool:
        opener = _opener(self.code, at)
        return opener >= 0 and self.code[opener] == 0x7B

    def _caller(self, offset: int) -> str | None:
        line = self.lines.line(offset)
        index = bisect.bisect_right(self._starts, line) - 1
        if index < 0:
            return None
        start, end, name = self.functions[index]
        return name if start <= line <= end else None

    def _not_shadowed(self, key: bytes, at: int) -> bool:
        """The import's name at `at` is the import: every mention of it is a selector's operand, or
        no receiver, parameter or local of the function around `at` declares it before `at`."""
        known = self._shadowed.get(key)
        if known is None:
            known = self._shadowed[key] = _only_selected(self.code, key, self._after_imports)
        if known:
            return True
        span = self._span_at(at)
        if span is None:
            return True
        first = self._declared.get((key, span[0]), -1)
        if first == -1:
            first = self._declared[(key, span[0])] = self._first_declaration(key, span)
        return first is None or first > at

    def _first_declaration(self, key: bytes, span: tuple[int, int]) -> int | None:
        code = self.code
        for hit in name_hits(code, key, span[0], span[1]):
            if _DECLARES.match(code, hit + len(key)) is not None:
                return hit  # `key := …`, `key, err := …`, or a parameter `key T`
            if code[max(0, hit - 4):hit] == b"var " or code[max(0, hit - 6):hit] == b"range ":
                return hit
        return None

    def _span_at(self, offset: int) -> tuple[int, int] | None:
        line = self.lines.line(offset)
        index = bisect.bisect_right(self._starts, line) - 1
        if index < 0:
            return None
        start, end, _ = self.functions[index]
        if not start <= line <= end:
            return None
        starts = self.lines.starts
        return starts[start - 1], starts[end] if end < len(starts) else len(self.code)

    def edges(self, cli_file: bool):
        code = self.code
        size = len(code)
        functions = self.package_functions
        imports = self.module_imports
        line = self.lines.line
        glob = f"glob@{self.scanned.relpath.rsplit('/', 1)[-1]}.init"
        plain, selected = [], []
        for match in _CALLS_REVERSED.finditer(code[::-1]):
            operand = match.group(2)
            if operand is None:
                name = match.group(1)[::-1]
                if name in functions:
                    plain.append((size - match.end(1), name))
            else:
                key = operand[::-1]
                if key in imports:
                    selected.append((size - match.end(2), key, match.group(1)[::-1]))
        # Plain calls of the package's functions, in source order.
        for at, name in reversed(plain):
            if at in self._declaration_offsets:
                continue
            caller = self._caller(at)
            yield (caller or glob), ["L", name.decode()], line(at), caller is None
        # Calls through in-module imports, then their functions handed to a call (`run(cmd.Execute)`).
        for at, key, name in reversed(selected):
            if not self._not_shadowed(key, at):
                continue
            caller = self._caller(at)
            yield (caller or glob), ["I", imports[key], name.decode()], line(at), caller is None
        values = []
        for key, path in imports.items():
            for at in name_hits(code, key, self._after_imports):
                after = _SELECTED_NAME.match(code, at + len(key))
                if after is None or after.group(2) is None or (at and code[at - 1] == 0x2E):
                    continue
                previous = _previous(code, at)
                if previous < 0 or code[previous] not in b"(,":
                    continue
                values.append((at, key, path, after.group(1)))
        for at, key, path, name in sorted(values):
            if self._in_arguments(at) and self._not_shadowed(key, at):
                caller = self._caller(at)
                if caller is not None:
                    yield caller, ["I", path, name.decode()], line(at), False
        if functions and not all(functions.isdisjoint(pattern.findall(code)) for pattern in _ARGUMENT):
            matches = [match for pattern in _ARGUMENT for match in pattern.finditer(code)
                       if match.group(1) in functions and self._in_arguments(match.start(1))]
            matches.sort(key=lambda m: m.start(1))
            for match in matches:
                caller = self._caller(match.start(1))
                if caller is not None:
                    yield caller, ["L", match.group(1).decode()], line(match.start(1)), False
        for match in _KEYED.finditer(code):
            value, field_name = match.group("value"), match.group("field")
            if value in _KEYWORDS:
                continue
            ref = None
            if field_name is None:
                if value in functions:
                    ref = ["L", value.decode()]
            else:
                path = imports.get(value)
                if path is not None and self._not_shadowed(value, match.start("value")):
                    ref = ["I", path, field_name.decode()]
            if ref is None or not self._in_literal(match.start("value")):
                continue
            colon = _previous(code, match.start() + 1)
            key = _word_before(code, _previous(code, match.start()) + 1) if colon >= 0 else b""
            if cli_file and key.decode() in _COMMAND_KEYS:
                yield "<cli>", ref, line(match.start("value")), None
                continue
            caller = self._caller(match.start("value"))
            if caller is not None:
                yield caller, ref, line(match.start("value")), False


_BRACKETS = LazyPattern(rb"[()\[\]{}]")
_CLOSING = {0x29: 0x28, 0x5D: 0x5B, 0x7D: 0x7B}
_TYPE_TAKING = (b"new", b"make")


def _opener(code: bytes, at: int) -> int:
    """The offset of the innermost bracket open at `at` (-1: none found near it)."""
    window = 256
    while True:
        start = max(0, at - window)
        depth = 0
        for match in reversed(list(_BRACKETS.finditer(code, start, at))):
            byte = code[match.start()]
            if byte in _CLOSING:
                depth += 1
            elif depth:
                depth -= 1
            else:
                return match.start()
        if start == 0 or window >= 16384:
            return -1
        window *= 4


def _previous(code: bytes, at: int) -> int:
    """The offset of the last byte before `at` that is not a space (-1: none)."""
    at -= 1
    while at >= 0 and code[at] in b" \t\r\n":
        at -= 1
    return at


def _word_before(code: bytes, end: int) -> bytes:
    start = end
    while start > 0 and (code[start - 1:start].isalnum() or code[start - 1] == 0x5F):
        start -= 1
    return code[start:end]


