"""GL502 server-without-timeouts."""

from __future__ import annotations

import re

from typing import Iterable

from tree_sitter import Node

from goleaklint.addresses import HANDED, NETWORK, Reach, address_reach, listener_reach
from goleaklint.serving import SERVE_FUNCS, literal_fields, serve_reach
from goleaklint.context import FileContext
from goleaklint.goroutines import within
from goleaklint.model import declared_value, descendants, single_initialiser
from goleaklint.patterns import LazyPattern
from goleaklint.rule import OPT_IN_DEVELOPER, Docs, Finding, Rule, Severity
from goleaklint.source import query_captures, without_comments
from goleaklint.structs import replaced_server_placeholder, stored_in_field
from goleaklint.switches import developer_switch

RULE = Rule(
    id="GL502",
    slug="server-without-timeouts",
    title="an HTTP server is started with no read timeout",
    severity=Severity.WARNING,
    lifetime="exposure",  # how a server is set up, usually once in main: only test and example code silence it
    tags=("security", "external/cwe/cwe-400", "resource-leak"),
    # Measured on held-out codebases (docs/ecosystem.md): 474 of 867 worth a change over every batch
    # to 68, medium; of the judgements that kept the lifetime, servers in a library's API 9 of 11
    # (high), set up once per process 33 of 44 (high at 22 of 26 to batch 64; batches 65, 66 and 68
    # read 11 of 18), where no caller is seen 12 of 18. Batch 77 brought servers set up once per
    # process to 97 of 121 (69 of 84 in batches 68-77, linted with the lifetimes): high again.
    # Batches 81 and 82 brought them to 121 of 154 (79%; batch 81's internal services behind a
    # gateway of the same module, judged DEBATABLE by their author): medium again, as the rule. An
    # independent reviewer then judged four of those five services TRUE (the gateway does not route
    # to them and browsers reach them directly): 131 of 160 through batch 85, high again.
    # Batches 86-101 (linted after the label): 152 of 189 through batch 101, still high, by one finding;
    # batches 102-109, 10 of 13 more: 162 of 202 (80.2%), high by a margin of less than one finding.
    # Batch 110 (microservices), 3 of 5 once and 1 of 3 in a library's API: 165 of 207 (79.7%) and 11
    # of 15, medium again, as the rule, until held-out batches measure them at four in five.
    precision="medium",
    waived_by=("gosec:G112", "gosec:G114"),  # gosec's Slowloris and timeout-less serve checks
    security_severity="5.3",
    docs=Docs(
        what="Finds `http.ListenAndServe`, `http.ListenAndServeTLS`, `http.Serve` and `http.ServeTLS` "
        "(they serve with a zero-value `http.Server`, which has no timeouts), `http.Server{...}` literals "
        "that set neither `ReadHeaderTimeout` nor `ReadTimeout`, and gin's `r.Run(...)` and `r.RunTLS(...)` on an engine from "
        "`gin.Default()`/`gin.New()` or typed `*gin.Engine`, which call `http.ListenAndServe` and "
        "`http.ListenAndServeTLS` underneath. "
        "It warns where the code shows that clients connect to the server itself: the function that sets it up "
        "terminates TLS (`ListenAndServeTLS`, `ServeTLS`, a `TLSConfig`, autocert, `tls.NewListener`, or hands the server to "
        "Prometheus's exporter toolkit, which serves TLS and basic auth from its web config; not TLS served only "
        "under a switch for developers the server is outside of: `if dev { ListenAndServeTLS(…, \"localhost.pem\", "
        "…) }`), or its package "
        "answers browsers of other origins (sets `Access-Control-Allow-Origin`, imports a CORS middleware, "
        "`AllowOrigins`); the finding's `kind` (JSON, SARIF) names the sign, `tls` or `cross-origin`. Re-linting "
        "344 judged warnings of 160 codebases, both kinds read alike: 102 of 122 and 46 of 54 worth a change "
        "on those codebases, since used for tuning. A plain-HTTP server with neither is a note: it is most often a backend behind a reverse "
        "proxy, an ingress or a load balancer, which reads each request's headers before passing it on and so "
        "holds the slow clients itself; on code read by reviewers, fewer than half of such warnings were worth a "
        "change, against four in five with TLS or CORS on the codebases this was tuned on (two in three on "
        "codebases it was not). So is a server of a Kubernetes component (its go.mod "
        "requires `k8s.io/client-go` or `sigs.k8s.io/controller-runtime` directly; an `// indirect` requirement "
        "only says a dependency uses them), TLS or not: its clients are the "
        "cluster's own parts (the API server, kubelets, scrapers, sibling pods). The other reasons for a note "
        "below come first, since they say more. "
        "Only servers an untrusted client can reach: a loopback address, a unix socket and an in-memory "
        "listener (grpc's bufconn, fasthttp's in-memory listener, memconn's `memu`/`memb` networks, a listener of the file's own built on "
        "`net.Pipe`) are skipped, the address followed through constants, locals, `net.JoinHostPort`, concatenation (`\"127.0.0.1:\" + port`, and a host with no port plus what the code keeps elsewhere, `*address + port`: only a port makes that an address), a function of the package every return of which spells a loopback address (`Addr: callbackAddress(port)`), "
        "`net.Listen` or a `net.ListenConfig`'s `Listen` (also a listener variable or field assigned in the serving function, directly or from a local made there, or in the function a serving "
        "goroutine is written in, when every assignment there makes a unix socket, loopback or in-memory listener; a field the serving function does not set, when everything in the file that sets a field of that name, `s.l = l` or `&Server{listener: l}` in a constructor, makes the same kind of local listener; a listener a function of the package returns, when every declaration of it, build-tagged twins included, returns such a listener or a Windows named pipe of go-winio or npipe, or a unix socket of docker's go-connections (`sockets.NewUnixSocket`); a listener type of the file made around one such listener alone (`&checkedListener{inner: ln}`), whose `Accept` takes connections from a field's `Accept()`) and command-line flags whose default is loopback (kingpin's chained `Flag(…).Default(\"127.0.0.1:8443\").String()` and `….StringVar(&addr)` too; also a flag read by name, `cmd.Flags().GetString(\"host\")` or `viper.GetString` with `viper.SetDefault`, when the file defines it with one default), and "
        "a local read from the environment whose only fallback is loopback (`host := os.Getenv(\"HOST\")`, then "
        "`if host == \"\" { host = \"localhost\" }`, or `cmp.Or(os.Getenv(\"HOST\"), \"127.0.0.1\")`). A server given a read timeout "
        "after construction is skipped: a field assignment on its variable or on the struct field it is "
        "stored in (`a.srv.ReadHeaderTimeout = d`), or a call that hands it to an option value "
        "(`opt(srv)`) or to a function of the file that sets a read timeout on its `*http.Server` "
        "parameter. A literal handed as it is made to a function of another package "
        "(`graceful.WithDefaults(&http.Server{…})`) is a note: such wrappers exist to fill in defaults, "
        "and their code is not followed. A server whose handler serves only pprof, expvar or Prometheus metrics (also a literal that names no Handler, so serves the default mux, in such a file, unless a Handler is assigned to a server later in it; the default mux counts only where no file of the package registers another kind of route on it) is left to "
        "GL501: whether such a port is exposed at all is the question there. Test files, and the `Config` "
        "of an `httptest.Server`, are skipped, and so are files built only for WebAssembly (`_js.go`, `_wasm.go`, "
        "`_wasip1.go`, or a `//go:build` line every alternative of which needs js, wasm or wasip1), where "
        "`net.Listen` is the runtime's in-process fake network.",
        why="Without a read timeout the server waits forever for a client to finish sending its "
        "headers. Each connection holds a goroutine, its read buffer and a file descriptor; a few "
        "thousand slow or idle clients (Slowloris) hold memory and descriptors until the process "
        "runs out of one of them.",
        example="""log.Fatal(http.ListenAndServeTLS(":443", "cert.pem", "key.pem", mux))""",
        use_instead="""srv := &http.Server{
    Addr:              ":443",
    Handler:           mux,
    ReadHeaderTimeout: 10 * time.Second,
    IdleTimeout:       2 * time.Minute,
}
log.Fatal(srv.ListenAndServeTLS("cert.pem", "key.pem"))""",
        limits="A serve call no path reaches (after `log.Fatal(http.ListenAndServe(…))`, `os.Exit` or a return in "
        "its block) is not reported, nor is one (`http.ListenAndServe…`, gin's `Run`) that an earlier statement of its "
        "function precedes with a serve that blocks, unconditionally (`router.Run()`, `err := srv.ListenAndServe()`, "
        "or `if err := r.Run(); err != nil {` around or before it): it runs only if that serve fails to start, and "
        "that one is reported. A serve in a `go` statement, or in a branch of a setting, is no such serve. "
        "Whether clients reach a server directly is a question of deployment, which the code only hints at: "
        "a plain-HTTP server exposed to the internet with no proxy in front is a note (run with `--show-notes`, or "
        "set `GL502 = \"warning\"` under `[severity]`, to see every one), and a TLS server only trusted peers reach "
        "is a warning. A package whose CORS settings admit only loopback origins spelled in the code "
        "(`AllowOrigins: []string{\"http://localhost:5173\"}`: a front end on the developer's machine; also through a "
        "local set once, a range over it, or a parameter of a middleware of the package whose every call passes "
        "such a list: `corsMiddleware(origins)`) gives no sign of browsers on other hosts: a note as well. A CORS setting in another package than the server's, or TLS set up in another function "
        "than the one that builds or serves the server, is not seen. With `--no-lifetimes` these notes are not "
        "applied. A server whose listener is of the file's own and hands out connections received from a channel (an inner server of a proxy or tunnel, fed what an outer listener accepted), or of the package's own and hands out the one connection it was made with (its `Accept` neither accepts nor receives: a single-use listener over a hijacked or replayed connection), or that serves the streams of one multiplexed connection (a yamux or smux session, `yamux.Client(conn, cfg)`; a listener type of the package whose `Accept` takes the session's next stream, made around such a session; what a function or method named for making a session returns, `m.MakeSession(id)`), is a note: whoever reaches the outer listener reaches it, and what bounds slow clients is decided there. A server kept in a local, or in an unexported field, that nothing serves or hands on (every use shuts it down, sets a field, reads one (`http.ListenAndServe(srv.Addr, srv.Handler)`: a holder of what another call serves), compares it with nil or assigns it, in the function or the package, or hands it to a function of the package whose every use of it is such: `handleSignal(server)` that only calls `Shutdown`) is not reported: another call serves. An empty server literal kept in a struct field (`m.server = &http.Server{}` in a constructor) is not reported when the package also stores a literal that sets something in a field of that name: that one serves, and is checked; nor one kept in a local that its function assigns such a literal again (`redirect := &http.Server{}` for the shutdown code, then `redirect = &http.Server{Addr: …}` where one is needed). A server in a file that opens a web browser (`browser.OpenURL`, `open.Run`, an `openBrowser` helper, `xdg-open`) is a note: it serves the user at the keyboard (a `docs` or `open` command, a CLI login callback). A server started only when a switch for developers is on (`if cfg.Debug { go http.ListenAndServe(…) }`, or after `if !cfg.Debug { return }`, in the function that makes or serves it; across the module, one whose every call is made only under such a switch, as GL406 reads it: linter/switches.py) is a note: a default deployment does not start it. A feature an operator turns on (`if cfg.EnableAPI`) is no such switch: its server serves clients. A server named for operations (its function, variable, address, handler or directory says metrics, health, probe, Prometheus or `prom`, telemetry, pprof or debug, or names a status or stats port as a word of its own (`StartStatusServer`, `JSONStats.Start`, `cfg.StatusAddr`; not `StatusChecker` or `statistics`), or every route of its mux in the file names such a handler, a status page or a ping counting among them, routes registered on the struct field the mux is kept in counting too, and the default mux's routes where no other file of the package registers one on it (a literal that names no Handler serves the default mux when the file serves it with its own `ListenAndServe` or `Serve` and assigns no Handler anywhere), or the address of the listener it serves was made from says so (`l, _ := net.Listen(network, cfg.MetricsAddr())`, then `http.Serve(l, h)`), or its address is named for profiling: `opts.ProfilerAddr`, `cfg.ProfAddr`, a local made from `cfg.Profile` or `profPort`, also one an address is formatted from) is a note: operators and scrapers reach it, not clients. A gin engine served with `Run` is judged the same way: by the names around it, or by its routes when every one the function registers on it is such a route (`r.GET(\"/metrics\", gin.WrapH(promhttp.Handler()))`, `/ready`; middleware given with `Use` adds no routes, unless it serves content itself, `static.Serve` or a proxy; an engine given a route group or a `NoRoute` handler may serve more than the function spells, so it is not), also when an `http.Server` serves it (`Handler: router`). "
        "A server in a file that handles Kubernetes admission or conversion reviews (imports `k8s.io/api/admission/v1` or "
        "`v1beta1`, or controller-runtime's webhook `admission` or `conversion` package, or names `ConversionReview` in its "
        "code) is a note: such a webhook's client is the API server, which bounds every call with its own timeout. "
        "A server handed to a helper together with a unix socket, in-memory or loopback listener of the "
        "function's own (`go startHTTP(server, listener)`) is taken to be served on that listener. "
        "An address read from an option field (`opt.APIAddr`, `fmt.Sprintf(\"%s:%d\", c.Host, c.Port)`, `c.Host + \":\" + port`) whose every "
        "default in the module is loopback, given by a flag bound to a field of that name (`fs.StringVar(&opt.APIAddr, "
        "\"api-addr\", \"localhost:2381\", …)`, or urfave/cli's `&cli.StringFlag{Value: \"127.0.0.1\", Destination: &o.ServeHost}`), a flag the file defines and reads into it by name (`HttpAddr: "
        "conf.GetString(\"http\")`), a flag's variable keyed into a literal (`PagesEndpoint: *pagesEndpoint` after "
        "`pagesEndpoint = flag.String(\"pages_endpoint\", \"localhost:8181\", …)`; not names as common as `Addr`), a struct tag (`default:\"localhost\"`), or a string constant of the file named "
        "as a default and assigned to the field (`s.ListenHost = DefaultListenHost`, in a settings constructor), or a "
        "value preset before the file decodes a config into the variable (`conf.AdminHost = \"127.0.0.1\"` then "
        "`toml.DecodeFile(path, conf)`) in any file or package, is a note, also when the address is that of a listener the server is served on; "
        "so is a setting read by name (`config.GetString(\"web.listen\")`) whose every default in the module, "
        "by viper's `SetDefault` or a flag of that name, is loopback (keys compared without case). "
        "So is a keyed string of a package's default-settings literal (`var DefaultConfig = Config{RPCHost: "
        "\"127.0.0.1\"}`, or the literal a `Default…` function returns; not its nested literals, and not names as "
        "common as `Addr`, `Host` or `Listen`, which clients' defaults use too). "
        "So is an address a setting's getter returns (`Addr: env.BindAddress()`, a function without arguments "
        "or receiver, of any package of the module) whose body ends by returning a loopback literal after "
        "the flag or environment variable that overrides it (`return \"127.0.0.1:9898\"`), when every such "
        "getter of that name in the module does. "
        "One public default for that name anywhere keeps the warning, except, for a server of a main package, one "
        "that another main package gives: each program sets its own (two commands' `options.ListenAddress`, one on "
        "loopback); a default set by another config library, "
        "by any other constructor from a literal, or read through `viper.BindPFlag`, is not seen. "
        "Otherwise one file is followed: a server configured by a helper in another file or package, a "
        "listener or address made in another file is still "
        "reported; suppress it with a reason. A flag's loopback default is trusted although a "
        "deployment may override it, except an option's default for a server that serves TLS (`ListenAndServeTLS`, "
        "`ServeTLS`, a `TLSConfig` field): TLS is for clients on other hosts, and such a server keeps its warning. An address or listener handed in as a parameter (`func serve(l net.Listener)`, "
        "`func Run(host string, port int)` serving `net.JoinHostPort(host, …)`) is followed to the module's calls of "
        "the function: when every call in non-test code passes a loopback address (spelled, a constant, a flag "
        "default, a variable a flag binds with a loopback default (`cmd.Flags().StringVar(&host, \"host\", \"127.0.0.1\", …)`, "
        "passed on from the command's function), or an option field whose every default is loopback, as it is when named for a host or address "
        "(`Start(c.config.RPCHost, port)`) or through `net.JoinHostPort`/`fmt.Sprintf`) or a listener made in the caller on loopback, a unix socket or in memory (also by a function of "
        "the program's own named for listening, given a loopback address: `CreateTLSListener(\"127.0.0.1:\")`), the "
        "finding is a note, since a caller outside the module could still pass another; a call the model cannot "
        "resolve (through an interface or a function value) is not seen, and one public call keeps the warning. "
        "A listener handed in otherwise (systemd socket activation, a "
        "wrapper, an address kept in a struct field) is taken to face the network. A debug mux is recognised only by its routes in the "
        "file (`/debug/…`, `/metrics`, pprof, expvar and Prometheus handlers, or a redirect to `/debug/…`); the default mux "
        "counts as one only in a file that imports `net/http/pprof` or registers metrics or profiling routes on it, "
        "and registers nothing else on it (`http.Handle(\"/metrics\", promhttp.Handler())` then `ListenAndServe(addr, nil)`; "
        "a server literal with no Handler counts as serving it only in a file that imports the profiler, since a "
        "framework it is handed to, `e.StartServer(srv)`, sets its own). "
        "Servers of other frameworks (echo's `e.Start`, fiber) are not checked.",
        references=(
            "https://pkg.go.dev/net/http#Server",
            "https://cwe.mitre.org/data/definitions/400.html",
        ),
    ),
)

