"""GL302 request-outlives-handler."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint import frameworks as fw
from goleaklint.cfg import UNCANCELLABLE
from goleaklint.context import FileContext
from goleaklint.model import FileModel, Function
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures
from goleaklint.structs import field_type
from goleaklint.patterns import LazyPattern

RULE = Rule(
    id="GL302",
    slug="request-outlives-handler",
    title="a request, its writer, its body or a framework context is stored where it outlives the handler",
    severity=Severity.WARNING,
    tags=("memory-leak", "correctness"),
    # Measured on held-out codebases (docs/ecosystem.md): 1 of 5, low, until batch 74's 8 of 8 (one web
    # app's shared handler object storing each request's gin context) made it 9 of 14, medium; batch
    # 246's 0 of 20 (one comic site's handlers storing their echo context in an exported field of a
    # controller made once, which nothing reads) made it 25 of 61, low.
    precision="low",
    docs=Docs(
        what="Finds a request value (the `*http.Request`, `http.ResponseWriter` or request body of a "
        "server handler; gin's `*gin.Context`, `c.Request`, `c.Request.Body`, `c.Writer`; echo's "
        "`echo.Context`, `c.Request()`, `c.Response()`; fiber's `*fiber.Ctx`, `c.Context()`; fasthttp's "
        "`*fasthttp.RequestCtx`; or a local set from one of them) that is stored where it outlives the "
        "request: assigned to a package-level variable, into a package-level map or slice (also through "
        "`append` or a struct literal, or `Store`/`LoadOrStore`/`Swap` on a `sync.Map` or an atomic value; a `Store` method "
        "of another declared type, such as a service interface, handles the value and returns), "
        "into a field of the receiver of a handler method (the receiver is the long-lived handler), sent "
        "on a channel that was not made in the same function, or put in "
        "`context.WithValue(context.Background()/TODO(), key, value)`.",
        why="A stored request keeps its headers, form, body buffers and everything the handler "
        "attached to it alive until it is overwritten or deleted; a registry of them grows with "
        "traffic. Pooled framework contexts are worse: gin, echo and fiber hand the same object to the "
        "next request, so whoever reads the stored context later sees a different request, and the "
        "writer or body is already finished or closed.",
        example="""var lastRequest *http.Request

func handle(w http.ResponseWriter, r *http.Request) {
    lastRequest = r // the whole request stays reachable until the next one
    ...
}""",
        use_instead="""var lastPath atomic.Value

