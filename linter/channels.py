"""Channels a function makes for itself, and who sends on, receives from and closes them.

GL101 and GL102 reason about one channel at a time: `ch := make(chan T[, n])` in a function, the
goroutines that function starts, and the function's own receives and sends. That reasoning is only
sound while the channel stays inside: once it is returned, stored, passed to another function or
captured by a closure that is not one of those goroutines, someone else may drain or close it, so
such a channel is marked as escaping and the rules stay silent about it.
"""

from __future__ import annotations

import functools
import re

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tree_sitter import Node

from .constants import int_constant
from .effects import CLOSES, RANGES, RECEIVES, SENDS, FunctionEffects, PackageEffects, Use
from .model import FileModel, Function, block_statements, enclosing_loop, single_initialiser
from .source import query_captures

if TYPE_CHECKING:
    from .context import FileContext

# Sends and closes a goroutine performs on channels named by a plain identifier.
_SIGNALS = """
(send_statement channel: (identifier) @channel) @send
(call_expression
  function: (identifier) @fn (#eq? @fn "close")
  arguments: (argument_list . (identifier) @channel .)) @close
"""

UNKNOWN = None


@dataclass
class Goroutine:
    start: Node  # the `go` statement, or the statement calling `g.Go(func…)`
    literal: Function  # the function literal the goroutine runs, or the function `go f(ch)` starts
    sends: list[Node] = field(default_factory=list)  # send_statement nodes
    receives: list[Node] = field(default_factory=list)  # `<-ch` unary expressions and range clauses
    closes: list[Node] = field(default_factory=list)  # `close(ch)` calls


@dataclass
class LocalChannel:
    name: str
    decl: Node  # the declaring identifier
    make: Node  # the make(chan …) call
    owner: Function  # the function that makes it
    capacity: int | None  # 0 for unbuffered; None when the size is an expression we cannot count
    sends: list[Node] = field(default_factory=list)  # by the owner itself
    receives: list[Node] = field(default_factory=list)  # by the owner itself
    closes: list[Node] = field(default_factory=list)  # anywhere in the owner, closures included
    goroutines: list[Goroutine] = field(default_factory=list)
    escape: Node | None = None  # the first reference that hands the channel on
    # calls of the owner that hand the channel to a function of the file that only receives from it
    # and can return without receiving (GL101 judges them): each takes none on its cheapest path
    optional_receives: list[Node] = field(default_factory=list)

    def goroutine_of(self, function: Function) -> Goroutine | None:
        for goroutine in self.goroutines:
            if goroutine.literal is function:
                return goroutine
        return None

    def goroutine_started_by(self, start: Node) -> Goroutine | None:
        for goroutine in self.goroutines:
            if goroutine.start.id == start.id:
                return goroutine
        return None


def local_channel(ctx: "FileContext", make: Node) -> LocalChannel | None:
    """The channel a `make(chan …)` call creates, when it is bound to a new local variable.

    Worked out once per call: GL101 and GL102 both ask about every `make(chan …)`."""
    model = ctx.model
    key = ("local_channel", make.id)
    if key not in model.facts:
        model.facts[key] = _local_channel(model, make, ctx)
    return model.facts[key]


def named_local_channel(ctx: "FileContext", ident: Node) -> LocalChannel | None:
    """The local channel a name refers to: a local of the function declared with its `make(chan …)`."""
    binding = ctx.model.resolve(ident)
    if binding.kind != "local" or binding.decl is None:
        return None
    make = single_initialiser(binding.decl)
    if make is None or make.type != "call_expression":
        return None
    return local_channel(ctx, make)


def _local_channel(model: FileModel, make: Node, ctx: "FileContext") -> LocalChannel | None:
    args = make.child_by_field_name("arguments")
    if args is None or not args.named_children or args.named_children[0].type != "channel_type":
        return None
    capacity = _capacity(model, args.named_children[1] if args.named_child_count > 1 else None)
    decl = _declared_name(make)
    if decl is None:
        return None
    binding = model.resolve(decl)
    if binding.kind != "local" or binding.decl is None or binding.decl.id != decl.id:
        return None  # `a, ch := …` reusing an existing ch: an assignment, not a new channel
    owner = model.enclosing_function(decl)
    if owner is None or owner.body is None:
        return None
    return _followed(model, LocalChannel(model.source.text(decl), decl, make, owner, capacity), ctx)