REQUIRES_IMPORTS = frozenset({"net/http", "github.com/gin-gonic/gin"})
QUERY = """
(composite_literal type: (qualified_type name: (type_identifier) @type (#eq? @type "Server"))) @server
(assignment_statement
  left: (expression_list (selector_expression
    field: (field_identifier) @timeout (#match? @timeout "^(ReadHeaderTimeout|ReadTimeout)$")) @timeout_set))
"""
METHOD_CALLS = frozenset({"ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS", "Run", "RunTLS"})

_SERVE_FUNCS = frozenset(SERVE_FUNCS)
_GIN = "github.com/gin-gonic/gin"
_PPROF = "net/http/pprof"
_DEBUG_HANDLER_PREFIXES = ("net/http/pprof.", "expvar.", "github.com/prometheus/client_golang/prometheus/promhttp.")
_DEBUG_PATHS = ("/debug/", "/metrics")
_ROUTES = """
(call_expression function: (selector_expression field: (field_identifier) @m (#match? @m "^Handle(Func)?$"))) @route
"""
_FIX = ("use an http.Server with ReadHeaderTimeout set (e.g. 10*time.Second), plus IdleTimeout, and call its "
        "ListenAndServe")


def _no_certificate(ctx: FileContext, name: str, args: list[Node]) -> bool:
    """`http.ServeTLS(l, h, "", "")`, `http.ListenAndServeTLS(addr, "", "", h)`: the package-level
    functions serve with a new `http.Server` that has no `TLSConfig`, so with no certificate and key
    files they return an error at once, before any connection is accepted."""
    if not name.endswith("TLS"):
        return False
    files = args[2:4] if name.endswith("ServeTLS") and not name.endswith("ListenAndServeTLS") else args[1:3]
    return len(files) == 2 and all(ctx.source.text(arg) in ('""', "``") for arg in files)


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file or _browser_sandbox_only(ctx):
        return
    model = ctx.model
    calls = captures.get("call", [])
    for call in calls:
        name = model.qualified(call)
        label = ctx.source.text(call.child_by_field_name("function"))
        if (name in _SERVE_FUNCS or name is None and _is_gin_run(ctx, call)) and \
                (_unreachable(ctx, call) or _fallback_serve(ctx, call)):
            continue  # after `log.Fatal(…)` or `os.Exit`, or after a serve that blocks: it runs only if that one fails
        if name in _SERVE_FUNCS:
            args = call.child_by_field_name("arguments").named_children
            if _no_certificate(ctx, name, args):
                continue  # fails before it accepts a connection: there is no server to time out
            reach = serve_reach(model, name, args)
            if reach.local:
                continue  # a loopback address, a unix socket or an in-memory listener: no untrusted client
            handler_index = 3 if name.endswith("ListenAndServeTLS") else 1
            if len(args) > handler_index and _debug_only(ctx, args[handler_index]):
                continue  # a metrics or pprof port: whether it is exposed at all is GL501's question
            # The handler's name counts as a server literal's Handler does (`http.Serve(l, debugMux())`),
            # a one-line one only: a handler literal's body says nothing of the port.
            named_handler = [args[handler_index]] if len(args) > handler_index and \
                args[handler_index].start_point[0] == args[handler_index].end_point[0] else []
            port = _operational_port(ctx, call, [*args[:1], *_listener_address(ctx, args[0] if args else None),
                                                 *named_handler]) or \
                _profiler_address(ctx, args[0] if args else None) or \
                (len(args) > handler_index and _operational_routes(ctx, args[handler_index]))
            browser = not port and _opens_browser(ctx)
            handed = reach.kind == HANDED
            admission = not (port or browser or handed) and _admission_webhook(ctx)
            switch = None if port or browser or handed or admission else developer_switch(ctx.source, call)
            unseen, kind = ("", "") if port or browser or handed or admission or switch else \
                _unseen_clients(ctx, call, tls=name.endswith("TLS"))
            yield ctx.finding(
                RULE, call,
                f"{label} serves with no timeouts: a slow client holds a goroutine and its buffers for as long as it "
                "likes" + (_PORT_NOTE if port else _BROWSER_NOTE if browser else _HANDED_NOTE if handed
                           else _ADMISSION_NOTE if admission else _switch_note(switch) if switch else ""),
                fix=_FIX, severity=Severity.NOTE if port or browser or handed or admission or switch else None,
                unexposed=unseen, kind=kind, opt_in=OPT_IN_DEVELOPER,
                # a loopback default is no evidence for a server that serves TLS, which is for other hosts
                address="" if name.endswith("TLS") else _option(ctx, args[0]) if args and name.endswith("ListenAndServe")
                else reach.option,
                parameter=_parameter(reach),
            )
        elif name is None and _is_gin_run(ctx, call):
            args = call.child_by_field_name("arguments").named_children
            reach = address_reach(model, args[0]) if args else Reach(NETWORK)
            if reach.local:
                continue
            # An engine for metrics or health checks, as net/http servers are judged: by the names
            # around it (`startMetricsServer`) or by routes that all serve operations.
            engine = call.child_by_field_name("function").child_by_field_name("operand")
            tls = call.child_by_field_name("function").child_by_field_name("field").text == b"RunTLS"
            port = _operational_port(ctx, call, [engine, *args[:1]]) or _operational_engine(ctx, engine)
            switch = None if port else developer_switch(ctx.source, call)
            unseen, kind = ("", "") if port or switch else _unseen_clients(ctx, call, tls=tls)
            serve = "ListenAndServeTLS" if tls else "ListenAndServe"
            yield ctx.finding(
                RULE, call,
                f"gin's {label} serves with http.{serve}, which has no timeouts: a slow client holds a "
                "goroutine and its buffers for as long as it likes"
                + (_PORT_NOTE if port else _switch_note(switch) if switch else ""),
                fix=f"serve the engine with `&http.Server{{Handler: r, ReadHeaderTimeout: 10 * time.Second}}` "
                    f"({serve}) instead of {'RunTLS' if tls else 'Run'}",
                severity=Severity.NOTE if port or switch else None,
                unexposed=unseen, kind=kind, opt_in=OPT_IN_DEVELOPER,
                # a loopback default is no evidence for a server that serves TLS, which is for other hosts
                address="" if tls else _option(ctx, args[0]) if args else "",
                parameter=_parameter(reach),
            )
    serve_methods = [c for c in calls if c.child_by_field_name("function").type == "selector_expression"
                     and model.qualified(c) is None]
    timeout_targets = [n.child_by_field_name("operand") for n in captures.get("timeout_set", [])]
    for literal in captures.get("server", []):
        if model.type_text(literal.child_by_field_name("type")) != "net/http.Server":
            continue
        body = literal.child_by_field_name("body")
        fields = literal_fields(model, literal)
        if not fields.keys().isdisjoint({"ReadHeaderTimeout", "ReadTimeout"}):
            continue
        if not fields and body is not None and body.named_child_count:
            continue  # a positional literal: fields we cannot name
        bound_node = _bound_to(ctx, literal)
        if bound_node is None:
            continue
        bound = _stored_as(literal) if bound_node == "" else _target(ctx, bound_node)
        if bound_node != "" and bound is None:
            continue  # stored in a map or slice element: its configuration cannot be followed
        if bound is not None and _timeout_set_later(ctx, bound, timeout_targets):
            continue
        if bound_node != "" and bound_node.type == "identifier" and _configured_by_call(ctx, bound_node, timeout_targets):
            continue
        handler = fields.get("Handler")
        if _debug_only(ctx, handler):
            continue  # no Handler: the default mux, judged as `Handler: nil`
        if bound_node != "" and _never_served(ctx, bound_node):
            continue  # built and perhaps shut down, but served by nothing: not the server that serves
        if not fields and _replaced_placeholder(ctx, literal, bound):
            continue  # `m.server = &http.Server{}` in a constructor, a configured one stored before it serves
        own_serves = _own_serve_calls(ctx, bound, serve_methods)
        reach = _server_reach(ctx, fields.get("Addr"), bound, own_serves, literal)
        if reach.local:
            continue
        bound_name = None if isinstance(bound_node, str) else bound_node
        port = _operational_port(ctx, literal, [n for n in (bound_name, fields.get("Addr"), handler) if n is not None]) \
            or _profiler_address(ctx, fields.get("Addr")) \
            or _operational_routes(ctx, handler, handler is None and bool(own_serves)
                                   and not _HANDLER_SET.search(ctx.source.data))
        helper = _handed_to_package(ctx, literal)
        browser = not port and helper is None and _opens_browser(ctx)
        admission = not (port or browser or helper is not None or reach.kind == HANDED) and _admission_webhook(ctx)
        message = ("this http.Server sets neither ReadHeaderTimeout nor ReadTimeout: a slow client holds a goroutine and "
                   "its buffers for as long as it likes")
        if port:
            message += _PORT_NOTE
        elif reach.kind == HANDED:
            message += _HANDED_NOTE
        elif helper is not None:
            message += f" (unless {helper}, which it is handed to, sets them)"
        elif browser:
            message += _BROWSER_NOTE
        elif admission:
            message += _ADMISSION_NOTE
        quiet = port or helper is not None or browser or admission or reach.kind == HANDED
        # Where it is served counts as where it is made: `if cfg.Debug { go srv.ListenAndServe() }`,
        # when every call of the file that serves it is so switched.
        served = [developer_switch(ctx.source, call) for _, call in own_serves]
        switch = None if quiet else developer_switch(ctx.source, literal) or \
            (served[0] if served and all(served) else None)
        if switch:
            message += _switch_note(switch)
        unseen, kind = ("", "") if quiet or switch else \
            _unseen_clients(ctx, literal, tls="TLSConfig" in fields or any(m.endswith("TLS") for m, _ in own_serves))
        yield ctx.finding(
            RULE, literal, message,
            fix="set ReadHeaderTimeout (e.g. 10*time.Second), and IdleTimeout for keep-alive connections",
            severity=Severity.NOTE if quiet or switch else None,
            unexposed=unseen, kind=kind, opt_in=OPT_IN_DEVELOPER,
            # a loopback default is no evidence for a server that serves TLS, which is for other hosts
            address="" if "TLSConfig" in fields or any(method.endswith("TLS") for method, _ in own_serves)
            else _option(ctx, fields["Addr"]) if "Addr" in fields else reach.option,
            parameter=_parameter(reach),
        )


