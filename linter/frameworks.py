"""Knowing a request handler and its request values when we see them.

A value that belongs to one HTTP request (the request, its writer, a framework context) must not
outlive the handler: frameworks recycle them (gin pools `*gin.Context`, echo pools its context,
fiber and fasthttp reuse `*fiber.Ctx` / `*fasthttp.RequestCtx`), net/http closes the request body
and finishes the response when the handler returns, and keeping any of them alive keeps the
request's buffers alive. Types here are import-resolved, as `FileModel.type_text` writes them.

What counts as a handler is decided by its parameter types, so a handler is recognised however it
is registered: a declared function or method (`ServeHTTP` included), a literal converted with
`http.HandlerFunc(func…)`, a literal passed to `http.HandleFunc`, `mux.HandleFunc`, a chi or gin
router, or returned by a middleware factory. Go gives every parameter of a literal a written type,
and types are resolved through imports, so aliases (`nethttp "net/http"`) are honoured.
"""

from __future__ import annotations

from dataclasses import dataclass

from tree_sitter import Node

from .model import FileModel, Function, Param, declared_value, parameter_index, single_initialiser
from .patterns import LazyPattern

HTTP = "net/http"
GIN = "github.com/gin-gonic/gin"
ECHO_PATHS = ("github.com/labstack/echo/v4", "github.com/labstack/echo", "github.com/labstack/echo/v5")
FIBER_PATHS = ("github.com/gofiber/fiber/v2", "github.com/gofiber/fiber/v3", "github.com/gofiber/fiber")
FASTHTTP = "github.com/valyala/fasthttp"

# The kinds of request value. `pooled` ones are handed to the next request once the handler
# returns: using one later reads or writes someone else's request.
GIN_CONTEXT = "*gin.Context"
ECHO_CONTEXT = "echo.Context"
FIBER_CTX = "*fiber.Ctx"
FASTHTTP_CTX = "*fasthttp.RequestCtx"
FASTHTTP_MESSAGE = "fasthttp request/response"
HTTP_REQUEST = "*http.Request"
RESPONSE_WRITER = "http.ResponseWriter"
REQUEST_BODY = "request body"

POOLED_KINDS = frozenset({GIN_CONTEXT, ECHO_CONTEXT, FIBER_CTX, FASTHTTP_CTX, FASTHTTP_MESSAGE})

_TYPE_KINDS: dict[str, str] = {
    f"*{HTTP}.Request": HTTP_REQUEST,
    f"{HTTP}.ResponseWriter": RESPONSE_WRITER,
    f"*{GIN}.Context": GIN_CONTEXT,
    f"*{FASTHTTP}.RequestCtx": FASTHTTP_CTX,
    **{f"{p}.Context": ECHO_CONTEXT for p in ECHO_PATHS},
    f"*{ECHO_PATHS[2]}.Context": ECHO_CONTEXT,  # echo v5 made Context a struct
    **{f"*{p}.Ctx": FIBER_CTX for p in FIBER_PATHS},
    **{f"{p}.Ctx": FIBER_CTX for p in FIBER_PATHS},  # fiber v3's Ctx is an interface
}

REQUEST_TYPES = frozenset(_TYPE_KINDS)

# Framework contexts: a function taking one of these is a handler (or runs on behalf of one).
CONTEXT_TYPES = frozenset(t for t, k in _TYPE_KINDS.items() if k not in (HTTP_REQUEST, RESPONSE_WRITER))

# What a middleware factory returns: the returned literal is a handler that lives as long as the router.
MIDDLEWARE_RESULT_TYPES = frozenset(
    {f"{GIN}.HandlerFunc", f"{HTTP}.Handler", f"{HTTP}.HandlerFunc"}
    | {f"{p}.MiddlewareFunc" for p in ECHO_PATHS}
    | {f"{p}.HandlerFunc" for p in ECHO_PATHS}
    | {f"{p}.Handler" for p in FIBER_PATHS}
    | {f"{FASTHTTP}.RequestHandler"}
)


# `func(http.Handler) http.Handler`, as type_text writes it (spaces gone, a parameter name glued on).
_HANDLER_WRAPPER = LazyPattern(r"func\((?:[A-Za-z_]\w*)?net/http\.Handler\)net/http\.Handler")


def is_request_type(type_text: str) -> bool:
    return type_text in REQUEST_TYPES


def request_kind(type_text: str) -> str | None:
    """The kind of request value a parameter of this (import-resolved) type holds, if any."""
    return _TYPE_KINDS.get(type_text)