def returned_channel(ctx: "FileContext", decl: Node) -> LocalChannel | None:
    """A local declared from a call's results, `runner, ch := m.start(…)`, when the function uses it
    as a channel: followed like a made one (its buffer unknown, `make` holding the call). Whoever
    made it may still hold it; a rule that asks must say why that does not matter to it."""
    model = ctx.model
    key = ("returned_channel", decl.id)
    if key not in model.facts:
        model.facts[key] = _returned_channel(model, decl, ctx)
    return model.facts[key]


def _returned_channel(model: FileModel, decl: Node, ctx: "FileContext") -> LocalChannel | None:
    left = decl.parent
    statement = left.parent if left is not None and left.type == "expression_list" else None
    if statement is None or statement.type != "short_var_declaration" or statement.child_by_field_name("left") != left:
        return None
    right = statement.child_by_field_name("right")
    if right is None or right.named_child_count != 1 or right.named_children[0].type != "call_expression":
        return None
    call = right.named_children[0]
    if model.source.text(call.child_by_field_name("function")) == "make":
        return None
    binding = model.resolve(decl)
    if binding.kind != "local" or binding.decl is None or binding.decl.id != decl.id:
        return None
    owner = model.enclosing_function(decl)
    if owner is None or owner.body is None:
        return None
    return _followed(model, LocalChannel(model.source.text(decl), decl, call, owner, None), ctx)


def _followed(model: FileModel, channel: LocalChannel, ctx: "FileContext") -> LocalChannel:
    """Every use of the channel in its owner: sends, receives and closes by the owner and by the
    goroutines it starts, and the first reference that hands it on."""
    decl, owner = channel.decl, channel.owner
    for ref in model.references(decl, within=owner.node):
        function = model.enclosing_function(ref)
        use, node = classify_use(model, ref)
        if use == "close":
            channel.closes.append(node)
            if function is not owner and _goroutine_literal(model, owner, function) is None:
                continue  # a close in a callback (`time.AfterFunc`, a defer literal): still a close
        if function is owner:
            if use == "send":
                channel.sends.append(node)
            elif use in ("receive", "range"):
                channel.receives.append(node)
            elif use == "escape":
                started = _started_function(ctx, ref)
                if started is not None:
                    start, target, uses = started
                    goroutine = channel.goroutine_started_by(start)
                    if goroutine is None:
                        goroutine = Goroutine(start, target)
                        channel.goroutines.append(goroutine)
                    for found in uses:
                        if found.effect == SENDS:
                            if _reachable(target, found.node):
                                goroutine.sends.append(found.node)
                        elif found.effect in (RECEIVES, RANGES):
                            goroutine.receives.append(found.node)
                        elif found.effect == CLOSES:
                            goroutine.closes.append(found.node)
                            channel.closes.append(found.node)
                elif channel.escape is None:
                    channel.escape = ref
            continue
        start = _goroutine_literal(model, owner, function)
        if start is None:
            if channel.escape is None:
                channel.escape = ref  # captured by a closure that runs who knows when
            continue
        goroutine = channel.goroutine_of(function)
        if goroutine is None:
            goroutine = Goroutine(start, function)
            channel.goroutines.append(goroutine)
        if use == "send":
            if _reachable(function, node):
                goroutine.sends.append(node)
        elif use in ("receive", "range"):
            goroutine.receives.append(node)
        elif use == "close":
            goroutine.closes.append(node)
        elif use == "escape" and channel.escape is None:
            channel.escape = ref
    channel.goroutines.sort(key=lambda g: g.start.start_byte)
    return channel


_FOLLOWED = frozenset({SENDS, RECEIVES, RANGES, CLOSES})


def _reachable(function: Function, send: Node) -> bool:
    """A goroutine's send that some path of its function reaches: not one written after a call
    that never returns (`log.Panicf(…)`, `os.Exit`) in its block."""
    return function.cfg is None or function.cfg.reachable(send)


def _started_function(ctx: "FileContext", ref: Node) -> tuple[Node, Function, list[Use]] | None:
    """`go f(ch)` (or `go func(c chan T){…}(ch)`) where f is a function of this file that takes no
    other channel and only sends on, receives from, ranges over or closes its parameter, in its own
    body (linter/effects.py): the goroutine does exactly that to `ch`, as a literal writing the same
    would. The `go` statement, f, and f's uses of the parameter; None for anything else (f hands the
    channel on, passes it to another call, uses it in a closure, or lives in another file)."""
    handed = channel_parameter(ctx, ref)
    if handed is None or handed[0].parent is None or handed[0].parent.type != "go_statement":
        return None
    call, function, index, summary = handed
    found = summary.param(index)
    uses = summary.uses.get(index, [])
    if not found or not found <= _FOLLOWED or {u.effect for u in uses} != found or not all(u.direct for u in uses):
        return None
    return call.parent, function, uses


