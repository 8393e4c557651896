"""GL105 field-channel-blocked."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint.context import PackageContext
from goleaklint.fieldchannels import CLOSE, RANGE, RECEIVE, SEND, FieldChannel, FieldUse
from goleaklint.goroutines import last_name, shutdown_function
from goleaklint.model import enclosing_loop
from goleaklint.patterns import LazyPattern
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures, without_comments

RULE = Rule(
    id="GL105",
    slug="field-channel-blocked",
    title="a channel kept in a struct field is sent on or received from with nobody on the other side",
    severity=Severity.WARNING,
    tags=("goroutine-leak",),
    precision="low",  # measured on held-out codebases (docs/ecosystem.md)
    # A channel nothing in the package performs the other side of (no receive of a send, no send
    # or close for a receive): 10 of 14 judged at warning were worth a change (per BGP session, per
    # failed download, per game a bot leaves; the misses are dead code and a drain loop bounded by
    # `len`), judged before this kind was told apart, so the label is declared on codebases now
    # used for tuning; held-out batches measure it from here. The rest, a receiver that leaves on
    # its stop case first, read 45 of 138: mostly service loops that stop only at shutdown. Held
    # out, the kind read 4 of 11 by batch 197 (seven FALSE in a service's copies of a framework's
    # plugin modules that nothing builds), so it is no longer labelled apart: low, as the rule.
    lifetime="repeats",
    docs=Docs(
        what="Follows a channel kept in an unexported struct field (`w.results`) across every method "
        "and function of its package, when the package makes it (`make(chan T)` in a constructor, a "
        "composite literal or an assignment to the field) and never hands it on. An unexported method "
        "whose whole body is `return x.f` (`func (p *Pool) out() chan T { return p.results }`) is an accessor: "
        "what its calls do (`p.out() <- v`, `<-p.out()`) is done to the field, and returning it hands nothing on "
        "(an exported one does: its callers may be out of sight). So is a local that holds it (`ch := s.events`), "
        "as long as the function neither hands the local on nor gives it another channel. Reports the "
        "operation a goroutine would be parked on: a send on the unbuffered channel when nothing in "
        "the package receives from it; a receive (or `range`) when nothing sends on it or closes it; "
        "and a send when every receive of it in the package is one case of a `select` whose other "
        "case (`<-ctx.Done()`, a stop or quit channel, a timeout) lets the receiving function return "
        "without receiving again. The message names the other side: the function that receives and "
        "the case it leaves on. A send or receive that is itself one case of a `select` with others "
        "(a default, `ctx.Done()`) is not stuck on it.",
        why="An unbuffered send completes only when someone receives; a receive only when someone "
        "sends or closes. When the package holds every reference to the channel and none of it "
        "performs the other side, or the only receiver has already returned on its stop case, the "
        "goroutine waits forever: its stack and everything it references stay in memory, and every "
        "value of the type that is created and stopped leaves one more parked goroutine.",
        example="""type Pool struct {
    results chan Result // made unbuffered in NewPool
}

func (p *Pool) work(j Job) {
    p.results <- j.Do() // parked forever once Wait has returned on ctx.Done()
}

