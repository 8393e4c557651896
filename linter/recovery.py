"""Parsing the Go that tree-sitter-go 0.25 does not know yet, with every byte offset kept.

tree-sitter-go 0.25.0, the newest release on PyPI, parses Go up to 1.25 (generics, generic type
aliases, range over ints and functions, `min`/`max`/`clear` all parse), but rejects two newer
constructs, both valid Go:

- `new(expr)` (Go 1.26): the grammar knows `new` only as `new(Type)`, so `new("x")`, `new(42)`,
  `new(uint64(id))`, `new(5 * time.Second)` are errors, and so is a call of a variable named `new`.
- generic methods (Go 1.27): `func (r *Rand) N[T intType](n T) T` has no place in its method
  declaration, and the error often swallows the rest of the file.

The same reservation of `new` and `make` also breaks older valid Go that calls a variable of that
name (`var make func(int) *X; make(n - 1)`), and the same rewrite fixes it.

A file whose tree has errors (and only such a file: a clean tree is never looked at again) is parsed
again from a rewritten copy of its bytes, where each broken occurrence of these constructs is turned
into something the grammar knows, *byte for byte the same length*. Since nothing moves, the broken
tree is told which bytes changed and tree-sitter re-parses incrementally, only around them:

- the `new` of a broken `new(...)` call becomes `ne_` (a broken `make(...)`, `mak_`), an ordinary
  name, so the call parses as a call whose arguments are expressions;
- the type parameter list of a broken generic method becomes spaces (newlines kept), so the method
  parses as a method: its receiver, name, parameters and body are all there, only its own type
  parameters are missing from the tree.

Offsets, lines and columns in the new tree are those of the original file, so `SourceFile` keeps
the original bytes for everything it reads (text, positions, code frames, fingerprints). Only what
tree-sitter itself reads from the tree's copy sees the rewrite: `Node.text` of the renamed `new`
(three bytes, never a name a rule asks about) and query text predicates on it.

A site is rewritten only where the tree is broken: the smallest node covering the whole construct
must hold an error, and the construct must be code (its first token a token of the tree, not a
comment or string). A `new([]int)` that parsed is left alone, since `ne_([]int)` would not parse.
The rewrite is kept only if the new tree is less broken than the old (fewer bytes under error
nodes), so it can never make a file worse; a second round catches a site that only the first
rewrite made reachable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import tree_sitter

from .source import NAME_BYTES, name_hits, skip_space_and_comments

NEW_EXPR = "`new(expr)` (Go 1.26)"
GENERIC_METHOD = "a generic method (Go 1.27)"
MAKE_VALUE = "a call of a function value named `make`"

# (name, construct, same-length replacement): the replacement is a name no Go code declares by
# accident, and only tree-sitter's own copy of the bytes ever holds it.
_RESERVED_CALLS = ((b"new", NEW_EXPR, b"ne_"), (b"make", MAKE_VALUE, b"mak_"))

_ROUNDS = 2
_OPEN = {ord("("): ord(")"), ord("["): ord("]"), ord("{"): ord("}")}


@dataclass(frozen=True)
class Site:
    """One occurrence of a construct the grammar does not know, and its same-length rewrite."""

    construct: str
    start: int  # the first byte of the construct (`new`, `func`)
    end: int  # just past its closing parenthesis or bracket
    edit_start: int
    replacement: bytes  # the bytes for data[edit_start : edit_start + len(replacement)]


@dataclass
class Recovery:
    tree: tree_sitter.Tree
    sites: list[Site]  # every site found, rewritten or not
    data: bytes  # what `tree` was parsed from: the file's bytes, or a copy with sites rewritten

    def construct_at(self, start: int, end: int, not_before: Callable[[Site], int]) -> Site | None:
        """The first site that an error spanning [start, end) overlaps, if the error starts at or
        after `not_before(site)` (the start of the site's line): an error node that starts lines
        above a site, or spans the whole file, is not the site's doing."""
        for site in sorted(self.sites, key=lambda s: s.start):
            if start < site.end and (end > site.start or start == end >= site.start) and start >= not_before(site):
                return site
        return None


def recover(parser: tree_sitter.Parser, data: bytes, tree: tree_sitter.Tree) -> Recovery:
    """A tree for `data` with the unknown constructs parsed, or the given tree if no rewrite helps."""
    result = Recovery(tree, [], data)
    damage = error_extent(tree.root_node)
    tried: set[int] = set()
    for _ in range(_ROUNDS):
        base, current = result.tree, result.data
        sites = [site for site in find_sites(current, base.root_node) if site.start not in tried]
        if not sites:
            break
        tried.update(site.start for site in sites)
        result.sites += sites
        buffer, candidate = _rewrite(parser, current, base, sites)
        # Inside a large error node a valid `make([]T, n)` looks broken too, and renaming it would
        # break it for real: keep only the rewrites that came out clean, and parse once more.
        kept = [site for site in sites if not _broken(candidate.root_node, site.start, site.end)]
        if kept and len(kept) < len(sites):
            buffer, candidate = _rewrite(parser, current, base, kept)
        candidate_damage = error_extent(candidate.root_node)
        if candidate_damage >= damage:
            break
        result.tree, result.data, damage = candidate, buffer, candidate_damage
        if not damage:
            break
    return result


def _point(data: bytes, offset: int) -> tuple[int, int]:
    """tree-sitter's point (row, byte column) of an offset; counted in C, as sites are few."""
    return data.count(b"\n", 0, offset), offset - (data.rfind(b"\n", 0, offset) + 1)


def _rewrite(parser: tree_sitter.Parser, data: bytes, tree: tree_sitter.Tree,
             sites: list[Site]) -> tuple[bytes, tree_sitter.Tree]:
    """The rewritten bytes and their tree. The parse is incremental: the old tree is told which
    bytes changed (same length, so nothing moves) and tree-sitter re-parses only around them,
    reusing every subtree elsewhere: a few per cent of a full parse, and the same tree."""
    buffer = bytearray(data)
    edited = tree.copy()
    for site in sites:
        start, end = site.edit_start, site.edit_start + len(site.replacement)
        buffer[start:end] = site.replacement
        start_point, end_point = _point(data, start), _point(data, end)
        edited.edit(start, end, end, start_point, end_point, end_point)
    rewritten = bytes(buffer)
    return rewritten, parser.parse(rewritten, edited)


def error_extent(root: tree_sitter.Node) -> int:
    """How broken a tree is: bytes under outermost ERROR nodes, plus one per ERROR and MISSING node."""
    total = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error:
            total += node.end_byte - node.start_byte + 1
        elif node.is_missing:
            total += 1
        elif node.has_error:
            stack.extend(node.children)
    return total


def find_sites(data: bytes, root: tree_sitter.Node) -> list[Site]:
    if not root.has_error:
        return []
    # A broken site lies in a broken top-level declaration (or an error node at the top): search
    # only those, not the whole file.
    spans: list[tuple[int, int]] = []
    for child in root.children:
        if child.has_error or child.is_error:
            if spans and child.start_byte <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], child.end_byte))
            else:
                spans.append((child.start_byte, child.end_byte))
    return _builtin_call_sites(data, root, spans) + _generic_method_sites(data, root, spans)


