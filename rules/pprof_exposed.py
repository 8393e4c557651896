"""GL501 pprof-exposed."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.addresses import LOOPBACK, MEMORY, NETWORK, UNIX, UNKNOWN, Reach, address_reach, listener_reach
from goleaklint.context import FileContext, PackageContext
from goleaklint.model import block_statements, descendants
from goleaklint.patterns import LazyPattern
from goleaklint.rule import OPT_IN_SETTING, Docs, Finding, Rule, Severity
from goleaklint.source import query_captures
from goleaklint.structs import replaced_server_placeholder, stored_in_field
from goleaklint.switches import OFF, SWITCH

RULE = Rule(
    id="GL501",
    slug="pprof-exposed",
    title="net/http/pprof is served on the default mux on a non-loopback address",
    severity=Severity.ERROR,
    lifetime="exposure",  # how a server is set up, usually once in main: only test and example code silence it
    tags=("security", "external/cwe/cwe-200"),
    precision="low",  # measured on held-out codebases (docs/ecosystem.md)
    waived_by=("gosec:G108",),  # gosec's profiling-endpoint check
    security_severity="7.5",
    docs=Docs(
        what="Finds packages where a non-test file imports `net/http/pprof` (blank or named) and a "
        "non-test file serves `http.DefaultServeMux`: `http.ListenAndServe(addr, nil)`, "
        "`http.ListenAndServeTLS(addr, cert, key, nil)`, `http.Serve(listener, nil)`, an `http.Server` "
        "literal with no `Handler` (or `Handler: nil`, `Handler: http.DefaultServeMux`), or any of these "
        "given `http.DefaultServeMux`, on an address that is not a loopback literal. `\":6060\"`, "
        "`\"0.0.0.0:6060\"`, a missing `Addr` and an address computed at run time are reported; "
        "`\"localhost:6060\"`, `\"127.0.0.1:6060\"`, `\"[::1]:6060\"` (also through a constant, "
        "`net.JoinHostPort` or a `fmt.Sprintf` format) are not. Also finds pprof mounted on a router of "
        "the file's own, by hand (`mux.HandleFunc(\"/debug/pprof/\", pprof.Index)`, "
        "`pprof.Handler(\"heap\")`) or by a framework's helper (gin-contrib's `pprof.Register(r)` and "
        "`RouteRegister`, echo-contrib's `pprof.Register(e)`, fiber's `app.Use(pprof.New())`), when the "
        "file serves that router (`http.ListenAndServe`, `http.Serve`, an `http.Server`'s `Handler`, "
        "gin's `Run`, echo's `Start`, fiber's `Listen`) on such an address. The level says the risk: an "
        "error on a public or unknown address; a warning when the address is a flag whose default is "
        "loopback, or the routes sit in a group with middleware in front; a note on a unix socket or an "
        "in-memory listener, which only local processes reach.",
        why="Importing `net/http/pprof` registers `/debug/pprof/` on the default mux. Whoever can reach "
        "that port can read heap profiles (which hold fragments of in-memory data), goroutine stacks and "
        "the command line with its flags and secrets, and can start CPU profiles and traces that cost the "
        "service CPU and memory for as long as they ask (CWE-200: exposure of sensitive information).",
        example="""import _ "net/http/pprof"

func main() {
    go http.ListenAndServe(":6060", nil)
    ...
}""",
        use_instead="""import _ "net/http/pprof"

