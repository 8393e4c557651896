"""Which handlers are registered only behind authentication, or only behind a developer switch.

A route registration names its handler (`authed.POST("/items", api.Create)`, `mux.Handle("/x",
requireAuth(h))`); what stands in front of it decides who can reach the handler: middleware given
with the route, a route group made with middleware (`g := r.Group("/api", jwt.Auth())`) or given
it later (`g.Use(auth.Required())`), chi's `r.With(auth).Post(…)`, a wrapping call named for it.
The module model joins these per handler: one that every registration puts behind something named
for authentication is reached only by clients that authenticated, which lowers the risk of what a
public endpoint would make a finding (an unbounded body read).

Names decide, in the file that registers the route: a middleware called `Logger` in front of the
group does not count, one called `JWTAuth` or `RequireSession` does. A group handed to another
function, which registers the routes on its parameter (`func InitUserRouter(rg *gin.RouterGroup) {
rg.POST(…) }`), is followed through the module's calls of that function: when every call passes a
router with authentication in front (`private.Use(middleware.JWTAuth())` then
`InitUserRouter(private)`), or its own such parameter passed on, the routes are authenticated
(callgraph's passed_args "a"; the module model joins them, linter/lifetime.py).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tree_sitter import Node
from .frameworks import GIN, ROUTE_METHODS, is_handler
from .lengthbounds import length_bounded
from .model import block_statements, declared_value, parameter_index, single_initialiser
from .patterns import LazyPattern
from .switches import names_developer_switch

if TYPE_CHECKING:
    from .callgraph import _FileSummariser
    from .model import Function

# Route registration methods of net/http, gin, echo, chi, gorilla/mux, fiber, httprouter; and
# httprouter's `Handler(method, path, h)` and `HandlerFunc(method, path, h)`, taken with three
# arguments only (`http.HandlerFunc(h)` converts, `promhttp.Handler()` makes one).
_THREE_ARGUMENTS = frozenset(("Handler", "HandlerFunc"))
# Registrations that name the HTTP method first (echo's and fiber's `Add`, `Match`; chi's `Method`):
# a call with fewer than a method, a path and a handler is something else.
_METHOD_FIRST = frozenset(("Add", "Match", "Method", "MethodFunc"))
_ROUTE_CALL = LazyPattern(rb"\.(?:" + b"|".join(sorted(ROUTE_METHODS | {m.encode() for m in _THREE_ARGUMENTS})) + rb")[ \t]*\(")
# What authentication middleware is called: JWTAuth, RequireSession, casbin.Enforce, apiKeyGuard.
# Identity providers whose middleware is named for them: `keycloakMW`, `okta.Verify`, `cognitoJWT`.
AUTH_WORDS = LazyPattern(r"(?i)auth|jwt|token|session|login|permission|rbac|acl\b|casbin|api_?key|oauth|oidc|"
                        r"signin|guard|privilege|credential|require(?:user|admin|role)|admin_?only|"
                        r"admin_?(?:middleware|mw|check|required)|is_?admin\b|"
                        r"keycloak|okta|cognito|casdoor|zitadel")
_STRING = LazyPattern(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`')


# Authentication that lets anonymous clients through, by its name: `OptionalAuth()`,
# `GuestAuthenticateMiddleware`, `authOptional`, `AllowAnonymousJWT`, `JWTIfPresent`: the whole
# name goes, so no word of it counts.
_OPTIONAL_AUTH = LazyPattern(r"(?i)[a-z_]*(?:optional|guest|anonymous|lenient|if_?present)[a-z_]*")


def _middleware_text(summariser: "_FileSummariser", arg: Node) -> str:
    """What a middleware argument is named by: the function a call makes it with (`jwt.Auth()`),
    also through a local made by one (`md := middleware.AuthMiddleware(); r.Group("", md, log)`)."""
    made = _made_by(summariser, arg)
    if made is not None:
        arg = made
    return summariser.text(arg.child_by_field_name("function") if arg.type == "call_expression" else arg)


# Middleware that loads a session for every request and lets every client through, named for
# sessions all the same: gin-contrib's `sessions.Sessions("app", store)` (and `SessionsMany`),
# echo-contrib's `session.Middleware(store)`, scs's `manager.LoadAndSave`.
_SESSION_LOADING = LazyPattern(r"\bsessions?\.(?:Sessions|SessionsMany|Middleware)\b|\bLoadAndSave\b")


def authenticated(text: str) -> bool:
    """Code named for authentication, string literals (route paths) left out, and neither
    authentication named as letting anonymous clients through (`OptionalAuth`) nor a middleware
    that only loads sessions (`sessions.Sessions("app", store)`). While collect() works out a
    route's guard, the texts that say so go to _GUARD_LOG."""
    found = AUTH_WORDS.search(_auth_text(text)) is not None
    if found and _GUARD_LOG is not None:
        _GUARD_LOG.append(text)
    return found


def _auth_text(text: str) -> str:
    """`text` without string literals, authentication that lets anonymous clients through and
    session loading: what authenticated() and _guard_names() read names for authentication in."""
    return _SESSION_LOADING.sub("", _OPTIONAL_AUTH.sub("", _STRING.sub("", text)))


# The texts authenticated() found authentication in while one route's guard is worked out, or None.
_GUARD_LOG: list[str] | None = None
# `middleware.AuthSet`, `AuthSet`, `jwt.New(cfg).Handler`: a name, and what it is selected from
_GUARD_CHAIN = LazyPattern(r"(?<![\w.])[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*")


def _guard_names(summariser: "_FileSummariser", texts: list[str]) -> list[str]:
    """The names in `texts` that read as authentication: `import/path#Name` of a function of
    another package of the module or of a library, `#Name` of the file's package, `?` for a name
    selected from anything else (a variable, a call's result): what the module model asks whether it
    passes every request on."""
    names: list[str] = []
    imports = summariser.model.imports
    for text in texts:
        cleaned = _auth_text(text)
        for match in _GUARD_CHAIN.finditer(cleaned):
            parts = [part.strip() for part in match.group(0).split(".")]
            for position, part in enumerate(parts):
                if AUTH_WORDS.search(part) is None:
                    continue
                if position == 0 and len(parts) == 1:
                    names.append(f"#{part}")  # `AuthSet`: the package's own
                elif position == 1 and len(parts) == 2 and parts[0] in imports:
                    names.append(f"{imports[parts[0]]}#{part}")  # `middleware.AuthSet`
                else:
                    names.append("?")  # `authMw.Handle`, `jwt.New(cfg).Auth`: not a function of a package
        # `.Auth()` of a call's result (`jwt.New(cfg).Auth()`), after a `)`: not a chain of its own start
        for selected in re.findall(r"\)\s*\.\s*([A-Za-z_]\w*)", cleaned):
            if AUTH_WORDS.search(selected) is not None:
                names.append("?")
    return sorted(set(names))


AUTHENTICATED = 1  # something named for authentication stands in front of the route
DEVELOPER_SWITCH = 2  # the route exists only when a debug, test or demo switch is on
BODY_LIMIT = 4  # a middleware named for a body size limit stands in front of the route
MOUNTED = 8  # not a route: a middleware mounted with `.Use(…)` (collect_mounts)
# echo's `middleware.BodyLimit("2M")`, `limitBody(1 << 20)`, `MaxBytes(…)`, `RequestSizeLimiter`
_BODY_LIMIT = LazyPattern(r"(?i)body_?limit|limit_?(?:request_?)?body|max_?bytes|(?:request_?)?size_?limit")


def limits_body(text: str) -> bool:
    return _BODY_LIMIT.search(_STRING.sub("", text)) is not None
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_WORD_STARTS = frozenset(bytes([b]) for b in _WORD_BYTES)


def _handler_reference(summariser: "_FileSummariser", node: Node, function: "Function",
                       literals: dict[int, "Function"]) -> list | None:
    """What a handler or middleware given to a router names: a function of the module, a literal
    of the file, or the literals of a factory of the module that makes it (`DebugHandler(logger)`,
    or a local made by one: `h := DebugHandler(logger); r.Handle("/x", h)`). `literals` caches the
    file's func literals by start."""
    if node.type == "call_expression":
        return _factory_reference(summariser, node, function)
    if node.type == "func_literal":
        if not literals:
            literals.update((fn.node.start_byte, fn) for fn in summariser.model.functions if fn.kind == "literal")
        fn = literals.get(node.start_byte)
        return ["L", fn.name] if fn is not None else None
    if node.type not in ("identifier", "selector_expression"):
        return None
    ref = summariser._reference(node, function, called=False)
    if ref is None and node.type == "selector_expression":
        # a method value of a variable (`api.Create`, with `var api = handlers.API{}` at package
        # level) names the method a call would: it is only handed on, not called, here
        ref = summariser._reference(node, function, called=True)
    made = _made_by(summariser, node) if ref is None else None
    return _factory_reference(summariser, made, function) if made is not None else ref