def channel_parameter(ctx: "FileContext", ref: Node) -> "tuple[Node, Function, int, FunctionEffects] | None":
    """The call, the function of this file it calls, the parameter's index and the function's
    summary, when `ref` (a channel) is an argument of that call, once, and lands in a named,
    not variadic parameter of a function that takes no other channel (a signal on one may settle
    the other, which cannot be paired up here); None otherwise."""
    arguments = ref.parent
    call = arguments.parent if arguments is not None and arguments.type == "argument_list" else None
    if call is None:
        return None
    named = arguments.named_children
    index = next((i for i, arg in enumerate(named) if arg.id == ref.id), -1)
    if index < 0 or sum(1 for arg in named if arg.type == "identifier" and arg.text == ref.text) != 1:
        return None
    effects: PackageEffects = ctx.package.facts.effects
    target = effects.callee(ctx, call)
    if target is None or target[0] is not ctx or target[1].body is None:
        return None
    function = target[1]
    params = function.params
    if index >= len(params) or params[index].node is None or params[index].type.startswith("..."):
        return None
    if any("chan" in p.type for i, p in enumerate(params) if i != index):
        return None
    return call, function, index, effects.effects(ctx, function)


def exclusive_receives(model: FileModel, channel: LocalChannel, goroutine: Goroutine, sends: list[Node]) -> list[Node]:
    """The owner's receives from *other* channels that tell it `goroutine` will perform none of
    `sends` any more.

    A goroutine that reports either a result or an error on two channels (`if err != nil { errc <-
    err; return }; resc <- r`) sends on exactly one of them; an owner that selects on both
    receives whichever comes. A receive from `errc` proves the goroutine got to `errc <- err`,
    and no path leads from there to `resc <- r`, so `resc` needs no receive after it. Likewise a
    producer that sends values in a loop and then closes `done` or sends on `errc`. In general: the other channel is made in the same function, sent on or closed by this goroutine
    only, does not escape, and no path in the goroutine leads from its send or close to one of
    `sends` (a send that came before was received: the goroutine could not go on otherwise).
    A deferred `close` runs when the goroutine ends, after all of its sends. So does a send in a
    closure the goroutine defers, under `if r := recover(); r != nil`: it runs only when the
    goroutine panicked, and counts where each of `sends` ends the goroutine (nothing after it can
    panic once it was received).
    """
    owner = channel.owner
    literal = goroutine.literal
    cfg = literal.cfg
    captures = query_captures(_SIGNALS, literal.node)
    signals: dict[int, tuple[Node, list[Node]]] = {}  # declaration id -> (declaration, signals)
    recovering: set[int] = set()  # the goroutine's deferred closures whose sends report a panic
    for ident in captures.get("channel", []):
        if ident.parent is None:
            continue
        signal = ident.parent if ident.parent.type == "send_statement" else ident.parent.parent
        if signal is None:
            continue
        function = model.enclosing_function(signal)
        if function is not literal:
            if function is None or not _on_recovered_panic(model, signal, function, literal) or \
                    not all(_ends_goroutine(send, literal.node) for send in sends):
                continue  # in a closure nested in the goroutine: runs who knows when
            recovering.add(function.node.id)
        binding = model.resolve(ident)
        if binding.kind != "local" or binding.function is not owner or binding.decl is None \
                or binding.decl.id == channel.decl.id:
            continue
        signals.setdefault(binding.decl.id, (binding.decl, []))[1].append(signal)
    found: list[Node] = []
    for decl, own in signals.values():
        if any(cfg.reaches(signal, send) for send in sends for signal in own
               if (signal.parent is None or signal.parent.type != "defer_statement")
               and model.enclosing_function(signal) is literal):
            continue
        receives = []
        for ref in model.references(decl, within=owner.node):
            use, node = classify_use(model, ref)
            function = model.enclosing_function(ref)
            if use in ("send", "close") and (function is literal or
                                              (function is not None and function.node.id in recovering)):
                continue
            if use in ("receive", "range") and function is owner:
                receives.append(node)
            elif use != "len":
                break  # signalled by someone else too, received elsewhere, or handed on
        else:
            found.extend(receives)
    return found


