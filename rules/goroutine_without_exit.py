"""GL103 goroutine-without-exit."""

from __future__ import annotations

import posixpath
import re
from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext, PackageContext
from goleaklint.callgraph import set_once_guarded
from goleaklint.cfg import BREAK_TARGETS, may_terminate, never_closed
from goleaklint.channels import named_local_channel
from goleaklint.goroutines import (PackageFunctions, command_line_file, go_call, go_literal, last_name, root_function,
                                   started_at_process_level)
from goleaklint.model import Function, enclosing_loop, is_channel_type, single_initialiser
from goleaklint.patterns import LazyPattern
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures, query_matches

RULE = Rule(
    id="GL103",
    slug="goroutine-without-exit",
    title="a goroutine runs an endless loop that nothing can stop",
    severity=Severity.WARNING,
    lifetime="per-call",  # one goroutine per call: a note where no caller is seen
    tags=("goroutine-leak",),
    # Measured on held-out codebases (docs/ecosystem.md): 31 of 132 worth a change over every batch to
    # 72, low. In code that runs per request it read 6 of 11 and was labelled medium there until batch
    # 74 brought it to 7 of 15 (workers that a handler starts once per process behind a set-once
    # check), low like the rule; batch 121 (per-connection read and write loops that never return, a
    # pool made on every request whose cleanup goroutine never stops, all TRUE) brought it to 11 of 22:
    # right half the time, medium again; batches 167 and 171 (a demo route off by default, a websocket
    # reader that a recovered panic ends) brought it to 13 of 27, low again. Through batch 257 it reads
    # 23 of 42 (per-websocket write and ping loops, pools and limiters made per request with a
    # cleanup loop that never ends, TRUE; goroutines of objects cached per key for the process,
    # FALSE): medium again, four misses from the bar rather than one. Batch 259 added 1 of 3 (24 of 45).
    precision="low",
    precision_by_lifetime=(("per-request", "medium"),),
    docs=Docs(
        what="Finds a `go` statement whose goroutine runs an endless loop with no way out. The "
        "goroutine is the `go func(){…}()` literal (also one a local was set to once: `loop := func(){…}; go loop()`), or the function or method of the same package "
        "that `go f(x)` / `go s.run()` starts, or that a literal calls as a statement of its own "
        "body (`go func() { defer wg.Done(); s.run() }()`); a method is found through the type of "
        "the receiver, a parameter, or a local set from `&T{…}`. Endless loops: `for { … }`, `for ;; { … }`, a condition that is the constant `true` (`for ; true; <-t.C { … }`), `for range time.Tick(d)`, "
        "`for range t.C` over a ticker, and `for v := range ch` over a channel of this package (a "
        "package variable, a local made with `make(chan …)`, or a struct field of channel type) that "
        "nothing in the package ever passes to `close`. A way out is any of: a `return`, a `break` "
        "that leaves this loop (unlabelled outside a nested switch/select/for, or naming its label), "
        "a `goto`, `panic`, `os.Exit`, `log.Fatal…`, `runtime.Goexit`; a receive (`<-x`, `case <-x:`) "
        "from `….Done()`, from a channel whose name says it ends things (done, quit, stop, exit, "
        "close, shutdown, cancel, term, kill, die, finish), or from a channel that the package "
        "closes somewhere. A goroutine started from `main` or `init`, anywhere in package main, in a "
        "file that builds command-line commands (imports cobra, urfave/cli or kingpin), or inside "
        "`once.Do(…)`, `sync.OnceFunc(…)` or a `singleton.…(func…)` helper (or in a function handed "
        "to `once.Do`), or in a function of the package that only package-level initialisers, `init` "
        "or `main` call (`var logOnce = newLogOnce()`) runs once per process by design and is "
        "reported at note level. A goroutine that runs a function of the package whose body a set-once guard "
        "opens (`go expire()`, where expire begins `if !atomic.CompareAndSwapInt32(&started, 0, 1) { return }`) "
        "runs its loop once per process, however often the `go` statement runs: not reported. Also found: a constructor (a plain function whose first result is a "
        "struct of this package) that starts a goroutine whose endless loop leaves only when a channel "
        "field of the new value is closed (`case <-e.stop: return`), when the struct has no Stop, "
        "Close, Shutdown or similar method and nothing in the package closes, signals or hands on "
        "that channel; and a constructor that starts a helper it keeps in the new value (`w.Start()`, "
        "`go w.Run()` with no arguments) whose type has a stop method (or belongs to another "
        "package), while the struct has no Stop or Close and nothing stops that field: every value a "
        "caller creates leaks the worker.",
        why="A goroutine that can never return keeps its stack (2 KiB and up), everything its closure "
        "captured and everything reachable from its locals until the process exits. When the code that "
        "starts it runs more than once (a constructor, a handler, a reconnect loop, a test), every run "
        "adds one more: goroutine counts and heap climb until the pod is killed.",
        example="""func NewCache() *Cache {
    c := &Cache{items: map[string]item{}}
    go func() {
        for range time.Tick(time.Minute) {
            c.evictExpired()
        }
    }()
    return c
}""",
        use_instead="""func NewCache(ctx context.Context) *Cache {
    c := &Cache{items: map[string]item{}}
    go func() {
        t := time.NewTicker(time.Minute)
        defer t.Stop()
        for {
            select {
            case <-ctx.Done():
                return
            case <-t.C:
                c.evictExpired()
            }
        }
    }()
    return c
}""",
        limits="A note: a goroutine whose starter cannot return once it has started it (`go tick(); "
        "select {}`, a serve loop with no way out, not a loop that starts one per time round): it lives "
        "exactly as long as that call. Silent: loops with a condition or a three-clause header; ranges over anything not "
        "known to be a channel of this package (slices, maps, a parameter channel whose caller may "
        "close it, channels returned by calls or owned by other packages); functions of other "
        "packages started with `go`, and calls made by the goroutine (only the started function's own "
        "loops are read). A receive from a done-looking channel counts as a way out even when the "
        "case does not return. A range in a `go func(){…}()` over a channel its function makes and "
        "keeps to itself is left to GL102 goroutine-blocked-receive, which names the return after "
        "which the loop waits forever. A range over a receive-only field (`in <-chan T`, typically set "
        "from a constructor parameter) is silent: the caller holds the send end and closes it. So is a "
        "range over a field a function of the package returns as a channel its caller may close (`func "
        "(f *Flow) In() chan<- any { return f.in }`, the input of a stream stage that the stage before "
        "it closes through that method, `close(next.In())`); one returned only as `<-chan` is not "
        "handed on, since no caller can close it. The "
        "constructor shapes: fields and stop methods are matched by name across the package (a "
        "`close` or `Stop` of a same-named field of another type, whose owner's type is not known, "
        "silences them); a worker that also leaves by itself (a return on an error) or on the "
        "caller's context or channel is not reported; a struct that embeds a type, a stop channel "
        "set from anything but `make`, a context-and-cancel pair kept in fields, and a helper "
        "started with arguments (a stop channel or context of the caller's) are left alone. Test "
        "files are not checked.",
        references=("https://go.dev/blog/pipelines", "https://pkg.go.dev/time#Tick"),
    ),
)