def _factory_reference(summariser: "_FileSummariser", call: Node, function: "Function") -> list | None:
    """The function of the module a call makes its handler with, whose literals serve the route:
    a function (`DebugHandler(logger)`, `mw.Auth()`) or a method of a type of the module
    (`s.requireFeature()`, on a receiver or a variable whose type is known)."""
    ref = summariser._reference(call.child_by_field_name("function"), function, called=True)
    if ref is not None and ref[0] == "M" and summariser._module_type(ref[1]):
        return ref
    return ref if ref is not None and ref[0] in ("L", "I") else None


def method_call_at(root: Node, dot: int) -> tuple[Node, Node] | None:
    """(selector, call) of the method call `x.M(…)` whose `.M` starts at byte `dot`, or None when
    the match is not one (a comment, a string, a method value)."""
    field_node = root.named_descendant_for_byte_range(dot + 1, dot + 1)
    selector = field_node.parent if field_node is not None else None
    call = selector.parent if selector is not None else None
    if selector is None or selector.type != "selector_expression" or call is None \
            or call.type != "call_expression" or call.child_by_field_name("function") != selector:
        return None
    return selector, call


def _method_calls(summariser: "_FileSummariser", pattern: LazyPattern):
    """(selector, call, arguments, enclosing function) of each method call the pattern finds
    (`.POST(`, `.Use(`) inside a function of the file."""
    root, model = summariser.source.root, summariser.model
    for match in pattern.finditer(summariser.source.data):
        found = method_call_at(root, match.start())
        if found is None:
            continue
        selector, call = found
        args = call.child_by_field_name("arguments")
        function = model.enclosing_function(call)
        if args is not None and function is not None:
            yield selector, call, args, function


def collect(summariser: "_FileSummariser") -> None:
    """Append [handler reference, flags] to the summary for every route the file registers with a
    handler of the module: AUTHENTICATED, DEVELOPER_SWITCH, or 0 for a public route. A handler
    made by a call of the module (`r.GET("/x", DebugHandler(logger))`) is recorded by its maker,
    whose literals serve the route."""
    data = summariser.source.data
    if _ROUTE_CALL.search(data) is None:
        return
    literals: dict[int, "Function"] = {}  # the file's func literals by start, filled on first need
    known: dict[tuple, bool] = {}  # (router, function, test) -> guarded, and (…, function) -> called only under a switch: a file registers many routes from a few functions on a few routers
    for selector, call, args, function in _method_calls(summariser, _ROUTE_CALL):
        handlers: list[tuple[Node, bool]] = []  # (handler node, wrapped by something named for auth)
        others: list[Node] = []
        arguments = args.named_children
        verb = summariser.text(selector.child_by_field_name("field"))
        if len(arguments) != 3 and verb in _THREE_ARGUMENTS or len(arguments) < 3 and verb in _METHOD_FIRST:
            continue  # `wg.Add(1)`, a runner group's `g.Add("router", r.Run)`: no method, path and handler
        chained: list[tuple[Node, int]] = []  # middleware made between the path and the handler, by position
        for index, arg in enumerate(arguments):
            if arg.type in ("identifier", "selector_expression", "func_literal"):
                handlers.append((arg, False))
            elif arg.type == "call_expression":
                handlers.extend(_wrapped(summariser, arg, False, 0))
                # `r.GET("/x", DebugHandler(logger))`: the handler's position (right after the path,
                # or last), made by a function not named for authentication, is a handler factory
                made_by = summariser.text(arg.child_by_field_name("function"))
                if (index == 1 or index == len(arguments) - 1) and not authenticated(made_by):
                    handlers.append((arg, False))
                elif index > 1 and not authenticated(made_by):
                    # `authed.POST("/x", RequireScope(w), CheckOwner(), Create)`: a middleware of the
                    # route's chain, behind what the router and the arguments before it put in front
                    chained.append((arg, index))
                others.append(arg)  # middleware given with the route: `auth.Required(store)`
            else:
                others.append(arg)
        if not handlers:
            continue
        # Most matches are not routes (`cache.Get(k)`, `wg.Add(1)`) or hand on nothing of the
        # module: what stands in front of the router is worked out only for a handler that resolves.
        refs = []
        for node, wrapped in handlers:
            ref = _handler_reference(summariser, node, function, literals)
            if ref is not None:
                refs.append((ref, wrapped))
        links = []  # (reference, authenticated by an argument before it)
        for node, index in chained:
            ref = _handler_reference(summariser, node, function, literals)
            if ref is not None:
                links.append((ref, any(authenticated(summariser.text(before)) for before in arguments[1:index]
                                       if before.type == "call_expression")))
        if not refs and not links:
            continue
        # What is given with the route, the handlers it wraps left out: `wrap(controllers.Login)`
        # names no authentication, however the handler is called.
        given = [_without(summariser, o, [node for node, _ in handlers]) for o in others]
        global _GUARD_LOG
        _GUARD_LOG = []
        try:
            inline = any([authenticated(text) for text in given])  # every one, so each is logged
            operand = selector.child_by_field_name("operand")
            at = _registered_at(summariser, call)
            behind = _router_guarded(summariser, operand, function, authenticated, known, at) or inline
            guards = _guard_names(summariser, _GUARD_LOG) if behind else []
        finally:
            _GUARD_LOG = None
        switch = DEVELOPER_SWITCH if _developer_switch(summariser, call, function, known) else 0
        if any(limits_body(text) for text in given) or \
                _router_guarded(summariser, operand, function, limits_body, known, at):
            switch |= BODY_LIMIT
        # Registered on a parameter of the function (or a group made from one): who calls it with
        # what router decides, in the module model.
        param = None if behind else router_parameter(summariser, operand, function)
        path = _route_path(summariser, arguments, verb)
        if verb in _HTTP_VERBS and not summariser.test_code and _spelled_path(summariser, arguments, verb):
            for node, wrapped in handlers:
                if not wrapped and node.type in ("identifier", "selector_expression", "func_literal"):
                    ref = _handler_reference(summariser, node, function, literals)
                    if ref is not None:
                        line = summariser.source.position(call.start_byte)[0]
                        summariser.summary.routed.append([ref, summariser.relpath, line])
        for ref, wrapped in refs:
            if path is not None:
                summariser.summary.route_paths.append([path, ref])
            entry = [ref, (AUTHENTICATED if behind or wrapped else 0) | switch]
            if param is not None and not wrapped:
                entry += list(param)
            if behind and guards and not wrapped:
                summariser.summary.route_guards.append([len(summariser.summary.routes), guards])
            summariser.summary.routes.append(entry)
        if links:
            # Only what the router puts in front, and the arguments before the middleware: an
            # authentication given after it in the chain runs after it.
            router_behind = _router_guarded(summariser, operand, function, authenticated, known, at)
            chain_param = None if router_behind else router_parameter(summariser, operand, function)
            for ref, before in links:
                entry = [ref, (AUTHENTICATED if router_behind or before else 0) | switch]
                if chain_param is not None and not before:
                    entry += list(chain_param)
                summariser.summary.routes.append(entry)


_PASSES_ON = LazyPattern(rb"\.ServeHTTP\(|\.Next\(\)")


def passthrough_makers(summariser: "_FileSummariser") -> None:
    """Record the functions of the file named for authentication whose every handler literal passes
    every request on: it calls `next.ServeHTTP(…)` (or gin's `c.Next()`) as a statement of its own
    block and never returns or aborts (`authFn := func(w, r) { …set a user ID or answer 401…;
    h.ServeHTTP(w, r.WithContext(ctx)) }`). Whatever it sets or writes, every client reaches what
    it stands in front of: it is no guard, whatever its name says."""
    data = summariser.source.data
    if _PASSES_ON.search(data) is None:
        return
    model = summariser.model
    for function in model.functions:
        if function.kind != "func" or function.parent is not None or AUTH_WORDS.search(function.name) is None \
                or _OPTIONAL_AUTH.fullmatch(function.name):
            continue
        literals = [f for f in model.functions if f.kind == "literal" and f.parent is function and f.body is not None
                    and _PASSES_ON.search(data, f.body.start_byte, f.body.end_byte) is not None]
        if literals and all(_passes_every_request(summariser, literal) for literal in literals):
            summariser.summary.passthrough.append(function.name)


