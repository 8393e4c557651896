"""GL107 send-while-locked."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext, PackageContext
from goleaklint.fieldchannels import MAKE, RANGE, RECEIVE, SEND, FieldChannel, FieldUse
from goleaklint.goroutines import PackageFunctions
from goleaklint.locks import held_at, lock_calls
from goleaklint.model import Function
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL107",
    slug="send-while-locked",
    title="a channel send made while holding a mutex that the receiver must take before it receives",
    severity=Severity.WARNING,
    tags=("goroutine-leak", "deadlock"),
    precision="medium",  # not measured yet: ten held-out judgements set it (docs/ecosystem.md)
    lifetime="repeats",
    docs=Docs(
        what="Finds a send on an unbuffered channel kept in an unexported struct field (followed as "
        "GL105 follows it: made in the package, never handed on) made while the sending function "
        "holds a mutex (`x.mu.Lock()`, or the `Lock` of a struct that embeds one, with a path to the "
        "send that passes no `Unlock`; `defer x.mu.Unlock()` holds it to the end), when every "
        "function that receives from the channel takes the same mutex (`Lock` or `RLock` of the same "
        "field of the same type) on a path that leads to its receive, a loop's way round included. "
        "A send that is one case of a `select` with others is not reported.",
        why="The send waits for the receiver, holding the lock; the receiver, on its way to the "
        "receive, waits for the lock. Neither can go on: both goroutines are parked for good, and "
        "every other goroutine that takes the mutex joins them. It happens whenever the receiver "
        "reaches its `Lock` while the sender is inside its critical section, which a loop that "
        "receives and then locks makes a matter of time.",
        example="""func (b *Broker) Publish(m Msg) {
    b.mu.Lock()
    defer b.mu.Unlock()
    b.seq++
    b.out <- m // holds b.mu until run receives
}

func (b *Broker) run() {
    for m := range b.out {
        b.mu.Lock() // waits for Publish, which waits for this loop
        b.last = m
        b.mu.Unlock()
    }
}""",
        use_instead="""func (b *Broker) Publish(m Msg) {
    b.mu.Lock()
    b.seq++
    b.mu.Unlock()
    b.out <- m // send after unlocking
}""",
        limits="Channels in struct fields only (a local channel and a goroutine literal sharing a "
        "mutex are not followed), and only mutexes reached as a field (`x.mu`) or embedded in the "
        "receiver's struct; a lock taken in a helper the function calls is not seen. Which "
        "goroutine runs first is not decided: a receiver whose lock can be reached before its "
        "receive is enough, except a lock the receiver takes once, not in a loop, and under which it makes "
        "the channel it then waits on (`t.Lock(); t.errc = make(chan error); go t.accept(); t.Unlock(); "
        "return <-t.errc`): nothing can send on that channel before the receiver passed its lock.",
        references=("https://go.dev/doc/effective_go#channels",),
    ),
)

def check_package(pkg: PackageContext) -> Iterable[Finding]:
    functions = pkg.facts.functions
    for channel in pkg.facts.field_channels:
        if channel.escapes or not channel.unbuffered:
            continue
        receives = channel.of(RECEIVE, RANGE)
        sends = [use for use in channel.of(SEND) if not use.guarded and use.function is not None]
        if not receives or not sends or any(use.function is None for use in receives):
            continue
        for send in sends:
            if send.ctx.relpath not in pkg.report_paths or send.ctx.is_test_file:
                continue
            held = _held(functions, send.ctx, send.function, send.node)
            if not held:
                continue
            finding = _against_receivers(functions, send, held, receives, channel)
            if finding is not None:
                yield finding


def _mutex_key(functions: PackageFunctions, ctx: FileContext, mutex: Node) -> tuple[str, str] | None:
    """(struct type, field) for `x.mu`, (struct type, "") for `x` of a struct embedding a mutex."""
    if mutex.type == "selector_expression":
        operand = mutex.child_by_field_name("operand")
        if operand is None or operand.type != "identifier":
            return None
        type_name = functions.value_type(ctx.model, ctx.model.resolve(operand))
        field = ctx.source.text(mutex.child_by_field_name("field"))
        return (type_name, field) if type_name else None
    if mutex.type == "identifier":
        type_name = functions.value_type(ctx.model, ctx.model.resolve(mutex))
        return (type_name, "") if type_name else None
    return None


def _held(functions: PackageFunctions, ctx: FileContext, function: Function, send: Node) -> dict[tuple[str, str], Node]:
    """The mutexes held at the send: a `Lock` with a path to the send passing no `Unlock` of it."""
    held: dict[tuple[str, str], Node] = {}
    for call, mutex in held_at(ctx, function, send):
        key = _mutex_key(functions, ctx, mutex)
        if key is not None and key not in held:
            held[key] = call
    return held


def _made_under(cfg, lock: Node, receive: FieldUse, makes: list[FieldUse]) -> bool:
    """The receiver makes the channel it waits on while holding the lock, and takes the lock once
    (`s.Lock(); s.errc = make(chan error); go s.accept(); s.Unlock(); return <-s.errc`): nothing can
    send on that channel before the receiver passed its lock, so no sender holding the lock waits
    for a receiver that waits for the lock."""
    if cfg.reaches(lock, lock):
        return False
    return any(make.function is receive.function and cfg.dominates(lock, make.node) and
               cfg.dominates(make.node, receive.node) for make in makes)


def _against_receivers(functions: PackageFunctions, send: FieldUse, held: dict[tuple[str, str], Node],
                       receives: list[FieldUse], channel: FieldChannel) -> Finding | None:
    """A finding when every receiving function takes one of the held mutexes on its way to the receive."""
    takers: dict[int, tuple[FieldUse, Node]] = {}
    common: set[tuple[str, str]] | None = None
    makes = [use for use in channel.of(MAKE) if use.function is not None]
    for receive in receives:
        function = receive.function
        if function is send.function:
            return None
        ctx = receive.ctx
        cfg = function.cfg
        taken: set[tuple[str, str]] = set()
        for call, method, mutex in lock_calls(ctx, function):
            if method not in ("Lock", "RLock"):
                continue
            key = _mutex_key(functions, ctx, mutex)
            if key in held and cfg.reaches(call, receive.node) and not _made_under(cfg, call, receive, makes):
                taken.add(key)
                takers.setdefault(id(function), (receive, call))
        common = taken if common is None else common & taken
        if not common:
            return None
    key = sorted(common)[0]
    lock = held[key]
    source = send.ctx.source
    mutex = lock.child_by_field_name("function").child_by_field_name("operand")
    receivers = ", ".join(
        f"{use.function.shown} (locks at {use.ctx.relpath}:{use.ctx.source.line_of(call.start_byte)})"
        for use, call in takers.values())
    channel = send.node.child_by_field_name("channel")
    return send.ctx.finding(
        RULE, send.node,
        f"the send on `{source.text(channel)}` waits for a receiver while holding `{source.text(mutex)}` (locked at "
        f"line {source.line_of(lock.start_byte)}), and the receiving side takes the same lock before it receives: "
        f"{receivers}; when it waits for the lock, neither goroutine can go on",
        fix="unlock before sending (copy what the send needs while holding the lock), or select on a stop "
        "signal in the send",
    )