_LOOPS = "(for_statement) @loop"
_EXITS = """
(call_expression) @call
(unary_expression operator: "<-" operand: (_) @channel)
"""
# Every way out of a loop body, for finding which select cases a constructor's worker leaves by.
_LOOP_EXITS = """
(return_statement) @return
(break_statement) @break
(goto_statement) @goto
(call_expression) @call
"""
_WORDS = LazyPattern(r"\w+")
_ENDS = LazyPattern(r"(?i)(done|quit|stop|exit|clos|shutdown|cancel|term|kill|die|finish|abort|halt)")


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    functions = pkg.facts.functions
    for ctx in pkg.files:
        if ctx.relpath not in pkg.report_paths or ctx.is_test_file:
            continue
        for go in ctx.model.go_statements:
            target = _goroutine(ctx, go, functions)
            if target is None:
                continue
            body_ctx, function = target
            found = _endless_loop(body_ctx, function, functions)
            if found is None and function.kind == "literal":
                # `go func() { defer wg.Done(); s.loop() }()`: the literal only wraps the real body.
                for call in _wrapped_calls(function):
                    callee = functions.callee(body_ctx, call)
                    if callee is not None and callee[1] is not function:
                        found = _endless_loop(callee[0], callee[1], functions)
                        if found is not None:
                            body_ctx, function = callee
                            break
            if found is None:
                unstoppable = _unstoppable_worker(pkg, ctx, go, body_ctx, function, functions)
                if unstoppable is not None:
                    yield unstoppable
                continue
            loop, shape = found
            where = "" if body_ctx is ctx and function.kind == "literal" else (
                f" in {function.shown}" + (f" ({body_ctx.relpath}:{body_ctx.source.line_of(loop.start_byte)})"
                                           if body_ctx is not ctx else f" (line {ctx.source.line_of(loop.start_byte)})")
            )
            process = command_line_file(ctx) or functions.process_lifetime(ctx, go)
            parked = _starter_never_returns(ctx, go)
            if parked is not None:
                yield ctx.finding(
                    RULE, go,
                    f"goroutine runs {shape}{where} with no way out, but {parked} never returns once it has "
                    "started it: the goroutine lives exactly as long as that call",
                    fix="give the goroutine a context or a done channel if the caller is ever meant to return",
                    severity=Severity.NOTE,
                )
                continue
            yield ctx.finding(
                RULE, go,
                f"goroutine runs {shape}{where} with no way out: no return or break leaves the loop and it "
                f"never receives from ctx.Done() or a done/stop channel"
                + (", so it lives as long as the process (fine for process-lifetime work)" if process
                   else "; every call that starts it leaks one more goroutine"),
                fix="give the goroutine a context or a done channel and return from the loop when it is "
                "cancelled: `select { case <-ctx.Done(): return; case <-t.C: … }`",
                severity=Severity.NOTE if process else None,
                # A literal started where it is made runs as often as it is made, which the model
                # knows better than its maker's lifetime (`if !started { started = true; go … }`);
                # so does a function of the package whose body a set-once guard opens (`if
                # !atomic.CompareAndSwapInt32(&started, 0, 1) { return }`): once, however often
                # this `go` statement runs. (Any other started function keeps the statement's
                # lifetime: the model may not resolve the call, and then knows no caller of it.)
                subjects=(function.name,) if (function.kind == "literal" and function.node.parent is not None
                                              and function.node.parent.type == "call_expression" and body_ctx is ctx)
                or (function.kind != "literal" and posixpath.dirname(body_ctx.relpath) == posixpath.dirname(ctx.relpath)
                    and set_once_guarded(body_ctx.model, function))
                else (),
            )


        yield from _unstopped_helpers(pkg, ctx, functions)


