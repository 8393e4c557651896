"""What one package tells the module model: its functions, the calls between them, and the roots
its own code makes evident (handlers, main, init, CLI actions, `sync.Once`, tests).

Computed in the worker that lints the package, from the trees it has parsed anyway, and sent back as
plain lists (JSON in the cache), never trees. The parent joins every package's summary into the
module model (linter/lifetime.py). A call is recorded with what it names, resolved as far as one
package can without types:

- ``("L", name)``: a function, method (``T.M``) or literal (``F.func1``) of this package;
- ``("I", path, name)``: function `name` of the imported package `path`;
- ``("M", type, name)``: method `name` on a value of `type` (import-resolved text, ``*Server`` or
  ``example.com/app/store.DB``), from a receiver, parameter, declared or composite-literal local;
- ``("R", callee, name)``: method `name` on what the call `callee` (any reference: chained calls
  nest) returns, as in ``srv := server.New(cfg); srv.Start()`` or ``app.Signals().Start()``;
- ``("D", type, field, name)``: method `name` on field `field` of a value of `type` (a dotted path,
  ``srv.Discount``, for a field of a field);
- ``("G", path, "Var.field", name)``: method `name` on a variable of the package `path` imports, or
  on a field of it (`router.RouterGroupApp.System.InitApiRouter(g)`), typed by that package's summary;
- ``("E", type, field, name)``: method `name` on an element of the slice, array or map in field
  `field` of a value of `type`, as in ``for _, s := range a.services { s.Start(ctx) }``.
- ``("F", callee, field, name)``: method `name` on field `field` (a dotted path) of what the call
  `callee` returns, as in ``a, err := newApp(cfg); a.pages.Warm()``;
- ``("C", "type" | "result", what)``, only inside an "R" reference: what a call of a function value
  returns, the value typed by its declaration (``var mk store.Factory``) or made by the call `what`
  (``factory, err := provider.Lookup(name); p, err := factory(cfg); p.Transcode(job)``); the module
  model reads the named function type's first result.

A call that names none of these is not recorded: a call that cannot be resolved stays unresolved,
and a bare method name is never matched across packages.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Iterator

from tree_sitter import Node

from . import ignores, routes
from .addresses import (loopback_mentions, loopback_positions, may_pass_loopback, may_pass_options, option_arguments,
                        option_defaults)
from .channels import drained_package_channels, package_channel_names
from .clients import timeout_client_makers
from .cfg import BENCHMARK_LOOP, FOREVER, RANGE, WHILE, loop_header, program_context
from .channels import classify_use
from .frameworks import (MIDDLEWARE_RESULT_TYPES, context_parameter, context_parameter_index, is_handler,
                         is_routed_adapter, request_context)
from .goroutines import cli_package, imports_cli
from .model import (BUILTINS, FileModel, Function, block_statements, declared_value, descendants, is_channel_type,
                    lookup_with_ok, parameter_index, single_initialiser)
from .patterns import LazyPattern
from .authchecks import check_calls
from .source import name_hits, query_captures
from .serving import serving_sites
from .switches import named_switch_spans
from .structs import (declared_fields, function_type_specs, interface_specs, parameter_count, parameter_types, struct_specs,
                      type_in_its_file)

# Patterns the engine adds to its combined query (one walk of the tree serves rules and summary).
# The patterns the summary needs, with their capture names. The engine adds them to its combined
# query (one walk of the tree serves rules and summary), prefixed with `_`. Each names the node the
# summary reads, so the hot loop makes no child_by_field_name call per call site.
# Selector calls capture their operand only: a capture costs a node object each, most selectors on a
# plain name are calls into the standard library or a dependency, dropped on the name's bytes, and
# the field of the few that go on is read from the bytes after the operand. Keyed elements are captured only when their value can name a
# function (a name or a selector): most hold literals.
SUMMARY_PATTERNS = (
    # Every call once, whatever its callee's shape: three patterns rooted at calls cost a third more.
    # A generic function called with its type arguments (`New[T]()`, `repo.New[T]()`) is called by
    # its name as well.
    ("(call_expression function: [(identifier) @ci "
     "(selector_expression operand: (identifier) @co field: (field_identifier)) "
     "(selector_expression operand: [(call_expression) (index_expression) (selector_expression) "
     "(parenthesized_expression) (type_assertion_expression)] @cx field: (field_identifier)) "
     "(index_expression operand: [(identifier) @ci "
     "(selector_expression operand: (identifier) @co field: (field_identifier))])])", ("ci", "co", "cx")),
    # With two or more type arguments the call parses as a conversion to a generic type:
    # `Map[int, string](xs)`, `slices.Map[int, string](xs)`.
    ("(type_conversion_expression type: (generic_type type: [(type_identifier) @ci "
     "(qualified_type package: (package_identifier) @co)]))", ()),
    ("(argument_list (selector_expression operand: (identifier) @ao field: (field_identifier)))", ("ao",)),
    ("(for_statement) @loop", ("loop",)),
    # (An alternation of the value's child would match every keyed element: two patterns.)
    ("(keyed_element value: (literal_element (identifier))) @kv", ("kv",)),
    ("(keyed_element value: (literal_element (selector_expression))) @kv", ()),
)
SUMMARY_CAPTURES = tuple(name for _, names in SUMMARY_PATTERNS for name in names)
_SUMMARY_QUERY = "\n".join(pattern for pattern, _ in SUMMARY_PATTERNS)

# Root lifetimes a function's own shape gives it (linter/lifetime.py orders them).
REQUEST = "per-request"
ONCE = "once"
TEST = "test"
# What `in_unbounded_loop` says of a loop that repeats without bound.
ENDLESS = "loop"
BENCHMARK = "benchmark"

_TESTING_TYPES = frozenset({"*testing.T", "*testing.B", "*testing.F", "*testing.M", "testing.TB"})
# Keys of a CLI framework's command literal whose function runs once, when the command runs.
_COMMAND_KEYS = frozenset({"Run", "RunE", "PreRun", "PreRunE", "PostRun", "PostRunE", "PersistentPreRun",
                           "PersistentPreRunE", "PersistentPostRun", "PersistentPostRunE", "Action", "Before", "After"})
# `pb.RegisterOrdersServer(`: a gRPC service registered through a package (_external_registrations)
_REGISTER_SERVER_CALL = LazyPattern(rb"(?<![\w.])(?P<package>[A-Za-z_]\w*)\.(?P<name>Register\w*Server)\(")
# `service.New(prg, cfg)`, `svc.Run(name, handler)`: a program handed to a service framework
# (_service_programs), by import path and function: the index of the program among the arguments
_SERVICE_PROGRAM_CALL = LazyPattern(rb"(?<![\w.])(?P<package>[A-Za-z_]\w*)\.(?P<name>New|Run)\(")
_SERVICE_FRAMEWORKS = {("github.com/kardianos/service", "New"): 0, ("golang.org/x/sys/windows/svc", "Run"): 1,
                       ("golang.org/x/sys/windows/svc/debug", "Run"): 1}
# What a name that shadows a package function is bound to (FileModel.resolve's kinds).
_SHADOWING = frozenset({"local", "param", "receiver", "result"})
# `cmd.Execute()` in main, on what a dispatcher of another module returned (_dispatched_commands).
_DISPATCHED_RUN = LazyPattern(rb"(?<![\w.])(?P<name>[A-Za-z_]\w*)\.(?:Execute|Run|Start)\(\s*\)")
# `app.Action = serve`: one of those keys assigned a function's name (_command_assignments).
_COMMAND_ASSIGNMENT = LazyPattern(
    rb"\.(?:" + b"|".join(sorted(key.encode() for key in _COMMAND_KEYS)) +
    rb")[ \t]*=[ \t]*(?P<value>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)[ \t]*(?:\r?\n|;|//)")
# Package-level functions a program calls to set itself up, once: `Initialize()`, `InitConfig()`,
# `SetupRouter()`, an export wrapper's `LibInitialize()`. A root like main's, unless a caller that runs more often reaches them.
_SETUP_NAME = LazyPattern(r"(?:Init(?:iali[sz]e)?|Setup|SetUp|Bootstrap)(?:[A-Z0-9_]\w*)?|"
                         r"[A-Za-z]\w*(?:Initiali[sz]e|Setup|SetUp|Bootstrap)")
# A handler named for reloading or restarting the service (`ReloadConfig`, `dcaReload`,
# `handleRestart`): an operator's action, which restarts what it reaches as a restart of the
# process would (_root_of).
# The bare verb (`func (h *Handle) Reload(w, r)`) names no service: a pooled value's reset per request.
_RELOAD_NAME = LazyPattern(r"\w*[a-z0-9_](?:Reload|Restart)(?:[A-Z0-9_]\w*)?|(?:Reload|Restart|reload|restart)[A-Z0-9_]\w*")
RELOAD_HANDLER = ("a handler that reloads or restarts the service: it runs when an operator asks, and what it "
                  "reaches runs once per reload, as after a restart")
# controller-runtime's manager runs what `Add` is given (its `Start(ctx)`) once.
_CONTROLLER_RUNTIME = b"sigs.k8s.io/controller-runtime"
_MANAGER_ADD = LazyPattern(rb"\b(?P<receiver>[A-Za-z_]\w*)\.Add\(\s*&?(?P<name>[A-Za-z_]\w*)\s*\)")
_MANAGER_NAME = LazyPattern(r"\w*(?:[mM]gr|[mM]anager)")
# go-fuzz's entry points: `Fuzz`, `FuzzParse` (not `FuzzyMatch`).
_FUZZ_NAME = LazyPattern(r"Fuzz(?:[A-Z0-9_]\w*)?")
# Packages only a mock's file imports: gomock (both homes) and testify's mock.
_MOCK_PACKAGES = ("github.com/golang/mock/gomock", "go.uber.org/mock/gomock", "github.com/stretchr/testify/mock")
_ONCE_WRAPPERS = frozenset({"sync.OnceFunc", "sync.OnceValue", "sync.OnceValues"})
# Calls that run the function they are handed again and again, until a stop channel, a context or
# the process ends: Kubernetes' periodic wait loops (not its polls, which end when their condition
# holds), and a dependency's function named for it (`GoRoutineInLoop`, `RunForever`).
_K8S_WAIT = "k8s.io/apimachinery/pkg/util/wait"
_K8S_REPEATERS = frozenset({
    "Until", "UntilWithContext", "Forever", "JitterUntil", "JitterUntilWithContext", "NonSlidingUntil",
    "NonSlidingUntilWithContext", "BackoffUntil"})
_REPEATER_NAME = LazyPattern(r"(?:InLoop|Forever)$")
_GRPC_REGISTER = LazyPattern(r"Register\w*Server")
# Method names worth a look at the call's arguments: a gRPC registration, a kingpin action.
class _Registrations:
    def __contains__(self, name: str) -> bool:
        return name == "Action" or (name.startswith("Register") and name.endswith("Server"))


_REGISTRATIONS_FIRST = _Registrations()
_KONG_CMD = LazyPattern(rb'\bcmd:""')
# Words a handler's or a test's parameter types contain (`http.ResponseWriter`, `*gin.Context`,
# `echo.Context`, `*fiber.Ctx`, `*fasthttp.RequestCtx`, `*testing.T`): a cheap filter in bytes.
_ROOT_PARAMS = LazyPattern(rb"Request|Writer|Context|Ctx|testing|Command|ServerInfo|websocket\.Conn|Task|_\w+Server\b|StreamingServer")
# What go-swagger's generated server calls for every request to an operation: a handler function
# returning the runtime's `middleware.Responder` (`func (h *H) Import(params ops.ImportParams,
# principal *models.Principal) middleware.Responder`), which the generated API is given by value.
_SWAGGER_RESPONDER = "github.com/go-openapi/runtime/middleware.Responder"
# go-swagger's generated API, as configureAPI takes it: `*example.com/app/restapi/operations.StoreAPI`
_SWAGGER_API = LazyPattern(r"\*[\w./-]*/operations\.\w+API")
# What a gRPC server calls for every stream a client opens: a service's streaming method, whose one
# parameter is the generated stream (`stream pb.Scheduler_AnnouncePeerServer`, grpc-go's generic
# `grpc.BidiStreamingServer[Req, Resp]`), however the service value reaches its Register call.
_GRPC_STREAM = LazyPattern(r"\.[A-Z]\w*_\w+Server$|^google\.golang\.org/grpc\.(?:BidiStreaming|ServerStreaming|ClientStreaming)Server\[")
# What a gRPC server calls for every call it serves, besides the service's methods: its
# interceptors, `func(ctx, req, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler)` and the
# streaming one, whose info parameter says what they are.
_GRPC_INTERCEPTOR_INFO = frozenset({"*google.golang.org/grpc.UnaryServerInfo", "*google.golang.org/grpc.StreamServerInfo"})
# What cobra calls when a command runs, `(cmd *cobra.Command, args []string)`: a command's function
# by its parameters, once per process, however the command is built (a helper that takes a struct
# whose `Run` method it calls, which no call graph sees).
_COBRA_RUN_PARAMS = ["*github.com/spf13/cobra.Command", "[]string"]
# What a task queue's server calls for every task it delivers: asynq's `Handler.ProcessTask(ctx,
# *asynq.Task) error` and the functions its mux's `HandleFunc` takes.
_TASK_HANDLER_PARAMS = ["context.Context", "*github.com/hibiken/asynq.Task"]
# What a websocket server calls for every connection it accepts, given the connection alone:
# gofiber's `websocket.New(func(c *websocket.Conn) {…})`, x/net's `websocket.Handler(func(ws
# *websocket.Conn) {…})`. (gorilla's and nhooyr's connections come from an upgrade the handler
# makes itself: a function taking one may run anywhere.)
_WEBSOCKET_HANDLER_PARAMS = frozenset({"*github.com/gofiber/contrib/websocket.Conn", "*github.com/gofiber/websocket/v2.Conn",
                                       "*github.com/gofiber/websocket.Conn", "*golang.org/x/net/websocket.Conn"})
# `a, b *pkg.T` / `s Server` / `fn func(…)` in a parameter list: the names and what their type starts with.
_PARAM_GROUP = LazyPattern(
    rb"(?P<names>[A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)*)\s+(?:\.\.\.)?[*\[\]]*(?P<type>[A-Za-z_]\w*)(?:\.(?P<qual_name>[A-Za-z_]\w*))?")
_PREDECLARED = frozenset(
    b"bool byte complex64 complex128 error float32 float64 int int8 int16 int32 int64 rune string uint uint8 uint16 "
    b"uint32 uint64 uintptr any func map chan interface struct".split())
# `if s.started {`, `if s.t != nil {`, `if !atomic.CompareAndSwapInt32(&s.n`, `if !s.on.CompareAndSwap(`:
# a method that may start what it guards once per value (_guarded_per_value).
_FIELD_GUARD = LazyPattern(rb"if\s+(?:!\s*)?(?:atomic\.\w+\(&)?[A-Za-z_]\w*\.[A-Za-z_]\w*\s*(?:\{|==\s*true|!=\s*nil|\.CompareAndSwap|,)")
# `if !started {`, `if client == nil {`, `if started.CompareAndSwap(`, `if atomic.CompareAndSwapInt32(&n`
# on a package variable: where a block that runs once per process may open (_FileSummariser._once_blocks).
# (No `\b` before `if`: with a literal first the search skips ahead to each `if`, eight times faster;
# the tree decides whether an `if` statement starts there.)
_ONCE_BLOCK = LazyPattern(rb"if\s+(?:!\s*([A-Za-z_]\w*)\s*\{|([A-Za-z_]\w*)\s*==\s*nil\s*\{|"
                          rb"atomic\.CompareAndSwap\w*\(\s*&\s*([A-Za-z_]\w*)\s*,|([A-Za-z_]\w*)\.CompareAndSwap\w*\()")
_NIL_GUARD = LazyPattern(rb"if\s+(?:[A-Za-z_]\w*\s*(?:!=\s*nil\s*)?\{|!\s*(?:atomic\.)?\w*\.?CompareAndSwap)")
# A name between `(` or `,` and `,` or `)`: one pattern per opening byte, since a pattern that
# begins with a literal skips to its occurrences while one that begins with a class tries every
# byte (the two together take 0.6 of the time). A match holds neither byte after its first, so
# the two never overlap and their matches, in order of start, are those of `[(,]…`.
_ARGUMENT_NAMES = (LazyPattern(rb"\([ \t\r\n]*([A-Za-z_]\w*)[ \t\r\n]*(?=[,)])"),
                   LazyPattern(rb",[ \t\r\n]*([A-Za-z_]\w*)[ \t\r\n]*(?=[,)])"))
_IDENTIFIER = LazyPattern(rb"[A-Za-z_]\w*")
# A word of a parameter list that can be a parameter's name: a name with letters beyond ASCII too, not
# followed by a dot and a name, as the package of a type is (`*cmdutil.Factory`). (`opts...T` is a name.)
_PARAMETER_WORD = LazyPattern(rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*+(?!\.[^.])")
_BUILTIN_BYTES = frozenset(name.encode() for name in BUILTINS)
_FIELD_AFTER = LazyPattern(rb"[ \t]*\.[ \t\r\n]*([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_\x80-\xff])")
_NAMED_TYPE = LazyPattern(r"(\*?)([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?(?:\[.*\])?")
_BUILD_LINE = LazyPattern(rb"^//go:build[ \t]+(.+?)[ \t]*\r?$", re.M)
# Build tags a default build of some platform sets: a file constrained by any other tag (`debug`,
# `pprof`, `integration`) is not in the binary people ship unless they ask for it.
_PLATFORM_TAGS = frozenset(
    "aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris wasip1 windows "
    "zos unix 386 amd64 amd64p32 arm armbe arm64 arm64be loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le "
    "ppc ppc64 ppc64le riscv riscv64 s390 s390x sparc sparc64 wasm cgo gc gccgo purego boringcrypto "
    "goexperiment".split())


def _opt_in_tag(data: bytes) -> str | None:
    """The custom tag a file's `//go:build` line requires (`//go:build debug`, `//go:build linux &&
    pprof`), when the file is left out of default builds; None otherwise. A negated tag (`!debug`)
    keeps the file in default builds."""
    # (A find in C first: a multi-line pattern anchored at `^` is tried at every byte.)
    if data.find(b"//go:build", 0, 2048) == -1:
        return _plus_build_tag(data) if data.find(b"+build", 0, 2048) != -1 else None
    match = _BUILD_LINE.search(data, 0, 2048)
    if match is None:
        return None
    expr = match.group(1).decode("utf-8", "replace")
    if "||" in expr:
        return None  # an alternative may be a default platform
    for term in re.split(r"&&", expr):
        term = term.strip().strip("()").strip()
        if term.startswith("!"):
            continue
        if term and not term.startswith("go1.") and term not in _PLATFORM_TAGS and re.fullmatch(r"\w+", term):
            return term
    return None


def _plus_build_tag(data: bytes) -> str | None:
    """The same from the `// +build` lines of a file written before Go 1.17 had `//go:build`:
    the lines are ANDed, a space separates alternatives (ORed) and a comma joins terms (ANDed)."""
    header = data[:data.find(b"\npackage ") if data.find(b"\npackage ", 0, 4096) != -1 else 0]
    for line in _PLUS_BUILD_LINE.findall(header):
        alternatives = line.decode("utf-8", "replace").split()
        if len(alternatives) != 1:
            continue  # an alternative may be a default platform
        for term in alternatives[0].split(","):
            if term and not term.startswith(("!", "go1.")) and term not in _PLATFORM_TAGS and re.fullmatch(r"\w+", term):
                return term
    return None


_PLUS_BUILD_LINE = LazyPattern(rb"^//\s*\+build[ \t]+(.+?)[ \t]*\r?$", re.M)
_BUILD_IGNORE = LazyPattern(rb"^//go:build\s+ignore\s*$", re.M)
_MAIN_FUNC = LazyPattern(rb"^func main\(\)", re.M)
_CONSTRAINT = LazyPattern(rb"^//(?:go:build |\s*\+build )", re.M)
# A file name's GOOS or GOARCH suffix (`main_windows.go`, `main_linux_arm64.go`) constrains its build.
_GO_TARGETS = ("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl",
               "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos", "386", "amd64", "arm", "arm64",
               "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64", "ppc64le", "riscv64", "s390x", "wasm")


def _unconstrained(source) -> bool:
    """No build constraint: neither a `//go:build` (or `// +build`) line nor a GOOS/GOARCH suffix."""
    stem = source.relpath.rsplit("/", 1)[-1][:-3]
    if any(part in _GO_TARGETS for part in stem.split("_")[1:]):
        return False
    return _CONSTRAINT.search(source.data) is None


@dataclass
class PackageSummary:
    """One package (a directory and package name) as the module model sees it. Plain data."""

    directory: str  # posix, relative to the report root
    name: str  # the package clause
    # name -> [relpath, line, end_line, kind, receiver type, exported, root, root reason, forced]
    functions: dict[str, list] = field(default_factory=dict)
    # [caller, callee reference (list), relpath, line, in an unbounded loop (0/1)]
    calls: list[list] = field(default_factory=list)
    # function or method name -> declared first result type (for ("R", ...) references)
    results: dict[str, str] = field(default_factory=dict)
    # struct type -> {field: type}
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    # types handed to a gRPC `Register…Server`: their methods serve requests
    services: list[str] = field(default_factory=list)
    # types whose `Run` a kong CLI calls once (struct fields tagged `cmd:""`)
    commands: list[str] = field(default_factory=list)
    imports_testing: bool = False  # some non-test file imports "testing"
    test_files: list[str] = field(default_factory=list)  # files whose code is test-only as a whole
    # [handler reference, behind authentication (0/1)] per route registration (linter/routes.py)
    routes: list[list] = field(default_factory=list)
    # "relpath:line" of each wrapper that limits a request's body for what it passes the request on
    # to (`r.Body = http.MaxBytesReader(w, r.Body, n)`), in non-test code
    body_limits: list[str] = field(default_factory=list)
    # [field, default] of options given an address-like default by a flag or a struct tag
    # (linter/addresses.py option_defaults), in non-test code
    option_defaults: list[list[str]] = field(default_factory=list)
    # functions that only make http.Clients with a total Timeout (linter/clients.py), in non-test code
    timeout_clients: list[str] = field(default_factory=list)
    # [caller, callee reference, [[argument index, kind], …]] of calls that pass something a
    # callee's parameter may rely on: a loopback address or listener, the incoming request or its
    # context (_passed_arguments has the kinds), in non-test code
    passed_args: list[list] = field(default_factory=list)
    # unexported functions and methods no call of the package names and its code names only where
    # they are declared (_dead_code): dead, if the module uses the package at all
    unnamed: list[str] = field(default_factory=list)
    # some non-test file builds command-line commands (imports cobra, urfave/cli, kingpin…)
    command_line: bool = False
    # function -> the type of the package its every non-nil first result is made as (`return
    # &server{…}` from `func New() Server`), when that is not the declared type: an interface's
    # methods are looked up on it; "?" when a result may be made otherwise
    concrete: dict[str, str] = field(default_factory=dict)
    # import paths of the run's modules that the package's files import (test and generated files
    # too, `_` imports too): which packages of a module nothing imports (lifetime.unimported)
    imports: list[str] = field(default_factory=list)
    # exported functions (not methods) that its code names only where they are declared, as
    # `unnamed`: dead in a program's module if no package that imports this one names them either
    unnamed_exported: list[str] = field(default_factory=list)
    # the exported names its files write after a dot (`pkg.Name`, `x.Name`), in files that import a
    # package of the run's modules (generated files too, not tests): what it may name of another package
    selected: list[str] = field(default_factory=list)
    # import paths of the run's modules that a file imports with a dot (`import . "x"`): it names
    # their functions unqualified, so none of them is unnamed
    dot_imports: list[str] = field(default_factory=list)
    # "relpath:first line:last line:name" of each middleware that reads every body it passes on whole
    # and puts back an in-memory copy (`raw, _ := io.ReadAll(r.Body); r.Body = io.NopCloser(…)`, then
    # `next.ServeHTTP`), in non-test code, with the name of the function that makes it; the helper of
    # its file that reads and puts back for it (`readBody(r)`) has a span of its own, with that name
    body_buffers: list[str] = field(default_factory=list)
    # names of the functions its non-test files mount as middleware with `.Use(…)`, or wrap around
    # every route of a router (`mux.HandleFunc(path, mw(h))` in a range over a table of routes,
    # `Handler: mw(mux)`): `path#Name` for a function of an imported package, the bare name otherwise
    # (linter/routes.py mounted_middlewares, wrapped_middlewares)
    mounted: list[str] = field(default_factory=list)
    # "name:earlier,…" for each `.Use(name(…))` of its non-test files, with the names mounted on a
    # whole router before it in the same function, in front of the router it mounts on
    # (linter/routes.py mounted_middlewares)
    mounted_after: list[str] = field(default_factory=list)
    # interface type -> the methods it spells out (embedded interfaces aside) as `Name/parameter
    # count`, non-test code
    interfaces: dict[str, list[str]] = field(default_factory=dict)
    # method (`T.M`) -> its parameter count, non-test code
    arities: dict[str, int] = field(default_factory=dict)
    # method -> its parameters' types, for one that names another package's type among them, and
    # interface -> {`Name/parameter count`: the same} (structs.parameter_types): a type whose method
    # of the name and count takes another package's type under another name does not implement it
    parameter_types: dict[str, list[str]] = field(default_factory=dict)
    interface_parameters: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    # import path of the run's modules -> the exported names its files write after the package's
    # name (`backend.New`, not `errors.New`), and -> the name an import without one was read by
    # (its last path element): what it names of that package, where the package declares that name
    # (the names of each path as one string, ` New Client `: held for every package of a run, one
    # string per path costs a sixth of what a list of strings did)
    qualified: dict[str, str] = field(default_factory=dict)
    qualified_as: dict[str, str] = field(default_factory=dict)
    # method (`T.M`) or literal -> its receiver's type `T`, for code that runs at most once per value
    # of `T` behind a guard on the receiver's own field (`if s.started { return }`, then `s.started
    # = true`), or is handed to `Do` of a `sync.Once` field of the receiver, non-test code
    per_value: dict[str, str] = field(default_factory=dict)
    # struct type -> the import-resolved types it embeds (`*base.Service`), non-test code
    embeds: dict[str, list[str]] = field(default_factory=dict)
    # its channel variables that its non-test code receives from in a loop: a consumer drains them
    # (linter/channels.py drained_package_channels)
    drained: list[str] = field(default_factory=list)
    # "relpath:first line:last line" of each block that runs once per process however often its
    # function runs, behind a guard the block turns off (`if !started { started = true; … }`,
    # `if started.CompareAndSwap(false, true) { … }`) on a package variable, non-test code
    once_blocks: list[str] = field(default_factory=list)
    # "relpath:line:local" or "relpath:line:public" of each call of its non-test code that starts an
    # HTTP server (linter/serving.py): whether only the host itself reaches it
    servers: list[str] = field(default_factory=list)
    # of a main package: its non-test files that declare `func main()` with no build constraint (by
    # a `//go:build` line or a GOOS/GOARCH file name suffix); two or more cannot build together, so
    # each is a script run alone with `go run file.go`; -1 when one of them is `main.go`, the program
    mains: int = 0
    # index in `calls` (as text) -> the switch every call of that caller to that callee is made under,
    # `condition@relpath:line` (`cfg.EnableProfiling@cmd/app/main.go:24`): the block of an `if` that
    # names a setting for profiling, debugging or an optional feature, or the rest of a block after a
    # guard that returns unless one is on (linter/switches.py), non-test code
    switched: dict[str, str] = field(default_factory=dict)
    # interface type -> the interfaces it embeds, import-resolved (`example.com/app/storage.Getter`,
    # `Setter`), non-test code: their methods are its methods too
    interface_embeds: dict[str, list[str]] = field(default_factory=dict)
    # exported methods (`T.M`) that no call of the package names and its code names only where they
    # are declared, as `unnamed`, and in interfaces' method lists: dead in a program's module if an
    # interface of the module declares the method and nothing in the module names it
    # (lifetime._dead_code)
    unnamed_methods: list[str] = field(default_factory=list)
    # the exported names written after a dot in its generated files that `selected` does not read
    # (files that import none of the run's packages: a gRPC stub calling `srv.(GreeterServer).SayHello`)
    generated_selected: list[str] = field(default_factory=list)
    # type -> the functions of the package (outermost, as named in `functions`) that name it, other
    # than its own methods, for types whose methods are checked for dead code: a type that no
    # package-level declaration, string, test or generated file names, so that no value of it
    # exists but one those functions make. Dead with them (lifetime._dead_types); an exported type
    # only if no package that imports this one names it either
    made_in: dict[str, list[str]] = field(default_factory=dict)
    # the exported names its non-test files declare at package level (functions, types, variables,
    # constants); None when some file's names are not all known (a generated file, which is not
    # parsed, or one that does not parse): what an importer's `pkg.Name` must find (lifetime._cannot_build)
    declared: list[str] | None = None
    # import paths of the run's modules whose name some non-test file also writes bare, not before a
    # dot (`rpc, err := f.NewRpc()`, a parameter `org *Org`): its `name.X` may be a local's field or
    # method, so a name it misses there says nothing (lifetime._cannot_build)
    shadowed: list[str] = field(default_factory=list)
    # [function, slot, [[callee reference, argument index], …]] for each pooled request context or
    # `context.Context` parameter (slot: its index) or such a parameter of an enclosing function a
    # goroutine's literal captures (slot: its name) whose every use is a plain argument of a call
    # the module model may resolve, non-test code (linter/ignores.py)
    ignores: list[list] = field(default_factory=list)
    # [path, handler reference] of each route registration whose path is a string the file spells
    # (`r.GET("/healthz", h)`), and the names of the handlers (functions and literals) of its
    # non-test code that write no response body (linter/routes.py silent_handlers): a request to
    # such a route gets an empty response, which needs no Close (GL405, lifetime.apply)
    route_paths: list[list] = field(default_factory=list)
    silent: list[str] = field(default_factory=list)
    # handler references a route registration names by value with a path the file spells from a
    # `/` (`cht.Post("/messages", chat.PostMessage)`, `h.GET("/ping", func(ctx context.Context, c
    # *app.RequestContext) {…})`), non-test code: they run per request whatever their parameters
    # say, a framework's the model does not know included (lifetime)
    routed: list[list] = field(default_factory=list)
    # [index in `routes`, names] of each route authenticated only by what the names given in front of
    # it say (`r.With(middleware.AuthSet).Post(…)`): `import/path#Name`, `#Name` of the package, `?`
    # for a name not resolved; and the middleware makers of the package named for authentication whose
    # handler passes every request on (routes.passthrough_makers): no guard, whatever the name
    route_guards: list[list] = field(default_factory=list)
    passthrough: list[str] = field(default_factory=list)
    # the exported names of `selected` that its files write after a dot only as the target of an
    # assignment (`h.Ctx = c`), never reading them: they set a field of that name, whoever declares it
    assigned_only: list[str] = field(default_factory=list)
    # the exported fields of its structs that may hold a request or its context (a type named
    # `Context`, `Request`, `ResponseWriter` or `Ctx`) that no non-test file of the package writes
    # after a dot but as the target of an assignment: with `assigned_only`, what the module model
    # needs to tell that nothing reads a request a handler stores there (lifetime.unread_fields)
    unread_fields: list[str] = field(default_factory=list)
    # index in `calls` (as text) -> the table every call of that caller to that callee is made
    # behind, in non-test code: after a lookup in a map or sync.Map that returns what an earlier
    # call stored under the same key, which the code then stores (memo_spans): it runs once per key
    memo: dict[str, str] = field(default_factory=dict)
    # types handed to a service framework that calls their Start, Stop, Run or Execute once, when
    # the process starts or stops as a system service (kardianos/service's New, x/sys/windows/svc's
    # Run), non-test code
    programs: list[str] = field(default_factory=list)
    # command values main hands to a dispatcher of another module and then runs the one it returns
    # (`cmd, _ := cli.Parse(cmds, &c.RUN); cmd.Execute()`): their types, or `@path.Name` for a
    # package variable of another package of the module (_dispatched_commands), non-test code
    dispatched: list[str] = field(default_factory=list)
    # function -> the method or function it returns as a value from every return (`func (q *Q)
    # Reporter() func(time.Duration) { return q.rep.Print }`), non-test code: a call of what a
    # call of it returned (`f := q.Reporter(); go f(d)`) calls that ("V" references)
    returned_functions: dict[str, list] = field(default_factory=dict)
    # function -> the methods and functions of the module in the map or slice of functions it
    # returns (`func (c *Cmd) commands() map[string]Func`): those its body's literals hold
    # (`"serve": (*Cmd).serve`, `"GET": s.get`) and those of the package tables it names, non-test
    # code: a call of an element of what a call of it returned (`fn := c.commands()[name]; fn(c)`)
    # may call each ("T" references)
    returned_tables: dict[str, list] = field(default_factory=dict)
    # named function type -> its first result's type, import-resolved (`type Factory func(cfg
    # *Config) (Provider, error)`: `Provider`), non-test code: what a call of a value of the type
    # returns (`p, err := factory(cfg); p.Transcode(job)`, a "C" reference)
    func_results: dict[str, str] = field(default_factory=dict)
    # type alias -> the type it names, import-resolved (`type Pager = PagerV2`, `type DB =
    # *store.DB`), non-test code: a method called on a value of the alias is the named type's
    aliases: dict[str, str] = field(default_factory=dict)
    # indices in `calls` of the edges whose every call its caller makes after a call that checks
    # who the client is (`if !s.checkAuth(r) { return }`, `user := CurrentUser(c)`: authchecks),
    # non-test code: a function every caller reaches only so is behind authentication (lifetime)
    checked: list[int] = field(default_factory=list)
    # package variable -> its type (import-resolved), declared or made by a literal or `new(T)`
    # (`var RouterGroupApp = new(RouterGroup)`), non-test code: what `pkg.Var.Field.M()` in another
    # package calls (a "G" reference)
    vars: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"d": self.directory, "n": self.name, "f": self.functions, "c": self.calls, "r": self.results,
                "s": self.fields, "g": self.services, "k": self.commands, "t": self.imports_testing,
                "x": self.test_files, "a": self.routes, "b": self.body_limits, "o": self.option_defaults,
                "h": self.timeout_clients, "p": self.passed_args, "u": self.unnamed,
                "l": self.command_line, "y": self.concrete, "i": self.imports, "e": self.unnamed_exported,
                "z": self.selected, "j": self.dot_imports, "bb": self.body_buffers,
                "mu": self.mounted, "if": self.interfaces, "em": self.embeds,
                "ar": self.arities, "pv": self.per_value, "dr": self.drained, "ob": self.once_blocks,
                "sv": self.servers, "mn": self.mains, "ma": self.mounted_after, "sw": self.switched,
                "ie": self.interface_embeds, "um": self.unnamed_methods, "gs": self.generated_selected,
                "mi": self.made_in, "dn": self.declared, "sh": self.shadowed, "ig": self.ignores,
                "rp": self.route_paths, "rh": self.routed, "sl": self.silent, "ck": self.checked, "va": self.vars,
                "pt": self.parameter_types, "ip": self.interface_parameters, "qs": self.qualified,
                "qa": self.qualified_as, "rg": self.route_guards, "pp": self.passthrough,
                "ao": self.assigned_only, "uf": self.unread_fields, "mo": self.memo,
                "pg": self.programs, "dc": self.dispatched, "rf": self.returned_functions,
                "rt": self.returned_tables, "fr": self.func_results, "al": self.aliases}

    @classmethod
    def from_json(cls, data: dict) -> "PackageSummary":
        return cls(data["d"], data["n"], data["f"], data["c"], data["r"], data["s"], data["g"], data["k"], data["t"],
                   data["x"], data.get("a", []), data.get("b", []), data.get("o", []), data.get("h", []),
                   data.get("p", []), data.get("u", []), data.get("l", False),
                   data.get("y", {}), data.get("i", []), data.get("e", []), data.get("z", []), data.get("j", []),
                   data.get("bb", []), data.get("mu", []), interfaces=data.get("if", {}),
                   embeds=data.get("em", {}), arities=data.get("ar", {}),
                   per_value=data.get("pv", {}), drained=data.get("dr", []), once_blocks=data.get("ob", []),
                   servers=data.get("sv", []), mains=data.get("mn", 0), mounted_after=data.get("ma", []),
                   switched=data.get("sw", {}), interface_embeds=data.get("ie", {}),
                   unnamed_methods=data.get("um", []), generated_selected=data.get("gs", []),
                   made_in=data.get("mi", {}), declared=data.get("dn"), shadowed=data.get("sh", []),
                   ignores=data.get("ig", []), route_paths=data.get("rp", []), routed=data.get("rh", []), silent=data.get("sl", []),
                   checked=data.get("ck", []), vars=data.get("va", {}),
                   parameter_types=data.get("pt", {}), interface_parameters=data.get("ip", {}),
                   qualified=data.get("qs", {}), qualified_as=data.get("qa", {}),
                   route_guards=data.get("rg", []), passthrough=data.get("pp", []),
                   assigned_only=data.get("ao", []), unread_fields=data.get("uf", []), memo=data.get("mo", {}),
                   programs=data.get("pg", []), dispatched=data.get("dc", []),
                   returned_functions=data.get("rf", {}), returned_tables=data.get("rt", {}), func_results=data.get("fr", {}), aliases=data.get("al", {}))


class _FileSummariser:
    def __init__(self, model: FileModel, summary: PackageSummary, package_functions: set[str],
                 captures: dict[str, list[Node]] | None, modules: tuple[str, ...] = ()):
        self.modules = modules
        self._in_module_memo = _module_memo(modules)
        self.model = model
        self.source = model.source
        self.summary = summary
        self.package_functions = package_functions
        if captures is None:
            captures = query_captures(_SUMMARY_QUERY, self.source.root)
        self.captures = captures
        # Captures come in source order (source.query_captures, or the engine's shared query, sorted
        # there): an edge names its first call site whatever the rules.
        self.loops = captures.get("loop", [])
        self.keyed = captures.get("kv", ())
        self.relpath = self.source.relpath
        self.package_functions_bytes = _function_bytes(package_functions)
        self.import_bytes = {name.encode(): path for name, path in model.imports.items()}
        # `serve := srv.Serve; serve()`: only then can a call of a local name be a function value.
        self.local_function_values = b":=" in self.source.data
        self.test_file = self.relpath.endswith("_test.go")
        self._loop_starts = [loop.start_byte for loop in self.loops]
        self._names: dict[tuple[int, str, str], tuple | None] = {}
        self._typed: dict[tuple[int, str], tuple[str, str] | None] = {}
        self._words: dict[int, frozenset[bytes]] = {}
        self._unshadowed: dict[str, bool] = {}
        self._locals: dict[int, dict[str, re.Match]] = {}
        self._edges: dict[tuple, list] = summary_edges(summary)
        self._unbounded: dict[int, bool] = {}
        self._file_root: tuple[str, str] | None = None  # the root of every function of the file (functions)
        self.package_var_bytes: set[bytes] = set()  # the package's variables, set by summarise_package
        self._tables: dict[bytes, list[list]] = {}  # package variable -> the functions its literal holds
        # (start, end, function, pseudo-function) of each block that runs once per process (_once_blocks)
        self._once_spans: list[tuple[int, int, str, str]] = []
        # (first byte, end byte, condition) of the code a named switch turns on (linter/switches.py),
        # found on the first call looked at; none in test files, whose calls never switch anything
        self._switch_spans: list[tuple[int, int, str]] | None = None if not self.test_file else []
        self._switch_states = summary_switch_states(summary)
        # function (node id) -> first bytes of its calls that check who the client is
        # (authchecks.check_calls), for handlers, found on the first call they make
        self._checks: dict[int, list[int] | tuple] = {}
        self._checked_states = summary_checked_states(summary)
        # function (node id) -> (first byte, end byte, table) of its code behind a memo lookup
        # (memo_spans), found on the first call it makes; `deleted_names`: the names of the maps
        # the package deletes from, set by summarise_package
        self._memos: dict[int, list[tuple[int, int, str]]] = {}
        self._memo_states = summary_memo_states(summary)
        # router key (routes._router_guarded) -> the texts that said authentication when the router
        # was worked out, or None when nothing listened: what a later route on it says again
        self.guard_logs: dict[tuple, list[str] | None] = {}
        self.deleted_names: frozenset[str] = frozenset()

    def text(self, node: Node | None) -> str:
        return self.source.text(node) if node is not None else ""

    # ---- functions ---------------------------------------------------------------------------

    def functions(self) -> None:
        file_root = None
        self.test_code = True
        # A file built only with a tag still gives its functions' results: a default build that
        # calls one compiles against a twin of the same signature, such as Wire's injector
        # (`//go:build wireinject`) and the generated `wire_gen.go`, which is not read.
        typed = False
        if self.test_file:
            file_root = (TEST, "a _test.go file")
        elif self.model.imported("testing"):
            file_root = (TEST, 'a file that imports "testing"')
            self.summary.imports_testing = True
        elif (mocking := next((path for path in _MOCK_PACKAGES if self.model.imported(path)), None)) is not None:
            # A hand-written mock built on gomock or testify's mock (generated ones are not linted):
            # only tests make one, and read as ordinary code it would count among the types a call
            # through the interface it fakes reaches.
            file_root = (TEST, f"a mock (it imports {mocking})")
        elif self.source.data.find(b"//go:build", 0, 4096) != -1 and _BUILD_IGNORE.search(self.source.data, 0, 4096):
            file_root = (TEST, "a //go:build ignore program")
        elif (tag := _opt_in_tag(self.source.data)) is not None:
            file_root = (TEST, f"built only with the `{tag}` tag, not in a default build")
            typed = True
        else:
            self.test_code = False
        if file_root is not None:
            self.summary.test_files.append(self.relpath)
        self._file_root = file_root
        data = self.source.data
        if file_root is None and self.package_var_bytes and _ONCE_BLOCK.search(data) is not None:
            self._once_blocks()
        for fn in self.model.functions:
            root = file_root or self._root_of(fn)
            line, end_line = _lines(fn.node, data)
            base = fn.name.rsplit(".", 1)[-1]
            receiver = fn.name.split(".", 1)[0] if fn.kind == "method" else ""
            record = [self.relpath, line, end_line, fn.kind, receiver, base[:1].isupper() and fn.kind != "literal",
                      root[0] if root else None, root[1] if root else "", 0]
            self.summary.functions.setdefault(fn.name, record)
            if file_root is not None:
                if typed and fn.kind != "literal" and (result := self._first_result(fn)):
                    self.summary.results.setdefault(fn.name, result)
                continue  # every function of the file is test code: nothing below can change that
            if fn.kind == "method":
                parameters = fn.node.child_by_field_name("parameters")
                self.summary.arities.setdefault(fn.name, parameter_count(parameters))
                types = parameter_types(parameters, self.model.type_text)
                if types:
                    self.summary.parameter_types.setdefault(fn.name, types)
                guarded = self._guarded_per_value(fn)
                if guarded is not None:
                    self.summary.per_value.setdefault(fn.name, guarded)
            if fn.kind != "literal":
                result = self._first_result(fn)
                if result:
                    self.summary.results.setdefault(fn.name, result)
                    if result[0] != "*" and result not in BUILTINS:
                        made = self._made_result(fn)
                        if made and made != result and (made != "?" or "." not in result):
                            self.summary.concrete.setdefault(fn.name, made)
            if fn.kind == "literal":
                self._literal_edge(fn)
            elif (once := self._singleton(fn)) is not None:
                record[6], record[7], record[8] = ONCE, once, 1

    def _made_result(self, fn: Function) -> str:
        """The package's own type every non-nil first value the function returns is made as:
        `return &server{…}`, or a local made so (`s := &server{}; …; return s, nil`). "?" when a
        return says anything else (it may make another type), "" when no return says anything."""
        if fn.body is None or _MADE_LITERAL.search(self.source.data, fn.body.start_byte, fn.body.end_byte) is None:
            return ""  # no `return &T{`, no `x := &T{`: nothing of the package's own is made here
        made = ""
        for statement in query_captures("(return_statement) @return", fn.body).get("return", []):
            if self.model.enclosing_function(statement) is not fn:
                continue
            values = statement.named_children[0] if statement.named_child_count else None
            first = values.named_children[0] if values is not None and values.type == "expression_list" \
                and values.named_child_count else values
            if first is None:
                return "?"  # a bare return of named results
            if first.type == "nil":
                continue
            if first.type == "identifier":
                binding = self.model.resolve(first)
                first = declared_value(binding.decl) if binding.kind == "local" and binding.decl is not None else None
            kind = self._literal_type(first)
            if not kind or (made and kind != made):
                return "?"
            made = kind
        return made

    def _literal_type(self, node: Node | None) -> str:
        """`&T{…}` or `T{…}` of a type named without a package: "*T" or "T"."""
        star = ""
        if node is not None and node.type == "unary_expression" and self.text(node.child_by_field_name("operator")) == "&":
            star, node = "*", node.child_by_field_name("operand")
        if node is None or node.type != "composite_literal":
            return ""
        kind = node.child_by_field_name("type")
        return f"{star}{self.text(kind)}" if kind is not None and kind.type == "type_identifier" else ""

    def _first_result(self, fn: Function) -> str:
        """The first result's type when it names a type (`*Server`, `store.DB`), import-resolved
        from its text: what a method call on the function's result is looked up on."""
        return self._result_type(fn.node.child_by_field_name("result"))

    def _result_type(self, node: Node | None) -> str:
        """_first_result of a function's or an interface method's result node."""
        if node is None:
            return ""
        if node.type == "parameter_list":
            first = node.named_children[0] if node.named_child_count else None
            node = first.child_by_field_name("type") if first is not None else None
            if node is None:
                return ""
        match = _NAMED_TYPE.fullmatch(self.text(node))
        if match is None:
            return ""
        star, head, tail = match.groups()
        if tail is None:
            return f"{star}{head}"
        path = self.model.imports.get(head)
        return f"{star}{path}.{tail}" if path is not None else ""

    def _root_of(self, fn: Function) -> tuple[str, str] | None:
        if fn.kind == "func" and fn.parent is None:
            if fn.name == "init":
                return ONCE, "init runs once per process"
            if fn.name == "main" and self.model.package == "main":
                return ONCE, "main of package main"
            if _SETUP_NAME.fullmatch(fn.name):
                return ONCE, "a set-up function by its name (Init…, Setup…, Bootstrap…)"
            if _FUZZ_NAME.fullmatch(fn.name) and self._go_fuzz_signature(fn):
                return TEST, "a go-fuzz entry point (`func Fuzz(data []byte) int`): only a fuzzer calls it"
            if fn.name == "configureAPI" and self._swagger_configure(fn):
                return ONCE, "go-swagger's configureAPI, which the generated server calls once as it is set up"
        result = fn.node.child_by_field_name("result")
        if result is not None and fn.kind != "literal" and b"Responder" in self.source.data[result.start_byte:result.end_byte] \
                and any(r.type == _SWAGGER_RESPONDER for r in fn.results):
            return REQUEST, "a go-swagger operation handler (by its result, a middleware.Responder)"
        params = fn.node.child_by_field_name("parameters")
        if params is None or _ROOT_PARAMS.search(self.source.data, params.start_byte, params.end_byte) is None:
            return None  # no type a handler or a test takes: no need to resolve the parameters
        types = [p.type for p in fn.params]
        if any(t in _TESTING_TYPES for t in types):
            return TEST, "takes a *testing.T/B or testing.TB"
        if is_handler(fn):
            if fn.kind != "literal" and _RELOAD_NAME.fullmatch(fn.name.rsplit(".", 1)[-1]):
                return ONCE, RELOAD_HANDLER
            return REQUEST, HANDLER_BY_PARAMETERS
        if is_routed_adapter(fn):
            return REQUEST, "a route's handler, made by an adapter from this literal, which takes the request"
        if any(t in _GRPC_INTERCEPTOR_INFO for t in types):
            return REQUEST, "a gRPC server interceptor (by its parameters): it runs for every call served"
        if fn.kind == "method" and len(types) == 1 and _GRPC_STREAM.search(types[0]):
            return REQUEST, "a gRPC streaming method (by its parameter): it runs for every stream a client opens"
        if len(types) == 1 and types[0] in _WEBSOCKET_HANDLER_PARAMS:
            return REQUEST, "a websocket server's connection handler (by its parameters): it runs for every connection"
        if types == _TASK_HANDLER_PARAMS:
            return REQUEST, "a task queue's handler (by its parameters): it runs for every task delivered"
        if types == _COBRA_RUN_PARAMS:
            return ONCE, "a command-line command's function (by its parameters)"
        return None

    @staticmethod
    def _swagger_configure(fn: Function) -> bool:
        """`func configureAPI(api *operations.StoreAPI) http.Handler` in the file go-swagger writes
        once for the program's own code: its one parameter is the generated API of a package named
        `operations`, and it returns the handler the generated server serves."""
        params, results = fn.params, fn.results
        return len(params) == 1 and len(results) == 1 and results[0].type == "net/http.Handler" and \
            _SWAGGER_API.fullmatch(params[0].type) is not None

    @staticmethod
    def _go_fuzz_signature(fn: Function) -> bool:
        """go-fuzz's entry point takes the input and returns how interesting it was."""
        params, results = fn.params, fn.results
        return len(params) == 1 and params[0].type == "[]byte" and len(results) == 1 and results[0].type == "int"

    def _singleton(self, fn: Function) -> str | None:
        """`if v != nil { return … }` (or `if started { return }`) among the first statements, then
        `v = …` (`started = true`) on a package variable, or `if !atomic.CompareAndSwapInt32(&v, 0,
        1) { return }`: the rest of the body (and what it starts) runs once per process however
        often the function is called. The root's reason, or None."""
        body = fn.body
        if body is None or _NIL_GUARD.search(self.source.data, body.start_byte, min(body.end_byte, body.start_byte + 400)) is None:
            return None
        if set_once_guarded(self.model, fn):
            # `if !atomic.CompareAndSwapInt32(&started, 0, 1) { return }`: only the first caller passes
            return "a set-once guard (CompareAndSwap on a package variable): its body runs once"
        statements = [c for c in block_statements(body) if c.type != "comment"][:4]
        for stmt in statements:
            if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
                continue
            cond = stmt.child_by_field_name("condition")
            consequence = stmt.child_by_field_name("consequence")
            if cond is not None and cond.type == "identifier":
                left = cond  # `if started { return }`, then `started = true`: a flag instead of a nil check
            elif cond is None or cond.type != "binary_expression" or self.text(cond.child_by_field_name("operator")) != "!=":
                continue
            else:
                left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
                if self.text(right) != "nil" or left is None or left.type != "identifier":
                    continue
            if consequence is None or not any(c.type == "return_statement" for c in block_statements(consequence)):
                continue
            name = self.text(left)
            # `if err != nil { return … }` opens most bodies: a name the package does not declare
            # cannot resolve to a package variable, and resolving it walks every scope up to the file.
            scope = self.model._package_scope
            if name not in self.model.top_level_names and (scope is None or name not in scope):
                continue
            if self.model.resolve(left).kind != "package":
                continue
            for assign in self.model.identifiers_named(name, body):
                parent = assign.parent
                if parent is not None and parent.type == "expression_list":
                    parent = parent.parent
                if parent is not None and parent.type == "assignment_statement" and \
                        parent.child_by_field_name("left").start_byte <= assign.start_byte < parent.child_by_field_name("left").end_byte:
                    return "a nil-guarded singleton: its body runs once"
        return None

    def _guarded_per_value(self, fn: Function) -> str | None:
        """The receiver's type when a method lets one call per value past a guard on the receiver's
        own field among its first statements: `if s.started { return }` (or `== true`, or `!= nil`)
        with an assignment to that field in the method, or `if !atomic.CompareAndSwapInt32(&s.n, 0,
        1) { return }`, `if !s.on.CompareAndSwap(false, true) { return }`."""
        body, receiver = fn.body, fn.receiver
        if body is None or receiver is None or not receiver.name or \
                _FIELD_GUARD.search(self.source.data, body.start_byte, min(body.end_byte, body.start_byte + 400)) is None:
            return None
        name = receiver.name
        for stmt in [c for c in block_statements(body) if c.type != "comment"][:4]:
            if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
                continue
            consequence = stmt.child_by_field_name("consequence")
            if consequence is None or not any(c.type == "return_statement" for c in block_statements(consequence)):
                continue
            cond = stmt.child_by_field_name("condition")
            field = self._receiver_field(cond, name)
            if field is not None and self._assigns(body, f"{name}.{field}"):
                return receiver.type.lstrip("*").partition("[")[0]
            if self._swapped_field(cond, name):
                return receiver.type.lstrip("*").partition("[")[0]
        return None

    def _receiver_field(self, cond: Node | None, receiver: str) -> str | None:
        """`s.f`, `s.f == true`, `s.f != nil`: the field `f` of the receiver `s` a guard tests."""
        if cond is not None and cond.type == "binary_expression":
            test = (self.text(cond.child_by_field_name("operator")), self.text(cond.child_by_field_name("right")))
            if test not in (("==", "true"), ("!=", "nil")):
                return None
            cond = cond.child_by_field_name("left")
        if cond is None or cond.type != "selector_expression":
            return None
        operand = cond.child_by_field_name("operand")
        if operand is None or operand.type != "identifier" or self.text(operand) != receiver:
            return None
        return self.text(cond.child_by_field_name("field"))

    def _assigns(self, body: Node, target: str) -> bool:
        data = self.source.data[body.start_byte:body.end_byte]
        return re.search(rb"(?<![\w.])" + re.escape(target.encode()) + rb"\s*=[^=]", data) is not None

    def _swapped_field(self, cond: Node | None, receiver: str) -> bool:
        """`!atomic.CompareAndSwap…(&s.f, …)` or `!s.f.CompareAndSwap(…)` on the receiver `s`."""
        if cond is None or cond.type != "unary_expression" or self.text(cond.child_by_field_name("operator")) != "!":
            return False
        call = cond.child_by_field_name("operand")
        callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        args = call.child_by_field_name("arguments") if callee is not None else None
        if callee is None or args is None or callee.type != "selector_expression" or \
                not self.text(callee.child_by_field_name("field")).startswith("CompareAndSwap"):
            return False
        target = callee.child_by_field_name("operand")
        if (self.model.qualified(callee) or "").startswith("sync/atomic.") and args.named_child_count:
            first = args.named_children[0]
            if first.type != "unary_expression" or self.text(first.child_by_field_name("operator")) != "&":
                return False
            target = first.child_by_field_name("operand")
        return self._receiver_field(target, receiver) is not None

    def _literal_edge(self, fn: Function) -> None:
        """Where a literal is made decides how often it runs: an argument of `Once.Do` or
        `sync.OnceFunc` runs once, a command's `RunE:` once, anything else as often as the function
        that makes it (a literal stored and called later is approximated by its maker)."""
        record = self.summary.functions[fn.name]
        parent = fn.node.parent
        if parent is not None and parent.type == "argument_list":
            call = parent.parent
            callee = call.child_by_field_name("function") if call is not None else None
            qualified = self.model.qualified(callee) if callee is not None else None
            if qualified in _ONCE_WRAPPERS:
                record[6], record[7], record[8] = ONCE, f"the function of {qualified.rsplit('/', 1)[-1]} runs once", 1
                return
            if callee is not None and callee.type == "selector_expression" and self.text(callee.child_by_field_name("field")) == "Do":
                operand = callee.child_by_field_name("operand")
                if self._once_var(operand):
                    record[6], record[7], record[8] = ONCE, "sync.Once.Do on a package variable runs it once", 1
                    return
                owner = fn.parent
                while owner is not None and owner.kind == "literal":
                    owner = owner.parent
                receiver = owner.receiver if owner is not None else None
                if receiver is not None and receiver.name and not self.test_code and \
                        self._receiver_field(operand, receiver.name) is not None:
                    # `s.startOnce.Do(func() { go s.run() })`: once per value of the receiver's type
                    self.summary.per_value.setdefault(fn.name, receiver.type.lstrip("*").partition("[")[0])
            if callee is not None and callee.type == "selector_expression" and \
                    self.text(callee.child_by_field_name("field")) == "Action" and self._cli_file():
                record[6], record[7] = ONCE, "a command-line action"
                return
        if parent is not None and parent.type == "literal_element":
            parent = parent.parent
        if parent is not None and parent.type == "keyed_element" and self._command_literal(parent):
            record[6], record[7] = ONCE, "a command-line command's function"
            return
        if parent is not None and parent.type == "keyed_element" and self._lifecycle_hook(parent):
            record[6], record[7] = ONCE, "an fx lifecycle hook (OnStart, OnStop): run once per process"
            return
        if fn.parent is None:
            return  # a package-level literal: its callers are unknown
        guard = self._once_guard(fn.node, fn.parent)
        if guard is not None:
            record[6], record[7], record[8] = ONCE, f"made behind `if {guard}`, which the block itself turns off: once", 1
            return
        self._edge(fn.parent.name, ["L", fn.name], fn.node)

    def _once_blocks(self) -> None:
        """The blocks of the file that run once per process however often their function runs:
        the body of an `if` on a package variable that the body itself turns off (`if !started {
        started = true; go worker() }`, `if client == nil { client = …; … }`), or that only one
        caller passes (`if started.CompareAndSwap(false, true) { go cleanup() }`). Each becomes a
        function of its own for the model, run once, and the calls made in it are its calls
        (_edge); the summary keeps its lines, where findings run once too (lifetime.apply)."""
        data, root = self.source.data, self.source.root
        seen: set[int] = set()
        for match in _ONCE_BLOCK.finditer(data):
            if next(name for name in match.groups() if name is not None) not in self.package_var_bytes:
                continue  # `if err == nil {`, `if !ok {`: not a package variable
            node = root.named_descendant_for_byte_range(match.start(), match.start() + 2)
            while node is not None and node.type != "if_statement" and node.start_byte == match.start():
                node = node.parent
            if node is None or node.type != "if_statement" or node.start_byte != match.start() or node.id in seen:
                continue
            seen.add(node.id)
            block = node.child_by_field_name("consequence")
            statements = [c for c in block_statements(block) if c.type != "comment"] if block is not None else []
            function = self.model.enclosing_function(node)
            if not statements or function is None:
                continue
            condition = node.child_by_field_name("condition")
            if swapped(self.model, condition):
                reason = "behind a set-once guard (CompareAndSwap on a package variable): once"
            else:
                guard = self._once_guard(statements[0], function)
                if guard is None or guard != self.text(condition):
                    continue
                reason = f"behind `if {guard}`, which the block itself turns off: once"
            first, last = _lines(block, data)
            name = f"{function.name}.once@{first}"
            self.summary.functions.setdefault(name, [self.relpath, first, last, "literal", "", False, ONCE, reason, 1])
            self.summary.once_blocks.append(f"{self.relpath}:{first}:{last}")
            self._once_spans.append((block.start_byte, block.end_byte, function.name, name))

    def _once_guard(self, node: Node, function: Function) -> str | None:
        """The condition of an `if` around `node` that the `if`'s own block turns off, on a package
        variable: `if !started { started = true; … }`, `if client == nil { client = …; … }`. What
        the block makes, it makes once per process."""
        child, current = node, node.parent
        while current is not None and current.id != function.node.id:
            if current.type == "if_statement" and current.child_by_field_name("consequence") == child:
                condition = current.child_by_field_name("condition")
                name = None
                if condition is not None and condition.type == "unary_expression" and \
                        self.text(condition.child_by_field_name("operator")) == "!":
                    name = condition.child_by_field_name("operand")
                elif condition is not None and condition.type == "binary_expression" and \
                        self.text(condition.child_by_field_name("operator")) == "==" and \
                        self.text(condition.child_by_field_name("right")) == "nil":
                    name = condition.child_by_field_name("left")
                if name is not None and name.type == "identifier" and self.model.resolve(name).kind == "package":
                    text = self.text(name)
                    for statement in block_statements(child):
                        if statement.type == "assignment_statement":
                            left = statement.child_by_field_name("left")
                            if left is not None and any(self.text(t) == text for t in left.named_children):
                                return self.text(condition)
            child, current = current, current.parent
        return None

    def _handed_to_once(self, ident: Node) -> bool:
        """`ident` is the one argument of `Do` on a package-level `sync.Once` (`once.Do(load)`)."""
        arguments = ident.parent
        call = arguments.parent if arguments is not None else None
        callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
        return callee is not None and callee.type == "selector_expression" and arguments.named_child_count == 1 \
            and self.text(callee.child_by_field_name("field")) == "Do" and self._once_var(callee.child_by_field_name("operand"))

    def _once_var(self, operand: Node | None) -> bool:
        if operand is None or operand.type != "identifier":
            return False
        binding = self.model.resolve(operand)
        return binding.kind == "package"

    def _cli_file(self) -> bool:
        return imports_cli(self.model)

    def _lifecycle_hook(self, keyed: Node) -> bool:
        """`fx.Hook{OnStart: func(ctx context.Context) error {…}}`: the application's lifecycle
        runs each hook once, at its start or its stop."""
        key = keyed.named_children[0] if keyed.named_child_count else None
        if key is None or self.text(key).strip() not in ("OnStart", "OnStop"):
            return False
        literal = keyed.parent.parent if keyed.parent is not None else None
        if literal is None or literal.type != "composite_literal":
            return False
        return self.model.qualified(literal.child_by_field_name("type")) == "go.uber.org/fx.Hook"

    def _fx_registrations(self) -> None:
        """`fx.Provide(NewServer)`, `fx.Invoke(server.Run)`, also in a package-level `fx.Options`
        (`var Module = fx.Options(fx.Provide(handler.New))`): an fx application calls a constructor
        it is given once, to build the one value it hands to everything that needs it, and an invoked
        function once as it starts. A call from the pseudo-caller `<fx>`; a direct call elsewhere
        still counts as its own."""
        names = {name.encode() for name in self.model.local_names("go.uber.org/fx")}
        if not names:
            return
        pattern = re.compile(rb"\b(?:" + b"|".join(re.escape(n) for n in sorted(names)) + rb")\.(?:Provide|Invoke|Decorate)\(")
        root = self.source.root
        for match in pattern.finditer(self.source.data):
            paren = root.descendant_for_byte_range(match.end() - 1, match.end())
            arguments = paren.parent if paren is not None else None
            if arguments is None or arguments.type != "argument_list":
                continue
            values = list(arguments.named_children)
            while values:
                value = values.pop(0)
                if value.type == "call_expression" and self.text(value.child_by_field_name("function")).endswith(".Annotate"):
                    arguments = value.child_by_field_name("arguments")
                    values[:0] = arguments.named_children[:1] if arguments is not None else []  # fx.Annotate(New, …)
                    continue
                ref = self._function_named(self.model, value)
                if ref is not None:
                    self.summary.calls.append(["<fx>", ref, self.relpath, self.source.position(value.start_byte)[0], 0])

    def _service_programs(self) -> None:
        """`service.New(prg, cfg)` (kardianos/service), `svc.Run(name, &handler{})`
        (x/sys/windows/svc and its debug package): the framework calls the program's Start and Stop,
        or the handler's Execute, once, when the system starts or stops the service."""
        root = self.source.root
        for match in _SERVICE_PROGRAM_CALL.finditer(self.source.data):
            operand = root.named_descendant_for_byte_range(match.start("package"), match.end("package"))
            path = self.import_bytes.get(match.group("package"))
            position = _SERVICE_FRAMEWORKS.get((path, match.group("name").decode()))
            if operand is None or operand.type != "identifier" or position is None:
                continue
            call = operand.parent.parent if operand.parent is not None else None
            args = call.child_by_field_name("arguments") if call is not None and call.type == "call_expression" else None
            function = self.model.enclosing_function(operand)
            if args is None or args.named_child_count <= position or function is None:
                continue
            type_text = self._value_type(args.named_children[position], function)
            if type_text and type_text.lstrip("*") not in self.summary.programs:
                self.summary.programs.append(type_text.lstrip("*"))

    def _dispatched_commands(self) -> None:
        """`cmd, err := cli.Parse(commands, &cmds.RUN, help)` then `cmd.Execute()` in main: main hands
        its command values to a dispatcher of another module and runs the one it returns, so each
        command's Execute, Run or Start runs at most once per process. The values are the call's
        arguments (`&cmds.RUN`, `&T{}`) and the elements of a package variable's literal it passes
        (`var cli = []Command{&cmds.DAEMONIZE, …}`); a value of the module only."""
        main = next((fn for fn in self.model.functions
                     if fn.kind == "func" and fn.parent is None and fn.name == "main"), None)
        if main is None or main.body is None:
            return
        root = self.source.root
        for match in _DISPATCHED_RUN.finditer(self.source.data, main.body.start_byte, main.body.end_byte):
            ident = root.named_descendant_for_byte_range(match.start("name"), match.end("name"))
            call = self._dispatcher_call(main, self.text(ident)) if ident is not None and ident.type == "identifier" else None
            args = call.child_by_field_name("arguments") if call is not None else None
            for arg in args.named_children if args is not None else ():
                for value in self._command_values(arg):
                    entry = self._command_entry(value, main)
                    if entry and entry not in self.summary.dispatched:
                        self.summary.dispatched.append(entry)

    def _dispatcher_call(self, main: Function, name: str) -> Node | None:
        """The call of another module's function that a statement of main's body declares `name`
        from (`cmd, err := cli.Parse(…)`), or None."""
        for statement in block_statements(main.body):
            if statement.type != "short_var_declaration":
                continue
            left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
            if left is None or right is None or right.named_child_count != 1 \
                    or not any(child.type == "identifier" and self.text(child) == name for child in left.named_children):
                continue
            call = right.named_children[0]
            callee = call.child_by_field_name("function") if call.type == "call_expression" else None
            operand = callee.child_by_field_name("operand") if callee is not None and callee.type == "selector_expression" else None
            path = self.model.imports.get(self.text(operand)) if operand is not None and operand.type == "identifier" else None
            return call if path is not None and not self._in_module(path) else None
        return None

    def _command_values(self, arg: Node) -> list[Node]:
        """The values an argument hands on: itself, or the elements of the literal a package
        variable of the file is set to (`cli` in `Parse(cli, …)`)."""
        if arg.type == "identifier":
            var = self.model.package_vars.get(self.text(arg))
            value = var.value if var is not None and var.relpath in ("", self.relpath) else None
            body = value.child_by_field_name("body") if value is not None and value.type == "composite_literal" else None
            if body is not None:
                return [element.named_children[0] for element in body.named_children
                        if element.type == "literal_element" and element.named_child_count == 1]
        return [arg]

    def _command_entry(self, value: Node, main: Function) -> str:
        """What `dispatched` keeps of a command value: its type text, or `@path.Name` for a package
        variable of another package of the module (`&cmds.RUN`), whose type that package declares."""
        if value.type == "unary_expression" and value.named_child_count == 1:
            value = value.named_children[0]
        if value.type == "selector_expression":
            operand = value.child_by_field_name("operand")
            path = self.model.imports.get(self.text(operand)) if operand is not None and operand.type == "identifier" else None
            name = self.text(value.child_by_field_name("field"))
            return f"@{path}.{name}" if path is not None and self._in_module(path) and name[:1].isupper() else ""
        type_text = self._value_type(value, main).lstrip("*")
        return type_text if type_text and self._module_type(type_text) else ""

    def _external_registrations(self) -> None:
        """`pb.RegisterOrdersServer(s, &Server{})` where `pb` is generated code of another module (the
        protos kept in a repository of their own): the calls of such imports are otherwise passed over,
        and the service's methods would not be known to run per request."""
        data = self.source.data
        root = self.source.root
        for match in _REGISTER_SERVER_CALL.finditer(data):
            operand = root.named_descendant_for_byte_range(match.start("package"), match.end("package"))
            path = self.import_bytes.get(match.group("package"))
            if operand is None or operand.type != "identifier" or path is None or self._in_module(path):
                continue  # an in-module import's call is read with the others
            function = self.model.enclosing_function(operand)
            if function is not None and self._import_not_shadowed(match.group("package").decode(), function,
                                                                     operand.start_byte):
                self._registration(operand, match.group("name").decode(), function)

    def _command_assignments(self) -> None:
        """`app.Action = serve`, `cmd.RunE = runServe`: a command's function set by assignment (urfave's
        `cli.NewApp()`, a cobra command built field by field) runs once, as in a command literal."""
        data = self.source.data
        root = self.source.root
        for match in _COMMAND_ASSIGNMENT.finditer(data):
            value = root.named_descendant_for_byte_range(match.start("value"), match.end("value"))
            if value is None or value.type not in ("identifier", "selector_expression"):
                continue
            statement = value.parent
            if statement is None or statement.type != "expression_list" or statement.parent is None or \
                    statement.parent.type != "assignment_statement":
                continue
            function = self.model.enclosing_function(value)
            ref = self._reference(value, function, called=False) if function is not None else None
            if ref is not None:
                self.summary.calls.append(["<cli>", ref, self.relpath, self.source.position(value.start_byte)[0], 0])

    def _command_literal(self, keyed: Node) -> bool:
        key = keyed.named_children[0] if keyed.named_child_count else None
        if key is None or self.text(key).strip() not in _COMMAND_KEYS or not self._cli_file():
            return False
        node = keyed.parent
        while node is not None and node.type != "composite_literal":
            node = node.parent
        if node is None:
            return False
        qualified = self.model.qualified(node.child_by_field_name("type"))
        return qualified is not None and cli_package(qualified.rsplit(".", 1)[0])

    # ---- calls -------------------------------------------------------------------------------

    @cached_property
    def _loop_spans(self) -> list[tuple[int, int, int]]:
        """(end, body start, body end) of each loop, in the order of `loops`: read from the tree once,
        not for every call after the loop (a long function's calls look back over all its loops)."""
        spans = []
        for loop in self.loops:
            body = loop.child_by_field_name("body")
            spans.append((loop.end_byte, body.start_byte, body.end_byte) if body is not None else (loop.end_byte, -1, -1))
        return spans

    def _in_unbounded_loop(self, node: Node, caller: Function) -> bool:
        start, end = node.start_byte, node.end_byte
        index = bisect.bisect_right(self._loop_starts, start) - 1
        if index < 0:
            return False
        caller_start = caller.node.start_byte
        starts, spans = self._loop_starts, self._loop_spans
        while index >= 0:
            if starts[index] < caller_start:
                break
            loop_end, body_start, body_end = spans[index]
            loop = self.loops[index]
            index -= 1
            if loop_end < end or not (body_start <= start < body_end):
                continue
            # The loop must belong to the caller, not to a literal between them.
            if self.model.enclosing_function(loop) is not caller:
                continue
            if self._unbounded_loop(loop):
                return runs_again(self.model, caller, node)
        return False

    @cached_property
    def _may_repeat(self) -> bool:
        """The file names a call that may be a repeater: most files never do, and most edges ask."""
        data = self.source.data
        return b"Until" in data or b"Forever(" in data or b"InLoop(" in data

    def _handed_to_repeater(self, node: Node) -> str | None:
        """The call a function value is handed to when that call runs it again and again until
        the process or a stop channel ends it: `wait.Until(c.runWorker, time.Second, stopCh)`,
        `wait.Forever(sync, d)`, a dependency's `nimo.GoRoutineInLoop(func() {…})`."""
        if not self._may_repeat:
            return None
        if node.parent is not None and node.parent.type == "selector_expression" and \
                node.parent.child_by_field_name("operand") == node:
            node = node.parent  # `c.runWorker`: the operand is what the edge is made at
        parent = node.parent
        if parent is None or parent.type != "argument_list" or parent.parent is None:
            return None
        callee = parent.parent.child_by_field_name("function")
        qualified = self.model.qualified(callee) if callee is not None else None
        if qualified is not None:
            path, _, name = qualified.rpartition(".")
            if path == _K8S_WAIT and name in _K8S_REPEATERS or _REPEATER_NAME.search(name):
                return qualified
        return None

    def _unbounded_loop(self, loop: Node) -> bool:
        known = self._unbounded.get(loop.id)
        if known is None:
            known = self._unbounded[loop.id] = unbounded_loop(self.model, loop)
        return known

    def _initialiser_edge(self, callee: list, node: Node) -> None:
        """A call in a package variable's initialiser (`var bins = []bin{{ok: tool.Exists()}}`):
        made once, before main, by the file's initialisers (a function of their own to the model,
        `glob@<file>.init`, once per process, or test code in a test file)."""
        name = f"glob@{self.relpath.rsplit('/', 1)[-1]}.init"
        if name not in self.summary.functions:
            line = node.start_point[0] + 1
            root = self._file_root or (ONCE, "a package variable's initialiser runs once, before main")
            self.summary.functions[name] = [self.relpath, line, line, "func", "", False, root[0], root[1], 0]
        self._edge(name, callee, node, in_loop=False)

    def _edge(self, caller: str, callee: list, node: Node, in_loop: bool | None = None,
              function: Function | None = None) -> None:
        if callee[0] == "M" and not self._module_type(callee[1]):
            return  # a method of a standard-library or dependency type
        if self._once_spans:
            start = node.start_byte
            for first, last, owner, block in self._once_spans:
                if first <= start < last and owner == caller:
                    caller, in_loop = block, False  # called from a block that runs once (_once_blocks)
                    break
        # One edge per caller and callee: the model needs to know that one calls the other, and
        # whether some call of it repeats without bound; explain names the first call site.
        key = (caller, *callee) if callee[0] not in ("R", "V", "T", "F") else (caller, *_frozen(callee))  # only these nest
        # Whether every call of the caller to the callee is made under a named switch (summary.switched)
        spans = self._switch_spans
        if spans is None:
            spans = self._switch_spans = named_switch_spans(self.source)
        states = self._switch_states
        switch = None
        if spans:
            start = node.start_byte
            for first, last, condition in spans:
                if first <= start < last:
                    switch = f"{condition}@{self.relpath}:{node.start_point[0] + 1}"
                    break
        if key not in states:
            states[key] = switch
        elif switch is None:
            states[key] = None
        # Whether every call of the caller to the callee comes after a check of who the client is
        # (summary.checked): looked for only in handlers, which have a client to check.
        checked = False
        table = None
        if not self.test_file:
            owner = function or self.model.enclosing_function(node)
            if owner is not None:
                checks = self._checks.get(owner.node.id)
                if checks is None:
                    params = owner.node.child_by_field_name("parameters")
                    handler = params is not None and _ROOT_PARAMS.search(self.source.data, params.start_byte,
                                                                         params.end_byte) is not None and is_handler(owner)
                    checks = self._checks[owner.node.id] = check_calls(self.model, owner) if handler else ()
                checked = bool(checks) and checks[0] < node.start_byte
                if not self.test_code:  # whether the call is made behind a memo lookup (summary.memo)
                    spans = self._memos.get(owner.node.id)
                    if spans is None:
                        spans = self._memos[owner.node.id] = memo_spans(self.model, owner, self.deleted_names)
                    if spans:
                        start = node.start_byte
                        table = next((t for first, last, t in spans if first <= start < last), None)
        checked_states = self._checked_states
        checked_states[key] = checked and checked_states.get(key, True)
        memo_states = self._memo_states
        if key not in memo_states:
            memo_states[key] = table
        elif table is None:
            memo_states[key] = None
        known = self._edges.get(key)
        if known is not None and known[4]:
            return
        if in_loop is None and self.test_file:
            # Whether a call repeats never raises a lifetime passed from test code (_propagate),
            # and nothing outside _test.go files calls into them: no loop is looked for.
            in_loop = False
        if in_loop is None:
            function = function or self.model.enclosing_function(node)
            in_loop = function is not None and (self._in_unbounded_loop(node, function) or self._handed_to_repeater(node))
        if known is not None:
            if in_loop:
                known[2], known[3], known[4] = self.relpath, node.start_point[0] + 1, 1
            return
        line = node.start_point[0] + 1
        edge = [caller, callee, self.relpath, line, 1 if in_loop else 0]
        self._edges[key] = edge
        self.summary.calls.append(edge)

    def calls_and_references(self) -> None:
        """Every call (and function value handed on) that can name a function of the module.
        The hot loop of the summary: names are compared as bytes, and a call is looked at further
        only when its name can be in the module (a function of the package, an in-module import, a
        receiver, parameter or local whose type can be known)."""
        data = self.source.data
        captures = self.captures
        functions_bytes = self.package_functions_bytes
        imports = self.import_bytes
        enclosing = self.model.enclosing_function
        # Filtered on their bytes before they are sorted: most calls are of builtins and of names
        # that are neither functions of the package nor locals.
        plain = captures.get("ci", ())
        # Any other name names a function of the module only as a local method value (`serve :=
        # srv.Serve; serve()`): the names some `:=` of the file declares so (a builtin's name aside:
        # `len(x)`, `append(…)` are never one, see _reference).
        values = self._method_value_names | self._call_result_names if self.local_function_values else frozenset()
        if values:
            plain = [i for i in plain if data[i.start_byte:i.end_byte] in functions_bytes
                     or data[i.start_byte:i.end_byte] in values]  # a package's own `min`
        else:
            plain = [i for i in plain if data[i.start_byte:i.end_byte] in functions_bytes]
        tables = self._function_tables()
        for ident in (captures.get("ci", ()) if tables else ()):
            # `dynFuncs[name](q, inp)`: a call through a package table of the package's functions
            # reaches each of them
            targets = tables.get(data[ident.start_byte:ident.end_byte])
            # (parsed as an index, as a generic function's instantiation `F[T](x)`, or as a
            # conversion to a generic type `T[K](x)`: the parser cannot tell them apart)
            indexed = targets and (ident.parent.type in ("index_expression", "generic_type") or
                                   ident.parent.type == "call_expression"
                                   and ident.parent.child_by_field_name("type_arguments") is not None)
            function = enclosing(ident) if indexed else None
            for target in (targets if function is not None else ()):
                self._edge(function.name, target, ident, function=function)
        lookups = self._table_lookups(tables) if tables else {}
        for ident in (captures.get("ci", ()) if lookups else ()):
            # `initFn, ok := adapters[kind]` then `initFn(ctx, a)`: each function the table holds
            # (or in a literal inside that function: `tasks.Start(id, func(…) error { return initFn(…) })`)
            function = caller = enclosing(ident)
            targets = None
            while caller is not None and targets is None:
                targets = lookups.get((caller.node.id, self.text(ident)))
                caller = caller.parent
            for target in targets or ():
                self._edge(function.name, target, ident, function=function)
        for ident in sorted(plain, key=_start):
            if data[ident.start_byte:ident.end_byte] in functions_bytes:
                function = enclosing(ident)
                if function is not None:
                    self._edge(function.name, ["L", self.text(ident)], ident, function=function)
                else:
                    self._initialiser_edge(["L", self.text(ident)], ident)
            else:
                function = enclosing(ident)
                if function is not None:
                    ref = self._reference(ident, function, called=True)
                    if ref is not None:
                        self._edge(function.name, ref, ident, function=function)
        # Test code only needs to be seen calling: a helper nothing else calls is test-only. What
        # its method calls name through types cannot change a lifetime, so it is not worked out.
        typed = self._typable_names() if not self.test_code else frozenset()
        wanted = typed.union(key for key, path in imports.items() if self._in_module(path))
        for operand, called in self._selector_operands(wanted):
            key = data[operand.start_byte:operand.end_byte]
            path = imports.get(key)
            if path is not None and not self._in_module(path) and key not in typed:
                continue  # a call into the standard library or a dependency: no edge
            if path is None and key not in typed:
                continue  # nothing says what type the value has
            function = enclosing(operand)
            if function is None:
                if called and path is not None and self._in_module(path) and key not in typed:
                    self._initialiser_edge(["I", path, self._field_name(operand)], operand)
                continue
            name = self._field_name(operand)
            if called and name in _REGISTRATIONS_FIRST:
                self._registration(operand, name, function)
            if path is not None and self._import_not_shadowed(key.decode(), function, operand.start_byte):
                if self._in_module(path):
                    self._edge(function.name, ["I", path, name], operand, function=function)
                continue
            info = self._typed_name(key.decode("utf-8", "replace"), function, operand.start_byte)
            if info is None and called:
                info = self._name_info(operand, key.decode("utf-8", "replace"), function)
            if info is None:
                continue
            ref = _method_reference(info, name)
            if ref is not None:
                self._edge(function.name, ref, operand, function=function)
        # In the order of their ends, as when each was paired with its field's capture.
        for operand in (sorted(captures.get("cx", ()), key=_end) if not self.test_code else ()):
            function = enclosing(operand)
            if function is None:
                continue
            name = self._field_name(operand)
            if name in _REGISTRATIONS_FIRST:
                self._registration(operand, name, function)
            ref = self._complex_receiver(operand, name, function)
            if ref is not None:
                self._edge(function.name, ref, operand, function=function)
        for ident in self._function_arguments(functions_bytes):
            function = enclosing(ident)
            if function is not None and self._handed_to_once(ident):
                # `catalogOnce.Do(buildCatalog)`: the first call runs it, every later one returns
                self.summary.calls.append(["<once>", ["L", self.text(ident)], self.relpath,
                                           self.source.position(ident.start_byte)[0], 0])
            elif function is not None:
                self._edge(function.name, ["L", self.text(ident)], ident, function=function)
        if _CONTROLLER_RUNTIME in data and not self.test_code:
            self._runnables(enclosing)
        if self._cli_file() and not self.test_code:
            self._command_assignments()
        if not self.test_code and b"Server(" in data:
            self._external_registrations()
        if not self.test_code and b'"go.uber.org/fx"' in data:
            self._fx_registrations()
        if not self.test_code and (b'kardianos/service"' in data or b'x/sys/windows/svc' in data):
            self._service_programs()
        if not self.test_code and self.model.package == "main" and _DISPATCHED_RUN.search(data) is not None:
            self._dispatched_commands()
        if not self.test_code and b") func(" in data:
            self._returned_functions()
        if not self.test_code and (b") map[" in data or b") []" in data):
            self._returned_tables()
        for keyed in self.keyed:
            value = keyed.named_children[-1] if keyed.named_child_count >= 2 else None
            if value is not None and value.type == "literal_element" and value.named_child_count:
                value = value.named_children[0]
            if value is None or value.type not in ("identifier", "selector_expression"):
                continue
            function = self.model.enclosing_function(keyed)
            if self._command_literal(keyed):
                ref = self._reference(value, function, called=False) if function is not None else \
                    (["L", self.text(value)] if value.type == "identifier" and self.text(value) in self.package_functions else None)
                if ref is not None:
                    self.summary.calls.append(["<cli>", ref, self.relpath, self.source.position(value.start_byte)[0], 0])
                continue
            if function is None or _returned_literal(keyed):
                # `return task{work: w.loop}`: handed to the caller, who runs it when and as often as
                # the model cannot see (a task run again on every lock it acquires)
                continue
            ref = self._reference(value, function, called=False)
            if ref is not None:
                self._edge(function.name, ref, value)

    def _runnables(self, enclosing) -> None:
        """`mgr.Add(&server)` of controller-runtime (a receiver named for a manager, or declared as
        controller-runtime's: `func AddToManager(m manager.Manager)`): the manager calls the runnable's `Start` once,
        when it starts (for the leader). An edge from the adding function to `Start` of the value's
        type gives `Start` that function's lifetime, usually main's."""
        data = self.source.data
        root = self.source.root
        for match in _MANAGER_ADD.finditer(data):
            ident = root.descendant_for_byte_range(match.start("name"), match.end("name"))
            if ident is None or ident.type != "identifier":
                continue
            function = enclosing(ident)
            if function is None:
                continue
            receiver = match.group("receiver").decode()
            if not _MANAGER_NAME.fullmatch(receiver):
                typed = self._typed_name(receiver, function)  # `func AddToManager(m manager.Manager)`
                if typed is None or not typed[1].startswith(_CONTROLLER_RUNTIME.decode()):
                    continue
            name = match.group("name").decode()
            info = self._typed_name(name, function) or self._name_info(ident, name, function)
            if info is None:
                continue
            ref = _method_reference(info, "Start")
            if ref is not None and ref[0] != "E":
                self._edge(function.name, ["M", ref[1].lstrip("*"), "Start"] if ref[0] == "M" else ref, ident,
                           function=function)

    @property
    def _declarations(self) -> list[tuple[int, bytes, re.Match]]:
        """(offset, name, match) of every `name[, other] := value` whose value the summary can
        read, in source order. Found from each `:=` (a find in C), matching backwards for the name
        and forwards for the value: a regex tried at every identifier of a file cost a parse."""
        found = self.__dict__.get("_declarations_found")
        if found is not None:
            return found
        found = []
        data = self.source.data
        # The value first, one pattern that begins with `:=` (which `re` skips to) over the whole
        # file, where the name is a search (a fifth of the values, `x := 0`, `ok := <-ch`, are
        # not ones the summary reads). A value holds no `:=`, so no declaration is skipped.
        for right in _DECLARED_VALUE.finditer(data):
            left = _declared_name(data, right.start())
            if left is not None:
                found.append((left.start("name"), left.group("name"), right))
        # `for _, s := range services {`: the value a range declares is an element of what it ranges
        # over (_range_element); the key or index, a range's only name or first, is left out.
        # `p, ok := plugins[name]`: an element of a map, slice or array, as a range's value is.
        # `case job := <-w.jobs:`, `v, ok := <-ch`: an element of a channel, as an index's value is.
        ranged = False
        for values, names in ((_RANGE_VALUE, _RANGED_NAMES), (_INDEX_VALUE, _DECLARED_NAMES),
                              (_RECEIVED_VALUE, _DECLARED_NAMES)):
            for right in values.finditer(data):
                left = _declared_name(data, right.start(), names)
                if left is not None and left.group("name") != b"_":
                    found.append((left.start("name"), left.group("name"), right))
                    ranged = True
        if ranged:
            found.sort(key=lambda entry: entry[0])
        self.__dict__["_declarations_found"] = found
        return found

    @property
    def _method_value_names(self) -> frozenset[bytes]:
        """Names a `:=` of the file declares as a method value (`serve := srv.Serve`), builtins
        left out: the only plain calls other than of the package's functions that can name one.
        In test code, found by a pattern of their own, not from _declarations: it needs no
        other declaration (its selector calls are only on imports, see _import_not_shadowed),
        and reading all of them was a tenth of a test file's summary."""
        found = self.__dict__.get("_method_values")
        if found is None and not self.test_code:
            # _typable_names reads every declaration of the file anyway.
            found = self.__dict__["_method_values"] = frozenset(
                name for _, name, match in self._declarations
                if not _ranged(match) and match.group("method") is not None and name not in _BUILTIN_BYTES)
        if found is None:
            data = self.source.data
            names = set()
            for right in _METHOD_VALUE.finditer(data):
                left = _declared_name(data, right.start())
                if left is not None and left.group("name") not in _BUILTIN_BYTES:
                    names.add(left.group("name"))
            found = self.__dict__["_method_values"] = frozenset(names)
        return found

    @cached_property
    def _call_result_names(self) -> frozenset[bytes]:
        """Names a `:=` of the file declares from a call (`f := q.Reporter()`), in non-test code: a
        plain call of one calls the function value that call returned ("V" references)."""
        if self.test_code:
            return frozenset()
        return frozenset(name for _, name, match in self._declarations
                         if not _ranged(match) and match.group("open") == b"(" and name not in _BUILTIN_BYTES)

    def _returned_functions(self) -> None:
        """Functions declared to return a function whose every return gives the same method or
        function of the module as a value (`return q.rep.Print`, `return handle`)."""
        for fn in self.model.functions:
            result = fn.node.child_by_field_name("result") if fn.kind != "literal" else None
            if result is None or result.type != "function_type" or fn.body is None:
                continue
            refs = []
            for node in descendants(fn.body):
                if node.type != "return_statement" or self.model.enclosing_function(node) is not fn:
                    continue
                values = node.named_children[0] if node.named_child_count == 1 else None
                value = values.named_children[0] if values is not None and values.type == "expression_list" \
                    and values.named_child_count == 1 else values
                ref = self._reference(value, fn, called=True) \
                    if value is not None and value.type in ("selector_expression", "identifier") else None
                if ref is None or ref[0] == "V":
                    refs = []
                    break
                refs.append(ref)
            if refs and all(ref == refs[0] for ref in refs):
                self.summary.returned_functions[fn.name] = refs[0]

    def _function_tables(self) -> dict[bytes, list[list]]:
        """Package variables of the package called through an index in this file (`dynFuncs[k](…)`),
        or looked up into a local that the file then calls (`initFn, ok := adapters[kind]`), whose
        declaration is a map or slice literal holding functions by name: the package's own
        (`var dynFuncs = map[string]dynFunc{"kneb": knebLink, …}`) or those of a package of the
        module (`"ping": pingadapter.Start`): name -> references to those functions."""
        found: dict[bytes, list[list]] = {}
        data = self.source.data
        if not self.package_var_bytes or (b"](" not in data and b":=" not in data):
            return found
        names = [match.group("name") for match in _INDEXED_CALL.finditer(data)] if b"](" in data else []
        names += [match.group("table") for match in _TABLE_LOOKUP.finditer(data)]
        for name in names:
            if name not in found and name in self.package_var_bytes:
                found[name] = self._table_functions(name)
        return {name: functions for name, functions in found.items() if functions}

    def _table_functions(self, name: bytes) -> list[list]:
        """The functions a package variable's map or slice literal holds by name (_function_named)."""
        known = self._tables.get(name)
        if known is None:
            known = self._tables[name] = []
            for owner, decl in self.model.package_declarations(name.decode()):
                value = single_initialiser(decl)
                if value is not None and value.type == "composite_literal":
                    self._literal_functions(owner, value, None, known)
        return known

    def _literal_functions(self, owner: FileModel, literal: Node, function: Function | None, found: list[list]) -> None:
        """Adds to `found` the functions the elements of a map or slice literal name: by name
        (_function_named), or, in `function`, as a method value of a receiver, parameter or local
        (`"GET": s.get`)."""
        body = literal.child_by_field_name("body")
        for element in (body.named_children if body is not None else ()):
            item = element.child_by_field_name("value") if element.type == "keyed_element" else element
            inner = item.named_children[0] if item is not None and item.type == "literal_element" and \
                item.named_child_count == 1 else item
            ref = self._function_named(owner, inner)
            if ref is None and function is not None and inner is not None and inner.type == "selector_expression":
                ref = self._reference(inner, function, called=False)
            if ref is not None and ref not in found:
                found.append(ref)

    def _returned_tables(self) -> None:
        """Functions declared to return a map or slice, with the functions of the module their
        body's literals hold and those of the package tables it names (PackageSummary.returned_tables)."""
        data = self.source.data
        for fn in self.model.functions:
            result = fn.node.child_by_field_name("result") if fn.kind != "literal" else None
            if result is None or result.type not in ("map_type", "slice_type") or fn.body is None:
                continue
            element = result.child_by_field_name("value" if result.type == "map_type" else "element")
            if element is None or not (element.type == "function_type" or element.type == "type_identifier" and any(
                    _declares_type(node) and node.parent.child_by_field_name("type") is not None
                    and node.parent.child_by_field_name("type").type == "function_type"
                    for _, node in self.model.package_declarations(self.text(element)))):
                continue  # `[]User`: not a table of functions
            found: list[list] = []
            for node in descendants(fn.body):
                if node.type == "composite_literal" and node.child_by_field_name("type") is not None and \
                        node.child_by_field_name("type").type in ("map_type", "slice_type", "type_identifier"):
                    self._literal_functions(self.model, node, fn, found)
                elif node.type == "identifier" and data[node.start_byte:node.end_byte] in self.package_var_bytes:
                    name = data[node.start_byte:node.end_byte]
                    if self.model.resolve(node).kind == "package":
                        found.extend(ref for ref in self._table_functions(name) if ref not in found)
            if found:
                self.summary.returned_tables[fn.name] = found

    def _function_named(self, owner: FileModel, node: Node | None) -> list | None:
        """A function of the package (`knebLink`) or of a package of the module (`ping.Start`, by
        the imports of `owner`, the file that spells it) that a value names, as a call reference:
        an entry of a table's literal, a constructor handed to fx."""
        if node is None:
            return None
        if node.type == "identifier":
            text = owner.source.text(node)
            return ["L", text] if text in self.package_functions else None
        if node.type == "selector_expression":
            operand = node.child_by_field_name("operand")
            field_node = node.child_by_field_name("field")
            if operand is None or field_node is None:
                return None
            if operand.type == "parenthesized_expression" and operand.named_child_count == 1:
                # `(*Cmd).serve`: a method expression on the pointer type
                inner = operand.named_children[0]
                if inner.type == "unary_expression" and inner.named_child_count == 1 and \
                        owner.source.text(inner)[:1] == "*" and inner.named_children[0].type == "identifier":
                    type_name = owner.source.text(inner.named_children[0])
                    return ["M", type_name, owner.source.text(field_node)] if _names_package_type(owner, type_name) else None
                return None
            if operand.type != "identifier":
                return None
            text = owner.source.text(operand)
            path = owner.imports.get(text)
            if path is not None and self._in_module(path):
                return ["I", path, owner.source.text(field_node)]
            if path is None and _names_package_type(owner, text):
                return ["M", text, owner.source.text(field_node)]  # `Cmd.watch`: on the value type
        return None

    def _table_lookups(self, tables: dict[bytes, list[list]]) -> dict[tuple[int, str], list[list]]:
        """(function, local) -> the functions of a table the local was looked up from in that
        function (`initFn, ok := adapters[kind]`), for the calls of that local there."""
        found: dict[tuple[int, str], list[list]] = {}
        root = self.source.root
        for match in _TABLE_LOOKUP.finditer(self.source.data):
            targets = tables.get(match.group("table"))
            node = root.named_descendant_for_byte_range(match.start("table"), match.end("table")) if targets else None
            while node is not None and node.type not in ("short_var_declaration", "block", "source_file"):
                node = node.parent
            left = node.child_by_field_name("left") if node is not None and node.type == "short_var_declaration" else None
            var = left.named_children[0] if left is not None and left.named_child_count else None
            function = self.model.enclosing_function(var) if var is not None and var.type == "identifier" else None
            if function is not None:
                found.setdefault((function.node.id, self.text(var)), []).extend(targets)
        return found

    def _typable_names(self) -> set[bytes]:
        """Names whose type the summary might know: receivers, parameters and named results (every
        identifier in their lists, a superset), locals declared from a call or a composite literal, package
        variables. A selector call on any other name is passed over without a lookup."""
        data = self.source.data
        names: set[bytes] = set()
        imports = self.import_bytes
        for fn in self.model.functions:
            for field_name in ("receiver", "parameters", "result"):
                part = fn.node.child_by_field_name(field_name)
                if part is None or part.type != "parameter_list":
                    continue  # an unnamed result (`error`, `*T`) names nothing
                for group in _PARAM_GROUP.finditer(data, part.start_byte, part.end_byte):
                    type_name = group.group("type")
                    qualifier = type_name if group.group("qual_name") is not None else None
                    if qualifier is not None:
                        path = imports.get(qualifier)
                        if path is None or not self._in_module(path):
                            continue  # `ctx context.Context`, `w http.ResponseWriter`: no method of ours
                    elif type_name in _PREDECLARED:
                        continue
                    names.update(_IDENTIFIER.findall(group.group("names")))
        names.update(name for _, name, _ in self._declarations)
        if b"var" in data:
            names.update(_TYPED_VAR.findall(data))  # `var svc *usecase.Service` (_local_var)
        names.update(self.package_var_bytes)
        names.update(self._case_types)
        return names

    def _anonymous_commands(self) -> None:
        """Kong command fields of a struct that no type declaration names (`var cli struct { Serve
        ServeCmd `cmd:""` }`, as kong's examples write it): their types' `Run` runs once too."""
        root = self.source.root
        for match in _KONG_CMD.finditer(self.source.data):
            node = root.descendant_for_byte_range(match.start(), match.end())
            while node is not None and node.type != "field_declaration":
                node = node.parent
            struct = node.parent.parent if node is not None and node.parent is not None else None
            if struct is None or struct.type != "struct_type" or struct.parent is not None and struct.parent.type == "type_spec":
                continue  # a declared type's fields are read with its declaration
            type_node = node.child_by_field_name("type")
            if type_node is not None and node.child_by_field_name("name") is not None:
                type_text = self.model.type_text(type_node).lstrip("*")
                if type_text and type_text not in self.summary.commands:
                    self.summary.commands.append(type_text)

    def _function_arguments(self, functions_bytes: set[bytes]):
        """Functions of the package handed to a call by name (`http.HandleFunc("/", serve)`,
        `g.Go(run)`): a name between `(` or `,` and `,` or `)`, found by one regex in C and checked
        against the tree; a query pattern for every identifier argument cost a sixth of a parse."""
        if not functions_bytes:
            return
        data = self.source.data
        # Most files hand none of them on: one pass in C says so, before a match object per argument.
        if all(functions_bytes.isdisjoint(pattern.findall(data)) for pattern in _ARGUMENT_NAMES):
            return
        root = self.source.root
        matches = [match for pattern in _ARGUMENT_NAMES for match in pattern.finditer(data)
                   if match.group(1) in functions_bytes]
        matches.sort(key=_match_start)
        for match in matches:
            node = root.named_descendant_for_byte_range(match.start(1), match.end(1))
            # Not a parameter or local of the same name (`check.Before(start)` in a function that
            # takes `start time.Time`, beside a package function `start`): rare, so resolved here.
            if node is not None and node.type == "identifier" and node.parent is not None \
                    and node.parent.type == "argument_list" and self.model.resolve(node).kind not in _SHADOWING:
                yield node

    def _field_name(self, operand: Node) -> str:
        """The field of the selector `operand` starts: read from the bytes after it (asking the
        tree for a node's parent walks down from the root), from the tree when a comment or a
        name that is not ASCII stands there."""
        match = _FIELD_AFTER.match(self.source.data, operand.end_byte)
        if match is not None:
            return match.group(1).decode()
        return self.text(operand.parent.child_by_field_name("field"))

    def _selector_operands(self, wanted: set[bytes]) -> list[tuple[Node, bool]]:
        """(operand, called) of `x.M(…)` calls and of `x.M` handed to a call whose operand is one
        of the names `wanted`, each kind in source order, as the captures come."""
        data = self.source.data
        calls = [n for n in self.captures.get("co", ()) if data[n.start_byte:n.end_byte] in wanted]
        values = [n for n in self.captures.get("ao", ()) if data[n.start_byte:n.end_byte] in wanted]
        return [(operand, True) for operand in calls] + [(operand, False) for operand in values]

    def _complex_receiver(self, operand: Node, name: str, function: Function) -> list | None:
        """`Store().Add(x)`, `counters["api"].Inc()`, `s.store.Get(k)`: a method on what a call
        returns, on an element of a map or slice, on a field."""
        if operand.type == "call_expression":
            # `store.New().Add(x)`, and a method's result: `app.Signals(…).StartServices(ctx)`,
            # `a.srv.Discounts().Price(…)`, `x.A().B().C()`
            inner = self._reference(operand.child_by_field_name("function"), function, called=True)
            return ["R", inner, name] if inner is not None else None
        if operand.type == "index_expression":
            base = operand.child_by_field_name("operand")
            element = element_type(self._value_type(base, function)) if base is not None else ""
            return ["M", element, name] if element else None
        if operand.type == "selector_expression":
            # `s.store.Get(k)`, and through fields of fields: `a.srv.Discount.Price(…)` names the path
            # `srv.Discount`, which the module model walks (up to three fields deep)
            fields = [self.text(operand.child_by_field_name("field"))]
            base = operand.child_by_field_name("operand")
            while base is not None and base.type == "selector_expression" and len(fields) < 3:
                fields.append(self.text(base.child_by_field_name("field")))
                base = base.child_by_field_name("operand")
            if base is None or base.type == "selector_expression":
                return None
            if base.type == "identifier" and self.text(base) in self.model.imports and \
                    self._import_not_shadowed(self.text(base), function, base.start_byte):
                # `pkg.Var.M()`, `pkg.Var.field.M()`: on another package's variable, whose type its
                # package's summary records
                path = self.model.imports[self.text(base)]
                return ["G", path, ".".join(reversed(fields)), name] if self._in_module(path) else None
            base_type = self._value_type(base, function)
            if base_type:
                return ["D", base_type, ".".join(reversed(fields)), name]
            if base.type == "identifier":
                # `a, err := newApp(cfg); a.pages.Warm()`: a field of what a call returned
                local = self.text(base)
                info = self._typed_name(local, function, base.start_byte) or self._name_info(base, local, function)
                if info is not None and info[0] == "result" and isinstance(info[1], list):
                    return ["F", info[1], ".".join(reversed(fields)), name]
            return None
        type_text = self._value_type(operand, function)
        return ["M", type_text, name] if type_text else None

    def _registration(self, operand: Node, name: str, function: Function) -> None:
        selector = operand.parent
        call = selector.parent if selector is not None else None
        args = call.child_by_field_name("arguments") if call is not None and call.type == "call_expression" else None
        if args is None:
            return
        if _GRPC_REGISTER.fullmatch(name) and args.named_child_count >= 2:
            type_text = self._value_type(args.named_children[1], function)
            if type_text:
                self.summary.services.append(type_text)
        elif name == "Action" and self._cli_file() and args.named_child_count == 1:
            ref = self._reference(args.named_children[0], function, called=False)
            if ref is not None:
                self.summary.calls.append(["<cli>", ref, self.relpath, self.source.position(call.start_byte)[0], 0])

    def _reference(self, node: Node, function: Function, called: bool) -> list | None:
        """What a callee (or, not `called`, a function value handed on) names. Hot: it runs for
        every call of the module, so names are looked up once per function, and a value handed on
        is followed only through imports, receivers and parameters."""
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            return self._reference(node.named_children[0], function, called)
        if node.type in ("index_expression", "generic_type") and node.named_child_count:
            node = node.named_children[0]  # F[T](x)
        if node.type == "identifier":
            name = self.text(node)
            if name in self.package_functions:
                # A local of the same name would shadow it; rare enough not to resolve every call.
                return ["L", name]
            if called and name not in BUILTINS:
                info = self._name_info(node, name, function)
                if info is not None and info[0] == "result" and isinstance(info[1], list):
                    return ["V", info[1], ""]  # `f := q.Reporter(); f(d)`: what that call returned (names nothing)
                if info is not None and info[0] == "table":
                    return ["T", info[1], ""]  # `fn := c.commands()[name]; fn(c)`: a function of the table it returned
                return info[1] if info is not None and info[0] == "value" else None
            return None
        if node.type != "selector_expression":
            return None
        operand = node.child_by_field_name("operand")
        field_node = node.child_by_field_name("field")
        if operand is None or field_node is None:
            return None
        name = self.text(field_node)
        if operand.type == "identifier":
            local = self.text(operand)
            path = self.model.imports.get(local)
            if path is not None and self._import_not_shadowed(local, function, operand.start_byte):
                return ["I", path, name] if self._in_module(path) else None
            info = self._typed_name(local, function, operand.start_byte)
            if info is None and called:
                info = self._name_info(operand, local, function)
            if info is None:
                return None
            return _method_reference(info, name)
        if not called:
            return None
        return self._complex_receiver(operand, name, function)

    def _import_not_shadowed(self, local: str, function: Function, at: int) -> bool:
        """The name at byte `at` is the import, not a receiver, parameter or earlier local of that
        name (`services := &services.Services{…}`, then `services.Setup(…)`)."""
        if self.test_code and self._only_selected(local):
            return True  # (elsewhere _declarations is read anyway, for _typable_names)
        if self._typed_name(local, function) is not None:
            return False
        match = self._local_match(local, function)
        return match is None or match.end() > at

    def _only_selected(self, name: str) -> bool:
        """Every mention of an import's name after the imports is a selector's operand (`name.X`)
        or field (`x.name`): no receiver, parameter or `:=` of the file declares that name, whose
        name would stand before a type, a `,`, a `)`, a `...` or a `:=`. Most import names are
        never shadowed, and this one pass over the bytes, once per file and name, answers
        _import_not_shadowed without reading the parameters and `:=` of every function."""
        known = self._unshadowed.get(name)
        if known is None:
            known = self._unshadowed[name] = _only_selected(self.source.data, name.encode(), self._after_imports)
        return known

    @cached_property
    def _after_imports(self) -> int:
        return max((node.end_byte for _, _, node in self.model._import_specs), default=0)

    @cached_property
    def _case_types(self) -> dict[bytes, list[tuple[int, int, str]]]:
        """Name -> (first byte, end byte, type) of each case of a type switch that binds it to one
        type: `switch s := x.(type) { case driver.Put: s.Put(…) }` calls `Put` of `driver.Put`."""
        found: dict[bytes, list[tuple[int, int, str]]] = {}
        if b".(type)" not in self.source.data:
            return found
        switches = query_captures("(type_switch_statement alias: (expression_list . (identifier) @alias .))",
                                  self.source.root).get("alias", ())
        for alias in switches:
            statement = alias.parent.parent
            name = self.source.data[alias.start_byte:alias.end_byte]
            for case in statement.named_children:
                types = case.children_by_field_name("type") if case.type == "type_case" else ()
                if len(types) == 1 and self.text(types[0]) != "nil":
                    found.setdefault(name, []).append(
                        (case.start_byte, case.end_byte, self.model.type_text(types[0])))
        return found

    def _case_type(self, name: str, at: int) -> tuple[str, str] | None:
        for start, end, type_text in self._case_types.get(name.encode(), ()):
            if start <= at < end:
                return ("type", type_text)
        return None

    def _typed_name(self, name: str, function: Function, at: int = -1) -> tuple[str, str] | None:
        """A receiver or parameter of `function` or of a function around it, by name: its type
        needs no scope walk. At byte `at`, a name a type switch's case binds to one type first."""
        if at >= 0 and self._case_types:
            found = self._case_type(name, at)
            if found is not None:
                return found
        key = (id(function), name)  # the file's Function records live as long as the summariser
        typed = self._typed
        if key in typed:
            return typed[key]
        found = None
        fn = function
        key_bytes = name.encode()
        while fn is not None and found is None:
            # Parameters are typed on first use, which costs: look for the name among the words of
            # their bytes first (read once per function, not once per function and name).
            if key_bytes not in self._parameter_words(fn):
                fn = fn.parent
                continue
            if fn.receiver is not None and fn.receiver.name == name:
                found = ("type", fn.receiver.type)
                break
            for p in (*fn.params, *fn.results):  # a named result (`(gate *GateServer)`) too; an unnamed one has no name
                if p.name == name:
                    found = ("type", p.type) if p.type else None
                    break
            else:
                fn = fn.parent
                continue
            break
        typed[key] = found
        return found

    def _parameter_words(self, fn: Function) -> frozenset[bytes]:
        """The words of the function's receiver, parameter and named result lists that can be names:
        a superset of their names, without the packages their types name (which are what most
        lookups ask)."""
        words = self._words.get(id(fn))
        if words is None:
            data = self.source.data
            found: list[bytes] = []
            result = fn.node.child_by_field_name("result")
            for part in (fn.node.child_by_field_name("parameters"), fn.node.child_by_field_name("receiver"),
                         result if result is not None and result.type == "parameter_list" else None):
                if part is not None:
                    found += _PARAMETER_WORD.findall(data, part.start_byte, part.end_byte)
            words = self._words[id(fn)] = frozenset(found)
        return words

    def _name_info(self, ident: Node, name: str, function: Function) -> tuple[str, object] | None:
        """What a local or package variable holds, once per function and name: ("type", T) from
        its declaration or a composite literal, ("result", callee) when a call made it, ("value",
        reference) when a method value did (`serve := srv.Serve`). Locals are read from the
        function's bytes by a pattern (a scope walk for every call cost more than the parse);
        a package variable is resolved."""
        key = (function.node.id, name, "local")
        if key in self._names:
            return self._names[key]
        # Nothing while it is worked out: a package variable made from a call on a variable of
        # the same name (`var log = log.With(…)`, another file importing `log`) asks for itself.
        self._names[key] = None
        found = self._local_from_text(name, function) or self._local_var(name, function)
        if found is None and self.model._package_scope is not None and name in self.model._package_scope:
            binding = self.model.resolve(ident)
            if binding.kind == "package" and binding.decl is not None:
                found = self._from_declaration(binding.decl)
        self._names[key] = found
        return found

    def _local_match(self, name: str, function: Function) -> re.Match | None:
        """The first `name := …` of the outermost function around `function` (_declarations)."""
        outer = function
        while outer.parent is not None:
            outer = outer.parent
        declared = self._locals.get(outer.node.id)
        if declared is None:
            declared = self._locals[outer.node.id] = {}
            everything = self._declarations
            at = bisect.bisect_left(everything, (outer.node.start_byte,))
            while at < len(everything) and everything[at][0] < outer.node.end_byte:
                _, found_name, found = everything[at]
                declared.setdefault(found_name.decode("utf-8", "replace"), found)
                at += 1
        return declared.get(name)

    def _local_var(self, name: str, function: Function) -> tuple[str, object] | None:
        """("type", T) of a local declared with its type (`var svc *usecase.Service`, assigned later
        or not at all), the first such declaration of the outermost function around `function`."""
        outer = function
        while outer.parent is not None:
            outer = outer.parent
        body = outer.node.child_by_field_name("body")
        data = self.source.data
        if body is None or data.find(b"var", body.start_byte, body.end_byte) == -1:
            return None
        match = re.compile(rb"(?<![\w.])var[ \t]+" + re.escape(name.encode()) + rb"[ \t]+(?=[*\w\[])").search(
            data, body.start_byte, body.end_byte)
        if match is None:
            return None
        node = self.source.root.descendant_for_byte_range(match.end() - 1, match.end() - 1)
        while node is not None and node.type != "var_spec" and node.end_byte <= body.end_byte:
            node = node.parent
        type_node = node.child_by_field_name("type") if node is not None and node.type == "var_spec" else None
        type_text = self.model.type_text(type_node) if type_node is not None else ""
        return ("type", type_text) if type_text else None

    def _local_from_text(self, name: str, function: Function) -> tuple[str, object] | None:
        match = self._local_match(name, function)
        if match is None:
            return None
        if _ranged(match):
            return self._range_element(match, function)
        amp, callee, opener, method = match.group("amp"), match.group("callee"), match.group("open"), match.group("method")
        text = callee.decode("utf-8", "replace")
        head, _, tail = text.partition(".")
        if method is not None:  # `serve := srv.Serve`: a method value
            path = self.model.imports.get(head) if head not in self.package_functions else None
            if path is not None and self._in_module(path) and \
                    self._import_not_shadowed(head, function, match.start("callee")):
                # `sr := router.RouterGroupApp.System`, `db := store.Default`: another package's
                # variable or a field of it, which the module model types ("G" references)
                return ("variable", [path, f"{tail}.{method.decode()}" if tail else method.decode()])
            info = self._typed_name(text, function)
            return ("value", ["M", info[1], method.decode()]) if info is not None and info[0] == "type" else None
        if opener == b"{":  # `x := &T{…}` / `x := pkg.T{…}`
            if tail:
                path = self.model.imports.get(head)
                return ("type", f"{'*' if amp else ''}{path}.{tail}") if path is not None else None
            return ("type", f"{'*' if amp else ''}{head}")
        if amp:
            return None
        if tail:
            path = self.model.imports.get(head)
            if path is not None:
                if not self._in_module(path):
                    return None
                return ("table" if self._indexes_call(match) else "result", ["I", path, tail])
            if opener != b"(" or head == name:
                return None
            # `h, err := conn.CreateDiskHandler()`: what a method of a typed value returns
            start = match.start("callee")
            ident = self.source.root.descendant_for_byte_range(start, start + len(head))
            info = self._typed_name(head, function, start) or \
                (self._name_info(ident, head, function) if ident is not None and ident.type == "identifier" else None)
            ref = _method_reference(info, tail)
            if ref is None or ref[0] == "E":
                return None
            return ("table" if self._indexes_call(match) else "result", ref)
        if head == "new" and head not in self.package_functions:
            return None  # the builtin, unless the package declares its own `new`
        if head not in self.package_functions:
            return self._called_value(match, head, name, function) if opener == b"(" else None
        return ("table" if self._indexes_call(match) else "result", ["L", head])

    def _called_value(self, match: re.Match, head: str, name: str, function: Function) -> tuple[str, object] | None:
        """`p, err := factory(cfg)`: what a call of a function value returns, when the value is typed
        (a parameter or a `var` of a named function type) or what a call returned (`factory, err :=
        provider.Lookup(name)`): a "C" reference, whose type the module model reads from the named
        function type's declared result (PackageSummary.func_results)."""
        if head == name or head in BUILTINS or self._indexes_call(match):
            return None
        start = match.start("callee")
        ident = self.source.root.descendant_for_byte_range(start, start + len(head))
        if ident is None or ident.type != "identifier":
            return None
        info = self._typed_name(head, function, start) or self._name_info(ident, head, function)
        if info is None:
            return None
        if info[0] == "type" and isinstance(info[1], str) and not info[1].startswith("func("):
            return ("result", ["C", "type", info[1]])
        if info[0] == "result" and isinstance(info[1], list):
            return ("result", ["C", "result", info[1]])
        return None

    def _indexes_call(self, match: re.Match) -> bool:
        """Whether the `:=` of `match` takes an element of what its call returns (`fn :=
        c.commands()[name]`, `h, ok := handlers()[k]`) rather than the call's result itself."""
        node = self.source.root.descendant_for_byte_range(match.start("callee"), match.end("callee"))
        while node is not None and node.type != "call_expression" and node.end_byte <= match.end("open"):
            node = node.parent
        parent = node.parent if node is not None and node.type == "call_expression" else None
        return parent is not None and parent.type == "index_expression" and parent.child_by_field_name("operand") == node

    def _range_element(self, match: re.Match, function: Function) -> tuple[str, object] | None:
        """What the value of `for _, s := range x` (or `range x.field`), or `s := x[k]`, holds: ("type", V) when x is
        a receiver, parameter, local or package variable of type `[]V`, `[N]V` or `map[K]V`;
        ("element", [T, field]) when x is a value of type T, whose field's type the module model
        reads (the field may be declared in a sibling file)."""
        base = match.group("base").decode()
        field_name = match.group("field")
        if base in self.model.imports:
            return None  # `range pkg.Services`: another package's variable
        ident = self.source.root.descendant_for_byte_range(match.start("base"), match.end("base"))
        base_type = self._value_type(ident, function) if ident is not None else ""
        if not base_type:
            return None
        if field_name is not None:
            return ("element", [base_type, field_name.decode()])
        element = element_type(base_type)
        return ("type", element) if element else None

    def _from_declaration(self, decl: Node) -> tuple[str, object] | None:
        """What a package variable holds, from its declaration in this file or a sibling: its
        declared or literal type, or ("result", callee) when a call of a function of the package
        or of an in-module import made it (`var db = store.Open()`). The call is read with the
        declaring file's bytes and imports: read with this file's, at the other file's offsets, it
        once spelled the variable's own name again and the summary recursed without end."""
        type_text = self._declared(decl)
        if type_text:
            return ("type", type_text)
        init = single_initialiser(decl)
        callee = init.child_by_field_name("function") if init is not None and init.type == "call_expression" else None
        owner = next((model for model, node in self.model.package_declarations(decl.text.decode("utf-8", "replace"))
                      if node.id == decl.id), None) if callee is not None else None
        if owner is None:
            return None
        if callee.type == "identifier":
            name = owner.source.text(callee)
            return ("result", ["L", name]) if name in self.package_functions else None
        if callee.type == "selector_expression":
            operand = callee.child_by_field_name("operand")
            if operand is not None and operand.type == "identifier":
                path = owner.imports.get(owner.source.text(operand))
                if path is not None and self._in_module(path):
                    return ("result", ["I", path, owner.source.text(callee.child_by_field_name("field"))])
        return None

    def _declared(self, decl: Node) -> str:
        # A package variable may be declared in a sibling file: its type reads with that file's bytes
        # and imports.
        spec = decl.parent
        if spec is not None and spec.type == "var_spec":
            type_node = spec.child_by_field_name("type")
            if type_node is not None:
                return type_in_its_file(self.model, type_node)
        init = single_initialiser(decl)
        if init is None:
            return ""
        if init.type == "unary_expression" and init.named_child_count == 1:
            init = init.named_children[0]
        if init.type == "composite_literal":
            return type_in_its_file(self.model, init.child_by_field_name("type"))
        callee = init.child_by_field_name("function") if init.type == "call_expression" else None
        if callee is not None and callee.text in (b"new", b"make"):  # the declaring file's bytes
            # `new(T)`, and `make(map[string]Plugin)`: a map, slice or channel of that type
            args = init.child_by_field_name("arguments")
            if args is not None and args.named_child_count >= 1:
                return type_in_its_file(self.model, args.named_children[0])
        return ""

    def _module_type(self, type_text: str) -> bool:
        """A type of this package (no dot) or of a package of the module."""
        base = type_text.lstrip("*")
        if "." not in base:
            return True
        return self._in_module(base.rpartition(".")[0])

    def _in_module(self, path: str) -> bool:
        """Calls into the standard library and dependencies are never edges: not recorded."""
        if not self.modules:
            return True
        known = self._in_module_memo.get(path)
        if known is None:
            known = self._in_module_memo[path] = within_modules(path, self.modules)
        return known

    def _value_type(self, expr: Node | None, function: Function) -> str:
        """The declared type of a value, where the function says it: receiver, parameter, a local
        declared with a type or made by a composite literal, `&T{}`, `new(T)`, a type assertion."""
        if expr is None:
            return ""
        if expr.type in ("unary_expression", "parenthesized_expression") and expr.named_child_count == 1:
            return self._value_type(expr.named_children[0], function)
        if expr.type == "composite_literal":
            return self.model.type_text(expr.child_by_field_name("type"))
        if expr.type == "type_assertion_expression":  # `h.(res.ClusterHandler)`: the type it asserts
            return self.model.type_text(expr.child_by_field_name("type"))
        if expr.type != "identifier":
            return ""
        name = self.text(expr)
        info = self._typed_name(name, function, expr.start_byte) or self._name_info(expr, name, function)
        return info[1] if info is not None and info[0] == "type" else ""

    def types(self) -> None:
        """Struct field types (for `s.field.M()`), the types a struct embeds and the methods an
        interface spells out (for calls through interfaces), and kong command types (`cmd:""`
        fields)."""
        embeds = not self.test_code
        for name_node, struct in struct_specs(self.source.declarations):
            fields: dict[str, str] = {}
            embedded: list[str] = []
            for field_name, type_text, decl_node in declared_fields(struct, self.model.type_text, embedded=embeds):
                if embeds and decl_node.child_by_field_name("name") is None:
                    embedded.append(type_text)
                    # Also a field named after its type: `s.Server.Run()` on a struct embedding
                    # `*app.Server`; a named field of that name wins.
                    fields.setdefault(field_name, type_text)
                    continue
                fields[field_name] = type_text
                tag = decl_node.child_by_field_name("tag")
                if tag is not None and _KONG_CMD.search(tag.text):
                    self.summary.commands.append(type_text.lstrip("*"))
            if fields:
                self.summary.fields.setdefault(self.text(name_node), fields)
            if embedded:
                self.summary.embeds.setdefault(self.text(name_node), embedded)
        if _KONG_CMD.search(self.source.data) is not None:
            self._anonymous_commands()
        if self.test_code:
            return
        for name, var in self.model.package_vars.items():  # this file's
            if name[:1].isupper():
                type_text = self._declared(var.node)
                if type_text:
                    self.summary.vars.setdefault(name, type_text)
        if b"=" in self.source.data:
            for decl in self.source.declarations:
                if decl.type != "type_declaration":
                    continue
                for alias in decl.named_children:
                    name_node, aliased = alias.child_by_field_name("name"), alias.child_by_field_name("type")
                    if alias.type == "type_alias" and name_node is not None and aliased is not None:
                        self.summary.aliases.setdefault(self.text(name_node), self.model.type_text(aliased))
        if b"func(" in self.source.data:
            for name_node, declared in function_type_specs(self.source.declarations):
                result = self._result_type(declared.child_by_field_name("result"))
                if result:
                    self.summary.func_results.setdefault(self.text(name_node), result)
        if b"interface" in self.source.data:
            for name_node, methods, embedded, results, parameters in interface_specs(self.source.declarations,
                                                                                     self.model.type_text):
                if parameters:
                    self.summary.interface_parameters.setdefault(self.text(name_node), parameters)
                if methods:
                    self.summary.interfaces.setdefault(self.text(name_node), methods)
                for method, node in results:  # `CreateDiskHandler() (DiskHandler, error)`: its result
                    result = self._result_type(node)
                    if result:
                        self.summary.results.setdefault(f"{self.text(name_node)}.{method}", result)
                if embedded:
                    self.summary.interface_embeds.setdefault(self.text(name_node),
                                                             [self.model.type_text(node) for node in embedded])


