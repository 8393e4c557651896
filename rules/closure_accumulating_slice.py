"""GL202 closure-accumulating-slice."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext
from goleaklint.frameworks import is_handler
from goleaklint.growth import growth_append
from goleaklint.model import FUNCTION_TYPES, Function, single_initialiser
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures

RULE = Rule(
    id="GL202",
    slug="closure-accumulating-slice",
    title="a long-lived closure appends to a captured slice and never truncates it",
    severity=Severity.WARNING,
    tags=("memory-leak", "unbounded-growth"),
    precision="medium",  # not measured yet: ten held-out judgements set it (docs/ecosystem.md)
    docs=Docs(
        what="Finds a function literal that outlives the function creating it and does "
        "`s = append(s, ...)` on a slice declared in (or passed to) that enclosing function, while no "
        "closure of it truncates or resets the slice (`s = s[:0]`, `s = nil`, `s = s[1:]`, any other "
        "assignment) or compares `len(s)` against a bound. A literal outlives its creator when it is "
        "returned, stored in a field, a map or a package variable, handed to a router or to `Use`, or "
        "started with `go` around an endless loop (`for {}`, `for range ticker.C`). It is an error "
        "when the literal is an HTTP handler or middleware (net/http, gin, echo, fiber): the slice "
        "then grows with every request. A returned or stored closure that is not a handler is "
        "reported at note level, since its lifetime is its caller's business.",
        why="The captured slice lives as long as the closure, and a handler or middleware lives as "
        "long as the server. Each call appends; nothing ever shortens the slice, so it and its "
        "ever-doubling backing array, plus everything the elements point to, stay on the heap until "
        "the pod is OOM-killed.",
        example="""func RequestLogger() gin.HandlerFunc {
    var requests []string
    return func(c *gin.Context) {
        requests = append(requests, c.Request.URL.Path) // one element per request, forever
        c.Next()
    }
}""",
        use_instead="""func RequestLogger(logger *slog.Logger) gin.HandlerFunc {
    return func(c *gin.Context) {
        logger.Info("request", "path", c.Request.URL.Path) // hand it on instead of keeping it
        c.Next()
    }
}""",
        limits="A closure passed to an ordinary function (`sort.Slice`, `filepath.Walk`, `errgroup.Go`) "
        "is taken to run while that call lasts and is not reported, unless it is a handler or "
        "middleware. A goroutine literal counts only around an endless loop: a goroutine collecting a "
        "bounded stream (`for v := range ch`) is the usual fan-in pattern; one whose endless loop waits only on "
        "channels its creator makes and never closes (a call's collector) is a note, since the slice stops "
        "growing when the call's senders do and the goroutine that keeps it is the leak. A reset in the enclosing "
        "function before the closure is made is initialisation and does not count; one inside any "
        "closure, or after the closure is made, does. A slice whose address is taken (`&s`) is handed "
        "on and not reported. Aliases of the closure are followed one level (`h := func…; "
        "mux.HandleFunc(\"/\", h)`). Test files are skipped.",
        references=("https://go.dev/blog/slices-intro",),
    ),
)

QUERY = """
(assignment_statement
  left: (expression_list . (identifier) .)
  right: (expression_list . (call_expression function: (identifier) @append (#eq? @append "append")) .)) @assign
"""

# Types that make a function a handler factory or middleware when they appear in its signature.
_HANDLER_TYPES = frozenset({
    "net/http.Handler", "net/http.HandlerFunc",
    "github.com/gin-gonic/gin.HandlerFunc",
    "github.com/labstack/echo/v4.HandlerFunc", "github.com/labstack/echo/v4.MiddlewareFunc",
    "github.com/labstack/echo.HandlerFunc", "github.com/labstack/echo.MiddlewareFunc",
    "github.com/gofiber/fiber/v2.Handler", "github.com/gofiber/fiber/v3.Handler",
})
_RELATIONAL = frozenset({"<", "<=", ">", ">="})


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file:
        return
    model = ctx.model
    reported: set[int] = set()
    for assign in captures.get("assign", []):
        left = assign.child_by_field_name("left")
        target = left.named_children[0] if left is not None and left.named_children else None
        if target is None or growth_append(ctx, assign, target) is None:
            continue
        literal = model.enclosing_function(assign)
        if literal is None or literal.kind != "literal":
            continue
        binding = model.resolve(target)
        if binding.kind not in ("local", "param") or binding.decl is None or binding.function is None:
            continue
        owner = binding.function
        if binding.decl.start_byte in reported or owner.node == literal.node:
            continue
        top = _outermost_literal_below(literal, owner)
        if top is None:
            continue
        chain = _chain(literal, owner)
        handler = any(is_handler(fn) or _is_middleware(fn) for fn in chain)
        lifetime = _lifetime(ctx, top.node, owner, handler)
        if lifetime is None:
            continue
        if lifetime == "goroutine" and not _in_endless_loop(ctx, assign, top):
            continue
        if _bounded(ctx, binding.decl, owner, top):
            continue
        reported.add(binding.decl.start_byte)
        name = ctx.source.text(target)
        creator = owner.name if owner.kind != "literal" else "the enclosing function"
        if handler:
            level, how = Severity.ERROR, "a handler that outlives it, so the slice grows with every request"
        elif lifetime == "goroutine" and _parks_when_done(ctx, assign, top, owner):
            level, how = Severity.NOTE, ("a goroutine looping forever on receives from a channel the function makes and "
                                         "never closes: the slice grows only while the call's senders send, then the "
                                         "goroutine parks for good and keeps it (its own finding, a goroutine without an exit)")
        elif lifetime == "goroutine":
            level, how = Severity.WARNING, "a goroutine looping forever, so the slice grows on every iteration"
        else:
            level, how = Severity.NOTE, f"a closure that is {lifetime} and may be called for as long as it lives"
        yield ctx.finding(
            RULE,
            assign,
            f"`{name}` is captured from {creator} and appended to by {how}; nothing truncates or resets it",
            fix=f"do not keep per-call data in `{name}`: hand each value on (log, metric, channel), or "
            f"bound it (`{name} = {name}[:0]` after use, a fixed-size window or ring buffer)",
            severity=level,
            repeats="loop" if lifetime == "goroutine" else "",  # an endless loop: it grows even in a goroutine started once
        )


def _outermost_literal_below(literal: Function, owner: Function) -> Function | None:
    """The literal directly inside `owner` that contains `literal` (or `literal` itself)."""
    function = literal
    while function.parent is not None and function.parent.node != owner.node:
        function = function.parent
    return function if function.parent is not None else None


def _chain(literal: Function, owner: Function) -> list[Function]:
    chain = []
    function: Function | None = literal
    while function is not None and function.node != owner.node:
        chain.append(function)
        function = function.parent
    return chain


def _is_middleware(function: Function) -> bool:
    """`func(next http.Handler) http.Handler`, `func(next echo.HandlerFunc) echo.HandlerFunc`, ..."""
    return any(p.type in _HANDLER_TYPES for p in function.results) and (
        function.kind == "literal" or any(p.type in _HANDLER_TYPES for p in function.params)
    )


def _lifetime(ctx: FileContext, node: Node, owner: Function, handler: bool, depth: int = 0) -> str | None:
    """How the closure `node` (or a value holding it) outlives `owner`, or None if it does not."""
    model = ctx.model
    current = node
    while True:
        parent = current.parent
        if parent is None:
            return None
        kind = parent.type
        if kind in ("parenthesized_expression", "literal_element", "keyed_element", "literal_value",
                    "composite_literal", "unary_expression"):
            current = parent  # a struct, slice or map literal holding the closure
            continue
        if kind == "argument_list":
            call = parent.parent
            if not handler or call is None:
                return None  # a callback the callee runs while the call lasts
            function = call.child_by_field_name("function")
            text = ctx.source.text(function) if function is not None else ""
            if text.endswith("HandlerFunc") or (model.qualified(call) or "").endswith(".HandlerFunc"):
                current = call  # a conversion: follow the converted value
                continue
            return "registered with a router"
        if kind == "call_expression" and parent.child_by_field_name("function") == current:
            holder = parent.parent
            return "goroutine" if holder is not None and holder.type == "go_statement" else None
        if kind == "expression_list":
            statement = parent.parent
            if statement is None:
                return None
            if statement.type == "return_statement":
                return "returned"
            if statement.type in ("assignment_statement", "short_var_declaration") and statement.child_by_field_name("right") == parent:
                index = next((i for i, n in enumerate(parent.named_children) if n == current), -1)
                left = statement.child_by_field_name("left")
                if left is None or index < 0 or index >= left.named_child_count:
                    return None
                return _stored_in(ctx, left.named_children[index], owner, handler, depth)
            return None
        if kind == "var_spec":
            names = parent.children_by_field_name("name")
            return _stored_in(ctx, names[0], owner, handler, depth) if len(names) == 1 else None
        return None


def _stored_in(ctx: FileContext, target: Node, owner: Function, handler: bool, depth: int) -> str | None:
    if target.type in ("selector_expression", "index_expression"):
        return "stored in a field or map"
    if target.type != "identifier":
        return None
    binding = ctx.model.resolve(target)
    if binding.kind == "package":
        return "stored in a package variable"
    if binding.kind != "local" or binding.decl is None or depth >= 1:
        return None
    # `h := func(...) {...}` then `return h` / `mux.HandleFunc("/", h)`: follow the alias once.
    for ref in ctx.model.references(binding.decl, within=owner.node):
        if ref.start_byte == target.start_byte:
            continue
        lifetime = _lifetime(ctx, ref, owner, handler, depth + 1)
        if lifetime is not None:
            return lifetime
    return None


def _in_endless_loop(ctx: FileContext, assign: Node, top: Function) -> bool:
    """An append inside an endless loop (`for {}`, `for range ticker.C` / `time.Tick(...)`) within
    the goroutine, with no way out of the loop (return, break, goto): a worker that stops on
    cancellation or when its work runs out hands its result back, which is the fan-in pattern,
    not a leak."""
    model = ctx.model
    node = assign.parent
    while node is not None and node != top.node:
        if node.type == "for_statement":
            function = model.enclosing_function(node)
            cfg = function.cfg if function is not None else None
            loop = cfg.loop(node) if cfg is not None else None
            if loop is None or cfg.can_leave(node):
                return False
            if loop.endless:
                return True
        node = node.parent
    return False


def _parks_when_done(ctx: FileContext, assign: Node, top: Function, owner: Function) -> bool:
    """A call's collector (`results := make(chan T)`; `go func() { for { v := <-results; s =
    append(s, v) } }()`): the goroutine's loop waits only on receives from channels its creator makes
    and never closes, so once the creator's senders are done it parks for good (GL103's finding) and
    the slice stops growing with the call. A channel it closes is read as zero values without end."""
    loop = assign.parent
    while loop is not None and loop != top.node and loop.type != "for_statement":
        loop = loop.parent
    body = loop.child_by_field_name("body") if loop is not None and loop.type == "for_statement" else None
    if body is None:
        return False
    source = ctx.source
    receives = query_captures('(unary_expression operator: "<-" operand: (_) @channel)', body).get("channel", [])
    if not receives or source.data.find(b"time.", body.start_byte, body.end_byte) != -1:
        return False  # nothing to wait on, or a timer or ticker that keeps the loop going
    owner_text = source.data[owner.node.start_byte:owner.node.end_byte]
    for channel in receives:
        if channel.type != "identifier":
            return False
        binding = ctx.model.resolve(channel)
        if binding.kind != "local" or binding.function is not owner or binding.decl is None:
            return False
        made = single_initialiser(binding.decl)
        callee = made.child_by_field_name("function") if made is not None and made.type == "call_expression" else None
        if callee is None or source.text(callee) != "make":
            return False
        name = re.escape(channel.text)
        if re.search(rb"\bclose\(\s*" + name + rb"\s*\)", owner_text) or \
                re.search(rb"(?<![\w.])" + name + rb"\s*(?:,\s*\w+\s*)*=[^=]", owner_text):
            return False  # closed, or given another channel
    return True


def _bounded(ctx: FileContext, decl: Node, owner: Function, top: Function) -> bool:
    """Anything but growth that writes the slice after the closure exists, its address taken, or a
    `len(s)` bound inside a closure."""
    model = ctx.model
    for ref in model.references(decl, within=owner.node):
        parent = ref.parent
        in_closure = _inside_literal(ref, owner)
        if parent is not None and parent.type == "unary_expression" and ctx.source.text(parent).startswith("&"):
            return True
        if parent is not None and parent.type == "expression_list":
            statement = parent.parent
            if statement is not None and statement.type == "assignment_statement" and statement.child_by_field_name("left") == parent:
                if growth_append(ctx, statement, ref) is None and (in_closure or ref.start_byte > top.node.start_byte):
                    return True
                continue
        if in_closure and parent is not None and parent.type == "argument_list":
            call = parent.parent
            function = call.child_by_field_name("function") if call is not None else None
            comparison = call.parent if call is not None else None
            if function is not None and ctx.source.text(function) == "len" and comparison is not None \
                    and comparison.type == "binary_expression":
                operator = comparison.child_by_field_name("operator")
                if operator is not None and operator.type in _RELATIONAL:
                    return True
    return False


def _inside_literal(node: Node, owner: Function) -> bool:
    current = node.parent
    while current is not None and current != owner.node:
        if current.type in FUNCTION_TYPES:
            return True
        current = current.parent
    return False
