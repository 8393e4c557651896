"""GL406 unbounded-body-read."""

from __future__ import annotations

import re

from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext
from goleaklint.frameworks import GIN, is_handler, is_request_type
from goleaklint.lengthbounds import ends_with_return, length_bounded
from goleaklint.model import Function
from goleaklint.patterns import LazyPattern
from goleaklint.authchecks import auth_check
from goleaklint.routes import authenticated
from goleaklint.rule import OPT_IN_DEVELOPER, Docs, Finding, Rule, Severity
from goleaklint.source import query_captures
from goleaklint.structs import declared_type_node, field_type, struct_fields, struct_of
from goleaklint.switches import developer_switch

RULE = Rule(
    id="GL406",
    slug="unbounded-body-read",
    title="a request body is read whole with no size limit",
    severity=Severity.WARNING,
    lifetime="public",  # per request as other rules; a handler only authenticated routes reach is a note
    tags=("memory-leak", "security", "external/cwe/cwe-400"),
    precision="low",  # measured on held-out codebases (docs/ecosystem.md)
    security_severity="5.3",
    docs=Docs(
        what="Finds `io.ReadAll` / `ioutil.ReadAll` of a request body: `r.Body` of an `*http.Request` "
        "parameter of a handler, `c.Request.Body` of a gin context, `c.Request().Body` of an echo "
        "context, `c.Req.Body` of a struct of the package that holds the request in a field; and gin's "
        "`c.GetRawData()`, which reads the whole body. Reported when no `http.MaxBytesReader` or "
        "`io.LimitReader` over that body, and no replacement of the body by something else, comes "
        "before the read: putting the bytes back after it (`c.Request.Body = "
        "io.NopCloser(bytes.NewBuffer(raw))`) limits nothing. Nor is a read that runs only for a "
        "declared `ContentLength` under a bound (`if r.ContentLength > 0 && r.ContentLength <= max {…}`, "
        "or after `if r.ContentLength < 0 || r.ContentLength > max { return }`, or the two bounds in two "
        "guards: `if r.ContentLength > max { return }`, then `if r.ContentLength > 0 {…}`; or in a predicate of the "
        "package whose guards return false before anything returns true, called in the condition or setting a local "
        "flag set once: `capture := cfg.LogBody && loggable(r)`, then `if capture {…}`): net/http ends a body "
        "with a declared length there; an upper bound alone lets a chunked body (length -1) through. A read in a middleware (one that passes "
        "the request on with `c.Next()`, `next.ServeHTTP(w, r)` or `next(c)`) is an error: every "
        "request's body is read before the handlers, and any authentication among them, run (or, for a read "
        "after every such call, whatever the handlers left of it once they ran, which the message says); a "
        "middleware that checks the client itself before the read, leaving when the check fails, is a note, "
        "as a handler that does. A "
        "function taking an `*http.Request` without an `http.ResponseWriter` (a helper such as "
        "`decode(r, &v)`, or a struct that holds a request but no writer) is reported at note level, "
        "since its callers may have limited the body; a `RoundTrip` method is not reported (the body "
        "there is the client's own outgoing request). Test files are skipped.",
        why="`io.ReadAll` grows its buffer until the reader ends. A client that sends a body of a few "
        "gigabytes (or streams one slowly without end) makes the handler hold all of it in the heap; "
        "a handful of such requests at once take the process down. `json.NewDecoder(r.Body).Decode` "
        "is not reported: it stops at the end of the first value, although a limit is still wise.",
        example="""func upload(w http.ResponseWriter, r *http.Request) {
    data, err := io.ReadAll(r.Body)
    ...
}""",
        use_instead="""func upload(w http.ResponseWriter, r *http.Request) {
    r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
    data, err := io.ReadAll(r.Body) // fails with *http.MaxBytesError past 1 MiB
    ...
}""",
        limits="fiber is not checked: it reads bodies itself, bounded by its BodyLimit (4 MiB by "
        "default). A limit a middleware applies is not followed to the routes it covers: a module that "
        "limits bodies itself, in a wrapper (`r.Body = http.MaxBytesReader(…)`, or a bounded copy put back: "
        "`io.Copy(&buf, io.LimitReader(r.Body, max+1))`, then `r.Body = io.NopCloser(&buf)`, before passing "
        "the request on, or a reader of the file's own type that counts what it reads against a bound: "
        "`c.Request().Body = &limitedBody{…}`, whose `Read` compares a field of its receiver) or with a "
        "framework's body-limit middleware, makes every finding of the module a "
        "note that names where (its authors chose where limits go); otherwise suppress with a reason, or "
        "apply the limit in the handler. Order is by position in the function, not by path: a limit on one branch "
        "before the read counts. A middleware is recognised by how it passes the request on; where it is "
        "mounted lowers it only when every `Use` of it (also on a group made on the spot: `Router.Group(\"api\").Use(mw)`), and every group made with it (`r.Group(\"\", mw)`), "
        "(gin, chi, gorilla; not echo) comes after authentication on its router (a group made with it, an "
        "earlier `Use` of the router or of the group it was made from, or an earlier argument of the same "
        "call, also a local made by such a call: `md := auth.JWT(); r.Group(\"\", md, log)`; a function of the file "
        "called as a statement with the router, that mounts authentication on that parameter with `Use` "
        "unconditionally: `registerAuthenticated(authed)`), or on a router parameter that every caller in the module passes with authentication in "
        "front: then it is a note. So does a middleware given with a route after the path and before its last "
        "argument (`authed.POST(\"/items\", RequireScope(w), CheckOwner(), Create)`) on such a router, or after "
        "an argument named for authentication in the same call; one given before the route's authentication "
        "(`r.POST(\"/x\", AuditBody(), JWTAuth(), h)`) runs before it. A middleware that puts back an in-memory copy and is mounted (`Use`) "
        "after another that does, on every router it is on, reads that copy: a note. The one in front may "
        "read and put back through a helper of its file (`log.Print(readBody(r))`, then `next.ServeHTTP`); "
        "a middleware is known by its package and the function mounted (`logger.New` and `crypto.New` are "
        "two), including a constructor that returns a method value (`return m.Handler`). The helper's own "
        "read stays a note (it is judged as a function its callers may limit), though it is the read to "
        "bound. A read in "
        "a module whose every server listens on loopback or a unix socket is a note: only clients on "
        "the same host reach its handlers (net/http's `ListenAndServe`, `Serve` and their TLS forms, an "
        "`http.Server`'s own methods, gin's `Run`, `RunTLS`, `RunUnix` and `RunListener`, in non-test code "
        "outside example and test-support packages). The handler is not linked to its server, so one "
        "server that may be public, or a package that starts servers in ways not read here (echo, fiber, "
        "iris, beego, go-zero, kratos, hertz, fasthttp, goframe, caddy, App Engine, FastCGI and CGI), keeps "
        "every handler of the module public, and an admin-only route of a public server is not told "
        "apart from others. A read after a call that checks who the "
        "client is (named for it: `CheckPerm`, `checkAdmin`, `RequireAuth`, `VerifyToken`, or the verb alone: `Authenticate(r)`, `AuthorizeRequest`; not a predicate on a setting asked of nothing the client sent, `isAPIKeyMode()`, `IsAuthEnabled()`) or reads the "
        "identity an authentication middleware set (`GetCurrentUser(c)`, `UserFromContext(ctx)`, "
        "`c.MustGet(\"claims\")`), or after a test of a secret header that leaves on a mismatch (`if "
        "r.Header.Get(\"X-Admin-Secret\") != s.secret { return }`, `subtle.ConstantTimeCompare`), is a note: only "
        "clients that authenticated reach it. So is one in a function no route registers whose every caller in the module "
        "calls it only after such a check (`if !s.verifyAdmin(r) { return }; s.applyConfig(w, r)`: the check's "
        "result tested in an `if` or kept, not a check constructor given to `Use`), or is behind authentication "
        "itself. Authentication "
        "in front of the handler's routes is read where they are registered (Lifetime, below). A read in admin code (a directory `admin/` or `admin-api/`, a file "
        "`admin.go` or `user_admin.go`, a function or its receiver named with the word `Admin`: `AdminUpdate`, "
        "`adminHandler`), other than its login (a function named for authentication: `AdminLogin`; words of what an admin manages, `RestoreRolePermissions`, do not make a login), is a note: operators reach an admin API, not the public; an admin route served to "
        "everyone without authentication is then a note too. A read that runs only when a switch for "
        "developers is on is a note: in its function, the block of an `if` that names one (`if cfg.Debug {`, "
        "`if *devMode {`, `if opts.DemoEnable {`: debug, dev, develop, demo, test, mock, fake, echo, example, "
        "playground, sandbox), or the statements after `if !cfg.Debug { return }`; across functions and "
        "packages, a handler, middleware or helper every reference to which in the module is made under "
        "such a switch, named with enable, debug, demo or develop (`if APP.DemoEnable { register(\"/echo\", "
        "demo.Echo) }`, `if cfg.Debug { h = dump(h) }`; linter/switches.py, the module model's `switched`). "
        "A switch for a feature an operator turns on (`if cfg.EnableUploads`) is not one: the feature is "
        "served like any other route. Requests are followed through the "
        "handler's parameters and one struct field, not through other variables.",
        references=("https://pkg.go.dev/net/http#MaxBytesReader", "https://cwe.mitre.org/data/definitions/400.html"),
    ),
)