def _passes_every_request(summariser: "_FileSummariser", literal: "Function") -> bool:
    """The literal calls `X.ServeHTTP(…)` or `c.Next()` as a statement of its top block, and has no
    return, no abort and no panic of its own (a nested literal's are its own)."""
    text = summariser.text
    passes = False
    for statement in block_statements(literal.body):
        if statement.type == "expression_statement" and _PASSES_ON.search(statement.text or b"") is not None and \
                statement.named_children and statement.named_children[0].type == "call_expression":
            passes = True
    if not passes:
        return False
    stack = list(literal.body.named_children)
    while stack:
        node = stack.pop()
        if node.type in ("func_literal",):
            continue
        if node.type == "return_statement":
            return False
        if node.type == "call_expression":
            called = text(node.child_by_field_name("function"))
            if "Abort" in called or called in ("panic", "log.Fatal", "os.Exit"):
                return False
        stack.extend(node.named_children)
    return True


def _route_path(summariser: "_FileSummariser", arguments: list[Node], verb: str) -> str | None:
    """The path a registration spells (`"/healthz"`, or a constant of the file holding it): its
    first argument, or its second where the method comes first (`e.Add("GET", "/x", h)`,
    httprouter's `Handler(method, path, h)`). None when it is computed, or holds a parameter."""
    node = _path_argument(arguments, verb)
    if node is not None and node.type == "identifier":
        node = _string_constant(summariser, node)
    if node is None or node.type != "interpreted_string_literal":
        return None
    path = summariser.text(node)[1:-1]
    return path if _PLAIN_PATH.fullmatch(path) else None


def _path_argument(arguments: list[Node], verb: str) -> Node | None:
    """A registration's path argument: its first, or its second where the method comes first."""
    index = 1 if verb in _METHOD_FIRST or verb in _THREE_ARGUMENTS else 0
    return arguments[index] if len(arguments) > index else None


# A handler under an HTTP method's key (`"POST": h`) of a route table a framework reads
# (route_tables)
_VERB_KEY = LazyPattern(rb'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)"\s*:')


def route_tables(summariser: "_FileSummariser") -> None:
    """Record as routed the handlers of a route table a framework reads rather than a call of the
    module registers: under an HTTP method's key in a map literal held by a key that is a path
    from `/` (`map[string]map[string]server.JSONEndpoint{"/jobs": {"POST": s.newJob}}`, as gizmo's
    `JSONEndpoints` returns), also given to an adapter of one argument (`"POST":
    adapt(s.newJob)`, whose literal calls it). They run per request, as a route's handler does."""
    data = summariser.source.data
    if summariser.test_code or b'"/' not in data or _VERB_KEY.search(data) is None:
        return
    root, model = summariser.source.root, summariser.model
    literals: dict[int, "Function"] = {}
    for match in _VERB_KEY.finditer(data):
        keyed = root.named_descendant_for_byte_range(match.start(), match.start() + 1)
        while keyed is not None and keyed.type != "keyed_element":
            keyed = keyed.parent
        parts = [child for child in keyed.named_children if child.type == "literal_element"] if keyed is not None else []
        if len(parts) != 2 or parts[0].start_byte != match.start() or not parts[1].named_child_count:
            continue
        table = keyed.parent.parent if keyed.parent is not None else None  # literal_value's holder
        if table is not None and table.type == "composite_literal":
            table = table.parent  # `"/jobs": map[string]X{"POST": h}`
        path = table.parent if table is not None and table.type == "literal_element" else None
        if path is None or path.type != "keyed_element" or not path.named_children:
            continue
        key = path.named_children[0].named_children[0] if path.named_children[0].named_child_count else None
        if key is None or key.type != "interpreted_string_literal" or not summariser.text(key).startswith('"/'):
            continue
        handler = parts[1].named_children[0]
        if handler.type == "call_expression":  # `"POST": adapt(s.newJob)`: the adapter's literal calls it
            arguments = handler.child_by_field_name("arguments")
            given = arguments.named_children if arguments is not None else []
            handler = given[0] if len(given) == 1 else None
        if handler is None or handler.type not in ("identifier", "selector_expression", "func_literal"):
            continue
        function = model.enclosing_function(handler)
        ref = _handler_reference(summariser, handler, function, literals) if function is not None else None
        if ref is not None:
            summariser.summary.routed.append([ref, summariser.relpath, summariser.source.position(keyed.start_byte)[0]])


def _spelled_path(summariser: "_FileSummariser", arguments: list[Node], verb: str) -> bool:
    """The registration's path is a string literal that starts with `/` (`"/keep/:id"` too)."""
    node = _path_argument(arguments, verb)
    return node is not None and node.type == "interpreted_string_literal" and summariser.text(node).startswith('"/')


# The methods that register a route for an HTTP method, in the spellings of the routers: what a
# handler so registered runs for.
_HTTP_VERBS = frozenset("GET POST PUT PATCH DELETE HEAD OPTIONS Any Get Post Put Patch Delete Head Options".split())
# A path with nothing a router fills in: no `:id`, `{id}`, `*` or method prefix (`"GET /x"`).
_PLAIN_PATH = LazyPattern(r"/[A-Za-z0-9_./-]*")


def _string_constant(summariser: "_FileSummariser", ident: Node) -> Node | None:
    """The string literal a constant or package variable of the file is declared with."""
    binding = summariser.model.resolve(ident)
    if binding.kind != "package" or binding.decl is None:
        return None
    value = declared_value(binding.decl)
    return value if value is not None and value.type == "interpreted_string_literal" else None


# What a handler that writes no body may do: set the status or headers, log, return.
_SILENT_CALL = LazyPattern(r"(?:\w+\.)*(?:WriteHeader|Status|AbortWithStatus|NoContent|Header)|(?:\w+\.)*Header\(\)\.(?:Set|Add|Del)"
                           r"|s?log\.\w+|(?:\w+\.)?[Ll]ogger\.\w+")
_HANDLER_PARAMS = LazyPattern(rb"ResponseWriter|gin\.Context|echo\.Context")


def silent_handlers(summariser: "_FileSummariser") -> None:
    """The handlers of the file (net/http, gin, echo; functions and literals) whose body writes
    no response body: every statement sets the status or a header (`w.WriteHeader(http.StatusOK)`,
    `c.Status(200)`, echo's `return c.NoContent(200)`), logs, or returns nothing else; an empty
    body too. The server then answers with Content-Length 0, and the client's transport hands
    back `http.NoBody` and takes the connection back at once."""
    model = summariser.model
    data = model.source.data
    if _HANDLER_PARAMS.search(data) is None:
        return
    for function in model.functions:
        params = function.node.child_by_field_name("parameters")
        body = function.body
        if params is None or body is None or _HANDLER_PARAMS.search(data, params.start_byte, params.end_byte) is None:
            continue
        if not is_handler(function) or not all(_silent_statement(summariser, s) for s in block_statements(body)):
            continue
        summariser.summary.silent.append(function.name)


def _silent_statement(summariser: "_FileSummariser", statement: Node) -> bool:
    if statement.type == "comment":
        return True
    if statement.type == "return_statement":
        values = statement.named_children
        value = values[0].named_children[0] if values and values[0].type == "expression_list" and \
            values[0].named_child_count == 1 else values[0] if values else None
        return value is None or summariser.text(value) == "nil" or \
            value.type == "call_expression" and summariser.text(value.child_by_field_name("function")).endswith(".NoContent")
    if statement.type != "expression_statement" or not statement.named_children:
        return False
    call = statement.named_children[0]
    if call.type != "call_expression":
        return False
    return _SILENT_CALL.fullmatch(summariser.text(call.child_by_field_name("function"))) is not None


_LAMBDA = "github.com/aws/aws-lambda-go/lambda"
_LAMBDA_START = LazyPattern(rb"\.Start(?:WithOptions|WithContext|HandlerFunc)?[ \t]*\(")


def lambda_handlers(summariser: "_FileSummariser") -> None:
    """A function handed to aws-lambda-go's `lambda.Start` (`StartWithOptions`, `StartWithContext`,
    `StartHandlerFunc`) serves every invocation a warm process receives, as a route's handler serves
    every request: a call from the pseudo-caller `<lambda>`, or `<lambda-factory>` for the literals
    of a factory of the module that makes it (`lambda.Start(newHandler(s3c))`)."""
    aliases = {name for name, path in summariser.model.imports.items() if path == _LAMBDA}
    if not aliases:
        return
    literals: dict[int, "Function"] = {}
    for selector, _, args, function in _method_calls(summariser, _LAMBDA_START):
        operand = selector.child_by_field_name("operand")
        if operand is None or operand.type != "identifier" or summariser.text(operand) not in aliases \
                or not args.named_children:
            continue
        handler = args.named_children[0]
        ref = _handler_reference(summariser, handler, function, literals)
        if ref is not None:
            caller = "<lambda-factory>" if handler.type == "call_expression" else "<lambda>"
            line = summariser.source.position(handler.start_byte)[0]
            summariser.summary.calls.append([caller, ref, summariser.relpath, line, 0])


