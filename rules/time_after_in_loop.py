"""GL402 time-after-in-loop."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.cfg import terminating_statement
from goleaklint.constants import SHORT_TIMER, duration_nanoseconds, spell_duration
from goleaklint.context import FileContext
from goleaklint.callgraph import in_unbounded_loop
from goleaklint.model import FUNCTION_TYPES, enclosing_loop
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL402",
    slug="time-after-in-loop",
    title="time.After in a select inside a loop creates a timer every iteration",
    severity=Severity.WARNING,
    tags=("memory-leak",),
    precision="low",  # measured on held-out codebases (docs/ecosystem.md)
    docs=Docs(
        what="Finds `time.After(...)` evaluated in a case of a `select` that sits in a loop body, "
        "when another case of that select (or its `default`) lets the loop go round again.",
        why="Each evaluation creates a new timer. Before Go 1.23 a timer that has not fired is "
        "never collected, even when nothing references it: a loop that mostly takes the other case "
        "(a busy message channel) leaves one timer, its channel and its closure in the heap per "
        "iteration until each fires. With a timeout of minutes and thousands of messages a second "
        "that is a steady climb. From Go 1.23 (the `go` directive of the nearest go.mod, or the "
        "`go-version` setting) unreferenced timers are collected, so nothing is reported there: the "
        "loop still allocates a timer per iteration and restarts the timeout each time round, which is "
        "rarely what an idle or overall timeout means, but that is a question of style, not a leak.",
        example="""for {
    select {
    case msg := <-msgs:
        handle(msg)
    case <-time.After(time.Minute): // a new timer per message
        return errIdle
    }
}""",
        use_instead="""idle := time.NewTimer(time.Minute)