func (p *Pool) Wait(ctx context.Context) ([]Result, error) {
    var out []Result
    for {
        select {
        case r := <-p.results:
            out = append(out, r)
        case <-ctx.Done():
            return out, ctx.Err()
        }
    }
}""",
        use_instead="""func (p *Pool) work(ctx context.Context, j Job) {
    select {
    case p.results <- j.Do():
    case <-ctx.Done(): // the sender gives up with the receiver
    }
}""",
        limits="Only unexported fields whose name no other struct, method or function of the package "
        "uses, made in the package and never handed on (returned, passed to a call, stored in a "
        "variable or another field): such a channel may be used where this package cannot see. "
        "A buffered channel is left alone when a send may not block (the number of sends is not "
        "counted across methods); a receive with no sender is reported whatever its buffer. Who "
        "runs first is not decided: a receiver that can leave on its stop case counts as leaving "
        "first, even when the sender is stopped by the same signal before it sends. A receiver that is a "
        "service loop (an endless loop or one that runs while its context lives, `for ctx.Err() == nil`, such as an accept or event loop, also when it waits for its first signal "
        "before the loop, or a listener's `Accept` method, which a server's accept loop calls over and over) "
        "leaving only on its stop signal (`<-ctx.Done()`, a stop channel, a timeout) lives as long as its service, usually the process: its "
        "senders are reported as a note, unless the sending function itself waits on the receivers' stop channel elsewhere (a feeding loop that leaves on `<-l.closed` between sends but sends without it), which says the service can stop under it. On codebases nobody had tuned on, reviewers judged ten of eleven "
        "such findings not worth a change; a type made per request whose loop stops early is the exception "
        "this gives up. Where every function that receives is named for shutting down (`Close`, `Stop`, "
        "`Shutdown`, `Terminate`, …: a run loop's last signal awaited by its `Close` for a few seconds), a sender is "
        "left behind only when a shutdown gives up waiting, once per value stopped: a note, unless the "
        "sender runs per request (on one codebase nobody had tuned on, all 14 such findings were judged not "
        "worth a change: connectors made and closed once per process). A sender that looks, without blocking, "
        "whether the receiver has stopped right before it sends (`select { case <-p.stop: return; default: }`, "
        "then `p.sub <- ch`, or the send in that default case) is left behind only if the receiver stops in "
        "between: a note.",
        references=("https://go.dev/blog/pipelines", "https://github.com/uber-go/goleak"),
    ),
)

_NO_COUNTERPART = "no-counterpart"  # nothing in the package performs the other side: Finding.kind
_FIX_SEND = "select on the same stop signal in the sender (`select { case x.f <- v: case <-ctx.Done(): return }`), or give the channel a buffer for every send"


_STOP_QUERY = """
(send_statement channel: (_) @channel)
(call_expression function: (identifier) @_close (#eq? @_close "close") arguments: (argument_list . (_) @channel .))
"""


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    for channel in pkg.facts.field_channels:
        if channel.escapes:
            continue
        sends = channel.of(SEND)
        receives = channel.of(RECEIVE, RANGE)
        closes = channel.of(CLOSE)
        if sends and not receives:
            if not channel.unbuffered:
                continue
            for send in _reported(pkg, sends):
                yield send.ctx.finding(
                    RULE, send.node,
                    f"the send on unbuffered channel `{_text(send)}` can never complete: nothing in the package "
                    f"receives from {channel.type_name}.{channel.name}, and the channel is never handed on",
                    fix="receive from the channel where its values are meant to go, or drop the send",
                    kind=_NO_COUNTERPART)
        elif receives and not sends and not closes:
            for receive in _reported(pkg, receives):
                yield receive.ctx.finding(
                    RULE, receive.node,
                    f"the {'range over' if receive.kind == RANGE else 'receive from'} `{_text(receive)}` can never "
                    f"{'end' if receive.kind == RANGE else 'complete'}: nothing in the package sends on or closes "
                    f"{channel.type_name}.{channel.name}, and the channel is never handed on",
                    fix="close the channel when its owner stops (`close(x.f)` in Close or Stop), or drop the receive",
                    kind=_NO_COUNTERPART)
        elif sends and receives and channel.unbuffered:
            # Test code's receivers do not run in production: the production receivers decide.
            production = [r for r in receives if not r.ctx.is_test_file]
            if not production:
                continue
            leaving = _receivers_leave(pkg, channel, production, sends)
            if leaving is None:
                continue
            where = "; ".join(leaving[0])
            service = leaving[1]
            # Every receiver shuts its value down (`Close` waiting for the run loop's last signal, with
            # a timeout): a sender is left only when a shutdown gives up waiting, once per value
            # stopped, most often as the process ends.
            stopping = leaving[3]
            for send in _reported(pkg, sends):
                # A sender that itself waits on the receivers' stop signal elsewhere knows the service
                # can stop under it (a feeding loop that leaves on `<-l.closed` but sends without it):
                # the service's stop is not only the process's end for it.
                service = leaving[1] and not _waits_on(send, leaving[2])
                own = _deferred_by_receiver(send, production)
                if own is not None:
                    # `defer func() { c.stop <- struct{}{} }()` in the one function that receives it:
                    # it sends once it has stopped receiving, so no way out of it needs to win a race.
                    yield send.ctx.finding(
                        RULE, send.node,
                        f"the send on unbuffered channel `{_text(send)}` blocks every time {own} returns: "
                        f"{channel.type_name}.{channel.name} is received only in {own}, and this send is in "
                        f"{own}'s own deferred function, which runs once it has stopped receiving",
                        fix=_FIX_SEND, severity=Severity.NOTE if service else None, bounded=bool(stopping))
                    continue
                checked = _checked_before(send, leaving[2])
                if checked is not None:
                    # `select { case <-p.stop: return; default: }` right before `p.sub <- ch`: the sender
                    # is left behind only if the receiver stops between the check and the send.
                    yield send.ctx.finding(
                        RULE, send.node,
                        f"the send on unbuffered channel `{_text(send)}` can block forever: {channel.type_name}.{channel.name} "
                        f"is received only in {where}; the sender checks `{checked}` without blocking right before it "
                        "sends, so it is left behind only if the receiver stops between the check and the send",
                        fix=_FIX_SEND, severity=Severity.NOTE)
                    continue
                yield send.ctx.finding(
                    RULE, send.node,
                    f"the send on unbuffered channel `{_text(send)}` can block forever: {channel.type_name}.{channel.name} "
                    f"is received only in {where}"
                    + (" (its receivers are service loops that leave only when their service stops: senders are left "
                       "behind then, usually at shutdown)" if service else
                       f" (received only while shutting down ({', '.join(stopping)}): a sender is left behind only when "
                       "that shutdown gives up waiting, once per value stopped)" if stopping else ""),
                    fix=_FIX_SEND, severity=Severity.NOTE if service else None, bounded=bool(stopping))


_CONTEXT_LIVE = LazyPattern(r"\s*[\w.]+\.Err\(\)\s*==\s*nil\s*")
def _deferred_by_receiver(send: FieldUse, receives: list[FieldUse]) -> str | None:
    """The shown name of the function whose deferred literal makes the send, when every receive
    of the channel is in that function itself (not in a literal of it): None otherwise."""
    literal = send.function
    if literal is None or literal.node.type != "func_literal" or literal.parent is None:
        return None
    call = literal.node.parent
    if call is None or call.type != "call_expression" or call.parent is None or call.parent.type != "defer_statement":
        return None
    owner = literal.parent
    if all(r.function is owner for r in receives):
        return owner.shown
    return None


def _waits_on(send: FieldUse, stops: set[str]) -> bool:
    """The sending function receives from one of the named stop channels somewhere."""
    function = send.function
    if function is None or not stops:
        return False
    while function.parent is not None and function.node.type == "func_literal":
        function = function.parent  # a literal run inside a loop that waits on the stop
    data = without_comments(send.ctx.source.data[function.node.start_byte:function.node.end_byte])
    return any(re.search(rb"<-\s*[\w.]*\b" + re.escape(name.encode()) + rb"\b(?!\s*\()", data) for name in stops)


def _checked_before(send: FieldUse, stops: set[str]) -> str | None:
    """The stop case (`<-p.stop`) of a select with a default case that holds the send (`select {
    case <-p.stop: default: p.sub <- ch }`), or that the sending function runs before the send, in
    a block around it, and that returns: the sender looks, without blocking, whether the receiver has
    stopped before it sends. None when there is none."""
    function = send.function
    if function is None or not stops:
        return None
    model, data = send.ctx.model, send.ctx.source.data
    node = send.node.parent
    while node is not None and node is not function.node and node.type not in ("func_literal", "function_declaration",
                                                                               "method_declaration"):
        if node.type == "default_case" and node.parent is not None and node.parent.type == "select_statement":
            # `select { case <-p.stop: default: p.sub <- ch }`: the send is the default's
            for case in node.parent.named_children:
                communication = case.child_by_field_name("communication") if case.type == "communication_case" else None
                if communication is not None and _channel_name(model, communication) in stops:
                    return send.ctx.source.text(communication)
        node = node.parent
    for select in query_captures("(select_statement) @select", function.node).get("select", []):
        if select.end_byte > send.node.start_byte or model.enclosing_function(select) is not function:
            continue
        block = select.parent
        if block is None or not (block.start_byte <= send.node.start_byte and send.node.end_byte <= block.end_byte):
            continue  # in a branch the send is not in: not a check every send passes
        cases = select.named_children
        if not any(case.type == "default_case" for case in cases):
            continue
        for case in cases:
            communication = case.child_by_field_name("communication") if case.type == "communication_case" else None
            if communication is None or _channel_name(model, communication) not in stops:
                continue
            if re.search(rb"\breturn\b", data[communication.end_byte:case.end_byte]):
                return send.ctx.source.text(communication)
    return None


def _reported(pkg: PackageContext, uses: list[FieldUse]) -> list[FieldUse]:
    """The uses that wait alone, in reported non-test files."""
    return [use for use in uses if not use.guarded and use.ctx.relpath in pkg.report_paths
            and not use.ctx.is_test_file and use.function is not None]


def _text(use: FieldUse) -> str:
    node = use.node
    if node.type == "send_statement":
        node = node.child_by_field_name("channel")
    elif node.type == "unary_expression":
        node = node.child_by_field_name("operand")
    elif node.type == "range_clause":
        node = node.child_by_field_name("right")
    return use.ctx.source.text(node) if node is not None else "?"


def _receivers_leave(pkg: PackageContext, channel: FieldChannel, receives: list[FieldUse],
                     sends: list[FieldUse]) -> tuple[list[str], bool, set[str], list[str]] | None:
    """For each function that receives from the channel: the stop case on which it returns without
    receiving again, whether every one of them is a service loop's outer context (see
    _service_loop), the stop channels' names, and the receiving functions' names when every one is
    named for shutting down (`Close`, `Stop`: goroutines.shutdown_function), else none. None unless
    every receive is a select case next to such a way out."""
    senders = {id(use.function) for use in sends}
    # Channels the senders themselves signal (`if err != nil { p.errs <- err; return }; p.out <- v`):
    # a receiver leaving on one of those got the sender's other answer, not a stop.
    signalled: set[str] = set()
    for use in sends:
        if use.function is not None:
            for node in query_captures(_STOP_QUERY, use.function.node).get("channel", []):
                name = last_name(use.ctx.model, node)
                if name is not None:
                    signalled.add(name)
    found: dict[int, str] = {}
    stops: set[str] = set()  # the stop channels' names (`closed` of `<-l.closed`)
    service = True
    for receive in receives:
        function = receive.function
        if receive.kind != RECEIVE or function is None or id(function) in senders or not receive.guarded:
            return None
        if id(function) in found:
            continue
        own = [r.node for r in receives if r.function is function]
        way_out = _leaving_case(pkg, receive, own, signalled)
        if way_out is None:
            return None
        case, exit_node = way_out
        stop = _channel_name(receive.ctx.model, case)
        if stop is not None:
            stops.add(stop)
        source = receive.ctx.source
        # The line of the case the function leaves on: where it ends is only the closing brace.
        line = source.line_of(case.start_byte)
        what = "returns" if exit_node.type == "return_statement" else "ends"
        found[id(function)] = (f"{function.shown} ({receive.ctx.relpath}:{source.line_of(receive.node.start_byte)}), "
                               f"which {what} on `{source.text(case)}` (line {line}) first")
        # A service's function may wait for its first signal before its loop (`select { case
        # <-x.start: case <-ctx.Done(): return }; for { select { … case <-x.start: … } }`).
        if not any(_service_loop(r) for r in receives if r.function is function):
            service = False
    stopping = [shutdown_function(r.function) for r in receives]
    stopping = sorted(set(stopping)) if all(stopping) else []
    return (list(found.values()), service, stops, stopping) if found else None


def _channel_name(model, communication: Node) -> str | None:
    """The last name of the channel a stop case receives from (`closed` of `<-l.closed`); None for
    a call (`<-ctx.Done()`, `<-time.After(d)`)."""
    node = communication
    if node.type == "receive_statement":
        node = node.child_by_field_name("right")
    elif node.type == "expression_statement" and node.named_child_count == 1:
        node = node.named_children[0]
    operand = node.child_by_field_name("operand") if node is not None and node.type == "unary_expression" else None
    if operand is None or operand.type not in ("identifier", "selector_expression"):
        return None
    return last_name(model, operand)


def _service_loop(receive: FieldUse) -> bool:
    """The receive sits in an endless loop of its function: a service's main loop (an accept loop,
    an event loop) that leaves only on its stop signal; or in a listener's `Accept`, which a server's
    accept loop calls over and over. It lives as long as the service, usually
    the process; its senders are left behind when the service stops, not per use of the type."""
    if receive.function.kind == "method" and receive.function.name.rsplit(".", 1)[-1] == "Accept":
        return True  # a listener's Accept: the server's accept loop calls it for as long as the listener lives
    cfg = receive.function.cfg
    loop = enclosing_loop(receive.node)
    while loop is not None and receive.function.contains(loop):
        facts = cfg.loop(loop)
        if facts is not None and facts.endless:
            return True
        condition = next((c for c in loop.named_children if c.type not in ("block", "for_clause", "range_clause",
                                                                          "comment")), None)
        if condition is not None and _CONTEXT_LIVE.fullmatch(receive.ctx.source.text(condition)):
            return True  # `for ctx.Err() == nil {`: until its context ends
        loop = enclosing_loop(loop)
    return False


def _leaving_case(pkg: PackageContext, receive: FieldUse, own: list[Node], signalled: set[str]) -> tuple[Node, Node] | None:
    """Another case of the receive's select, a stop signal, that lets the function reach a return
    without receiving from the channel again: the case's communication and the exit."""
    statement = receive.node.parent  # receive_statement, or the case's expression
    case = statement.parent if statement is not None else None
    select = case.parent if case is not None else None
    if select is None or select.type != "select_statement":
        return None
    cfg = receive.function.cfg
    # Straight out of the case: a path that comes round to this select again may leave by yet
    # another case, which is that case's doing, not this one's.
    cases = [c.child_by_field_name("communication") for c in select.named_children if c.type == "communication_case"]
    avoid = [*own, *(c for c in cases if c is not None)]
    # Nor through the condition of a loop around the select (`for err == nil { select … }`): which
    # case made it false is not known, so no case is taken to leave that way.
    loop = enclosing_loop(select)
    while loop is not None and receive.function.contains(loop):
        header = cfg.loop(loop).header if cfg.loop(loop) is not None else None
        if header is not None and loop.child_by_field_name("body") is not None \
                and any(c.type not in ("block", "comment") for c in loop.named_children):
            avoid.extend(header.elements)
        loop = enclosing_loop(loop)
    for other in select.named_children:
        if other.type != "communication_case" or other == case:
            continue
        communication = other.child_by_field_name("communication")
        if communication is None or not _stop_signal(pkg, receive, communication, signalled):
            continue  # a send case, or another answer from the sender: not a stop
        exit_node = cfg.path_to_exit_avoiding(communication, avoid)
        if exit_node is not None:
            return communication, exit_node
    return None


def _stop_signal(pkg: PackageContext, receive: FieldUse, communication: Node, signalled: set[str]) -> bool:
    """A receive that says the receiver should stop: `<-ctx.Done()`, a timeout (`time.After`, a
    timer's `.C`), or a channel the package closes and the senders never signal."""
    node = communication
    if node.type == "receive_statement":
        node = node.child_by_field_name("right")
    elif node.type == "expression_statement" and node.named_child_count == 1:
        node = node.named_children[0]
    if node is None or node.type != "unary_expression" or node.child_by_field_name("operator") is None \
            or node.child_by_field_name("operator").text != b"<-":
        return False
    operand = node.child_by_field_name("operand")
    model = receive.ctx.model
    if operand is not None and operand.type == "call_expression":
        callee = operand.child_by_field_name("function")
        if callee is not None and callee.type == "selector_expression" and callee.child_by_field_name("field").text == b"Done":
            return True
        return model.qualified(callee) in ("time.After", "time.Tick")
    name = last_name(model, operand)
    if name is None or name in signalled:
        return False
    if name == "C" and operand.type == "selector_expression":
        return True  # a timer's or a ticker's channel
    return pkg.facts.functions.closed(name)
