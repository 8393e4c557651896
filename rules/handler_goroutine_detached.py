"""GL104 handler-goroutine-detached."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint import frameworks as fw
from goleaklint.cfg import terminating_call
from goleaklint.clients import maker_key
from goleaklint.context import FileContext, PackageContext
from goleaklint.effects import PackageEffects, Slow, bounded_slow_call, mentions_context
from goleaklint.goroutines import PackageFunctions, awaited, go_call, go_literal, last_name
from goleaklint.model import FileModel, Function
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures
from goleaklint.patterns import LazyPattern

RULE = Rule(
    id="GL104",
    slug="handler-goroutine-detached",
    title="a handler starts a goroutine that blocks, takes no context and is not awaited",
    severity=Severity.WARNING,
    tags=("goroutine-leak",),
    precision="low",  # measured on held-out codebases (docs/ecosystem.md)
    docs=Docs(
        what="Finds a `go` statement inside an HTTP handler (net/http, gin, echo, fiber, fasthttp; "
        "also literals nested in one) whose goroutine takes no context, is not awaited, and does "
        "blocking or slow work. What is read: the `go func(){…}()` literal (or the literal a local was set to once), or the body of the "
        "function or method of the same package that `go f(x)` starts. Blocking or slow work is exactly: `time.Sleep`; a receive from "
        "`time.After`/`time.Tick`; a channel send or receive outside a `select` that has a "
        "`default`; a `.Wait()` call; `http.Get`/`Post`/`PostForm`/`Head`; `Do`/`Get`/`Post`/"
        "`PostForm`/`Head` on an `*http.Client` (or `http.DefaultClient`); `net.Dial`, `net.DialTCP` (not `net.DialUDP`, which takes no handshake); "
        "`smtp.SendMail`; `Run`/`Output`/`CombinedOutput` of an `exec.Command`; `Query`, `QueryRow`, "
        "`Exec`, `Ping`, `Begin`, `Prepare` on a `database/sql` `DB`/`Tx`/`Conn`/`Stmt`; and the "
        "finishing methods (`Create`, `Save`, `Find`, `First`, `Delete`, `Update`, `Exec`, `Scan`, …) "
        "of a `*gorm.DB`; and a call of a function of the package that does such work itself or through "
        "the package functions it calls, to any depth (linter/effects.py; the message names the chain, "
        "\"calls `doHeavyTask`, which sleeps\"), unless that function takes a `context.Context` or "
        "mentions the `context` package, since it then answers to the context its caller gives it. In a "
        "called function only those calls count: its channel operations and `.Wait()` calls do not. "
        "A goroutine whose only such work is `time.Sleep`, `time.After`, `net.DialTimeout` (what the connection then does is not counted), or a request on an `*http.Client` whose "
        "total `Timeout` the package sets (in the client's literal, by assigning `c.Timeout`, or in every client "
        "the package stores in the struct field the call is made on: what GL405 reads), or a query of a database "
        "(`database/sql`, gorm: it ends when the database answers, and a database that stops answering stops "
        "the service, not one goroutine; on the ledger 1 of 39 such goroutines was worth a change, for another "
        "reason) is reported at note level: "
        "the delay ends by itself; everything else may hang and is a warning. "
        "The receiver's type must be known from a parameter, a receiver, a package variable or a "
        "struct field declared in the package: a name that merely suggests I/O (`sendEmail`, `saveAsync`) is not enough. "
        "Taking a context: any mention of the `context` package, of an identifier named like a "
        "context (`ctx`, `reqCtx`), of `.Context()`, `.Done()` or `.WithContext()`, or a started "
        "function with a `context.Context` parameter. Awaited: as GL301 (a `.Wait()` after it, or a "
        "receive from a channel the goroutine mentions or holds). Also silent: a goroutine that uses a value "
        "the starting function closes with `defer x.Close()` (a websocket writer beside its reader: "
        "the close reaches it), and one that ends the process (`os.Exit`, `log.Fatal`). A channel "
        "operation that is a case of a `select` which also waits on a timer or ticker wakes up by "
        "itself and is not counted; a receive from a timer or ticker counts like a sleep. Nor is a "
        "receive from a channel the handler closes on its way out (`done := make(chan struct{}); defer "
        "close(done)`), or an operation in a `select` that has such a case: the handler's return wakes it. A goroutine "
        "whose only work that may hang is sending on a channel variable of a package (`events <- e`, "
        "`bus.Events <- e`, another package of the module included), or on a channel field of a struct of "
        "its own package (`h.events <- e`), that a loop of that package receives "
        "from (`for e := range events`, `for { e := <-h.events … }`, a `select` case in such a loop) is a "
        "note: the send waits only while that consumer is behind. Fields are matched by name across the "
        "package's structs, and the loop is taken to run for the value sent to.",
        why="Nothing stops such a goroutine when the client goes away or the request times out: "
        "it keeps its stack and everything it captured until its slow call returns, and a call "
        "without a deadline may never return. Under load, or when a downstream service hangs, each "
        "request leaves one more goroutine behind and memory climbs with traffic.",
        example="""func signup(w http.ResponseWriter, r *http.Request) {
    u := parseUser(r)
    go func() {
        http.Post(webhookURL, "application/json", encode(u)) // no deadline, no cancellation
    }()
    w.WriteHeader(http.StatusCreated)
}""",
        use_instead="""func signup(w http.ResponseWriter, r *http.Request) {
    u := parseUser(r)
    // detached from the request, but bounded
    ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 10*time.Second)
    go func() {
        defer cancel()
        req, _ := http.NewRequestWithContext(ctx, "POST", webhookURL, encode(u))
        http.DefaultClient.Do(req)
    }()
    w.WriteHeader(http.StatusCreated)
}""",
        limits="Silent when the goroutine uses a request value (GL301 reports that instead), takes "
        "a context, or is awaited. Types of locals are not inferred (`db := getDB()`), so calls on "
        "them are not counted; nor are clients of other libraries, except those listed. A context "
        "that is taken but never checked still counts as taken, in the goroutine or in a function it "
        "calls. A goroutine started after the handler upgrades or hijacks the connection (`upgrader.Upgrade(w, r, nil)`, "
        "`websocket.Accept`, `Hijack()`, or a call named for an upgrade: `upgradeWebsocket(w, r)`) serves that connection, as long as it lives: not reported. "
        "A consumer loop is taken to run once it is written: whether the program starts it is not checked. "
        "Functions of other packages, interface methods and function values are not followed: "
        "slow work behind them is not seen. Test files are not checked.",
        references=("https://pkg.go.dev/context#WithoutCancel", "https://go.dev/blog/context"),
    ),
)

_IDENTIFIERS = "(identifier) @name"
_WORK = """
(call_expression function: (_) @callee) @call
(send_statement channel: (_) @channel) @send
(unary_expression operator: "<-" operand: (_) @operand) @receive
"""
def check_package(pkg: PackageContext) -> Iterable[Finding]:
    functions = pkg.facts.functions
    for ctx in pkg.files:
        if ctx.relpath not in pkg.report_paths or ctx.is_test_file:
            continue
        model = ctx.model
        for go in ctx.model.go_statements:
            handler = fw.enclosing_handler(model, go)
            if handler is None:
                continue
            call = go_call(go)
            if call is None:
                continue
            literal = go_literal(go, model)
            if literal is not None:
                body_ctx, body_fn = ctx, model.function_of(literal)
            else:
                target = functions.callee(ctx, call)
                if target is None:
                    continue
                body_ctx, body_fn = target
            if body_fn is None or body_fn.body is None:
                continue
            if _takes_context(ctx, go) or _has_context_param(body_fn) or awaited(model, go):
                continue
            outside = not (go.start_byte <= body_fn.node.start_byte < go.end_byte)
            if outside and _takes_context(body_ctx, body_fn.body):
                continue
            if _ends_process(body_ctx, body_fn.body) or _uses_closed_by_handler(ctx, go) \
                    or _after_upgrade(ctx, handler, go):
                continue
            released = _closed_on_return(ctx, go) if literal is not None else frozenset()
            slow = _slow_work(body_ctx, body_fn, functions, pkg.facts.effects, released)
            if slow is None:
                continue
            work, may_hang, drains = slow
            consumed = ""
            if may_hang and drains == ():
                # every send that may hang is on a channel a loop of the package drains
                may_hang = False
                consumed = _CONSUMED.format(channels=work.split(" ", 2)[-1])
            name = handler.name if handler.kind != "literal" else "the handler"
            where = "" if literal is not None else f" ({body_fn.shown})"
            yield ctx.finding(
                RULE, go,
                f"{name} starts a goroutine{where} that {work}, takes no context and is not awaited: "
                + ("request cancellation never reaches it, so a blocked send keeps it alive" if may_hang and drains
                   else "request cancellation never reaches it, so a slow or hung call keeps it alive" if may_hang
                   else consumed or "request cancellation never reaches it, though the delay ends by itself"),
                fix="pass a context and stop with it (for work that must outlive the request: "
                "`context.WithTimeout(context.WithoutCancel(r.Context()), d)`), or wait for the goroutine",
                severity=None if may_hang else Severity.NOTE,
                drains=drains or (),
            )


_CONSUMED = ("request cancellation never reaches it, but {channels} is received from by a loop of its package "
             "for as long as that loop runs, so the send waits only while that consumer is behind")


# Taking the connection over from the server: a websocket upgrade (gorilla, coder/nhooyr, x/net),
# also through a helper named for it (`upgradeWebsocket(w, r)`, `api.UpgradeSafeConn(c)`), or
# net/http's Hijack.
_UPGRADE = LazyPattern(rb"\b\w*[Uu]pgrade\w*\(|\.Hijack\(|\bwebsocket\.Accept\(")


def _after_upgrade(ctx: FileContext, handler, go: Node) -> bool:
    """The handler took the connection over (`conn, err := upgrader.Upgrade(w, r, nil)`) before
    starting the goroutine: from then on the connection is served by goroutines like this one (a
    read pump, a write pump), which live as long as the connection, not the request."""
    return _UPGRADE.search(ctx.source.data, handler.node.start_byte, go.start_byte) is not None


_CLOSE_DEFERS = """
(defer_statement (call_expression
  function: (selector_expression operand: (identifier) @closed field: (field_identifier) @m (#eq? @m "Close"))))
"""


def _ends_process(ctx: FileContext, body: Node) -> bool:
    """`time.Sleep(time.Second); os.Exit(0)` after answering: ending the process is the point."""
    return any(terminating_call(ctx.model, call) == "exit" for call in query_captures(_WORK, body).get("call", []))


def _uses_closed_by_handler(ctx: FileContext, go: Node) -> bool:
    """The goroutine uses a connection the starting function closes with `defer x.Close()`
    (`go writer(ws)` beside `defer ws.Close()`): the handler's return reaches it through the close."""
    model = ctx.model
    function = model.enclosing_function(go)
    if function is None or function.body is None:
        return False
    for closed in query_captures(_CLOSE_DEFERS, function.body).get("closed", []):
        binding = model.resolve(closed)
        if binding.decl is None:
            continue
        if model.references(binding.decl, within=go):
            return True
    return False


def _has_context_param(function: Function) -> bool:
    return any(p.type == "context.Context" for p in function.params)


def _takes_context(ctx: FileContext, node: Node) -> bool:
    """The goroutine (or a started function's body) mentions a context, or a request value."""
    model = ctx.model
    if mentions_context(model, node):
        return True
    for name_node in query_captures(_IDENTIFIERS, node).get("name", []):
        binding = model.resolve(name_node)
        if binding.kind in ("param", "local") and fw.identifier_kind(model, name_node) is not None:
            return True  # a request value: GL301's business
    return False


def _slow_work(ctx: FileContext, function: Function, functions: PackageFunctions, effects: PackageEffects,
               released: frozenset[int] = frozenset()) -> tuple[str, bool, tuple[str, ...] | None] | None:
    """What the goroutine's body does that is slow, whether it may hang, and what may hang only on
    a drained channel: its own calls, sends and receives, and the package functions it calls,
    followed through their summaries. `released`: the channels the starting function closes on its
    way out (_closed_on_return), which wake a receive from them, and a `select` that has one.

    The third item is None when something may hang anywhere; else every send that may hang is on
    a package channel a loop receives from: () when they are the package's own (PackageFacts.
    drained_channels), the keys ("import/path.Name") of other packages' channels that the module
    model judges (Finding.drains)."""
    model = ctx.model
    body = function.body
    captures = query_captures(_WORK, body)
    found: list[tuple[int, str]] = []
    hangs: set[int] = set()  # where work of a called function may hang
    ends: set[int] = set()  # where a call's delay ends by itself (a request on a client with a Timeout)
    for call in captures.get("call", []):
        slow = bounded_slow_call(ctx, call, functions)
        if slow is not None:
            found.append((call.start_byte, slow[0]))
            if not slow[1]:
                ends.add(call.start_byte)
            continue
        if call.parent is not None and call.parent.type == "go_statement":
            continue  # `go f()` inside the goroutine: f runs in a goroutine of its own
        target = effects.callee(ctx, call)
        if target is None or target[1] is function or target[1].node.type == "func_literal":
            continue  # a literal's calls are in `captures` already
        summary = effects.effects(*target)
        if summary.slow is not None:
            called = Slow(summary.slow.what, summary.slow.may_hang, (target[1].name, *summary.slow.via))
            found.append((call.start_byte, called.described()))
            if called.may_hang:
                hangs.add(call.start_byte)
    drained: dict[int, str] = {}  # sends on a package channel a consumer drains: "" (own) or its key
    own = None
    for send in captures.get("send", []):
        if not _non_blocking(send) and not _timed_select(model, send) and not _released_select(model, send, released):
            channel = send.child_by_field_name("channel")
            found.append((send.start_byte, f"sends on `{_short(ctx, channel)}`"))
            if own is None:
                own = ctx.package.facts.drained_channels
            key = _package_channel(model, channel, own, ctx.package.facts.drained_fields)
            if key is not None:
                drained[send.start_byte] = key
    for receive in captures.get("receive", []):
        if _non_blocking(receive):
            continue
        operand = receive.child_by_field_name("operand")
        if operand is None:
            continue
        if _is_timer(model, operand):
            found.append((receive.start_byte, "waits on a timer"))
        elif not _timed_select(model, receive) and not _released(model, operand, released) \
                and not _released_select(model, receive, released):
            found.append((receive.start_byte, f"receives from `{_short(ctx, operand)}`"))
    if not found:
        return None
    # A sleep or a timer ends by itself: the goroutine is late, not stuck. Anything else may hang.
    unbounded = [f for f in found if f[0] in hangs
                 or f[0] not in ends and not f[1].startswith(("sleeps", "waits on a timer", "calls `"))]
    first = min(unbounded or found)
    drains = None
    if unbounded and all(f[0] in drained for f in unbounded):
        drains = tuple(sorted({drained[f[0]] for f in unbounded} - {""}))
    elif unbounded:
        first = min(f for f in unbounded if f[0] not in drained)  # name what may hang for good
    return first[1], bool(unbounded), drains


def _package_channel(model: FileModel, channel: Node | None, own: frozenset[str],
                     fields: frozenset[str] = frozenset()) -> str | None:
    """"" for a channel variable of the package that a loop of it drains (`events <- e`), or a
    channel field of its structs that one drains (`h.events <- e`, `for e := range h.events` in a
    loop the constructor starts); the key of another package's channel variable (`bus.Events <-
    e`: "import/path.Events"), whose draining the module model knows; None for anything else."""
    if channel is None:
        return None
    if channel.type == "identifier":
        name = model.source.text(channel)
        return "" if name in own and model.resolve(channel).kind == "package" else None
    if channel.type == "selector_expression":
        operand = channel.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier" and model.resolve(operand).kind == "import":
            path = model.imports.get(model.source.text(operand))
            if path is not None:
                return maker_key(path, model.source.text(channel.child_by_field_name("field")))
        elif model.source.text(channel.child_by_field_name("field")) in fields:
            return ""
    return None


def _short(ctx: FileContext, node: Node | None) -> str:
    text = ctx.source.text(node) if node is not None else "?"
    return text if len(text) <= 30 else text[:27] + "..."


def _is_timer(model: FileModel, operand: Node) -> bool:
    """`time.After(d)`, `time.Tick(d)`, `ticker.C`, `t.timer.C`: a channel that delivers on its own."""
    if operand.type == "call_expression":
        return model.qualified(operand) in ("time.After", "time.Tick")
    if operand.type == "selector_expression" and model.source.text(operand.child_by_field_name("field")) == "C":
        name = last_name(model, operand.child_by_field_name("operand")) or ""
        return bool(re.search(r"(?i)tick|timer|timeout|t$", name))
    return False


def _timed_select(model: FileModel, node: Node) -> bool:
    """A send or receive that is a case of a `select` which also waits on a timer: it wakes up."""
    case = node.parent
    while case is not None and case.type not in ("communication_case", "block", "func_literal"):
        case = case.parent
    if case is None or case.type != "communication_case" or case.parent is None:
        return False
    for other in case.parent.named_children:
        comm = other.child_by_field_name("communication") if other.type == "communication_case" else None
        if comm is None:
            continue
        operand = comm.child_by_field_name("right") if comm.type == "receive_statement" else None
        if operand is None and comm.type == "unary_expression":
            operand = comm
        if operand is not None and operand.type == "unary_expression":
            operand = operand.child_by_field_name("operand")
        if operand is not None and _is_timer(model, operand):
            return True
    return False


_DEFERRED_CLOSES = """
(defer_statement (call_expression
  function: (identifier) @close (#eq? @close "close")
  arguments: (argument_list . (identifier) @closed .)))
"""


def _closed_on_return(ctx: FileContext, go: Node) -> frozenset[int]:
    """The channels the function that starts the goroutine closes on every way out (`done :=
    make(chan struct{}); defer close(done)`), by where they are declared: a goroutine waiting on one
    of them wakes when the handler returns."""
    model = ctx.model
    closed = set()
    function = model.enclosing_function(go)
    while function is not None and function.body is not None:
        # the literals that hold the `go` and the function around them: a close deferred by any
        # of them wakes the goroutine, started before the close or after it
        for name in query_captures(_DEFERRED_CLOSES, function.body).get("closed", []):
            if model.enclosing_function(name) is not function:
                continue  # a close deferred by a literal within runs when that literal returns
            decl = model.resolve(name).decl
            if decl is not None:
                closed.add(decl.start_byte)
        if function.node.type != "func_literal":
            break
        function = model.enclosing_function(function.node)
    return frozenset(closed)


def _released(model: FileModel, operand: Node, released: frozenset[int]) -> bool:
    if not released or operand.type != "identifier":
        return False
    decl = model.resolve(operand).decl
    return decl is not None and decl.start_byte in released


def _released_select(model: FileModel, node: Node, released: frozenset[int]) -> bool:
    """A send or receive that is a case of a `select` which also receives from a channel the
    starting function closes on its way out: the close wakes it."""
    if not released:
        return False
    case = node.parent
    while case is not None and case.type not in ("communication_case", "block", "func_literal"):
        case = case.parent
    if case is None or case.type != "communication_case" or case.parent is None:
        return False
    for other in case.parent.named_children:
        comm = other.child_by_field_name("communication") if other.type == "communication_case" else None
        if comm is None:
            continue
        operand = comm.child_by_field_name("right") if comm.type == "receive_statement" else comm
        if operand is not None and operand.type == "unary_expression":
            operand = operand.child_by_field_name("operand")
            if operand is not None and _released(model, operand, released):
                return True
    return False


def _non_blocking(node: Node) -> bool:
    """A send or receive that is a case of a `select` with a `default`."""
    case = node.parent
    while case is not None and case.type not in ("communication_case", "block", "func_literal"):
        case = case.parent
    if case is None or case.type != "communication_case":
        return False
    select = case.parent
    return select is not None and any(c.type == "default_case" for c in select.named_children)