# Kubernetes admission reviews: a file that decodes them serves an admission webhook.
# Conversion webhooks too: a file that handles ConversionReviews, or serves controller-runtime's
# conversion or admission handlers.
_ADMISSION = ("k8s.io/api/admission/v1", "k8s.io/api/admission/v1beta1",
              "sigs.k8s.io/controller-runtime/pkg/webhook/admission", "sigs.k8s.io/controller-runtime/pkg/webhook/conversion")
_ADMISSION_NOTE = (" (a Kubernetes admission or conversion webhook, by the reviews its file handles: its client is the "
                   "Kubernetes API server, which puts its own timeout on every call)")


_BLOCKING_SERVES = frozenset((b"ListenAndServe", b"ListenAndServeTLS", b"Serve", b"ServeTLS"))
_HOLDERS = frozenset(("expression_statement", "short_var_declaration", "assignment_statement"))


def _fallback_serve(ctx: FileContext, call: Node) -> bool:
    """An earlier statement of its function serves and blocks, unconditionally (`router.Run()`, `err
    := srv.ListenAndServe()`, `if err := r.Run(); err != nil {` around it or before it): the call
    runs only if that serve fails to start, and that serve is the program's server, judged on its
    own."""
    function = ctx.model.enclosing_function(call)
    statement, child = call, call
    while statement.parent is not None and statement.parent.type not in ("block", "statement_list"):
        child, statement = statement, statement.parent
        if statement.type == "if_statement" and statement.child_by_field_name("consequence") == child:
            initializer = statement.child_by_field_name("initializer")
            if initializer is not None and _serves(ctx, initializer, function):
                return True  # `if err := r.Run(); err != nil { http.ListenAndServe(…) }`
        if statement.type in ("func_literal", "go_statement", "function_declaration", "method_declaration"):
            return False
    if statement.parent is None or ctx.model.enclosing_function(statement) is not function:
        return False
    sibling = statement.prev_named_sibling
    while sibling is not None:
        if sibling.type in _HOLDERS and _serves(ctx, sibling, function):
            return True
        if sibling.type == "if_statement":
            initializer = sibling.child_by_field_name("initializer")
            if initializer is not None and _serves(ctx, initializer, function):
                return True
        sibling = sibling.prev_named_sibling
    parent = statement.parent.parent if statement.parent.type == "statement_list" else statement.parent
    if parent is not None and parent.type == "block" and parent.parent is not None and \
            parent.parent.type == "if_statement" and parent.parent.child_by_field_name("consequence") == parent:
        initializer = parent.parent.child_by_field_name("initializer")
        return initializer is not None and _serves(ctx, initializer, function)
    return False