REQUIRES_IMPORTS = frozenset({"io", "io/ioutil", GIN})
METHOD_CALLS = frozenset({"ReadAll", "GetRawData"})

_READ_ALL = frozenset({"io.ReadAll", "io/ioutil.ReadAll"})
_GIN_CONTEXT = f"*{GIN}.Context"
_REQUEST = "*net/http.Request"
_WRITER = "net/http.ResponseWriter"
_CALLS = "(call_expression) @call"
_LIMITS = frozenset({"net/http.MaxBytesReader", "io.LimitReader"})
_LIMIT_QUERY = """
[
  (call_expression function: (selector_expression field: (field_identifier) @n (#match? @n "^(MaxBytesReader|LimitReader)$"))) @limit
  (assignment_statement left: (expression_list (selector_expression field: (field_identifier) @f (#eq? @f "Body")) @assigned))
]
"""


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file:
        return  # a test server has no hostile clients
    model = ctx.model
    for call in captures["call"]:
        read = _body_read(ctx, call)
        if read is None:
            continue
        owner, body_text, held_by_field = read
        if _limited(ctx, owner, body_text, call.start_byte) or length_bounded(ctx.model, owner.node, call):
            continue
        label = ctx.source.text(call.child_by_field_name("function"))
        shown = f"{label}({body_text})" if model.qualified(call) in _READ_ALL else f"{label}()"
        fix = (f"wrap the body first: `{body_text} = http.MaxBytesReader({_writer_text(owner, body_text)}, "
               f"{body_text}, maxBytes)`, or read from `io.LimitReader`")
        switch = developer_switch(ctx.source, call)
        if switch is not None:
            yield ctx.finding(
                RULE, call,
                f"{shown} reads the whole request body with no size limit, but only when a switch for developers "
                f"turns it on (`{switch}`): a default deployment does not read bodies here",
                severity=Severity.NOTE, fix=fix,
            )
            continue
        admin = _admin_code(ctx.relpath, owner)
        if admin is not None:
            where = "a middleware " if _in_middleware(ctx, owner) else ""
            yield ctx.finding(
                RULE, call,
                f"{shown} reads the whole request body with no size limit in {where}admin code ({admin}): "
                "operators reach an admin API, not the public, a lower risk than a public endpoint; check that "
                "its routes are not served to everyone",
                severity=Severity.NOTE, fix=fix,
            )
            continue
        passes = _passes_on(ctx, owner)
        if passes:
            # A `c.Next(); return` in a branch that leaves before the read is no pass the read follows.
            leading = [p for p in passes if p.end_byte <= call.start_byte and not _leaves_after(p, call)]
            if leading and all(p.end_byte <= call.start_byte for p in passes):
                message = (f"{shown} reads the whole request body with no size limit in a middleware, after the "
                           "handlers ran: whatever they left of the body of every request it sees is held in the heap (all of it "
                           "when they refused the request unread), so anyone can send one large or endless request "
                           "and take the heap")
            elif (check := _authenticated_before(ctx, owner, call.start_byte)) is not None:
                # The middleware checks the client itself before it reads (`claims, err :=
                # ValidateAccessToken(h); if err != nil { …; return }`): as a handler that does.
                message = (f"{shown} reads the whole request body with no size limit in a middleware, after its own "
                           f"check: only clients that pass `{check}` before it reach the read, a lower risk than a "
                           "public endpoint")
                yield ctx.finding(RULE, call, message, severity=Severity.NOTE, fix=fix, opt_in=OPT_IN_DEVELOPER)
                continue
            elif _answers_itself(call, passes, owner):
                # `if token != want { d, _ := io.ReadAll(r.Body); log(d); w.WriteHeader(401); return }`
                message = (f"{shown} reads the whole request body with no size limit in a middleware, on a way out "
                           "that answers the request itself before the handlers, and any authentication among "
                           "them, run: any client that takes it can send one large or endless request and take "
                           "the heap")
            else:
                message = (f"{shown} reads the whole request body with no size limit in a middleware: the body of every "
                           "request it sees (every route it is mounted for) is held in the heap before the handlers, "
                           "and any authentication among them, run, so anyone can send one large or endless request "
                           "and take the heap")
            yield ctx.finding(RULE, call, message, severity=Severity.ERROR, fix=fix, opt_in=OPT_IN_DEVELOPER)
            continue
        handler = is_handler(owner) or held_by_field
        check = _authenticated_before(ctx, owner, call.start_byte)
        secret = _secret_header_before(ctx, owner, call.start_byte) if check is None else None
        message = (f"{shown} reads the whole request body with no size limit: one large or endless request "
                   "takes the heap")
        if not handler:
            message += f" (unless every caller of {owner.shown} limits it first)"
        elif check is not None:
            message += (f"; only clients that pass `{check}` before it reach the read, a lower risk than a "
                        "public endpoint")
        elif secret is not None:
            message += (f"; only clients that send the secret `{secret}` (checked before it, leaving on a "
                        "mismatch) reach the read, a lower risk than a public endpoint")
        yield ctx.finding(
            RULE, call, message,
            severity=None if handler and check is None and secret is None else Severity.NOTE,
            fix=fix, opt_in=OPT_IN_DEVELOPER,
        )


