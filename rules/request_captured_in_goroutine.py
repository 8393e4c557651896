"""GL301 request-captured-in-goroutine."""

from __future__ import annotations

import re

from typing import Iterable

from tree_sitter import Node

from goleaklint import frameworks as fw
from goleaklint.context import FileContext
from goleaklint.goroutines import awaited, go_call, go_literal
from goleaklint.ignores import hook, started_slot
from goleaklint.model import FileModel, descendants
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.patterns import LazyPattern
from goleaklint.source import query_captures

_NET_HTTP = "net-http"  # Finding.kind of a net/http request or writer, not a framework's pooled context


RULE = Rule(
    id="GL301",
    slug="request-captured-in-goroutine",
    title="a goroutine the handler does not wait for uses the request, its writer or the framework context",
    severity=Severity.WARNING,
    tags=("memory-leak", "correctness"),
    # Measured on held-out codebases (docs/ecosystem.md): 26 of 57 worth a change at first; batches
    # 110-113 (a framework's pooled context read by audit goroutines after the handler returns, eight
    # times in one API) brought it to 94 of 184 (51%), medium.
    precision="medium",
    # Its warnings, the net/http request or writer a goroutine uses (a framework's pooled context is
    # an error), read 15 of 55 on the ledger, against 80 of 131 for its errors: judged before this
    # kind was told apart (by the level they had then), so the label is declared on codebases now
    # used for tuning; held-out batches measure it from here.
    precision_by_kind=(("net-http", "low"),),
    docs=Docs(
        what="Finds a `go` statement that uses a value owned by the current HTTP request: the "
        "`*http.Request` or `http.ResponseWriter` of a net/http handler (also `ServeHTTP` methods, "
        "`http.HandlerFunc` literals, literals given to routers), gin's `*gin.Context` and the "
        "`c.Request`, `c.Request.Body` and `c.Writer` reached through it, echo's `echo.Context` "
        "(`c.Request()`, `c.Response()`), fiber's `*fiber.Ctx` (v2's `c.Context()`, v3's `c.RequestCtx()`; v3's `c.Context()` is a "
        "`context.Context` of its own, which fiber's docs give goroutines) and fasthttp's "
        "`*fasthttp.RequestCtx`, or a local set from one of these (`req := c.Request`). A use is the "
        "value passed as an argument of the goroutine's call, the receiver of the call, or any "
        "mention inside a `go func(){…}()` literal (or a literal a local was set to once, `send := func(){…}; go send()`). The goroutine is reported only when the function "
        "that starts it does not wait for it: waiting is a `.Wait()` call (`sync.WaitGroup`, "
        "errgroup) after the `go` statement or deferred, or a receive (`<-ch`, `case <-ch:`, "
        "`for range ch`) after it from a channel the goroutine mentions, or reached from a local or parameter it is "
        "given or captures (`go connect(c, sess); <-sess.errs`, `<-pub.Done()` of a publisher it closes; not a "
        "context's or a request's `Done()`), or that a callback it runs "
        "mentions: a func literal in the initialiser of a local the `go` statement uses, such as the "
        "connection handler of a websocket server whose `ServeHTTP` runs in the goroutine "
        "(`srv := websocket.Server{Handler: func(ws){ …; close(done) }}; go srv.ServeHTTP(w, r); "
        "<-done`). Pooled framework contexts "
        "(gin, echo, fiber, fasthttp) are reported as errors, the net/http request and writer as "
        "warnings.",
        why="Once the handler returns, its request values belong to no one: gin, echo and fiber put "
        "the context back in a pool and hand it to the next request, so the goroutine reads another "
        "user's request or writes into another user's response; fiber's strings point into reused "
        "buffers; net/http closes the request body and finishes the response, so a later `Write` is "
        "lost and a later `Body.Read` fails. Meanwhile the goroutine keeps the request, its headers, "
        "body buffers and form data alive for as long as it runs, so slow background work multiplies "
        "the memory each request holds.",
        example="""r.GET("/report", func(c *gin.Context) {
    go func() {
        audit(c.Request.URL.Path, c.GetHeader("User-Agent"))
    }()
    c.Status(http.StatusAccepted)
})""",
        use_instead="""r.GET("/report", func(c *gin.Context) {
    cCp := c.Copy() // gin's read-only copy, safe to use after the handler returns
    go func() {
        audit(cCp.Request.URL.Path, cCp.GetHeader("User-Agent"))
    }()
    c.Status(http.StatusAccepted)
})
// or copy the values the goroutine needs: path, ua := c.Request.URL.Path, c.GetHeader("User-Agent")""",
        limits="A goroutine that only reads fields net/http never changes after the handler returns (`URL`, `Method`, `Header`, `Host`, `RemoteAddr`, `UserAgent()`...) of an `*http.Request` is a note. "
        "So is one that hands the request only to logging calls (`log…`, `slog`, `logger.…`, `….Log().Request(r)`), "
        "captured or given as the literal's argument: a logger reads what net/http no longer changes. "
        "So is one that uses only net/http's request and writer after the handler upgraded the connection to a "
        "websocket or hijacked it (`upgrader.Upgrade(w, r, nil)`, `ws.UpgradeHTTP(r, w)`, `websocket.Accept(w, r, "
        "…)`, `w.(http.Hijacker).Hijack()`, earlier in the handler): net/http no longer closes the body and "
        "refuses every later write. "
        "A package function started with the request (`go audit(r)`), or called with it inside the goroutine "
        "(`go func() { fetch(book, r) }()`), is judged the same way, by what it does with that parameter, one call "
        "deep: an unnamed or blank parameter (`_ *http.Request`) does nothing with it. A pooled framework context "
        "handed so (`go s.notify(c, id)`) is kept only if the function uses that parameter at all: one that takes a "
        "`context.Context` and never refers to it keeps nothing. Past that, a pooled context the goroutine only passes "
        "on as a plain argument is followed through every package and interface of the module: when each function "
        "it reaches ignores it or only passes it on to functions that do (a service handing it to a repository "
        "that never reads it), the finding is a note. A context reached through a local (`cc := c`), or passed "
        "through a function value, a call of a dependency or a variadic parameter, is not followed. "
        "Not reported: `c.Copy()` made before the goroutine (gin's fix); fiber's `c.SaveFile(fh, path)` "
        "and `SaveFileToStorage`, which never read their receiver; values read out of "
        "the request before the `go` statement (`id := c.Param(\"id\")`, `go use(id)`); "
        "`r.Context()` and `r.Clone(ctx)` of a net/http request, passed in or called inside the "
        "literal (the context is cancelled when the handler returns, which is usually what the "
        "goroutine wants); goroutines the starting function waits for as described above. A "
        "`*http.Request` counts only as a parameter of a server handler (a function that also takes "
        "an `http.ResponseWriter`), since clients build requests too. Request values reached through "
        "struct fields, or a goroutine started in a helper the handler calls with the request, are "
        "not followed. Callbacks are found only in the initialiser of a local the `go` statement uses, "
        "written there or named by a local set to a func literal (`h := func(ws *websocket.Conn) {…}`, "
        "then `websocket.Server{Handler: h}`), not when set later (`srv.Handler = …`) or named as a "
        "function; a receive from a channel the "
        "callback mentions counts as waiting even if the callback is never called. Strings read from a `*fiber.Ctx` are not immutable unless the app is "
        "configured so; copying them is not checked. Test files are not checked: test handlers "
        "misbehave on purpose.",
        references=(
            "https://gin-gonic.com/en/docs/examples/goroutines-inside-a-middleware/",
            "https://docs.gofiber.io/#zero-allocation",
            "https://pkg.go.dev/net/http#Handler",
        ),
    ),
)