def _names_package_type(owner: FileModel, name: str) -> bool:
    """Whether the package of `owner` declares a type `name` (in any of its files)."""
    return any(_declares_type(node) for _, node in owner.package_declarations(name))


# `name := New(…)`, `name, err := pkg.New(…)`, `name := &T{…}`, `name := srv.Serve` (a method value:
# nothing follows on the line): the first such declaration of each name in a function.
# `name[…](`: a call of an element of a variable (_function_tables)
_INDEXED_CALL = LazyPattern(rb"(?<![\w.])(?P<name>[A-Za-z_]\w*)\[[^\[\]\n]*\]\(")
# `initFn, ok := adapters[kind]`: a local looked up from a table (_table_lookups).
_TABLE_LOOKUP = LazyPattern(rb":=[ \t]*(?P<table>[A-Za-z_]\w*)\[[^\[\]\n]*\][ \t]*(?:\r?\n|;)")
# `var name T`, `var name *pkg.T = …`: a name declared with its type (_local_var)
_TYPED_VAR = LazyPattern(rb"(?<![\w.])var[ \t]+([A-Za-z_]\w*)[ \t]+(?=[*\w\[])")
_DECLARED_NAMES = LazyPattern(rb"(?<![\w.])(?P<name>[A-Za-z_]\w*)(?:\s*,\s*\w+)*\s*\Z")
_DECLARED_VALUE = LazyPattern(
    rb":=\s*(?P<amp>&?)(?P<callee>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)"
    rb"(?:(?P<open>[({])|\.(?P<method>[A-Za-z_]\w*)[ \t]*(?:\r?\n|;|//))")
