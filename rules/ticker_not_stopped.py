"""GL403 ticker-not-stopped."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext
from goleaklint.model import Function, enclosing_loop, runs_once_at_startup
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL403",
    slug="ticker-not-stopped",
    title="a ticker or timer is never stopped, or time.Tick leaks its ticker",
    severity=Severity.WARNING,
    tags=("memory-leak", "resource-leak"),
    precision="high",
    docs=Docs(
        what="Finds `time.NewTicker` and `time.NewTimer` values that are never stopped (`Stop` called, "
        "deferred or taken as a method value anywhere in the function) and never handed on (returned, "
        "passed to a function, stored in a field, a map, a slice or another variable, sent on a channel). "
        "Also finds `time.Tick` outside package main, `init` and tests, in a function that can return "
        "(the staticcheck SA1015 shape), and `time.Tick` evaluated inside a loop body, which makes a "
        "new ticker every iteration wherever it is.",
        why="A ticker fires until it is stopped. Before Go 1.23 the runtime holds every running "
        "ticker, so one that is neither stopped nor reachable is never collected: each call of the "
        "function adds a ticker that wakes up forever. `time.Tick` offers no way to stop its ticker "
        "at all. A timer that is not stopped is held until it fires. From Go 1.23 (the `go` "
        "directive of the nearest go.mod, or the `go-version` setting) unreferenced timers and "
        "tickers are collected: `time.Tick` outside a loop is then no longer reported (its only cost "
        "was the leak), `time.Tick` inside a loop drops to note level (a new ticker per iteration "
        "still behaves like a timeout, not a tick), and so does an unstopped `NewTicker`/`NewTimer` "
        "(it is collected once unreachable; `Stop` still releases it at once).",
        example="""func (w *Worker) poll(ctx context.Context) error {
    t := time.NewTicker(time.Second) // never stopped
    for {
        select {
        case <-ctx.Done():
            return ctx.Err()
        case <-t.C:
            w.check()
        }
    }
}""",
        use_instead="""func (w *Worker) poll(ctx context.Context) error {
    t := time.NewTicker(time.Second)
    defer t.Stop()
    for {
        select {
        case <-ctx.Done():
            return ctx.Err()
        case <-t.C:
            w.check()
        }
    }
}""",
        limits="Test files are not checked: their tickers end with the test binary. A ticker handed on counts as someone else's to stop; whether they do is not checked. "
        "A function with an endless loop and no `return` after the ticker is made is exempt: the "
        "ticker lives as long as it does. So is `main` in package main, and `for range time.NewTicker(d).C` in such a function. A timer whose channel is "
        "received unconditionally in the same block has fired and is not reported. A Go version "
        "that cannot be read is taken to be before 1.23.",
        references=(
            "https://pkg.go.dev/time#NewTicker",
            "https://staticcheck.dev/docs/checks/#SA1015",
            "https://go.dev/doc/go1.23#timer-changes",
        ),
    ),
)

REQUIRES_IMPORTS = frozenset({"time"})
METHOD_CALLS = frozenset({"NewTicker", "NewTimer", "Tick"})


_STOP_FIX = "call Stop when done with it, usually `defer t.Stop()` right after creating it"
_TICK_FIX = "use time.NewTicker and `defer ticker.Stop()`; create it once, before the loop"


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file:
        return  # a test's tickers end with the test binary
    model = ctx.model
    for call in captures["call"]:
        name = model.qualified(call)
        if name == "time.Tick":
            finding = _check_tick(ctx, call)
        elif name in ("time.NewTicker", "time.NewTimer"):
            finding = _check_new(ctx, call, name)
        else:
            continue
        if finding is not None:
            yield finding


# ---- time.Tick ----------------------------------------------------------------------------------


def _check_tick(ctx: FileContext, call: Node) -> Finding | None:
    function = ctx.model.enclosing_function(call)
    if enclosing_loop(call) is not None:
        if ctx.go_at_least(1, 23):
            return ctx.finding(
                RULE, call,
                "time.Tick inside a loop makes a new ticker every iteration, so it waits a full period each time round "
                "instead of ticking; it no longer leaks (unreferenced tickers are collected since Go 1.23)",
                fix=_TICK_FIX, severity=Severity.NOTE,
            )
        return ctx.finding(
            RULE, call,
            f"time.Tick inside a loop makes a new ticker every iteration and none can ever be stopped: one more "
            f"ticker held forever per iteration ({_version_note(ctx)})",
            fix=_TICK_FIX,
        )
    if ctx.go_at_least(1, 23):
        return None  # the only cost was the leak, and Go 1.23 collects an unreferenced ticker
    if ctx.model.package == "main" or function is None:
        return None  # a command's tickers live as long as the process anyway
    if runs_once_at_startup(ctx.model, _outermost(function)):
        return None
    if _is_endless(ctx, function, call):
        return None
    return ctx.finding(
        RULE, call,
        f"time.Tick's ticker can never be stopped: every call of {_owner(function)} leaks a ticker that fires "
        f"forever ({_version_note(ctx)})",
        fix=_TICK_FIX,
    )


# ---- time.NewTicker / time.NewTimer -------------------------------------------------------------


def _check_new(ctx: FileContext, call: Node, constructor: str) -> Finding | None:
    what = "ticker" if constructor.endswith("Ticker") else "timer"
    held = "fires until it is stopped" if what == "ticker" else "is held until it fires"
    parent = call.parent
    if parent is None:
        return None
    model = ctx.model
    function = model.enclosing_function(call)
    if function is None or (function.name == "main" and function.kind == "func" and model.package == "main"):
        return None  # a command's main: the process ends with it
    if parent.type == "expression_statement":
        return _report(ctx, call, f"the {what} made by {constructor} is discarded, so it can never be stopped and {held}",
                       fix=f"keep the {what} and Stop it, or drop the call")
    if parent.type == "selector_expression" and what == "ticker":
        clause = parent.parent
        if clause is not None and clause.type == "range_clause" and _is_endless(ctx, function, call):
            return None  # `for range time.NewTicker(d).C` in a function that never returns
        return _report(ctx, call, f"only the channel of this {constructor} is kept, so the ticker can never be stopped "
                       f"and {held}", fix=_STOP_FIX)
    if parent.type != "expression_list" or parent.named_child_count != 1:
        return None  # returned, passed, stored: handed on
    statement = parent.parent
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return None
    if statement.type == "var_spec":
        names = statement.children_by_field_name("name")
    else:
        left = statement.child_by_field_name("left")
        if left is None or left == parent:
            return None
        names = left.named_children
    if len(names) != 1:
        return None
    target = names[0]
    if target.type != "identifier":
        return None  # a field, a map or slice element: handed on
    name = ctx.source.text(target)
    if name == "_":
        return _report(ctx, target, f"the {what} made by {constructor} is assigned to _, so it can never be stopped and {held}",
                       fix=f"keep the {what} and Stop it")
    binding = model.resolve(target)
    if binding.kind != "local" or binding.decl is None:
        return None  # a package variable, a parameter or a named result: owned elsewhere
    function = model.enclosing_function(binding.decl)
    if function is None:
        return None
    uses = model.references(binding.decl, within=function.node)
    for ref in uses:
        usage = _usage(ref)
        if usage in ("stop", "handed"):
            return None
    if what == "timer" and _received_unconditionally(ctx, statement, name):
        return None
    if _is_endless(ctx, function, statement):
        return None
    return _report(
        ctx, target, f"the {what} `{name}` made by {constructor} is never stopped and not handed on: it {held}",
        fix=_STOP_FIX.replace("t.Stop", f"{name}.Stop"),
    )


def _report(ctx: FileContext, node: Node, message: str, *, fix: str) -> Finding:
    """A warning before Go 1.23, where the runtime holds an unstopped timer or ticker for good (a
    ticker) or until it fires (a timer); a note from 1.23, where an unreachable one is collected."""
    if ctx.go_at_least(1, 23):
        return ctx.finding(
            RULE, node,
            f"{message}; it no longer leaks once unreachable (go {ctx.go_version[0]}.{ctx.go_version[1]}: collected "
            "since Go 1.23), but Stop releases it at once",
            fix=fix, severity=Severity.NOTE,
        )
    return ctx.finding(RULE, node, f"{message}, and before Go 1.23 the runtime never collects it ({_version_note(ctx)})",
                       fix=fix)


def _usage(ref: Node) -> str:
    """How a reference to the ticker variable uses it: stop, handed (on), or read."""
    parent = ref.parent
    if parent is None:
        return "read"
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ref:
        field = parent.child_by_field_name("field")
        if field is not None and field.text == b"Stop":
            return "stop"
        return "read"  # t.C, t.Reset(d)
    if parent.type == "expression_list":
        statement = parent.parent
        if statement is not None and statement.type in ("assignment_statement", "short_var_declaration"):
            left = statement.child_by_field_name("left")
            if left == parent:
                return "read"  # a write to the variable
            if left is not None and all(c.text == b"_" for c in left.named_children):
                return "read"  # `_ = t` keeps nothing
    if parent.type in ("binary_expression", "expression_statement"):
        return "read"  # t == nil
    return "handed"


def _received_unconditionally(ctx: FileContext, statement: Node, name: str) -> bool:
    """`<-t.C` as a statement in the block that made the timer: it has fired by then."""
    sibling = statement.next_named_sibling
    while sibling is not None:
        if sibling.type == "expression_statement" and ctx.source.text(sibling).replace(" ", "") == f"<-{name}.C":
            return True
        sibling = sibling.next_named_sibling
    return False


# ---- shared -------------------------------------------------------------------------------------



def _is_endless(ctx: FileContext, function: Function, after: Node) -> bool:
    """The function cannot return once `after` has run: every path from it loops forever (`for {}`,
    a range over a ticker's channel, with no way out) or ends the process."""
    return function.cfg.path_to_exit_avoiding(after) is None


def _outermost(function: Function) -> Function:
    while function.parent is not None:
        function = function.parent
    return function


def _owner(function: Function) -> str:
    return function.name if function.kind != "literal" else "this function literal"


def _version_note(ctx: FileContext) -> str:
    if ctx.go_version is None:
        return "Go version unknown, assuming before 1.23"
    return f"go {ctx.go_version[0]}.{ctx.go_version[1]}"
