"""GL103 goroutine-without-exit."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node, QueryCursor

from goleaklint.context import FileContext, PackageContext
from goleaklint.cfg import may_terminate, never_closed
from goleaklint.channels import local_channel
from goleaklint.goroutines import PackageFunctions, command_line_file, go_call, go_literal, last_name, started_at_process_level
from goleaklint.model import Function, single_initialiser
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query

RULE = Rule(
    id="GL103",
    slug="goroutine-without-exit",
    title="a goroutine runs an endless loop that nothing can stop",
    severity=Severity.WARNING,
    tags=("goroutine-leak",),
    precision="high",
    docs=Docs(
        what="Finds a `go` statement whose goroutine runs an endless loop with no way out. The "
        "goroutine is the `go func(){…}()` literal (also one a local was set to once: `loop := func(){…}; go loop()`), or the function or method of the same package "
        "that `go f(x)` / `go s.run()` starts, or that a literal calls as a statement of its own "
        "body (`go func() { defer wg.Done(); s.run() }()`); a method is found through the type of "
        "the receiver, a parameter, or a local set from `&T{…}`. Endless loops: `for { … }`, `for ;; { … }`, `for range time.Tick(d)`, "
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
        "reported at note level.",
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
        limits="Silent: loops with a condition or a three-clause header; ranges over anything not "
        "known to be a channel of this package (slices, maps, a parameter channel whose caller may "
        "close it, channels returned by calls or owned by other packages); functions of other "
        "packages started with `go`, and calls made by the goroutine (only the started function's own "
        "loops are read). A receive from a done-looking channel counts as a way out even when the "
        "case does not return. A range in a `go func(){…}()` over a channel its function makes and "
        "keeps to itself is left to GL102 goroutine-blocked-receive, which names the return after "
        "which the loop waits forever. Test files are not checked.",
        references=("https://go.dev/blog/pipelines", "https://pkg.go.dev/time#Tick"),
    ),
)

_LOOPS = "(for_statement) @loop"
_EXITS = """
(call_expression) @call
(unary_expression operator: "<-" operand: (_) @channel)
"""
_ENDS = re.compile(r"(?i)(done|quit|stop|exit|clos|shutdown|cancel|term|kill|die|finish|abort|halt)")


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
                continue
            loop, shape = found
            where = "" if body_ctx is ctx and function.kind == "literal" else (
                f" in {function.name}" + (f" ({body_ctx.relpath}:{body_ctx.source.line_of(loop.start_byte)})"
                                           if body_ctx is not ctx else f" (line {ctx.source.line_of(loop.start_byte)})")
            )
            process = command_line_file(ctx) or functions.process_lifetime(ctx, go)
            yield ctx.finding(
                RULE, go,
                f"goroutine runs {shape}{where} with no way out: no return or break leaves the loop and it "
                f"never receives from ctx.Done() or a done/stop channel"
                + (", so it lives as long as the process (fine for process-lifetime work)" if process
                   else "; every call that starts it leaks one more goroutine"),
                fix="give the goroutine a context or a done channel and return from the loop when it is "
                "cancelled: `select { case <-ctx.Done(): return; case <-t.C: … }`",
                severity=Severity.NOTE if process else None,
            )


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
    for loop in QueryCursor(query(_LOOPS)).captures(function.body).get("loop", []):
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
        return "`for ;; { … }`" if clause.child_by_field_name("condition") is None else None
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
    binding = ctx.model.resolve(expr)
    if binding.kind != "local" or binding.decl is None:
        return False
    value = single_initialiser(binding.decl)
    if value is None or value.type != "call_expression":
        return False
    channel = local_channel(ctx.model, value)
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
        return functions.channel_field(last_name(model, expr) or "")
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


def _handed_on(ctx: FileContext, channel: Node, loop: Node, functions: PackageFunctions) -> bool:
    """The channel leaves the code we can see: passed to a call, returned, stored. Whoever gets it
    may close it."""
    model = ctx.model
    binding = model.resolve(channel) if channel.type == "identifier" else None
    if binding is None or binding.kind != "local" or binding.decl is None or binding.function is None:
        return functions.passed(last_name(model, channel) or "")
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
    captures = QueryCursor(query(_EXITS)).captures(body)
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