# The `:=` of _DECLARED_VALUE whose value is a method value: where the words after `:=` end decides
# which branch can match (`(`/`{` or a line's end), so this matches at the same `:=` as the
# `method` branch there, and at no other.
# `k, v := range x {` or `range x.field {`: the value a range declares (_declarations).
_RANGE_VALUE = LazyPattern(rb":=[ \t]*range[ \t]+(?P<base>[A-Za-z_]\w*)(?:\.(?P<field>[A-Za-z_]\w*))?[ \t]*\{")
# `x := m[k]`, `x, ok := s.byName[k]`: an element read by an index (not a slice expression `a[1:3]`,
# nor an instantiation `F[int](…)`), the whole value of the `:=` (_declarations).
_INDEX_VALUE = LazyPattern(rb":=[ \t]*(?P<base>[A-Za-z_]\w*)(?:\.(?P<field>[A-Za-z_]\w*))?\[[^\[\]:\n]*\][ \t]*(?:\r?\n|;|//)")
# `job := <-w.jobs` (a statement, or a select case's `case job := <-w.jobs:`): the element received
# (_declarations).
_RECEIVED_VALUE = LazyPattern(rb":=[ \t]*<-[ \t]*(?P<base>[A-Za-z_]\w*)(?:\.(?P<field>[A-Za-z_]\w*))?[ \t]*(?:\r?\n|;|//|:)")
_RANGED_NAMES = LazyPattern(rb"(?<![\w.])[A-Za-z_]\w*[ \t]*,[ \t]*(?P<name>[A-Za-z_]\w*)[ \t]*\Z")
_METHOD_VALUE = LazyPattern(rb":=\s*&?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?\.[A-Za-z_]\w*[ \t]*(?:\r?\n|;|//)")