def recovered_before(model: FileModel, function: Function, send: Node) -> bool:
    """A panic at `send` is recovered: a statement of `function`'s own body before the one that
    holds it defers a closure that calls `recover()` (`defer func() { if r := recover(); r != nil
    { … } }()`). Every path to the send has deferred it."""
    body = function.body
    if body is not None and body.named_child_count == 1 and body.named_children[0].type == "statement_list":
        body = body.named_children[0]
    if body is None:
        return False
    holder = send
    while holder.parent is not None and holder.parent.id != body.id:
        holder = holder.parent
    if holder.parent is None or model.enclosing_function(send) is not function:
        return False
    for statement in body.named_children:
        if statement.start_byte >= holder.start_byte:
            return False
        call = statement.named_children[0] if statement.type == "defer_statement" and statement.named_children else None
        literal = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if literal is not None and literal.type == "func_literal" and b"recover()" in literal.text:
            return True
    return False


def _on_recovered_panic(model: FileModel, node: Node, closure: Function, goroutine: Function) -> bool:
    """`node` is in a closure that the goroutine defers as a statement of its own body (`defer
    func() { … }()`), inside `if r := recover(); r != nil {` (or `if recover() != nil {`)."""
    deferred = closure.node.parent.parent if closure.node.parent is not None else None  # call, then defer
    if deferred is None or deferred.type != "defer_statement" or model.enclosing_function(deferred) is not goroutine:
        return False
    current = node.parent
    while current is not None and current.id != closure.node.id:
        if current.type == "if_statement":
            head = b" ".join(part.text for part in (current.child_by_field_name("initializer"),
                                                    current.child_by_field_name("condition")) if part is not None)
            if b"recover()" in head and b"!= nil" in head:
                return True
        current = current.parent
    return False


def _ends_goroutine(node: Node, literal: Node) -> bool:
    """Nothing runs after the statement in the goroutine but returns: it is the last statement of
    each block around it up to the literal's body, or only a `return` follows it."""
    current = node
    while current is not None and current.id != literal.id:
        following = current.next_named_sibling
        while following is not None and following.type == "comment":
            following = following.next_named_sibling
        if following is not None and following.type != "return_statement" and \
                current.parent is not None and current.parent.type in ("block", "statement_list"):
            return False
        if current.type in ("for_statement", "func_literal"):
            return current.type == "func_literal"
        current = current.parent
    return current is not None


def waitgroup_receives(model: FileModel, channel: LocalChannel, senders: list[Goroutine]) -> list[Node]:
    """The owner's receives from another channel that a goroutine closes (or sends on) right after
    `wg.Wait()`, when every sender of `channel` is a literal that defers `wg.Done()` on that same
    WaitGroup: `Done` runs after the sender's last send, and a send completes only when received,
    so once that receive returns every value was taken (`go func() { wg.Wait(); close(done) }()`,
    then `for { select { case <-done: break loop; case err := <-errs: … } } }`).

    The other channel is made in the owner, signalled by that goroutine only and received by the
    owner only; the WaitGroup is matched by its spelling, and `Add` must be called in the owner."""
    owner = channel.owner
    group = None
    for goroutine in senders:
        name = _deferred_done(model, goroutine.literal)
        if name is None or name != (group or name):
            return []
        group = name
    data = model.source.data
    if group is None or (group + ".Add(").encode() not in data[owner.node.start_byte:owner.node.end_byte]:
        return []
    found: list[Node] = []
    for go in model.go_statements:
        if not owner.node.start_byte <= go.start_byte < owner.node.end_byte:
            continue
        call = next((c for c in go.named_children if c.type == "call_expression"), None)
        literal = call.child_by_field_name("function") if call is not None else None
        body = literal.child_by_field_name("body") if literal is not None and literal.type == "func_literal" else None
        statements = [n for n in (block_statements(body) if body is not None else []) if n.type != "comment"]
        if len(statements) != 2 or model.source.text(statements[0]) != group + ".Wait()":
            continue
        signal = statements[1]
        if signal.type == "send_statement":
            target = signal.child_by_field_name("channel")
        elif signal.type == "expression_statement" and signal.named_child_count == 1:
            call = signal.named_children[0]
            arguments = call.child_by_field_name("arguments") if call.type == "call_expression" else None
            callee = call.child_by_field_name("function") if call.type == "call_expression" else None
            target = arguments.named_children[0] if arguments is not None and arguments.named_child_count == 1 \
                and callee is not None and model.source.text(callee) == "close" else None
        else:
            target = None
        if target is None or target.type != "identifier":
            continue
        binding = model.resolve(target)
        if binding.kind != "local" or binding.function is not owner or binding.decl is None \
                or binding.decl.id == channel.decl.id:
            continue
        receives = []
        for ref in model.references(binding.decl, within=owner.node):
            use, node = classify_use(model, ref)
            if ref.id == target.id:
                continue
            if use == "receive" and model.enclosing_function(ref) is owner:
                receives.append(node)
            elif use != "len":
                break  # signalled or received elsewhere too, or handed on
        else:
            found.extend(receives)
    return found