_USE_AT = LazyPattern(rb"\.(?:Use|Group)[ \t]*\(")


def collect_mounts(summariser: "_FileSummariser") -> None:
    """Append [middleware reference, AUTHENTICATED or 0] for every middleware of the module the
    file mounts with `.Use(…)` (`private.Use(middleware.AuditLog())`, also on a group made on the
    spot: `Router.Group("api").Use(middleware.OperationRecord())`) or makes a group with
    (`write := users.Group("", middleware.OperationRecord())`): behind authentication when the
    router has it in front before this call (a group made with it, an earlier `Use` of the router
    or of a group it was made from, or an earlier argument of the same call, also a local made by
    such a call: `md := middleware.Auth(); r.Group("", md, log)`). A router that is a
    parameter of the named function (or a group made from one) is decided by the function's callers,
    like a route's (router_parameter). Joined per function like a route's handler: one mounted
    anywhere without authentication in front stays public. echo's routers are left public: which
    of their middleware runs first is not followed."""
    data = summariser.source.data
    if b".Use(" not in data and b".Group(" not in data:
        return
    if any(path.startswith(_ECHO) for path in summariser.model.imported_paths):
        return
    literals: dict[int, "Function"] = {}
    for selector, call, args, function in _method_calls(summariser, _USE_AT):
        if _conditional(summariser, call.start_byte, function):
            continue
        arguments = args.named_children
        if summariser.text(selector.child_by_field_name("field")) == "Group":
            arguments = arguments[1:]  # the path, then the group's middleware
        behind = None  # worked out once, for the first middleware of the module
        param = None
        spelled = [_middleware_text(summariser, arg) for arg in arguments]
        # `Router.Group("api").Use(mw)`: a group made on the spot, which has what its router has
        # in front now, and the middleware given to the Group call before this one
        operand = selector.child_by_field_name("operand")
        made: list[str] = []
        while operand is not None and operand.type == "call_expression":
            made_by = operand.child_by_field_name("function")
            if made_by is None or made_by.type != "selector_expression" or \
                    summariser.text(made_by.child_by_field_name("field")) != "Group":
                break
            made = [_middleware_text(summariser, a) for a in operand.child_by_field_name("arguments").named_children[1:]] + made
            operand = made_by.child_by_field_name("operand")
        for index, arg in enumerate(arguments):
            ref = _handler_reference(summariser, arg, function, literals)
            if ref is None:
                continue
            inline = any(authenticated(text) for text in made + spelled[:index])
            if behind is None:
                behind = _router_authenticated(summariser, operand, function, 0, None, call.start_byte - 1)
                param = None if behind else router_parameter(summariser, operand, function)
            if authenticated(spelled[index]) and not (inline or behind):
                continue  # the authentication itself; one after another (`CheckPermission` after `JWT`) is behind it
            entry = [ref, MOUNTED | (AUTHENTICATED if inline or behind else 0)]
            if param is not None and not inline:
                entry += list(param)
            summariser.summary.routes.append(entry)


def _commented(data: bytes, at: int) -> bool:
    """The code at `at` sits after `//` on its line: commented out."""
    return b"//" in data[data.rfind(b"\n", 0, at) + 1:at]


def _statement(data: bytes, at: int) -> bool:
    """The call at `at` starts a statement of its own (nothing before it on its line but space, a
    brace or a `go`/`defer`): its result is not used."""
    line = data[data.rfind(b"\n", 0, at) + 1:at].strip()
    return line in (b"", b"{", b"}", b"go", b"defer") or line.endswith((b"{", b";"))


def _call_statement(summariser: "_FileSummariser", at: int) -> bool:
    """The call that starts at `at` is a statement of its own (`go`, `defer` too): its result is
    not used. Read from the tree, so an argument on a line of its own is not one."""
    node = summariser.source.root.named_descendant_for_byte_range(at, at + 1)
    call = None
    while node is not None and node.start_byte == at:
        if node.type == "call_expression":
            call = node
        node = node.parent
    if call is None:
        return _statement(summariser.source.data, at)
    parent = call.parent
    return parent is not None and parent.type in ("expression_statement", "go_statement", "defer_statement")


def _conditional(summariser: "_FileSummariser", at: int, scope: "Function") -> bool:
    """The code at `at` runs only under an `if` or a `switch` case of `scope`: middleware mounted
    only when a setting asks for it (`if cfg.BasicAuth.Username != "" { app.Use(basicAuth(…)) }`),
    which a default deployment runs without."""
    node = summariser.source.root.named_descendant_for_byte_range(at, at)
    while node is not None and node.id != scope.node.id:
        if node.type in ("if_statement", "expression_case", "type_case", "communication_case", "default_case"):
            return True
        node = node.parent
    return False


def router_parameter(summariser: "_FileSummariser", operand: Node | None, function: "Function") -> tuple[str, int] | None:
    """(the named function, parameter index) when the router `operand` is a parameter of the named
    function the route is registered in, or a group made from one (`api := rg.Group("/api")`,
    followed three groups up): `func InitUserRouter(rg *gin.RouterGroup) { rg.POST(…) }`."""
    scope = function
    while scope.parent is not None:
        scope = scope.parent
    if scope.kind == "literal" or scope.body is None:
        return None
    data = summariser.source.data
    start, end = scope.node.start_byte, scope.node.end_byte
    for _ in range(4):
        if operand is None or operand.type != "identifier":
            return None
        binding = summariser.model.resolve(operand)
        if binding.kind == "param" and binding.function is scope and binding.decl is not None:
            index = parameter_index(binding.decl)
            return (scope.name, index) if index is not None else None
        element = _variadic_element(summariser, binding, scope)
        if element is not None:
            return scope.name, element
        made = _group_made(data, summariser.text(operand).encode(), start, end)
        if made is None:
            return None
        at = made.start(1)
        operand = summariser.source.root.named_descendant_for_byte_range(at, at + len(made.group(1)))
    return None


def _variadic_element(summariser: "_FileSummariser", binding, scope: "Function") -> int | None:
    """The argument position a local stands for when it is set once from an element of the
    function's variadic parameter (`privateGroup := routers[0]` in `func initBizRouter(routers
    ...*gin.RouterGroup)`): the parameter's position plus the constant index."""
    from .addresses import reassigned

    if binding.kind != "local" or binding.decl is None:
        return None
    value = single_initialiser(binding.decl)
    if value is None or value.type != "index_expression" or reassigned(summariser.model, binding.decl):
        return None
    base, index = value.child_by_field_name("operand"), value.child_by_field_name("index")
    if base is None or base.type != "identifier" or index is None or index.type != "int_literal":
        return None
    param = summariser.model.resolve(base)
    declaration = param.decl.parent if param.kind == "param" and param.function is scope and param.decl is not None else None
    if declaration is None or declaration.type != "variadic_parameter_declaration":
        return None
    position = parameter_index(param.decl)
    return position + int(summariser.text(index), 0) if position is not None else None


def _group_made(data: bytes, name: bytes, start: int, end: int) -> re.Match | None:
    """The first `name := parent.Group(` (or `=`) in data[start:end]; group 1 is the parent."""
    return re.compile(rb"\b" + re.escape(name) + rb"\s*:?=\s*([A-Za-z_]\w*)\.Group\(").search(data, start, end)


def router_kind(summariser: "_FileSummariser", ident: Node, function: "Function") -> str | None:
    """What a call passes in `ident` when it is a router of the calling function: "a" when
    authentication stands in front of it, "g<j>" when it is the caller's own parameter j (a group
    handed on), None otherwise. A router is a name the function makes a group from, mounts
    middleware on or registers routes on (`private.Use(…)`, `v1 := private.Group(…)`)."""
    scope = function
    while scope.parent is not None:
        scope = scope.parent
    name = re.escape(summariser.text(ident)).encode()
    data = summariser.source.data
    pattern = rb"\b" + name + rb"\s*(?:\.\s*(?:Group|Use|With|Route|" + b"|".join(sorted(ROUTE_METHODS)) + rb")\(|:?=\s*[A-Za-z_][\w.]*\.Group\()"
    binding = summariser.model.resolve(ident)
    index = parameter_index(binding.decl) if binding.kind == "param" and binding.function is scope \
        and binding.decl is not None else None
    if index is None:  # `privateGroup := routers[0]` of a variadic `routers ...*gin.RouterGroup`
        index = _variadic_element(summariser, binding, scope)
    if re.search(pattern, data[scope.node.start_byte:scope.node.end_byte]) is None and \
            (index is None or not _router_parameter_type(scope, index)) and \
            not _made_as_router(summariser, binding):
        return None
    if _router_authenticated(summariser, ident, function, 0, None, _registered_at(summariser, ident)):
        return "a"
    if index is None:  # a group made from a parameter: `sys := private.Group("sys"); initUsers(sys)`
        param = router_parameter(summariser, ident, function)
        index = param[1] if param is not None else None
    return f"g{index}" if index is not None else None