def _declared_name(data: bytes, at: int, names=_DECLARED_NAMES) -> re.Match | None:
    """The name (group `name`) a `:=` at `at` declares first (or, with _RANGED_NAMES, second: a
    range's value), on its line and within 120 bytes."""
    line_start = data.rfind(b"\n", max(0, at - 120), at) + 1
    return names.search(data, max(line_start, at - 120), at)


_FUNCTION_BYTES: dict[int, tuple[set, set[bytes]]] = {}


def _only_selected(data: bytes, key: bytes, start: int) -> bool:
    """Every mention of `key` in data[start:] is preceded by a dot, or followed by one (spaces
    between) that a name follows, not a second dot (`opts ...T` declares `opts`). (A pattern per
    name is slower: compiling one costs more than the finds of most files.)"""
    size = len(data)
    for at in name_hits(data, key, start):
        if at > 0 and data[at - 1] == 0x2E:
            continue
        after = at + len(key)
        while after < size and data[after] in b" \t\r\n":
            after += 1
        if after >= size or data[after] != 0x2E or (after + 1 < size and data[after + 1] == 0x2E):
            return False
    return True


def _function_bytes(names: set[str]) -> set[bytes]:
    """The package's function names as bytes, made once per package (the set is shared by its files)."""
    cached = _FUNCTION_BYTES.get(id(names))
    if cached is None or cached[0] is not names:
        _FUNCTION_BYTES.clear()
        cached = _FUNCTION_BYTES[id(names)] = (names, {name.encode() for name in names})
    return cached[1]