def _serves(ctx: FileContext, statement: Node, function) -> bool:
    """The statement itself calls a serve that blocks (not in a literal or a `go` statement of it)."""
    for call in descendants(statement):
        if call.type != "call_expression":
            continue
        callee = call.child_by_field_name("function")
        if ctx.model.enclosing_function(call) is not function or callee is None:
            continue
        if within(call, statement, ("go_statement",)):
            continue
        name = ctx.model.qualified(call)
        if name in _SERVE_FUNCS:
            return True
        if name is None and callee.type == "selector_expression":
            method = callee.child_by_field_name("field").text
            arguments = call.child_by_field_name("arguments").named_child_count
            # `srv.Serve(l)` serves a listener; a `Serve()` of the program's own may not block
            if method in _BLOCKING_SERVES and (arguments or method.startswith(b"ListenAndServe")) or \
                    _is_gin_run(ctx, call):
                return True
    return False


def _unreachable(ctx: FileContext, node: Node) -> bool:
    """No path from its function's entry reaches `node`: it follows a call that ends the process
    (`log.Fatal(http.ListenAndServe(…))`, `os.Exit`), a return or a panic in its block."""
    function = ctx.model.enclosing_function(node)
    if function is None or function.body is None:
        return False
    return not ctx.model.cfg(function).reachable(node)


def _admission_webhook(ctx: FileContext) -> bool:
    return any(ctx.model.imported(path) for path in _ADMISSION) or \
        (b"ConversionReview" in ctx.source.data and b"ConversionReview" in without_comments(ctx.source.data))


# A file built only for WebAssembly: by its name (`_js.go`, `_wasm.go`, `_wasip1.go`) or by a
# `//go:build` line every alternative of which requires js, wasm or wasip1.
_WASM_FILE = LazyPattern(r"_(?:js|wasm|wasip1)(?:_wasm)?\.go$")
_BUILD_LINE = LazyPattern(rb"^//go:build[ \t]+(.+?)[ \t]*\r?$", re.M)
_WASM_ATOM = LazyPattern(r"\b(?:js|wasm|wasip1)\b")


def _browser_sandbox_only(ctx: FileContext) -> bool:
    """The file builds only for js/wasm or wasip1, where `net.Listen` is an in-process fake network
    the Go runtime provides: no remote client ever reaches a server there."""
    if _WASM_FILE.search(ctx.relpath):
        return True
    head = ctx.source.data[:4096]
    line = _BUILD_LINE.search(head) if b"//go:build" in head else None
    if line is None:
        return False
    expression = line.group(1).decode("utf-8", "replace")
    if "!" in expression:
        return False
    return all(_WASM_ATOM.search(alternative) for alternative in expression.replace("(", " ").replace(")", " ").split("||"))


# Words that name an operational port: metrics, health checks, probes, profiling, debugging.
_OPERATIONAL = LazyPattern(r"(?i)metric|health|prometheus|prom(?:x|http)?\b|pprof|debug|diagnos|probe|liveness|readiness|"
                          r"telemetry|observability|(?-i:(?<![a-z])[pP]rom(?=[A-Z_0-9]|$))")
_HANDED_NOTE = (" (its listener hands out connections the program accepted elsewhere, passed over a channel or "
                "held from the start: whether slow clients reach it, and what bounds them, is decided where they are "
                "accepted)")
def _switch_note(switch: str) -> str:
    return (f" (but only when a switch for developers turns it on, `{switch}`: a default deployment does not start "
            "it)")


_PORT_NOTE = (" (a metrics, health or debug port, by the names around it: operators reach it, not clients, and "
              "whether it is exposed at all is GL501's question)")