def _starter_never_returns(ctx: FileContext, go: Node) -> str | None:
    """The function holding the `go` statement cannot return once it has run (`go tick(); select
    {}`, a serve loop with no way out, `log.Fatal(srv.Serve(l))`): every goroutine it starts is
    matched by a call of it parked for good, so the goroutine adds nothing per call. Its name."""
    starter = ctx.model.enclosing_function(go)
    if starter is None or starter.body is None:
        return None
    loop = enclosing_loop(go)
    if loop is not None and starter.contains(loop):
        return None  # `for { c := accept(); go serve(c) }`: one more per time round
    cfg = starter.cfg
    if cfg.locate(go) is None or cfg.path_to_exit_avoiding(go) is not None:
        return None
    return f"`{starter.name}`" if starter.kind != "literal" else "the function literal that starts it"


_STOPPERS = LazyPattern(r"(?i)^(stop|close|shutdown|cancel|quit|exit|terminate|halt|kill|release|dispose|destroy|finish|teardown)")
# `.Start()` / `.Run()` with nothing between the parentheses, in bytes: a constructor without one
# starts no helper, and most files have none, so the types of their constructors are never asked.
# (Two patterns that each begin with a literal: `re` then skips to its occurrences, where a leading
# `\b` or alternation is tried at every byte, ten times slower.)
_START_CALL_BYTES = (LazyPattern(rb"Start[ \t\r\n]*\([ \t\r\n]*\)"), LazyPattern(rb"Run[ \t\r\n]*\([ \t\r\n]*\)"))