_MODULE_MEMO: dict[tuple[str, ...], dict[str, bool]] = {}


def _module_memo(modules: tuple[str, ...]) -> dict[str, bool]:
    """Whether an import path is in the run's modules, remembered for the whole process."""
    memo = _MODULE_MEMO.get(modules)
    if memo is None:
        _MODULE_MEMO.clear()
        memo = _MODULE_MEMO[modules] = {}
    return memo


def _lines(node: Node, data: bytes) -> tuple[int, int]:
    """The 1-based first and last line of a node, from the rows the parser counted: building a
    file's line index in Python cost more than the rest of the functions' records. The last line is
    the line of the node's last byte (a node ending in a newline ends on the row before its end)."""
    start, end = node.start_byte, node.end_byte
    line = node.start_point[0] + 1
    if end <= start:
        return line, line
    if data[end - 1] == 10:
        return line, data.count(b"\n", 0, end - 1) + 1
    return line, node.end_point[0] + 1


def _match_start(match: re.Match) -> int:
    return match.start()


def _start(node: Node) -> int:
    return node.start_byte


def _end(node: Node) -> int:
    return node.end_byte


def _returned_literal(keyed: Node) -> bool:
    """The keyed element is a field of a composite literal its function returns as it stands
    (`return T{f: x}`, `return &T{f: x}`, `return []T{{f: x}}`)."""
    node = keyed.parent
    while node is not None and node.type in ("literal_value", "literal_element", "composite_literal",
                                             "unary_expression", "keyed_element"):
        node = node.parent
    if node is not None and node.type == "expression_list":
        node = node.parent
    return node is not None and node.type == "return_statement"