# A directory or file of admin code: `pkg/admin/`, `admin_api/`, `admin.go`, `user_admin.go`.
_ADMIN_ELEMENT = LazyPattern(r"(?i)admin(?:[-_]?api)?")
_ADMIN_FILE = LazyPattern(r"(?i)(?:.*_)?admin(?:_.*)?\.go")
# `Admin` as a word of a function's or receiver's name: `AdminUpdate`, `adminHandler`, `handle_admin`;
# not `Administrator` or `badminton`.
_ADMIN_WORD = LazyPattern(r"(?:^|[a-z0-9_])(?:Admin|ADMIN)(?=[A-Z0-9_]|$)|(?:^|_)admin(?=[A-Z0-9_]|$)")


# Words of what an admin manages once in (`RestoreRolePermissions`, `UpdateACL`), not of the door
# to the admin area: a handler so named is admin code like any other.
_AUTHORISATION = LazyPattern(r"(?i)permissions?|rbac|acl|casbin|privileges?|roles?")


def _admin_code(relpath: str, owner: Function) -> str | None:
    """Why the function is admin code, by its directory, its file or its name (the named function
    around a literal), or None."""
    *directories, file = relpath.split("/")
    element = next((d for d in directories if _ADMIN_ELEMENT.fullmatch(d)), None)
    if element is not None:
        element = f"in {element}/"
    elif _ADMIN_FILE.fullmatch(file):
        element = f"in {file}"
    named = re.sub(r"(?:\.func\d+)+$", "", owner.name)
    if authenticated(_AUTHORISATION.sub("", named)):
        return None  # the door of an admin area (`AdminLogin`, `AdminSessionAuthenticate`): anyone knocks
    if element is None and any(_ADMIN_WORD.search(part) for part in named.split(".")):
        return f"`{named}`"
    return element