def _hits(data: bytes, key: bytes, spans: list[tuple[int, int]]):
    for start, end in spans:
        yield from name_hits(data, key, start, end)


def _broken(root: tree_sitter.Node, start: int, end: int) -> bool:
    """Whether the smallest node covering [start, end) holds an error: a construct the tree built
    cleanly, even next to an error, is left as it is."""
    node = root.descendant_for_byte_range(start, max(start, end - 1) if end > start else start)
    return node is not None and (node.has_error or node.is_error)


def _token_at(root: tree_sitter.Node, start: int, size: int, types: tuple[str, ...]) -> bool:
    """Whether a token of one of `types` spans exactly [start, start+size): not a comment, not
    the inside of a string."""
    leaf = root.descendant_for_byte_range(start, start + size)
    return leaf is not None and leaf.start_byte == start and leaf.end_byte == start + size and leaf.type in types


def _builtin_call_sites(data: bytes, root: tree_sitter.Node, spans: list[tuple[int, int]]) -> list[Site]:
    """Broken calls of `new` and `make`, whose names the grammar reserves for `new(Type)` and
    `make(Type, ...)`."""
    sites = []
    for name, construct, replacement in _RESERVED_CALLS:
        size = len(name)
        for at in _hits(data, name, spans):
            if (at + size < len(data) and data[at + size] >= 0x80) or (at and data[at - 1] >= 0x80):
                continue  # part of a longer non-ASCII name
            open_at = skip_space_and_comments(data, at + size)
            if open_at is None or open_at >= len(data) or data[open_at] != ord("("):
                continue
            # The name may be the aliased keyword, a plain identifier or, as the argument of
            # another `new(`, a type name, depending on how the parser recovered; a comment or
            # a string is none of them.
            if not _token_at(root, at, size, ("identifier", "type_identifier", name.decode())):
                continue
            end = _close(data, open_at)
            if _broken(root, at, end):
                sites.append(Site(construct, at, end, at, replacement))
    return sites


