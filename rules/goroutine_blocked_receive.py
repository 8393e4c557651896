"""GL102 goroutine-blocked-receive."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.channels import (LocalChannel, in_select_with_alternatives, local_channel, returned_channel,
                                 where_started)
from goleaklint.cfg import Block
from goleaklint.context import FileContext
from goleaklint.goroutines import deferred, retested, start_guard, started_at_process_level, waits_that_never_fail
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL102",
    slug="goroutine-blocked-receive",
    title="a goroutine waits on a channel that nothing sends on or closes",
    severity=Severity.WARNING,
    tags=("goroutine-leak",),
    # measured on held-out codebases (docs/ecosystem.md): 6 of 13, low, until batch 251's 1 of 1 (an
    # index fetch whose collector ranges over a channel nothing closes, per gRPC request) made it 7 of 14
    precision="medium",
    docs=Docs(
        what="Finds a goroutine (`go func(){…}()`, `g.Go(func…)`, or `go f(ch)` where f, a function of the "
        "same file, only receives from, ranges over, sends on or closes its parameter in its own body) "
        "that receives from or ranges over a "
        "channel made in the function that starts it, where nothing ever sends on that channel "
        "and nothing closes it, and the channel does not leave the function. Also finds a "
        "goroutine's `for v := range ch` over such a channel that the function, or another "
        "goroutine it starts (a feeder), sends on but nothing closes, when the function can return (its control-flow graph has a path from the `go` "
        "statement to a return) and the loop has no other way out. And a goroutine's range over a channel that only the function "
        "closes, with plain `close(ch)` statements that a way out can pass by (an error return before the close): "
        "on that path the loop waits forever. Such a channel may also come from a call's results (`runner, ch := "
        "start(…)`): whoever made it does not close it too, or the second close would panic. The error branch "
        "of an errgroup's `Wait` whose functions all return nil is no way out; nor is one that skips the close "
        "by testing again, and finding false, the condition the goroutine was started under (`if progress != nil { go "
        "… }` and later `if progress != nil { close(ch) }`, the condition reading only variables nothing assigns "
        "again): no goroutine was started there. A receive that is one case of "
        "a `select` with other cases (`ctx.Done()`, a timeout, a default) is not stuck on it.",
        why="A receive with no sender and no close waits forever, and a `range` over a channel ends "
        "only when it is closed. The goroutine, its stack and everything it references stay in "
        "memory; when the function runs per request or per connection, one goroutine piles up "
        "each time.",
        example="""func process(items []Item) {
    results := make(chan Result)
    go func() {
        for r := range results { // never closed: waits forever once process returns
            store(r)
        }
    }()
    for _, it := range items {
        results <- handle(it)
    }
}""",
        use_instead="""func process(items []Item) {
    results := make(chan Result)
    done := make(chan struct{})
    go func() {
        defer close(done)
        for r := range results {
            store(r)
        }
    }()
    for _, it := range items {
        results <- handle(it)
    }
    close(results) // ends the range
    <-done
}""",
        limits="Only channels that stay in the function are followed: one that is returned, stored, "
        "passed to a function or used by another closure may be sent on or closed elsewhere, and "
        "is left alone; `go worker(ch)` is followed only when the worker is declared in the same file, "
        "takes no other channel and uses its parameter only in its own body. A close anywhere in the function, closures included, counts, except that closes written as plain statements of the function itself are followed path by path; a deferred close runs at every exit. A range loop "
        "with a `return`, `break` or `goto` out of it is trusted to leave. Goroutines started from "
        "`main` or `init` and test files are not checked.",
        references=("https://go.dev/blog/pipelines", "https://go.dev/ref/spec#For_range"),
    ),
)

QUERY = """
(call_expression
  function: (identifier) @fn (#eq? @fn "make")
  arguments: (argument_list . (channel_type))) @make
(call_expression
  function: (identifier) @close (#eq? @close "close")
  arguments: (argument_list . (identifier) @closed .))
"""

_FIX_NEVER = "send the value the goroutine waits for, close the channel when the work is done, or let the goroutine also select on ctx.Done()"
_FIX_RANGE = "close the channel once the last value is sent (`defer close(ch)` in the sending function), or select on ctx.Done() in the loop"
_FIX_LEFT_OPEN = ("close `{name}` on every way out once the goroutine has started, not only after the work succeeded "
                  "(and let the goroutine's later sends complete), or select on ctx.Done() in the loop")


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.source.relpath.endswith("_test.go"):
        return
    seen: set[int] = set()
    for make in captures.get("make", []):
        channel = local_channel(ctx, make)
        if channel is not None and channel.closes:
            seen.add(channel.decl.id)
            yield from _left_open(ctx, channel)
            continue
        if channel is None or channel.escape is not None:
            continue
        if not any(g.receives for g in channel.goroutines):
            continue
        if started_at_process_level(ctx, make):
            continue
        yield from _check_channel(ctx, channel)


    # A channel the function gets from a call (`runner, ch := m.start(…)`) and closes itself: its
    # maker does not close it too, or the second close would panic.
    for closed in captures.get("closed", []):
        binding = ctx.model.resolve(closed)
        if binding.kind != "local" or binding.decl is None or binding.decl.id in seen:
            continue
        seen.add(binding.decl.id)
        channel = returned_channel(ctx, binding.decl)
        if channel is not None:
            yield from _left_open(ctx, channel)


def _left_open(ctx: FileContext, channel: LocalChannel) -> Iterable[Finding]:
    """A goroutine ranges over a channel that only its function closes, with plain `close(ch)`
    statements that a way out of the function can pass by (`if err != nil { return err }` before
    the close): on that path nothing ever closes the channel, and the range waits forever."""
    owner = channel.owner
    if channel.escape is not None or not channel.closes:
        return
    for close in channel.closes:
        if ctx.model.enclosing_function(close) is not owner or deferred(close, owner.node):
            return  # closed by a goroutine, a callback or a defer: on its own schedule, or at every exit
    if started_at_process_level(ctx, channel.make):
        return
    cfg = owner.cfg
    closes = {element.id for element in map(cfg.element_of, channel.closes) if element is not None}
    never_failing = waits_that_never_fail(ctx, owner)

    guard = None

    def edge_cost(a: Block, b: Block) -> int | None:
        if guard is not None and a.elements and a.succs and b is not a.succs[0] and retested(ctx, a.elements[-1], guard):
            return None  # the start's condition tested again and false: no goroutine was started
        # `if err := g.Wait(); err != nil` of a group whose functions all return nil: never taken.
        return None if never_failing and a.elements and a.succs and b is a.succs[0] and \
            a.elements[-1].id in never_failing else 0

    for goroutine in channel.goroutines:
        if any(cfg.reaches(close, goroutine.start) for close in channel.closes):
            continue  # filled and closed before the workers start (a queue of work): the range ends
        guard = start_guard(ctx, goroutine.start)
        for receive in goroutine.receives:
            if receive.type != "range_clause" or not _only_ends_when_closed(goroutine.literal, receive.parent):
                continue
            found = cfg.cheapest_exit(goroutine.start, lambda element: None if element.id in closes else 0, edge_cost)
            if found is None:
                continue
            exit_node = found[1]
            line = exit_node.start_point[0] + 1
            where = f"the return at line {line}" if exit_node.type == "return_statement" else f"the end of the function (line {line})"
            closes = ", ".join(str(c.start_point[0] + 1) for c in sorted(channel.closes, key=lambda n: n.start_byte))
            yield ctx.finding(
                RULE, receive.parent,
                f"the goroutine ranges over `{channel.name}`, which only {owner.shown} closes (line {closes}), and "
                f"{where} leaves without closing it: the loop waits forever" + where_started(channel, receive),
                fix=_FIX_LEFT_OPEN.format(name=channel.name),
            )
            return


def _check_channel(ctx: FileContext, channel: LocalChannel) -> Iterable[Finding]:
    anyone_sends = bool(channel.sends) or any(g.sends for g in channel.goroutines)
    owner_exit: Node | None = None
    for goroutine in channel.goroutines:
        for receive in sorted(goroutine.receives, key=lambda n: n.start_byte):
            if receive.type == "unary_expression":
                if anyone_sends or in_select_with_alternatives(receive):
                    continue
                yield ctx.finding(
                    RULE, receive,
                    f"the goroutine waits on `{channel.name}`, which nothing sends on or closes: it blocks forever"
                    + where_started(channel, receive),
                    fix=_FIX_NEVER,
                )
                break
            # `for v := range ch`
            if not anyone_sends:
                yield ctx.finding(
                    RULE, receive.parent,
                    f"the goroutine ranges over `{channel.name}`, which nothing sends on or closes: it blocks forever"
                    + where_started(channel, receive),
                    fix=_FIX_NEVER,
                )
                break
            if not _only_ends_when_closed(goroutine.literal, receive.parent):
                continue
            if owner_exit is None:
                owner_exit = channel.owner.cfg.path_to_exit_avoiding(goroutine.start)
            if owner_exit is None:
                continue  # the function never returns: it keeps sending for its whole life
            line = owner_exit.start_point[0] + 1
            # The senders are the function itself or other goroutines it starts (a feeder): either
            # way nothing closes the channel, so once the values stop the loop waits for good.
            owner = channel.owner.shown
            if channel.sends:
                why = f"which {owner} sends on but never closes: once it returns (line {line})"
            else:
                why = f"which other goroutines of {owner} send on but nothing closes: once {owner} returns (line {line})"
            yield ctx.finding(
                RULE, receive.parent,
                f"the goroutine ranges over `{channel.name}`, {why} the loop waits forever" + where_started(channel, receive),
                fix=_FIX_RANGE,
            )
            break


def _only_ends_when_closed(literal, for_statement: Node) -> bool:
    """No return, break, goto or terminating call leads out of the range loop's body: the loop
    ends only when its channel is closed."""
    cfg = literal.cfg
    return cfg.loop(for_statement) is not None and not cfg.can_leave(for_statement)