REQUIRES_IMPORTS = frozenset({fw.HTTP, fw.GIN, fw.FASTHTTP, *fw.ECHO_PATHS, *fw.FIBER_PATHS})
QUERY = "(go_statement) @go"

_AFTER = {
    fw.GIN_CONTEXT: "gin hands the context to the next request once the handler returns",
    fw.ECHO_CONTEXT: "echo puts the context back in its pool once the handler returns",
    fw.FIBER_CTX: "fiber reuses the context and its buffers for the next request once the handler returns",
    fw.FASTHTTP_CTX: "fasthttp reuses the request context once the handler returns",
    fw.FASTHTTP_MESSAGE: "fasthttp reuses the request and response once the handler returns",
    fw.HTTP_REQUEST: "the request and its buffers stay alive while it runs, and its body is closed when the handler returns",
    fw.RESPONSE_WRITER: "the response is finished when the handler returns, so later writes are lost or panic",
    fw.REQUEST_BODY: "the server closes the body when the handler returns",
}
_FIX = {
    fw.GIN_CONTEXT: "take `cCp := c.Copy()` before the `go` statement and use cCp, or copy the values the goroutine needs",
}
def _fix(kind: str, names: list[str]) -> str:
    """The fix, with gin's copy taken of the context the goroutine uses, by its name (`ctx`)."""
    if kind == fw.GIN_CONTEXT and names and names[0].strip("`").isidentifier():
        name = names[0].strip("`")
        return (f"take `{name}Cp := {name}.Copy()` before the `go` statement and use {name}Cp, or copy the values "
                "the goroutine needs")
    return _FIX.get(kind, _DEFAULT_FIX)


