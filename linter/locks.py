"""Mutexes a function takes and releases: which are held at a statement.

GL107 asks it of a send on a field channel (is the receiver's lock held there?), GL101 of a stranded
goroutine's send (does every later caller of that lock wait behind it?).
"""

from __future__ import annotations

from tree_sitter import Node

from .context import FileContext
from .model import Function
from .source import query_matches

_LOCKS = """
(call_expression
  function: (selector_expression operand: (_) @mutex field: (field_identifier) @method
    (#match? @method "^(Lock|RLock|Unlock|RUnlock)$"))
  arguments: (argument_list) @_args) @call
"""
_RELEASES = {"Lock": "Unlock", "RLock": "RUnlock"}


def lock_calls(ctx: FileContext, function: Function) -> list[tuple[Node, str, Node]]:
    """(call, method, mutex expression) of the function's own Lock/RLock/Unlock/RUnlock calls."""
    found = []
    for match in query_matches(_LOCKS, function.body):
        call, mutex, method = match.get("call"), match.get("mutex"), match.get("method")
        if not call or not mutex or not method:
            continue
        if ctx.model.enclosing_function(call[0]) is not function:
            continue
        found.append((call[0], ctx.source.text(method[0]), mutex[0]))
    return found


def held_at(ctx: FileContext, function: Function, node: Node, methods: tuple[str, ...] = ("Lock",),
            calls: list[tuple[Node, str, Node]] | None = None) -> list[tuple[Node, Node]]:
    """(lock call, mutex expression) of each mutex, spelled alike, that one of `methods` takes with a
    path to `node` passing no plain release of it (a deferred one runs only at the return)."""
    calls = lock_calls(ctx, function) if calls is None else calls
    held: list[tuple[Node, Node]] = []
    seen: set[str] = set()
    for call, method, mutex in calls:
        spelled = ctx.source.text(mutex)
        if method not in methods or spelled in seen:
            continue
        releases = [c for c, m, x in calls if m == _RELEASES[method] and ctx.source.text(x) == spelled
                    and (c.parent is None or c.parent.type != "defer_statement")]
        if function.cfg.reaches(call, node, avoid=releases):
            held.append((call, mutex))
            seen.add(spelled)
    return held
