"""Module-level regexes compiled on first use.

Every run imports every rule and most of the engine, and their module-level `re.compile` calls
took about 30 ms of a warm run on the benchmark corpus (120 patterns), a run that uses almost none
of them: it parses nothing. A `LazyPattern` compiles on first use, then keeps the compiled
pattern's methods as its own attributes, so a hot loop's `_NAME.search(...)` costs what it did.
"""

from __future__ import annotations

import re

# What code calls on a pattern; each becomes an attribute of the LazyPattern once it compiles.
_ATTRIBUTES = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split",
               "scanner", "pattern", "flags", "groups", "groupindex")


class LazyPattern:
    """`re.compile(regex, flags)`, done the first time an attribute is asked for."""

    def __init__(self, regex: str | bytes, flags: int = 0):
        self._regex = regex
        self._flags = flags

    def __getattr__(self, name: str):
        # Only reached for an attribute not set yet: the first use, or a name no pattern has.
        if name.startswith("__") or name in ("_regex", "_flags"):
            raise AttributeError(name)  # copy, pickle and introspection must not compile it
        compiled = re.compile(self._regex, self._flags)
        for attribute in _ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._regex!r}, {self._flags!r})"