_DEFAULT_FIX = "copy the values the goroutine needs before starting it (and pass `r.Context()` if it should stop with the request), or wait for it before returning"


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file:
        return  # test handlers park requests and writers on purpose, to assert on them
    model = ctx.model
    for go in captures["go"]:
        functions = ctx.package.facts.functions if ctx.package is not None else None
        callee = functions.callee(ctx, go_call(go)) if go_call(go) is not None \
            and go_literal(go, model) is None and functions is not None else None
        uses = _uses(model, go, callee, (lambda call: functions.callee(ctx, call)) if functions is not None else None)
        if not uses or awaited(model, go):
            continue
        node, kind, how = max(uses, key=lambda u: (u[1] in fw.POOLED_KINDS, u[1] == fw.RESPONSE_WRITER, -u[0].start_byte))
        if how in ("copies", "reads"):
            how = "captures"
        names = _names(ctx, [n for n, k, _ in uses if k == kind])
        others = _names(ctx, [n for n, k, _ in uses if k != kind])
        shown = ", ".join(f"`{n}`" for n in names[:3]) + (
            f" (and {', '.join(f'`{n}`' for n in others[:2])})" if others else "")
        severity = Severity.ERROR if kind in fw.POOLED_KINDS else None
        if kind == fw.HTTP_REQUEST and all(h in ("reads", "logs") for _, _, h in uses) \
                and any(h == "logs" for _, _, h in uses):
            yield ctx.finding(
                RULE, go,
                f"goroutine hands {fw.describe(kind)} {shown} only to logging calls, and the handler does not wait for it: "
                "a logger reads its method, URL, headers or context values, which net/http no longer changes once the "
                "handler returns, but the goroutine keeps the request alive",
                fix=_FIX.get(kind, _DEFAULT_FIX), severity=Severity.NOTE,
            )
            continue
        plain = all(k in (fw.RESPONSE_WRITER, fw.HTTP_REQUEST) for _, k, _ in uses)
        upgrade = _upgraded_before(ctx, go, [n.strip("`") for n in names + others]) if plain else None
        if upgrade is not None:
            yield ctx.finding(
                RULE, go,
                f"goroutine uses {fw.describe(kind)} {shown} after the handler's `{upgrade}`: a websocket upgrade took "
                "the connection over, so net/http neither closes the request's body nor takes writes to the writer "
                "(it refuses them, logs it and keeps nothing), however long the goroutine runs",
                fix="write errors to the websocket connection instead of the response writer", severity=Severity.NOTE,
            )
            continue
        if all(h == "reads" for _, _, h in uses):
            fields = ", ".join(sorted({n.parent.child_by_field_name("field").text.decode("utf-8", "replace")
                                       if n.parent.type == "selector_expression"
                                       else f"settled fields (through `{_callee_text(ctx, n)}`)" for n, _, _ in uses}))
            yield ctx.finding(
                RULE, go,
                f"goroutine reads {fields} of {fw.describe(kind)} {shown} and the handler does not wait for it: "
                f"net/http no longer changes them once the handler returns, but the goroutine keeps the request alive",
                fix=_FIX.get(kind, _DEFAULT_FIX), severity=Severity.NOTE,
            )
            continue
        if all(h == "copies" for _, _, h in uses):
            message = (f"goroutine calls `{names[0].strip(chr(96))}.Copy()` itself, while the handler may already have returned: "
                       f"{_AFTER[kind]}, so the copy must be taken before the `go` statement")
        else:
            message = f"goroutine {how} {fw.describe(kind)} {shown} and the handler does not wait for it: {_AFTER[kind]}"
        yield ctx.finding(RULE, go, message, fix=_fix(kind, names), severity=severity,
                          kind="" if kind in fw.POOLED_KINDS else _NET_HTTP,
                          handoffs=_handoffs(model, go, uses, callee) if severity is Severity.ERROR
                          and not all(h == "copies" for _, _, h in uses) else ())