def _router_parameter_type(scope: "Function", index: int) -> bool:
    """The function's parameter at argument position `index` (a variadic one's elements from its
    own position on) is typed as a router."""
    params = scope.params
    if index < len(params):
        return _ROUTER_TYPE.search(params[index].type) is not None
    return bool(params) and params[-1].type.startswith("...") and _ROUTER_TYPE.search(params[-1].type) is not None


def _made_as_router(summariser: "_FileSummariser", binding) -> bool:
    """A local made by a router's constructor (`mux := http.NewServeMux()`, `r := chi.NewRouter()`)
    that the function only hands on (`api.RegisterRoutes(mux)`, then `auth(mux)` served)."""
    if binding.kind != "local" or binding.decl is None:
        return False
    value = single_initialiser(binding.decl)
    return value is not None and value.type == "call_expression" and \
        _ROUTER_CONSTRUCTOR.fullmatch(summariser.model.qualified(value) or "") is not None


# By import path, whatever the alias: net/http's, gorilla's, chi's, gin's, echo's, fiber's, httprouter's.
_ROUTER_CONSTRUCTOR = LazyPattern(r"net/http\.NewServeMux|github\.com/gorilla/mux\.NewRouter|"
                                  r"github\.com/go-chi/chi(?:/v5)?\.New(?:Router|Mux)|github\.com/gin-gonic/gin\.(?:New|Default)|"
                                  r"github\.com/labstack/echo(?:/v[45])?\.New|github\.com/gofiber/fiber(?:/v[23])?\.New|"
                                  r"github\.com/julienschmidt/httprouter\.New")


# The types of routers a function may be handed: gin's engine and groups, echo's, chi's, mux's.
_ROUTER_TYPE = LazyPattern(r"(?:gin\.(?:Engine|RouterGroup|IRouter|IRoutes)|echo\.(?:Echo|Group)|chi\.Router|mux\.Router|"
                           r"http\.ServeMux|fiber\.(?:App|Router)|Router|Group)\b")


# `r.Body = http.MaxBytesReader(w, r.Body, n)`, `c.Request.Body = http.MaxBytesReader(…)`: a wrapper
# that limits the body of every request it passes on; also one that keeps the limited reader in a
# reader of its own (`r.Body = &limitObserver{rc: http.MaxBytesReader(w, r.Body, n)}`), within the
# literal's first few lines.
_BODY_WRAPPER = LazyPattern(rb"\.Body\s*=\s*(?:http\.MaxBytesReader\(|&?[A-Za-z_][\w.]*\{[^{}]{0,200}?http\.MaxBytesReader\()")


_OPEN_CALL = LazyPattern(rb"(?<![\w.])([A-Za-z_][\w.]*)\(")
_PASSES_ON = LazyPattern(rb"\.ServeHTTP\(|\.Next\(\s*\)")
_READS_BODY = LazyPattern(rb"ReadAll\(|\.Decode\(|io\.Copy\(|\.Bind\w*\(|GetRawData\(")


# A framework's own body-limiting middleware, made (`middleware.BodyLimit("2M")`) to be mounted:
# echo's, chi's, gin-contrib/size's, net/http's handler wrapper. By import path, whatever the alias.
_LIMIT_MIDDLEWARES = {
    "github.com/labstack/echo/v4/middleware": ("BodyLimit", "BodyLimitWithConfig"),
    "github.com/labstack/echo/middleware": ("BodyLimit", "BodyLimitWithConfig"),
    "github.com/go-chi/chi/v5/middleware": ("RequestSize",),
    "github.com/go-chi/chi/middleware": ("RequestSize",),
    "github.com/gin-contrib/size": ("RequestSizeLimiter",),
    "net/http": ("MaxBytesHandler",),
}
_LIMIT_MIDDLEWARE_CALL = LazyPattern(rb"\b([A-Za-z_]\w*)\.(BodyLimit|BodyLimitWithConfig|RequestSize|RequestSizeLimiter|MaxBytesHandler)\(")


_ECHO = "github.com/labstack/echo"  # v4 and before
_USE_CALL = LazyPattern(rb"\b([A-Za-z_]\w*)\.Use\(\s*$")


def _mounted_after_groups(summariser: "_FileSummariser", start: int) -> bool:
    """`router.Use(size.RequestSizeLimiter(n))` after `api := router.Group(…)` in the same function:
    a gin group copies its parent's middleware when it is made, so the limit covers none of the
    routes registered on groups made before it."""
    data = summariser.source.data
    use = _USE_CALL.search(data, max(0, start - 200), start)
    if use is None:
        return False
    node = summariser.source.root.named_descendant_for_byte_range(start, start)
    function = summariser.model.enclosing_function(node) if node is not None else None
    if function is None:
        return False
    group = re.compile(rb"\b" + re.escape(use.group(1)) + rb"\.Group\(")
    return group.search(data, function.node.start_byte, use.start()) is not None


def body_limits(summariser: "_FileSummariser") -> None:
    """Record where the file limits request bodies for the handlers behind it: the limit is set in
    a function that passes the request on afterwards (`next.ServeHTTP(w, r)`, `c.Next()`) or reads
    no body itself (a helper of such a wrapper); not in a handler that limits its own read. Also
    where it makes a framework's body-limiting middleware (`middleware.BodyLimit("2M")`), made to
    be mounted in front of handlers."""
    data = summariser.source.data
    imports = summariser.model.imports
    named = b"BodyLimit" in data or b"RequestSize" in data or b"MaxBytesHandler" in data
    for match in _LIMIT_MIDDLEWARE_CALL.finditer(data) if named else ():
        path = imports.get(match.group(1).decode())
        if path is None or match.group(2).decode() not in _LIMIT_MIDDLEWARES.get(path, ()):
            continue
        if path == "github.com/gin-contrib/size" and _mounted_after_groups(summariser, match.start()):
            continue
        line = summariser.source.position(match.start())[0]
        summariser.summary.body_limits.append(f"{summariser.relpath}:{line}")
    if b"LimitReader" in data and b"NopCloser" in data:
        _bounded_copies(summariser)
    if b") Read(" in data:
        _counting_wrappers(summariser)
    if b"MaxBytesReader" not in data:
        return
    root = summariser.source.root
    for match in _BODY_WRAPPER.finditer(data):
        node = root.named_descendant_for_byte_range(match.start() + 1, match.start() + 1)
        function = summariser.model.enclosing_function(node) if node is not None else None
        if function is None:
            continue
        rest = data[match.end():function.node.end_byte]
        if _PASSES_ON.search(rest) is None and \
                _READS_BODY.search(data, function.node.start_byte, function.node.end_byte) is not None:
            continue
        line = summariser.source.position(match.start())[0]
        summariser.summary.body_limits.append(f"{summariser.relpath}:{line}")


# `c.Request().Body = &limitedBody{…}`, `r.Body = limitedBody{…}`: the body replaced by a value of
# a type the file declares; then the request passed on (echo's `next(c)` too).
_BODY_REPLACED = LazyPattern(rb"\.Body\s*=\s*&?([A-Za-z_]\w*)\{")
_PASSES_ON_OR_NEXT = LazyPattern(rb"\.ServeHTTP\(|\.Next\(\s*\)|\bnext\(\s*[A-Za-z_]\w*\s*\)")


