"""GL109 timer-receive-after-stop."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.structs import field_type

RULE = Rule(
    id="GL109",
    slug="timer-receive-after-stop",
    title="a receive from a timer's channel right after Stop, whatever Stop returned",
    severity=Severity.WARNING,
    tags=("goroutine-leak",),
    precision="medium",  # not measured yet: ten held-out judgements set it (docs/ecosystem.md)
    lifetime="repeats",
    docs=Docs(
        what="Finds `t.Stop()` whose result is thrown away, followed in the same block by a plain "
        "receive `<-t.C`, where `t` is declared as a `*time.Timer` or `*time.Ticker` (a "
        "`time.NewTimer` or `time.NewTicker` value, a parameter, variable or struct field of that "
        "type). Statements in between may not touch `t` (a `Reset` or a new timer starts another "
        "wait). A receive that is one case of a `select` with a `default` is not reported.",
        why="Stop never sends on the channel and never closes it. When the timer had not fired yet, "
        "Stop stops it and the receive waits forever; the goroutine is parked with everything it "
        "references. Before Go 1.23 the receive only completes when the timer fired and nobody "
        "took the value yet, which is what `if !t.Stop() { <-t.C }` tests; from Go 1.23 (the `go` "
        "directive of go.mod) Stop also discards a value not yet received, so the receive after "
        "it always blocks, and no drain is needed at all.",
        example="""func wait(ctx context.Context, d time.Duration) error {
    t := time.NewTimer(d)
    select {
    case <-ctx.Done():
        t.Stop()
        <-t.C // blocks forever: the timer was stopped before it fired
        return ctx.Err()
    case <-t.C:
        return nil
    }
}""",
        use_instead="""    case <-ctx.Done():
        if !t.Stop() { // before Go 1.23: drain only a value that is there
            <-t.C
        }
        return ctx.Err()

// from Go 1.23: Stop is enough
    case <-ctx.Done():
        t.Stop()
        return ctx.Err()""",
        limits="Only a receive in the same block as the Stop call, after it, is considered; a receive "
        "further away (in a later branch or after a loop) is not. A timer whose type only a type "
        "checker knows (`t := newTimer()`, a clock library's timer) is not checked.",
        references=("https://pkg.go.dev/time#Timer.Stop", "https://go.dev/doc/go1.23#timer-changes"),
    ),
)

REQUIRES_IMPORTS = frozenset({"time"})
METHOD_CALLS = frozenset({"Stop"})

_TIMER_TYPES = frozenset({"*time.Timer", "*time.Ticker"})


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    for call in captures["call"]:
        statement = call.parent
        if statement is None or statement.type != "expression_statement":
            continue  # `if !t.Stop()`, `stopped := t.Stop()`, `defer t.Stop()`: its result is used, or it runs last
        callee = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        if callee is None or callee.type != "selector_expression" or arguments is None or arguments.named_child_count:
            continue
        timer = callee.child_by_field_name("operand")
        kind = _timer_kind(ctx, timer)
        if kind is None:
            continue
        receive = _receive_after(ctx, statement, ctx.source.text(timer))
        if receive is None:
            continue
        name = ctx.source.text(timer)
        what = "timer" if kind == "*time.Timer" else "ticker"
        if ctx.go_at_least(1, 23):
            message = (f"`<-{name}.C` after `{name}.Stop()` blocks forever: since Go 1.23 (this module's go.mod) Stop "
                       f"leaves nothing in the channel, fired or not, so nothing will ever be received")
            fix = f"drop the receive: from Go 1.23 `{name}.Stop()` alone is enough"
        else:
            when = "Stop stopped the timer before it fired (Stop returned true)" if what == "timer" else \
                "no tick is waiting in the channel"
            message = (f"`<-{name}.C` after `{name}.Stop()` blocks forever whenever {when}: nothing is ever sent on "
                       f"the channel after Stop")
            fix = (f"drain only when Stop reports the {what} already fired: `if !{name}.Stop() {{ <-{name}.C }}`; from "
                   f"Go 1.23 Stop alone is enough")
        yield ctx.finding(RULE, receive, message, fix=fix)


def _timer_kind(ctx: FileContext, operand: Node | None) -> str | None:
    if operand is None:
        return None
    model = ctx.model
    if operand.type == "identifier":
        kind = model.declared_type(model.resolve(operand))
    elif operand.type == "selector_expression":
        kind = field_type(model, operand)
    else:
        return None
    return kind if kind in _TIMER_TYPES else None


def _receive_after(ctx: FileContext, statement: Node, name: str) -> Node | None:
    """The first later statement of the block that touches the timer, when it is a plain `<-t.C`
    (as a statement or an assignment's value)."""
    text = ctx.source.text
    mentions = re.compile(rf"(?<![\w.]){re.escape(name)}\b")
    sibling = statement.next_named_sibling
    while sibling is not None:
        if sibling.type == "comment":
            sibling = sibling.next_named_sibling
            continue
        if not mentions.search(text(sibling)):
            sibling = sibling.next_named_sibling
            continue
        value = None
        if sibling.type == "expression_statement" and sibling.named_child_count == 1:
            value = sibling.named_children[0]
        elif sibling.type in ("assignment_statement", "short_var_declaration"):
            right = sibling.child_by_field_name("right")
            value = right.named_children[0] if right is not None and right.named_child_count == 1 else None
        if value is not None and value.type == "unary_expression" and text(value).replace(" ", "") == f"<-{name}.C":
            return value
        return None
    return None