# Signs that clients connect to the server itself rather than through a proxy: it terminates TLS
# (in the function that sets it up), or its package answers browsers of other origins (CORS).
_TLS_SERVING = LazyPattern(rb"\bTLSConfig\b|\bServeTLS\(|\bListenAndServeTLS\(|\bautocert\.|\btls\.NewListener\(|"
                           rb"\btls\.Listen\(|\bRunTLS\(")
# Prometheus's exporter toolkit serves the server it is handed with TLS and basic auth from its web
# config: made to be scraped across hosts.
_TOOLKIT_IMPORT = b'"github.com/prometheus/exporter-toolkit/web"'
_TOOLKIT_SERVING = LazyPattern(rb"\.(?:ListenAndServe|Serve|ServeMultiple)\(")
_PROXIED_NOTE = (" (nothing in the code says that clients reach it directly: it does not terminate TLS and its "
                 "package answers no cross-origin requests, so it is likely served behind a proxy or load balancer "
                 "that reads each request before passing it on; set the timeouts if clients connect to it directly)")
_LOCAL_ORIGINS_NOTE = (" (nothing in the code says that clients on other hosts reach it directly: it does not terminate "
                       "TLS, and its package's CORS setting admits only loopback origins, a browser front end on the "
                       "same machine such as a development server; set the timeouts if clients connect to it directly)")
_CLUSTER_NOTE = (" (a server of a Kubernetes component, by its go.mod: the cluster's own parts are its clients, "
                 "most often; set the timeouts if it is exposed outside the cluster)")


# Kinds of finding, by the sign that clients connect to the server itself (`Finding.kind`).
_TLS_KIND = "tls"  # the function that sets it up terminates TLS
_CROSS_ORIGIN_KIND = "cross-origin"  # its package answers browsers of other origins (CORS)


def _unseen_clients(ctx: FileContext, node: Node, tls: bool) -> tuple[str, str]:
    """(the note's words, "") when the code gives no sign that untrusted clients connect to the
    server itself; ("", the kind of sign) when it does. A server of a module that requires the
    Kubernetes client libraries is a cluster component's (webhooks, aggregated APIs, agents,
    exporters). Otherwise a server that
    terminates TLS (`ListenAndServeTLS`, a `TLSConfig`, autocert, a TLS listener, in the function
    that sets it up) is reached by clients on other hosts, and one whose package configures CORS is
    called by browsers; one with neither is most often a plain-HTTP backend behind a reverse proxy,
    an ingress or a load balancer, which holds slow clients itself."""
    if ctx.kubernetes:
        return _CLUSTER_NOTE, ""
    if tls:
        return "", _TLS_KIND
    function = ctx.model.enclosing_function(node)
    while function is not None and function.parent is not None:
        function = function.parent
    data = ctx.source.data
    span = (function.node.start_byte, function.node.end_byte) if function is not None else (0, len(data))
    # Commented-out code is no sign: a pattern found in the bytes is confirmed without comments.
    # Nor is TLS served only under a switch for developers (`if dev { ListenAndServeTLS(…,
    # "localhost.pem", …) }`) for a server outside that branch.
    if _TLS_SERVING.search(data, *span) is not None and \
            _TLS_SERVING.search(without_comments(data[span[0]:span[1]])) is not None and \
            any(not _developer_only(ctx, match.start(), node) for match in _TLS_SERVING.finditer(data, *span)):
        return "", _TLS_KIND
    if _TOOLKIT_IMPORT in data and _toolkit_serves(ctx, span):
        return "", _TLS_KIND
    if not ctx.package.facts.answers_cross_origin:
        return _PROXIED_NOTE, ""
    return (_LOCAL_ORIGINS_NOTE, "") if ctx.package.facts.cross_origin_local else ("", _CROSS_ORIGIN_KIND)


def _developer_only(ctx: FileContext, at: int, server: Node) -> bool:
    """The code at byte `at` runs only under a switch for developers that `server` is not under."""
    node = ctx.source.root.descendant_for_byte_range(at, at + 1)
    if node is None or node.type == "comment":
        return True
    switch = developer_switch(ctx.source, node)
    return switch is not None and developer_switch(ctx.source, server) != switch


def _toolkit_serves(ctx: FileContext, span: tuple[int, int]) -> bool:
    """The function hands a server to the exporter toolkit (`web.ListenAndServe(srv, flags, logger)`,
    under whatever name the file imports the package)."""
    names = {name.encode() for name in ctx.model.local_names("github.com/prometheus/exporter-toolkit/web")}
    data = ctx.source.data
    return any(data[hit.start() - len(name) : hit.start()] == name
               for hit in _TOOLKIT_SERVING.finditer(data, *span) for name in names)


# A browser opened by the program: pkg/browser, skratchdot/open-golang, cli/browser, a helper of
# the program's own named for it, or the platforms' openers run as commands.
_BROWSER = LazyPattern(rb"\bbrowser\.Open(?:URL|File|Reader)\b|\bopen\.(?:Run|Start|RunWith|StartWith)\(|"
                      rb"\b[oO]pen_?[bB]rowser\(|\"xdg-open\"")
_BROWSER_NOTE = (" (a server for the user's own browser, which this file opens on it: a command a developer runs, "
                 "not a service clients reach)")


def _opens_browser(ctx: FileContext) -> bool:
    """The file opens a web browser: the server it starts is for the user at the keyboard (a
    `docs` or `open` command, an OAuth callback of a CLI login)."""
    data = ctx.source.data
    return _BROWSER.search(data) is not None and _BROWSER.search(without_comments(data)) is not None


# An address named for the profiler (`opts.ProfilerAddr`, `net.JoinHostPort("", cfg.Profile)`): only
# in the address, where "profile" cannot be a user's profile page.
_PROFILER = LazyPattern(r"(?i:profil(?:e|er|ing))(?![a-z])|(?<![A-Za-z])[pP]rof(?=[A-Z_0-9]|$|[^A-Za-z])|(?<=[a-z0-9])Prof(?![a-z])")


def _profiler_address(ctx: FileContext, address: Node | None) -> bool:
    """The server's address is named for profiling, spelled in the call or in the local it is read
    from: a profiling port, which whether to expose is GL501's question."""
    if address is None or not hasattr(address, "start_byte"):
        return False
    address = _local_value(ctx, address) or address
    if _PROFILER.search(ctx.source.text(address)) is not None:
        return True
    # `fmt.Sprintf("%v", addr)` where `addr := ":" + profPort`: the locals an address is built from
    arguments = address.child_by_field_name("arguments") if address.type == "call_expression" else None
    return any(value is not None and _PROFILER.search(ctx.source.text(value)) is not None
               for argument in (arguments.named_children if arguments is not None else ())
               for value in [_local_value(ctx, argument)])


def _local_value(ctx: FileContext, node: Node) -> Node | None:
    """What a local is set to once (`addr := cfg.MetricsAddr()`), for a name that is a local; None
    for anything else."""
    if node.type != "identifier":
        return None
    binding = ctx.model.resolve(node)
    return single_initialiser(binding.decl) if binding.kind == "local" and binding.decl is not None else None


# A status or stats port, named as a word of its own or followed by what a port is called
# (`StartStatusServer`, `JSONStats.Start`, `cfg.StatusAddr`, `status/`), not a longer word
# (`StatusChecker`, `statistics`, `http.StatusOK`); in one-line texts, not a handler literal's body.
_STATUS_PORT = LazyPattern(r"(?:(?<![A-Za-z])[sS]|S)tat(?:us|s)(?=$|[^A-Za-z0-9]|(?:Server|Srv|Port|Addr|Address|"
                           r"Listener|Listen|Handler|Page|Endpoint|HTTP|Http|Mux)(?![a-z]))")


def _operational_port(ctx: FileContext, node: Node, parts: list) -> bool:
    """A server for metrics, health checks, status reports or debugging, as the code names it: the
    function that starts it (`serveMetrics`, `(*PrometheusWrapper).run`, `StartStatusServer`), the
    variable it is kept in (`metricsServer`), its address (`c.String("healthcheck-addr")`), its
    handler, or a directory of its file (`…/debug/`). Such a port faces operators and scrapers
    rather than clients; the finding stays, as a note."""
    function = ctx.model.enclosing_function(node)
    while function is not None and function.kind == "literal" and function.parent is not None:
        function = function.parent
    texts = [function.name if function is not None else "", *ctx.relpath.split("/")[:-1]]
    texts += [ctx.source.text(part) for part in parts if part is not None and hasattr(part, "start_byte")]
    return any(_OPERATIONAL.search(text) or "\n" not in text and _STATUS_PORT.search(text) for text in texts)