def _body_read(ctx: FileContext, call: Node) -> tuple[Function, str, bool] | None:
    """(owner, body text, whether the request is held by a request-context struct) for
    `io.ReadAll(<request>.Body)` and gin's `c.GetRawData()`."""
    model = ctx.model
    function = call.child_by_field_name("function")
    if function.child_by_field_name("field").text == b"GetRawData":
        receiver = function.child_by_field_name("operand")
        if receiver is None or receiver.type != "identifier" or call.child_by_field_name("arguments").named_child_count:
            return None
        param = _param(ctx, receiver)
        if param is None or param[1] != _GIN_CONTEXT:
            return None
        return param[0], f"{ctx.source.text(receiver)}.Request.Body", False
    body = _only_argument(call)
    if body is None or body.type != "selector_expression" or model.qualified(call) not in _READ_ALL:
        return None
    field = body.child_by_field_name("field")
    if field is None or ctx.source.text(field) != "Body":
        return None
    operand = body.child_by_field_name("operand")
    found = _request_of(ctx, operand)
    body_text = ctx.source.text(body).replace(" ", "")
    if found is not None:
        return found[0], body_text, False
    held = _request_in_field(ctx, operand)
    return None if held is None else (held[0], body_text, held[1])


def _request_in_field(ctx: FileContext, operand: Node | None) -> tuple[Function, bool] | None:
    """`c.Req` where c's struct type declares the field an `*http.Request`: (the function that takes
    c, whether the struct also holds the response writer, a per-request context)."""
    if operand is None or operand.type != "selector_expression":
        return None
    base = operand.child_by_field_name("operand")
    if base is None or base.type != "identifier" or field_type(ctx.model, operand) != _REQUEST:
        return None
    binding = ctx.model.resolve(base)
    if binding.kind not in ("param", "receiver") or binding.function is None:
        return None
    struct = struct_of(ctx.model, declared_type_node(ctx.model, binding))
    fields = struct_fields(ctx.model, struct) if struct is not None else {}
    return binding.function, _WRITER in fields.values()