def _frozen(ref: list) -> tuple:
    """A reference as a key: its nested references (a chained call's) as tuples too."""
    return tuple(_frozen(part) if isinstance(part, list) else part for part in ref)


def _ranged(match: re.Match) -> bool:
    """A declaration of _declarations whose value is an element of what it names: a range clause's
    (_RANGE_VALUE) or an index's (_INDEX_VALUE), not a value _DECLARED_VALUE reads."""
    return "base" in match.re.groupindex


def element_type(type_text: str) -> str:
    """`V` of `map[K]V`, `[]V` or `[N]V`, as type_text writes them (no spaces), of a variadic
    parameter's `...V` (a slice of V in the function), and of a channel `chan V` (either direction):
    what a receive gives."""
    if type_text.startswith("..."):
        return type_text[3:]
    if is_channel_type(type_text):  # `chan Job`, `chan<- *Job`, `<-chan Job` as type_text writes them
        for prefix in ("chan<-", "<-chan", "chan"):
            if type_text.startswith(prefix):
                return type_text[len(prefix):].strip()
    if type_text.startswith("[]"):
        return type_text[2:]
    if type_text.startswith("[") and "]" in type_text:
        size = type_text[1:type_text.index("]")]
        return type_text[type_text.index("]") + 1:] if size.isdigit() or size.isidentifier() else ""
    if type_text.startswith("map["):
        depth = 0
        for index, char in enumerate(type_text[3:], 3):
            depth += char == "["
            depth -= char == "]"
            if depth == 0:
                return type_text[index + 1:]
    return ""



_EDGES: dict[int, tuple[PackageSummary, dict[tuple, list], dict[tuple, str | None]]] = {}


def summary_edges(summary: PackageSummary) -> dict[tuple, list]:
    """The edges of the summary being built, by (caller, callee): shared by its files."""
    return _summary_state(summary)[1]


def summary_switch_states(summary: PackageSummary) -> dict[tuple, str | None]:
    """By (caller, callee), as summary_edges: the switch every call so far is made under, or None."""
    return _summary_state(summary)[2]


def summary_checked_states(summary: PackageSummary) -> dict[tuple, bool]:
    """By (caller, callee), as summary_edges: whether every call so far comes after a check of
    who the client is in the caller (authchecks)."""
    return _summary_state(summary)[3]


def summary_memo_states(summary: PackageSummary) -> dict[tuple, str | None]:
    """By (caller, callee), as summary_edges: the memo table every call so far is made behind, or
    None (memo_spans)."""
    return _summary_state(summary)[4]


def _summary_state(summary: PackageSummary) -> tuple[PackageSummary, dict, dict, dict, dict]:
    known = _EDGES.get(id(summary))
    if known is None or known[0] is not summary:
        _EDGES.clear()
        known = _EDGES[id(summary)] = (summary, {}, {}, {}, {})
    return known


def summarise_package(directory: str, name: str, models: list[tuple[FileModel, dict[str, list[Node]] | None]],
                      modules: tuple[str, ...] = (), other_sources: list[bytes] | None = None,
                      flagged: set[str] | None = None, scanned: list | None = None) -> PackageSummary:
    """The summary of one package from its files' models (and the summary captures the engine's
    combined query already found, where it ran). `modules`: the module paths of the run; calls
    into other import paths are left out (none, when empty: every import call is kept).
    `other_sources`: the bytes of the package's files left out (generated ones), read only for
    the names they use. `flagged`: the functions (outermost, as findings name them) the package's
    findings are in; only exported functions that reach one are checked for dead code (None: all).
    `scanned`: test files read from their bytes, not parsed (linter/testscan.py), when no finding
    in them can be shown."""
    summary = PackageSummary(directory, name)
    package_functions: set[str] = set()
    package_vars: set[bytes] = set()
    channel_vars: set[bytes] = set()  # those of them that may be channels (channels.package_channel_names)
    scanned = scanned or []
    for test_file in scanned:
        package_functions.update(test_file.declared)
    for model, _ in models:
        for decl in model.source.declarations:
            if decl.type == "function_declaration":
                node = decl.child_by_field_name("name")
                if node is not None:
                    package_functions.add(model.source.text(node))
        if any(decl.type == "var_declaration" for decl in model.source.declarations):
            package_vars.update(name.encode() for name in model.package_vars)
            channel_vars.update(package_channel_names(model.source))
    deleted_names = _deleted_names([model for model, _ in models])
    # Scanned test files take their place in the order of the package's files: the first call site
    # of an edge is the one `explain` names.
    pending = sorted(scanned, key=lambda test_file: test_file.relpath)
    for model, captures in models:
        while pending and pending[0].relpath < model.source.relpath:
            _summarise_scanned(summary, pending.pop(0), package_functions, modules)
        summariser = _FileSummariser(model, summary, package_functions, captures, modules)
        summariser.package_var_bytes = package_vars
        summariser.deleted_names = deleted_names
        summariser.functions()
        summariser.types()
        summariser.calls_and_references()
        if not summariser.test_code:
            summary.command_line = summary.command_line or imports_cli(model)
            routes.collect(summariser)
            routes.passthrough_makers(summariser)
            routes.lambda_handlers(summariser)
            routes.collect_mounts(summariser)
            routes.silent_handlers(summariser)
            routes.body_limits(summariser)
            routes.body_buffers(summariser)
            routes.mounted_middlewares(summariser)
            routes.wrapped_middlewares(summariser)
            routes.route_tables(summariser)
            summary.option_defaults += option_defaults(model.source.data)
            summary.timeout_clients += timeout_client_makers(model.source, model.imports)
            summary.servers += [f"{model.source.relpath}:{site}" for site in serving_sites(model, summariser.captures)]
            if summary.name == "main" and _MAIN_FUNC.search(model.source.data) and _unconstrained(model.source):
                # a `main.go` among them is the program, run with `go run main.go` beside stray scripts
                if model.source.relpath.rsplit("/", 1)[-1] == "main.go":
                    summary.mains = -1
                elif summary.mains >= 0:
                    summary.mains += 1
            if channel_vars:
                summary.drained += [name for name in drained_package_channels(model, channel_vars)
                                    if name not in summary.drained]
            _passed_arguments(summariser)
            ignores.record(summariser)
    for test_file in pending:
        _summarise_scanned(summary, test_file, package_functions, modules)
    reaching = _reaching(summary, flagged)
    makers = _makers(summary, [model for model, _ in models], other_sources or [], reaching,
                     [test_file.data for test_file in scanned])
    _mark_dead_code(summary, [model for model, _ in models], other_sources or [],
                    reaching | makers if reaching is not None else None, [test_file.data for test_file in scanned])
    _switched_calls(summary)
    _checked_calls(summary)
    for index, table in _edge_states(summary, summary_memo_states(summary)):
        summary.memo[str(index)] = table
    summary.imports = _module_imports([model for model, _ in models], other_sources or [], modules,
                                      [test_file.imported_paths for test_file in scanned])
    if summary.imports or other_sources:
        _selected_names(summary, [model for model, _ in models], other_sources or [])
    summary.unread_fields = _unread_request_fields(summary, [model for model, _ in models])
    _lazily_started(summary, [model for model, _ in models])
    summary.declared = _declared_exports([model for model, _ in models], other_sources or [])
    if summary.imports:
        summary.shadowed = _shadowed_imports([model for model, _ in models], frozenset(summary.imports))
    return summary


def _unread_request_fields(summary: PackageSummary, models: list[FileModel]) -> list[str]:
    """PackageSummary.unread_fields: one search of the package's non-test files per field whose
    type may hold a request, which few packages declare."""
    wanted = sorted({name for struct, fields in summary.fields.items() for name, type_text in fields.items()
                     if name[:1].isupper() and _REQUEST_FIELD_TYPE.search(type_text)
                     and not _embedded(name, type_text, summary.embeds.get(struct, ()))})
    if not wanted:
        return []
    datas = [_without_comments(model.source.data) for model in models
             if not model.source.relpath.endswith("_test.go")]
    return [name for name in wanted
            if not any(re.search(rb"\.[ \t]*" + name.encode() + rb"(?![\w])(?![ \t]*=(?!=))", data) for data in datas)]


# `delete(s.byKey, k)`, `clear(s.byKey)`; `s.byKey.Delete(k)` (the name before the dot is read
# back from the match): a table of that name loses entries. Each pattern starts with a literal, so
# the search skips ahead in C.
_DELETE_CALL = LazyPattern(rb"\b(?:delete|clear)\(\s*(?:[\w.\[\]()]*\.)?(\w+)")
_DELETE_METHOD = LazyPattern(rb"\.[ \t]*(?:Delete|LoadAndDelete|CompareAndDelete|Clear|Remove|Purge|Evict)\(")
_NAME_BEFORE = LazyPattern(rb"(\w+)[ \t]*$")
# `v, ok := s.byKey[k]`, `v, ok := m.Load(k)`: where a memo lookup may be
_MEMO_HINT = LazyPattern(rb",\s*ok\s*:?=\s*[\w.]+\s*(?:\[|\.\s*Load\()")


def _deleted_names(models: list[FileModel]) -> frozenset[str]:
    """The last names of the tables the package's non-test files delete from (or clear, evict):
    a memo table of such a name may make what it holds again (memo_spans)."""
    names: set[bytes] = set()
    for model in models:
        if model.source.relpath.endswith("_test.go"):
            continue
        data = model.source.data
        if b"delete(" in data or b"clear(" in data:
            names.update(_DELETE_CALL.findall(data))
        for match in _DELETE_METHOD.finditer(data):
            before = _NAME_BEFORE.search(data, max(0, match.start() - 64), match.start())
            if before is not None:
                names.add(before.group(1))
    return frozenset(name.decode("utf-8", "replace") for name in names)


def memo_spans(model: FileModel, function: Function, deleted: frozenset[str]) -> list[tuple[int, int, str]]:
    """(first byte, end byte, table) of the code of `function` that runs once per key of a memo
    table: after a lookup that returns what an earlier call stored (`if w, ok := r.byName[name];
    ok { return w }`, or `w, ok := …` then `if ok { return w }`), or in the block of `if !ok { … }`,
    when that code stores under the same key (`r.byName[name] = w`, `m.Store(name, w)`) and nothing
    in the package deletes from a table of that name: what it makes, it makes once per key and
    keeps. The table is a field or a package variable, never a local of the function."""
    body = function.node.child_by_field_name("body")
    if body is None or _MEMO_HINT.search(model.source.data, body.start_byte, body.end_byte) is None:
        return []
    statements = [c for c in block_statements(body) if c.type != "comment"]
    for index, statement in enumerate(statements):
        found = None
        if statement.type == "if_statement":
            lookup = _memo_lookup(model, statement.child_by_field_name("initializer"))
            if lookup is not None:
                found = _memo_guard(model, statement, lookup, body)
        elif statement.type in ("short_var_declaration", "assignment_statement") and index + 1 < len(statements):
            following = statements[index + 1]
            lookup = _memo_lookup(model, statement)
            if lookup is not None and following.type == "if_statement" and following.child_by_field_name("initializer") is None:
                found = _memo_guard(model, following, lookup, body)
        if found is not None:
            return [found] if found[2].rsplit(".", 1)[-1] not in deleted else []
    return []


def _memo_lookup(model: FileModel, node: Node | None) -> tuple[Node, str, str, bool] | None:
    """(table, key, ok, through Load) of a lookup (model.lookup_with_ok) in a field or a package
    variable: a local table lives only as long as the call."""
    found = lookup_with_ok(model.source, node)
    if found is None:
        return None
    table, key, ok, load = found
    if table.type == "identifier":
        if model.resolve(table).kind != "package":
            return None
    elif table.type != "selector_expression":
        return None
    return table, model.source.text(key), ok, load


def _memo_guard(model: FileModel, guard: Node, lookup: tuple[Node, str, str, bool], body: Node
                ) -> tuple[int, int, str] | None:
    """The span behind `if ok { … return }` (the rest of the body) or in `if !ok { … }` (its block),
    when it stores under the looked-up key."""
    table, key, ok, load = lookup
    condition, block = guard.child_by_field_name("condition"), guard.child_by_field_name("consequence")
    if condition is None or block is None:
        return None
    text = model.source.text
    if condition.type == "identifier" and text(condition) == ok:
        statements = [c for c in block_statements(block) if c.type != "comment"]
        if not statements or statements[-1].type != "return_statement" or guard.child_by_field_name("alternative") is not None:
            return None
        first, last = guard.end_byte, body.end_byte
    elif condition.type == "unary_expression" and text(condition.child_by_field_name("operator")) == "!" \
            and text(condition.child_by_field_name("operand")) == ok:
        first, last = block.start_byte, block.end_byte
    else:
        return None
    name = text(table)
    store = (rb"\.\s*(?:Store|LoadOrStore)\(\s*" + re.escape(key.encode()) + rb"\s*," if load else
             rb"\s*\[\s*" + re.escape(key.encode()) + rb"\s*\]\s*=(?!=)")
    if re.compile(re.escape(name.encode()) + store).search(model.source.data, first, last) is None:
        return None
    return first, last, name


def _embedded(name: str, type_text: str, embeds) -> bool:
    """The field is an embedded one, named after its type: its methods and fields are the struct's
    own (`m.Path()` reads an embedded `echo.Context` without naming it)."""
    return type_text in embeds and name == type_text.lstrip("*").rsplit(".", 1)[-1]


def _shadowed_imports(models: list[FileModel], ours: frozenset[str]) -> list[str]:
    """PackageSummary.shadowed: an import of the run's modules whose name a non-test file of the
    package writes after its imports other than as `name.` (a local, a parameter or a field of that
    name, or a word in a string or a comment): more than it must be, never less. One pass in C per
    file, for all its imports of the run's modules at once."""
    shadowed: set[str] = set()
    for model in models:
        if model.source.relpath.endswith("_test.go"):
            continue
        wanted = {name.encode(): path for name, path in model.imports.items()
                  if path in ours and path not in shadowed and name.isidentifier()}
        if not wanted:
            continue
        start = max((decl.end_byte for decl in model.source.declarations if decl.type == "import_declaration"), default=0)
        data = model.source.data
        for name, path in wanted.items():
            # Most names stand only before a dot: two counts in C say so before a regex runs.
            if data.count(name, start) != data.count(name + b".", start) and \
                    _bare_name(name).search(data, start) is not None:
                shadowed.add(path)
    return sorted(shadowed)


@lru_cache(maxsize=1024)
def _bare_name(name: bytes) -> re.Pattern:
    return re.compile(rb"(?<![\w.])" + re.escape(name) + rb"\b(?!\s*\.)")


def _declared_exports(models: list[FileModel], others: list[bytes]) -> list[str] | None:
    """PackageSummary.declared: the exported package-level names of the non-test files; None when
    a file is generated (not parsed), one does not parse, one has a `//go:generate` directive (what
    it writes may not be in the tree: protobuf stubs, templ views), or no file is a non-test one."""
    if others or any(b"//go:generate " in model.source.data and _GO_GENERATE.search(model.source.data)
                     for model in models):
        return None
    names: set[str] = set()
    built = False
    for model in models:
        if model.source.relpath.endswith("_test.go"):
            continue
        if model.source.has_errors:
            return None
        built = True
        names.update(name for name in model.top_level_names if name[:1].isupper())
    return sorted(names) if built else None


_GO_GENERATE = LazyPattern(rb"^//go:generate ", re.M)


def _switched_calls(summary: PackageSummary) -> None:
    """summary.switched: the edges whose every call is made under a named switch."""
    for index, switch in _edge_states(summary, summary_switch_states(summary)):
        summary.switched[str(index)] = switch


def _checked_calls(summary: PackageSummary) -> None:
    """summary.checked: the edges whose every call comes after a check of who the client is."""
    summary.checked = sorted(index for index, _ in _edge_states(summary, summary_checked_states(summary)))


def _edge_states(summary: PackageSummary, states: dict[tuple, object]) -> list[tuple[int, object]]:
    """(index in summary.calls, state) of each edge whose state (by caller and callee) is set."""
    if not any(states.values()):
        return []
    edges = summary_edges(summary)
    position = {id(edge): index for index, edge in enumerate(summary.calls)}
    return [(index, state) for key, state in states.items() if state
            for edge in [edges.get(key)] if edge is not None
            for index in [position.get(id(edge))] if index is not None]


def _summarise_scanned(summary: PackageSummary, test_file, package_functions: set[str],
                       modules: tuple[str, ...]) -> None:
    """A test file read from its bytes (linter/testscan.py): its functions, all test code, and
    what they call of the module, one edge per caller and callee, as _FileSummariser records them."""
    from .testscan import TestFileEdges

    relpath = test_file.relpath
    summary.test_files.append(relpath)
    for fn_name, line, end_line, kind, receiver, exported in test_file.functions:
        summary.functions.setdefault(fn_name, [relpath, line, end_line, kind, receiver, exported,
                                               TEST, "a _test.go file", 0])
    memo = _module_memo(modules)

    def in_module(path: str) -> bool:
        known = memo.get(path)
        if known is None:
            known = memo[path] = within_modules(path, modules) if modules else True
        return known

    edges = summary_edges(summary)
    cli_file = any(cli_package(path) for path in test_file.imported_paths)
    found = TestFileEdges(test_file, _function_bytes(package_functions), in_module).edges(cli_file)
    for caller, callee, line, initialiser in found:
        if initialiser is None:
            summary.calls.append(["<cli>", callee, relpath, line, 0])
            continue
        if initialiser and caller not in summary.functions:
            summary.functions[caller] = [relpath, line, line, "func", "", False, TEST, "a _test.go file", 0]
        key = (caller, *_frozen(callee))
        if key in edges:
            continue
        edge = [caller, callee, relpath, line, 0]
        edges[key] = edge
        summary.calls.append(edge)


# `.Name` of an exported name: a selector, whatever its operand (a package, a value, a type).
_SELECTED = LazyPattern(rb"\.[ \t]*([A-Z][A-Za-z0-9_]*)")
# the same, and whether an assignment's `=` follows (`h.Ctx = c`: set, not read)
_SELECTED_OR_ASSIGNED = LazyPattern(rb"\.[ \t]*([A-Z][A-Za-z0-9_]*)([ \t]*=(?!=))?")
# the import-resolved type of a field that may hold a request or its context
_REQUEST_FIELD_TYPE = LazyPattern(r"(?:Context|Request|ResponseWriter|Ctx)$")
# `backend.New`: an exported name written after a name (a package's, where the name is one)
_QUALIFIED = LazyPattern(rb"(?<![\w.])([A-Za-z_][A-Za-z0-9_]*)\.[ \t]*([A-Z][A-Za-z0-9_]*)")
_LINE_COMMENT = LazyPattern(rb"//[^\n]*")
_BLOCK_COMMENT = LazyPattern(rb"/\*[\s\S]*?\*/")


def _without_comments(data: bytes) -> bytes:
    """The bytes with comments cut, near enough to read names from: a call commented out
    (`// helper.StartSync()`) names nothing. Found in C: a `//` after a colon (`"http://…"`) is
    not taken for a comment, nor a `/*` after something else on its line (a route's `"/files/*path"`);
    another `//` or `/*` in a string cuts the rest of its line or comment, which can only lose a name."""
    if b"/*" in data:
        pieces = []
        last = 0
        for match in _BLOCK_COMMENT.finditer(data):
            start = match.start()
            if data[data.rfind(b"\n", 0, start) + 1:start].strip(b" \t"):
                continue
            pieces.append(data[last:start])
            last = match.end()
        if pieces:
            data = b"".join(pieces) + data[last:]
    return _LINE_COMMENT.sub(b"", data.replace(b"://", b":"))