def _listener_address(ctx: FileContext, listener: Node | None) -> list[Node]:
    """For a listener local made by a listen call (`l, err := net.Listen("tcp", addr)`): the call's
    address, and what a local address was made from (`addr := cfg.MetricsAddr()`): the names an
    operations port is known by when it is served with `http.Serve(l, h)`."""
    if listener is None or listener.type != "identifier":
        return []
    binding = ctx.model.resolve(listener)
    value = declared_value(binding.decl) if binding.kind == "local" and binding.decl is not None else None
    if value is None or value.type != "call_expression":
        return []
    args = value.child_by_field_name("arguments")
    args = args.named_children if args is not None else []
    maker = ctx.source.text(value.child_by_field_name("function"))
    if len(args) == 3 and maker.endswith(".Listen") and not maker.startswith("tls."):
        address = args[2]  # a ListenConfig's `Listen(ctx, network, address)`
    elif len(args) >= 2:
        address = args[1]  # `net.Listen(network, address)`, `tls.Listen(network, address, config)`
    else:
        return []
    made = _local_value(ctx, address)
    return [address] if made is None else [address, made]


def _handed_to_package(ctx: FileContext, literal: Node) -> str | None:
    """The function of another package the literal is handed to as it is made
    (`graceful.WithDefaults(&http.Server{…})`): such wrappers exist to fill in what the literal
    leaves out, timeouts first of all, and their code is not followed."""
    node = literal.parent if literal.parent is not None and literal.parent.type == "unary_expression" else literal
    args = node.parent
    if args is None or args.type != "argument_list" or args.parent is None:
        return None
    call = args.parent
    qualified = ctx.model.qualified(call) if call.type == "call_expression" else None
    if qualified is None or qualified.startswith("net/http."):
        return None
    return ctx.source.text(call.child_by_field_name("function"))


def _parameter(reach: Reach) -> str:
    """The finding's `parameter`: the module model knows whether every caller passes loopback there."""
    return f"loopback:{reach.parameter}" if reach.parameter else ""


def _option(ctx: FileContext, addr: Node) -> str:
    """The option field an address comes from when the file spells no default for it (`opt.APIAddr`):
    the module's flags and struct tags may give it a loopback default (linter/lifetime.py)."""
    return address_reach(ctx.model, addr).option


def _own_serve_calls(ctx: FileContext, bound: tuple[str, object] | None,
                     serve_methods: list[Node]) -> list[tuple[str, Node]]:
    """(method, call) of the file's calls that serve the server kept in `bound` with its own
    methods: `srv.ListenAndServe()`, `srv.Serve(l)`, their TLS forms."""
    if bound is None:
        return []
    found = []
    for call in serve_methods:
        function = call.child_by_field_name("function")
        method = ctx.source.text(function.child_by_field_name("field"))
        if method in _SERVE_METHODS and _target(ctx, function.child_by_field_name("operand")) == bound:
            found.append((method, call))
    return found


_SERVE_METHODS = ("Serve", "ServeTLS", "ListenAndServe", "ListenAndServeTLS")


def _server_reach(ctx: FileContext, addr: Node | None, bound: tuple[str, object] | None,
                  own_serves: list[tuple[str, Node]], literal: Node | None = None) -> Reach:
    """Where a server literal listens: its `Serve(l)`/`ListenAndServe()` calls in the file, else a
    call that hands it over with a unix socket or in-memory listener of the file's own
    (`go startHTTP(server, listener)`), else its `Addr`. Local only when every call found is local."""
    model = ctx.model
    from_addr = address_reach(model, addr) if addr is not None else Reach(NETWORK, "")
    reaches = []
    for method, call in own_serves:
        args = call.child_by_field_name("arguments").named_children
        if method in ("Serve", "ServeTLS") and args:
            reaches.append(listener_reach(model, args[0]))
        elif method in ("ListenAndServe", "ListenAndServeTLS"):
            reaches.append(from_addr)
    function = model.enclosing_function(literal) if literal is not None and bound is not None else None
    if not reaches and function is not None:
        calls = query_captures("(call_expression) @call", function.node).get("call", [])
        reaches = [reach for call in sorted(calls, key=lambda n: n.start_byte) if model.qualified(call) is None
                   for reach in [_handed_with_listener(ctx, call, bound)] if reach is not None]
    if not reaches:
        return from_addr
    return reaches[0] if all(r.local for r in reaches) else next(r for r in reaches if not r.local)


def _handed_with_listener(ctx: FileContext, call: Node, bound: tuple[str, object]) -> Reach | None:
    """The reach of the local (unix socket, in-memory, loopback) listener a call hands over with the server
    (`go startHTTP(server, listener)`), or None."""
    args = call.child_by_field_name("arguments")
    if args is None or args.named_child_count < 2:
        return None
    if not any(_target(ctx, arg) == bound for arg in args.named_children):
        return None
    for arg in args.named_children:
        if arg.type == "identifier" and _target(ctx, arg) != bound:
            reach = listener_reach(ctx.model, arg)
            if reach.local:
                return reach
    return None


# What may follow a server variable or field without serving it or handing it on: shutting it
# down, setting a field, testing it against nil, assigning it.
# A read of a field of http.Server (`http.ListenAndServe(srv.Addr, srv.Handler)`: a holder of an
# address and a handler that another call serves) does not serve it either; a method value
# (`serve := srv.ListenAndServe`) may.
_NOT_SERVING = LazyPattern(rb"\s*(?:\.\s*(?:Shutdown|Close|RegisterOnShutdown|SetKeepAlivesEnabled)\s*\(|"
                          rb"\.\s*\w+\s*=[^=]|[!=]=\s*nil\b|=[^=]|"
                          rb"\.\s*(?:Addr|Handler|TLSConfig|ReadTimeout|ReadHeaderTimeout|WriteTimeout|IdleTimeout|"
                          rb"MaxHeaderBytes|ErrorLog|ConnState|BaseContext|ConnContext|TLSNextProto|Protocols|HTTP2|"
                          rb"DisableGeneralOptionsHandler)\b)")


def _never_served(ctx: FileContext, bound: Node) -> bool:
    """A server kept in a variable or field that nothing serves or hands on: every use of the
    local in its function, or of the unexported field (`app.srv`) in the package's files, shuts it down, sets
    or reads a field, compares it with nil or assigns it (the serving done by another call, `http.Serve(ln,
    handler)`, `http.ListenAndServe(srv.Addr, srv.Handler)`). A server served or passed anywhere, or kept where it cannot be followed, is served."""
    if bound.type == "selector_expression":
        field = bound.child_by_field_name("field")
        if field is None or not field.text[:1].islower():
            return False  # an exported field may be served by another package
        pattern = re.compile(rb"\." + re.escape(field.text) + rb"\b")
        uses = 0
        for file in ctx.package.files:
            data = file.source.data
            if field.text not in data:
                continue
            data = without_comments(data)
            for match in pattern.finditer(data):
                uses += 1
                if not _NOT_SERVING.match(data, match.end()):
                    return False
        return uses > 0
    if bound.type != "identifier":
        return False
    binding = ctx.model.resolve(bound)
    if binding.kind != "local" or binding.decl is None:
        return False
    function = ctx.model.enclosing_function(binding.decl)
    if function is None:
        return False
    data = ctx.source.data
    return all(_NOT_SERVING.match(data, ref.end_byte) or _only_shut_down_by(ctx, ref)
               for ref in ctx.model.references(binding.decl, within=function.node))


def _only_shut_down_by(ctx: FileContext, ref: Node) -> bool:
    """The server is handed to a function of the package that only shuts it down (`handleSignal(server)`,
    whose every use of its parameter is `srv.Shutdown(ctx)`, `Close`, a field set or a nil test),
    as a server that another call serves is (`app.Run(addr)` beside it)."""
    arguments = ref.parent
    call = arguments.parent if arguments is not None and arguments.type == "argument_list" else None
    functions = ctx.package.facts.functions if ctx.package is not None else None
    if call is None or call.type != "call_expression" or functions is None:
        return False
    target = functions.callee(ctx, call)
    if target is None or target[1].node is None:
        return False
    index = next((i for i, arg in enumerate(arguments.named_children) if arg.id == ref.id), None)
    params = target[1].params
    if index is None or index >= len(params) or any(p.type.startswith("...") for p in params[:index + 1]):
        return False
    param = params[index].node
    if param is None:
        return False
    model, data = target[0].model, target[0].source.data
    uses = model.references(param, within=target[1].node)
    return bool(uses) and all(_NOT_SERVING.match(data, use.end_byte) for use in uses)