def _in_middleware(ctx: FileContext, owner: Function) -> bool:
    """The read runs for every request around the next handler: the function passes the request on
    (`c.Next()`, `next.ServeHTTP(w, r)`, `next(c)`)."""
    return bool(_passes_on(ctx, owner))


def _leaves_after(call: Node, read: Node) -> bool:
    """`call` is a statement of a block that does not hold `read` and ends with a `return`: the
    function leaves there, and never gets to the read after passing the request on."""
    statement = call.parent
    block = statement.parent if statement is not None and statement.type == "expression_statement" else None
    if block is None or block.type not in ("block", "statement_list"):
        return False
    if block.start_byte <= read.start_byte < block.end_byte:
        return False
    return ends_with_return(block)


def _answers_itself(read: Node, passes: list[Node], owner: Function) -> bool:
    """The read is in a block of the middleware that ends with a `return` and passes nothing on: the
    middleware answers such requests itself, and only those have their bodies read."""
    node = read.parent
    while node is not None and node.id != owner.node.id:
        if node.type in ("block", "statement_list") and node.parent is not None \
                and node.parent.id != owner.node.id and not (node.type == "statement_list"
                                                             and node.parent.parent is not None
                                                             and node.parent.parent.id == owner.node.id):
            return ends_with_return(node) and not any(node.start_byte <= p.start_byte < node.end_byte for p in passes)
        node = node.parent
    return False