func handle(w http.ResponseWriter, r *http.Request) {
    lastPath.Store(r.URL.Path) // keep the values you need, not the request
    ...
}""",
        limits="A `context.WithValue(context.Background(), k, r)` only handed to a call while the handler runs "
        "(`hub.Report(context.WithValue(…), err)`, or a local whose every use is such an argument) is a note: it "
        "outlives the handler only if the callee keeps the context, which is not followed; `go f(ctx)`, a goroutine "
        "that uses it, or any other use keeps the warning. "
        "Not reported: a request kept only in a keyed field of a struct literal that no file of the "
        "package ever selects (`outbox <- &queued{text: t, owner: c}` for a consumer that reads `text` "
        "only; any `.owner` anywhere, on any type, keeps the finding), and likewise a store into an "
        "unexported field that the package only ever assigns (`s.ctx = c` with no `.ctx` read, compared "
        "or indexed in any non-test file): nothing uses the request after the handler, and the next "
        "request's store replaces it. An exported field that the package only assigns is a note when no "
        "other package of the module writes its name after a dot either (`h.Ctx = c` in a program's "
        "module that never reads `.Ctx`); in a module with no main package it is the module's API and "
        "stays reported; "
        "a value stored and removed again in the same function (`delete` of the "
        "same map, `Delete` on the same `sync.Map`, or the same variable set again), which is how "
        "server-sent-events handlers keep a writer only while the connection lasts; a send followed "
        "by a receive in the same function (the handler waits for the worker); stores into locals and "
        "into fields of values other than the handler's receiver (often per-request wrappers); stores "
        "into a field of a handler method's *value* receiver (`func (e API) List(c *gin.Context) { "
        "e.Context = c }`), which sets a field of the call's own copy, also through a pointer field of "
        "that copy (`e.shared.last = c`), since the field's type is not looked up: only a store into a "
        "map or slice the copy shares (`e.byID[k] = c`) is reported; stores into a field of the receiver "
        "when the package takes values of the receiver's type out of a pool (`p.Get().(*Handle)`): like "
        "gin's Context, it is handed to one request at a time and set up for it; values "
        "derived from the request (`r.URL.Path`, `c.Copy()`, `r.Context()`, `r.Clone(ctx)`). A "
        "`*http.Request` counts only as a parameter of a server handler, since clients build requests "
        "too. Stores through helper functions are not followed. Test files are not checked: tests "
        "keep the request on purpose, to assert on it.",
        references=("https://pkg.go.dev/net/http#Handler", "https://pkg.go.dev/context#WithValue"),
    ),
)

REQUIRES_IMPORTS = frozenset({fw.HTTP, fw.GIN, fw.FASTHTTP, *fw.ECHO_PATHS, *fw.FIBER_PATHS})
QUERY = """
(assignment_statement) @assign
(send_statement) @send
"""
METHOD_CALLS = frozenset({"WithValue", "Store", "LoadOrStore", "Swap"})

_DELETES = """
(call_expression function: (identifier) @f (#eq? @f "delete") arguments: (argument_list . (_) @target))
(call_expression function: (selector_expression operand: (_) @target field: (field_identifier) @m
  (#match? @m "^(Delete|LoadAndDelete|CompareAndDelete)$")))
(assignment_statement left: (expression_list . (_) @target))
(unary_expression operator: "<-") @receive
"""


# Every request value is reached from a parameter of a request type (`r *http.Request`, `c
# *gin.Context`, `c echo.Context`, `ctx *fasthttp.RequestCtx`) of the function that stores it or of
# one around it; each of those type names holds one of these words.
_REQUEST_PARAM_WORDS = LazyPattern(rb"Request|Writer|Context|Ctx")


def _may_hold_request(model: FileModel, node: Node, known: dict[int, bool]) -> bool:
    """Whether a function around `node` takes a parameter whose type can be a request's: most
    assignments and sends are in functions that take none, and then no value they store needs
    resolving."""
    function = model.enclosing_function(node)
    if function is None:
        return False
    answer = known.get(function.node.id)
    if answer is None:
        data = model.source.data
        answer = False
        scope = function
        while scope is not None and not answer:
            params = scope.node.child_by_field_name("parameters")
            answer = params is not None and \
                _REQUEST_PARAM_WORDS.search(data, params.start_byte, params.end_byte) is not None
            scope = scope.parent
        known[function.node.id] = answer
    return answer


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file:
        return  # test handlers keep the request on purpose, to assert on it
    model = ctx.model
    known: dict[int, bool] = {}
    read = _field_reads(ctx)
    used = _field_uses(ctx)
    pooled = _pooled_types(ctx)
    for assign in captures.get("assign", []):
        if not _may_hold_request(model, assign, known):
            continue
        left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        if left is None or right is None or left.named_child_count != right.named_child_count:
            continue
        for target, value_expr in zip(left.named_children, right.named_children):
            value = _stored_value(model, value_expr, target, read)
            if value is None:
                continue
            place = _long_lived(model, target, assign, pooled)
            if place is None or _released_later(model, assign, target):
                continue
            unread = _unread_field(model, target, used)
            if unread is not None and not unread[:1].isupper():
                continue
            yield _finding(ctx, assign, value, f"stored in {place}", fields=(unread,) if unread else ())
    for send in captures.get("send", []):
        if not _may_hold_request(model, send, known):
            continue
        value = _stored_value(model, send.child_by_field_name("value"), None, read)
        channel = send.child_by_field_name("channel")
        if value is None or channel is None or _local_channel(model, channel) or _receives_after(model, send):
            continue
        yield _finding(ctx, send, value, f"sent on channel `{_short(ctx, channel)}`, so it lives as long as its receiver keeps it")
    for call in captures.get("call", []):
        function = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        if function is None or args is None or not _may_hold_request(model, call, known):
            continue
        method = ctx.source.text(function.child_by_field_name("field"))
        values = args.named_children
        if method == "WithValue":
            if model.qualified(call) != "context.WithValue" or len(values) != 3:
                continue
            parent = model.qualified(values[0]) if values[0].type == "call_expression" else None
            value = _stored_value(model, values[2], None)
            if value is None or parent not in UNCANCELLABLE:
                continue
            callee = _synchronous_callee(ctx, call)
            if callee is not None:
                yield _finding(ctx, call, value, f"put in a context derived from {parent}(), which no request cancels, "
                               f"but only handed to {callee} while the handler runs", severity=Severity.NOTE,
                               after=f"it outlives the handler only if {callee} keeps the context")
                continue
            yield _finding(ctx, call, value, f"put in a context derived from {parent}(), which no request cancels")
        else:
            if not values:
                continue
            # sync.Map's Store(key, value); atomic.Value's and atomic.Pointer's Store(value).
            value = _stored_value(model, values[1] if len(values) > 1 else values[0], None)
            operand = function.child_by_field_name("operand")
            if value is not None and not _may_keep(model, operand):
                continue  # `ctrl.service.Store(c)`: a method of the module's own type, not a store
            place = _long_lived(model, operand, call, pooled) if value is not None else None
            if place is None or _released_later(model, call, operand):
                continue
            yield _finding(ctx, call, value, f"stored in {place} by {method}")


def _field_reads(ctx: FileContext):
    """`read(name)`: whether a non-test file of the package spells `.name` (a selector of that
    field, read or written, on any type), found by a byte search once per name."""
    return _package_spells(ctx, lambda name: rb"\.\s*" + re.escape(name.encode()) + rb"(?![\w])")


def _field_uses(ctx: FileContext):
    """`used(name)`: whether a non-test file of the package spells `.name` anywhere but as the
    target of a plain assignment (`x.name = v`): a read, a comparison, an index, an address taken."""
    return _package_spells(ctx, lambda name: rb"\.\s*" + re.escape(name.encode()) + rb"(?![\w])(?!\s*=(?!=))")


def _unread_field(model: FileModel, target: Node, used) -> str | None:
    """The field of `s.ctx = c` when the package only ever assigns it: nothing reads the request
    back, so the store keeps one request until the next overwrites it, and no later request sees
    it. An unexported one is not reported; an exported one may be read by other packages, which the
    module model checks (Finding.fields). A store into a map or slice field (`s.byID[k] = c`) reads
    the field."""
    if target.type != "selector_expression":
        return None
    field = target.child_by_field_name("field")
    name = model.source.text(field) if field is not None else ""
    return name if name and not used(name) else None


def _pooled_types(ctx: FileContext):
    """`pooled(type)`: whether a non-test file of the package takes values of the type out of a
    pool (`p.Get().(*Handle)`, `ctxPool.Get().(Context)`): the package hands one to each request
    and resets it, as gin does its Context, so a request stored in it is the request it serves."""
    return _package_spells(ctx, lambda name: rb"\.Get\(\)\s*\.\(\s*\*?\s*" + re.escape(name.encode()) + rb"\s*\)")


def _package_spells(ctx: FileContext, pattern_for):
    """A predicate on names: whether a non-test file of the package holds `pattern_for(name)`,
    searched in its bytes once per name."""
    files = [c for c in ctx.package.files if not c.is_test_file] if ctx.package is not None else [ctx]
    seen: dict[str, bool] = {}

    def spelt(name: str) -> bool:
        found = seen.get(name)
        if found is None:
            pattern = re.compile(pattern_for(name))
            found = seen[name] = any(pattern.search(c.source.data) for c in files)
        return found

    return spelt


def _may_keep(model: FileModel, operand: Node | None) -> bool:
    """The `Store`/`LoadOrStore`/`Swap` is of a type that keeps its value (sync.Map, atomic.Value,
    atomic.Pointer), or of one the file cannot tell: a receiver whose declared type is anything
    else (a service interface whose method is named `Store`) handles the value and returns."""
    if operand is None:
        return True
    if operand.type == "selector_expression":
        declared = field_type(model, operand)
    elif operand.type == "identifier":
        declared = model.declared_type(model.resolve(operand))
    else:
        return True
    if declared is None:
        return True
    declared = declared.lstrip("*")
    return declared.startswith(("sync.Map", "sync/atomic."))


def _synchronous_callee(ctx: FileContext, call: Node) -> str | None:
    """The call a context is only handed to while the handler runs: `f(context.WithValue(…))`, or a
    local `ctx := context.WithValue(…)` whose every use is an argument of such a call. None when it
    goes to a goroutine (`go f(ctx)`, a `go func` that uses it) or anywhere else."""
    def argument_of(node: Node) -> str | None:
        args = node.parent
        outer = args.parent if args is not None and args.type == "argument_list" else None
        if outer is None or outer.type != "call_expression":
            return None
        statement = outer.parent
        if statement is not None and statement.type == "go_statement":
            return None
        if outer.child_by_field_name("function").type == "identifier" and \
                outer.child_by_field_name("function").text in (b"append", b"copy", b"panic"):
            return None  # stored with the slice, or carried by the panic
        inner = ctx.model.enclosing_function(node)
        if inner is not None and inner.node.type == "func_literal" and inner.node.parent is not None \
                and inner.node.parent.type == "call_expression" and inner.node.parent.parent is not None \
                and inner.node.parent.parent.type == "go_statement":
            return None
        return ctx.source.text(outer.child_by_field_name("function"))

    direct = argument_of(call)
    if direct is not None:
        return f"`{direct}`"
    statement = call.parent.parent if call.parent is not None and call.parent.type == "expression_list" else None
    if statement is None or statement.type != "short_var_declaration":
        return None
    left = statement.child_by_field_name("left")
    names = left.named_children if left is not None else []
    if len(names) != 1 or names[0].type != "identifier":
        return None
    function = ctx.model.enclosing_function(statement)
    uses = ctx.model.references(names[0], within=function.node) if function is not None else []
    callees = [argument_of(use) for use in uses if use != names[0]]
    if not callees or None in callees:
        return None
    return ", ".join(f"`{c}`" for c in dict.fromkeys(callees))


def _finding(ctx: FileContext, node: Node, value: fw.RequestValue, where: str,
             severity: Severity | None = None, after: str = "", fields: tuple[str, ...] = ()) -> Finding:
    name = ctx.source.text(value.node)
    severity = severity or (Severity.ERROR if value.pooled else None)
    after = after or (
        "the framework hands it to the next request once the handler returns"
        if value.pooled
        else "it keeps the request's buffers alive after the handler returns"
    )
    return ctx.finding(
        RULE, node,
        f"{fw.describe(value.kind)} `{name}` is {where}: {after}",
        fix="store the values you need (path, IDs, headers) instead of the request, or remove it before the handler returns",
        severity=severity,
        fields=fields,
    )


def _short(ctx: FileContext, node: Node) -> str:
    text = ctx.source.text(node)
    return text if len(text) <= 40 else text[:37] + "..."


def _stored_value(model: FileModel, expr: Node | None, target: Node | None, read=None) -> fw.RequestValue | None:
    """The request value `expr` stores: itself, an element of `append(x, …)`, or a value of a struct
    literal. `read(name)`: whether the package ever reads a field of that name (`m.ctx`); a request
    kept only in a keyed field nothing reads (`&Message{ctx: c}` for a consumer that uses the other
    fields) is never used after the handler, so it is not counted."""
    if expr is None:
        return None
    found = fw.request_value(model, expr)
    if found is not None:
        return found
    if expr.type == "unary_expression" and expr.named_child_count == 1 and model.source.text(expr).startswith("&"):
        expr = expr.named_children[0]
    if expr.type == "call_expression":
        function = expr.child_by_field_name("function")
        args = expr.child_by_field_name("arguments")
        if function is not None and model.source.text(function) == "append" and args is not None:
            for arg in args.named_children[1:]:
                found = _stored_value(model, arg, None, read)
                if found is not None:
                    return found
        return None
    if expr.type == "composite_literal":
        body = expr.child_by_field_name("body")
        for element in body.named_children if body is not None else []:
            item = element
            if element.type == "keyed_element":
                key = element.named_children[0] if element.named_children else None
                if key is not None and key.type == "literal_element" and key.named_child_count == 1:
                    key = key.named_children[0]
                if read is not None and key is not None and key.type in ("identifier", "field_identifier") \
                        and not read(model.source.text(key)):
                    continue
                item = element.named_children[-1] if element.named_children else None
            if item is not None and item.type == "literal_element" and item.named_child_count == 1:
                item = item.named_children[0]
            found = fw.request_value(model, item) if item is not None else None
            if found is not None:
                return found
    return None


def _root(node: Node | None) -> Node | None:
    """`s` for `s.a.b[k]`, `m` for `m[k]`."""
    while node is not None:
        if node.type == "identifier":
            return node
        if node.type == "selector_expression":
            node = node.child_by_field_name("operand")
        elif node.type == "index_expression":
            node = node.child_by_field_name("operand")
        elif node.type == "parenthesized_expression" and node.named_child_count == 1:
            node = node.named_children[0]
        else:
            return None
    return None


def _long_lived(model: FileModel, target: Node | None, at: Node, pooled=None) -> str | None:
    """Where `target` lives, if longer than one request: a package variable or a handler's receiver
    (not one of a type the package takes out of a pool per request: `pooled`, _pooled_types)."""
    root = _root(target)
    if root is None:
        return None
    name = model.source.text(root)
    binding = model.resolve(root)
    if binding.kind == "package":
        if binding.decl is not None and binding.decl.parent is not None and binding.decl.parent.type != "var_spec":
            return None  # a function or a type, not a variable
        what = "package-level map" if target.type == "index_expression" else "package-level variable"
        return f"{what} `{name}`" if target.type != "selector_expression" else f"a field of package-level `{name}`"
    if binding.kind == "receiver" and target.type in ("selector_expression", "index_expression") and target.id != root.id:
        handler = fw.enclosing_handler(model, at)
        if handler is None or not _long_lived_receiver(binding.function, handler):
            return None
        if binding.function is handler and _value_receiver(binding.function) and not _through_index(target, root):
            return None  # a field of the method's own copy of the receiver dies with the call
        receiver = binding.function.receiver if binding.function is not None else None
        if pooled is not None and receiver is not None and pooled(receiver.type.lstrip("*").partition("[")[0]):
            return None  # a pooled per-request context, set up for the request it serves
        return f"field `{model.source.text(target)}` of the long-lived `{name}`"
    return None


def _value_receiver(owner: Function) -> bool:
    return owner.receiver is not None and not owner.receiver.type.startswith("*")


def _through_index(target: Node, root: Node) -> bool:
    """`e.m[k]`: the store goes into a map (or slice) the copy shares with the original."""
    node = target
    while node is not None and node.id != root.id:
        if node.type == "index_expression":
            return True
        node = node.child_by_field_name("operand") if node.type != "parenthesized_expression" else node.named_children[0]
    return False


_PER_REQUEST_METHODS = LazyPattern(r"(?i)^(reset|init|initiali[sz]e|setup|acquire|release|renew|prepare|wrap|new|set|with|bind|attach)")


def _long_lived_receiver(owner: Function | None, handler: Function) -> bool:
    """The receiver outlives the request when its method is the handler a router calls (`ServeHTTP`,
    `(h *H) List(c *gin.Context)`), or when the store sits in a literal handler that a method of the
    receiver registers. A method with a handler's parameters but another role (`Reset(r, w)` on a
    pooled context, `init(c)` of a per-request wrapper) is about a per-request object."""
    if owner is None:
        return False
    if owner is not handler:
        return handler.kind == "literal" and fw.has_handler_signature(handler)
    name = owner.name.rsplit(".", 1)[-1]
    return fw.has_handler_signature(owner) and not _PER_REQUEST_METHODS.match(name)


def _released_later(model: FileModel, store: Node, target: Node | None) -> bool:
    """The same place is cleared again in this function: `delete(m, k)`, `m.Delete(k)`, `v = nil`."""
    function = model.enclosing_function(store)
    if function is None or function.body is None or target is None:
        return False
    map_text = model.source.text(target.child_by_field_name("operand")) if target.type == "index_expression" else None
    wanted = {model.source.text(target)} | ({map_text} if map_text else set())
    for node in query_captures(_DELETES, function.body).get("target", []):
        if node.start_byte == target.start_byte:
            continue
        if model.source.text(node) in wanted:
            return True
    return False


def _local_channel(model: FileModel, channel: Node) -> bool:
    if channel.type != "identifier":
        return False
    binding = model.resolve(channel)
    return binding.kind == "local" and binding.function is not None and binding.function.contains(channel)


def _receives_after(model: FileModel, send: Node) -> bool:
    function: Function | None = model.enclosing_function(send)
    if function is None or function.body is None:
        return False
    for receive in query_captures(_DELETES, function.body).get("receive", []):
        if receive.start_byte > send.end_byte and model.enclosing_function(receive) is function:
            return True
    return False