def _replaced_placeholder(ctx: FileContext, literal: Node, bound: tuple[str, object] | None) -> bool:
    """An empty server literal kept in a struct field (`m.server = &http.Server{}`, `server:
    &http.Server{}`) when the package also stores a server literal that sets something in a field
    of that name, or kept in a local that its function assigns such a literal again (`redirect :=
    &http.Server{}` for the shutdown code, then `redirect = &http.Server{Addr: …}` where it is
    needed): the empty one is a placeholder, the other is what serves, and it is checked itself."""
    if bound is not None and bound[0] == "var":
        return replaced_server_placeholder(ctx.model, literal)
    if bound is None or bound[0] != "field":
        return False
    name = re.escape(bound[1])
    pattern = re.compile(rb"(?:\." + name + rb"\s*=|\b" + name + rb"\s*:)\s*&?http\.Server\s*\{\s*[A-Za-z_]")
    for file in ctx.package.files:
        if file.is_test_file or bound[1] not in file.source.data:
            continue
        if pattern.search(without_comments(file.source.data)) is not None:
            return True
    return False


def _stored_as(literal: Node) -> tuple[str, bytes] | None:
    """The field of `T{srv: &http.Server{...}}` the literal is stored in, so that a later
    `x.srv.ReadTimeout = d` or `x.srv.Serve(l)` is followed."""
    field = stored_in_field(literal)
    return ("field", field) if field is not None else None


def _target(ctx: FileContext, node: Node | None) -> tuple[str, object] | None:
    """What an expression names, comparable across the file: a variable by its declaration, or a
    struct field by its name (a constructor may fill in the field's server that another method made)."""
    if node is None:
        return None
    if node.type == "identifier":
        decl = ctx.model.resolve(node).decl
        return ("var", (decl or node).start_byte)
    if node.type == "selector_expression":
        return ("field", node.child_by_field_name("field").text)
    return None


def _configured_by_call(ctx: FileContext, bound: Node, targets: list[Node]) -> bool:
    """The server is handed, before it serves, to an option callback (`opt(srv)`, a function value)
    or to a function of the file that sets a read timeout on its `*http.Server` parameter."""
    model = ctx.model
    decl = model.resolve(bound).decl or bound
    function = model.enclosing_function(decl)
    for ref in model.references(decl, within=None if function is None else function.node):
        target = ref.parent.parent if ref.parent is not None and ref.parent.type == "unary_expression" else ref.parent
        if target is None or target.type != "argument_list":
            continue
        callee = target.parent.child_by_field_name("function")
        if callee is None or callee.type != "identifier":
            continue
        binding = model.resolve(callee)
        if binding.kind in ("local", "param"):
            return True  # `for _, opt := range opts { opt(srv) }`
        if binding.kind == "package" and binding.decl is not None:
            configurer = model.function_of(binding.decl.parent) if binding.decl.parent is not None else None
            if configurer is not None and any(
                    t is not None and t.type == "identifier" and configurer.contains(t)
                    and model.resolve(t).kind == "param" for t in targets):
                return True
    return False


def _debug_only(ctx: FileContext, handler: Node | None) -> bool:
    """A handler that serves only profiling or metrics: a pprof, expvar or Prometheus handler, or a
    mux of the file (the default mux included, when the file imports net/http/pprof; a server
    literal with no Handler serves it) every route of which is one."""
    model = ctx.model
    if handler is None:  # unless a Handler is assigned later: `srv.Handler = mux`
        # A literal with no Handler may be handed to a framework that sets one (echo's
        # `e.StartServer(srv)`): only a file that imports the profiler says it serves the default mux.
        return not _HANDLER_SET.search(ctx.source.data) and _default_mux_debug_only(ctx, spelled=False)
    if handler.type == "call_expression" and model.qualified(handler) == "net/http.HandlerFunc":
        args = handler.child_by_field_name("arguments").named_children
        handler = args[0] if len(args) == 1 else handler
    if (model.qualified(handler) or "").startswith(_DEBUG_HANDLER_PREFIXES):
        return True
    if handler.type == "nil" or model.qualified(handler) == "net/http.DefaultServeMux":
        return _default_mux_debug_only(ctx)
    if handler.type == "identifier":
        routes = _routes_of(ctx, handler)
        if not routes:
            return False
    else:
        return False
    return _debug_routes(ctx, routes)


_HANDLER_SET = LazyPattern(rb"\.Handler\s*=[^=]")


# A route on the default mux, spelled: `http.HandleFunc("/proc/cpu", …)`, `http.DefaultServeMux.Handle("/x", …)`.
_DEFAULT_MUX_ROUTE = LazyPattern(rb'\bhttp\.(?:DefaultServeMux\.)?Handle(?:Func)?\(\s*"([^"\n]*)"')


def _default_mux_debug_only(ctx: FileContext, spelled: bool = True) -> bool:
    """The default mux, in a file that imports net/http/pprof or (`spelled`: the server names the
    default mux, `ListenAndServe(addr, nil)`) registers routes on it, whose
    every route the file registers on it (none: only the profiler's own) and every one the
    package's other files register is a profiling or metrics one (`http.Handle("/metrics",
    promhttp.Handler())` in an exporter command)."""
    model = ctx.model
    routes = [c for c in _route_calls(ctx) if model.qualified(c) in ("net/http.Handle", "net/http.HandleFunc")]
    if not model.imported(_PPROF) and not (routes and spelled):
        return False  # nothing on it but what other files register, or not known to serve it
    if not _debug_routes(ctx, routes):
        return False
    for file in ctx.package.files:
        if file is ctx or file.is_test_file or b"Handle" not in file.source.data:
            continue
        if any(not path.decode("utf-8", "replace").startswith(_DEBUG_PATHS)
               for path in _DEFAULT_MUX_ROUTE.findall(file.source.data)):
            return False  # the package serves more on the default mux than operations pages
    return True


def _debug_routes(ctx: FileContext, routes: list[Node]) -> bool:
    model = ctx.model
    for call in routes:
        args = call.child_by_field_name("arguments").named_children
        if len(args) != 2:
            return False
        pattern = args[0].text.decode("utf-8", "replace").strip('"`')
        handler_name = model.qualified(args[1]) or ""
        if not (pattern.startswith(_DEBUG_PATHS) or handler_name.startswith(_DEBUG_HANDLER_PREFIXES)
                or _redirect_to_debug(ctx, args[1])):
            return False
    return True


def _redirect_to_debug(ctx: FileContext, handler: Node) -> bool:
    """`http.RedirectHandler("/debug/pprof", code)`, directly or through a local: a route that only
    sends the browser on to the profiler."""
    model = ctx.model
    if handler.type == "identifier":
        binding = model.resolve(handler)
        handler = declared_value(binding.decl) if binding.decl is not None else None
    if handler is None or handler.type != "call_expression" or model.qualified(handler) != "net/http.RedirectHandler":
        return False
    args = handler.child_by_field_name("arguments").named_children
    return bool(args) and args[0].type == "interpreted_string_literal" and \
        args[0].text.strip(b'"').decode("utf-8", "replace").startswith(_DEBUG_PATHS)


def _routes_of(ctx: FileContext, mux: Node) -> list[Node]:
    """The route registrations of the file on the mux variable `mux` (`smux.HandleFunc("/", h)`),
    and on the struct field it is kept in (`&Server{mux: mux}`, then `s.mux.Handle("/metrics", h)`
    in the type's other methods)."""
    model = ctx.model
    decl = model.resolve(mux).decl if mux.type == "identifier" else None
    if decl is None:
        return []
    fields = _fields_holding(ctx, mux)
    routes = []
    for call in _route_calls(ctx):
        operand = call.child_by_field_name("function").child_by_field_name("operand")
        if operand is not None and operand.type == "identifier" and model.resolve(operand).decl is not None \
                and model.resolve(operand).decl.start_byte == decl.start_byte:
            routes.append(call)
        elif operand is not None and operand.type == "selector_expression" and fields and \
                ctx.source.text(operand.child_by_field_name("field")) in fields:
            routes.append(call)
    return routes


def _fields_holding(ctx: FileContext, mux: Node) -> set[str]:
    """The struct fields the mux variable is stored in where it is declared: a keyed element
    (`&Server{mux: mux}`) or an assignment (`s.mux = mux`)."""
    model = ctx.model
    decl = model.resolve(mux).decl
    function = model.enclosing_function(decl) if decl is not None else None
    if function is None:
        return set()
    fields = set()
    for ref in model.references(decl, within=function.node):
        field = stored_in_field(ref)
        if field is not None:
            fields.add(field.decode("utf-8", "replace"))
            continue
        right = ref.parent
        assign = right.parent if right is not None and right.type == "expression_list" else None
        if assign is None or assign.type != "assignment_statement" or assign.child_by_field_name("right") != right:
            continue
        targets = assign.child_by_field_name("left").named_children
        position = next(i for i, value in enumerate(right.named_children) if value.id == ref.id)
        if len(targets) == right.named_child_count and targets[position].type == "selector_expression":
            fields.add(ctx.source.text(targets[position].child_by_field_name("field")))
    return fields