def _passes_on(ctx: FileContext, owner: Function) -> list[Node]:
    """The calls by which the function passes the request on to the next handler."""
    names = {p.name for p in owner.params if p.name and is_request_type(p.type) and p.type != _WRITER}
    found = []
    for call in query_captures(_CALLS, owner.node).get("call", []):
        function = call.child_by_field_name("function")
        args = call.child_by_field_name("arguments")
        passed = {ctx.source.text(a) for a in (args.named_children if args is not None else [])}
        if function.type == "selector_expression":
            operand = function.child_by_field_name("operand")
            method = function.child_by_field_name("field").text
            if method == b"Next" and operand is not None and ctx.source.text(operand) in names and not passed:
                found.append(call)  # gin's c.Next()
            elif method == b"ServeHTTP" and names & passed:
                found.append(call)
        elif function.type == "identifier" and names & passed and ctx.model.resolve(function).kind == "param":
            found.append(call)  # echo's next(c)
    return found


def _request_of(ctx: FileContext, operand: Node | None) -> tuple[Function, str] | None:
    """(the function owning the request parameter, its text) when `operand` is a request:
    `r` (*http.Request), `c.Request` (gin), `c.Request()` (echo)."""
    if operand is None:
        return None
    if operand.type == "identifier":
        param = _param(ctx, operand)
        if param is None or param[1] != "*net/http.Request":
            return None
        owner = param[0]
        if owner.name.endswith("RoundTrip") and owner.kind == "method":
            return None  # a transport reads the client's own outgoing body
        return owner, ctx.source.text(operand)
    inner = operand
    if operand.type == "call_expression" and operand.child_by_field_name("arguments").named_child_count == 0:
        inner = operand.child_by_field_name("function")
    if inner is None or inner.type != "selector_expression":
        return None
    field = inner.child_by_field_name("field")
    base = inner.child_by_field_name("operand")
    if field is None or field.text != b"Request" or base is None or base.type != "identifier":
        return None
    param = _param(ctx, base)
    if param is None or not is_request_type(param[1]) or "net/http." in param[1]:
        return None
    return param[0], ctx.source.text(operand)


def _param(ctx: FileContext, ident: Node) -> tuple[Function, str] | None:
    binding = ctx.model.resolve(ident)
    if binding.kind != "param" or binding.function is None or binding.decl is None:
        return None
    declared = ctx.model.declared_type(binding)
    return (binding.function, declared) if declared is not None else None


def _limited(ctx: FileContext, owner: Function, body_text: str, read_at: int) -> bool:
    """A MaxBytesReader/LimitReader over this body before the read, or the body replaced before it
    by something that is not the body itself. An assignment after the read (putting the bytes back
    for the next handler) limits nothing."""
    model = ctx.model
    captures = query_captures(_LIMIT_QUERY, owner.node)
    for node in captures.get("limit", []):
        if node.start_byte >= read_at or model.qualified(node) not in _LIMITS:
            continue
        args = node.child_by_field_name("arguments")
        if args is not None and any(ctx.source.text(a).replace(" ", "") == body_text for a in args.named_children):
            return True
    for target in captures.get("assigned", []):
        if target.start_byte >= read_at or ctx.source.text(target).replace(" ", "") != body_text:
            continue
        statement = target.parent.parent
        right = statement.child_by_field_name("right")
        value = ctx.source.text(right).replace(" ", "") if right is not None else ""
        limit_calls = [n for n in captures.get("limit", []) if right is not None
                       and right.start_byte <= n.start_byte < right.end_byte and model.qualified(n) in _LIMITS]
        if limit_calls or body_text not in value:
            return True
    return False


def _writer_text(owner: Function, body_text: str) -> str:
    """What the fix hands MaxBytesReader as the response writer: gin's `c.Writer` for `c.Request.Body`,
    echo's `c.Response()` for `c.Request().Body`, else the handler's `http.ResponseWriter` parameter
    (`w`, `rw`), from the function or one around it; `w` when none is in sight."""
    parameters = _parameters_around(owner)
    for suffix, writer in ((".Request.Body", ".Writer"), (".Request().Body", ".Response()")):
        context = body_text[:-len(suffix)] if body_text.endswith(suffix) else ""
        if context.isidentifier() and (suffix != ".Request.Body" or
                                       any(p.name == context and p.type == _GIN_CONTEXT for p in parameters)):
            return context + writer
    for param in parameters:
        if param.name and param.type == _WRITER:
            return param.name
    return "w"