def _selected_names(summary: PackageSummary, models: list[FileModel], others: list[bytes]) -> None:
    """The exported names the package's files that import the run's modules write after a dot, a
    superset of what they name of those packages (a method or a field of the same name counts),
    and the packages of the run some file imports with a dot."""
    names: set[bytes] = set()
    read: set[bytes] = set()  # of `names`, those written after a dot other than as an assignment's target
    ours = frozenset(summary.imports)  # the run's modules' paths the package imports
    qualified: dict[str, set[bytes]] = {}
    qualified_as: dict[str, set[str]] = {}
    for model in models:
        if model.source.relpath.endswith("_test.go"):
            continue  # what only tests name is test-only whether or not it is dead
        if not ours.isdisjoint(model.imported_paths):
            data = _without_comments(model.source.data)
            for name, assigned in _SELECTED_OR_ASSIGNED.findall(data):
                names.add(name)
                if not assigned:
                    read.add(name)
            aliases: dict[bytes, str] = {}
            for name, path, node in model._import_specs:
                if path not in ours or name in ("_", "."):
                    continue
                aliases[name.encode()] = path
                qualified.setdefault(path, set())
                if node.child_by_field_name("name") is None:
                    qualified_as.setdefault(path, set()).add(name)
            if aliases:  # one pass over the file for every package's name
                for alias, selected in _QUALIFIED.findall(data):
                    path = aliases.get(alias)
                    if path is not None:
                        qualified[path].add(selected)
            if any(name == "." for name, _, _ in model._import_specs):
                dotted = {path for name, path, _ in model._import_specs if name == "." and path in ours}
                summary.dot_imports.extend(sorted(dotted - set(summary.dot_imports)))
    generated: set[bytes] = set()
    for data in others:  # generated (`wire_gen.go` is often a program's only caller of its constructors)
        end = data.find(b"\nfunc ")
        paths = {m.group(1).decode("utf-8", "replace") for m in _QUOTED_PATH.finditer(data, 0, end if end >= 0 else len(data))}
        if not ours.isdisjoint(paths):
            found_here = _SELECTED.findall(_without_comments(data))
            names.update(found_here)
            read.update(found_here)
            for path in ours & paths:  # read as a whole: what it writes after any dot may be the package's
                qualified.setdefault(path, set()).update(found_here)
        elif b"interface" in data:  # a stub that calls the methods of a service interface it declares
            generated.update(_SELECTED.findall(_without_comments(data)))
    summary.selected = sorted(name.decode("utf-8", "replace") for name in names)
    summary.assigned_only = sorted(name.decode("utf-8", "replace") for name in names - read)
    summary.qualified = {path: " " + " ".join(sorted(n.decode("utf-8", "replace") for n in found)) + " "
                         for path, found in sorted(qualified.items())}
    summary.qualified_as = {path: " ".join(sorted(found)) for path, found in sorted(qualified_as.items())}
    summary.generated_selected = sorted(name.decode("utf-8", "replace") for name in generated - names)


@lru_cache(maxsize=4)
def _module_set(modules: tuple[str, ...]) -> frozenset[str]:
    return frozenset(modules)


def within_modules(path: str, modules: tuple[str, ...]) -> bool:
    """Whether an import path is one of the modules' or inside one: its prefixes up to each `/`
    are looked up, so a tree of hundreds of modules costs no more than one."""
    known = _module_set(modules)
    while True:
        if path in known:
            return True
        cut = path.rfind("/")
        if cut < 0:
            return False
        path = path[:cut]


_QUOTED_PATH = LazyPattern(rb'"([^"\s]+)"')


def _module_imports(models: list[FileModel], others: list[bytes], modules: tuple[str, ...],
                    scanned: list[frozenset[str]] = ()) -> list[str]:
    """The import paths of the run's modules (every path, when `modules` is empty) that the files
    import; of a generated file, every quoted path of its import block that names a module."""
    paths: set[str] = set().union(*scanned)
    for model in models:
        paths.update(model.imported_paths)
    for data in others:
        end = data.find(b"\nfunc ")
        paths.update(m.group(1).decode("utf-8", "replace") for m in _QUOTED_PATH.finditer(data, 0, end if end >= 0 else len(data)))
    if modules:
        paths = {p for p in paths if within_modules(p, modules)}
    return sorted(paths)


DEAD_CODE = "dead code: nothing in the module calls it and nothing in its package names it"
# The weakest root: a function whose parameters a handler takes. One nothing names is never
# registered, so it is dead code like any other (lifetime._dead_code).
HANDLER_BY_PARAMETERS = "a request handler (by its parameters)"
DEAD_EXPORTED = ("dead code: an exported function of a program's module that nothing in the module names "
                 "(neither its package nor a package that imports it)")
DEAD_TAKEN = ("dead code: an exported function of a library module the tree's programs take from the tree "
              "unpublished (go.mod: a zero version and a `replace` by its directory), that none of them names "
              "(neither its package nor a package that imports it)")
DEAD_COPY = ("dead code: in a copy of another project's library module that no module of the tree replaces by its "
             "directory, so no program of the tree builds it")
DEAD_DECLARED_METHOD = ("dead code: an exported method of a program's module that an interface of the module declares "
                        "and nothing in the module calls or names")
DEAD_UNMADE = "dead code: a method of a type of a program's module that no code that runs makes"
DEAD_UNROUTED = ("dead code: an exported method of a program's module that is a request handler by its parameters, "
                 "of a type no package-level declaration names, and that nothing in the module registers or names")
DEAD_UNBUILT = "dead code: its package cannot build, since it calls a name its module's package does not declare"
# What every dead-code reason starts with (a dead type's methods carry its name and makers after it).
DEAD = "dead code: "
_MENTIONS_READ = 6  # a name written more often than this is taken as used, comments unread
_CANDIDATES_COUNTED = 32  # more candidates than this in a package: one count of every identifier
_IDENTIFIER = LazyPattern(rb"[A-Za-z_][A-Za-z0-9_]*")


# The `.func1.func2` a function literal's name adds to its outermost function's.
LITERAL_SUFFIX = LazyPattern(r"(?:\.func\d+)+$")


def _reaching(summary: PackageSummary, flagged: set[str] | None) -> set[str] | None:
    """The functions of the package that reach one of `flagged`, or a call into another package of
    the module, by the package's own calls (the flagged and calling ones too): what an exported
    function's death can silence, here or in the packages it calls (an exported constructor nothing
    names, beside the one main uses, raised what both reach from once to unknown). Counting every
    name of a package for each exported function it declares cost a tenth of a run."""
    if flagged is None:
        return None
    reached = set(flagged)
    callers: dict[str, set[str]] = {}
    for caller, callee, *_ in summary.calls:
        if callee[0] == "L":
            callers.setdefault(callee[1], set()).add(LITERAL_SUFFIX.sub("", caller))
        else:  # a call out of the package (only calls into the module are recorded) or on a typed value
            reached.add(LITERAL_SUFFIX.sub("", caller))
    work = list(reached)
    while work:
        for caller in callers.get(work.pop(), ()):
            if caller not in reached:
                reached.add(caller)
                work.append(caller)
    return reached


def _lazily_started(summary: PackageSummary, models: list[FileModel]) -> None:
    """Methods that run once per value of their receiver's type although called per request: every
    call of `m` in the package's non-test code is either guarded by a nil test of a field that `m`
    itself sets (`if s.queue == nil { s.startWorkers() }`, where startWorkers assigns `s.queue`), or
    made in a constructor of the type (a function declared to return it) on the value it makes, and
    at least one is guarded. The guard lets one call through per value, and the constructor's call
    closes it for good (PackageSummary.per_value, lifetime._once_per_value). A method whose name
    another type of the package shares, or that is also taken as a value (`go s.m`), is not read."""
    sources = [model for model in models if not model.source.relpath.endswith("_test.go")]
    wanted: set[str] = set()  # method names some nil-guarded call names
    for model in sources:
        data = model.source.data
        for match in _NIL_FIELD_GUARD.finditer(data):
            wanted.update(name.decode() for name in _GUARDED_CALL.findall(data, match.end(), match.end() + 200)
                          if name.startswith(match.group(1) + b"."))
    if not wanted:
        return
    wanted = {name.split(".", 1)[1] for name in wanted}
    methods: dict[str, list[tuple[FileModel, Function]]] = {}
    for model in sources:
        for fn in model.functions:
            if fn.kind == "method" and fn.name.rsplit(".", 1)[-1] in wanted:
                methods.setdefault(fn.name.rsplit(".", 1)[-1], []).append((model, fn))
    for method, found in sorted(methods.items()):
        if len(found) != 1:
            continue  # a method name two types share: a call's receiver is not read
        model, fn = found[0]
        type_name = fn.name.rsplit(".", 1)[0]
        if fn.name in summary.per_value or fn.receiver is None or not fn.receiver.name or fn.body is None:
            continue
        fields = set(re.findall(rf"(?<![\w.]){re.escape(fn.receiver.name)}\.(\w+)\s*=[^=]", model.source.text(fn.body)))
        if fields and _called_lazily(summary, sources, fn, type_name, method, fields):
            summary.per_value[fn.name] = type_name


def _called_lazily(summary: PackageSummary, sources: list[FileModel], fn: Function, type_name: str, method: str,
                   fields: set[str]) -> bool:
    """Every call of `method` in `sources` is nil-guarded on one of `fields` or a constructor's, one
    at least guarded, and nothing takes the method as a value (_lazily_started)."""
    key = method.encode()
    calls = re.compile(rb"\.\s*" + re.escape(key) + rb"\b(?P<call>\s*\()?")
    guarded = 0
    for other in sources:
        if key not in other.source.data:
            continue
        for match in calls.finditer(other.source.data):
            if match.group("call") is None:
                return False  # `go s.run`, `f := s.run`: called from wherever the value goes
            found = routes.method_call_at(other.source.root, match.start())
            if found is None:
                return False
            selector, call = found
            caller = other.enclosing_function(call)
            if caller is None:
                return False
            if caller is fn:
                continue
            outer = caller
            while outer.parent is not None:
                outer = outer.parent
            if outer.kind == "func" and summary.results.get(outer.name, "").lstrip("*").partition("[")[0] == type_name:
                continue  # the constructor's own call, on the value it makes
            operand = other.source.text(selector.child_by_field_name("operand"))
            if not _nil_guarded(other, call, operand, fields):
                return False
            guarded += 1
    return guarded > 0


def _nil_guarded(model: FileModel, call: Node, operand: str, fields: set[str]) -> bool:
    """`call` is a statement of the consequence of `if operand.f == nil {` (no else), `f` one of `fields`."""
    statement = call.parent
    block = statement.parent if statement is not None and statement.type == "expression_statement" else None
    while block is not None and block.type == "statement_list":
        block = block.parent
    guard = block.parent if block is not None and block.type == "block" else None
    if guard is None or guard.type != "if_statement" or guard.child_by_field_name("consequence") != block \
            or guard.child_by_field_name("alternative") is not None:
        return False
    condition = model.source.text(guard.child_by_field_name("condition")).replace(" ", "")
    return any(condition == f"{operand}.{field}==nil" for field in fields)


# `if s.queue == nil {` and the `s.m(` calls that open the block it guards (_lazily_started)
_NIL_FIELD_GUARD = LazyPattern(rb"\bif\s+([A-Za-z_]\w*)\.[A-Za-z_]\w*\s*==\s*nil\s*\{")
_GUARDED_CALL = LazyPattern(rb"\b([A-Za-z_]\w*\.[A-Za-z_]\w*)\s*\(")


def _mark_dead_code(summary: PackageSummary, models: list[FileModel], others: list[bytes],
                    exported: set[str] | None = None, scanned: list[bytes] = ()) -> None:
    """Unexported functions and methods that no call of the package names, and whose name appears
    as a word outside comments exactly once in its sources (test and generated files too, where a
    comment counts as a use), at the declaration: no value passed, no interface of the package
    listing the method (`summary.unnamed`). Nothing outside the package can call them: in a package
    the module uses, they never run (the model makes them dead code). A name in a string counts as
    a use. Exported functions among `exported` (all, when None) that are named so too, and
    exported methods that make a middleware or handler, go to `summary.unnamed_exported`: dead only
    if no package importing this one names them either, in a module that builds programs
    (lifetime._dead_code)."""
    # What the package's calls name last: a function (`L`), a method (`M`, `D`, `R`) or another
    # package's function (`I`, whose names only make fewer candidates)
    named = {call[1][-1] for call in summary.calls}
    # An exported function of the package is named here unqualified: another package's function of
    # the name (`errors.New` beside the package's own `New`) does not name it.
    named_here = {call[1][-1] for call in summary.calls if call[1][0] != "I"}
    candidates: dict[str, list[str]] = {}
    for name, record in summary.functions.items():
        kind, root = record[3], record[6]
        if kind not in ("func", "method") or root is not None and record[7] != HANDLER_BY_PARAMETERS or \
                name in (named_here if kind == "func" and name[:1].isupper() else named):
            continue
        own = name.rsplit(".", 1)[-1] if kind == "method" else name
        if own[:1].islower() and own not in ("main", "init") and (kind == "func" or own not in named):
            candidates.setdefault(own, []).append(name)
        elif kind == "func" and own[:1].isupper() and (exported is None or name in exported):
            candidates.setdefault(own, []).append(name)  # exported: dead only if no importer names it either
        elif kind == "method" and own[:1].isupper() and own not in named and (exported is None or name in exported):
            # A method that makes a middleware or a handler (`func (m *Logging) Requests() gin.HandlerFunc`)
            # runs only where code names it to mount what it returns: no interface of another
            # module is satisfied by one. Dead, as an exported function, if no importer names it.
            # Any other exported method may be called through an interface, the module's own or
            # another module's (`ServeHTTP`): dead only on the module's evidence (unnamed_methods).
            candidates.setdefault(own, []).append(name)
    if candidates and scanned:
        # Test files read from their bytes: a name in a comment is no use there either.
        others = [*others, *(_without_comments(data) for data in scanned)]
    counts = None
    if len(candidates) > _CANDIDATES_COUNTED:
        # Many (a generated file's helpers): count every identifier once instead of once per name.
        counts = Counter(_IDENTIFIER.findall(b"\n".join([model.source.data for model in models] + others)))
    exported_from_c = [data for data in [*(model.source.data for model in models), *others] if b"//export " in data]
    for own, names in candidates.items():
        if len(names) > 1:
            continue  # methods of two types share the name: a call of one may be the other's
        encoded = own.encode()
        unnamed = summary.unnamed if own[:1].islower() else summary.unnamed_exported
        listed = 0  # mentions in an interface's method list, which declare the method, not use it
        if own[:1].isupper() and summary.functions[names[0]][3] == "method" and \
                summary.results.get(names[0]) not in MIDDLEWARE_RESULT_TYPES:
            if own in _EXTERNAL_METHODS:
                continue
            unnamed = summary.unnamed_methods
            listed = sum(1 for methods in summary.interfaces.values() for method in methods
                         if method.partition("/")[0] == own)
        if unnamed is summary.unnamed_exported and any(b"//export " + encoded in data for data in exported_from_c):
            continue  # cgo exports it to C, which calls it
        if counts is not None:
            if counts[encoded] == 1 + listed:
                unnamed.append(names[0])  # the declaration alone, comments included
                continue
            if counts[encoded] > _MENTIONS_READ:
                continue
        elif summary.functions[names[0]][3] == "func":
            # a function is named unqualified in its package: `errors.New` and `NewReader` do not count
            unqualified = re.compile(rb"(?<![\w.])" + encoded + rb"(?!\w)")
            if sum(len(unqualified.findall(data)) for data in [*(model.source.data for model in models), *others]) \
                    > _MENTIONS_READ:
                continue  # written that often, it is used somewhere: comments unread
        elif sum(data.count(encoded) for data in [*(model.source.data for model in models), *others]) > _MENTIONS_READ:
            continue  # written that often (also within longer words), it is used somewhere: comments unread
        uses = sum(1 for data in others for _ in name_hits(data, encoded))
        for model in models:
            root = model.source.root
            for position in name_hits(model.source.data, encoded):
                node = root.descendant_for_byte_range(position, position + len(encoded))
                if node is not None and _other_package_name(model, node):
                    continue  # `http.ListenAndServeTLS` in the wrapper that shares its name
                if listed and node is not None and node.parent is not None and node.parent.type == "method_elem":
                    continue  # `Login(ctx context.Context) error` in an interface of the package
                if node is None or node.type != "comment":
                    uses += 1
            if uses > 1:
                break
        if uses == 1:
            unnamed.append(names[0])


_MAKERS_READ = 64  # a type named more often than this is taken as made where it is used


def _makers(summary: PackageSummary, models: list[FileModel], others: list[bytes], exported: set[str] | None,
            scanned: list[bytes]) -> set[str]:
    """summary.made_in: for each type of the package with a method among `exported` (all, when
    None), or with a method that makes such a type, the functions that name it, when nothing else
    can make a value of it; returned: those functions, whose own death is then worth checking. No value of a
    type exists that no code names (`&T{}`, `new(T)`, `var t T`, `T(x)`, `NewT` declared to return
    one), so its methods run only if one of those functions does. Names that do not count: the
    type's declaration, its methods' receivers and whatever its own methods name (they need a value
    first), a comment, another package's type of the same name (`pkg.T`), a field or method
    selected on a value (`x.T`). Any other place keeps the type out: a package-level declaration (a
    field of another type, an alias, `var _ I = (*T)(nil)`), a package-level literal, a string, a
    test or generated file."""
    pending = sorted({record[4] for name, record in summary.functions.items()
                      if record[3] == "method" and record[4] and (exported is None or name in exported)})
    seen = set(pending)
    found: set[str] = set()
    while pending:
        type_name = pending.pop()
        encoded = type_name.encode()
        if not encoded.isascii() or any(True for data in [*others, *scanned] for _ in name_hits(data, encoded)):
            continue
        makers: set[str] | None = set()
        hits = 0
        for model in models:
            if makers is None:
                break
            data = model.source.data
            root = model.source.root
            for position in name_hits(data, encoded):
                hits += 1
                node = root.descendant_for_byte_range(position, position + len(encoded))
                if hits > _MAKERS_READ or node is None or model.source.relpath.endswith("_test.go") or \
                        node.type not in ("type_identifier", "identifier", "field_identifier", "comment"):
                    makers = None  # a string, a test file, or so often named that it is made somewhere
                    break
                if node.type == "comment" or node.type == "field_identifier" or _declares_type(node) or \
                        (node.parent is not None and node.parent.type == "qualified_type"):
                    continue
                if _receiver_type(node):
                    continue
                function = model.enclosing_function(node)
                while function is not None and function.parent is not None:
                    function = function.parent
                if function is None or function.kind == "literal":
                    makers = None  # named at package level: a field, an alias, a variable, an assertion
                    break
                if function.kind == "method" and summary.functions.get(function.name, [None] * 5)[4] == type_name:
                    continue  # its own method: runs only once a value exists
                makers.add(function.name)
        if makers is not None:
            summary.made_in[type_name] = sorted(makers)
            found.update(makers)
            for maker in makers:  # a method that makes it: its own type must be unmade too
                owner = summary.functions.get(maker, [None] * 5)[4] if "." in maker else None
                if owner and owner not in seen:
                    seen.add(owner)
                    pending.append(owner)
    summary.made_in = dict(sorted(summary.made_in.items()))
    return found


def _declares_type(node: Node) -> bool:
    """`node` is the name a type declaration gives (`type T struct`, `type T = U`)."""
    parent = node.parent
    return parent is not None and parent.type in ("type_spec", "type_alias") and parent.child_by_field_name("name") == node


def _receiver_type(node: Node) -> bool:
    """`node` names the type of a method's receiver (`func (s *T) M()`, `func (T) M()`, `func (s *T[K]) M()`)."""
    parent = node.parent
    for _ in range(4):
        if parent is None:
            return False
        if parent.type == "parameter_list":
            owner = parent.parent
            return owner is not None and owner.type == "method_declaration" and owner.child_by_field_name("receiver") == parent
        parent = parent.parent
    return False


# Methods that the standard library or a widespread framework calls through an interface of its own
# (`http.Handler`, `fmt.Stringer`, `sql.Scanner`, a consumer group's handler): a module may list
# them in an interface of its own too, and still be called by the other module only.
_EXTERNAL_METHODS = frozenset({
    "ServeHTTP", "String", "GoString", "Error", "Unwrap", "Is", "As", "Format", "Timeout", "Temporary",
    "MarshalJSON", "UnmarshalJSON", "MarshalText", "UnmarshalText", "MarshalYAML", "UnmarshalYAML",
    "MarshalBinary", "UnmarshalBinary", "Scan", "Value", "Read", "Write", "Close", "ReadFrom", "WriteTo",
    "Seek", "Flush", "Len", "Less", "Swap", "Push", "Pop", "Run", "Start", "Stop", "Shutdown", "Serve",
    "Handle", "Execute", "Validate", "Reset", "Reconcile", "ConsumeClaim", "Setup", "Cleanup",
    "ProcessTask", "TableName", "Name", "Init", "Hash", "Render", "Lock", "Unlock",
})


def _other_package_name(model: FileModel, node: Node) -> bool:
    """`node` is the name after an imported package's name (`http.ListenAndServe`): that package's
    function, not one of this package's, which no file of the package spells so."""
    parent = node.parent
    if node.type != "field_identifier" or parent is None or parent.type != "selector_expression":
        return False
    operand = parent.child_by_field_name("operand")
    return operand is not None and operand.type == "identifier" and \
        model.source.data[operand.start_byte:operand.end_byte].decode() in model.imports and \
        model.resolve(operand).kind == "import"


# A request passed on by its usual names among a call's first two arguments: `f(w, r)`, `g(req, …)`.
_REQUEST_ARGUMENT = LazyPattern(rb"[(,]\s*(?P<name>r|req|request)\s*[,)]")
# A call whose first argument is a context: `f(ctx, …)`, `f(r.Context(), …)`, `f(c.Request().Context())`.
_CONTEXT_FIRST = LazyPattern(rb"\(\s*(?:ctx|[A-Za-z_][\w.]*(?:\(\))?\.Context\(\)|context\.(?:Background|TODO)\(\)|"
                             rb"context\.WithoutCancel\([^()]*(?:\([^()]*\))?[^()]*\))\s*[,)]")