def _calls_start(data: bytes, start: int = 0, end: int | None = None) -> bool:
    end = len(data) if end is None else end
    return any(pattern.search(data, start, end) is not None for pattern in _START_CALL_BYTES)
_START_CALLS = """
(call_expression
  function: (selector_expression operand: (_) @helper field: (field_identifier) @method (#match? @method "^(Start|Run)$"))
  arguments: (argument_list) @args) @call
"""


def _constructed_type(pkg: PackageContext, functions: PackageFunctions, function: Function | None) -> str | None:
    """The struct type of this package a plain function returns first (`func NewX() *X`), when the
    struct embeds nothing (an embedded type may bring a Stop of its own)."""
    if function is None or function.kind != "func" or not function.results:
        return None
    name = re.sub(r"\[.*$", "", function.results[0].type.lstrip("*"))
    if not name or "." in name or name not in functions.struct_names:
        return None
    found = pkg.package_scope.get(name) if hasattr(pkg.package_scope, "get") else None
    spec = found[1].parent if found is not None else None
    struct = spec.child_by_field_name("type") if spec is not None and spec.type == "type_spec" else None
    if struct is None or struct.type != "struct_type":
        return None
    for field_list in struct.named_children:
        for decl in field_list.named_children:
            if decl.type == "field_declaration" and decl.child_by_field_name("name") is None:
                return None
    return name


def _stoppable(functions: PackageFunctions, type_name: str) -> bool:
    return any(_STOPPERS.match(method) for method in functions.methods(type_name))


def _unstoppable_worker(pkg: PackageContext, ctx: FileContext, go: Node, body_ctx: FileContext, function: Function,
                        functions: PackageFunctions) -> Finding | None:
    """A constructor starts a goroutine whose endless loop leaves only when a channel of the new
    value is closed, while the type has no Stop/Close and nothing in the package closes or signals
    that channel: the caller has no way to end it, so every value created leaks one goroutine."""
    constructor = root_function(ctx.model.enclosing_function(go))
    type_name = _constructed_type(pkg, functions, constructor)
    if type_name is None or _stoppable(functions, type_name) or function.body is None:
        return None
    fields = functions.struct_fields[type_name]
    for loop in query_captures(_LOOPS, function.body).get("loop", []):
        if body_ctx.model.enclosing_function(loop) is not function or _unbounded(body_ctx, loop, functions) is None:
            continue
        stops = _stop_fields(body_ctx, loop, function, fields)
        if not stops or not all(_owned_and_never_signalled(functions, type_name, name) for name in stops):
            continue
        channel = sorted(stops)[0]
        where = "" if body_ctx is ctx and function.kind == "literal" else f" ({function.shown})"
        process = command_line_file(ctx) or functions.process_lifetime(ctx, go)
        return ctx.finding(
            RULE, go,
            f"{constructor.name} starts a goroutine{where} that leaves its loop only when `{channel}` is "
            f"closed, but {type_name} has no Stop or Close method and nothing in the package closes `{channel}`"
            + (", so it lives as long as the process (fine for process-lifetime work)" if process
               else f": every {type_name} a caller creates leaks one goroutine"),
            fix=f"give {type_name} a Stop or Close method that closes `{channel}`, and have callers defer it",
            severity=Severity.NOTE if process else None,
        )
    return None