def request_params(function: Function) -> list[Param]:
    """The parameters of `function` that hold request-scoped values. A client's side of a request
    is not one: an `*http.Request` of a function that also takes its `*http.Response`
    (`checkServerTime(req, resp)`) or of a `RoundTrip` method is a request this process sends."""
    params = [p for p in function.params if p.name and p.name != "_" and is_request_type(p.type)]
    if params and _client_side(function):
        params = [p for p in params if p.type != f"*{HTTP}.Request"]
    return params


def _client_side(function: Function) -> bool:
    return function.name.rsplit(".", 1)[-1] == "RoundTrip" or any(p.type == f"*{HTTP}.Response" for p in function.params)


def is_handler(function: Function) -> bool:
    """A net/http handler (`(http.ResponseWriter, *http.Request)`, also as ServeHTTP) or a
    framework handler taking a gin/echo/fiber/fasthttp context."""
    types = [p.type for p in function.params]
    if f"{HTTP}.ResponseWriter" in types and f"*{HTTP}.Request" in types:
        return True
    return any(t in CONTEXT_TYPES for t in types)


# Route registration methods of net/http, gin, echo, chi, gorilla/mux, fiber, httprouter.
ROUTE_METHODS = frozenset(b"GET POST PUT PATCH DELETE Any Handle HandleFunc Get Post Put Patch Delete Match Add "
                          b"Method MethodFunc".split())


def is_routed_adapter(function: Function) -> bool:
    """A literal that takes the incoming `*http.Request` in a signature of the program's own, which
    an adapter turns into a route's handler as it is registered: `mux.Handle("/x", makeAPI("x",
    func(req *http.Request, u *User) response {…}))`. It runs per request, on the incoming request,
    although no router calls it directly. A literal handed to anything else that takes a request (a
    hook on outgoing requests) is not one."""
    if function.kind != "literal":
        return False
    args = function.node.parent
    maker = args.parent if args is not None and args.type == "argument_list" else None
    outer = maker.parent if maker is not None and maker.type == "call_expression" else None
    route = outer.parent if outer is not None and outer.type == "argument_list" else None
    selector = route.child_by_field_name("function") if route is not None and route.type == "call_expression" else None
    if selector is None or selector.type != "selector_expression":
        return False
    field = selector.child_by_field_name("field")
    return field is not None and field.text in ROUTE_METHODS and \
        any(p.type == f"*{HTTP}.Request" for p in function.params)


def has_handler_signature(function: Function) -> bool:
    """Exactly the shape a router calls: `(http.ResponseWriter, *http.Request)`, `(*gin.Context)`,
    `(echo.Context) error`, `(*fiber.Ctx) error`, `(*fasthttp.RequestCtx)`. Narrower than
    `is_handler`, which also accepts helpers that take a context among other parameters."""
    types = [p.type for p in function.params]
    results = [r.type for r in function.results]
    if results not in ([], ["error"]):
        return False
    if types == [f"{HTTP}.ResponseWriter", f"*{HTTP}.Request"]:
        return not results
    return len(types) == 1 and types[0] in CONTEXT_TYPES


def is_middleware_factory(function: Function) -> bool:
    """A function that returns a handler or a handler wrapper: `gin.HandlerFunc`,
    `func(http.Handler) http.Handler`, `http.Handler`, echo's `MiddlewareFunc`, fiber's `Handler`."""
    return any(r.type in MIDDLEWARE_RESULT_TYPES or _HANDLER_WRAPPER.fullmatch(r.type) for r in function.results)


def enclosing_handler(model: FileModel, node: Node) -> Function | None:
    """The nearest function around `node` (itself a literal or not) that is a handler."""
    function = model.enclosing_function(node)
    while function is not None:
        if is_handler(function):
            return function
        function = function.parent
    return None


def _param_kind(function: Function, decl: Node) -> str | None:
    for param in function.params:
        if param.node is not None and param.node.start_byte == decl.start_byte:
            kind = request_kind(param.type)
            # `*http.Request` is also what an HTTP *client* builds and sends; only a server
            # handler's request belongs to a request's lifetime.
            if kind == HTTP_REQUEST and not is_handler(function):
                return None
            return kind
    return None


@dataclass(frozen=True)
class RequestValue:
    """An expression that evaluates to a value owned by the current request."""

    node: Node
    kind: str  # one of the kind constants above
    root: Node  # the identifier the value is reached from (`c` in `c.Request.Body`)

    @property
    def pooled(self) -> bool:
        return self.kind in POOLED_KINDS


