"""A parsed Go file: its bytes, its tree, and position arithmetic.

tree-sitter speaks byte offsets; people and SARIF speak lines and characters. Every conversion lives
here so that a BOM, CRLF line endings, tabs, non-ASCII text and even invalid UTF-8 come out right in
every format.
"""

from __future__ import annotations

import bisect
import re
from functools import lru_cache
from pathlib import Path

import tree_sitter
import tree_sitter_go
from .patterns import LazyPattern

GO = tree_sitter.Language(tree_sitter_go.language())
_BOM = b"\xef\xbb\xbf"


class cached_property:
    """functools.cached_property without its lock: computed on first use, then an ordinary
    attribute. Python 3.11's takes a lock on every first use (59k a run on the benchmark corpus,
    2 us each); nothing here is shared between threads."""

    def __init__(self, func):
        self.func = func
        self.attrname = None
        self.__doc__ = func.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.attrname = name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        value = instance.__dict__[self.attrname] = self.func(instance)
        return value


def new_parser() -> tree_sitter.Parser:
    return tree_sitter.Parser(GO)


@lru_cache(maxsize=None)
def query(text: str) -> tree_sitter.Query:
    """The compiled query for `text`, compiled on first use and kept: analyses keep their queries
    as text, so that starting a process (a warm run, a worker) compiles none it does not run."""
    return tree_sitter.Query(GO, text)


def source_order(node: tree_sitter.Node) -> tuple[int, int]:
    """A sort key: by start, and of two nodes that start together the outer first."""
    return node.start_byte, -node.end_byte


def query_captures(text: str, node: tree_sitter.Node) -> dict[str, list[tree_sitter.Node]]:
    """The captures of query `text` under `node`, each name's nodes in source order (outer before
    inner at one start). tree-sitter hands captures out as its matches finish, which is not source
    order once patterns alternate or nest, so "the first call that ..." would depend on the query."""
    found = tree_sitter.QueryCursor(query(text)).captures(node)
    for nodes in found.values():
        nodes.sort(key=source_order)
    return found


def query_matches(text: str, node: tree_sitter.Node) -> list[dict[str, list[tree_sitter.Node]]]:
    """The matches of query `text` under `node`, in source order of their first capture."""
    found = [match for _, match in tree_sitter.QueryCursor(query(text)).matches(node)]
    found.sort(key=lambda match: min(source_order(nodes[0]) for nodes in match.values()) if match else (0, 0))
    return found


def _first_error(root: tree_sitter.Node) -> tree_sitter.Node | None:
    """The first ERROR or MISSING node among the tree's children, found without recursion."""
    stack = [root]
    while stack:
        node = stack.pop()
        if not node.has_error:
            continue
        if node.is_error or node.is_missing:
            return node
        stack.extend(reversed(node.children))
    return None


def _broken(root: tree_sitter.Node, data: bytes) -> bool:
    """The tree has a syntax error. tree-sitter-go wants a newline after a file's last declaration,
    which Go does not: a file ending in `type T struct{}` or `var ( … )` with none parses with a
    MISSING terminator that no child holds, the tree otherwise whole. That alone is no error."""
    if not root.has_error:
        return False
    return data.endswith(b"\n") or _first_error(root) is not None


_NAME_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
# Bytes that continue an ASCII identifier: a name next to one of them is part of a longer name.
NAME_BYTES = _NAME_START | frozenset(b"0123456789")


def name_hits(data: bytes, key: bytes, start: int = 0, end: int | None = None):
    """Offsets in data[start:end] where `key` stands between identifier boundaries (no ASCII
    identifier byte on either side), found with find(): a lookbehind regex scans byte by byte.
    A hit may still be inside a comment, a string or a longer non-ASCII name: callers check the
    node there, or treat the hit as a possible mention."""
    end = len(data) if end is None else end
    size = len(key)
    if not size:
        return
    at = data.find(key, start, end)
    while at != -1:
        stop = at + size
        if (at == 0 or data[at - 1] not in NAME_BYTES) and (stop >= len(data) or data[stop] not in NAME_BYTES):
            yield at
        at = data.find(key, at + 1, end)


_COMMENTS = LazyPattern(rb"//[^\n]*|/\*.*?\*/", re.S)


def without_comments(data: bytes) -> bytes:
    """Go source bytes with its comments removed (a string holding `//` loses its tail: for
    searching code by pattern, not for positions)."""
    return _COMMENTS.sub(b"", data)


def skip_space_and_comments(data: bytes, i: int) -> int | None:
    """The offset of the next token at or after `i`; None inside an unterminated comment."""
    size = len(data)
    while i < size:
        byte = data[i]
        if byte in b" \t\r\n":
            i += 1
        elif data.startswith(b"//", i):
            end = data.find(b"\n", i)
            i = size if end == -1 else end + 1
        elif data.startswith(b"/*", i):
            end = data.find(b"*/", i + 2)
            if end == -1:
                return None
            i = end + 2
        else:
            return i
    return i