# Calls that take a handler's connection over: gorilla's `upgrader.Upgrade(w, r, h)`, gobwas'
# `ws.UpgradeHTTP(r, w)`, a Hijacker's `Hijack()`, nhooyr's and coder's `websocket.Accept(w, r, o)`.
_UPGRADES = frozenset({"Upgrade", "UpgradeHTTP", "Hijack"})
_ACCEPTS = frozenset({"nhooyr.io/websocket.Accept", "github.com/coder/websocket.Accept"})


def _upgraded_before(ctx: FileContext, go: Node, names: list[str]) -> str | None:
    """The call that upgraded the handler's connection to a websocket (or hijacked it) before the
    `go` statement, in the same function, given the request or writer the goroutine uses
    (`conn, err := upgrader.Upgrade(w, r, nil)`, `ws.UpgradeHTTP(r, w)`,
    `w.(http.Hijacker).Hijack()`): its text up to the arguments, or None."""
    model = ctx.model
    function = model.enclosing_function(go)
    text = function.node.text if function is not None else b""
    if function is None or b"Upgrade" not in text and b"Accept(" not in text and b"Hijack(" not in text:
        return None
    wanted = set(names)
    for call in query_captures("(call_expression) @call", function.node).get("call", []):
        if call.start_byte >= go.start_byte or model.enclosing_function(call) is not function:
            continue
        callee = call.child_by_field_name("function")
        upgraded = callee.type == "selector_expression" and \
            ctx.source.text(callee.child_by_field_name("field")) in _UPGRADES or model.qualified(call) in _ACCEPTS
        if not upgraded:
            continue
        given = {ctx.source.text(a) for a in call.child_by_field_name("arguments").named_children if a.type == "identifier"}
        if callee.type == "selector_expression":  # `w.(http.Hijacker).Hijack()`
            given |= {ctx.source.text(n) for n in descendants(callee.child_by_field_name("operand"))
                      if n.type == "identifier"}
        if given & wanted:
            return ctx.source.text(callee) + "(…)"
    return None


def _names(ctx: FileContext, nodes: list[Node]) -> list[str]:
    return sorted({n.text.decode("utf-8", "replace") for n in nodes}, key=lambda s: (len(s), s))


def _uses(model: FileModel, go: Node, callee=None, resolve=None) -> list[tuple[Node, str, str]]:
    """(node, kind, how) for every request value the goroutine gets hold of. `callee`: the
    package function (its file's context and Function) a `go f(r)` starts, when known; `resolve`:
    the package function a call inside the goroutine runs, for a request handed on to one."""
    uses: list[tuple[Node, str, str]] = []
    call = go_call(go)
    if call is None:
        return uses
    args = call.child_by_field_name("arguments")
    literal = go_literal(go, model)
    body, body_model, params = None, model, []
    if literal is not None:
        body, params = literal, _parameter_names(literal)
    elif callee is not None and callee[1].node is not None:
        body_model, body = callee[0].model, callee[1].node
        params = [p.node for p in callee[1].params]
        if any(p.type.startswith("...") for p in callee[1].params):
            params = params[:next(i for i, p in enumerate(callee[1].params) if p.type.startswith("..."))]
    for index, arg in enumerate(args.named_children if args is not None else []):
        value = fw.request_value(model, arg)
        if value is None:
            continue
        if body is not None and index < len(params) and _ignored(body_model, params[index], body):
            continue  # `go c.notify(ctx, id)` where notify never uses its ctx: nothing is kept
        if value.kind == fw.HTTP_REQUEST and index < len(params) and params[index] is not None:
            # `go func(r *http.Request) { … }(r)`, `go audit(r)`: what the function does with its
            # parameter decides; its uses stand for the request.
            refs = body_model.references(params[index], within=body)
            verdicts = [(ref, _captured_use(body_model, ref, value.kind)) for ref in refs]
            if verdicts and all(v in ("reads", "logs", None) for _, v in verdicts):
                uses.extend((ref, value.kind, v) for ref, v in verdicts if v is not None)
                if all(v is None for _, v in verdicts):
                    uses.append((arg, value.kind, "is given"))
                continue
        uses.append((arg, value.kind, "is given"))
    function = call.child_by_field_name("function")
    if literal is None and function is not None and function.type == "selector_expression":
        value = fw.request_value(model, function.child_by_field_name("operand"))
        if value is not None:
            uses.append((value.node, value.kind, "calls a method of"))
    if literal is None:
        return uses
    outer = model.enclosing_function(go)
    while outer is not None:
        for decl, kind in fw.request_decls(model, outer):
            if kind in fw.POOLED_KINDS and _abandoned(model, decl, outer):
                continue
            for ref in model.references(decl, within=literal):
                verdict = _captured_use(model, ref, kind)
                if verdict == "captures" and resolve is not None:
                    verdict = _handed_to(model, ref, kind, resolve)
                if verdict is not None:
                    uses.append((ref, kind, verdict))
        outer = outer.parent
    return uses


