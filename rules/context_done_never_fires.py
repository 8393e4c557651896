"""GL110 context-done-never-fires."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.channels import named_local_channel
from goleaklint.context import FileContext
from goleaklint.cfg import UNCANCELLABLE
from goleaklint.model import Function, assigned_again
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL110",
    slug="context-done-never-fires",
    title="a wait on ctx.Done() of a context that nothing can ever cancel",
    severity=Severity.WARNING,
    tags=("goroutine-leak",),
    precision="medium",  # not measured yet: ten held-out judgements set it (docs/ecosystem.md)
    lifetime="repeats",
    docs=Docs(
        what="Finds a receive `<-ctx.Done()` that waits forever because nothing can cancel `ctx`: "
        "`ctx` comes from `context.WithCancel` (or `WithCancelCause`) whose cancel function is "
        "assigned to `_` or never used at all, and whose parent is `context.Background()`, "
        "`context.TODO()`, or another such context (a chain of `WithCancel` calls, each with its "
        "cancel lost). The receive is a plain statement, or a `select` whose other cases can never "
        "fire either: receives from channels made in the same function that nothing sends on or "
        "closes, and no `default`. It is reported in the function that makes the context or in a "
        "`go func(){…}()` that function starts, at the receive: the line where the goroutine parks.",
        why="Only the cancel function (or the parent's cancellation) closes the Done channel of a "
        "cancel context. Background and TODO are never cancelled, so once the cancel function is "
        "dropped the channel never closes, and the goroutine waiting on it stays parked with its "
        "stack and everything it references, once per call of the function that started it.",
        example="""func watch(events <-chan Event) {
    ctx, _ := context.WithCancel(context.Background())
    go func() {
        <-ctx.Done() // never fires
        cleanup()
    }()
    consume(events)
}""",
        use_instead="""func watch(events <-chan Event) {
    ctx, cancel := context.WithCancel(context.Background())
    defer cancel()
    go func() {
        <-ctx.Done()
        cleanup()
    }()
    consume(events)
}""",
        limits="A context from `WithTimeout` or `WithDeadline` ends by itself and is not reported "
        "(GL401 reports its lost cancel). A cancel function used anywhere (called on one path only, "
        "deferred in a branch, stored, passed on) counts as called: conditions are not evaluated, "
        "and the path that calls it may be the only one taken. A context handed to another function, "
        "stored, returned or captured other than for `Done`, `Err`, `Value`, `Deadline` or as the "
        "parent of another `context.With…` call is left alone, as is one assigned again after it is "
        "made; a wait inside a helper that receives the context is therefore not followed. A "
        "`select` case on a channel that escapes the function, or on a channel nothing is known "
        "about, is taken as able to fire.",
        references=("https://pkg.go.dev/context#WithCancel",),
    ),
)

REQUIRES_IMPORTS = frozenset({"context"})
METHOD_CALLS = frozenset({"WithCancel", "WithCancelCause"})

_CANCEL_ONLY = frozenset({"context.WithCancel", "context.WithCancelCause"})
_HARMLESS = frozenset({"Err", "Value", "Deadline"})
_CHAIN_DEPTH = 4
_FIX = "keep the cancel function and call it when the work is done (`defer cancel()`), or derive the context from one that ends"


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    model = ctx.model
    for call in captures["call"]:
        if model.qualified(call) not in _CANCEL_ONLY:
            continue
        lost = _lost_context(ctx, call, _CHAIN_DEPTH)
        if lost is None:
            continue
        decl, owner, reason = lost
        receives = _done_receives(ctx, decl, owner)
        if not receives:
            continue
        name = ctx.source.text(decl)
        line = decl.start_point[0] + 1
        for receive in receives:
            yield ctx.finding(
                RULE, receive,
                f"`<-{name}.Done()` never fires: the cancel of `{name}` (line {line}) {reason}, so this "
                f"receive waits forever",
                fix=_FIX,
            )


def _lost_context(ctx: FileContext, call: Node, depth: int) -> tuple[Node, Function, str] | None:
    """For `c, cancel := context.WithCancel(parent)` whose cancel is lost and whose parent is never
    cancelled: the identifier `c`, the function declaring it, and why nothing cancels it."""
    model = ctx.model
    values = call.parent
    statement = values.parent if values is not None and values.type == "expression_list" and values.named_child_count == 1 else None
    if statement is None or statement.type != "short_var_declaration":
        return None
    left = statement.child_by_field_name("left")
    names = left.named_children if left is not None else []
    if len(names) != 2 or any(n.type != "identifier" for n in names):
        return None
    decl, cancel = names
    binding = model.resolve(decl)
    if binding.kind != "local" or binding.decl is None or binding.decl.id != decl.id:
        return None  # `ctx, cancel := …` reusing an existing ctx: an assignment, not a new context
    owner = model.enclosing_function(decl)
    if owner is None or owner.body is None:
        return None
    cancel_name = ctx.source.text(cancel)
    if cancel_name == "_":
        lost = "is discarded"
    else:
        cancel_binding = model.resolve(cancel)
        if cancel_binding.kind != "local" or cancel_binding.decl is None or cancel_binding.decl.id != cancel.id:
            return None
        if any(ref.id != cancel.id for ref in model.references(cancel, within=owner.node)):
            return None  # used somewhere: called, deferred, stored or handed on
        lost = f"(`{cancel_name}`) is never called"
    parent = _parent_context(ctx, call, owner, depth)
    if parent is None:
        return None
    return decl, owner, f"{lost}, and {parent}"


def _parent_context(ctx: FileContext, call: Node, owner: Function, depth: int) -> str | None:
    """Why the first argument of the call is never cancelled: Background or TODO written in the
    call, or a local made by another WithCancel of this function whose cancel is lost too."""
    model = ctx.model
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_child_count else None
    if first is None:
        return None
    if first.type == "call_expression":
        root = model.qualified(first)
        return f"its parent is {root}()" if root in UNCANCELLABLE else None
    if first.type != "identifier" or depth <= 0:
        return None
    binding = model.resolve(first)
    if binding.kind != "local" or binding.decl is None or binding.function is not owner:
        return None
    names = binding.decl.parent
    statement = names.parent if names is not None and names.type == "expression_list" else None
    right = statement.child_by_field_name("right") if statement is not None and statement.type == "short_var_declaration" else None
    value = right.named_children[0] if right is not None and right.named_child_count == 1 else None
    if value is None or value.type != "call_expression" or model.qualified(value) not in _CANCEL_ONLY:
        return None
    if assigned_again(model, binding.decl, owner.node):
        return None
    lost = _lost_context(ctx, value, depth - 1)
    if lost is None or lost[0].id != binding.decl.id:
        return None
    return f"its parent `{ctx.source.text(first)}` (line {binding.decl.start_point[0] + 1}) is never cancelled either: its cancel {lost[2]}"


def _done_receives(ctx: FileContext, decl: Node, owner: Function) -> list[Node]:
    """The blocking `<-c.Done()` receives of the context declared at `decl`, in its function or a
    goroutine literal the function starts; none when the context is handed on."""
    model = ctx.model
    receives: list[Node] = []
    for ref in model.references(decl, within=owner.node):
        if ref.id == decl.id:
            continue
        use = _use(model, ref)
        if use is None:
            return []  # handed on, stored, assigned again: someone else may know more
        if use.type != "unary_expression":
            continue
        function = model.enclosing_function(use)
        if function is not owner and not _goroutine_of(function, owner):
            continue
        if _blocks_forever(ctx, use):
            receives.append(use)
    return receives


def _use(model, ref: Node) -> Node | None:
    """What a reference to the context does: the `<-c.Done()` expression for a receive, the
    reference itself for a use that cannot cancel or hand it on, None for anything else."""
    parent = ref.parent
    if parent is None:
        return None
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ref:
        method = parent.child_by_field_name("field")
        call = parent.parent
        if method is None or call is None or call.type != "call_expression" or call.child_by_field_name("function") != parent:
            return None
        name = method.text.decode()
        if name in _HARMLESS:
            return ref
        if name != "Done":
            return None
        receive = call.parent
        if receive is not None and receive.type == "unary_expression" and receive.child_by_field_name("operand") == call:
            return receive
        return None  # `done := ctx.Done()`: the channel is handed on
    if parent.type == "argument_list" and parent.named_children and parent.named_children[0].id == ref.id:
        call = parent.parent
        qualified = model.qualified(call) if call is not None and call.type == "call_expression" else None
        if qualified is not None and qualified.startswith("context.With"):
            return ref  # a child of it: its cancellation cannot reach back up
    return None


def _goroutine_of(function: Function | None, owner: Function) -> bool:
    """`go func(){…}()` written directly in `owner`."""
    if function is None or function.kind != "literal" or function.parent is not owner:
        return False
    call = function.node.parent
    return call is not None and call.type == "call_expression" and call.child_by_field_name("function") == function.node \
        and call.parent is not None and call.parent.type == "go_statement"


def _blocks_forever(ctx: FileContext, receive: Node) -> bool:
    parent = receive.parent
    if parent is not None and parent.type == "expression_statement":
        return True
    if parent is None or parent.type != "receive_statement":
        return False
    case = parent.parent
    if case is None or case.type != "communication_case" or case.child_by_field_name("communication") != parent:
        return False
    select = case.parent
    if select is None or select.type != "select_statement":
        return False
    for other in select.named_children:
        if other.id == case.id or other.type == "comment":
            continue
        if other.type != "communication_case" or not _dead_case(ctx, other):
            return False
    return True


def _dead_case(ctx: FileContext, case: Node) -> bool:
    """A select case receiving from a channel made in this function that nothing ever sends on or
    closes, and that is not handed on."""
    communication = case.child_by_field_name("communication")
    if communication is None or communication.type != "receive_statement":
        return False
    right = communication.child_by_field_name("right")
    operand = right.child_by_field_name("operand") if right is not None and right.type == "unary_expression" else None
    if operand is None or operand.type != "identifier":
        return False
    channel = named_local_channel(ctx, operand)
    if channel is None or channel.escape is not None or channel.sends or channel.closes:
        return False
    return not any(g.sends or g.closes for g in channel.goroutines)