def _stop_fields(ctx: FileContext, loop: Node, function: Function, fields: dict[str, str]) -> set[str] | None:
    """The channel fields whose receive cases hold every way out of the loop; None when some way
    out (a return on an error, a break on a condition) does not depend on such a channel."""
    model = ctx.model
    body = loop.child_by_field_name("body")
    if body is None:
        return None
    captures = query_captures(_LOOP_EXITS, body)
    exits = [n for n in captures.get("return", []) + captures.get("goto", []) if model.enclosing_function(n) is function]
    for brk in captures.get("break", []):
        if model.enclosing_function(brk) is not function:
            continue
        if any(c.type == "label_name" for c in brk.named_children):
            exits.append(brk)  # a labelled break may leave this loop: count it as a way out
            continue
        node = brk.parent
        while node is not None and node.type not in BREAK_TARGETS:
            node = node.parent
        if node is not None and node.id == loop.id:
            exits.append(brk)
    for call in captures.get("call", []):
        callee = call.child_by_field_name("function")
        if model.enclosing_function(call) is not function or callee is None:
            continue
        if may_terminate(model, call):
            exits.append(call)
    stops: set[str] = set()
    for exit_node in exits:
        case = exit_node.parent
        while case is not None and case.id != loop.id and case.type != "communication_case":
            case = case.parent
        communication = case.child_by_field_name("communication") if case is not None and case.id != loop.id else None
        if communication is None:
            return None
        if communication.type == "receive_statement":
            communication = communication.child_by_field_name("right")
        elif communication.type == "expression_statement" and communication.named_child_count == 1:
            communication = communication.named_children[0]
        operand = communication.child_by_field_name("operand") if communication.type == "unary_expression" else None
        if operand is None or operand.type != "selector_expression":
            return None
        field = last_name(model, operand)
        if field is None or not is_channel_type(fields.get(field, "")):
            return None
        stops.add(field)
    return stops


def _owned_and_never_signalled(functions: PackageFunctions, type_name: str, field: str) -> bool:
    """The channel field of `type_name` is only ever set to a channel the package makes, and
    nothing in the package closes, sends on or hands on anything of that name (a method that
    returns it for callers to send on and close hands it on)."""
    if functions.closed(field) or functions.passed(field) or functions.handed_out(field):
        return False
    for ctx, node in functions.occurrences(field):
        parent = node.parent
        if parent is None:
            continue
        if node.type == "field_identifier" and parent.type == "selector_expression":
            user = parent.parent
            if user is not None and user.type == "send_statement" and user.child_by_field_name("channel") == parent:
                return False
            if user is not None and user.type == "expression_list" and user.parent is not None \
                    and user.parent.type == "assignment_statement" and user.parent.child_by_field_name("left") == user:
                index = next(i for i, c in enumerate(user.named_children) if c == parent)
                operand = parent.child_by_field_name("operand")
                owner = functions.value_type(ctx.model, ctx.model.resolve(operand)) \
                    if operand is not None and operand.type == "identifier" else None
                if owner in (None, type_name) and not _made_here(_value_at(user.parent, index)):
                    return False
        elif node.type == "identifier" and parent.type == "literal_element" and parent.parent is not None \
                and parent.parent.type == "keyed_element" and parent.parent.named_children[0] == parent:
            value = parent.parent.named_children[-1]
            literal = parent.parent.parent.parent if parent.parent.parent is not None else None
            owner = literal.child_by_field_name("type") if literal is not None and literal.type == "composite_literal" else None
            if owner is not None and ctx.source.text(owner) != type_name:
                continue  # a field of the same name in another struct
            if not _made_here(value.named_children[0] if value.named_child_count == 1 else value):
                return False
    return True


def _value_at(assignment: Node, index: int) -> Node | None:
    right = assignment.child_by_field_name("right")
    values = right.named_children if right is not None else []
    return values[index] if index < len(values) else None


def _made_here(value: Node | None) -> bool:
    if value is None or value.type != "call_expression":
        return False
    callee = value.child_by_field_name("function")
    return callee is not None and callee.type == "identifier" and callee.text == b"make"