def _handoffs(model: FileModel, go: Node, uses: list[tuple[Node, str, str]], callee) -> tuple[str, ...]:
    """The slots the goroutine gets each pooled context it uses through (Finding.handoffs): an
    argument of the literal or package function it starts (`literal#0`, `notify#1`), a parameter of
    an enclosing function its literal captures (`literal#c`), or an argument of a call the package
    cannot resolve (`handler#go12.0`). The module model decides whether
    anything reads the value there (linter/ignores.py); () when some use goes another way."""
    call = go_call(go)
    literal = go_literal(go, model)
    function = model.function_of(literal) if literal is not None else callee[1] if callee is not None else None
    arguments = call.child_by_field_name("arguments") if call is not None else None
    given = {argument.id: index for index, argument in enumerate(arguments.named_children if arguments is not None else ())}
    if call is not None and literal is None and callee is None:
        # `go h.audit.Record(c, e)` through an interface or into another package: the argument's
        # slot in the function that starts it, which the module model follows into the call.
        owner = model.enclosing_function(go)
        if owner is None or any(kind not in fw.POOLED_KINDS or node.id not in given or node.type != "identifier"
                                for node, kind, _ in uses):
            return ()
        return tuple(sorted({hook(owner.name, started_slot(go, given[node.id])) for node, _, _ in uses}))
    if call is None or function is None or literal is not None and literal.parent != call:
        return ()
    hooks: set[str] = set()
    for node, kind, _ in uses:
        if kind not in fw.POOLED_KINDS:
            return ()
        if node.id in given:
            hooks.add(hook(function.name, given[node.id]))
            continue
        binding = model.resolve(node) if literal is not None and node.type == "identifier" \
            and literal.start_byte <= node.start_byte < literal.end_byte else None
        if binding is None or binding.kind != "param" or binding.decl is None:
            return ()
        hooks.add(hook(function.name, model.source.text(binding.decl)))
    return tuple(sorted(hooks))


def _callee_text(ctx: FileContext, argument: Node) -> str:
    call = argument.parent.parent if argument.parent is not None else None
    function = call.child_by_field_name("function") if call is not None else None
    return ctx.source.text(function) if function is not None else "a call"


def _handed_to(model: FileModel, ref: Node, kind: str, resolve) -> str | None:
    """A request passed as a plain argument to a package function (`download(book, r)`): what that
    function does with its parameter decides, one call deep. An unnamed or blank parameter (`_
    *http.Request`) does nothing with it; reads of settled fields and logging stay notes."""
    arguments = ref.parent
    call = arguments.parent if arguments is not None and arguments.type == "argument_list" else None
    if call is None or call.type != "call_expression":
        return "captures"
    target = resolve(call)
    if target is None or target[1].node is None:
        return "captures"
    index = next((i for i, a in enumerate(arguments.named_children) if a.id == ref.id), None)
    params = target[1].params
    if index is None or index >= len(params) or any(p.type.startswith("...") for p in params[:index + 1]):
        return "captures"
    param = params[index].node
    if param is None or param.text == b"_":
        return None
    callee_model = target[0].model
    if kind != fw.HTTP_REQUEST:
        # A pooled context is wrong to keep whatever the callee does with it, unless it does nothing.
        return None if _ignored(callee_model, param, target[1].node) else "captures"
    verdicts = {_captured_use(callee_model, use, kind) for use in callee_model.references(param, within=target[1].node)}
    verdicts.discard(None)
    if not verdicts:
        return None
    return verdicts.pop() if len(verdicts) == 1 and verdicts <= {"reads", "logs"} else "captures"