def _passed_arguments(summariser: _FileSummariser) -> None:
    """What calls of the file pass that the callee's parameters may rely on (passed_args): at
    each argument index, "l" for a loopback address or a same-host listener (in files that spell a
    loopback literal), "o:<field>" for an address built from an option field
    (`net.JoinHostPort(c.conf.HTTPAddress, port)`, loopback when every default of it is); for first arguments that read `ctx` or `….Context()`, "r" for the incoming
    request's context, j for the caller's own context parameter j, "c<j>" for the context of the
    caller's `*http.Request` parameter j; for a request among the first two arguments named `r`,
    `req` or `request`, "q" for a handler's incoming request, "p<j>" for the caller's own
    `*http.Request` parameter j. A caller that calls the same function more than once keeps only
    what every call passes."""
    model = summariser.model
    data = model.source.data
    root = model.source.root
    contexts: dict[int, tuple[Node, dict]] = {}  # call id -> (call, {0: kind})
    imports = summariser.import_bytes
    if b"ctx" in data or b"Context" in data or b"context." in data:
        for match in _CONTEXT_FIRST.finditer(data):
            paren = root.descendant_for_byte_range(match.start(), match.start() + 1)
            arguments = paren.parent if paren is not None else None
            if arguments is None or arguments.type != "argument_list" or not arguments.named_child_count:
                continue
            call = arguments.parent
            callee = call.child_by_field_name("function")
            if callee is not None and callee.type == "selector_expression":
                operand = callee.child_by_field_name("operand")
                path = imports.get(data[operand.start_byte:operand.end_byte]) if operand.type == "identifier" else None
                if path is not None and not summariser._in_module(path):
                    continue  # `http.NewRequestWithContext(ctx, …)`, `sql.Open…`: a call out of the module
            kind = _context_kind(model, arguments.named_children[0], call)
            if kind is not None:
                contexts[call.id] = (call, {0: kind})
    if b"http.Request" in data or b"Request)" in data:
        for match in _REQUEST_ARGUMENT.finditer(data):
            ident = root.descendant_for_byte_range(match.start("name"), match.end("name"))
            arguments = ident.parent if ident is not None else None
            if arguments is None or arguments.type != "argument_list":
                continue
            index = next((i for i, arg in enumerate(arguments.named_children[:2]) if arg.id == ident.id), None)
            call = arguments.parent
            kind = _request_kind(model, ident, call) if index is not None else None
            if kind is not None:
                contexts.setdefault(call.id, (call, {}))[1][index] = kind
    if b".Group(" in data or b".Use(" in data or b"Router" in data or (b"New" in data and _ROUTER_CONSTRUCTOR_CALL.search(data)):
        for call, index, kind in _router_arguments(summariser):
            contexts.setdefault(call.id, (call, {}))[1][index] = kind
    if may_pass_loopback(data):
        for call in _calls_around(root, loopback_mentions(model)):
            positions = loopback_positions(model, call)
            if positions:
                kinds = contexts.setdefault(call.id, (call, {}))[1]
                kinds.update((p, "l") for p in positions)
    if may_pass_options(data):
        for call, position, option in option_arguments(model):
            contexts.setdefault(call.id, (call, {}))[1].setdefault(position, "o:" + option)
    if not contexts:
        return
    noted = sorted(contexts.values(), key=lambda item: item[0].start_byte)
    found: dict[tuple[str, bytes], list] = {}  # (caller, callee text) -> [ref, kinds, calls, function]
    for call, kinds in noted:
        callee = call.child_by_field_name("function")
        function = model.enclosing_function(call)
        if callee is None or function is None or callee.type not in ("identifier", "selector_expression"):
            continue
        key = (function.name, data[callee.start_byte:callee.end_byte])
        entry = found.get(key)
        if entry is None:
            ref = summariser._reference(callee, function, called=True) if kinds else None
            if ref is not None and ref[0] == "M" and not summariser._module_type(ref[1]):
                ref = None
            found[key] = [ref, dict(kinds) if ref is not None else {}, 1, function]
        else:
            entry[1] = {p: merged for p, k in entry[1].items() for merged in [_same_kind(k, kinds.get(p))]
                        if merged is not None}
            entry[2] += 1
    for (caller, text), (ref, kinds, count, function) in found.items():
        if not kinds:
            continue
        # Only calls that pass something were looked at: every call of the callee in the caller
        # must be one of them.
        body = function.body if function.body is not None else function.node
        if data.count(text + b"(", body.start_byte, body.end_byte) != count:
            continue
        summariser.summary.passed_args.append([caller, ref, sorted([p, k] for p, k in kinds.items())])


# A router constructor's call as usually spelled (linter/routes.py _made_as_router checks the import path).
_ROUTER_CONSTRUCTORS = (rb"(?:http\.NewServeMux|mux\.NewRouter|chi\.New(?:Router|Mux)|gin\.(?:New|Default)|echo\.New|"
                        rb"fiber\.New|httprouter\.New)\(")
_ROUTER_CONSTRUCTOR_CALL = LazyPattern(_ROUTER_CONSTRUCTORS)
_ROUTER_NAME = LazyPattern(rb"\b([A-Za-z_]\w*)\s*(?::=|=)\s*(?:[A-Za-z_][\w.]*\.Group\(|" + _ROUTER_CONSTRUCTORS +
                           rb")|\b([A-Za-z_]\w*)\.Use\(")


def _method_reference(info: tuple[str, object] | None, name: str) -> list | None:
    """The reference of a call of method `name` on what a name holds (_name_info, _typed_name):
    on a value of a type ("M"), on what a call returned ("R"), on an element of a field ("E"), on
    another package's variable or a field of it ("G")."""
    if info is None:
        return None
    kind, what = info
    if kind == "type":
        return ["M", what, name]
    if kind == "result":
        return ["R", what, name]
    if kind == "element":
        return ["E", *what, name]
    if kind == "variable":
        return ["G", *what, name]
    return None


_ELEMENT_OF = LazyPattern(rb"\b([A-Za-z_]\w*)\s*:=\s*([A-Za-z_]\w*)\[\d+\]")


def _router_arguments(summariser: _FileSummariser) -> Iterator[tuple[Node, int, str]]:
    """(call, argument index, kind) for each router a call of the file hands on: "a" with
    authentication in front of it, "g<j>" for the caller's own router parameter j
    (linter/routes.py router_kind). Routers are the names the file makes groups of or mounts
    middleware on, that a router constructor makes, and parameters of a router type."""
    model = summariser.model
    data = model.source.data
    names = {m.group(1) or m.group(2) for m in _ROUTER_NAME.finditer(data)}
    for function in model.functions:
        for param in function.params:
            if param.name and routes._ROUTER_TYPE.search(param.type):
                names.add(param.name.encode())
    names.discard(b"_")
    if not names:
        return
    # `privateGroup := routers[0]` of a variadic router parameter (routes._variadic_element)
    names |= {m.group(1) for m in _ELEMENT_OF.finditer(data) if m.group(2) in names}
    root = model.source.root
    # The router itself as an argument, or a group made of it on the spot (`p.Register(group.Group(
    # p.RouterPath()))`), which has what its router has in front and authentication given to the
    # Group call itself.
    pattern = re.compile(rb"[(,]\s*(" + b"|".join(re.escape(n) for n in sorted(names)) +
                         rb")\s*(?:(?=[,)])|(\.\s*Group\())")
    for match in pattern.finditer(data):
        ident = root.descendant_for_byte_range(match.start(1), match.end(1))
        argument = ident if ident is not None and ident.type == "identifier" else None
        if argument is not None and match.group(2):
            selector = argument.parent
            argument = selector.parent if selector is not None and selector.type == "selector_expression" else None
        arguments = argument.parent if argument is not None else None
        if arguments is None or arguments.type != "argument_list" or arguments.parent is None \
                or arguments.parent.type != "call_expression":
            continue
        function = model.enclosing_function(arguments)
        index = next((i for i, arg in enumerate(arguments.named_children) if arg.id == argument.id), None)
        if function is None or index is None:
            continue
        given = argument.child_by_field_name("arguments") if match.group(2) else None
        kind = "a" if given is not None and any(routes.authenticated(summariser.text(m))
                                                 for m in given.named_children[1:]) else \
            routes.router_kind(summariser, ident, function)
        if kind is not None:
            yield arguments.parent, index, kind


def _same_kind(first, second):
    """What two calls of a function both pass at an argument index: the kind itself when they
    agree; a loopback address and an option's address ("l", "o:F") pass what the option does;
    two options' addresses pass what both do ("o:F,G"); otherwise nothing."""
    if first == second:
        return first
    if not (isinstance(first, str) and isinstance(second, str)):
        return None
    if first == "l" and second.startswith("o:"):
        return second
    if second == "l" and first.startswith("o:"):
        return first
    if first.startswith("o:") and second.startswith("o:"):
        return "o:" + ",".join(sorted(set(first[2:].split(",")) | set(second[2:].split(","))))
    return None


def _http_request_parameter(model: FileModel, ident: Node, call: Node) -> tuple[Function, int] | None:
    """(the calling function, index) when `ident` is a `*http.Request` parameter of the named
    function the call is made in."""
    binding = model.resolve(ident)
    function = model.enclosing_function(call)
    if binding.kind != "param" or binding.decl is None or function is None or binding.function is not function \
            or function.kind == "literal" and not (is_handler(function) or is_routed_adapter(function)):
        return None  # a literal's calls are not the module's to list, unless a router makes them
    index = parameter_index(binding.decl)
    if index is None or index >= len(function.params) or function.params[index].type != "*net/http.Request":
        return None
    return function, index


def _request_kind(model: FileModel, ident: Node, call: Node) -> "str | None":
    """"q" when a call's argument is a handler's incoming request, "p<j>" when it is the calling
    function's own `*http.Request` parameter j (incoming only if every call of it passes one)."""
    found = _http_request_parameter(model, ident, call)
    if found is None:
        return None
    function, index = found
    return "q" if function.kind == "literal" or is_handler(function) else f"p{index}"


def _plain_context_parameter(model: FileModel, argument: Node, call: Node) -> int | None:
    """The index of the calling function's `context.Context` parameter a name is, when the function
    never declares or assigns that name again (the common `f(ctx, …)`): read from the parameter
    list and the body's bytes, without resolving the name."""
    function = model.enclosing_function(call)
    if function is None or function.kind == "literal" or function.body is None:
        return None
    parameters = function.node.child_by_field_name("parameters")
    name = argument.text
    declared = next((ident for group in (parameters.named_children if parameters is not None else ())
                     for ident in group.children_by_field_name("name") if ident.text == name), None)
    index = context_parameter_index(declared) if declared is not None else None
    if index is None:
        return None
    body = model.source.data[function.body.start_byte:function.body.end_byte]
    if re.search(rb"\b" + re.escape(name) + rb"\b(?:\s*,\s*[\w.]+)*\s*:?=[^=]|\bvar\s+" + re.escape(name) + rb"\b", body):
        return None  # declared or assigned again: resolved the long way
    return index


def _calls_around(root: Node, offsets: list[int]) -> list[Node]:
    """The calls whose arguments hold each offset (a literal or a name in `f(g("127.0.0.1"))` is
    inside the arguments of both), each once, in source order."""
    found: dict[int, Node] = {}
    for offset in offsets:
        node = root.descendant_for_byte_range(offset, offset + 1)
        depth = 0
        while node is not None and depth < 8 and node.type not in ("block", "source_file"):
            if node.type == "argument_list" and node.parent is not None and node.parent.type == "call_expression":
                found.setdefault(node.parent.id, node.parent)
            node = node.parent
            depth += 1
    return sorted(found.values(), key=_start)


def _context_kind(model: FileModel, argument: Node, call: Node) -> "str | int | None":
    """"r" when a call's argument is the incoming request's context, the index of the calling
    function's own context parameter it is, "d<j>" when it derives from parameter j
    (`context.WithTimeout(ctx, d)`), "b" for a context that ends only with the program
    (cfg.program_context), or None."""
    if argument.type == "identifier":
        index = _plain_context_parameter(model, argument, call)
        if index is not None:
            return index
    if program_context(model, argument):
        return "b"
    parameter = context_parameter(model, argument)
    if not parameter:
        if request_context(model, argument):
            return "r"
        # `req.Context()` of the calling function's `*http.Request` parameter j: the request's
        # context if every call of the function passes an incoming request there.
        function = argument.child_by_field_name("function") if argument.type == "call_expression" else None
        operand = function.child_by_field_name("operand") if function is not None and function.type == "selector_expression" else None
        if operand is not None and operand.type == "identifier" and function.child_by_field_name("field").text == b"Context":
            found = _http_request_parameter(model, operand, call)
            if found is not None and found[0].kind == "literal":
                return "r"  # a handler literal's, or a routed adapter's: the incoming request
            return f"c{found[1]}" if found is not None else None
        return None
    function = model.enclosing_function(call)
    name, _, index = parameter.rpartition("#")
    return f"d{index}" if function is not None and function.name == name else None


def in_unbounded_loop(model: FileModel, node: Node) -> str:
    """`node` sits, within its own function, in a loop that runs as long as its goroutine
    ("loop"), or in a benchmark's loop over b.N or b.Loop() ("benchmark"); "" otherwise. What it
    leaks per iteration leaks without bound, even in code that runs once per process (and in a
    benchmark, in tests). For a finding's `repeats`; walks parents, so ask it only about findings."""
    function = model.enclosing_function(node)
    if function is None:
        return ""
    current = node.parent
    while current is not None and current.start_byte >= function.node.start_byte and current.id != function.node.id:
        if current.type in ("func_literal",):
            return ""
        if current.type == "for_statement" and unbounded_loop(model, current):
            if not runs_again(model, function, node):
                return ""
            return BENCHMARK if _benchmark_loop(model, current) else ENDLESS
        current = current.parent
    return ""


def runs_again(model: FileModel, function: Function, node: Node) -> bool:
    """Whether control can come back to `node` within one run of `function`. A call in an endless
    loop that every path after it leaves (`if err == nil { go serve(); return }` in a start-up
    retry loop) runs once per run of the function, however long the loop turns before it."""
    return model.cfg(function).reaches(node, node)


def unbounded_loop(model: FileModel, loop: Node) -> bool:
    """`for {}`, `for cond {}`, a benchmark's loop, or a range over a channel: a loop that runs as
    long as its goroutine (or the benchmark), so what it calls repeats without bound. A range over
    a work queue the function fills from bounded loops and closes ends when they do."""
    return _unbounded(model, loop, 0)


def _unbounded(model: FileModel, loop: Node, depth: int) -> bool:
    kind, clause = loop_header(loop)
    if kind == WHILE and (_advanced_counter(model, loop, clause) or
                          _DEADLINE_TEST.search(model.source.data, clause.start_byte, clause.end_byte)):
        return False  # `for attempt < limit { …; attempt++ }`, `for time.Since(start) < limit`
    if kind == FOREVER and _counted_forever(model, loop):
        return False  # `for { …; round++; if round > 6 { return nil } }`
    if kind in (FOREVER, WHILE):
        return not _deadline_bounded(model, loop)
    return kind == BENCHMARK_LOOP or (kind == RANGE and _ranges_over_channel(model, clause.child_by_field_name("right"), depth))


_ORDERING = frozenset({"<", "<=", ">", ">="})


def _advanced_counter(model: FileModel, loop: Node, condition: Node) -> bool:
    """`for attempt < limit { …; attempt++ }`: a while loop whose condition orders a name that its
    body steps (`++`, `--`, `+=`, `-=`, outside function literals): a counted loop written as a
    while, bounded by its limit."""
    names = _ordered_names(model, condition)
    body = loop.child_by_field_name("body")
    if not names or body is None:
        return False
    function = model.enclosing_function(loop)
    return any(_stepped(model, step) in names and model.enclosing_function(step) is function
               for step in query_captures(_STEPS, body).get("step", []))


def _ordered_names(model: FileModel, condition: Node | None) -> set[bytes]:
    """The names an ordering comparison compares (`attempt < limit`: both), none for another condition."""
    if condition is None or condition.type != "binary_expression" or \
            model.source.text(condition.child_by_field_name("operator")) not in _ORDERING:
        return set()
    return {side.text for side in (condition.child_by_field_name("left"), condition.child_by_field_name("right"))
            if side is not None and side.type == "identifier"}


def _stepped(model: FileModel, statement: Node) -> bytes | None:
    """The name a statement steps: `n++`, `n--`, `n += k`, `n -= k`."""
    if statement.type in ("inc_statement", "dec_statement"):
        target = statement.named_children[0] if statement.named_child_count else None
    elif statement.type == "assignment_statement" and \
            model.source.text(statement.child_by_field_name("operator")) in ("+=", "-="):
        left = statement.child_by_field_name("left")
        target = left.named_children[0] if left is not None and left.named_child_count == 1 else None
    else:
        return None
    return target.text if target is not None and target.type == "identifier" else None


_STEPS = "[(inc_statement) (dec_statement) (assignment_statement)] @step"


def _counted_forever(model: FileModel, loop: Node) -> bool:
    """`for { switch round { … }; round++; if round > 6 { return nil } }`: a `for {}` whose body
    steps a name on every pass (`++`, `--`, `+=`, `-=` as a statement of the body itself, not
    under a condition) and leaves (`return`, `break`) when an `if` of the body itself orders that
    name: a counted loop, bounded by its limit. A step under a condition (`if err != nil {
    failures++ }`) counts failures, not passes, and bounds nothing."""
    statements = block_statements(loop.child_by_field_name("body") or loop)
    stepped = {name for statement in statements if (name := _stepped(model, statement)) is not None}
    if not stepped:
        return False
    for statement in statements:
        consequence = statement.child_by_field_name("consequence") if statement.type == "if_statement" else None
        if consequence is None or not _ordered_names(model, statement.child_by_field_name("condition")) & stepped:
            continue
        if any(c.type == "return_statement" or c.type == "break_statement" and c.named_child_count == 0
               for c in block_statements(consequence)):
            return True
    return False


# A deadline the loop checks: a timer or `time.After` channel made before it, received in a select
# case, or an `if time.Since(start) > d` / `time.Now().After(deadline)` test.
_DEADLINE_TEST = LazyPattern(rb"\btime\.(?:Since|Until)\(|\btime\.Now\(\)\.(?:After|Before|Sub)\(")


def _deadline_bounded(model: FileModel, loop: Node) -> bool:
    """A `for {}` retry loop left by a deadline: a select case on a timer made before the loop
    (`timer := time.NewTimer(d)`, `deadline := time.After(d)`) that returns or breaks out of it,
    or an `if` on elapsed time that does. It ends within the deadline, not with its goroutine."""
    data = model.source.data
    body = loop.child_by_field_name("body")
    if body is None or (b"time." not in data[body.start_byte:body.end_byte] and b".C" not in data[body.start_byte:body.end_byte]
                        and b"<-" not in data[body.start_byte:body.end_byte]):
        return False
    label = loop.parent.child_by_field_name("label") if loop.parent is not None and loop.parent.type == "labeled_statement" else None
    label_text = label.text if label is not None else None
    function = model.enclosing_function(loop)
    found = query_captures(_DEADLINE_PARTS, body)
    exits = found.get("exit", [])

    def leaves(block: Node | None) -> bool:
        """A return, goto, or break of the loop (labelled, or unlabelled with nothing nearer to
        break) in `block`, outside function literals."""
        if block is None:
            return False
        for node in exits:
            if not block.start_byte <= node.start_byte < block.end_byte or model.enclosing_function(node) is not function:
                continue
            if node.type != "break_statement":
                return True
            target = node.named_children[0].text if node.named_child_count else None
            if target is not None and target == label_text:
                return True
            if target is None and _innermost_breakable(node, loop) is loop:
                return True
        return False

    for case in found.get("case", []):
        communication = case.child_by_field_name("communication")
        received = communication.named_children[-1] if communication is not None and communication.named_child_count else None
        if received is not None and received.type == "unary_expression":
            channel = received.named_children[0] if received.named_child_count else None
            if channel is not None and _made_before(model, channel, loop) and leaves(case):
                return True
    for statement in found.get("if", []):
        condition = statement.child_by_field_name("condition")
        if condition is not None and _DEADLINE_TEST.search(data, condition.start_byte, condition.end_byte) \
                and leaves(statement.child_by_field_name("consequence")):
            return True
    return False


_DEADLINE_PARTS = """
(communication_case) @case
(if_statement) @if
[(return_statement) (break_statement) (goto_statement)] @exit
"""


def _innermost_breakable(node: Node, loop: Node) -> Node | None:
    """The statement an unlabelled `break` at `node` leaves: the nearest for, switch or select."""
    current = node.parent
    while current is not None and current is not loop and current.id != loop.id:
        if current.type in ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"):
            return current
        current = current.parent
    return loop


def _made_before(model: FileModel, channel: Node, loop: Node) -> bool:
    """`timer.C` or `deadline` of a local made before the loop by time.NewTimer or time.After."""
    if channel.type == "selector_expression" and model.source.text(channel.child_by_field_name("field")) == "C":
        channel = channel.child_by_field_name("operand")
    if channel is None or channel.type != "identifier":
        return False
    binding = model.resolve(channel)
    if binding.kind != "local" or binding.decl is None or binding.decl.start_byte >= loop.start_byte:
        return False
    value = single_initialiser(binding.decl)
    return value is not None and value.type == "call_expression" and \
        model.qualified(value) in ("time.NewTimer", "time.After")


def _ranges_over_channel(model: FileModel, expr: Node | None, depth: int = 0) -> bool:
    """A ticker's `.C`, a variable typed or made as a channel, unless it is a closed work queue."""
    if expr is None:
        return False
    if expr.type == "selector_expression":
        return model.source.text(expr.child_by_field_name("field")) == "C"
    if expr.type == "call_expression":
        # `for ev := range w.ResultChan()`, `range watcher.Channel()`: a method named for the
        # channel it returns (a watch's events, a subscription's messages)
        callee = expr.child_by_field_name("function")
        name = callee.child_by_field_name("field") if callee is not None and callee.type == "selector_expression" else callee
        return name is not None and _CHANNEL_GETTER.fullmatch(model.source.text(name)) is not None
    if expr.type == "identifier":
        binding = model.resolve(expr)
        decl = binding.decl
        if is_channel_type(model.declared_type(binding) or ""):
            return True
        if decl is not None and binding.kind in ("local", "package"):
            init = single_initialiser(decl)
            if init is not None and init.type == "call_expression" and model.source.text(init.child_by_field_name("function")) == "make":
                args = init.child_by_field_name("arguments")
                return bool(args and args.named_child_count and args.named_children[0].type == "channel_type") \
                    and not (binding.kind == "local" and _closed_work_queue(model, decl, depth))
    return False


def _closed_work_queue(model: FileModel, decl: Node, depth: int) -> bool:
    """A local channel (`jobs := make(chan T)`) that its function, and the literals it writes, only
    send on outside loops that never end, receive from, range over and close: a worker pool's
    queue filled from a slice. A range over it ends when the sends do. Handed to anything else
    (a call, a field, a return), it may be fed for ever."""
    owner = model.enclosing_function(decl)
    if owner is None or depth > 2:
        return False
    sent = closed = False
    for ref in model.references(decl, within=owner.node):
        use, node = classify_use(model, ref)
        if use == "close":
            closed = True
        elif use == "send":
            current = node.parent
            while current is not None and current.id != owner.node.id:
                if current.type == "for_statement" and _unbounded(model, current, depth + 1):
                    return False
                current = current.parent
            sent = True
        elif use not in ("receive", "range", "len"):
            return False
    return sent and closed


# `return &server{`, `s := &server{`, `s = server{`: what _made_result reads, the only shapes it takes.
_MADE_LITERAL = LazyPattern(rb"(?:\breturn|=)\s*&?[A-Za-z_]\w*\s*\{")
_CHANNEL_GETTER = LazyPattern(r"\w*(?:Chan|Channel)|C|Ch")


def _benchmark_loop(model: FileModel, loop: Node) -> bool:
    """`for i := 0; i < b.N; i++`, `for b.Loop()` or `for range b.N` in a file of tests."""
    return model.source.relpath.endswith("_test.go") and loop_header(loop)[0] == BENCHMARK_LOOP


def set_once_guarded(model: FileModel, fn: Function) -> bool:
    """Among the function's first statements, `if !atomic.CompareAndSwapInt32(&started, 0, 1) {
    return }` (or `!started.CompareAndSwap(false, true)`) on a package variable: only the first
    caller passes, so the rest of the body runs once per process however often it is called."""
    body = fn.body
    for stmt in [c for c in block_statements(body) if c.type != "comment"][:4] if body is not None else []:
        if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
            continue
        consequence = stmt.child_by_field_name("consequence")
        if consequence is not None and _swapped_once(model, stmt.child_by_field_name("condition")) and \
                any(c.type == "return_statement" for c in block_statements(consequence)):
            return True
    return False


def _swapped_once(model: FileModel, cond: Node | None) -> bool:
    """`!atomic.CompareAndSwapInt32(&v, 0, 1)` or `!v.CompareAndSwap(false, true)` on a package
    variable `v`: false for the one caller that swapped it, true for every other."""
    if cond is None or cond.type != "unary_expression" or model.source.text(cond.child_by_field_name("operator")) != "!":
        return False
    call = cond.child_by_field_name("operand")
    if call is not None and call.type == "parenthesized_expression" and call.named_child_count == 1:
        call = call.named_children[0]
    return swapped(model, call)


def swapped(model: FileModel, call: Node | None) -> bool:
    """`atomic.CompareAndSwapInt32(&v, 0, 1)` or `v.CompareAndSwap(false, true)` on a package
    variable `v`: true for the one caller that swaps it."""
    if call is None or call.type != "call_expression":
        return False
    callee, args = call.child_by_field_name("function"), call.child_by_field_name("arguments")
    if callee is None or args is None or callee.type != "selector_expression" or \
            not model.source.text(callee.child_by_field_name("field")).startswith("CompareAndSwap"):
        return False
    qualified = model.qualified(callee)
    if qualified is not None:
        if not qualified.startswith("sync/atomic.") or not args.named_child_count:
            return False
        target = args.named_children[0]
        if target.type != "unary_expression" or model.source.text(target.child_by_field_name("operator")) != "&":
            return False
        variable = target.child_by_field_name("operand")
    else:
        variable = callee.child_by_field_name("operand")  # `started.CompareAndSwap(false, true)`
    return variable is not None and variable.type == "identifier" and model.resolve(variable).kind == "package"