def _unstopped_helpers(pkg: PackageContext, ctx: FileContext, functions: PackageFunctions) -> Iterable[Finding]:
    """A constructor starts a helper that can be stopped (`w.Start()`, `go w.Run()` with no
    arguments, on a value kept in the new struct) while the struct has no Stop or Close and nothing
    stops the helper: whatever the helper runs outlives every value a caller creates."""
    model = ctx.model
    data = ctx.source.data
    if not _calls_start(data):
        return
    structs = functions.struct_names
    if not structs:
        return
    for decl in ctx.source.declarations:
        if decl.type != "function_declaration":
            continue
        body = decl.child_by_field_name("body")
        if body is None or not _calls_start(data, body.start_byte, body.end_byte):
            continue
        # A constructor's first result names a struct of the package: without one of those names
        # in its results, a function's results need no typing.
        result = decl.child_by_field_name("result")
        if result is None or structs.isdisjoint(_WORDS.findall(ctx.source.text(result))):
            continue
        constructor = model.function_of(decl)
        type_name = _constructed_type(pkg, functions, constructor)
        if type_name is None or constructor.body is None or _stoppable(functions, type_name):
            continue
        fields = functions.struct_fields[type_name]
        for match in query_matches(_START_CALLS, constructor.body):
            call, helper, args = match["call"][0], match["helper"][0], match["args"][0]
            if args.named_child_count or call.parent is None or call.parent.type not in ("expression_statement", "go_statement"):
                continue
            if model.enclosing_function(call) is not constructor:
                continue
            field = _kept_in(model, constructor, helper, fields)
            if field is None or not _helper_stoppable(model, functions, helper, fields[field]):
                continue
            if functions.passed(field) or _stopped_somewhere(functions, type_name, field):
                continue
            method = ctx.source.text(match["method"][0])
            process = command_line_file(ctx) or functions.process_lifetime(ctx, call)
            yield ctx.finding(
                RULE, call,
                f"{constructor.name} starts `{ctx.source.text(helper)}` ({method}), but {type_name} has no Stop or "
                f"Close method and nothing in the package stops `{field}`"
                + (", so it lives as long as the process (fine for process-lifetime work)" if process
                   else f": every {type_name} a caller creates leaks the goroutines it runs"),
                fix=f"give {type_name} a Stop or Close method that stops `{field}`, and have callers defer it",
                severity=Severity.NOTE if process else None,
            )


def _kept_in(model, constructor: Function, helper: Node, fields: dict[str, str]) -> str | None:
    """The field of the new struct that holds the helper: `x.f.Start()`, or a local `w` put in
    `&T{f: w}` or `x.f = w`."""
    if helper.type == "selector_expression":
        name = last_name(model, helper)
        return name if name in fields else None
    if helper.type != "identifier":
        return None
    binding = model.resolve(helper)
    if binding.kind != "local" or binding.decl is None:
        return None
    for ref in model.references(binding.decl, within=constructor.body):
        parent = ref.parent
        if parent is not None and parent.type == "literal_element" and parent.parent is not None \
                and parent.parent.type == "keyed_element" and parent.parent.named_children[-1] == parent:
            key = parent.parent.named_children[0]
            name = model.source.text(key)
            if name in fields:
                return name
        if parent is not None and parent.type == "expression_list" and parent.parent is not None \
                and parent.parent.type == "assignment_statement" and parent.parent.child_by_field_name("right") == parent:
            index = next(i for i, c in enumerate(parent.named_children) if c == ref)
            left = parent.parent.child_by_field_name("left")
            target = left.named_children[index] if left is not None and index < left.named_child_count else None
            name = last_name(model, target) if target is not None and target.type == "selector_expression" else None
            if name in fields:
                return name
    return None


def _helper_stoppable(model, functions: PackageFunctions, helper: Node, field_type: str) -> bool:
    """The helper's type has a stop method: for a type of this package, one that is declared; for
    another package's type the Start/Run with no arguments is taken to pair with a Stop."""
    type_text = field_type
    if helper.type == "identifier":
        binding = model.resolve(helper)
        local = functions.value_type(model, binding)
        if local:
            type_text = local
        elif binding.decl is not None and binding.decl.parent is not None and binding.decl.parent.parent is not None:
            statement = binding.decl.parent.parent
            right = statement.child_by_field_name("right") if statement.type == "short_var_declaration" else None
            value = right.named_children[0] if right is not None and right.named_child_count == 1 else None
            if value is not None and value.type == "call_expression":
                function = value.child_by_field_name("function")
                if function is not None and function.type == "identifier":
                    found = functions.function(model.source.text(function))
                    if found is not None and found[1].results:
                        type_text = found[1].results[0].type
    name = re.sub(r"\[.*$", "", type_text.lstrip("*"))
    if not name:
        return False
    if "." in name:
        return True
    return name in functions.struct_fields and _stoppable(functions, name)