def _counting_wrappers(summariser: "_FileSummariser") -> None:
    """A middleware that replaces the body with a reader of the file's own type that counts what
    it reads against a bound (`c.Request().Body = &limitedReadCloser{ReadCloser: body, remaining:
    limit}`, whose `Read` compares a field of its receiver, `if r.remaining < 0 { return 0,
    errTooLarge }`), and then passes the request on, limits the body of every handler behind it,
    as `http.MaxBytesReader` would: recorded with the other limits. A wrapper whose `Read` compares
    nothing (a tee, a decompressor, a counter for metrics only) is no limit."""
    data = summariser.source.data
    root = summariser.source.root
    for match in _BODY_REPLACED.finditer(data):
        type_name = match.group(1).decode()
        read = re.search(rb"func\s*\(\s*([A-Za-z_]\w*)\s+\*?" + re.escape(match.group(1)) + rb"\s*\)\s*Read\(", data)
        if read is None:
            continue
        at = read.end() - len(b"Read(")  # the method's name
        node = root.named_descendant_for_byte_range(at, at)
        method = summariser.model.enclosing_function(node) if node is not None else None
        if method is None or method.name != f"{type_name}.Read":
            continue
        receiver = re.escape(read.group(1))
        body = data[read.end():method.node.end_byte]
        if re.search(rb"\b" + receiver + rb"\.\w+\s*[<>]|[<>]=?\s*" + receiver + rb"\.\w+\b", body) is None:
            continue
        node = root.named_descendant_for_byte_range(match.start() + 1, match.start() + 1)
        function = summariser.model.enclosing_function(node) if node is not None else None
        if function is None or _PASSES_ON_OR_NEXT.search(data, match.end(), function.node.end_byte) is None:
            continue
        line = summariser.source.position(match.start())[0]
        summariser.summary.body_limits.append(f"{summariser.relpath}:{line}")


# `io.LimitReader(r.Body, max+1)`, `io.LimitReader(c.Request.Body, n)`: a read of the body that stops at a bound.
_BODY_LIMIT_READER = LazyPattern(rb"\bio\.LimitReader\(\s*[A-Za-z_][\w.]*(?:\(\))?\.Body\s*,")


def _bounded_copies(summariser: "_FileSummariser") -> None:
    """A middleware that reads the body through `io.LimitReader` and puts the bounded copy back
    before it passes the request on (`io.Copy(buf, io.LimitReader(r.Body, max+1))`, a 413 past the
    bound, `r.Body = io.NopCloser(buf)`, then `next.ServeHTTP(w, r)`) limits the body of every
    handler behind it, as `http.MaxBytesReader` would: recorded with the other limits."""
    data = summariser.source.data
    root = summariser.source.root
    seen: set[int] = set()
    for match in _BODY_LIMIT_READER.finditer(data):
        node = root.named_descendant_for_byte_range(match.start(), match.start())
        function = summariser.model.enclosing_function(node) if node is not None else None
        if function is None or function.node.id in seen:
            continue
        put_back = _BODY_PUT_BACK.search(data, match.end(), function.node.end_byte)
        if put_back is None or _PASSES_ON.search(data, put_back.end(), function.node.end_byte) is None:
            continue
        seen.add(function.node.id)
        line = summariser.source.position(match.start())[0]
        summariser.summary.body_limits.append(f"{summariser.relpath}:{line}")


# `r.Body = io.NopCloser(bytes.NewBuffer(raw))`, `c.Request.Body = ioutil.NopCloser(…)`: the body
# put back after a read, as an in-memory copy.
_BODY_PUT_BACK = LazyPattern(rb"\.Body\s*=\s*(?:io|ioutil)\.NopCloser\(")


def body_buffers(summariser: "_FileSummariser") -> None:
    """Record the middleware that reads every body whole and puts back an in-memory copy for what it
    passes the request on to (`raw, _ := io.ReadAll(r.Body); r.Body = io.NopCloser(…)`, then
    `next.ServeHTTP(w, r)` or `c.Next()`): a handler behind it reads that copy, and the read that
    holds an endless body is the middleware's own. The read and the put-back may sit in a named
    helper of the file that passes nothing on (`body := readBody(r)`), called before the
    middleware passes the request on. Not one that reads only bodies of a declared length under a
    bound (linter/lengthbounds.py): it passes a larger one on unread, for a handler to read whole."""
    data = summariser.source.data
    if b"NopCloser" not in data:
        return
    root = summariser.source.root
    seen: set[int] = set()
    helpers: dict[str, "Function"] = {}
    found: list[tuple["Function", "Function | None"]] = []  # (middleware, the helper that reads for it)
    for match in _BODY_PUT_BACK.finditer(data):
        node = root.named_descendant_for_byte_range(match.start() + 1, match.start() + 1)
        function = summariser.model.enclosing_function(node) if node is not None else None
        if function is None or function.node.id in seen:
            continue
        start, end = function.node.start_byte, function.node.end_byte
        read = _READS_BODY.search(data, start, match.start())
        if read is None:
            continue
        seen.add(function.node.id)
        call = root.named_descendant_for_byte_range(read.start(), read.start())
        while call is not None and call.type != "call_expression" and call.id != function.node.id:
            call = call.parent
        if call is not None and call.type == "call_expression" and \
                length_bounded(summariser.model, function.node, call):
            continue  # it buffers only bodies of a declared length under a bound: a larger one passes on unread
        if _PASSES_ON.search(data, match.end(), end) is not None:
            found.append((function, None))
        elif function.kind != "literal":
            helpers[function.name.rsplit(".", 1)[-1]] = function
    for name, helper in sorted(helpers.items()):
        needle = name.encode() + b"("
        for at in _word_starts(data, needle):
            node = root.named_descendant_for_byte_range(at, at)
            function = summariser.model.enclosing_function(node) if node is not None else None
            if function is None or function.node.id in seen:
                continue
            if _PASSES_ON.search(data, at + len(needle), function.node.end_byte) is not None:
                seen.add(function.node.id)
                found.append((function, helper))
    recorded = set(summariser.summary.body_buffers)
    for function, helper in sorted(found, key=lambda pair: pair[0].node.start_byte):
        # What registers it: the function itself, or the named function that returns it as a literal.
        named = function
        while named.kind == "literal":
            outer = summariser.model.enclosing_function(named.node.parent)
            if outer is None:
                break
            named = outer
        name = named.name.rsplit(".", 1)[-1]
        if named.kind == "method":  # made by a constructor that returns the method value (`return m.Handler`)
            made = re.search(rb"\breturn\s+[A-Za-z_]\w*\." + re.escape(name.encode()) + rb"[ \t]*(?://[^\n]*)?$",
                             data, re.MULTILINE)
            node = root.named_descendant_for_byte_range(made.start(), made.start()) if made is not None else None
            maker = summariser.model.enclosing_function(node) if node is not None else None
            if maker is not None and maker.kind != "literal":
                name = maker.name.rsplit(".", 1)[-1]
        # The helper's lines count as the middleware's own (its read is the one to bound).
        for part in (function, helper) if helper is not None else (function,):
            first = summariser.source.line_of(part.node.start_byte)
            last = summariser.source.line_of(part.node.end_byte)
            span = f"{summariser.relpath}:{first}:{last}:{name}"
            if span not in recorded:
                recorded.add(span)
                summariser.summary.body_buffers.append(span)


# `r.Use(logBodies())`, `e.Use(audit)`, `handler = audit(handler)` aside: a middleware mounted for
# every route of a router, by the name of the function that makes it.
_USE = LazyPattern(rb"\.Use\(\s*(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)")


# A parameter typed as a route group: `func register(rg *gin.RouterGroup)`, `g *echo.Group`.
_GROUP_PARAMETER = r"\b{}\s+\*?\w+\.(?:RouterGroup|Group)\b"


# A middleware in front of every route of a router by wrapping rather than `.Use`: each route a loop
# over a table registers (`for path, h := range routes { mux.HandleFunc(path, mw(h)) }`), or the
# whole router a server is given (`Handler: mw(mux)`, `http.ListenAndServe(addr, mw(mux))`); the
# wrappers are the calls of the chain (`logging(auth(mux))` is two).
_WRAPPED_ROUTE = LazyPattern(rb"\.Handle(?:Func)?\(\s*[A-Za-z_]\w*\s*,\s*"
                             rb"(?P<chain>(?:(?:[A-Za-z_]\w*\.)?[A-Za-z_]\w*\(\s*)+)(?P<inner>[A-Za-z_]\w*)\s*\)")
_WRAPPED_SERVER = LazyPattern(rb"(?:\bHandler\s*:|\bListenAndServe\(\s*[^,()\n]+,|"
                              rb"\bListenAndServeTLS\(\s*[^,()\n]+,[^,()\n]+,[^,()\n]+,)\s*"
                              rb"(?P<chain>(?:(?:[A-Za-z_]\w*\.)?[A-Za-z_]\w*\(\s*)+)(?P<inner>[A-Za-z_]\w*)\s*\)")
_WRAPPER = LazyPattern(rb"(?:([A-Za-z_]\w*)\.)?([A-Za-z_]\w*)\(")