def _deferred_done(model: FileModel, literal: Function) -> str | None:
    """`wg` when the goroutine's literal defers `wg.Done()` among its top-level statements."""
    if literal.kind != "literal" or literal.body is None:
        return None
    for statement in block_statements(literal.body):
        if statement.type == "defer_statement":
            text = model.source.text(statement)
            if text.startswith("defer ") and text.endswith(".Done()"):
                name = text[len("defer "):-len(".Done()")].strip()
                if name.replace(".", "").replace("_", "").isalnum():
                    return name
    return None


def where_started(channel: LocalChannel, node: Node) -> str:
    """` (in `worker`, started by `go` at line 12)` when `node` sits in a named function that
    `go worker(ch)` starts: the line reported is then not in the function that owns the channel."""
    for goroutine in channel.goroutines:
        function = goroutine.literal
        if function.kind != "literal" and function.node.start_byte <= node.start_byte < function.node.end_byte:
            return f" (in `{function.name}`, started by `go` at line {goroutine.start.start_point[0] + 1})"
    return ""


def in_select_with_alternatives(node: Node) -> bool:
    """A send, or a receive, that is the communication of a select case next to another case
    (a default, a `<-ctx.Done()`, a timeout): the goroutine is not stuck on it alone."""
    communication = node
    if node.type == "unary_expression":
        communication = node.parent
        if communication is None or communication.type != "receive_statement":
            return False
    case = communication.parent
    if case is None or case.type != "communication_case" or case.child_by_field_name("communication") != communication:
        return False
    select = case.parent
    if select is None or select.type != "select_statement":
        return False
    return sum(1 for c in select.named_children if c.type in ("communication_case", "default_case")) > 1


def in_loop(node: Node) -> Node | None:
    return enclosing_loop(node)


def _capacity(model: FileModel, size: Node | None) -> int | None:
    """A literal size, or one folded from constants (`make(chan error, workers)` with `const
    workers = 3`); UNKNOWN for anything else (a parameter, `len(urls)`)."""
    if size is None:
        return 0
    value = int_constant(model, size)
    return value if value is not None and value >= 0 else UNKNOWN


def _declared_name(make: Node) -> Node | None:
    """`ch := make(…)`, `var ch = make(…)`, `a, ch := x, make(…)`: the identifier bound to it."""
    values = make.parent
    if values is None or values.type != "expression_list":
        return None
    statement = values.parent
    if statement is None:
        return None
    if statement.type == "short_var_declaration" and statement.child_by_field_name("right") == values:
        left = statement.child_by_field_name("left")
        names = left.named_children if left is not None else []
    elif statement.type == "var_spec" and statement.child_by_field_name("value") == values:
        names = statement.children_by_field_name("name")
    else:
        return None
    index = next((i for i, v in enumerate(values.named_children) if v.id == make.id), -1)
    if index < 0 or len(names) != values.named_child_count:
        return None
    name = names[index]
    return name if name.type == "identifier" else None


def _goroutine_literal(model: FileModel, owner: Function, function: Function | None) -> Node | None:
    """The statement that starts `function` as a goroutine of `owner`: `go func(){…}()` or
    `g.Go(func() error {…})` (errgroup, conc, Go 1.25's WaitGroup.Go), with the literal written
    directly in `owner`. None for any other closure."""
    if function is None or function.kind != "literal" or function.parent is not owner:
        return None
    node = function.node
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "call_expression":
        callee = parent.child_by_field_name("function")
        if callee is not None and callee.id == node.id and parent.parent is not None and parent.parent.type == "go_statement":
            return parent.parent
        return None
    if parent.type == "argument_list" and parent.named_child_count == 1:
        call = parent.parent
        callee = call.child_by_field_name("function") if call is not None else None
        if callee is not None and callee.type == "selector_expression":
            name = callee.child_by_field_name("field")
            if name is not None and model.source.text(name) == "Go" and call.parent is not None \
                    and call.parent.type == "expression_statement":
                return call.parent
    return None