def _stopped_somewhere(functions: PackageFunctions, type_name: str, field: str) -> bool:
    """Some `x.field.Stop()` (or Close, Shutdown, …) call in the package, where x may be a
    `type_name` (its type is that one or not known)."""
    for ctx, node in functions.occurrences(field):
        selector = node.parent
        if node.type != "field_identifier" or selector is None or selector.type != "selector_expression":
            continue
        operand = selector.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier" and \
                functions.value_type(ctx.model, ctx.model.resolve(operand)) not in (None, type_name):
            continue  # a field of the same name in another struct
        outer = selector.parent
        if outer is None or outer.type != "selector_expression" or outer.child_by_field_name("operand") != selector:
            continue
        method = outer.child_by_field_name("field")
        call = outer.parent
        if method is not None and _STOPPERS.match(ctx.source.text(method)) and call is not None and call.type == "call_expression":
            return True
    return False


def _wrapped_calls(function: Function) -> list[Node]:
    """Calls made as statements at the top of a literal's body (not deferred, not nested)."""
    body = function.body
    lists = [c for c in body.named_children if c.type == "statement_list"] if body is not None else []
    statements = lists[0].named_children if lists else []
    calls = []
    for statement in statements:
        if statement.type == "expression_statement" and statement.named_child_count == 1:
            expr = statement.named_children[0]
            if expr.type == "call_expression":
                calls.append(expr)
    return calls


def _goroutine(ctx: FileContext, go: Node, functions: PackageFunctions) -> tuple[FileContext, Function] | None:
    literal = go_literal(go, ctx.model)
    if literal is not None:
        function = ctx.model.function_of(literal)
        return (ctx, function) if function is not None else None
    call = go_call(go)
    return functions.callee(ctx, call) if call is not None else None


def _endless_loop(ctx: FileContext, function: Function, functions: PackageFunctions) -> tuple[Node, str] | None:
    if function.body is None:
        return None
    model = ctx.model
    for loop in query_captures(_LOOPS, function.body).get("loop", []):
        if model.enclosing_function(loop) is not function:
            continue
        shape = _unbounded(ctx, loop, functions)
        if shape is not None and not _has_exit(ctx, loop, function, functions):
            return loop, shape
    return None


def _unbounded(ctx: FileContext, loop: Node, functions: PackageFunctions) -> str | None:
    """How an endless loop looks, or None for a loop that ends by itself."""
    model = ctx.model
    header = [c for c in loop.named_children if c.type != "block" and c.type != "comment"]
    if not header:
        return "`for { … }`"
    clause = header[0]
    if clause.type == "for_clause":
        condition = clause.child_by_field_name("condition")
        if condition is None:
            return "`for ;; { … }`"
        return "`for ; true; … { … }`" if condition.type == "true" else None
    if clause.type == "true":
        return "`for true { … }`"
    if clause.type != "range_clause":
        return None
    right = clause.child_by_field_name("right")
    if right is None:
        return None
    text = ctx.source.text(right)
    if right.type == "call_expression" and model.qualified(right) == "time.Tick":
        return "`for range time.Tick(…)`"
    if right.type == "selector_expression" and ctx.source.text(right.child_by_field_name("field")) == "C":
        if never_closed(model, right):
            return f"`for range {text}` over a ticker"
        return None
    name = last_name(model, right)
    if name is None or functions.closed(name):
        return None
    if right.type == "identifier" and _left_to_gl102(ctx, right):
        return None
    if _package_channel(ctx, right, functions) and not _handed_on(ctx, right, loop, functions):
        return f"`for range {text}`, and nothing in the package closes `{name}`,"
    return None