def wrapped_middlewares(summariser: "_FileSummariser") -> None:
    """Record, as `mounted`, the functions the file wraps around every route of a router: around each
    handler that a range over a table of routes registers (`for path, h := range items.Routes() {
    mux.HandleFunc(path, middleware.Logger(h)) }`), or around the router a server is given
    (`Handler: middleware.Trace(mux)`). A wrapper around one route registered by name
    (`mux.HandleFunc("/audit", middleware.Logger(audit))`) stands in front of that route only, and
    is not recorded."""
    data = summariser.source.data
    if b"Handle" not in data:
        return
    imports = summariser.model.imports
    found = set()
    for pattern in (_WRAPPED_ROUTE, _WRAPPED_SERVER):
        for match in pattern.finditer(data):
            if _commented(data, match.start()):
                continue
            if pattern is _WRAPPED_ROUTE:
                ranged = re.compile(rb"\bfor\s+[A-Za-z_]\w*\s*,\s*" + re.escape(match.group("inner")) + rb"\s*:=\s*range\b")
                if ranged.search(data, max(0, match.start() - 512), match.start()) is None:
                    continue
            for qualifier, name in _WRAPPER.findall(match.group("chain")):
                path = imports.get(qualifier.decode()) if qualifier else None
                if qualifier and path is None:
                    continue  # a method of a local value (`srv.wrap(mux)`): not a function named so
                found.add(f"{path}#{name.decode()}" if path else name.decode())
    summariser.summary.mounted.extend(sorted(found - set(summariser.summary.mounted)))


def mounted_middlewares(summariser: "_FileSummariser") -> None:
    """Record the names of the functions the file mounts with `.Use(…)` (gin, echo, chi, mux) on a
    whole router, not on a group of its routes (`api := r.Group("/api")`, or a parameter typed as
    a group): what such a group mounts stands in front of its own routes only. A function of an
    imported package is named with its import path, `path#Name` (`logger.New(log)` and
    `crypto.New(key)` are two middlewares); any other name as written. Also, for every
    `.Use(…)`, the names mounted before it in its function on the whole router it stands behind:
    the same router, or the one a group was made from, before the group was made
    (`r.Use(logger()); r.Use(decrypt())`, `r.Use(logger()); admin := r.Group("/admin");
    admin.Use(audit())`)."""
    data = summariser.source.data
    if b".Use(" not in data:
        return
    groups: dict[bytes, bool] = {}
    found = set()
    uses: list[tuple[int, bytes | None, bool, str]] = []  # (position, router, group, middleware)
    imports = summariser.model.imports
    for match in _USE.finditer(data):
        if _commented(data, match.start()):
            continue
        qualifier = match.group(1) and imports.get(match.group(1).decode())
        mounted = f"{qualifier}#{match.group(2).decode()}" if qualifier else match.group(2).decode()
        start = match.start()
        while start > 0 and data[start - 1] in _WORD_BYTES:
            start -= 1
        name = data[start:match.start()] or None  # `r` of `r.Use(`; None after `)` or `]`
        if name is not None:
            if name not in groups:
                escaped = re.escape(name)
                groups[name] = re.search(rb"\b" + escaped + rb"\s*:?=\s*[\w.()]*?\.Group\(", data) is not None or \
                    re.search(_GROUP_PARAMETER.format(escaped.decode()).encode(), data) is not None
            group = groups[name]
            if not group and b"func(" in data:  # chi's subrouter: `r.Route("/debug", func(r chi.Router) { r.Use(mw) })`
                ident = summariser.source.root.named_descendant_for_byte_range(start, match.start())
                group = _subrouter_call(summariser, ident) is not None
            uses.append((start, name, group, mounted))
            if group:
                continue
        found.add(mounted)
    summariser.summary.mounted.extend(sorted(found - set(summariser.summary.mounted)))
    root, model = summariser.source.root, summariser.model
    for at, router, group, middleware in uses:
        node = root.named_descendant_for_byte_range(at, at)
        function = model.enclosing_function(node) if node is not None else None
        if function is None:
            continue
        while function.parent is not None:
            function = function.parent
        begin = function.node.start_byte
        front, until = router, at
        if group:  # the whole router it was made from, as it was then
            made = _group_made(data, router, begin, at)
            front, until = (made.group(1), made.start()) if made is not None else (None, at)
        earlier = sorted({m for position, r, g, m in uses
                          if front is not None and r == front and not g and begin <= position < until and m != middleware})
        summariser.summary.mounted_after.append(f"{middleware}:{','.join(earlier)}")


def _made_by(summariser: "_FileSummariser", node: Node) -> Node | None:
    """The call a local handler variable is made by (`h := DebugHandler(logger)`), if any."""
    if node.type != "identifier":
        return None
    binding = summariser.model.resolve(node)
    if binding.kind != "local" or binding.decl is None:
        return None
    value = single_initialiser(binding.decl)
    return value if value is not None and value.type == "call_expression" else None


def _developer_switch(summariser: "_FileSummariser", call: Node, function: "Function", known: dict) -> bool:
    """The registration sits in an `if` of its function whose condition is a switch for developers
    (`if cfg.DebugEndpoint {`), or in a function that this file calls only from such an `if`
    (`if cfg.Debug { r.registerDebugRoutes() }`): a default deployment does not have the route.
    The second answer is the same for every registration of a function: kept in `known`."""
    if _switched(summariser, call, function.node):
        return True
    scope = function
    while scope.parent is not None:
        scope = scope.parent
    key = ("called under a switch", scope.node.id)
    if key not in known:
        known[key] = _called_only_under_switch(summariser, scope)
    return known[key]


def _called_only_under_switch(summariser: "_FileSummariser", scope: "Function") -> bool:
    """Every call of the function in its file sits under a developer switch (and there is one)."""
    name_node = scope.node.child_by_field_name("name")
    if name_node is None:
        return False
    data = summariser.source.data
    root = summariser.source.root
    calls = 0
    needle = name_node.text + b"("
    for at in _word_starts(data, needle):
        if at == name_node.start_byte:
            continue  # the declaration
        node = root.named_descendant_for_byte_range(at, at + len(needle) - 1)
        outer = summariser.model.enclosing_function(node) if node is not None else None
        if outer is None or not _switched(summariser, node, outer.node):
            return False
        calls += 1
    return calls > 0


def _word_starts(data: bytes, needle: bytes):
    """Where `re.finditer(rb"\\b" + re.escape(needle), data)` finds `needle`, by finds in C (a
    pattern per name was compiled, or looked up, for each function, and tried at every byte)."""
    if needle[:1] not in _WORD_STARTS:  # `\b` before a byte that is no ASCII word byte means otherwise
        yield from (use.start() for use in re.finditer(rb"\b" + re.escape(needle), data))
        return
    at = data.find(needle)
    while at != -1:
        if at > 0 and data[at - 1] in _WORD_BYTES:
            at = data.find(needle, at + 1)
        else:
            yield at
            at = data.find(needle, at + len(needle))


def _switched(summariser: "_FileSummariser", node: Node, stop: Node) -> bool:
    """`node` is in the body of an `if` below `stop` whose condition names a developer switch."""
    child, current = node, node.parent
    while current is not None and current.id != stop.id:
        if current.type == "if_statement" and current.child_by_field_name("consequence") == child:
            condition = current.child_by_field_name("condition")
            if condition is not None and names_developer_switch(summariser.text(condition)):
                return True
        child, current = current, current.parent
    return False


def _without(summariser: "_FileSummariser", node: Node, handlers: list[Node]) -> str:
    """The text of `node` with the handlers inside it blanked out."""
    data = bytearray(summariser.source.data[node.start_byte:node.end_byte])
    for handler in handlers:
        if node.start_byte <= handler.start_byte and handler.end_byte <= node.end_byte:
            start, end = handler.start_byte - node.start_byte, handler.end_byte - node.start_byte
            data[start:end] = b" " * (end - start)
    return data.decode("utf-8", "replace")


def _wrapped(summariser: "_FileSummariser", call: Node, named: bool, depth: int):
    """The handlers a wrapping call takes (`requireAuth(http.HandlerFunc(h))`), each with whether
    a wrapper around it is named for authentication."""
    if depth > 3:
        return
    named = named or authenticated(summariser.text(call.child_by_field_name("function")))
    inner = call.child_by_field_name("arguments")
    for arg in inner.named_children if inner is not None else []:
        if arg.type in ("identifier", "selector_expression", "func_literal"):
            yield arg, named
        elif arg.type == "call_expression":
            yield from _wrapped(summariser, arg, named, depth + 1)


def _registered_at(summariser: "_FileSummariser", node: Node) -> int | None:
    """Where a route is registered on a gin router, or a router handed on (`Webhooks(public)`): a gin
    route takes the middleware its router has then, so a `Use` after it (`r.POST("/login", login)`,
    then `r.Use(auth)`) does not stand in front of it. None for other routers: echo's and gorilla's
    run their router's middleware for every route whenever it was mounted, and chi's refuse a `Use`
    after a route."""
    return node.start_byte if GIN in summariser.model.imported_paths else None