def package_clause(data: bytes) -> tuple[int, str] | None:
    """(offset, name) of the `package name` clause that must open every Go file after comments;
    None when the bytes do not start that way (the tree then decides). A name with non-ASCII
    letters is left to the tree as well."""
    start = skip_space_and_comments(data, 0)
    if start is None or not data.startswith(b"package", start):
        return None
    i = start + len(b"package")
    if i < len(data) and data[i] in NAME_BYTES:
        return None  # `packagefoo`
    i = skip_space_and_comments(data, i)
    if i is None or i >= len(data) or data[i] not in _NAME_START:
        return None
    end = i
    while end < len(data) and data[end] in NAME_BYTES:
        end += 1
    if end < len(data) and data[end] >= 0x80:
        return None
    return start, data[i:end].decode("ascii")


class SourceFile:
    """One Go file, read once and parsed once.

    ``data`` is the file's bytes without a leading UTF-8 BOM (editors do not count the BOM as a
    column, and tree-sitter-go would see it as an error), so every byte offset in the tree indexes
    ``data`` directly.
    """

    def __init__(self, path: Path, relpath: str, raw: bytes, parser: tree_sitter.Parser, *, lazy: bool = False):
        self.path = path
        self.relpath = relpath
        self.has_bom = raw.startswith(_BOM)  # the SARIF line hash of line 1 counts it
        self.data = raw[3:] if self.has_bom else raw
        self._parser = parser
        self._recovery = None  # set when the first parse had errors (linter/recovery.py)
        if not lazy:
            self.tree  # noqa: B018 - parse now

    @cached_property
    def tree(self) -> tree_sitter.Tree:
        """Parsed on first use for a lazy file: a file linted only as context for its package
        (generated code, a sibling of a file named on the command line) is parsed only if some
        package rule or name lookup needs more than its bytes."""
        tree = self._parser.parse(self.data)
        if _broken(tree.root_node, self.data):
            # Go newer than the grammar (linter/recovery.py): only a broken tree pays for this.
            from .recovery import recover

            self._recovery = recover(self._parser, self.data, tree)
            tree = self._recovery.tree
        self._parser = None
        return tree

    @cached_property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    @property
    def parsed(self) -> bool:
        return "tree" in self.__dict__

    @cached_property
    def head(self) -> tuple[int, str] | None:
        """(offset of the `package` clause, package name), read from the bytes without parsing;
        None when the file does not start with comments and a package clause."""
        return package_clause(self.data)

    @cached_property
    def declarations(self) -> list[tree_sitter.Node]:
        """The named children of the root (package clause, imports, top-level declarations), made
        once: the model and the engine each look at them, and every look builds the list anew."""
        return self.root.named_children

    @cached_property
    def line_starts(self) -> list[int]:
        starts = [0]
        find = self.data.find
        i = find(b"\n")
        while i != -1:
            starts.append(i + 1)
            i = find(b"\n", i + 1)
        return starts

    def text(self, node: tree_sitter.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line_of(self, offset: int) -> int:
        """1-based line of a byte offset."""
        return bisect.bisect_right(self.line_starts, offset)

    def line_bytes(self, line: int) -> bytes:
        starts = self.line_starts
        start = starts[line - 1]
        end = starts[line] - 1 if line < len(starts) else len(self.data)
        chunk = self.data[start:end]
        return chunk[:-1] if chunk.endswith(b"\r") else chunk

    def line_text(self, line: int) -> str:
        return self.line_bytes(line).decode("utf-8", "replace")

    def position(self, offset: int) -> tuple[int, int, int]:
        """(line, column in code points, column in UTF-16 units), all 1-based, for a byte offset.

        Invalid UTF-8 counts one replacement character per undecodable byte, as editors show it.
        """
        line = self.line_of(offset)
        prefix = self.data[self.line_starts[line - 1] : offset].decode("utf-8", "replace")
        if prefix.isascii():
            return line, len(prefix) + 1, len(prefix) + 1
        utf16 = len(prefix) + sum(1 for ch in prefix if ord(ch) > 0xFFFF)
        return line, len(prefix) + 1, utf16 + 1

    @property
    def has_errors(self) -> bool:
        return _broken(self.root, self.data)

    def _first_error(self) -> tree_sitter.Node | None:
        return _first_error(self.root)

    def first_error_line(self) -> int:
        node = self._first_error()
        return node.start_point[0] + 1 if node is not None else 1

    def syntax_problem(self) -> tuple[int, str]:
        """(line, message) for a file whose tree still has errors. When the first error lies on a
        construct newer than the grammar that could not be recovered, the message names it and
        the line is the construct's: an error node often starts far above its cause."""
        node = self._first_error()
        recovery = self._recovery
        site = None
        if recovery is not None and node is not None:
            site = recovery.construct_at(node.start_byte, node.end_byte,
                                         lambda site: self.line_starts[self.line_of(site.start) - 1])
        if site is not None:
            return self.line_of(site.start), f"{site.construct} could not be parsed: linted as far as the parse allows"
        return self.first_error_line(), "syntax error: linted as far as the parse allows"