def identifier_kind(model: FileModel, ident: Node, _depth: int = 0) -> str | None:
    """The request kind an identifier holds: a handler's request parameter, or a local set once
    from one (`req := c.Request`, `w := c.Writer`)."""
    binding = model.resolve(ident)
    if binding.decl is None or binding.function is None:
        return None
    if binding.kind == "param":
        return _param_kind(binding.function, binding.decl)
    if binding.kind != "local" or _depth > 2:
        return None
    value = single_initialiser(binding.decl)
    if value is None:
        return None
    found = request_value(model, value, _depth + 1)
    return found.kind if found is not None else None


# How one request value leads to another: (kind, field) for fields, (kind, method) for no-argument calls.
_FIELDS = {
    (GIN_CONTEXT, "Request"): HTTP_REQUEST,
    (GIN_CONTEXT, "Writer"): RESPONSE_WRITER,
    (HTTP_REQUEST, "Body"): REQUEST_BODY,
}
_METHODS = {
    (ECHO_CONTEXT, "Request"): HTTP_REQUEST,
    (ECHO_CONTEXT, "Response"): RESPONSE_WRITER,
    (FIBER_CTX, "Context"): FASTHTTP_CTX,
    (FIBER_CTX, "Request"): FASTHTTP_MESSAGE,
    (FIBER_CTX, "Response"): FASTHTTP_MESSAGE,
}
# fasthttp exposes the request and response of a RequestCtx as fields.
_FASTHTTP_FIELDS = {(FASTHTTP_CTX, "Request"): FASTHTTP_MESSAGE, (FASTHTTP_CTX, "Response"): FASTHTTP_MESSAGE}


def request_value(model: FileModel, expr: Node | None, _depth: int = 0) -> RequestValue | None:
    """`expr` as a request value: `r`, `w`, `c`, `c.Request`, `c.Request.Body`, `c.Writer`, `r.Body`,
    echo's `c.Request()`/`c.Response()`, fiber's `c.Context()`, `r.WithContext(ctx)`.

    Not request values: `c.Copy()` (gin's copy for goroutines), `r.Context()` (a context, cancelled
    with the request), `r.Clone(ctx)` (a deep copy), and anything read out of the request
    (`c.Param("id")`, `r.URL.Path`): copies the handler made on purpose.
    """
    if expr is None:
        return None
    if expr.type == "parenthesized_expression" and expr.named_child_count == 1:
        return request_value(model, expr.named_children[0], _depth)
    if expr.type == "unary_expression" and model.source.text(expr).startswith("*"):
        return None
    if expr.type == "identifier":
        kind = identifier_kind(model, expr, _depth)
        return RequestValue(expr, kind, expr) if kind else None
    if expr.type == "selector_expression":
        base = request_value(model, expr.child_by_field_name("operand"), _depth)
        field = expr.child_by_field_name("field")
        if base is None or field is None:
            return None
        name = model.source.text(field)
        kind = _FIELDS.get((base.kind, name)) or _FASTHTTP_FIELDS.get((base.kind, name))
        return RequestValue(expr, kind, base.root) if kind else None
    if expr.type == "call_expression":
        function = expr.child_by_field_name("function")
        args = expr.child_by_field_name("arguments")
        if function is None or function.type != "selector_expression":
            return None
        base = request_value(model, function.child_by_field_name("operand"), _depth)
        field = function.child_by_field_name("field")
        if base is None or field is None:
            return None
        name = model.source.text(field)
        if base.kind == HTTP_REQUEST and name == "WithContext":
            return RequestValue(expr, HTTP_REQUEST, base.root)  # a shallow copy: same body, same fields
        if base.kind == FIBER_CTX and _fiber_v3(model):
            if name == "Context":
                # v3's `c.Context()` is a context.Context of its own (context.Background() unless the
                # handler set one), which fiber's docs give goroutines
                return None
            if name == "RequestCtx" and args is not None and args.named_child_count == 0:
                return RequestValue(expr, FASTHTTP_CTX, base.root)  # v3's pooled fasthttp context
        if args is not None and args.named_child_count == 0 and (base.kind, name) in _METHODS:
            return RequestValue(expr, _METHODS[(base.kind, name)], base.root)
    return None


def _fiber_v3(model: FileModel) -> bool:
    """The file's fiber is v3 (it imports v3 and not v2), whose `c.Context()` is no fasthttp context."""
    paths = model.imported_paths
    return "github.com/gofiber/fiber/v3" in paths and "github.com/gofiber/fiber/v2" not in paths


def describe(kind: str) -> str:
    return {
        GIN_CONTEXT: "the gin context",
        ECHO_CONTEXT: "the echo context",
        FIBER_CTX: "the fiber context",
        FASTHTTP_CTX: "the fasthttp request context",
        FASTHTTP_MESSAGE: "the fasthttp request",
        HTTP_REQUEST: "the request",
        RESPONSE_WRITER: "the response writer",
        REQUEST_BODY: "the request body",
    }.get(kind, "a request value")


