"""Rewrites of rule queries that give the same captures for less work.

The Python bindings of tree-sitter evaluate `#match?` by calling a Python regex for every candidate
node, which on real code costs about 7% of a parse per pattern; `#any-of?` and `#eq?` compare in C.
"""

from __future__ import annotations

import re
from .patterns import LazyPattern

# `#not-match?` stays: the bindings' `#not-any-of?` does not filter the same way (checked in tests).
_MATCH = LazyPattern(r'\(#match\?\s+(@[\w.-]+)\s+"((?:[^"\\]|\\.)*)"\s*\)')


def simplify_predicates(query: str) -> str:
    """`(#match? @x "^(A|B)$")` -> `(#any-of? @x "A" "B")` when the regex names a few exact strings.

    The bindings run a `#match?` as a Python regex search for every candidate node, which costs
    about 7% of a parse per pattern on real code; `#any-of?` compares in C and costs next to
    nothing. Same matches: an anchored regex over a finite set of strings is that set (for a node
    text ending in a newline, `$` would also match; identifiers never do).
    """

    def replace(match: re.Match) -> str:
        capture, pattern = match.groups()
        if any(escape not in ("\\", '"') for escape in re.findall(r"\\(.)", pattern)):
            return match.group(0)  # a query-string escape other than \\ or \": leave it be
        strings = _finite_language(re.sub(r"\\(.)", r"\1", pattern))
        if strings is None:
            return match.group(0)
        quoted = " ".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in strings)
        return f"(#any-of? {capture} {quoted})"

    return _MATCH.sub(replace, query)


def _finite_language(pattern: str, limit: int = 64) -> list[str] | None:
    """Every string a `^...$` regex matches, if they are few and the regex is plain; else None."""
    try:
        from re import _parser  # the stdlib's own regex parser; any surprise means "do not rewrite"

        parsed = list(_parser.parse(pattern))
        if parsed[:1] != [(_parser.AT, _parser.AT_BEGINNING)] or parsed[-1:] != [(_parser.AT, _parser.AT_END)]:
            return None

        def expand(items) -> list[str] | None:
            results = [""]
            for op, arg in items:
                if op is _parser.LITERAL:
                    options = [chr(arg)]
                elif op is _parser.SUBPATTERN:
                    if arg[1] or arg[2]:  # inline flags
                        return None
                    options = expand(arg[3])
                elif op is _parser.BRANCH:
                    options = []
                    for branch in arg[1]:
                        sub = expand(branch)
                        if sub is None:
                            return None
                        options += sub
                elif op is _parser.MAX_REPEAT and arg[0] == 0 and arg[1] == 1:
                    sub = expand(arg[2])
                    options = None if sub is None else ["", *sub]
                elif op is _parser.IN and all(o is _parser.LITERAL for o, _ in arg):
                    options = [chr(a) for _, a in arg]
                else:
                    return None
                if options is None:
                    return None
                results = [r + o for r in results for o in options]
                if len(results) > limit:
                    return None
            return results

        strings = expand(parsed[1:-1])
        return sorted(set(strings)) if strings else None
    except Exception:
        return None