# Among routes that all serve operations, a status page or a ping is one more (`/status.json`).
# So are the probes' usual paths (`/ready`, `/livez`).
_OPERATIONAL_ROUTE = LazyPattern(r"(?i)(?<!\.)status|\bping\b|/(?:ready|live)z?\b")  # not `http.StatusSeeOther`


def _operational_routes(ctx: FileContext, handler: Node | None, default_mux: bool = False) -> bool:
    """A mux of the file every route of which names an operational handler or path
    (`smux.HandleFunc("/", s.MetricsIndexHandler)`, `mux.Handle("/healthz", h)`, `/status`), with
    at least one for metrics, health or debugging (a mux of status pages alone is an application's).
    `default_mux`: the server names no handler and serves the default mux."""
    if default_mux or handler is not None and (handler.type == "nil" or ctx.model.qualified(handler) == "net/http.DefaultServeMux"):
        routes = _default_mux_routes(ctx)
    else:
        routes = _routes_of(ctx, handler) if handler is not None else []
        if not routes and handler is not None and handler.type == "identifier" and _gin_engine(ctx, handler):
            return _operational_engine(ctx, handler)  # `&http.Server{Handler: router}` of `router := gin.New()`
    return _all_operational(ctx, routes)


def _all_operational(ctx: FileContext, routes: list[Node]) -> bool:
    """Route calls every one of which names an operational handler or path in an argument (a status
    page or a ping counting among them), at least one for metrics, health or debugging."""
    texts = [[_named_part(ctx, arg) for arg in call.child_by_field_name("arguments").named_children] for call in routes]
    return bool(texts) and all(any(_OPERATIONAL.search(t) or _OPERATIONAL_ROUTE.search(t) for t in args) for args in texts) \
        and any(_OPERATIONAL.search(t) for args in texts for t in args)


def _named_part(ctx: FileContext, arg: Node) -> str:
    """A route argument's text up to the first function literal in it, and the strings that
    literal writes: a handler written in place is named by nothing but what it serves (an
    exporter's landing page linking to its metrics), and what its code calls (`logger.Debug(…)`)
    says nothing about the port."""
    data, end = ctx.source.data, arg.end_byte
    if b"func" not in data[arg.start_byte:end]:
        return data[arg.start_byte:end].decode("utf-8", "replace")
    found = query_captures(_LITERAL_STRINGS, arg)
    literals = found.get("literal", [])
    end = min((literal.start_byte for literal in literals), default=end)
    strings = [ctx.source.text(n) for n in found.get("string", []) if n.start_byte >= end]
    return " ".join([data[arg.start_byte:end].decode("utf-8", "replace"), *strings])


_LITERAL_STRINGS = """
(func_literal) @literal
[(interpreted_string_literal) (raw_string_literal)] @string
"""


def _default_mux_routes(ctx: FileContext) -> list[Node]:
    """The routes the file registers on the default mux (`http.Handle(path, h)`), when no other file
    of the package registers one on it: what other files add, the file cannot name."""
    for file in ctx.package.files:
        if file is not ctx and not file.is_test_file and b"Handle" in file.source.data \
                and _DEFAULT_MUX_CALL.search(file.source.data):
            return []
    model = ctx.model
    return [c for c in _route_calls(ctx) if model.qualified(c) in ("net/http.Handle", "net/http.HandleFunc")]


_DEFAULT_MUX_CALL = LazyPattern(rb"\bhttp\.(?:DefaultServeMux\.)?Handle(?:Func)?\(")


def _route_calls(ctx: FileContext) -> list[Node]:
    found = query_captures(_ROUTES, ctx.source.root).get("route", [])
    return sorted(found, key=lambda n: n.start_byte)


def _bound_to(ctx: FileContext, literal: Node) -> Node | str | None:
    """What the literal is assigned to (an identifier or a selector node), "" when it is used
    directly (passed, returned, stored in a literal), None when it is not a server that serves
    (a zero value to compare with, say)."""
    node = literal
    if node.parent is not None and node.parent.type == "unary_expression":
        node = node.parent
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "expression_list" and parent.named_child_count == 1:
        statement = parent.parent
        if statement is not None and statement.type in ("short_var_declaration", "assignment_statement"):
            left = statement.child_by_field_name("left")
            if left is not None and left != parent and left.named_child_count == 1:
                return left.named_children[0]
            return None
        if statement is not None and statement.type == "var_spec":
            names = statement.children_by_field_name("name")
            return names[0] if len(names) == 1 else None
        if statement is not None and statement.type == "return_statement":
            return ""
        return None
    if parent.type == "literal_element":
        outer = parent.parent.parent if parent.parent is not None else None  # keyed_element -> literal_value
        literal_of = outer.parent if outer is not None else None
        if literal_of is not None and literal_of.type == "composite_literal" and \
                ctx.model.type_text(literal_of.child_by_field_name("type")) == "net/http/httptest.Server":
            return None  # an httptest server's config: a test fixture, not a listener facing clients
        return ""
    if parent.type in ("argument_list", "return_statement"):
        return ""
    return None


def _timeout_set_later(ctx: FileContext, bound: tuple[str, object], targets: list[Node]) -> bool:
    """`srv.ReadHeaderTimeout = ...` on the same variable, or on the same field name anywhere in the file."""
    return any(_target(ctx, t) == bound for t in targets)


# A gin engine's routes: `r.GET("/metrics", gin.WrapH(promhttp.Handler()))`, `r.Any(…)`, `r.Handle("GET", …)`.
_GIN_ROUTES = """
(call_expression function: (selector_expression
  operand: (identifier)
  field: (field_identifier) @m (#match? @m "^(GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS|Any|Handle|Match|StaticFS|Static|StaticFile|Group|Use|NoRoute|NoMethod)$"))) @route
"""
# Middleware that answers requests itself, for paths no route names: files, a single-page app, a proxy.
_SERVING_MIDDLEWARE = LazyPattern(r"(?i)static|serve|proxy|spa\b|file|embed|fallback|route|mount")


def _operational_engine(ctx: FileContext, engine: Node) -> bool:
    """A gin engine declared in the function that serves it, whose every route registered there is
    operational (_all_operational: `/metrics`, `/healthz`, a status page). Middleware (`Use`) adds
    no routes, unless it serves content itself (`static.Serve`, a proxy: _SERVING_MIDDLEWARE); a
    route group or a `NoRoute` handler may serve more than the function spells."""
    model = ctx.model
    decl = model.resolve(engine).decl if engine is not None and engine.type == "identifier" else None
    function = model.enclosing_function(engine) if decl is not None else None
    if decl is None or function is None:
        return False
    found = query_captures(_GIN_ROUTES, function.node)
    routes = []
    for route in sorted(found.get("route", []), key=lambda n: n.start_byte):
        function_node = route.child_by_field_name("function")
        binding = model.resolve(function_node.child_by_field_name("operand")).decl
        if binding is None or binding.start_byte != decl.start_byte:
            continue
        method = ctx.source.text(function_node.child_by_field_name("field"))
        if method == "Use" and not _SERVING_MIDDLEWARE.search(ctx.source.text(route.child_by_field_name("arguments"))):
            continue
        if method in ("Group", "Use", "NoRoute", "NoMethod"):
            return False
        routes.append(route)
    return _all_operational(ctx, routes)


def _is_gin_run(ctx: FileContext, call: Node) -> bool:
    function = call.child_by_field_name("function")
    if function.child_by_field_name("field").text not in (b"Run", b"RunTLS"):
        return False
    receiver = function.child_by_field_name("operand")
    return receiver is not None and receiver.type == "identifier" and _gin_engine(ctx, receiver)


def _gin_engine(ctx: FileContext, receiver: Node) -> bool:
    """An identifier declared as a `*gin.Engine` or set from `gin.Default()` / `gin.New()`."""
    if not ctx.model.imported(_GIN):
        return False
    binding = ctx.model.resolve(receiver)
    declared = ctx.model.declared_type(binding)
    if declared is not None:
        return declared == f"*{_GIN}.Engine"
    if binding.decl is None or binding.kind not in ("local", "package") or \
            (binding.kind == "package" and binding.name not in ctx.model.package_vars):
        return False
    value = single_initialiser(binding.decl)
    return value is not None and ctx.model.qualified(value) in (f"{_GIN}.Default", f"{_GIN}.New")