def _mounts_on_parameter(summariser: "_FileSummariser", helper: str, position: int, guard) -> bool:
    """Whether `helper`, a function declared in the file, mounts what `guard` looks for on its
    parameter at `position` with `Use` (`func registerAuthenticated(g *gin.RouterGroup, …) {
    g.Use(middleware.Auth(…)) }`), unconditionally."""
    declared = next((f for f in summariser.model.functions if f.kind == "func" and f.name == helper), None)
    if declared is None or position >= len(declared.params):
        return False
    parameter = declared.params[position].name
    body = declared.node.child_by_field_name("body")
    if not parameter or body is None:
        return False
    data = summariser.source.data
    for use in re.finditer(rb"\b" + re.escape(parameter.encode()) + rb"\.Use\(([^\n]*)", data[body.start_byte:body.end_byte]):
        at = body.start_byte + use.start()
        if not _commented(data, at) and guard(use.group(1).decode("utf-8", "replace")) and \
                not _conditional(summariser, at, declared):
            return True
    return False


def _router_guarded(summariser: "_FileSummariser", operand: Node | None, function: "Function", test,
                    known: dict[tuple, bool], at: int | None = None) -> bool:
    """_router_authenticated, once per router name, function, test and registration point in a file."""
    if operand is None:
        return False
    key = (summariser.text(operand) if operand.type == "identifier" else operand.id, function.node.id, test, at)
    logs = summariser.guard_logs
    if key not in known:
        start = len(_GUARD_LOG) if _GUARD_LOG is not None else 0
        known[key] = _router_authenticated(summariser, operand, function, 0, test, at)
        if not known[key] and operand.type == "call_expression":
            # `r.With(csrf).Post(…)`: chi's With adds to what `r` has, a group's `r.Use(auth)` included
            callee = operand.child_by_field_name("function")
            if callee is not None and callee.type == "selector_expression" and \
                    summariser.text(callee.child_by_field_name("field")) == "With":
                known[key] = _router_guarded(summariser, callee.child_by_field_name("operand"), function, test, known, at)
        logs[key] = _GUARD_LOG[start:] if _GUARD_LOG is not None else None
    elif _GUARD_LOG is not None:
        # a router worked out before: what said authentication then says it again (unknown when it
        # was worked out with nothing listening: then a name no model can clear)
        logged = logs.get(key)
        _GUARD_LOG.extend(logged if logged is not None else (["?"] if known[key] else []))
    return known[key]


_SUBROUTER_MAKERS = frozenset({"Route", "Group"})


def _subrouter_call(summariser: "_FileSummariser", operand: Node | None) -> Node | None:
    """The `X.Route("/debug", func(r chi.Router) {…})` or `X.Group(func(r chi.Router) {…})` call
    whose literal declares the router `operand` names as its parameter: chi runs X's middleware
    before the subrouter's own."""
    if operand is None or operand.type != "identifier":
        return None
    binding = summariser.model.resolve(operand)
    literal = binding.function.node if binding.kind == "param" and binding.function is not None else None
    if literal is None or literal.type != "func_literal" or literal.parent is None or literal.parent.type != "argument_list":
        return None
    call = literal.parent.parent
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if callee is None or callee.type != "selector_expression" or \
            summariser.text(callee.child_by_field_name("field")) not in _SUBROUTER_MAKERS:
        return None
    return call


def _another_router(summariser: "_FileSummariser", operand: Node, at: int) -> bool:
    """The name at byte `at` is declared apart from `operand`'s: a parameter of a nested literal that
    shadows it (chi's `r.Route("/api", func(r chi.Router) {…})`). Unresolved names count as the same."""
    model = summariser.model
    ident = model.source.root.descendant_for_byte_range(at, at + 1)
    if ident is None or ident.type != "identifier":
        return False
    mine, theirs = model.resolve(operand), model.resolve(ident)
    return mine.decl is not None and theirs.decl is not None and mine.decl.id != theirs.decl.id


def _router_authenticated(summariser: "_FileSummariser", operand: Node | None, function: "Function", depth: int,
                          test=None, until: int | None = None) -> bool:
    """The router a route is registered on puts authentication (or what `test` looks for) in
    front: chi's `r.With(auth)`, a group made with it or given it by `Use`, in the registering
    function (or one around it), following the groups it was made from. `until`: where a group was
    made from this router; gin and chi groups copy the middleware their parent has then, so a
    `Use` of the parent after it does not count (echo runs its router's middleware for every route)."""
    guard = test or authenticated
    if operand is None or depth > 3:
        return False
    if operand.type == "call_expression":
        return guard(summariser.text(operand))  # `r.With(jwtauth.Verifier(ja)).Post(…)`
    if operand.type != "identifier":
        return False
    name = re.escape(summariser.text(operand)).encode()
    scope = function
    while scope.parent is not None:
        scope = scope.parent
    data = summariser.source.data
    start, end = scope.node.start_byte, scope.node.end_byte
    for use in re.finditer(rb"\b" + name + rb"\.Use\(([^\n]*)", data[start:end]):
        if _commented(data, start + use.start()):
            continue  # `// private.Use(auth.Required())`: switched off
        if _another_router(summariser, operand, start + use.start()):
            continue  # `r.Route("/api", func(r chi.Router) { r.Use(auth) })`: the subrouter's own
        if until is not None and start + use.start() > until and \
                not any(path.startswith(_ECHO) for path in summariser.model.imported_paths):
            continue  # mounted on the parent after the group was made: the group never runs it
        if guard(use.group(1).decode("utf-8", "replace")) and not _conditional(summariser, start + use.start(), scope):
            return True
    # the router handed to a function of the file that mounts authentication on it, in a statement of
    # its own: `registerAuthenticated(authed, deps)`, whose body runs `group.Use(middleware.Auth(…))`
    for handed in re.finditer(rb"(?<![\w.])([A-Za-z_]\w*)\(([^\n()]*)\)", data[start:end]):
        arguments = [a.strip() for a in handed.group(2).split(b",")]
        if name.replace(b"\\", b"") not in arguments or _commented(data, start + handed.start()) or \
                not _call_statement(summariser, start + handed.start()):
            continue
        if until is not None and start + handed.start() > until and \
                not any(path.startswith(_ECHO) for path in summariser.model.imported_paths):
            continue
        if _mounts_on_parameter(summariser, handed.group(1).decode("utf-8", "replace"),
                                arguments.index(name.replace(b"\\", b"")), guard):
            return True
    # the router handed to a wrapper named for authentication: `srv.Handler = requireAuth(mux)`
    # (Not from the middle of a name: a later start in `requireAuth(` ends where the first does and
    # fails or succeeds with it, after scanning the rest of the line once more per letter.) A call
    # made as a statement of its own wraps nothing: `authHandler.Register(router)` adds routes.
    # The body only: the function's own name and parameters (`func handleLogin(ctx, mux
    # *http.ServeMux)`) wrap nothing either.
    body = scope.node.child_by_field_name("body")
    within = body.start_byte if body is not None else start
    # Every call still open where the router is named wraps it, the outer ones too:
    # `cors(requireAuth(mux))` is authenticated by its inner wrapper.
    for wrap in re.finditer(rb"(?<![A-Za-z_])([A-Za-z_][\w.]*)\([^\n)]*?\b" + name + rb"\b", data[within:end]):
        if _call_statement(summariser, within + wrap.start()):
            continue
        if any(guard(inner.decode("utf-8", "replace"))
               for inner in _OPEN_CALL.findall(wrap.group(0))):
            return True
    # chi's subrouter, a parameter of the literal given to `X.Route(…)` or `X.Group(…)`: X's
    # middleware, as it is where the call is made, runs in front of it
    subrouter = _subrouter_call(summariser, operand)
    if subrouter is not None:
        parent = subrouter.child_by_field_name("function").child_by_field_name("operand")
        outer = summariser.model.enclosing_function(subrouter)
        return outer is not None and _router_authenticated(summariser, parent, outer, depth + 1, test,
                                                           subrouter.start_byte)
    made = next((m for m in re.finditer(rb"\b" + name + rb"\s*:?=\s*([A-Za-z_]\w*)\.Group\(([^\n]*)", data[start:end])
                 if not _commented(data, start + m.start())), None)
    if made is None:
        return False
    if guard(made.group(2).decode("utf-8", "replace")):
        return True
    parent = made.group(1).decode()
    at = start + made.start(1)
    node = summariser.source.root.named_descendant_for_byte_range(at, at + len(parent))
    return node is not None and node.type == "identifier" and \
        _router_authenticated(summariser, node, function, depth + 1, test, at)
