"""GL403 ticker-not-stopped."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.constants import SHORT_TIMER, duration_nanoseconds, spell_duration
from goleaklint.context import FileContext
from goleaklint.callgraph import in_unbounded_loop
from goleaklint.model import Function, enclosing_loop, runs_once_at_startup
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL403",
    slug="ticker-not-stopped",
    title="a ticker or timer is never stopped, or time.Tick leaks its ticker",
    severity=Severity.WARNING,
    tags=("memory-leak", "resource-leak"),
    # Measured on held-out codebases (docs/ecosystem.md): 57 of 164 over every batch to 74, low; of the
    # judgements that kept the lifetime, a ticker made in a loop that never ends 14 of 22 and one made
    # per request 6 of 10 (batches to 77): medium there. Once per process or with no caller seen it
    # is a ticker abandoned once, low.
    precision="low",
    precision_by_lifetime=(("loop", "medium"), ("per-request", "medium")),
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
        "tickers are collected: `time.Tick` outside a loop and an unstopped `NewTimer` or `NewTicker` "
        "are then no longer reported (their only cost was the leak), and `time.Tick` inside a loop drops "
        "to note level (a new ticker per iteration still behaves like a timeout, not a tick). One shape "
        "leaks on every version: an unstopped `NewTicker` read by a goroutine that never exits, started "
        "by a function that returns (a constructor, say): the goroutine keeps the ticker reachable, and "
        "every call leaves both running.",
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
        limits="An unstopped `NewTimer` is a note: it is held only until it fires, and then collected (on the ledger, none of 23 judged at warning level was worth a change, hour-long and day-long ones included); one of a constant duration under a minute (an untyped constant is nanoseconds) says it is gone soon after. Test files are not checked: their tickers end with the test binary. A ticker handed on "
        "counts as someone else's to stop; whether they do is not checked. A timer captured by a closure "
        "or read by another goroutine counts as handed on. "
        "A function with an endless loop and no `return` after the ticker is made is exempt: the "
        "ticker lives as long as it does; so is one whose every path after it ends the process "
        "(`log.Fatal`, `os.Exit`), `main` in package main, and `for range time.NewTicker(d).C` in such a "
        "function (also through a local that holds the channel and is never given another: `c := "
        "time.Tick(d); for range c {…}`). A timer is not reported when every way out of the function after it receives from "
        "its channel, ends the process, or is the `Done()` case of a select in a loop (a loop that lives "
        "as long as its context abandons one timer, once). How often the function runs is not known "
        "here: a service loop started once is reported like one started per request. A Go version that "
        "cannot be read is taken to be before 1.23.",
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
            fix=_TICK_FIX, repeats=in_unbounded_loop(ctx.model, call),
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
    if what == "timer":
        args = call.child_by_field_name("arguments")
        fires = duration_nanoseconds(ctx.model, args.named_children[0], unchanged=ctx.package.facts.unchanged_vars) \
            if args is not None and args.named_child_count else None
        if fires is not None and fires < SHORT_TIMER:
            held += f", within {spell_duration(fires)}"
    parent = call.parent
    if parent is None:
        return None
    model = ctx.model
    function = model.enclosing_function(call)
    if function is None or (function.name == "main" and function.kind == "func" and model.package == "main"):
        return None  # a command's main: the process ends with it
    if parent.type == "expression_statement":
        return _report(ctx, call, f"the {what} made by {constructor} is discarded, so it can never be stopped and {held}",
                       fix=f"keep the {what} and Stop it, or drop the call", timer=what == "timer")
    if parent.type == "selector_expression" and what == "ticker":
        if _is_endless(ctx, function, call):
            return None  # `for range time.NewTicker(d).C`, or `c := time.NewTicker(d).C` before `for range c`,
            # in a function that never returns: the ticker lives exactly as long as it does
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
                       fix=f"keep the {what} and Stop it", timer=what == "timer")
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
    nested = [ref for ref in uses if model.enclosing_function(ref) is not function]
    if what == "timer":
        if nested:
            return None  # captured by a closure or read by another goroutine: handed on
        if ctx.go_at_least(1, 23):
            return None  # an unreachable timer is collected; one not stopped only waits to fire
        if _consumed(ctx, function, statement, name):
            return None
    else:
        reader = _endless_goroutine_reader(ctx, nested)
        if reader is not None and not _is_endless(ctx, function, statement):
            return ctx.finding(
                RULE, target,
                f"the ticker `{name}` made by {constructor} is never stopped and is read by a goroutine that never "
                f"exits: every call of {_owner(function)} leaves a ticker and a goroutine running for good",
                fix="stop the ticker and end the goroutine from a Stop or Close method (a done channel or a context "
                "the goroutine selects on)",
            )
        if ctx.go_at_least(1, 23):
            return None  # collected once unreachable (Go 1.23)
        if not function.cfg.exits_reachable_avoiding(statement):
            return None  # the function never returns after it: the process ends first, or it loops forever
    if _is_endless(ctx, function, statement):
        return None
    return _report(
        ctx, target, f"the {what} `{name}` made by {constructor} is never stopped and not handed on: it {held}",
        fix=_STOP_FIX.replace("t.Stop", f"{name}.Stop"), timer=what == "timer",
    )


def _report(ctx: FileContext, node: Node, message: str, *, fix: str, timer: bool = False) -> Finding | None:
    """A warning before Go 1.23, where the runtime holds an unstopped ticker for good; nothing from
    1.23, where an unreachable one is collected. A timer is a note: it is held only until it fires,
    and then collected (on the ledger, none of 23 unstopped timers judged at warning was worth a
    change, an hour-long or a day-long one included)."""
    if ctx.go_at_least(1, 23):
        return None
    if ", within " in message:
        return ctx.finding(RULE, node, f"{message}, and is collected soon after ({_version_note(ctx)})", fix=fix,
                           severity=Severity.NOTE)
    if timer:
        return ctx.finding(RULE, node, f"{message}, and is collected only then ({_version_note(ctx)})", fix=fix,
                           severity=Severity.NOTE)
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


def _consumed(ctx: FileContext, function: Function, statement: Node, name: str) -> bool:
    """Every way out of the function after the timer is made passes a receive from its channel
    (it has fired), a call that ends the process, or a `Done()` case of a select in a loop that
    lives until its context ends (the one timer left then is abandoned once, not per iteration)."""
    source = ctx.source

    def releases(element: Node) -> bool:
        text = source.text(element).replace(" ", "")
        if f"<-{name}.C" in text:
            return True
        if element.type == "receive_statement" or (element.type == "expression_statement" and "<-" in text):
            return text.endswith(".Done()") and _in_loop_select(element)
        return False

    return not function.cfg.exits_reachable_avoiding(statement, releases)


def _in_loop_select(element: Node) -> bool:
    case = element.parent
    return case is not None and case.type == "communication_case" and case.parent is not None \
        and enclosing_loop(case.parent) is not None


def _endless_goroutine_reader(ctx: FileContext, refs: list[Node]) -> Node | None:
    """A reference inside a `go func() {...}()` whose function never returns: the goroutine keeps
    the ticker reachable for good."""
    model = ctx.model
    for ref in refs:
        inner = model.enclosing_function(ref)
        while inner is not None and inner.kind == "literal":
            call = inner.node.parent
            if call is not None and call.type == "call_expression" and call.parent is not None \
                    and call.parent.type == "go_statement":
                if _is_endless(ctx, inner, inner.node):
                    return ref
                break
            inner = inner.parent
    return None


# ---- shared -------------------------------------------------------------------------------------



def _is_endless(ctx: FileContext, function: Function, after: Node) -> bool:
    """The function cannot return once `after` has run: every path from it loops forever (`for {}`,
    a range over a ticker's channel, with no way out) or ends the process."""
    cfg = function.cfg
    if after.id == function.node.id:  # from its start: can the function return at all?
        return not cfg.exits_reachable_from_block(cfg.entry)
    return cfg.path_to_exit_avoiding(after) is None


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