def _generic_method_sites(data: bytes, root: tree_sitter.Node, spans: list[tuple[int, int]]) -> list[Site]:
    """`func (recv) Name[TypeParams](params)`: the bracket list becomes spaces."""
    sites = []
    for at in _hits(data, b"func", spans):
        receiver = skip_space_and_comments(data, at + 4)
        if receiver is None or receiver >= len(data) or data[receiver] != ord("("):
            continue
        if not _token_at(root, at, 4, ("func",)):
            continue
        name = skip_space_and_comments(data, _close(data, receiver))
        if name is None:
            continue
        name_end = name
        while name_end < len(data) and (data[name_end] in NAME_BYTES or data[name_end] >= 0x80):
            name_end += 1
        if name_end == name or data[name] in b"0123456789":
            continue
        bracket = skip_space_and_comments(data, name_end)
        if bracket is None or bracket >= len(data) or data[bracket] != ord("["):
            continue
        bracket_end = _close(data, bracket)
        params = skip_space_and_comments(data, bracket_end)
        if params is None or params >= len(data) or data[params] != ord("("):
            continue
        if _broken(root, at, bracket_end):
            blank = bytes(b if b in b"\r\n" else 0x20 for b in data[bracket:bracket_end])
            sites.append(Site(GENERIC_METHOD, at, bracket_end, bracket, blank))
    return sites


def _close(data: bytes, open_at: int) -> int:
    """The offset just past the bracket that closes the one at `open_at`, skipping nested
    brackets, strings, runes and comments; the end of the data if it is never closed."""
    stack = [_OPEN[data[open_at]]]
    i = open_at + 1
    size = len(data)
    while i < size:
        byte = data[i]
        if byte in _OPEN:
            stack.append(_OPEN[byte])
        elif byte == stack[-1]:
            stack.pop()
            if not stack:
                return i + 1
        elif byte in b")]}":
            return i + 1  # unbalanced: stop at the stray closer
        elif byte == ord("/") and data.startswith(b"//", i):
            end = data.find(b"\n", i)
            i = size if end == -1 else end
            continue
        elif byte == ord("/") and data.startswith(b"/*", i):
            end = data.find(b"*/", i + 2)
            i = size if end == -1 else end + 2
            continue
        elif byte == ord("`"):
            end = data.find(b"`", i + 1)
            i = size if end == -1 else end + 1
            continue
        elif byte in b"\"'":
            i += 1
            while i < size and data[i] != byte and data[i] != ord("\n"):
                i += 2 if data[i] == ord("\\") else 1
        i += 1
    return size