def request_decls(model: FileModel, function: Function) -> list[tuple[Node, str]]:
    """Identifiers declared by `function` that hold request values: its request parameters and
    locals set from them (`req := c.Request`), as (declaring identifier, kind)."""
    found: list[tuple[Node, str]] = []
    params = [(p.node, _param_kind(function, p.node)) for p in function.params if p.node is not None and p.name != "_"]
    found += [(node, kind) for node, kind in params if kind]
    if function.body is None:
        return found
    for decl, _ in list(found):
        for ref in model.references(decl, within=function.body):
            # `x := <expression built on ref>`: x is a request value if the whole right side is one.
            expr = ref
            while expr.parent is not None and expr.parent.type in ("selector_expression", "call_expression", "parenthesized_expression"):
                if expr.parent.type == "call_expression" and expr.parent.child_by_field_name("function") != expr:
                    break
                expr = expr.parent
            holder = expr.parent
            if holder is None or holder.type != "expression_list" or holder.parent is None:
                continue
            statement = holder.parent
            if statement.type != "short_var_declaration" or statement.child_by_field_name("right") != holder:
                continue
            if model.enclosing_function(statement) is not function:
                continue
            left = statement.child_by_field_name("left")
            if left is None or left.named_child_count != holder.named_child_count:
                continue
            index = [c.start_byte for c in holder.named_children].index(expr.start_byte)
            target = left.named_children[index]
            value = request_value(model, expr)
            if value is not None and target.type == "identifier" and model.source.text(target) != "_":
                found.append((target, value.kind))
    return found


def context_derivation(model: FileModel, expr: Node | None, *, any_call: bool = False):
    """The expressions a context comes from, outward: `(node, binding)` for `expr`, for the value a
    local holds (its declaration: `ctx, cancel := context.WithTimeout(parent, d)`), and for the
    first argument of each call that derives one (`context.…` calls; `any_call`: any call, since
    by Go's convention a function taking a context first and returning one derives it from that
    one). `binding` is the identifier's, None for other nodes. A few steps at most."""
    node = expr
    for _ in range(6):
        if node is None:
            return
        if node.type == "identifier":
            binding = model.resolve(node)
            yield node, binding
            if binding.kind != "local" or binding.decl is None:
                return
            node = declared_value(binding.decl)
            continue
        yield node, None
        if node.type != "call_expression":
            return
        arguments = node.child_by_field_name("arguments")
        if arguments is None or not arguments.named_child_count:
            return
        if not any_call:
            name = model.qualified(node)
            if name is None or not name.startswith("context."):
                return
        node = arguments.named_children[0]


def request_context(model: FileModel, expr: Node | None) -> bool:
    """`expr` is the request's context (`r.Context()`, `c.Request.Context()`, echo's
    `c.Request().Context()`) or derives from it through calls that take it first (`context.WithValue(
    r.Context(), k, v)`, `context.WithTimeout(r.Context(), d)`, also through a local they
    declare: by Go's convention a function taking
    a context first and returning one derives it from that one). The server cancels it when the
    handler returns, and that cancels every context derived from it."""
    for node, _ in context_derivation(model, expr, any_call=True):
        if node.type != "call_expression":
            continue
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        if function is not None and function.type == "selector_expression" and \
                function.child_by_field_name("field").text == b"Context" and arguments.named_child_count == 0:
            found = request_value(model, function.child_by_field_name("operand"))
            return found is not None and found.kind == HTTP_REQUEST
    return False


def context_parameter(model: FileModel, expr: Node | None) -> str:
    """`Name#i` when a context is the i-th parameter (typed `context.Context`) of the named function
    it is used in, directly or through contexts derived from it (`context.WithTimeout(ctx, d)`,
    also through a local they declare); "" otherwise. The module model knows whether every call of
    that function passes the incoming request's context there (linter/lifetime.py)."""
    for _, binding in context_derivation(model, expr):
        if binding is not None and binding.kind == "param":
            function = binding.function
            if function is None or function.kind == "literal" or binding.decl is None:
                return ""
            index = context_parameter_index(binding.decl)
            return f"{function.name}#{index}" if index is not None else ""
    return ""


def context_parameter_index(decl: Node) -> int | None:
    """The position of the parameter `decl` names when it is typed `context.Context` (by the
    type's text: read from the parameter list, not worked out for the whole function)."""
    declaration = decl.parent
    type_node = declaration.child_by_field_name("type") if declaration is not None else None
    if type_node is None or type_node.text != b"context.Context":
        return None
    return parameter_index(decl)