func main() {
    go http.ListenAndServe("localhost:6060", nil) // reach it with kubectl port-forward or ssh -L
    // and serve the application on its own mux: http.ListenAndServe(":8080", appMux)
    ...
}""",
        limits="A server literal with no Handler that is given one later (`srv.Handler = mux` in the function, or `x.s.Handler = h` anywhere in the file for a literal stored in field `s`) does not serve the default mux, nor does an empty one kept in a local that its function assigns a configured server again (`redirect := &http.Server{}`, then `redirect = &http.Server{Addr: …, Handler: h}`), nor one handed to echo's `e.StartServer(s)` (or `StartH2CServer`), which gives it the echo router. An address read from an options field whose every default in the module is loopback (a flag bound to a field of that name, or a struct tag, in any package) lowers the level one step, as a loopback flag default in the file does. Profiling an operator turns on (served inside `if addr != \"\"` or `if metricsPort > 0`, or after a guard that returns while it is unset, `if addr == \"\" { return … }`, or under a switch named enable, debug, pprof or profile, also from a function literal made inside it, whether run there, `go func() { … }()`, or handed to a helper that runs it, or in a function of the package called only under such a switch, two calls up, or in a function every call of which in the module, from any package and however many calls up, is made under a switch so named: `if cfg.EnableProfiling { profiling.Start() }`, or past `if !opts.Profiling { return }`, or past a bare `if !s.config.Enabled { return }` in code named for profiling, a package or receiver type so named (`package pprof`, `PprofServer`), though not elsewhere: a metrics server is most often on by default; test code's calls aside) is a note: a default deployment does not expose it, also when it then binds a public address spelled in the code (`\":6060\"`), which whoever turns it on cannot keep local (the message says so; on the ledger, 18 such warnings were judged DEBATABLE and 1 TRUE). An address guard is no such switch when the package also registers its own API on the default mux (a route other than /debug, /metrics, health, readiness, ping or version pages): every deployment of the service sets that address, so pprof is served wherever the API is; a switch named for debugging or profiling still is one. "
        "So is the default mux of a Prometheus exporter served through the exporter toolkit's `web.ListenAndServe`, "
        "whose web config puts TLS and basic authentication in front at the operator's choice (exporters keep pprof "
        "on their metrics port by convention). "
        "So is a listener for profiling alone (the default mux when the package registers nothing but /debug "
        "routes on it, or a mux with nothing but pprof mounted) on an address set at run time, when the "
        "address or a function around the server is named for profiling or debugging (`pprofAddr`, "
        "`startPprof`): whoever deploys it chooses who reaches it. The same listener on a hard-coded "
        "public port stays an error. "
        "Only the package that imports `net/http/pprof` is looked at: a default mux served from "
        "another package of the same binary is not seen. A router with pprof mounted is followed only "
        "within its file: one returned, or served in another file, is not reported. Middleware in front "
        "of a route group is not checked to be authentication; a server wrapped in an authenticating "
        "handler is not told apart from a bare one.",
        references=(
            "https://pkg.go.dev/net/http/pprof",
            "https://cwe.mitre.org/data/definitions/200.html",
        ),
    ),
)

_PPROF = "net/http/pprof"
_CANDIDATES = """
(call_expression
  function: (selector_expression field: (field_identifier) @name
    (#match? @name "^(ListenAndServe|ListenAndServeTLS|Serve|ServeTLS)$"))) @call
(composite_literal type: (qualified_type name: (type_identifier) @type (#eq? @type "Server"))) @server
(assignment_statement
  left: (expression_list (selector_expression field: (field_identifier) @h (#eq? @h "Handler")) @handler_set))
"""
# (handler argument index, address argument index or None for a listener)
_SERVE = {
    "net/http.ListenAndServe": (1, 0),
    "net/http.ListenAndServeTLS": (3, 0),
    "net/http.Serve": (1, None),
    "net/http.ServeTLS": (1, None),
}
_FIX = ("serve the default mux only on a loopback address (\"localhost:6060\"), or mount pprof on a separate "
        "mux behind authentication; serve the application on its own mux")


_PPROF_BYTES = _PPROF.encode()
# Packages that mount pprof on a router: net/http/pprof's handlers by hand, or a framework's helper.
_REGISTER_FUNCS = frozenset({"github.com/gin-contrib/pprof.Register", "github.com/gin-contrib/pprof.RouteRegister",
                             "github.com/labstack/echo-contrib/pprof.Register"})
_MIDDLEWARE_FUNCS = frozenset({"github.com/gofiber/fiber/v2/middleware/pprof.New",
                               "github.com/gofiber/fiber/v3/middleware/pprof.New"})
_MOUNT_PACKAGES = (_PPROF, "github.com/gin-contrib/pprof", "github.com/labstack/echo-contrib/pprof",
                   "github.com/gofiber/fiber/v2/middleware/pprof", "github.com/gofiber/fiber/v3/middleware/pprof")
# A framework router's own serve methods, and the address each uses when given none.
_FRAMEWORK_SERVE = {"Run": ":8080", "RunTLS": "", "Start": "", "StartTLS": "", "Listen": "", "ListenTLS": ""}
_CALLS = "(call_expression) @call"
_SERVERS = "(composite_literal type: (qualified_type name: (type_identifier) @t (#eq? @t \"Server\"))) @server"


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    # The import path's bytes are in any file that imports it: files without them are not parsed
    # for their imports (context-only files are parsed only when asked).
    importers = [ctx for ctx in pkg.files
                 if not ctx.is_test_file and _PPROF_BYTES in ctx.source.data and ctx.model.imported(_PPROF)]
    where = importers[0].relpath.rsplit("/", 1)[-1] if importers else ""
    # The default mux serves only profiling (and other /debug routes) when no file of the package
    # registers anything else on it.
    paths = [m.group(1) for ctx in pkg.files if not ctx.is_test_file for m in _default_mux_routes(ctx.source.data)]
    dedicated = bool(importers) and all(path.startswith(b"/debug") for path in paths)
    # The package's own API is on it too (`http.HandleFunc("/v1/push", push)`): a guard on the
    # server's address is no switch for profiling then, since every deployment of the service sets it.
    serves_api = any(not path.startswith(_OPERATIONS_PATHS) for path in paths)
    for ctx in pkg.files:
        if ctx.is_test_file or ctx.relpath not in pkg.report_paths:
            continue  # findings in files not reported would be dropped
        if importers and ctx.model.imported("net/http"):
            yield from _check_file(ctx, where, dedicated, serves_api)
        if any(path.encode() in ctx.source.data for path in _MOUNT_PACKAGES) \
                and any(ctx.model.imported(path) for path in _MOUNT_PACKAGES):
            yield from _check_mounts(ctx)


def _check_mounts(ctx: FileContext) -> Iterable[Finding]:
    """pprof mounted on a router of the file's own (`mux.HandleFunc("/debug/pprof/", pprof.Index)`,
    gin-contrib's and echo-contrib's `pprof.Register(r)`, fiber's `app.Use(pprof.New())`), reported
    where the router is served in the file on an address that is not loopback."""
    model = ctx.model
    calls = query_captures(_CALLS, ctx.source.root).get("call", [])
    reported: set[int] = set()
    for call in calls:
        router = _mounted_on(ctx, call)
        if router is None:
            continue
        root, guarded = _root_router(ctx, router)
        decl = model.resolve(root).decl
        if decl is None or decl.start_byte in reported:
            continue
        reach = _served_on(ctx, calls, decl)
        if reach is None or (reach.kind == LOOPBACK and not reach.flag):
            continue  # served nowhere we can see, or only locally
        reported.add(decl.start_byte)
        label = ctx.source.text(call.child_by_field_name("function"))
        operator = root == router and _only_profiling(ctx, calls, decl) and _named_for_profiling(ctx, call, None)
        yield _finding(ctx, call, reach, None, mounted=f"{label} mounts pprof on `{ctx.source.text(router)}`",
                       guarded=guarded, operator=operator)


def _mounted_on(ctx: FileContext, call: Node) -> Node | None:
    """The router identifier a call mounts pprof handlers on, if it does."""
    model = ctx.model
    args = call.child_by_field_name("arguments")
    if args is None:
        return None
    qualified = model.qualified(call)
    if qualified in _REGISTER_FUNCS:
        first = args.named_children[0] if args.named_child_count else None
        return first if first is not None and first.type == "identifier" else None
    function = call.child_by_field_name("function")
    if qualified is not None or function.type != "selector_expression":
        return None
    operand = function.child_by_field_name("operand")
    if operand is None or operand.type != "identifier" or model.resolve(operand).kind == "import":
        return None
    for node in descendants(args):
        name = model.qualified(node) if node.type in ("selector_expression", "call_expression") else None
        if name is not None and (name.startswith(_PPROF + ".") or name in _MIDDLEWARE_FUNCS):
            return operand
    return None


def _root_router(ctx: FileContext, router: Node) -> tuple[Node, bool]:
    """A route group's parent router (`g := r.Group("/debug", auth)`), and whether the group puts
    middleware (authentication, say) in front of its routes."""
    model = ctx.model
    decl = model.resolve(router).decl
    spec = decl.parent if decl is not None else None
    if spec is not None and spec.type == "expression_list" and spec.parent is not None \
            and spec.parent.type == "short_var_declaration" and spec.named_child_count == 1:
        right = spec.parent.child_by_field_name("right")
        value = right.named_children[0] if right is not None and right.named_child_count == 1 else None
        function = value.child_by_field_name("function") if value is not None and value.type == "call_expression" else None
        if function is not None and function.type == "selector_expression" \
                and function.child_by_field_name("field").text == b"Group":
            parent = function.child_by_field_name("operand")
            if parent is not None and parent.type == "identifier":
                return parent, value.child_by_field_name("arguments").named_child_count > 1
    return router, False


def _served_on(ctx: FileContext, calls: list[Node], decl: Node) -> Reach | None:
    """Where the router declared at `decl` is served in the file: the first reach that is not
    local, else a local one; None when it is served nowhere in the file."""
    model = ctx.model

    def names_router(node: Node | None) -> bool:
        if node is None or node.type != "identifier":
            return False
        found = model.resolve(node).decl
        return found is not None and found.start_byte == decl.start_byte

    reaches: list[Reach] = []
    for call in calls:
        args = call.child_by_field_name("arguments").named_children
        shape = _SERVE.get(model.qualified(call) or "")
        function = call.child_by_field_name("function")
        if shape is not None:
            handler_index, address_index = shape
            if len(args) > handler_index and names_router(args[handler_index]):
                reaches.append(address_reach(model, args[address_index]) if address_index is not None
                               else listener_reach(model, args[0]))
        elif function.type == "selector_expression" and names_router(function.child_by_field_name("operand")):
            method = ctx.source.text(function.child_by_field_name("field"))
            if method in _FRAMEWORK_SERVE:
                reaches.append(address_reach(model, args[0]) if args else Reach(NETWORK, _FRAMEWORK_SERVE[method]))
    for literal in query_captures(_SERVERS, ctx.source.root).get("server", []):
        if model.type_text(literal.child_by_field_name("type")) != "net/http.Server":
            continue
        fields = _fields(ctx, literal) or {}
        if names_router(fields.get("Handler")):
            addr = fields.get("Addr")
            reaches.append(address_reach(model, addr) if addr is not None else Reach(NETWORK, ""))
    if not reaches:
        return None
    return next((r for r in reaches if not r.local and not r.flag), next((r for r in reaches if not r.local), reaches[0]))



def _check_file(ctx: FileContext, where: str, dedicated: bool, serves_api: bool = False) -> Iterable[Finding]:
    model = ctx.model
    captures = query_captures(_CANDIDATES, ctx.source.root)
    for call in captures.get("call", []):
        shape = _SERVE.get(model.qualified(call) or "")
        if shape is None:
            continue
        args = call.child_by_field_name("arguments").named_children
        handler_index, address_index = shape
        if len(args) <= handler_index or not _is_default_mux(ctx, args[handler_index]):
            continue
        if address_index is not None:
            reach = address_reach(model, args[address_index])
        else:
            reach = listener_reach(model, args[0])
        if reach.kind == LOOPBACK and not reach.flag:
            continue
        address = args[address_index] if address_index is not None else args[0]
        yield _finding(ctx, call, reach, where, operator=dedicated and _named_for_profiling(ctx, call, address),
                       serves_api=serves_api)
    handler_targets = [n.child_by_field_name("operand") for n in captures.get("handler_set", [])]
    for literal in captures.get("server", []):
        if model.type_text(literal.child_by_field_name("type")) != "net/http.Server":
            continue
        fields = _fields(ctx, literal)
        if fields is None:
            continue
        handler = fields.get("Handler")
        if handler is not None and not _is_default_mux(ctx, handler):
            continue
        if handler is None and (_handler_set_later(ctx, literal, handler_targets) or _started_by_framework(ctx, literal)):
            continue
        if not fields and replaced_server_placeholder(model, literal):
            continue  # `redirect := &http.Server{}`, given a configured server where one serves
        addr = fields.get("Addr")
        reach = address_reach(model, addr) if addr is not None else Reach(NETWORK, "")
        if reach.kind == LOOPBACK and not reach.flag:
            continue
        yield _finding(ctx, literal, reach, where, operator=dedicated and _named_for_profiling(ctx, literal, addr),
                       toolkit=_served_by_toolkit(ctx, literal, captures.get("call", [])), serves_api=serves_api)


def _finding(ctx: FileContext, node: Node, reach: Reach, where: str | None, *, mounted: str = "",
             guarded: bool = False, operator: bool = False, toolkit: bool = False, serves_api: bool = False) -> Finding:
    address = reach.address
    if reach.kind in (UNIX, MEMORY):
        shown = "a unix socket" if reach.kind == UNIX else "an in-memory listener"
    elif address and address.endswith(":0"):
        host = address[:-2].strip("[]")  # the port is computed (`":" + port`, `Sprintf("%s:%d", …)`)
        shown = (f'"{host}" with a port set at run time' if host not in ("", "0.0.0.0", "::")
                 else "all interfaces, with a port set at run time")
    elif address:
        shown = f'"{address}"'
    elif address == "":
        shown = "a server with no Addr (all interfaces, or wherever its listener is bound)"
    else:
        shown = "an address set at run time"
    what = mounted or f"net/http/pprof is imported ({where}) and the default mux is served"
    message = (f"{what} on {shown}: /debug/pprof shows anyone the command line (with any secret passed "
               "in a flag), every goroutine's stack and where the heap was allocated, and lets them start CPU "
               "profiles and traces, which load the server")
    severity = None
    if reach.kind in (UNIX, MEMORY):
        severity = Severity.NOTE
        message += "; only local processes reach it, a lower risk than a public port"
    elif reach.flag and reach.kind == LOOPBACK:
        severity = Severity.WARNING
        message += "; the flag's default is loopback, so only a deployment that overrides it exposes it"
    elif guarded:
        severity = Severity.WARNING
        message += "; its route group puts middleware in front, which lowers the risk if that is authentication"
    if severity is None and operator and reach.kind == UNKNOWN:
        severity = Severity.NOTE
        message += ("; it is a listener for profiling alone on an address set at run time, so whoever deploys it "
                    "chooses who reaches it")
    if severity is None and toolkit:
        severity = Severity.NOTE
        message += ("; it is served through the Prometheus exporter toolkit, whose web config (`--web.config.file`) "
                    "puts TLS and basic authentication in front at the operator's choice, and exporters keep "
                    "/debug/pprof on their metrics port by convention")
    switch = _opt_in(ctx, node)
    if switch is not None and serves_api and _PROFILING.search(switch) is None:
        switch = None  # `if addr == "" { return }` before the service's own server: set wherever it is deployed
    if switch is not None and severity is None and reach.kind == NETWORK and reach.address and not reach.flag:
        # Switched on, it binds a public port spelled in the code, which the operator cannot keep
        # local; but a default deployment does not expose it. On the ledger, such findings were
        # judged DEBATABLE 18 times and TRUE once (a switch whose setting is never empty).
        severity = Severity.NOTE
        message += (f"; it runs only when a setting turns it on (`{switch}`), so a default deployment does not expose "
                    "it, but then on a port spelled in the code, which whoever turns it on cannot keep local")
    elif switch is not None and severity is None:
        severity = Severity.NOTE
        message += f"; it runs only when a setting turns it on (`{switch}`), so a default deployment does not expose it"
    return ctx.finding(RULE, node, message, fix=_FIX, severity=severity, address=reach.option, opt_in=OPT_IN_SETTING)


_PROFILING = LazyPattern(r"(?i)pprof|profil|debug")
# Routes of operations pages, not of a service's API: profiling, metrics, health and readiness probes.
_OPERATIONS_PATHS = (b"/debug", b"/metrics", b"/health", b"/ready", b"/live", b"/ping", b"/version")
# `http.Handle("/path", …)` / `http.HandleFunc("/path", …)`: a route on the default mux.
# (Without a leading `\b`: a pattern that begins with a literal skips to its occurrences, ten times
# faster; the boundary is checked after, see _default_mux_routes.)
_DEFAULT_MUX_ROUTE = LazyPattern(rb'http\.(?:DefaultServeMux\.)?Handle(?:Func)?\(\s*"([^"]*)"')
_WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _default_mux_routes(data: bytes):
    """The matches of `\\bhttp\\.…`: a hit inside a longer name (`myhttp.Handle`) is passed over
    and the search goes on from the next byte, so it hides no match that starts within it."""
    at = 0
    while True:
        match = _DEFAULT_MUX_ROUTE.search(data, at)
        if match is None:
            return
        start = match.start()
        if start > 0 and data[start - 1] in _WORD_BYTES:
            at = start + 1
            continue
        yield match
        at = match.end()


def _named_for_profiling(ctx: FileContext, node: Node, address: Node | None) -> bool:
    """The address (`pprofAddr`, `cfg.DebugListen`) or a function around the server
    (`startPprof`, `(*Profiler).Start`) is named for profiling: a listener set up for it alone."""
    if address is not None and _PROFILING.search(ctx.source.text(address)):
        return True
    function = ctx.model.enclosing_function(node)
    while function is not None:
        receiver = function.receiver.type if function.receiver is not None else ""
        if _PROFILING.search(function.name) or _PROFILING.search(receiver):
            return True
        function = function.parent
    return False


def _only_profiling(ctx: FileContext, calls: list[Node], decl: Node) -> bool:
    """Every call on the router declared at `decl` mounts pprof, registers a /debug route or serves
    it: a mux made for profiling alone."""
    model = ctx.model
    for call in calls:
        function = call.child_by_field_name("function")
        if function.type != "selector_expression":
            continue
        operand = function.child_by_field_name("operand")
        if operand is None or operand.type != "identifier":
            continue
        found = model.resolve(operand).decl
        if found is None or found.start_byte != decl.start_byte:
            continue
        if ctx.source.text(function.child_by_field_name("field")) in _FRAMEWORK_SERVE or _mounted_on(ctx, call) is not None:
            continue
        args = call.child_by_field_name("arguments").named_children
        first = args[0] if args else None
        if first is not None and first.type == "interpreted_string_literal" and ctx.source.text(first)[1:].startswith("/debug"):
            continue
        return False
    return True


_TOOLKIT_SERVE = ("github.com/prometheus/exporter-toolkit/web.ListenAndServe",
                  "github.com/prometheus/exporter-toolkit/web.Serve")


def _served_by_toolkit(ctx: FileContext, literal: Node, calls: list[Node]) -> bool:
    """The server literal, kept in a variable (`server := &http.Server{}`), is handed to the
    exporter toolkit's `web.ListenAndServe(server, flags, logger)` (or `web.Serve`)."""
    if b"exporter-toolkit" not in ctx.source.data:
        return False
    holder = literal.parent
    if holder is not None and holder.type == "unary_expression":
        holder = holder.parent
    if holder is None or holder.type != "expression_list" or holder.parent is None \
            or holder.parent.type != "short_var_declaration" or holder.named_child_count != 1:
        return False
    left = holder.parent.child_by_field_name("left")
    if left is None or left.named_child_count != 1 or left.named_children[0].type != "identifier":
        return False
    decl = left.named_children[0]
    model = ctx.model
    for call in calls:
        if model.qualified(call) not in _TOOLKIT_SERVE:
            continue
        args = call.child_by_field_name("arguments").named_children
        index = 0 if model.qualified(call).endswith("ListenAndServe") else 1
        if len(args) > index and args[index].type == "identifier":
            found = model.resolve(args[index]).decl
            if found is not None and found.start_byte == decl.start_byte:
                return True
    return False


def _opt_in(ctx: FileContext, node: Node, depth: int = 0) -> str | None:
    """The condition of an `if` around `node` that turns profiling on: an address or port checked for
    being set (`if addr != ""`, `if a := os.Getenv("PPROF"); a != ""`, `if metricsPort > 0`) or a switch named for it
    (`if cfg.EnablePprof`, `if *debug`). Off by default, the port is an operator's choice. A function
    of the package that is called, and only called, under such a switch (`if cfg.EnableStats {
    setupMetrics(cfg) }`) is switched as well, followed two calls up; callers in other packages, and
    methods, are the module model's to follow (linter/lifetime.py `switched`, Finding.opt_in)."""
    child, current = node, node.parent
    # A literal is made only where it is written: run right there (`go func() { … }()`) or handed to
    # a helper that runs it (`safe.Go(func() { … })`), it is as switched as the code around it.
    while current is not None and current.type not in ("function_declaration", "method_declaration"):
        if current.type == "if_statement" and current.child_by_field_name("consequence") == child:
            condition = current.child_by_field_name("condition")
            text = ctx.source.text(condition) if condition is not None else ""
            initializer = current.child_by_field_name("initializer")
            if SWITCH.search(text) or (initializer is not None and SWITCH.search(ctx.source.text(initializer))):
                return " ".join(text.split())
        guard = _returned_unless_set(ctx, child)
        if guard is not None:
            return guard
        child, current = current, current.parent
    if current is None or current.type != "function_declaration" or depth >= 2:
        return None
    name = current.child_by_field_name("name")
    if name is None or name.text in (b"main", b"init"):
        return None
    switches = [_opt_in(site_ctx, site, depth + 1) for site_ctx, site in
                ctx.package.facts.calls.call_sites(name.text.decode("utf-8", "replace"))]
    return switches[0] if switches and all(switches) else None


def _returned_unless_set(ctx: FileContext, statement: Node) -> str | None:
    """`if addr == "" { return … }` among the statements before `statement` in its block: past it,
    the address is set. The guard's condition, or None."""
    sibling = statement.prev_named_sibling
    while sibling is not None:
        if sibling.type == "if_statement" and sibling.child_by_field_name("alternative") is None:
            condition = sibling.child_by_field_name("condition")
            consequence = sibling.child_by_field_name("consequence")
            text = ctx.source.text(condition) if condition is not None else ""
            statements = block_statements(consequence) if consequence is not None else []
            if statements and statements[-1].type == "return_statement" and "&&" not in text and \
                    (OFF.search(text) or _profiling_enable(ctx, statement, text)):
                return "if " + " ".join(text.split()) + " { return }"
        sibling = sibling.prev_named_sibling
    return None


# `if !s.config.Enable`, `if !cfg.Enabled`: off unless enabled. Alone it says nothing of what is
# enabled (a metrics server that carries pprof is most often on by default), so it counts only in
# code named for profiling: a package or receiver type so named (`package pprof`, `PprofServer`).
_BARE_ENABLE = LazyPattern(r"!\s*\*?[\w.]*\b(?i:enabled?)\s*$")
_PROFILING_NAME = LazyPattern(r"(?i)pprof|profil")


def _profiling_enable(ctx: FileContext, statement: Node, condition: str) -> bool:
    if _BARE_ENABLE.search(condition) is None:
        return False
    if _PROFILING_NAME.search(ctx.model.package):
        return True
    function = ctx.model.enclosing_function(statement)
    while function is not None and function.parent is not None:
        function = function.parent
    receiver = function.node.child_by_field_name("receiver") if function is not None else None
    return receiver is not None and _PROFILING_NAME.search(ctx.source.text(receiver)) is not None


def _fields(ctx: FileContext, literal: Node) -> dict[str, Node] | None:
    body = literal.child_by_field_name("body")
    fields: dict[str, Node] = {}
    for element in (body.named_children if body is not None else []):
        if element.type != "keyed_element":
            return None  # positional: we cannot tell the fields apart
        key = element.child_by_field_name("key")
        value = element.child_by_field_name("value")
        if key is not None and value is not None:
            fields[ctx.source.text(key)] = value.named_children[0] if value.named_child_count == 1 else value
    if literal.parent is not None and literal.parent.type == "binary_expression":
        return None  # compared with, not served
    return fields


def _handler_set_later(ctx: FileContext, literal: Node, targets: list[Node]) -> bool:
    """`srv.Handler = mux` for the variable the literal is bound to, in the same function; or, for a
    literal stored in a struct field (`&Server{s: &http.Server{…}}`), `x.s.Handler = h` anywhere in
    the file (a `SetHandler` method)."""
    model = ctx.model
    function = model.enclosing_function(literal)
    scope = function.node if function is not None else ctx.source.root
    for target in targets:
        if target is not None and scope.start_byte <= target.start_byte < scope.end_byte:
            return True
    field = stored_in_field(literal)
    return field is not None and any(
        target is not None and target.type == "selector_expression"
        and target.child_by_field_name("field") is not None and target.child_by_field_name("field").text == field
        for target in targets)



def _started_by_framework(ctx: FileContext, literal: Node) -> bool:
    """The literal, or the local it is bound to, is handed to echo's `e.StartServer(s)` (or
    `StartH2CServer`), which sets the server's Handler to the echo router before serving."""
    model = ctx.model
    if not any(path.startswith("github.com/labstack/echo") for path in model.imports.values()):
        return False  # a `StartServer` of another framework, or the program's own, may serve the default mux
    value = literal.parent if literal.parent is not None and literal.parent.type == "unary_expression" else literal
    uses = [value]
    holder = value.parent.parent if value.parent is not None and value.parent.type == "expression_list" else None
    if holder is not None and holder.type in ("short_var_declaration", "assignment_statement"):
        left = holder.child_by_field_name("left")
        name = left.named_children[0] if left is not None and left.named_child_count == 1 else None
        if name is not None and name.type == "identifier":
            binding = model.resolve(name)
            if binding.decl is not None:
                uses = list(model.references(binding.decl, within=None)) or uses
    for use in uses:
        args = use.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        function = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        if function is not None and function.type == "selector_expression" and \
                ctx.source.text(function.child_by_field_name("field")) in _FRAMEWORK_STARTS:
            return True
    return False


# echo's Echo.StartServer and StartH2CServer: they give the server the echo router as its Handler.
_FRAMEWORK_STARTS = frozenset({"StartServer", "StartH2CServer"})


def _is_default_mux(ctx: FileContext, node: Node) -> bool:
    return node.type == "nil" or ctx.model.qualified(node) == "net/http.DefaultServeMux"