def classify_use(model: FileModel, ref: Node) -> tuple[str, Node]:
    """What a reference to the channel does: send, receive, range, close, len (harmless) or escape."""
    parent = ref.parent
    if parent is None:
        return "escape", ref
    if parent.type == "send_statement" and parent.child_by_field_name("channel") == ref:
        return "send", parent
    if parent.type == "unary_expression" and parent.child_by_field_name("operand") == ref:
        operator = parent.child_by_field_name("operator")
        if operator is not None and model.source.text(operator) == "<-":
            return "receive", parent
        return "escape", ref
    if parent.type == "range_clause" and parent.child_by_field_name("right") == ref:
        return "range", parent
    if parent.type == "argument_list" and parent.named_child_count == 1:
        call = parent.parent
        callee = call.child_by_field_name("function") if call is not None else None
        if callee is not None and callee.type == "identifier" and model.resolve(callee).kind == "builtin":
            name = model.source.text(callee)
            if name == "close":
                return "close", call
            if name in ("len", "cap"):
                return "len", call
    return "escape", ref


def drained_package_channels(model: FileModel, channels: "set[bytes] | frozenset[bytes]") -> list[str]:
    """The package-level channel variables (`var events = make(chan Event, 100)`) this file receives
    from inside a `for` loop (`for { e := <-events; … }`, `for e := range events {…}`, a `select`
    case in such a loop): a consumer that keeps taking values as long as its loop runs, so a send
    on the channel waits only while the consumer is busy. In source order, each name once.
    `channels`: the names of the package's variables that may be channels (package_channel_names),
    the only ones looked for."""
    data = model.source.data
    if not channels or (b"<-" not in data and b"range" not in data):
        return []
    pattern = _drain_pattern(frozenset(channels))
    root = model.source.root
    names: list[str] = []
    for match in pattern.finditer(data):
        group = 1 if match.group(1) is not None else 2
        name = match.group(group).decode()
        if name in names:
            continue
        node = root.named_descendant_for_byte_range(*match.span(group))
        if node is None or node.type != "identifier" or node.parent is None:
            continue
        if group == 1:
            if node.parent.type != "unary_expression" or node.parent.child_by_field_name("operand") != node:
                continue  # `ch <- events`: the value sent, not a receive
            loop = enclosing_loop(node)
        else:
            if node.parent.type != "range_clause" or node.parent.child_by_field_name("right") != node:
                continue
            loop = node.parent.parent
        if loop is None or loop.type != "for_statement":
            continue
        binding = model.resolve(node)
        spec = binding.decl.parent if binding.kind == "package" and binding.decl is not None else None
        if spec is None or spec.type != "var_spec" or b"chan" not in spec.text:
            continue  # a slice or a map ranged over, or a name of another kind
        names.append(name)
    return names


@functools.lru_cache(maxsize=256)
def _drain_pattern(channels: frozenset[bytes]) -> "re.Pattern[bytes]":
    """`<-events` and `range events {` for the given names: where a consumer may receive from them."""
    names = b"|".join(re.escape(name) for name in sorted(channels))
    return re.compile(rb"<-\s*(" + names + rb")\b(?!\s*[.(\[])|\brange\s+(" + names + rb")\s*\{")


def package_channel_names(source) -> set[bytes]:
    """The names declared by the file's package-level `var` specs that mention `chan`: the
    variables that may be channels."""
    data = source.data
    names: set[bytes] = set()
    for decl in source.declarations:
        if decl.type != "var_declaration" or data.find(b"chan", decl.start_byte, decl.end_byte) == -1:
            continue
        for child in decl.named_children:
            specs = child.named_children if child.type == "var_spec_list" else (child,)
            for spec in specs:
                if spec.type == "var_spec" and data.find(b"chan", spec.start_byte, spec.end_byte) != -1:
                    names.update(data[n.start_byte:n.end_byte] for n in spec.children_by_field_name("name"))
    return names