def _parameters_around(owner: Function) -> list:
    found = []
    function = owner
    while function is not None:
        found += function.params
        function = function.parent
    return found


def _authenticated_before(ctx: FileContext, owner: Function, read_at: int) -> str | None:
    """A call before the read that checks who the client is (`if !s.CheckPerm(r, p) { return }`)
    or reads the identity an authentication middleware put on the request: the read is behind
    authentication. The call's name, or None."""
    for call in query_captures(_CALLS, owner.node).get("call", []):  # in source order: the first check
        if call.start_byte >= read_at:
            continue
        name = auth_check(ctx.source, call)
        if name is not None:
            return name
    return None


# A request header that carries a credential: `X-Admin-Secret`, `X-Api-Key`, `Authorization`,
# `X-Telegram-Bot-Api-Secret-Token`, `X-Hub-Signature`.
_SECRET_HEADER = LazyPattern(r"(?i)secret|token|api[-_]?key|auth|signature|password")
_HEADER_READ = LazyPattern(r"(?:\.Header(?:\(\))?\.Get|\bGetHeader|\bc\.Get)\(\s*\"([^\"]+)\"\s*\)")
# A mismatch test: `!= s.secret` (not `!= ""`, which only asks whether the header is there),
# `subtle.ConstantTimeCompare(…) != 1`, `!hmac.Equal(…)`, `!s.validToken(…)`; not `!strings.HasPrefix(…)`,
# which checks a format any client can send.
_MISMATCH = LazyPattern(r'!=(?!\s*(?:""|nil\b))|!\s*(?:[\w.]*\.)?\w*(?:Equal|Compare|Valid|Verify|Match)\w*\('
                        r"|ConstantTimeCompare[^=!]*(?:==\s*0|!=\s*1)")
_IFS = "(if_statement) @if"


def _secret_header_before(ctx: FileContext, owner: Function, read_at: int) -> str | None:
    """The header of a shared secret the handler checks before the read, leaving on a mismatch:
    `if r.Header.Get("X-Admin-Secret") != s.secret { return }`, directly or through a local the
    header was read into (`token := c.GetHeader("X-Token")`). The header's name, or None."""
    text = ctx.source.text
    model = ctx.model
    headers: dict[str, str] = {}  # a local holding a secret header -> the header
    for ifs in query_captures(_IFS, owner.node).get("if", []):
        if ifs.start_byte >= read_at or model.enclosing_function(ifs) is not owner \
                or not ends_with_return(ifs.child_by_field_name("consequence")):
            continue
        condition = ifs.child_by_field_name("condition")
        if condition is None:
            continue
        written = text(condition)
        if _MISMATCH.search(written) is None:
            continue
        for header in _HEADER_READ.findall(written):
            if _SECRET_HEADER.search(header):
                return header
        if not headers:
            headers = _secret_header_locals(ctx, owner, read_at) or {"": ""}
        for name, header in headers.items():
            if name and re.search(rf"\b{re.escape(name)}\b", written):
                return header
    return None


def _secret_header_locals(ctx: FileContext, owner: Function, read_at: int) -> dict[str, str]:
    """Locals the handler reads a secret header into before the read (`token := c.GetHeader("X-Token")`)."""
    found = {}
    for statement in query_captures("(short_var_declaration) @s", owner.node).get("s", []):
        if statement.start_byte >= read_at or ctx.model.enclosing_function(statement) is not owner:
            continue
        left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
        if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
            continue
        match = _HEADER_READ.search(ctx.source.text(right.named_children[0]))
        if match is not None and _SECRET_HEADER.search(match.group(1)):
            found[ctx.source.text(left.named_children[0])] = match.group(1)
    return found


def _only_argument(call: Node) -> Node | None:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.named_child_count != 1:
        return None
    return arguments.named_children[0]
