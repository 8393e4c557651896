"""GL401 lost-cancel."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.cfg import UNCANCELLABLE
from goleaklint.context import FileContext
from goleaklint.frameworks import request_context
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL401",
    slug="lost-cancel",
    title="the cancel function of a derived context is discarded or never called",
    severity=Severity.WARNING,
    tags=("memory-leak", "goroutine-leak"),
    precision="low",  # measured on held-out codebases (docs/ecosystem.md)
    docs=Docs(
        what="Finds calls of `context.WithCancel`, `WithTimeout`, `WithDeadline` and their `Cause` "
        "variants whose cancel function is assigned to `_`, dropped, or stored in a variable that "
        "is never used afterwards, or not used on every path: some return (an early error return, "
        "say) is reachable without passing a use, as go vet's lostcancel reports. The message names "
        "the line of that return. Calling it, deferring it, returning it, passing it to a function, "
        "storing it, or capturing it in a closure all count as a use; paths that end in `panic`, "
        "`os.Exit`, `log.Fatal` or `t.Fatal` never return and are not counted, nor are those that "
        "pass a receive from `Done()` of the derived context or of its parent (`case <-ctx.Done(): return`): "
        "the derived context is then done, its parent has let go of it and its timer has fired or been "
        "stopped. Nor is a return in the block of `if err != nil` right after `x, err := f(…)` (or in "
        "its initialiser) where `f` is a function of the package whose every return gives a `nil` "
        "error (`return &T{…}, nil`): that return is never reached.",
        why="A derived context registers itself with its parent and, for timeouts and deadlines, "
        "holds a timer. Until cancel is called (or the parent is cancelled) the child, its timer and "
        "everything reachable from its values stay alive. With a long-lived parent that can be "
        "cancelled, such as a server's base context or a signal's, each call leaks for the life of the "
        "process: a slow, steady climb in heap and goroutines. (`context.Background()` registers "
        "nothing, so under it only the timer holds a context, until it fires.)",
        example="""func fetch(parent context.Context, url string) error {
    ctx, _ := context.WithTimeout(parent, 5*time.Second)
    return get(ctx, url)
}""",
        use_instead="""func fetch(parent context.Context, url string) error {
    ctx, cancel := context.WithTimeout(parent, 5*time.Second)
    defer cancel()
    return get(ctx, url)
}""",
        limits="A lost cancel of `context.WithCancel(context.Background())` (or `TODO()`), discarded, unused or skipped by one return, is a note: "
        "such a context is registered nowhere and has no timer, so it is collected once unreachable "
        "(go vet still reports it). So is a lost cancel of `WithTimeout` or `WithDeadline` on such a parent: its timer "
        "releases the context when it fires, so each call holds it for the timeout at most. So is one whose parent is the request's context (`r.Context()`, `c.Request.Context()`, "
        "or a call that takes it first and returns a context, as `metadata.NewOutgoingContext` does): the server cancels it "
        "when the handler returns, and every context derived from it with it. So is one whose parent the same "
        "function derived with a cancel of its own that it keeps (`tab, cancel := newTab(base)`, then `defer "
        "cancel()`, `return child, cancel` or storing it): cancelling the parent releases the child; "
        "whether that cancel is called later is not checked. A parameter `ctx` of a handler is not "
        "taken to be the request's. A cancel function stored in a struct field or a package variable counts as handed on; "
        "whether someone calls it later is not checked. Aliased imports of `context` are followed; "
        "wrappers of your own around `context.WithCancel` are not. Paths are followed without "
        "evaluating conditions: a return guarded by the same condition as the call "
        "(`if t > 0 { ctx, cancel = ... }` ... `if t > 0 { cancel() }`) is reported like go vet does. "
        "A cancel variable declared outside the closure that sets it is not followed path by path, "
        "nor is one that a function literal made before the call refers to (a callback registered "
        "first, a deferred `if cancel != nil { cancel() }`): that literal calls whichever cancel "
        "function is current when it runs, so go vet's report there is left out. A named result "
        "is taken as handed on, and a local variable named `context` is not the package. A cancel "
        "discarded or never used is not reported when every way out of the function after the call "
        "passes a receive from the context's `Done()` or its parent's (a worker whose only return is "
        "`case <-child.Done():`): by then the context is cancelled and dropped from its parent. A "
        "function that never returns does not count: go vet reports all of these.",
        references=(
            "https://pkg.go.dev/context#WithCancel",
            "https://pkg.go.dev/golang.org/x/tools/go/analysis/passes/lostcancel",
        ),
    ),
)

REQUIRES_IMPORTS = frozenset({"context"})
METHOD_CALLS = frozenset(
    f"With{kind}{cause}" for kind in ("Cancel", "Timeout", "Deadline") for cause in ("", "Cause")
)

_CONSTRUCTORS = frozenset(
    f"context.With{kind}{cause}" for kind in ("Cancel", "Timeout", "Deadline") for cause in ("", "Cause")
)
_FIX = "keep the cancel function and call it when the work is done, usually `defer cancel()` right after the call"


def _held(constructor: str) -> str:
    return "the context stays alive" if "Cancel" in constructor else "the context and its timer stay alive"


def _short(name: str) -> str:
    return name.split(".", 1)[1] if "." in name else name


def _cancel_only(constructor: str) -> bool:
    return constructor in ("context.WithCancel", "context.WithCancelCause")


def _background_parent(model, call: Node) -> bool:
    """The parent context is `context.Background()` or `context.TODO()`, written in the call."""
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_child_count else None
    return first is not None and first.type == "call_expression" and \
        model.qualified(first) in UNCANCELLABLE


def _request_parent(model, call: Node) -> bool:
    """The parent context is the request's (`r.Context()`, `c.Request.Context()`, echo's
    `c.Request().Context()`), written in the call or passed first to calls that wrap it
    (`context.WithValue(r.Context(), k, v)`, `metadata.NewOutgoingContext(…)`: by Go's convention a
    function taking a context first and returning one derives it from that one). The server
    cancels it when the handler returns, and that cancels every context derived from it."""
    args = call.child_by_field_name("arguments")
    return request_context(model, args.named_children[0] if args is not None and args.named_child_count else None)


def _level(model, call: Node, constructor: str) -> tuple[Severity | None, str]:
    """The level, and what the lost cancel holds: a note when it holds nothing for long, a cancel
    context of Background or TODO (registered nowhere, no timer: collected once unreachable), or a
    context of the request (released when the server cancels the request's context, at the
    handler's end)."""
    held = f"{_held(constructor)} until the parent is cancelled"
    if _cancel_only(constructor) and _background_parent(model, call):
        return Severity.NOTE, ("the context can never be cancelled, but it derives from context.Background() and "
                               "holds nothing once unreachable")
    if _background_parent(model, call):
        return Severity.NOTE, ("the context and its timer stay alive until the timer fires: its parent, "
                               "context.Background(), is never cancelled and does not hold it, so a lost cancel "
                               "holds them for the timeout at most")
    if _request_parent(model, call):
        return Severity.NOTE, (f"{held}, and its parent is the request's context, which the server cancels when "
                               "the handler returns")
    parent_cancel = _local_parent_cancel(model, call)
    if parent_cancel is not None:
        return Severity.NOTE, (f"{held}, and its parent was derived in this function with its own cancel "
                               f"`{parent_cancel}`, which is kept (called, deferred or handed on): cancelling the "
                               "parent releases the child with it")
    return None, held


def _local_parent_cancel(model, call: Node) -> str | None:
    """The parent is a context the same function derived with a cancel of its own that it keeps
    (`ctx, cancel := context.WithCancel(base)` or `chromedp.NewContext(…)`, then `defer cancel()`,
    `return ctx, cancel`, `s.cancels = append(s.cancels, cancel)`): the child lives no longer than
    that parent, whose cancel is someone's to call. The name of that cancel."""
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_child_count else None
    if first is None or first.type != "identifier":
        return None
    binding = model.resolve(first)
    if binding.kind != "local" or binding.decl is None:
        return None
    names = binding.decl.parent
    statement = names.parent if names is not None and names.type == "expression_list" else None
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return None
    left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
    if left is None or right is None or left.named_child_count != 2 or right.named_child_count != 1 or \
            left.named_children[0] != binding.decl or right.named_children[0].type != "call_expression":
        return None
    cancel = left.named_children[1]
    if cancel.type != "identifier" or model.source.text(cancel) == "_":
        return None
    kept = model.resolve(cancel)
    if kept.kind != "local" or kept.decl is None or kept.function is None:
        return None
    uses = [ref for ref in model.references(kept.decl, within=kept.function.node)
            if ref.start_byte != cancel.start_byte and not _is_assigned(ref)]
    return model.source.text(cancel) if uses else None


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    model = ctx.model
    for call in captures["call"]:
        constructor = model.qualified(call)
        if constructor not in _CONSTRUCTORS:
            continue
        label = f"context.{_short(constructor)}"
        parent = call.parent
        if parent is not None and parent.type == "expression_statement":
            yield ctx.finding(RULE, call, f"the result of {label} is discarded, so its cancel function is never called", fix=_FIX)
            continue
        if parent is None or parent.type != "expression_list" or parent.named_child_count != 1:
            continue  # returned, passed on, or part of something we do not model: handed on
        statement = parent.parent
        if statement is None or statement.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
            continue
        if statement.type == "var_spec":
            names = statement.children_by_field_name("name")
        else:
            left = statement.child_by_field_name("left")
            names = left.named_children if left is not None else []
        if len(names) != 2:
            continue
        cancel = names[1]
        if cancel.type != "identifier":
            continue  # stored into a field or an index expression: handed on
        name = ctx.source.text(cancel)
        if _deferred_next(ctx, statement, name):
            continue  # `defer cancel()` on the next line: every path passes it
        level, why = _level(model, call, constructor)
        if _done_before_every_exit(ctx, call, statement, names[0]):
            continue  # the child is done (its parent was cancelled) before the function can return
        if name == "_":
            yield ctx.finding(
                RULE, cancel,
                f"the cancel function returned by {label} is assigned to _: {why}",
                fix=_FIX, severity=level,
            )
            continue
        binding = model.resolve(cancel)
        if binding.kind in ("package", "result", "unresolved") or binding.decl is None:
            continue  # a package variable or named result is handed on by nature
        function = model.enclosing_function(binding.decl)
        scope = function.node if function is not None else ctx.source.root
        uses = [ref for ref in model.references(binding.decl, within=scope) if ref.start_byte != cancel.start_byte and not _is_assigned(ref)]
        if not uses:
            yield ctx.finding(
                RULE, cancel,
                f"the cancel function `{name}` returned by {label} is never used: {why}",
                fix=_FIX, severity=level,
            )
            continue
        # Past a receive from the derived context's own Done, or its parent's, the child is done.
        done = _done_receives(ctx, names[0], scope)
        arguments = call.child_by_field_name("arguments")
        if arguments is not None and arguments.named_child_count:
            done += _done_receives(ctx, arguments.named_children[0], scope)
        missed = _return_without_use(ctx, statement, binding, uses, done)
        if missed is not None:
            line = missed.start_point[0] + 1
            where = f"the return at line {line}" if missed.type == "return_statement" else f"the end of the function (line {line})"
            yield ctx.finding(
                RULE, cancel,
                f"the cancel function `{name}` returned by {label} is not used on every path: {where} "
                f"is reached without it, and {why}",
                fix="call `defer cancel()` right after the call, or call cancel before that return",
                severity=level,
            )


def _done_before_every_exit(ctx: FileContext, call: Node, statement: Node, derived: Node) -> bool:
    """Every way out of the function after the context is derived passes a receive from its
    `Done()`, or its parent's (`childCtx, _ := context.WithCancel(ctx)` in a worker whose only
    return is under `case <-childCtx.Done():`): by then the parent has been cancelled, which
    cancels the child and drops it from the parent, so the lost cancel holds nothing. A function
    that cannot return at all is not enough: the child then lives with it, but so might its timer."""
    function = ctx.model.enclosing_function(statement)
    if function is None or function.body is None:
        return False
    done = _done_receives(ctx, derived, function.node)
    arguments = call.child_by_field_name("arguments")
    if arguments is not None and arguments.named_child_count:
        done += _done_receives(ctx, arguments.named_children[0], function.node)
    done = [node for node in done if ctx.model.enclosing_function(node) is function]
    if not done or not function.cfg.exits_reachable_avoiding(statement):
        return False
    return not function.cfg.exits_reachable_avoiding(statement, done)


def _done_receives(ctx: FileContext, derived: Node, scope: Node) -> list[Node]:
    """The receives from `Done()` of a context named `derived` (`case <-ctx.Done():`), the derived
    context or its parent: past one, the derived context is done, so its parent no longer holds it
    and its timer has fired or been stopped; a way out through one owes no cancel."""
    if derived.type != "identifier" or derived.text == b"_":
        return []
    decl = ctx.model.resolve(derived).decl
    found = []
    for ref in ctx.model.references(decl, within=scope) if decl is not None else ():
        selector = ref.parent
        call = selector.parent if selector is not None and selector.type == "selector_expression" else None
        if call is None or call.type != "call_expression" or selector.child_by_field_name("field").text != b"Done":
            continue
        receive = call.parent
        if receive is not None and receive.type == "unary_expression" and \
                ctx.source.text(receive.child_by_field_name("operator")) == "<-":
            found.append(receive)
    return found


def _return_without_use(ctx: FileContext, statement: Node, binding, uses: list[Node],
                        done: list[Node] = ()) -> Node | None:
    """The first return (or the closing brace) that control can reach from the statement that sets
    the cancel function without passing a statement that uses it, as go vet's lostcancel asks.

    A use inside a function literal counts where the literal is: `defer func() { cancel() }()` and
    `go func() { defer cancel(); ... }()` hand the function on at that statement. Only a cancel
    variable declared in the function that sets it is followed: one declared further out (set
    inside a closure) may be used by the outer function after the closure returns.

    A literal made before the statement (a callback registered first, a `defer func() { if cancel
    != nil { cancel() } }()`) reads the variable when it runs, so it calls whichever cancel
    function is current then: the variable is handed on, and no path is looked for. go vet's
    lostcancel only counts uses after the statement and reports these.
    """
    function = ctx.model.enclosing_function(statement)
    if function is None or function is not binding.function or function.body is None:
        return None
    for use in uses:
        closure = ctx.model.enclosing_function(use)
        if closure is not None and closure is not function and closure.node.start_byte < statement.start_byte:
            return None
    exits = function.cfg.exits_reachable_avoiding(statement, [*uses, *done])
    return next((exit_node for exit_node in exits if not _after_impossible_error(ctx, exit_node)), None)


def _after_impossible_error(ctx: FileContext, exit_node: Node) -> bool:
    """A return in the block of `if err != nil` where `err` comes from a call, just before the `if`
    or in its initialiser, of a function of the package that never returns a non-nil error
    (`t, err := newTransport(conn)`, and every return of `newTransport` ends in `nil`): no path
    reaches it."""
    if exit_node.type != "return_statement" or ctx.package is None:
        return False
    block = exit_node.parent
    while block is not None and block.type == "statement_list":
        block = block.parent
    statement = block.parent if block is not None and block.type == "block" else None
    if statement is None or statement.type != "if_statement" or statement.child_by_field_name("consequence") != block:
        return False
    condition = statement.child_by_field_name("condition")
    text = " ".join(ctx.source.text(condition).split()) if condition is not None else ""
    name = text[:-len(" != nil")] if text.endswith(" != nil") else ""
    if not name.isidentifier():
        return False
    setter = statement.child_by_field_name("initializer")
    if setter is None:
        setter = statement.prev_named_sibling
        while setter is not None and setter.type == "comment":
            setter = setter.prev_named_sibling
    if setter is None or setter.type not in ("short_var_declaration", "assignment_statement"):
        return False
    left, right = setter.child_by_field_name("left"), setter.child_by_field_name("right")
    if left is None or right is None or right.named_child_count != 1 or right.named_children[0].type != "call_expression":
        return False
    if not left.named_children or ctx.source.text(left.named_children[-1]) != name:
        return False
    return ctx.package.facts.functions.never_fails(ctx, right.named_children[0])


def _deferred_next(ctx: FileContext, statement: Node, name: str) -> bool:
    """The statement after the call is `defer cancel()` (or `defer cancel(cause)`).

    By far the most common shape, and decided without scopes or a control-flow graph: the next
    statement of the same list runs right after the call on every path, and cannot see another
    variable of that name, since nothing was declared between the two.
    """
    if statement.parent is None or statement.parent.type != "statement_list":
        return False
    following = statement.next_named_sibling
    while following is not None and following.type == "comment":
        following = following.next_named_sibling
    if following is None or following.type != "defer_statement":
        return False
    call = following.named_children[0] if following.named_child_count else None
    if call is None or call.type != "call_expression":
        return False
    function = call.child_by_field_name("function")
    return function is not None and function.type == "identifier" and ctx.source.text(function) == name


def _is_assigned(ident: Node) -> bool:
    """`cancel = ...` or `_, cancel = ...`: a write, not a use."""
    parent = ident.parent
    if parent is None or parent.type != "expression_list":
        return False
    statement = parent.parent
    return (
        statement is not None
        and statement.type in ("assignment_statement", "short_var_declaration")
        and statement.child_by_field_name("left") == parent
    )
