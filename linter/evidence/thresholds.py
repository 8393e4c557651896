"""How much runtime evidence it takes to raise a finding: the `[runtime]` table of .goleaklint.toml.

```toml
[runtime]
min-count = 2                   # a plain dump site with fewer goroutines is only listed in the summary
warning-count = 100             # a plain dump site with this many goroutines parked is a warning
warning-minutes = 10            # … or one with a goroutine parked this long
heap-growth-bytes = 1048576     # in-use growth of an allocation site that counts (1 MiB)
```

The goroutine leak profile and goleak need no threshold: what they report can never be woken, so a
site they name is an error at any count. A plain dump also shows goroutines that merely wait (the
server's accept loop, a worker between jobs): one goroutine on a line is not a pattern unless it has
waited `warning-minutes`. A static finding on a site becomes an error when the site's evidence is
proof or reaches a warning threshold; weaker evidence is carried without changing its level.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

KEYS = ("min-count", "warning-count", "warning-minutes", "heap-growth-bytes")


@dataclass(frozen=True)
class Thresholds:
    min_count: int = 2
    warning_count: int = 100
    warning_minutes: int = 10
    heap_growth_bytes: int = 1 << 20


def parse_thresholds(table: object, fail: Callable[[str, str], Exception]) -> Thresholds:
    """`fail(key, message)` builds the error that names the config file and line."""
    if not isinstance(table, dict):
        raise fail("runtime", "'runtime' must be a table: [runtime]")
    values = {}
    for key, value in table.items():
        if key not in KEYS:
            raise fail(key, f"unknown key {key!r} in [runtime] (known: {', '.join(KEYS)})")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail(key, f"'{key}' in [runtime] must be a whole number of at least 1, not {value!r}")
        values[key.replace("-", "_")] = value
    return Thresholds(**values)