def _ignored(model: FileModel, param: Node | None, body: Node) -> bool:
    """The function never uses this parameter: unnamed, blank, or named and never referred to."""
    if param is None or param.text == b"_":
        return True
    if param.parent is not None and param.parent.type == "variadic_parameter_declaration":
        return False
    return not model.references(param, within=body)


def _abandoned(model: FileModel, decl: Node, function) -> bool:
    """fiber v3's `c.Abandon()` takes the context out of the pool, so a goroutine may keep it."""
    if function.body is None:
        return False
    for ref in model.references(decl, within=function.body):
        parent = ref.parent
        if parent is not None and parent.type == "selector_expression" and model.source.text(parent.child_by_field_name("field")) == "Abandon":
            return True
    return False


def _captured_use(model: FileModel, ref: Node, kind: str) -> str | None:
    """How the literal uses a captured request value, or None for a use that is fine."""
    parent = ref.parent
    if parent is not None and parent.type == "selector_expression" and parent.child_by_field_name("operand") == ref:
        method = model.source.text(parent.child_by_field_name("field"))
        call = parent.parent
        is_call = call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent
        if is_call and kind == fw.HTTP_REQUEST and method in ("Context", "Clone"):
            return None  # cancelled with the request / a deep copy: what the goroutine should take
        if is_call and kind == fw.GIN_CONTEXT and method == "Copy":
            return "copies"
        if is_call and kind == fw.FIBER_CTX and method in _RECEIVER_UNUSED_FIBER:
            return None  # fiber's own helper that never reads its receiver

        if kind == fw.HTTP_REQUEST and method in _SETTLED_FIELDS:
            return "reads"
    if kind == fw.HTTP_REQUEST and parent is not None and parent.type == "argument_list" and _logging_call(model, parent.parent):
        return "logs"
    return "captures"


def _parameter_names(literal: Node) -> list[Node | None]:
    """The literal's parameter name nodes by position (None for an unnamed one)."""
    names: list[Node | None] = []
    params = literal.child_by_field_name("parameters")
    for decl in params.named_children if params is not None else []:
        if decl.type != "parameter_declaration":
            return names  # variadic: positions past it do not line up
        found = decl.children_by_field_name("name")
        names.extend(found or [None])
    return names


_LOGGER_NAMES = frozenset({"log", "slog", "logger", "logging", "logs", "logrus", "zap", "zerolog", "klog", "glog", "logr"})
_LOG_METHOD = LazyPattern(r"[Ll]og(?:[A-Z_]\w*)?")


def _logging_call(model: FileModel, call: Node | None) -> bool:
    """`conf.Log().Request(r)`, `logger.Error("…", "req", r)`, `log.Printf("%v", r)`: a call that
    only records the request."""
    if call is None or call.type != "call_expression":
        return False
    function = call.child_by_field_name("function")
    names = re.findall(r"[A-Za-z_]\w*", model.source.text(function)) if function is not None else []
    return any(name.lower() in _LOGGER_NAMES or _LOG_METHOD.fullmatch(name) for name in names)


# Methods of fiber's context that never read their receiver: `SaveFile(fh, path)` and
# `SaveFileToStorage(fh, path, storage)` write a form's file header, whatever context calls them.
_RECEIVER_UNUSED_FIBER = frozenset({"SaveFile", "SaveFileToStorage"})


# What net/http never changes after the handler returns: reading these later reads what the
# request said, unlike its Body (closed) or the form (parsed from the body).
_SETTLED_FIELDS = frozenset({"URL", "Method", "Host", "RemoteAddr", "Header", "Proto", "RequestURI", "UserAgent",
                             "Referer", "TLS", "ContentLength", "Cookie", "Cookies", "Pattern", "PathValue"})