def _left_to_gl102(ctx: FileContext, expr: Node) -> bool:
    """A channel that the function starting this goroutine literal makes and keeps to itself:
    GL102 reports a range over it that nothing ends, naming the return after which it waits
    forever. Reporting the same leak here too would say it twice."""
    channel = named_local_channel(ctx, expr)
    if channel is None or channel.escape is not None or started_at_process_level(ctx, channel.make):
        return False
    literal = ctx.model.enclosing_function(expr)
    return any(goroutine.literal is literal for goroutine in channel.goroutines)


def _package_channel(ctx: FileContext, expr: Node, functions: PackageFunctions) -> bool:
    """A channel this package owns: a package variable of channel type, a local made with
    `make(chan …)`, or a field declared with a channel type."""
    model = ctx.model
    if expr.type == "selector_expression":
        operand = expr.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier" and model.resolve(operand).kind == "import":
            return False
        name = last_name(model, expr) or ""
        return functions.channel_field(name) and not _receive_only_field(functions, name)
    if expr.type != "identifier":
        return False
    binding = model.resolve(expr)
    if binding.kind == "package":
        var = model.package_vars.get(ctx.source.text(expr))
        return var is not None and var.kind == "chan"
    if binding.kind == "local" and binding.decl is not None:
        value = single_initialiser(binding.decl)
        return value is not None and ctx.source.text(value).replace(" ", "").startswith("make(chan")
    return False


def _receive_only_field(functions: PackageFunctions, name: str) -> bool:
    """Every struct field of that name is declared `<-chan T`: the package holds only the receive
    end (typically set from a constructor parameter); whoever holds the send end closes it."""
    types = [fields[name] for fields in functions.struct_fields.values() if name in fields]
    return bool(types) and all(t.startswith("<-chan") for t in types)


def _handed_on(ctx: FileContext, channel: Node, loop: Node, functions: PackageFunctions) -> bool:
    """The channel leaves the code we can see: passed to a call, returned, stored. Whoever gets it
    may close it."""
    model = ctx.model
    binding = model.resolve(channel) if channel.type == "identifier" else None
    if binding is None or binding.kind != "local" or binding.decl is None or binding.function is None:
        name = last_name(model, channel) or ""
        # Passed to a call, or handed out by a method for others to send on and close: the
        # input of a stream stage (`func (f *Flow) In() chan<- any { return f.in }`), which
        # the stage before it closes through that method (`close(next.In())`).
        return functions.passed(name) or functions.handed_out(name)
    for ref in model.references(binding.decl, within=binding.function.node):
        if loop.start_byte <= ref.start_byte < loop.end_byte:
            continue
        parent = ref.parent
        if parent is None:
            continue
        if parent.type in ("argument_list", "return_statement", "keyed_element", "literal_element", "literal_value"):
            return True
        if parent.type == "expression_list" and parent.parent is not None and parent.parent.type in (
            "return_statement", "assignment_statement", "short_var_declaration"
        ) and parent.parent.child_by_field_name("left") != parent:
            return True
    return False


def _has_exit(ctx: FileContext, loop: Node, function: Function, functions: PackageFunctions) -> bool:
    model = ctx.model
    body = loop.child_by_field_name("body")
    if body is None:
        return True
    # A return, a break or goto out of the loop, a call that never returns: the graph knows.
    if function.cfg.can_leave(loop):
        return True
    captures = query_captures(_EXITS, body)
    mine = lambda n: model.enclosing_function(n) is function  # noqa: E731
    for call in captures.get("call", []):
        if not mine(call):
            continue
        # `log.Fatal`, `logger.Fatalf`, `os.Exit`, `panic`, and a package's own `exit(code)` helper.
        if may_terminate(model, call):
            return True
    closable = []
    for channel in captures.get("channel", []):
        if not mine(channel):
            continue
        if channel.type == "call_expression":
            callee = channel.child_by_field_name("function")
            field = callee.child_by_field_name("field") if callee is not None and callee.type == "selector_expression" else None
            if field is not None and (ctx.source.text(field) == "Done" or _ENDS.search(ctx.source.text(field))):
                return True
            continue
        name = last_name(model, channel)
        if name is not None and _ENDS.search(name):
            return True
        if name is not None:
            closable.append(name)
    # Last, because it searches the package: a receive from a channel that something closes.
    return any(functions.closed(name) for name in closable)