defer idle.Stop()
for {
    select {
    case msg := <-msgs:
        handle(msg)
        idle.Reset(time.Minute)
    case <-idle.C:
        return errIdle
    }
}""",
        limits="Not reported: test files; Go 1.23 and later; a select whose other cases all leave the "
        "loop (return, panic, `os.Exit`, a Fatal/FailNow call, a labelled break or continue, goto, a "
        "receive from `ctx.Done()`, or an unconditional assignment to a variable the loop's condition "
        "reads, as in `for err == nil { select { case err = <-quit: … } }`), or that is followed by an "
        "unconditional return before the loop goes round, since then the timer fires before the next one "
        "is made (the sleep-with-cancel idiom); a plain `<-time.After(d)` receive, which waits for the "
        "timer to fire; `time.After` assigned to a variable first. A condition variable assigned a value "
        "that keeps the loop going is still taken to leave it. A Go version that cannot be read is taken "
        "to be before 1.23. A constant duration under a minute (`10 * time.Millisecond`, a const of the package "
        "spelled that way in any of its files (`fetchTimeout * time.Second` with `const fetchTimeout = 5` in another), or a variable of the file declared so that no other line of the package's non-test code "
        "assigns, changes or takes the address of) is a note: each timer is garbage for less than a minute after the iteration that made it, "
        "so what a loop leaves is bounded by its rate times the duration. Outside code run per request (once per "
        "process, in a loop of a service, where no caller is seen) a note: a loop that lives as long as the "
        "process leaves as many timers as its other cases win before they fire, which on the ledger was small "
        "(2 of 64 such findings were worth a change, against 3 of 8 in streams served per request).",
        references=("https://pkg.go.dev/time#After", "https://go.dev/doc/go1.23#timer-changes"),
    ),
)

REQUIRES_IMPORTS = frozenset({"time"})
# `x.After(...)` calls, shared with other rules' method calls (see the engine); the shape
# `case <-time.After(d):` is checked here, which costs less than a pattern of its own.
METHOD_CALLS = frozenset({"After"})



def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file:
        return  # a test's loops are short and its process ends with it
    model = ctx.model
    for call in captures["call"]:
        case = _case_receiving(call)
        if case is None or model.qualified(call) != "time.After":
            continue
        select = case.parent
        if select is None or select.type != "select_statement":
            continue
        loop = enclosing_loop(select)
        if loop is None:
            continue
        if all(_leaves_loop(ctx, other, loop) for other in select.named_children
               if other.type in ("communication_case", "default_case") and other != case):
            continue
        if _followed_by_exit(ctx, select, loop):
            continue  # whichever case wins, the loop does not go round again
        if ctx.go_at_least(1, 23):
            continue  # an unreferenced timer is collected since Go 1.23: what is left is style, not a leak
        known = f"go {_version(ctx)}" if ctx.go_version else "Go version unknown, assuming before 1.23"
        args = call.child_by_field_name("arguments")
        nanoseconds = duration_nanoseconds(model, args.named_children[0], unchanged=ctx.package.facts.unchanged_vars) \
            if args is not None and args.named_child_count == 1 else None
        short = nanoseconds is not None and nanoseconds < SHORT_TIMER
        yield ctx.finding(
            RULE, call,
            f"time.After in a select inside a loop creates a new timer every iteration, and each one stays in "
            f"memory until it fires ({known})"
            + (f"; at {spell_duration(nanoseconds)} each is gone soon after the iteration that made it" if short else ""),
            fix="create one time.NewTimer before the loop, Reset it each iteration and Stop it when done, or "
            "use a context with a deadline set outside the loop",
            repeats=in_unbounded_loop(ctx.model, call),
            severity=Severity.NOTE if short else None,
            # Outside code run per request the timers a loop leaves are as many as its other cases
            # win before they fire, which the ledger found small: 2 of 64 such loops (once per
            # process, in an endless loop, no caller seen) were worth a change, against 3 of 8 per
            # request (a server-sent-events stream per client).
            bounded=True,
        )


def _case_receiving(call: Node) -> Node | None:
    """The select case whose communication is `<-call` (`case <-time.After(d):`, `case v := <-…`)."""
    unary = call.parent
    if unary is None or unary.type != "unary_expression" or unary.child_by_field_name("operand") != call:
        return None
    receive = unary.parent
    if receive is None or receive.type != "receive_statement" or receive.child_by_field_name("right") != unary:
        return None
    case = receive.parent
    if case is None or case.type != "communication_case" or case.child_by_field_name("communication") != receive:
        return None
    return case


def _version(ctx: FileContext) -> str:
    major, minor = ctx.go_version or (0, 0)
    return f"{major}.{minor}"



def _followed_by_exit(ctx: FileContext, select: Node, loop: Node) -> bool:
    """An unconditional exit after the select, before the loop body ends."""
    child, current = select, select.parent
    while current is not None and current != loop:
        if current.type == "statement_list":
            sibling = child.next_named_sibling
            while sibling is not None:
                if _is_exit(ctx, sibling):
                    return True
                sibling = sibling.next_named_sibling
        child, current = current, current.parent
    return False


def _is_exit(ctx: FileContext, statement: Node) -> bool:
    if statement.type in ("return_statement", "goto_statement"):
        return True
    return terminating_statement(ctx.model, statement)  # panic, os.Exit, t.Fatal, logger.Fatalf, ...


def _leaves_loop(ctx: FileContext, case: Node, loop: Node) -> bool:
    """Whether a select case always ends by leaving `loop` (so no second timer is made).

    A case receiving from `X.Done()` counts as leaving: once a context is done the loop is on its
    way out (its condition or the next check sees it), and this case wins every later select."""
    if _is_done_receive(ctx, case) or _sets_condition(ctx, case, loop):
        return True
    statements = [c for c in case.named_children if c.type == "statement_list"]
    if not statements or not statements[-1].named_children:
        return False
    last = statements[-1].named_children[-1]
    while last.type == "block":
        inner = [c for c in last.named_children if c.type == "statement_list"]
        if not inner or not inner[0].named_children:
            return False
        last = inner[0].named_children[-1]
    if last.type in ("return_statement", "goto_statement"):
        return True
    if last.type in ("break_statement", "continue_statement"):
        label = next((c for c in last.named_children if c.type == "label_name"), None)
        if label is None:
            return False  # a bare break leaves the select only; a bare continue goes round again
        return _labels_loop_or_outer(ctx, ctx.source.text(label), loop, last.type == "continue_statement")
    return _is_exit(ctx, last)


def _sets_condition(ctx: FileContext, case: Node, loop: Node) -> bool:
    """A case that assigns, unconditionally, a variable the loop's condition reads (`for errc == nil {
    select { case errc = <-quit: } }`): the loop is left through its condition."""
    condition = _loop_condition(loop)
    if condition is None:
        return False
    model = ctx.model
    read = {model.resolve(n).decl.start_byte for n in _identifiers(condition)
            if model.resolve(n).decl is not None}
    if not read:
        return False
    assigned: list[Node] = []
    communication = case.child_by_field_name("communication")
    if communication is not None and communication.type == "receive_statement":
        left = communication.child_by_field_name("left")
        assigned.extend(left.named_children if left is not None else [])
    statements = [c for c in case.named_children if c.type == "statement_list"]
    for statement in (statements[-1].named_children if statements else []):
        if statement.type == "assignment_statement":
            left = statement.child_by_field_name("left")
            assigned.extend(left.named_children if left is not None else [])
    return any(n.type == "identifier" and model.resolve(n).decl is not None
               and model.resolve(n).decl.start_byte in read for n in assigned)


def _loop_condition(loop: Node) -> Node | None:
    for child in loop.named_children:
        if child.type == "for_clause":
            return child.child_by_field_name("condition")
        if child.type not in ("block", "range_clause", "comment"):
            return child  # `for cond {`
    return None


def _identifiers(node: Node) -> list[Node]:
    found, stack = [], [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            found.append(current)
        elif current.type not in ("func_literal",):
            stack.extend(current.named_children)
    return found


def _is_done_receive(ctx: FileContext, case: Node) -> bool:
    if case.type != "communication_case":
        return False
    communication = case.child_by_field_name("communication")
    if communication is None or communication.type != "receive_statement":
        return False
    right = communication.child_by_field_name("right")
    operand = right.child_by_field_name("operand") if right is not None else None
    if operand is None or operand.type != "call_expression":
        return False
    function = operand.child_by_field_name("function")
    return function is not None and function.type == "selector_expression" \
        and ctx.source.text(function.child_by_field_name("field")) == "Done"


def _labels_loop_or_outer(ctx: FileContext, label: str, loop: Node, is_continue: bool) -> bool:
    """`break L` naming this loop or an outer one, `continue L` naming an outer one."""
    current: Node | None = loop
    while current is not None and current.type not in FUNCTION_TYPES:
        if current.type == "for_statement" and current.parent is not None and current.parent.type == "labeled_statement":
            name = current.parent.child_by_field_name("label")
            if name is not None and ctx.source.text(name) == label:
                return not (is_continue and current == loop)
        current = current.parent
    return False
