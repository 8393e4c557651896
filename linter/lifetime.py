"""The module model: every package's functions joined into one call graph, and a lifetime for each
function, propagated from its roots.

A leak is a leak only if the code repeats. Each function takes the lifetime of the most repeated
root that reaches it:

    per-request > loop > api > unknown > once > test

- per-request: a handler (by its parameters), a method of a type registered as a gRPC service, a
  task queue's handler (`ProcessTask(ctx, *asynq.Task)`), a websocket server's connection handler
  (`websocket.New(func(c *websocket.Conn) {…})`), and everything they call;
- loop: called inside an unbounded loop (`for {}`, `for cond {}`, a range over a channel) of code
  that is otherwise once per process or of unknown lifetime: what it does repeats without bound;
- api: an exported function or method of a library package (a module with no `main` package,
  outside `internal/`): called an unknown number of times by code we cannot see;
- unknown: nothing in the module is seen calling it (an interface call, a function value we do
  not follow): rules treat it like an API;
- once: reachable only from `main`, `init`, command-line commands, `sync.Once`, `sync.OnceFunc`
  and nil-guarded singletons;
- test: `_test.go` files, files importing "testing", functions taking `*testing.T`, test-support
  and example packages, and what only they call.

Built in the parent from the packages' summaries (linter/callgraph.py), after the workers ran the
rules: a finding's level is decided here, so a change in one package that changes a lifetime in
another needs no cache entry of the other to be invalidated.
"""

from __future__ import annotations

import bisect
import gc
import os
import posixpath
import re
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from .addresses import is_loopback
from .serving import local_only
from .callgraph import (BENCHMARK, DEAD, DEAD_CODE, DEAD_COPY, DEAD_DECLARED_METHOD, DEAD_EXPORTED, DEAD_TAKEN, DEAD_UNBUILT, DEAD_UNMADE, DEAD_UNROUTED, HANDLER_BY_PARAMETERS, LITERAL_SUFFIX, ONCE, REQUEST, TEST,
                        element_type,
                        PackageSummary)
from .clients import maker_key
from .ignores import ignored_slots
from .model import is_channel_type, model_name
from .patterns import LazyPattern
from .routes import AUTHENTICATED, BODY_LIMIT, DEVELOPER_SWITCH, MOUNTED, authenticated
from .rule import OPT_IN_DEVELOPER, Finding, Severity, lowered
from .structs import signatures_conflict
from .switches import names_developer_switch

LOOP = "loop"
API = "api"
UNKNOWN = "unknown"

ORDER = {TEST: 0, ONCE: 1, UNKNOWN: 2, API: 3, LOOP: 4, REQUEST: 5}
DESCRIBE = {
    REQUEST: "per request",
    LOOP: "in an unbounded loop",
    API: "per call of a library API",
    UNKNOWN: "unknown (no caller seen in the module)",
    ONCE: "once per process",
    TEST: "test-only",
}

# The root reason of a literal made only in a function that only tests call (_made_only_in_tests).
MADE_IN_TESTS = "made only in a function that only test code calls"

# The root reason of an implementation of a library's public interface that only the module's own
# once-per-process code is seen calling (ModuleModel.public_dispatch).
PUBLIC_INTERFACE = ("called only through its package's public interface, which other modules may call as often as "
                    "they like")

# Directories whose packages exist for tests or as examples: their code never runs in production.
_TEST_SUPPORT = LazyPattern(r"(?:tests?|testutils?|testhelpers?|testing|testfiles|testenv|testserver|e2e|conformance|mocks?|fakes?|"
                           r"\w+test|\w+_tests?|\w+testing|integration|test[a-z0-9]+|"
                           r"tests?[-_][\w-]+|[\w-]+-tests?|[\w-]+?[-_]tests?[-_][\w-]+|testers?|\w+mocks?|(?:mock|fake)[-_]?(?:server|srv|api|backend|client)s?)", re.I)
# English words that end in "test" and name ordinary packages.
_NOT_TEST_SUPPORT = frozenset({"latest", "contest", "attest", "protest", "greatest", "fastest", "smallest", "biggest",
                               "shortest", "largest", "highest", "lowest", "oldest", "newest", "earliest", "nearest",
                               "testament", "testimony", "testimonials"})
# An example's directory, also as a word of a longer name: `examples/`, `cmd/app-demo-p2p/`, `demo_server/`.
_EXAMPLE_WORD = r"(?:examples?|demos?|samples?|tutorials?)"
_EXAMPLES = LazyPattern(rf"(?:_?{_EXAMPLE_WORD}|dummy|\w*playground|(?:[\w.-]+[-_])?{_EXAMPLE_WORD}(?:[-_][\w.-]*)?)", re.I)
# A simulator of the system or of its peers, also as a word of a longer name (`simulation/`,
# `tools/pd-simulator/`, `simulators/`): code that exercises the real system, never deployed as it.
_SIMULATORS = LazyPattern(r"(?:[\w.-]+[-_])?simulat(?:ors?|ions?)(?:[-_][\w.-]*)?", re.I)
# Top-level directories of programs developers run and nobody deploys: build and release tooling,
# scripts, benchmarks and load generators, contributed example programs, documentation sites (`hack/verify`, `tools/gen`,
# `perf/`, `contrib/lock`, `docs/main.go`).
# A top-level directory every package of which is the developers' tooling, never shipped: `hack/`
# (Kubernetes' convention: scripts, code generators, deployers for CI) and `scripts/`. Of the
# other developer directories above only the programs are taken, since a library under `tools/`
# or `build/` may ship.
_DEVELOPER_TREE = LazyPattern(r"hack|scripts?", re.I)
# A program that stands in for a peer of the system in tests: a `main` package in a directory named
# fake…, mock… or stub (`qa/fakeidp`, `mockoidc`, `stub-server`), also after a `go` prefix or as a
# word of a longer name (`gofakes3`, `cloud-fake-server`). A library package of such a name may be a
# feature (a fake-TCP transport), so only programs are taken.
_STAND_IN_PROGRAM = LazyPattern(r"(?:go-?)?(?:fake|mock)[\w.-]*|[\w.]+[-_](?:fake|mock)(?:[-_][\w.-]*)?|"
                                r"stubs?(?:[-_][\w.-]+)?", re.I)
_DEVELOPER_PROGRAMS = LazyPattern(r"(?:hack|scripts?|tools?|build|devtools?|bench(?:marks?)?|perf|loadtests?|stress|"
                                 r"contrib|docs?|website)", re.I)
# A program in a directory named for benchmarks or load tests at any depth (`rpc/bench/server`,
# `store/benchmarks`, `load-test`): it measures the code beside it and is never deployed. Not a word
# that merely starts so (`benchd`).
_BENCHMARK_PROGRAM = LazyPattern(r"(?:bench(?:marks?|marking)?|bench(?:marks?)?[-_][\w.-]+|load[-_]?tests?|"
                                 r"stress[-_]?tests?)", re.I)
# A program that reproduces a reported bug, at any depth (`internal/cmd/issue-1234`, `repro`,
# `reproducer`): shown to the developers, never deployed. Not `issuer` or `reproducible`.
_REPRODUCTION_PROGRAM = LazyPattern(r"(?:issue|bug)[-_]?\d+|repro(?:duce|ducer|duction)?(?:[-_][\w.-]+)?", re.I)
# A program named for a development server (`cmd/dev_server`, `devserver`, `dev-server`): the
# project's own stand-in for local work, with in-memory stores and test secrets, never deployed.
# The last element only, and the whole name (not `devservice` or `developer-server`).
_DEV_SERVER_PROGRAM = LazyPattern(r"dev[-_]?(?:server|srv)s?", re.I)


ROUTED_HANDLER = "a route's handler, registered with a path"


@dataclass(slots=True)  # 93k of them on the benchmark corpus: made faster, half the memory
class Node:
    package: int  # index into ModuleModel.packages
    name: str
    relpath: str
    line: int
    end_line: int
    kind: str
    exported: bool
    root: str | None
    reason: str
    forced: bool
    lifetime: str | None = None
    via: tuple[int, str, int] | None = None  # (caller node, relpath, line) that gave the lifetime

    @property
    def dead(self) -> bool:
        """Dead code (every dead-code reason starts with callgraph.DEAD): it never runs."""
        return self.forced and self.root == TEST and (self.reason or "").startswith(DEAD)


@dataclass
class Package:
    summary: PackageSummary
    import_path: str
    library: bool  # its module has no main package
    module_path: str = ""  # its module's path (go.mod), "" when none is known
    taken: bool = False  # its module is a library the tree's programs take unpublished (local_libraries)
    copied: bool = False  # its module is a copy of another project's library that nothing builds (copied_modules)


@dataclass
class ModuleModel:
    packages: list[Package] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    by_name: dict[tuple[str, str], int] = field(default_factory=dict)  # (directory, function name) -> node
    edges: list[list[tuple[int, bool, str, int]]] = field(default_factory=list)  # caller -> (callee, in loop, relpath, line)
    unresolved: int = 0
    test_files: set[str] = field(default_factory=set)  # files that are test-only code as a whole
    route_auth: dict[int, list[int]] = field(default_factory=dict)  # handler -> flags per route (linter/routes.py)
    # (caller, callee) pairs whose every call the caller makes after checking who the client is
    # (PackageSummary.checked, resolved): called_behind_auth
    checked: set[tuple[int, int]] = field(default_factory=set)
    # (caller, callee) -> the memo table every call of the one to the other is made behind
    # (PackageSummary.memo, resolved): the callee runs once per key, not as often as its caller
    memo: dict[tuple[int, int], str] = field(default_factory=dict)
    # path a route registration spells -> whether every handler registered on it writes no response
    # body (PackageSummary.route_paths, .silent): a request to it gets an empty response
    route_paths: dict[str, bool] = field(default_factory=dict)
    # package directory -> where its module limits request bodies in a wrapper ("relpath:line")
    body_limited: dict[str, str] = field(default_factory=dict)
    # package directory -> the first server of its module ("relpath:line"), for modules whose every
    # server started in deployed code listens only on loopback or a unix socket (linter/serving.py)
    local_serving: dict[str, str] = field(default_factory=dict)
    # package directory -> its middlewares that read every body and put back a copy, "relpath:first:last"
    # each (linter/routes.py body_buffers)
    body_buffered: dict[str, list[str]] = field(default_factory=dict)
    # option field -> its loopback default ("localhost:2381 (dir)"), for fields whose every
    # address-like default (a flag bound to it, a struct tag) in the run is loopback
    loopback_options: dict[str, str] = field(default_factory=dict)
    # "import/path.Name" of functions that only make http.Clients with a total Timeout (linter/clients.py)
    timeout_clients: set[str] = field(default_factory=set)
    # "import/path.Name" of channel variables a loop of their package receives from (PackageSummary.drained)
    drained: set[str] = field(default_factory=set)
    # package directory -> "relpath:first:last" of its blocks that run once per process (PackageSummary.once_blocks)
    once_blocks: dict[str, list[str]] = field(default_factory=dict)
    # (directory, function) -> parameter index -> what every call of it in the module's non-test
    # code passes there (PackageSummary.passed_args): LOOPBACK_PARAMETER (a loopback address or a
    # same-host listener), REQUEST_PARAMETER (the incoming request's context)
    parameters: dict[tuple[str, str], dict[int, list[str]]] = field(default_factory=dict)
    # import paths named by Go files the run does not read, in `_` directories (underscore_imports)
    hidden_imports: set[str] = field(default_factory=set)
    # (caller, callee) -> the interface of the module a call between them goes through, where the
    # callee is one of its implementations (_Resolver.implementations): what `explain` says
    through: dict[tuple[int, int], str] = field(default_factory=dict)
    # Those calls through a public interface (exported, of a package other modules may import) into
    # a type of the interface's own package: a library's implementation of its own API, which other
    # modules call too, so the module's own once-per-process calls do not make it run once
    public_dispatch: set[tuple[int, int]] = field(default_factory=set)
    # (constructor, method) -> the type: a method that runs once per value of its receiver's type
    # takes its lifetime from the type's constructors (_once_per_value), what `explain` says
    per_value: dict[tuple[int, int], str] = field(default_factory=dict)
    # node -> the named switch that every call into it in the module's non-test code is made under,
    # directly or through callers that are themselves switched (_switched, PackageSummary.switched):
    # `condition@relpath:line` of the first such call
    switched: dict[int, str] = field(default_factory=dict)
    # (directory, `function#slot`) of each pooled request context or `context.Context` parameter, or
    # one a goroutine's literal captures, that nothing in the module reads (linter/ignores.py)
    ignored: set[tuple[str, str]] = field(default_factory=set)
    _by_package: dict[int, list[Node]] | None = None
    _literals: dict[int, dict[str, list[Node]]] | None = None

    def nodes_of(self, package: int) -> list[Node]:
        if self._by_package is None:
            self._by_package = {}
            for node in self.nodes:
                self._by_package.setdefault(node.package, []).append(node)
        return self._by_package.get(package, [])

    def literals_of(self, package: int) -> dict[str, list[Node]]:
        """The function literals of a package, by the declared function they are written in."""
        if self._literals is None:
            self._literals = {}
        found = self._literals.get(package)
        if found is None:
            found = self._literals[package] = {}
            for node in self.nodes_of(package):
                if ".func" in node.name:
                    base = LITERAL_SUFFIX.sub("", node.name)
                    if base != node.name:
                        found.setdefault(base, []).append(node)
        return found

    def node_at(self, relpath: str, line: int) -> Node | None:
        """The innermost function of `relpath` whose lines hold `line`."""
        best = None
        for node in self.nodes:
            if node.relpath == relpath and node.line <= line <= node.end_line:
                if best is None or node.line >= best.line:
                    best = node
        return best

    def chain(self, node: Node) -> list[tuple[Node, str, int] | tuple[Node, None, None]]:
        """From the root that gave `node` its lifetime down to `node`: (function, call site)."""
        steps: list = []
        seen: set[int] = set()
        current: Node | None = node
        while current is not None:
            key = id(current)
            if key in seen:
                break
            seen.add(key)
            if current.via is None:
                steps.append((current, None, None))
                break
            caller, relpath, line = current.via
            steps.append((current, relpath, line))
            current = self.nodes[caller]
        steps.reverse()
        return steps


# Directory -> (module root, module path) or None, while a run remembers them (`one_run`).
_REMEMBERED: dict[Path, tuple[Path, str] | None] | None = None


@contextmanager
def one_run():
    """Within it, each directory's go.mod is looked up once: a run asks for the linted packages'
    modules, for those of the packages read as context, and for the model's import paths."""
    global _REMEMBERED
    previous = _REMEMBERED
    _REMEMBERED = {} if previous is None else previous
    try:
        yield
    finally:
        _REMEMBERED = previous
        if previous is None:
            _INFERRED.clear()


def remember_go_mods(found_by_discovery: list[tuple[Path, Path | None]]) -> None:
    """Within `one_run`, (package directory, nearest go.mod or None) pairs that discovery found:
    module_paths then need not look for them again, one stat per package directory."""
    if _REMEMBERED is None:
        return
    paths: dict[Path, str] = {}
    for directory, go_mod in found_by_discovery:
        if directory in _REMEMBERED:
            continue
        if go_mod is None:
            _REMEMBERED[directory] = None
            continue
        path = paths.get(go_mod)
        if path is None:
            path = paths[go_mod] = _module_path(go_mod)
        _REMEMBERED[directory] = (go_mod.parent, path)


def module_paths(directories: list[Path]) -> dict[Path, tuple[Path, str]]:
    """For each package directory, its module root and module path, from the nearest go.mod."""
    found: dict[Path, tuple[Path, str] | None] = _REMEMBERED if _REMEMBERED is not None else {}

    def lookup(directory: Path) -> tuple[Path, str] | None:
        chain = []
        current = directory
        result = None
        while True:
            if current in found:
                result = found[current]
                break
            chain.append(current)
            # os.path on the string: pathlib's `/` and `is_file` cost more than the stat, and
            # every package directory of a run comes here.
            go_mod = os.path.join(current, "go.mod")
            if os.path.isfile(go_mod):
                result = (current, _module_path(Path(go_mod)))
                break
            parent = current.parent
            if parent == current:
                break
            current = parent
        for item in chain:
            found[item] = result
        return result

    answer = {}
    orphans = []
    for directory in directories:
        info = lookup(directory)
        if info is not None:
            answer[directory] = info
        else:
            orphans.append(directory)
    if orphans:
        root = Path(os.path.commonpath([str(d) for d in orphans]))
        inferred = _INFERRED if _REMEMBERED is not None else {}
        key = (root, "inferred")
        if key not in inferred:
            inferred[key] = infer_module_path(root, orphans)
        path = inferred[key]
        if path:
            for directory in orphans:
                answer[directory] = (root, path)
    return answer


# (tree root, "inferred") -> the module path inferred for a tree with no go.mod ("" when none), while
# a run remembers it (`one_run`): a run asks several times, for the same packages.
_INFERRED: dict[tuple[Path, str], str] = {}


def infer_module_path(root: Path, directories: list[Path]) -> str:
    """The module path of a tree with no go.mod (GOPATH-era code, a sub-tree of a repository whose
    go.mod is outside it), from its own imports: an import path whose tail names a directory of the
    tree (`github.com/o/app/system/db` for `system/db`) is a package of it, and its head is the
    tree's path. The head that names the most directories wins, if it names two or more, or ends
    with the tree's own name (`…/app` for a tree in `app/`): a dependency's package whose tail
    happens to name one directory is no evidence. A few files per directory are read, import
    blocks only."""
    relative = {}
    for directory in directories:
        rel = relative_directory(directory, root)
        if rel != ".":
            relative[rel] = directory
    if not relative:
        return ""
    heads: dict[str, set[str]] = {}
    for directory in directories[:400]:
        try:
            names = sorted(n for n in os.listdir(directory) if n.endswith(".go") and not n.endswith("_test.go"))
        except OSError:
            continue
        for name in names[:3]:
            try:
                with open(os.path.join(directory, name), "rb") as handle:
                    data = handle.read(8192)
            except OSError:
                continue
            for block in _IMPORT_BLOCK.finditer(data):
                for quoted in _QUOTED.finditer(block.group(1) or block.group(2) or b""):
                    path = quoted.group(1).decode("utf-8", "replace")
                    elements = path.split("/")
                    for cut in range(1, len(elements)):
                        tail = "/".join(elements[cut:])
                        if tail in relative:
                            heads.setdefault("/".join(elements[:cut]), set()).add(tail)
                            break
    if not heads:
        return ""
    best = max(sorted(heads), key=lambda head: len(heads[head]))
    if "/" not in best or "." not in best.split("/", 1)[0]:
        return ""  # a host and a path at least (`github.com/o/app`, `go.example.org/app`)
    named = best.rsplit("/", 1)[-1].lower() == root.name.lower()
    return best if len(heads[best]) >= 2 or named else ""


_MODULE = LazyPattern(rb"^\s*module\s+\"?([^\s\"]+)", re.M)
# A `replace` of a module by a directory (`replace example.com/shared => ../shared`, alone or in
# a block), and a requirement at a zero version: what `go mod tidy` writes for a module that was
# never published (`v0.0.0-00010101000000-000000000000`, `v2.0.0-00010101000000-000000000000`,
# `v0.0.0`).
_LOCAL_REPLACE = LazyPattern(rb"(?m)^[ \t]*(?:replace[ \t]+)?(\S+)(?:[ \t]+v\S+)?[ \t]*=>[ \t]*(\.\.?(?:/\S*)?)[ \t]*(?://.*)?$")
_ZERO_REQUIRE = LazyPattern(rb"(?m)^[ \t]*(?:require[ \t]+)?(\S+)[ \t]+(?:v0\.0\.0|v\d+\.0\.0-00010101000000-000000000000)"
                            rb"[ \t]*(?://.*)?$")


# The key of local_libraries' result under which it lists every module of the tree that some go.mod
# replaces by its directory, at any version: built from the tree (no module root is spelt so).
ANY_VERSION = "*"


def local_libraries(module_roots: Iterable[Path], root: Path) -> dict[str, tuple[str, ...]]:
    """Module root -> the roots of the modules of the tree its go.mod requires at a zero version
    and replaces by a directory (relative to `root`, only those that have a go.mod): modules
    the tree's own modules share that were never published. Under ANY_VERSION, the roots of
    every module of the tree that a go.mod replaces by its directory, whatever the version."""
    found: dict[str, tuple[str, ...]] = {}
    anywhere: set[str] = set()
    for module_root in sorted(set(module_roots)):
        try:
            data = (module_root / "go.mod").read_bytes()
        except OSError:
            continue
        zero = {match.group(1) for match in _ZERO_REQUIRE.finditer(data)}
        targets = set()
        for match in _LOCAL_REPLACE.finditer(data):
            target = Path(os.path.normpath(module_root / match.group(2).decode("utf-8", "replace")))
            if not os.path.isfile(target / "go.mod"):
                continue
            anywhere.add(relative_directory(target, root))
            if match.group(1) in zero:
                targets.add(relative_directory(target, root))
        if targets:
            found[relative_directory(module_root, root)] = tuple(sorted(targets))
    if anywhere:
        found[ANY_VERSION] = tuple(sorted(anywhere))
    return found


# Where one project's code is published: a forge's host and its owner (`github.com/micro`), or a
# domain of its own (`go.uber.org`).
_FORGES = frozenset({"github.com", "gitlab.com", "bitbucket.org", "gitee.com", "codeberg.org", "git.sr.ht"})


def module_owner(module_path: str) -> str | None:
    """`github.com/micro` of `github.com/micro/plugins/v5/registry/etcd`, `go.uber.org` of
    `go.uber.org/zap`; None for a path with no host (`module app`)."""
    elements = module_path.split("/")
    if "." not in elements[0]:
        return None
    return "/".join(elements[:2]) if elements[0] in _FORGES and len(elements) > 1 else elements[0]


def copied_modules(module_paths: dict[str, str], has_main: dict[str, bool], deployed: set[str],
                   replaced: dict[str, tuple[str, ...]]) -> set[str]:
    """Module roots of the tree's copies of other projects' libraries that nothing builds: a module
    nested below the tree's top, with no main package, whose path is another owner's
    (`github.com/micro/plugins/…` beside programs of `github.com/acme/…`, or of bare paths such as
    `module apigate`), and that no go.mod of the tree replaces by its directory. A program that
    requires such a module builds the published one from the module cache, never the copy. Only
    with a deployed program in the tree, whose owner it is not; the module at the tree's top is the
    repository's own, whatever its path (a framework published as `go-micro.dev/v5` whose tools
    are `github.com/micro/…`), and so is any module of its owner."""
    deployed = {root for root in deployed if root}  # a program outside any module (GOPATH) says nothing
    if not deployed:
        return set()
    owners = {module_owner(module_paths.get(root, "")) for root in (*deployed, ".")} - {None}
    taken = set(replaced.get(ANY_VERSION, ()))
    found = set()
    for root, path in module_paths.items():
        owner = module_owner(path)
        if root not in ("", ".") and root not in taken and not has_main.get(root, False) and owner is not None \
                and owner not in owners:
            found.add(root)
    return found


def _module_path(go_mod: Path) -> str:
    try:
        match = _MODULE.search(go_mod.read_bytes())
    except OSError:
        return ""
    return match.group(1).decode("utf-8", "replace") if match else ""


def build_model(summaries: list[PackageSummary], import_paths: dict[str, str], modules: dict[str, str],
                replaced: dict[str, tuple[str, ...]] | None = None) -> ModuleModel:
    """`import_paths`: package directory -> import path; `modules`: package directory -> module root
    (both relative to the report root); `replaced`: module root -> the roots of the modules of the
    tree it requires unpublished (local_libraries)."""
    # The model makes a few hundred thousand small objects and no garbage: left on, the cyclic
    # collector walked every summary and node again and again while they were made.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _build_model(summaries, import_paths, modules, replaced or {})
    finally:
        if enabled:
            gc.enable()


def _build_model(summaries: list[PackageSummary], import_paths: dict[str, str], modules: dict[str, str],
                 replaced: dict[str, tuple[str, ...]]) -> ModuleModel:
    model = ModuleModel()
    has_main: dict[str, bool] = {}
    for summary in summaries:
        module = modules.get(summary.directory, "")
        has_main[module] = has_main.get(module, False) or summary.name == "main"
    # A module with no main package that a deployed program's module of the tree requires unpublished and
    # takes from the tree (`replace …/shared => ../shared` at the zero version): the programs'
    # own library, not an API for other modules. Its functions run as often as the programs call
    # them, and an exported one none of them names is dead.
    # Only a module with a program that is deployed counts: examples and developer tools take a
    # published library from the tree too, to run against the code beside them.
    deployed: set[str] = {modules.get(summary.directory, "") for summary in summaries
                          if summary.name == "main" and not_deployed(summary) is None}
    programs_own = {target for module, targets in replaced.items() if module in deployed
                    for target in targets if target in has_main and not has_main[target]}
    for target in programs_own:
        has_main[target] = True
    paths_of_modules: dict[str, str] = {}
    for summary in summaries:
        module_root = modules.get(summary.directory, "")
        if module_root and module_root not in paths_of_modules:
            found_path = _package_module_path(import_paths.get(summary.directory, ""), summary.directory, module_root)
            if found_path:
                paths_of_modules[module_root] = found_path
    copies = copied_modules(paths_of_modules, has_main, deployed, replaced)
    by_import: dict[str, int] = {}
    twice: set[str] = set()  # import paths two packages of the run have
    by_root: dict[tuple[str, str], int] = {}  # (module root, import path) -> package: which copy a module means
    roots: list[str] = []  # package -> its module root
    limits: dict[str, str] = {}  # module -> its first body-limiting wrapper
    for summary in summaries:
        if summary.body_limits and not_deployed(summary) is None:
            module = modules.get(summary.directory, "")
            limits[module] = min(limits.get(module, summary.body_limits[0]), summary.body_limits[0])
    for summary in summaries:
        where = limits.get(modules.get(summary.directory, ""))
        if where is not None:
            model.body_limited[summary.directory] = where
    servers: dict[str, list[str]] = {}  # module -> every server its deployed code starts
    makers: dict[str, set[str]] = {}  # function -> the first results its declarations in the run give
    for summary in summaries:
        for name, result in summary.results.items():
            if "." not in name:
                makers.setdefault(name, set()).add(result)
    for summary in summaries:
        if summary.servers and not_deployed(summary) is None:
            servers.setdefault(modules.get(summary.directory, ""), []).extend(
                site for site in map(_served_engine(summary, makers), summary.servers) if site is not None)
    local = {module: min(sites, key=_site_order) for module, sites in servers.items() if local_only(sites)}
    for summary in summaries:
        where = local.get(modules.get(summary.directory, ""))
        if where is not None:
            model.local_serving[summary.directory] = where.rsplit(":", 1)[0]
    for summary in summaries:
        if summary.body_buffers and not_deployed(summary) is None:
            # Mounted for every route (`r.Use(logBodies())`) by its own package, whose handlers it
            # then covers: those another package registers may sit on another server.
            mounted = set(summary.mounted)
            spans = [span.rsplit(":", 1)[0] for span in summary.body_buffers if span.rsplit(":", 1)[1] in mounted]
            if spans:
                model.body_buffered[summary.directory] = sorted(spans, key=_span_order)
    # Mounted for every route by the package that sets up the router, another than its own
    # (`g.Use(ginmiddleware.RequestLog(logger))` in a server package that imports the middleware's):
    # it covers that package's handlers and those of the packages it imports, whose routes it
    # registers, directly or through a router package of the module.
    buffering: dict[str, list[tuple[str, str]]] = {}  # middleware name -> [(its package's import path, span)]
    for summary in summaries:
        if summary.body_buffers and not_deployed(summary) is None and import_paths.get(summary.directory):
            for span in summary.body_buffers:
                where, name = span.rsplit(":", 1)
                buffering.setdefault(name, []).append((import_paths[summary.directory], where))
    if buffering:
        directory_of = {path: directory for directory, path in import_paths.items()}
        imports_of = {summary.directory: summary.imports for summary in summaries if not summary.name.endswith("_test")}
        for summary in summaries:
            if not summary.mounted or not_deployed(summary) is not None:
                continue
            # `path#Name` names the package (routes.mounted_middlewares); a bare name is the
            # package's own or a dot import's.
            spans = sorted({where for mounted in summary.mounted
                            for path, where in buffering.get(mounted.rpartition("#")[2], ())
                            if path == mounted.rpartition("#")[0] or ("#" not in mounted and path in summary.imports)})
            if not spans:
                continue
            reached, work = {summary.directory}, [summary.directory]
            while work:
                for path in imports_of.get(work.pop(), ()):
                    directory = directory_of.get(path)
                    if directory is not None and directory not in reached:
                        reached.add(directory)
                        work.append(directory)
            for directory in sorted(reached):
                model.body_buffered[directory] = sorted(set(model.body_buffered.get(directory, [])) | set(spans), key=_span_order)
    _buffers_behind_buffers(model, summaries, import_paths)
    model.loopback_options = loopback_options(summaries)
    for summary in sorted(summaries, key=lambda s: (s.directory, s.name)):
        model.test_files.update(summary.test_files)
        index = len(model.packages)
        path = import_paths.get(summary.directory, "")
        module_root = modules.get(summary.directory, "")
        model.packages.append(Package(summary, path, not has_main.get(module_root, False),
                                      _package_module_path(path, summary.directory, module_root),
                                      module_root in programs_own, module_root in copies))
        roots.append(module_root)
        if path and not summary.name.endswith("_test"):
            if path in by_import:
                twice.add(path)  # two modules of one path (a copy): which one a file means is not known
            by_import.setdefault(path, index)
            by_root.setdefault((module_root, path), index)
            model.timeout_clients.update(maker_key(path, name) for name in summary.timeout_clients)
            model.drained.update(maker_key(path, name) for name in summary.drained)
        if summary.once_blocks:
            model.once_blocks.setdefault(summary.directory, []).extend(summary.once_blocks)
        for name, record in sorted(summary.functions.items()):
            relpath, line, end_line, kind, _receiver, exported, root, reason, forced = record
            key = (summary.directory, name)
            if key in model.by_name:
                existing = model.nodes[model.by_name[key]]
                if not existing.relpath.endswith("_test.go"):
                    continue  # `foo` and `foo_test` in one directory: the non-test one names it
            model.by_name[key] = len(model.nodes)
            model.nodes.append(Node(index, name, relpath, line, end_line, kind, bool(exported), root, reason, bool(forced)))
    model.edges = [[] for _ in model.nodes]
    local_index = {(n.package, n.name): i for i, n in enumerate(model.nodes)}
    resolver = _Resolver(model, by_import, local_index, twice, by_root, roots)
    local = local_index.get
    edges = model.edges
    passes: dict[int, dict[int, list[int]]] = {}  # callee -> caller -> loopback argument indices
    pending_routes: list[tuple[int, int, int | None, int]] = []  # (handler, flags, registering function, its router parameter)
    passthrough: dict[str, frozenset[str]] | None = None  # import path -> its auth-named middleware that stop no one
    per_value = _per_value_nodes(model, local_index)  # node -> (package, type): _once_per_value
    into_per_value: set[int] = set()  # callers of those nodes
    pairs: dict[tuple[int, int], str | None] = {}  # (caller, callee) -> its switch, None if some call has none
    unbuilt: dict[int, str] = {}  # package -> a name of the module it calls that its package does not declare
    for pindex, package in enumerate(model.packages):
        summary = package.summary
        _package_roots(model, pindex, package)
        switched = summary.switched
        checked = set(summary.checked)
        memo = summary.memo
        for position, (caller, ref, relpath, line, in_loop) in enumerate(summary.calls):
            # Most references name a function of the package or of an import: looked up here,
            # as _Resolver.resolve would (70k of them on the benchmark corpus).
            kind = ref[0]
            if kind == "L":
                callee = local((pindex, ref[1]))
            elif kind == "I":
                qindex = resolver.package_for(pindex, ref[1])
                callee = local((qindex, ref[2])) if qindex is not None else None
            else:
                callee = resolver.resolve(pindex, ref)
            if callee is not None:  # the common case, kept short
                if caller[0] == "<":
                    _pseudo_caller(model, caller, callee)
                    continue
                source = local((pindex, caller))
                if source is not None:
                    edges[source].append((callee, bool(in_loop), relpath, line))
                    if callee in per_value:
                        into_per_value.add(source)
                    if switched:  # only a package with switched calls says which are not
                        switch = switched.get(str(position))
                        pairs[source, callee] = switch if pairs.get((source, callee), switch) is not None else None
                    if checked and position in checked:
                        model.checked.add((source, callee))
                    if memo and str(position) in memo:
                        model.memo[source, callee] = memo[str(position)]
                continue
            callees = resolver.implementations(pindex, ref) if kind in _METHOD_REFS else \
                resolver.table_functions(pindex, ref) if kind == "T" else []
            promoted = ""
            if not callees and kind in _METHOD_REFS:
                promoted, callees = resolver.promoted_implementations(pindex, ref)
            if not callees:
                if kind != "I" or ref[1] in by_import:
                    model.unresolved += 1
                if kind == "I" and pindex not in unbuilt and ref[1] in by_import and ref[1] not in twice \
                        and ref[1] not in summary.shadowed and summary.name != "main":
                    declared = model.packages[by_import[ref[1]]].summary.declared
                    if declared is not None and ref[2] not in declared and ref[2][:1].isupper():
                        unbuilt[pindex] = f"{ref[1]}.{ref[2]}, called at {relpath}:{line}"
                continue
            if caller[0] == "<":
                for target in callees:
                    _pseudo_caller(model, caller, target)
                continue
            source = local((pindex, caller))
            if source is None:
                continue
            for target in callees:
                edges[source].append((target, bool(in_loop), relpath, line))
                if target in per_value:
                    into_per_value.add(source)
                if checked and position in checked:
                    model.checked.add((source, target))
                if memo and str(position) in memo:
                    model.memo[source, target] = memo[str(position)]
            if promoted:  # through an interface the receiver's struct embeds
                for target in callees:
                    model.through[source, target] = promoted
                continue
            if kind == "T":
                continue
            interface, public = resolver.interface_name(pindex, ref)  # the call goes through it
            for target in callees:
                model.through[source, target] = interface
                if public and model.nodes[target].package == resolver.interface_package(pindex, ref):
                    model.public_dispatch.add((source, target))
        for caller, ref, kinds in summary.passed_args:
            source, callee = local((pindex, caller)), resolver.resolve(pindex, ref)
            if source is None:
                continue
            # Through an interface, what the call passes reaches each implementation it reaches.
            targets = [callee] if callee is not None else \
                resolver.implementations(pindex, ref) if ref[0] in _METHOD_REFS else []
            for target in targets:
                passes.setdefault(target, {})[source] = {int(position): kind for position, kind in kinds}
        silent = {local((pindex, name)) for name in summary.silent}
        for path, ref in summary.route_paths:
            callee = resolver.resolve(pindex, ref)
            model.route_paths[path] = model.route_paths.get(path, True) and callee is not None and callee in silent
        guards = {index: names for index, names in summary.route_guards}
        if guards and passthrough is None:
            passthrough = {import_paths.get(other.directory, ""): frozenset(other.passthrough)
                           for other in summaries if other.passthrough}
        for index, (ref, behind, *on) in enumerate(summary.routes):
            callee = resolver.resolve(pindex, ref)
            if callee is not None and index in guards and behind & AUTHENTICATED and \
                    all(_passes_through(summary, name, passthrough) for name in guards[index]):
                behind &= ~AUTHENTICATED  # `r.With(middleware.AuthSet)`: a middleware that stops no one
            if callee is not None:
                if on:  # registered on a router parameter of `on[0]`: its callers decide (below)
                    pending_routes.append((callee, int(behind), local((pindex, on[0])), int(on[1])))
                else:
                    model.route_auth.setdefault(callee, []).append(int(behind))
        for ref, relpath, line in summary.routed:
            # `cht.Post("/messages", chat.PostMessage)`: per request, even where the handler's
            # parameters are of a framework the model does not know
            callee = resolver.resolve(pindex, ref)
            node = model.nodes[callee] if callee is not None else None
            if node is not None and node.root is None and not node.forced:
                node.root, node.reason = REQUEST, f"{ROUTED_HANDLER} at {relpath}:{line}"
        for type_text in summary.services:
            found = resolver.type_of(pindex, type_text)
            if found is None:
                continue
            qindex, type_name = found
            for node in model.nodes_of(qindex):
                if node.kind == "method" and node.name.startswith(type_name + ".") and node.exported \
                        and not _lifecycle_method(node, model.packages[qindex].summary):
                    _set_root(node, REQUEST, "a method of a gRPC service (registered with Register…Server)")
        for type_text in summary.commands:
            found = resolver.type_of(pindex, type_text)
            if found is not None:
                node_index = local_index.get((found[0], f"{found[1]}.Run"))
                if node_index is not None:
                    _set_root(model.nodes[node_index], ONCE, "a command-line command's Run method")
        for type_text in summary.programs:
            found = resolver.type_of(pindex, type_text)
            for method in ("Start", "Stop", "Run", "Execute") if found is not None else ():
                node_index = local_index.get((found[0], f"{found[1]}.{method}"))
                if node_index is not None:
                    _set_root(model.nodes[node_index], ONCE,
                              f"a system service's {method} method, which its service framework calls once")
        for type_text in summary.dispatched:
            if type_text.startswith("@"):  # a package variable of another package of the module
                path, _, name = type_text[1:].rpartition(".")
                typed = resolver.variable_type(pindex, path, name)
                found = resolver.type_of(*typed) if typed is not None else None
            else:
                found = resolver.type_of(pindex, type_text)
            for method in ("Execute", "Run", "Start") if found is not None else ():
                node_index = local_index.get((found[0], f"{found[1]}.{method}"))
                if node_index is not None:
                    _set_root(model.nodes[node_index], ONCE,
                              f"the {method} method of a command main runs once, through a dispatcher of another module")
    if passes:
        _parameter_facts(model, passes)
    model.ignored = ignored_slots(model, resolver, _METHOD_REFS)
    called = {callee for out in edges for callee, *_ in out} if pending_routes else set()
    for handler, flags, registrar, position in pending_routes:
        # A group handed to the registering function: authenticated when every call of it in the
        # module passes a router with authentication in front (AUTH_ROUTER_PARAMETER).
        node = model.nodes[registrar] if registrar is not None else None
        if flags & MOUNTED and not flags & AUTHENTICATED and node is not None and registrar not in called \
                and node.root is None:
            # A middleware mounted on the group of a registering function nothing in the module calls
            # (a generated router file nobody wired in) is mounted nowhere that the module shows:
            # where it is mounted, the mounts that are called say.
            continue
        given = model.parameters.get((model.packages[node.package].summary.directory, node.name), {}) \
            if node is not None else {}
        if AUTH_ROUTER_PARAMETER in given.get(position, ()):
            flags |= AUTHENTICATED
        model.route_auth.setdefault(handler, []).append(flags)
    callers = _package_callers(model)
    _developer_libraries(model, callers)
    _never_built(model)
    _cannot_build(model, unbuilt)
    _dead_code(model, callers)
    _made_only_in_tests(model)
    model.switched = _switched(model, pairs)
    _once_per_value(model, local_index, per_value, into_per_value)
    _propagate(model)
    return model


def _passes_through(summary: PackageSummary, name: str, passthrough: dict[str, frozenset[str]]) -> bool:
    """`path#Name` (or `#Name` of the package of `summary`) is a middleware maker of the module that
    PackageSummary.passthrough lists: named for authentication, it passes every request on."""
    path, _, own = name.rpartition("#")
    if not own:
        return False
    if not path:
        return own in summary.passthrough
    return own in passthrough.get(path, ())


def _buffers_behind_buffers(model: ModuleModel, summaries: list[PackageSummary], import_paths: dict[str, str]) -> None:
    """A body-buffering middleware whose every `Use` comes after another one's on the whole router
    in front of it (`r.Use(logger()); r.Use(decrypt())`, both reading every body whole and putting
    back a copy) reads the copy the first one put back: its spans in ModuleModel.body_buffered take
    `@relpath:line` of the first one, which then holds the read to bound. A middleware is its
    package's import path and its name: two packages' `New` are two middlewares."""
    if not model.body_buffered:
        return
    spans_of: dict[tuple[str, str], list[str]] = {}  # (import path, name) -> "relpath:first:last" of each part
    for summary in summaries:
        if not_deployed(summary) is not None:
            continue
        for span in summary.body_buffers:
            where, name = span.rsplit(":", 1)
            spans_of.setdefault((import_paths.get(summary.directory, summary.directory), name), []).append(where)
    # One middleware: the spans of one file (a middleware and the helper that reads for it).
    spans_of = {key: spans for key, spans in spans_of.items() if len({s.rsplit(":", 2)[0] for s in spans}) == 1}

    def resolve(summary: PackageSummary, mounted: str) -> tuple[str, str] | None:
        if "#" in mounted:
            path, _, name = mounted.rpartition("#")
            return (path, name) if (path, name) in spans_of else None
        own = (import_paths.get(summary.directory, summary.directory), mounted)
        if own in spans_of:
            return own
        dotted = [key for key in spans_of if key[1] == mounted and key[0] in summary.imports]
        return dotted[0] if len(dotted) == 1 else None

    after: dict[tuple[str, str], list[set[tuple[str, str]]]] = {}  # middleware -> what stands in front of each of its mounts
    for summary in summaries:
        if not_deployed(summary) is not None:
            continue
        for record in summary.mounted_after:
            name, _, earlier = record.partition(":")
            key = resolve(summary, name)
            if key is not None:
                fronts = {resolve(summary, e) for e in earlier.split(",") if e}
                after.setdefault(key, []).append({f for f in fronts if f is not None and f != key})
    covered: dict[str, str] = {}
    for key, mounts in after.items():
        fronts = [sorted(mount) for mount in mounts]
        if fronts and all(fronts):
            relpath, first, _ = min(spans_of[fronts[0][0]], key=_span_order).rsplit(":", 2)
            for span in spans_of[key]:
                covered[span] = f"{relpath}:{first}"
    if covered:
        for directory, spans in model.body_buffered.items():
            model.body_buffered[directory] = [f"{span}@{covered[span]}" if span in covered else span for span in spans]


def _span_order(span: str) -> tuple[str, int, int]:
    """"relpath:first:last" in the order of the file, not of the text (line 56 before line 220)."""
    relpath, first, last = span.rsplit(":", 2)
    return relpath, int(first), int(last)


def _per_value_nodes(model: ModuleModel, local_index: dict[tuple[int, str], int]) -> dict[int, tuple[int, str]]:
    """The nodes of PackageSummary.per_value, with the type they run once per value of."""
    found: dict[int, tuple[int, str]] = {}
    for pindex, package in enumerate(model.packages):
        for name, type_name in package.summary.per_value.items():
            index = local_index.get((pindex, name))
            if index is not None:
                found[index] = (pindex, type_name)
    return found


def _once_per_value(model: ModuleModel, local_index: dict[tuple[int, str], int], wanted: dict[int, tuple[int, str]],
                    sources: set[int]) -> None:
    """A method that lets one call per value of its receiver's type past a guard on the receiver's
    own field (PackageSummary.per_value: `if r.started { return }`, then `r.started = true`) runs
    as often as values of that type are made, not as often as it is called: its callers' edges give
    way to edges from the type's constructors, the functions of its package declared to return it
    (`func NewReader(…) *Reader`). A type with no constructor keeps its callers. `wanted`: such
    nodes (_per_value_nodes); `sources`: the nodes with an edge into one."""
    if not wanted:
        return
    types = set(wanted.values())
    constructors: dict[tuple[int, str], list[int]] = {}
    for pindex, package in enumerate(model.packages):
        for name, result in package.summary.results.items():
            key = (pindex, result.lstrip("*").partition("[")[0])
            index = local_index.get((pindex, name)) if key in types else None
            if index is not None and model.nodes[index].kind == "func":
                constructors.setdefault(key, []).append(index)
    targets = {index: constructors[key] for index, key in wanted.items() if constructors.get(key)}
    if not targets:
        return
    for source in sources:
        model.edges[source] = [edge for edge in model.edges[source] if edge[0] not in targets]
    for index, makers in sorted(targets.items()):
        for maker in makers:
            node = model.nodes[maker]
            model.edges[maker].append((index, False, node.relpath, node.line))
            model.per_value[maker, index] = wanted[index][1]


def _switched(model: ModuleModel, pairs: dict[tuple[int, int], str | None]) -> dict[int, str]:
    """The functions that run only when a named switch is on (`if cfg.EnableProfiling {
    profiling.Start() }`, in any package): every call into them in the module's non-test code is
    made under one (`pairs`: PackageSummary.switched, resolved), or comes from a function that is
    itself switched. A root of its own (main, a test) runs without its callers, and so does a
    function called through an interface (its calls are not in `pairs`); neither is switched. A
    handler by its parameters runs only where something registers it: switched when every
    reference to it is (`if cfg.DemoEnable { register("POST", demoUpload) }`)."""
    work = sorted({callee for (_, callee), switch in pairs.items() if switch is not None})
    if not work:
        return {}
    callers: dict[int, set[int]] = {}
    for source, out in enumerate(model.edges):
        for callee, _in_loop, relpath, _line in out:
            if callee != source and not relpath.endswith("_test.go") and relpath not in model.test_files:
                callers.setdefault(callee, set()).add(source)
    found: dict[int, str] = {}
    while work:
        index = work.pop()
        node = model.nodes[index]
        if index in found or (node.root is not None and node.reason != HANDLER_BY_PARAMETERS) or not callers.get(index):
            continue
        why = None
        for source in sorted(callers[index]):
            switch = pairs.get((source, index)) or found.get(source)
            if switch is None:
                break
            why = why or switch
        else:
            found[index] = why
            work.extend(callee for callee, *_ in model.edges[index] if callee not in found)
    return found


def _package_callers(model: ModuleModel) -> dict[int, dict[int, bool]]:
    """package -> {package whose code calls into it: whether only its test code does}, across
    packages (a package calling itself aside). What dead code and developer libraries ask."""
    callers: dict[int, dict[int, bool]] = {}
    for source, out in enumerate(model.edges):
        home = model.nodes[source].package
        for callee, _in_loop, relpath, _line in out:
            target = model.nodes[callee].package
            if target != home:
                test = relpath.endswith("_test.go") or relpath in model.test_files
                seen = callers.setdefault(target, {})
                seen[home] = seen.get(home, True) and test
    return callers


def _developer_libraries(model: ModuleModel, callers: dict[int, dict[int, bool]]) -> None:
    """A library package under a top-level directory of developer programs (`tools/`, `bench/`, …:
    not_deployed) that only such programs, and other packages of theirs, call (tests aside) is part
    of them: test-only, forced. One caller elsewhere, or none at all, and it keeps its lifetime."""
    developer = {pindex for pindex, package in enumerate(model.packages) if not_deployed(package.summary) is not None}
    candidates: dict[int, str] = {}  # package -> its top directory
    for pindex, package in enumerate(model.packages):
        elements = [e for e in package.summary.directory.split("/") if e not in (".", "")]
        if pindex not in developer and package.summary.name != "main" and elements \
                and _DEVELOPER_PROGRAMS.fullmatch(elements[0]):
            candidates[pindex] = elements[0]
    if not candidates:
        return
    deployed_callers = {target: {home for home, test in seen.items() if not test}
                        for target, seen in callers.items() if target in candidates}
    changed = True
    while changed:
        changed = False
        for pindex in sorted(set(candidates) - developer):
            if deployed_callers.get(pindex) and deployed_callers[pindex] <= developer:
                developer.add(pindex)
                changed = True
    for pindex, top in sorted(candidates.items()):
        if pindex in developer:
            for node in model.nodes_of(pindex):
                node.root, node.reason, node.forced = TEST, f"in a library only the developers' programs use ({top}/)", True


def _never_built(model: ModuleModel) -> None:
    """Every function of a copy of another project's library that no module of the tree builds
    (copied_modules) never runs here, whatever it would be in its own project (an API there)."""
    for pindex, package in enumerate(model.packages):
        if package.copied:
            for node in model.nodes_of(pindex):
                node.root, node.reason, node.forced = TEST, DEAD_COPY, True


def _cannot_build(model: ModuleModel, unbuilt: dict[int, str]) -> None:
    """A package that calls a function another package of the module does not declare (a name
    renamed or removed in a half-done change, a helper of a module copy that was never brought
    along) does not compile: nobody runs its code until it is repaired, whatever the repair keeps.
    Not a main package: a program's build may write the file that declares the name (a version
    stamp a Makefile writes), and its `main` is where the program's lifetimes start."""
    for pindex, missing in sorted(unbuilt.items()):
        reason = f"{DEAD_UNBUILT} ({missing})"
        for node in model.nodes_of(pindex):
            node.root, node.reason, node.forced = TEST, reason, True


def _dead_code(model: ModuleModel, callers: dict[int, dict[int, bool]]) -> None:
    """In a package the module uses (a main package, or one whose functions another package
    calls), an unexported function or method that nothing names but its declaration
    (PackageSummary.unnamed) never runs: a test-only root, forced, which passes nothing to what it
    calls. A package nothing uses (a library's own API, a directory of examples of a rule) keeps
    them: who calls what there is not the module's to know. So is an exported function of such a
    package in a module that builds programs (PackageSummary.unnamed_exported) that no package
    importing it names either (PackageSummary.selected); a dot import of the package, or a main
    package without `main` (a plugin), keeps them all."""
    used = {pindex for pindex, package in enumerate(model.packages) if package.summary.name == "main"}
    used.update(callers)
    for pindex in used:
        summary = model.packages[pindex].summary
        for name in summary.unnamed:
            _mark_dead(model, pindex, name, DEAD_CODE)
    # An exported function of a program's module (not a library's, whose exported functions are its
    # API) that neither its package nor any package importing it names: nothing runs it either.
    importers: dict[str, list[int]] = {}
    dotted: set[str] = set()
    for pindex, package in enumerate(model.packages):
        for path in package.summary.imports:
            importers.setdefault(path, []).append(pindex)
        dotted.update(package.summary.dot_imports)
    selected: dict[int, frozenset[str]] = {}
    for pindex in used:
        package = model.packages[pindex]
        summary = package.summary
        if package.library or not summary.unnamed_exported or package.import_path in dotted or \
                (not package.import_path and summary.name != "main") or \
                (summary.name == "main" and "main" not in summary.functions):
            continue  # a main package with no main is a plugin: its host looks its functions up by name
        readers = [i for i in importers.get(package.import_path, ()) if i != pindex] if package.import_path else []
        for name in summary.unnamed_exported:
            own = name.rsplit(".", 1)[-1]  # a method's own name: what an importer writes after a dot
            if not any(_names(model, i, package.import_path, summary.name, own, "." not in name, selected)
                       for i in readers):
                _mark_dead(model, pindex, name, DEAD_TAKEN if package.taken else DEAD_EXPORTED)
    _dead_methods(model, used, dotted)
    _dead_types(model, used, dotted, importers)


def _names(model: ModuleModel, reader: int, path: str, package_name: str, own: str, function: bool,
           selected: dict[int, frozenset[str]]) -> bool:
    """The package `reader` may name `own` of the package at `path`: a function or a type only after
    that package's name (`backend.New`; `errors.New` names another), where every import of it
    without a name of its own is read by the name the package declares; a method, anything after
    a dot."""
    summary = model.packages[reader].summary
    if function:
        qualified = summary.qualified.get(path)
        if qualified is not None and all(alias == package_name for alias in summary.qualified_as.get(path, "").split()):
            return f" {own} " in qualified
    return own in selected.setdefault(reader, frozenset(summary.selected))


def _dead_types(model: ModuleModel, used: set[int], dotted: set[str], importers: dict[str, list[int]]) -> None:
    """The methods of a type of a program's module that only dead code names (PackageSummary.made_in:
    no package-level declaration, string, test or generated file names it, and only functions
    that are dead make it, or none) never run: no value of the type exists to call them on. An
    exported type that a package importing its own names (`&handlers.UserHandler{}`) may be made
    there, so it is kept. Until nothing changes: a dead type's methods may be all that make another."""
    candidates = []
    selected: dict[int, frozenset[str]] = {}
    for pindex in sorted(used):
        package = model.packages[pindex]
        summary = package.summary
        if not summary.made_in or package.library or package.import_path in dotted or \
                (not package.import_path and summary.name != "main") or \
                (summary.name == "main" and "main" not in summary.functions):
            continue
        readers = [i for i in importers.get(package.import_path, ()) if i != pindex] if package.import_path else []
        for type_name, makers in sorted(summary.made_in.items()):
            if type_name[:1].isupper() and any(_names(model, i, package.import_path, summary.name, type_name, True, selected) or
                                               type_name in model.packages[i].summary.generated_selected
                                               for i in readers):
                continue
            methods = [name for name, record in summary.functions.items()
                       if record[3] == "method" and record[4] == type_name]
            candidates.append((pindex, type_name, makers, methods))

    def dead(pindex: int, name: str) -> bool:
        index = model.by_name.get((model.packages[pindex].summary.directory, name))
        return index is not None and model.nodes[index].dead

    changed = True
    while changed and candidates:
        changed = False
        for candidate in list(candidates):
            pindex, type_name, makers, methods = candidate
            if all(dead(pindex, maker) for maker in makers):
                candidates.remove(candidate)
                changed = True
                made = (f"`{type_name}` is made only in {', '.join(f'`{m}`' for m in makers)}, which never "
                        f"{'runs' if len(makers) == 1 else 'run'}") if makers else f"nothing names `{type_name}`"
                for name in methods:
                    _mark_dead(model, pindex, name, f"{DEAD_UNMADE} ({made})")


def _dead_methods(model: ModuleModel, used: set[int], dotted: set[str]) -> None:
    """An exported method of a program's module that an interface of the module declares (the same
    name and parameter count), and that nothing in the module names: no call of any package, no
    `.Name` in a file that imports the module's packages or in a generated stub. A use case's
    `Login` that its interface lists and no handler calls never runs. A method no interface of the
    module lists may be called through another module's interface (`ServeHTTP`), so it is kept,
    unless it is a handler by its parameters (`func (u *User) Cancel(c *gin.Context)`) of a type
    that only functions make (PackageSummary.made_in: no package-level declaration names it, as
    `var _ handler.IHandler = (*T)(nil)` would for another module's interface): such a method runs
    only where a route names it."""
    candidates = [(pindex, name) for pindex in sorted(used) for name in model.packages[pindex].summary.unnamed_methods]
    if not candidates:
        return
    declared: set[str] = set()
    named: set[str] = set()
    for package in model.packages:
        summary = package.summary
        for methods in summary.interfaces.values():
            declared.update(methods)
        named.update(summary.selected)
        named.update(summary.generated_selected)
        named.update(callee[-1] for _, callee, *_ in summary.calls)
    for pindex, name in candidates:
        package = model.packages[pindex]
        summary = package.summary
        if package.library or package.import_path in dotted or (not package.import_path and summary.name != "main") \
                or (summary.name == "main" and "main" not in summary.functions):
            continue
        own = name.rsplit(".", 1)[-1]
        if own in named:
            continue
        record = summary.functions.get(name)
        if f"{own}/{summary.arities.get(name)}" in declared:
            _mark_dead(model, pindex, name, DEAD_DECLARED_METHOD)
        elif record is not None and record[7] == HANDLER_BY_PARAMETERS and record[4] in summary.made_in:
            _mark_dead(model, pindex, name, DEAD_UNROUTED)


def _made_only_in_tests(model: ModuleModel) -> None:
    """A function literal that is a root by its parameters (the handler a middleware constructor
    returns) exists only once the function it is written in has run. Where only test code calls
    that function (every call into it in the module is in a test file, or in a function only test
    code calls, to any depth: a mock server's constructor that a test calls, which gets its handlers
    from a factory) and it is no root of its own, the literal runs only in tests: a middleware that
    only tests mount."""
    callers: dict[int, set[int | None]] = {}  # callee -> its callers, None for a call in test code
    callees: dict[int, list[int]] = {}  # caller -> what it calls outside test code
    for source, out in enumerate(model.edges):
        for callee, _in_loop, relpath, _line in out:
            if callee != source:
                test = relpath.endswith("_test.go") or relpath in model.test_files
                callers.setdefault(callee, set()).add(None if test else source)
                if not test:
                    callees.setdefault(source, []).append(callee)
    # The greatest set of functions, no root of their own, whose every caller is test code or in the
    # set: strike out each one some other code calls, and what it calls in turn, once each.
    candidates = {index for index in callers if model.nodes[index].root is None and model.nodes[index].kind != "literal"}
    struck = [index for index in candidates
              if any(caller is not None and caller not in candidates for caller in callers[index])]
    out_of = set(struck)
    while struck:
        for callee in callees.get(struck.pop(), ()):
            if callee in candidates and callee not in out_of:
                out_of.add(callee)
                struck.append(callee)
    for index in sorted(candidates - out_of):
        node = model.nodes[index]
        for inner in model.literals_of(node.package).get(node.name, ()):
            if inner.reason == HANDLER_BY_PARAMETERS and not inner.forced:
                inner.root, inner.reason, inner.forced = TEST, f"{MADE_IN_TESTS} ({node.name})", True


def _mark_dead(model: ModuleModel, pindex: int, name: str, reason: str) -> None:
    summary = model.packages[pindex].summary
    index = model.by_name.get((summary.directory, name))
    node = model.nodes[index] if index is not None else None
    if node is not None and node.package == pindex and (node.root is None or node.reason == HANDLER_BY_PARAMETERS):
        node.root, node.reason, node.forced = TEST, reason, True
        # Nor is any function literal in it ever made: a handler a dead middleware constructor would
        # return is a root by its parameters, and would otherwise run per request.
        literals = model.literals_of(pindex)
        for inner in literals.get(name, ()):
            if not inner.forced:
                inner.root, inner.reason, inner.forced = TEST, reason, True


LOOPBACK_PARAMETER = "loopback"
REQUEST_PARAMETER = "request"
PROGRAM_PARAMETER = "program"
AUTH_ROUTER_PARAMETER = "auth-router"  # a router with authentication in front (linter/routes.py router_kind)


def _parameter_facts(model: ModuleModel, passes: dict[int, dict[int, dict[int, object]]]) -> None:
    """What every caller in the module's non-test code passes a parameter: each caller's calls are
    in its summary's passed_args, or it passes something else (a caller with an edge and no such
    record). A loopback address or listener ("l") must be spelled by every caller; the request's
    context and the incoming request may also come from a caller's own parameter that every call
    of the caller fills so (linter/callgraph.py _passed_arguments has the kinds)."""
    callers: dict[int, list[int]] = {callee: [] for callee in passes}
    for source, out in enumerate(model.edges):
        for callee, _in_loop, relpath, _line in out:
            if callee in callers and not relpath.endswith("_test.go") and relpath not in model.test_files:
                callers[callee].append(source)
    facts: dict[int, dict[int, list[str]]] = {}
    for callee, by_caller in passes.items():
        sources = set(callers[callee])
        common = None
        for source in sources:
            caller = model.packages[model.nodes[source].package].summary
            given = {p for p, kind in by_caller.get(source, {}).items() if kind == "l" or (
                isinstance(kind, str) and kind.startswith("o:")
                and all(loopback_option(model.loopback_options, option, caller.directory or ".", caller.name == "main")
                        is not None for option in kind[2:].split(",")))}
            common = given if common is None else common & given
        for position in sorted(common or ()):
            facts.setdefault(callee, {}).setdefault(position, []).append(LOOPBACK_PARAMETER)
    # Three facts to a fixpoint, from the callers that spell them: a parameter that is always an
    # incoming request ("q", or a caller's own such parameter "p<j>"); one that is always the
    # request's context ("r", a caller's own such context parameter j or a context derived from it
    # "d<j>", or "c<j>": the context of a caller's incoming request parameter j); and one that is
    # always a context that ends only with the program ("b", or a caller's own such context
    # parameter j passed as it is: one derived from it may end sooner). A function that calls
    # itself passing the parameter on in the same place adds nothing.
    incoming: set[tuple[int, int]] = set()
    request: set[tuple[int, int]] = set()
    program: set[tuple[int, int]] = set()
    routers: set[tuple[int, int]] = set()  # always a router with authentication in front ("a", or "g<j>")

    def own(kind, prefix: str) -> int | None:
        return int(kind[len(prefix):]) if isinstance(kind, str) and kind.startswith(prefix) and \
            kind[len(prefix):].isdigit() else None

    def holds(kind, source: int, callee: int, position: int, known: set, spelled: str, passed: str) -> bool:
        if kind == spelled:
            return True
        if passed in ("int", "plain"):
            index = kind if isinstance(kind, int) else own(kind, "d") if passed == "int" else None
            if index is not None:
                return (source, index) in known or (source == callee and index == position)
            return passed == "int" and own(kind, "c") is not None and (source, own(kind, "c")) in incoming
        index = own(kind, passed)
        return index is not None and ((source, index) in known or (source == callee and index == position))

    changed = True
    while changed:
        changed = False
        for callee, by_caller in passes.items():
            sources = set(callers[callee])
            if not sources or all(source == callee for source in sources):
                continue
            positions = {p for kinds in by_caller.values() for p, kind in kinds.items()
                         if kind != "l" and not (isinstance(kind, str) and kind.startswith("o:"))}
            for position in positions:
                for known, spelled, passed in ((incoming, "q", "p"), (request, "r", "int"), (program, "b", "plain"),
                                               (routers, "a", "g")):
                    if (callee, position) in known:
                        continue
                    if all(holds(by_caller.get(source, {}).get(position), source, callee, position, known, spelled, passed)
                           for source in sources):
                        known.add((callee, position))
                        changed = True
    for callee, position in sorted(request):
        facts.setdefault(callee, {}).setdefault(position, []).append(REQUEST_PARAMETER)
    for callee, position in sorted(program):
        facts.setdefault(callee, {}).setdefault(position, []).append(PROGRAM_PARAMETER)
    for callee, position in sorted(routers):
        facts.setdefault(callee, {}).setdefault(position, []).append(AUTH_ROUTER_PARAMETER)
    for callee, positions in facts.items():
        node = model.nodes[callee]
        model.parameters[(model.packages[node.package].summary.directory, node.name)] = positions


# Methods that start, run or stop a service: a type registered as a gRPC service often has them
# too, and they are not RPCs (an RPC returns its response; a streaming RPC takes its stream).
_LIFECYCLE = LazyPattern(r"(?:Serve|Start|Run|Stop|Close|Shutdown|Listen|Init|Wait)\w*")


def _lifecycle_method(node: "Node", summary: PackageSummary) -> bool:
    method = node.name.split(".", 1)[1]
    return bool(_LIFECYCLE.fullmatch(method)) and not summary.results.get(node.name, "").startswith("*")


def support_directory(elements: list[str]) -> str | None:
    """The first directory of a path that exists for tests (`testutil`, `e2e`, `test-server`,
    `mockserver`), or None."""
    return next((e for e in elements if _TEST_SUPPORT.fullmatch(e) and e.lower() not in _NOT_TEST_SUPPORT), None)


def not_deployed(summary: PackageSummary) -> str | None:
    """Why a package's code never runs in production (a test-support, example or developer's
    package, by its directory), or None."""
    elements = [e for e in summary.directory.split("/") if e not in (".", "")]
    test_support = support_directory(elements)
    if test_support is not None:
        return f"in a test-support package ({test_support}/)"
    example = next((e for e in elements if _EXAMPLES.fullmatch(e)), None)
    if example is not None:
        return f"in example code ({example}/)"
    simulator = next((e for e in elements if _SIMULATORS.fullmatch(e)), None)
    if simulator is not None:
        return f"in a simulator ({simulator}/)"
    if summary.name == "main" and summary.mains > 1:
        return f"in a directory of scripts ({summary.mains} files each declare main, to run one at a time with go run)"
    if summary.name == "main" and elements and _STAND_IN_PROGRAM.fullmatch(elements[-1]):
        return f"in a stand-in program for tests ({elements[-1]}/)"
    if summary.name == "main" and elements and _DEV_SERVER_PROGRAM.fullmatch(elements[-1]):
        return f"in a development server program ({elements[-1]}/)"
    if summary.name == "main" and elements and _DEVELOPER_PROGRAMS.fullmatch(elements[0]):
        return f"in a developer's program ({elements[0]}/)"
    benchmark = next((e for e in elements if _BENCHMARK_PROGRAM.fullmatch(e)), None) if summary.name == "main" else None
    if benchmark is not None:
        return f"in a benchmark or load-test program ({benchmark}/)"
    reproduction = next((e for e in elements if _REPRODUCTION_PROGRAM.fullmatch(e)), None) \
        if summary.name == "main" else None
    if reproduction is not None:
        return f"in a program that reproduces a bug ({reproduction}/)"
    if elements and _DEVELOPER_TREE.fullmatch(elements[0]):
        return f"in the developers' tooling ({elements[0]}/)"
    return None


def _package_module_path(import_path: str, directory: str, module_root: str) -> str:
    """The module path of a package from its import path and where its module's go.mod is."""
    if not import_path or not module_root:
        return ""
    inner = posixpath.relpath(directory or ".", module_root or ".")
    if inner == ".":
        return import_path
    return import_path[:-len(inner) - 1] if import_path.endswith("/" + inner) else ""


# A module that is a collection of examples by its own name (`github.com/gin-gonic/examples`,
# `…/golang-gin-realworld-example-app`, `k8s.io/sample-controller`, a bare `module example`): its
# directories name topics, not examples, so its path says what not_deployed reads from directories.
# The example words of _EXAMPLES only (a module named `playground` may be a real service), and a number
# after them (`example1`).
_EXAMPLE_MODULE = LazyPattern(rf"(?:[\w.-]+[-_])?{_EXAMPLE_WORD}\d*(?:[-_][\w.-]*)?", re.I)
_VERSION_SUFFIX = LazyPattern(r"v[0-9]+")
_FORGES = frozenset({"github.com", "gitlab.com", "bitbucket.org", "gitee.com", "codeberg.org"})


def example_module(module_path: str) -> str | None:
    """The element of a module path, after its host (and a forge's owner), that names the module
    as examples, or None."""
    elements = [e for e in module_path.split("/") if e]
    if elements and "." in elements[0]:
        elements = elements[2:] if elements[0] in _FORGES else elements[1:]
    if elements and _VERSION_SUFFIX.fullmatch(elements[-1]):
        elements.pop()
    return next((e for e in elements if _EXAMPLE_MODULE.fullmatch(e)), None)


# A module that stands in for a peer of the system in tests by its own name (`github.com/stripe/stripe-mock`,
# `…/fake-gcs-server`, `…/mockserver`): its programs are run by test suites, never deployed as the
# service. The last element only, and the words of _STAND_IN_PROGRAM that make a name (not
# `mockingbird`); only its programs are taken, as for directories, since a library so named may be
# a feature.
_STAND_IN_MODULE = LazyPattern(r"(?:go-?)?(?:fake|mock)(?:server|srv|api|[-_][\w.-]+)?|[\w.]+[-_](?:fake|mock)(?:[-_][\w.-]*)?", re.I)


def stand_in_module(module_path: str) -> str | None:
    """The last element of a module path (a version suffix aside) when it names the module as a
    stand-in for tests, or None."""
    elements = [e for e in module_path.split("/") if e]
    if elements and _VERSION_SUFFIX.fullmatch(elements[-1]):
        elements.pop()
    return elements[-1] if elements and _STAND_IN_MODULE.fullmatch(elements[-1]) else None


# A course's lesson: the same exercise as a program before and after, in sibling directories
# (`starter/` and `complete/`, `begin/` and `end/`, `exercise/` and `solution/`). Neither is deployed.
_LESSON_BEFORE = frozenset({"starter", "begin", "before", "exercise", "exercises", "problem", "initial"})
_LESSON_AFTER = frozenset({"complete", "completed", "final", "finish", "finished", "solution", "solutions", "solved",
                           "end", "after"})


def lesson_pair(directory: str, directories: set[str]) -> str | None:
    """"complete/ beside starter/" when a package directory's name is one of such a pair and a
    sibling directory of the module holds the other, else None."""
    parent, _, name = directory.rpartition("/")
    lower = name.lower()
    other = _LESSON_AFTER if lower in _LESSON_BEFORE else _LESSON_BEFORE if lower in _LESSON_AFTER else None
    if other is None:
        return None
    sibling = next((d.rpartition("/")[2] for d in sorted(directories)
                    if d.rpartition("/")[0] == parent and d.rpartition("/")[2].lower() in other), None)
    return f"{name}/ beside {sibling}/" if sibling is not None else None


# A course's numbered lessons: `01-basics/`, `02_routing/`, `05 Web Server/`, `1-10/` (a range of
# them), one to three digits then a separator and a name. Dated directories (`20240101_init/`) are
# not lessons, and neither is a version (`1.2/`).
_NUMBERED_LESSON = LazyPattern(r"\d{1,3}[-_ ]+\S.*")


def lesson_sequence(directory: str, numbered: dict[str, set[str]]) -> str | None:
    """"01-http/ beside 02-routing/" when an element of a package directory is numbered as a lesson
    and its parent directory holds another so numbered, else None. `numbered`: parent directory ->
    the numbered names of its subdirectories that hold packages (numbered_subdirectories)."""
    elements = directory.split("/")
    for index, element in enumerate(elements):
        if not _NUMBERED_LESSON.fullmatch(element):
            continue
        others = sorted(numbered.get("/".join(elements[:index]), set()) - {element})
        if others:
            return f"{element}/ beside {others[0]}/"
    return None


def numbered_subdirectories(directories: Iterable[str]) -> dict[str, set[str]]:
    """Parent directory -> the names of its subdirectories, at any depth above a package, that
    are numbered as lessons."""
    found: dict[str, set[str]] = {}
    for directory in directories:
        elements = directory.split("/")
        for index, element in enumerate(elements):
            if _NUMBERED_LESSON.fullmatch(element):
                found.setdefault("/".join(elements[:index]), set()).add(element)
    return found


def _numbered_subdirectories(model: ModuleModel) -> dict[str, set[str]]:
    found = model.__dict__.get("_numbered_subdirectories")
    if found is None:
        found = model.__dict__["_numbered_subdirectories"] = numbered_subdirectories(_package_directories(model))
    return found


def _package_directories(model: ModuleModel) -> set[str]:
    found = model.__dict__.get("_package_directories")
    if found is None:
        found = model.__dict__["_package_directories"] = {package.summary.directory for package in model.packages}
    return found


def _package_roots(model: ModuleModel, pindex: int, package: Package) -> None:
    summary = package.summary
    elements = [e for e in summary.directory.split("/") if e not in (".", "")]
    unused = not_deployed(summary)
    if unused is None and example_module(package.module_path) is not None:
        unused = f"in a module of examples ({package.module_path})"
    if unused is None and summary.name == "main" and stand_in_module(package.module_path) is not None:
        unused = f"in a stand-in program for tests (module {package.module_path})"
    if unused is None and summary.name == "main":
        pair = lesson_pair(summary.directory, _package_directories(model))
        if pair is not None:
            unused = f"in a lesson's program ({pair}: the same exercise before and after)"
    if unused is None:
        sequence = lesson_sequence(summary.directory, _numbered_subdirectories(model))
        if sequence is not None:
            unused = f"in a course's numbered lessons ({sequence})"
    library_api = package.library and summary.name != "main" and "internal" not in elements
    for node in model.nodes_of(pindex):
        if unused is not None:
            node.root, node.reason, node.forced = TEST, unused, True
        elif node.root is None and library_api and node.exported and node.kind != "literal":
            receiver = node.name.split(".", 1)[0] if node.kind == "method" else ""
            if not receiver or receiver[:1].isupper():
                node.root, node.reason = API, "an exported function of a library package"


def _made_as(model: ModuleModel) -> dict[tuple[int, str], str]:
    """(package, type) -> the one type of the package that its constructors make for it: every
    function of the package declared to return the type (an interface: `func New() Server`) that
    makes something returns the same type of its own (`return &server{…}`), and none makes another."""
    made: dict[tuple[int, str], set[str]] = {}
    for pindex, package in enumerate(model.packages):
        summary = package.summary
        for name, concrete in summary.concrete.items():
            declared = summary.results.get(name, "")
            if declared and "." not in declared:
                made.setdefault((pindex, declared), set()).add(concrete.lstrip("*"))
    return {key: types.pop() for key, types in made.items() if len(types) == 1 and "?" not in types}


_LAMBDA_HANDLER = "an AWS Lambda handler (lambda.Start): it runs once per invocation"


def _pseudo_caller(model: ModuleModel, caller: str, callee: int) -> None:
    """A root a summary records as a call from a pseudo-caller: a command-line command's function
    (`<cli>`), a function handed to a package-level `sync.Once` (`<once>`) or to an fx application
    (`<fx>`), a Lambda handler (`<lambda>`), or the literals of a function that makes one
    (`<lambda-factory>`)."""
    node = model.nodes[callee]
    if caller == "<cli>":
        _set_root(node, ONCE, "a command-line command's function")
    elif caller == "<fx>":
        _set_root(node, ONCE, "given to an fx application (fx.Provide, fx.Invoke), which calls it once")
    elif caller == "<once>":
        _set_root(node, ONCE, "handed to Do of a package-level sync.Once, which runs it once")
    elif caller == "<lambda>":
        _set_root(node, REQUEST, _LAMBDA_HANDLER)
    elif caller == "<lambda-factory>":
        for inner in model.literals_of(node.package).get(node.name, ()):
            _set_root(inner, REQUEST, _LAMBDA_HANDLER)


def _set_root(node: Node, lifetime: str, reason: str) -> None:
    if node.root is None or ORDER[lifetime] > ORDER[node.root] and node.root != TEST:
        node.root, node.reason = lifetime, reason


def _type_name(type_text: str) -> str:
    """`Store` of `*example.com/app/store.Store[K]`."""
    return type_text.lstrip("*").rpartition(".")[2].partition("[")[0]


# A call through an interface of the module reaches each of its implementations, up to this many
# (one method; more for two or more): beyond, a method set of a common name (`Run`, `Close`) says
# too little to tell its types apart.
# References to a method on a typed value: those a call through an interface can resolve.
_METHOD_REFS = ("M", "D", "E", "R", "F")
_IMPLEMENTERS = 8
_IMPLEMENTERS_OF_SEVERAL = 32


def _implementer_cap(methods: list[str]) -> int | None:
    """How many implementers a call through an interface with these methods (`Put/4`) may reach
    before the names say too little: no limit where a method takes three or more parameters, which
    a type of the module matches by chance no more than a signature (a storage driver's `Put(ctx,
    dir, file, up)`). Several short methods keep the cap: a plugin registry's hundreds of `Input`s
    all match by name, and a call's frequency then says little of each (a reload's restart of every
    plugin read as per request: on the tuning snapshots, six findings rose to medium, five of them
    DEBATABLE and one FALSE)."""
    if any(int(m.partition("/")[2] or 0) >= 3 for m in methods):
        return None
    return _IMPLEMENTERS if len(methods) == 1 else _IMPLEMENTERS_OF_SEVERAL


class _Resolver:
    def __init__(self, model: ModuleModel, by_import: dict[str, int], local_index: dict[tuple[int, str], int],
                 twice: set[str], by_root: dict[tuple[str, str], int], roots: list[str]):
        self.model = model
        self.by_import = by_import
        self.twice = twice  # import paths two modules of the run share
        self.by_root = by_root  # (module root, import path) -> package
        self.roots = roots  # package -> its module root
        self.local = local_index
        self._types: dict[tuple[int, str], tuple[int, str] | None] = {}
        self.made_as = _made_as(model)
        self._implementers: dict[tuple[int, str], list[tuple[int, str]]] = {}
        self._methods: dict[tuple[int, str], dict[str, int]] | None = None
        self._by_method_name: dict[str, set[tuple[int, str]]] = {}
        self._importers: dict[str, set[int]] | None = None  # import path -> the packages importing it
        self._users_paths: dict[str, frozenset[str]] = {}  # import path -> its importers' import paths
        # interface (package, name) -> the interfaces of the module that embed it (_embedding_packages)
        self._embedders: dict[tuple[int, str], set[tuple[int, str]]] | None = None
        self._interface_names = {name for package in model.packages
                                 for name in (*package.summary.interfaces, *package.summary.interface_embeds)}
        self._interface_fields: dict[tuple[int, str, str], bool] = {}  # (package, type, field) -> may be one
        self._field_types: dict[tuple, tuple[int, str] | None] = {}  # _field_type's answers
        self._interface_methods: dict[tuple[int, str], list[str]] = {}
        self._promoted: dict[tuple[int, str, str], tuple[tuple[int, str], int | None] | None] = {}

    def interface_methods(self, pindex: int, type_name: str) -> list[str]:
        """The methods an interface of the module spells out and those of the interfaces of the
        module it embeds (`type Store interface { Getter; Setter }`), through any depth, as
        PackageSummary.interfaces lists them; none for one it does not declare."""
        key = (pindex, type_name)
        found = self._interface_methods.get(key)
        if found is None:
            self._interface_methods[key] = []  # an embedding cycle adds nothing
            summary = self.model.packages[pindex].summary
            methods = set(summary.interfaces.get(type_name, ()))
            for embedded in summary.interface_embeds.get(type_name, ()):
                target = self.type_of(pindex, embedded)
                if target is not None:
                    methods.update(self.interface_methods(*target))
            found = self._interface_methods[key] = sorted(methods)
        return found

    def type_of(self, pindex: int, type_text: str) -> tuple[int, str] | None:
        key = (pindex, type_text)
        if key in self._types:
            return self._types[key]
        found = self._type_of(pindex, type_text)
        for _ in range(4):  # `type Pager = PagerV2`: the type an alias names, through a few aliases
            alias = self.model.packages[found[0]].summary.aliases.get(found[1]) if found is not None else None
            if not alias:
                break
            found = self._type_of(found[0], alias)
        self._types[key] = found
        return found

    def package_for(self, pindex: int, path: str) -> int | None:
        """The package an import path names from package `pindex`: where two modules of the run share
        the path (a copy kept beside the original), the one of the importer's own module."""
        if path in self.twice:
            found = self.by_root.get((self.roots[pindex], path))
            if found is not None:
                return found
        return self.by_import.get(path)

    def _type_of(self, pindex: int, type_text: str) -> tuple[int, str] | None:
        text = type_text.lstrip("*")
        cut = text.find("[")
        if cut > 0:
            text = text[:cut]
        if not text or text[0] in "[(" or text.startswith(("map[", "func(", "<-", "struct{", "interface{")) \
                or is_channel_type(text):
            return None
        if "." in text:
            path, _, name = text.rpartition(".")
            qindex = self.package_for(pindex, path)
            return (qindex, name) if qindex is not None else None
        return pindex, text

    def resolve(self, pindex: int, ref: list) -> int | None:
        kind = ref[0]
        if kind == "L":
            return self.local.get((pindex, ref[1]))
        if kind == "I":
            qindex = self.package_for(pindex, ref[1])
            return self.local.get((qindex, ref[2])) if qindex is not None else None
        if kind == "M":
            return self._method(pindex, ref[1], ref[2])
        if kind == "R":
            inner = self.resolve(pindex, ref[1])
            if inner is None:
                found = self._interface_result(pindex, ref[1]) or self._called_value_result(pindex, ref[1])
                return self._method(found[0], found[1], ref[2]) if found is not None else None
            node = self.model.nodes[inner]
            summary = self.model.packages[node.package].summary
            result = summary.results.get(node.name)
            found = self._method(node.package, result, ref[2]) if result else None
            if found is None and summary.concrete.get(node.name, "?") != "?":
                # `func New() Server { return &server{} }`: the interface's method is the made type's
                found = self._method(node.package, summary.concrete[node.name], ref[2])
            return found
        if kind in ("D", "E"):
            found = self._field_type(pindex, ref)
            return self._method(found[0], found[1], ref[3]) if found is not None else None
        if kind == "F":
            field = self._result_field(pindex, ref)
            return self.resolve(*field) if field is not None else None
        if kind == "G":
            typed = self.variable_type(pindex, ref[1], ref[2])
            return self._method(typed[0], typed[1], ref[3]) if typed is not None else None
        if kind == "V":  # the function value a call returned (PackageSummary.returned_functions)
            inner = self.resolve(pindex, ref[1])
            node = self.model.nodes[inner] if inner is not None else None
            returned = self.model.packages[node.package].summary.returned_functions.get(node.name) if node else None
            return self.resolve(node.package, returned) if returned else None
        return None

    def table_functions(self, pindex: int, ref: list) -> list[int]:
        """A "T" reference: the functions of the module in the table that the call it names
        returns (PackageSummary.returned_tables), for a call of an element of that table."""
        inner = self.resolve(pindex, ref[1])
        node = self.model.nodes[inner] if inner is not None else None
        held = self.model.packages[node.package].summary.returned_tables.get(node.name, ()) if node else ()
        found = []
        for item in held:
            target = self.resolve(node.package, item)
            if target is not None and target not in found:
                found.append(target)
        return found

    def variable_type(self, pindex: int, path: str, dotted: str) -> tuple[int, str] | None:
        """(package, type text) of `Var` or `Var.field…` of the package `path` names from package
        `pindex`, from the variable's type in its package's summary (PackageSummary.vars)."""
        qindex = self.package_for(pindex, path)
        if qindex is None:
            return None
        name, _, fields = dotted.partition(".")
        type_text = self.model.packages[qindex].summary.vars.get(name)
        if not type_text:
            return None
        if not fields:
            return qindex, type_text
        return self._field_type(qindex, ["D", type_text, fields])

    def _interface_result(self, pindex: int, ref: list) -> tuple[int, str] | None:
        """The type a method of an interface of the module declares as its first result, for a
        call on what it returns: `conn.CreateDiskHandler().ListDisk()`, on a `conn` of interface
        type, calls `ListDisk` of the `DiskHandler` that `CreateDiskHandler` declares."""
        if not isinstance(ref, list) or not ref or ref[0] not in ("M", "D", "E"):
            return None
        target = self._receiver(pindex, ref)
        if target is None:
            return None
        (qindex, type_name), method = target
        result = self.model.packages[qindex].summary.results.get(f"{type_name}.{method}")
        return (qindex, result) if result and type_name in self._interface_names else None

    def _result_field(self, pindex: int, ref: list) -> tuple[int, list] | None:
        """An "F" reference (`a, err := newApp(cfg); a.pages.Warm()`) as the "D" reference it is
        in the package of the call's declared result: (that package, ["D", result type, fields,
        method])."""
        found = self._call_result(pindex, ref[1])
        return (found[0], ["D", found[1], ref[2], ref[3]]) if found is not None else None

    def _call_result(self, pindex: int, ref: list) -> tuple[int, str] | None:
        """(package, type text) of the first result a call reference's function declares: its own,
        an interface method's of the module, or a named function type's (a "C" reference)."""
        inner = self.resolve(pindex, ref)
        if inner is not None:
            node = self.model.nodes[inner]
            result = self.model.packages[node.package].summary.results.get(node.name)
            return (node.package, result) if result else None
        return self._interface_result(pindex, ref) or self._called_value_result(pindex, ref)

    def _called_value_result(self, pindex: int, ref: list) -> tuple[int, str] | None:
        """(package, type text) of what a call of a function value returns, for a "C" reference:
        the first result of the named function type the value has, declared (`var mk
        provider.ArchiverFactory`, a parameter) or returned by the call that made it (`factory, err
        := provider.Lookup(name)`, where Lookup returns a `Factory`; PackageSummary.func_results)."""
        if not isinstance(ref, list) or len(ref) != 3 or ref[0] != "C":
            return None
        if ref[1] == "type":
            func_type = self.type_of(pindex, ref[2])
        else:
            found = self._call_result(pindex, ref[2])
            func_type = self.type_of(*found) if found is not None else None
        if func_type is None:
            return None
        result = self.model.packages[func_type[0]].summary.func_results.get(func_type[1])
        return (func_type[0], result) if result else None

    def _field_type(self, pindex: int, ref: list) -> tuple[int, str] | None:
        """(package, type text) of the field a "D" reference names, or of an element of the slice,
        array or map in it for an "E" reference (`for _, s := range a.services`)."""
        key = (pindex, ref[0], ref[1], ref[2])
        known = self._field_types.get(key, False)
        if known is False:
            known = self._field_types[key] = self._find_field_type(pindex, ref)
        return known

    def _find_field_type(self, pindex: int, ref: list) -> tuple[int, str] | None:
        found = self.type_of(pindex, ref[1])
        if found is None:
            return None
        qindex, type_name = found
        path = ref[2].split(".")
        field_type = self.model.packages[qindex].summary.fields.get(type_name, {}).get(path[0])
        for field in path[1:]:  # `a.srv.Discount`: the field's type's field, in the package declaring it
            inner = self.type_of(qindex, field_type) if field_type else None
            if inner is None:
                return None
            qindex, type_name = inner
            field_type = self.model.packages[qindex].summary.fields.get(type_name, {}).get(field)
        if field_type and ref[0] == "E":
            field_type = element_type(field_type)
        return (qindex, field_type) if field_type else None

    def implementations(self, pindex: int, ref: list) -> list[int]:
        """A call through an interface declared in the module (`runner.Run()` on a parameter of
        type `Runner`): the method of each type of the module that implements it, one whose own
        and promoted methods (through embedded types of the module) cover every method the
        interface spells out, by name and parameter count: those of the interface's own package, if
        it has any, and of packages that import it; else those of packages whose values can meet
        the interface's (_may_meet). Names only, as without types: nothing when more types qualify than
        _IMPLEMENTERS (one method) or _IMPLEMENTERS_OF_SEVERAL, where the names say too little."""
        # Most calls are on structs: the type's name says so before anything is resolved.
        if ref[0] == "M" and _type_name(ref[1]) not in self._interface_names:
            return []
        if ref[0] == "F":
            field = self._result_field(pindex, ref)
            return self.implementations(*field) if field is not None else []
        if ref[0] in ("D", "E"):
            key = (pindex, ref[0], ref[1], ref[2])
            known = self._interface_fields.get(key)
            if known is None:
                found = self._field_type(pindex, ref)
                known = self._interface_fields[key] = found is not None and _type_name(found[1]) in self._interface_names
            if not known:
                return []
        target = self._receiver(pindex, ref)
        if target is None:
            return []
        (qindex, type_name), method = target
        methods = self.interface_methods(qindex, type_name)
        wanted = next((m for m in methods or () if m.partition("/")[0] == method), None)
        if wanted is None:
            return []
        key = (qindex, type_name)
        implementers = self._implementers.get(key)
        if implementers is None:
            self._method_table()
            candidates = None
            for name in methods:
                having = self._by_method_name.get(name, set())
                candidates = set(having) if candidates is None else candidates & having
                if not candidates:
                    break
            # Types of the interface's own package first, with those of packages that import it (a
            # wrapper that forwards to it): a package that declares an interface and implements it
            # (`NewLocal() Mirror`) most often hands out its own; otherwise the types of packages
            # whose values can meet it.
            own = sorted(owner for owner in candidates or () if owner[0] == qindex or self._imports(owner[0], qindex))
            # An interface that embeds this one (`type Approver interface{ Modular }`, Modular embedding
            # lifecycle.Service) carries its values too: a type meets this one where it meets that.
            meeting = self._embedding_packages(qindex, type_name)
            candidates = own if any(owner[0] == qindex for owner in own) else \
                sorted(owner for owner in candidates or () if any(self._may_meet(p, owner[0]) for p in meeting))
            declared = self.model.packages[qindex].summary.interface_parameters.get(type_name)
            if declared and candidates:
                candidates = [owner for owner in candidates if not self._conflicts(owner, declared)]
            cap = _implementer_cap(methods)
            implementers = self._implementers[key] = candidates if cap is None or len(candidates) <= cap else []
        table = self._method_table()
        return [table[owner][wanted] for owner in implementers]

    def _conflicts(self, owner: tuple[int, str], declared: dict[str, list[str]]) -> bool:
        """A method of the type takes, where the interface's method of its name and count takes one
        type of a package, another of that package (`Register(*gin.RouterGroup)` against the
        interface's `Register(*gin.Engine)`): the type does not implement the interface."""
        table = self._method_table()
        for method, types in declared.items():
            index = table.get(owner, {}).get(method)
            if index is None:
                continue
            node = self.model.nodes[index]
            own = self.model.packages[node.package].summary.parameter_types.get(node.name)
            if own and signatures_conflict(types, own):
                return True
        return False

    def _imports(self, importer: int, imported: int) -> bool:
        path = self.model.packages[imported].import_path
        return bool(path) and path in self.model.packages[importer].summary.imports

    def _embedding_packages(self, pindex: int, type_name: str) -> list[int]:
        """The interface's package, then the packages of the module's interfaces that embed it, at any
        depth, in package order."""
        embedders = self._embedders
        if embedders is None:
            embedders = self._embedders = {}
            for index, package in enumerate(self.model.packages):
                for name, embedded in package.summary.interface_embeds.items():
                    for text in embedded:
                        target = self.type_of(index, text)
                        if target is not None:
                            embedders.setdefault(target, set()).add((index, name))
        seen, work = {(pindex, type_name)}, [(pindex, type_name)]
        while work:
            for outer in embedders.get(work.pop(), ()):
                if outer not in seen:
                    seen.add(outer)
                    work.append(outer)
        return sorted({pindex} | {index for index, _ in seen}, key=lambda index: (index != pindex, index))

    def _may_meet(self, interface: int, implementer: int) -> bool:
        """Whether a value of a type of package `implementer` can reach a call through an interface
        of package `interface`: one package, one imports the other, or a third imports both (the
        `main` that hands a `svc.New()` to `app.Run`), or a third imports the implementer's and a
        package that imports the interface's (`main` imports `app` and `svc`; only `app` imports
        `lifecycle`, whose `Service` it keeps)."""
        if interface == implementer:
            return True
        packages = self.model.packages
        wanted, made = packages[interface].import_path, packages[implementer].import_path
        if not wanted or not made:
            return False
        if wanted in packages[implementer].summary.imports or made in packages[interface].summary.imports:
            return True
        importers = self._importers
        if importers is None:
            importers = self._importers = {}
            for index, package in enumerate(packages):
                for path in package.summary.imports:
                    importers.setdefault(path, set()).add(index)
        users, makers = importers.get(wanted, set()), importers.get(made, set())
        if not users.isdisjoint(makers):
            return True
        between = self._users_paths.get(wanted)
        if between is None:
            between = self._users_paths[wanted] = frozenset(packages[index].import_path for index in users) - {""}
        return any(not between.isdisjoint(packages[index].summary.imports) for index in makers)

    def interface_name(self, pindex: int, ref: list) -> tuple[str, bool]:
        """The interface a call goes through, and whether it is public: exported, of a package
        other modules may import (not a main package, not under `internal/`)."""
        target = self._receiver(pindex, ref)
        if target is None:
            return "", False
        (qindex, name), _ = target
        package = self.model.packages[qindex]
        public = name[:1].isupper() and package.summary.name != "main" and \
            "internal" not in package.summary.directory.split("/")
        return name, public

    def interface_package(self, pindex: int, ref: list) -> int | None:
        target = self._receiver(pindex, ref)
        return target[0][0] if target is not None else None

    def _receiver(self, pindex: int, ref: list) -> tuple[tuple[int, str], str] | None:
        """The type (package, name) a method reference calls on, and the method's name."""
        kind = ref[0]
        if kind == "F":
            field = self._result_field(pindex, ref)
            return self._receiver(*field) if field is not None else None
        if kind == "M":
            found = self.type_of(pindex, ref[1])
            return (found, ref[2]) if found is not None else None
        if kind in ("D", "E"):
            found = self._field_type(pindex, ref)
            inner = self.type_of(found[0], found[1]) if found is not None else None
            return (inner, ref[3]) if inner is not None else None
        if kind == "R":
            found = self._call_result(pindex, ref[1])
            typed = self.type_of(*found) if found is not None else None
            return (typed, ref[2]) if typed is not None else None
        return None

    def _method_table(self) -> dict[tuple[int, str], dict[str, int]]:
        """(package, type) -> method (`Name/parameter count`) -> its node, the type's own methods and
        those promoted from the types of the module it embeds; test code aside. Made once, when an
        interface is called."""
        if self._methods is not None:
            return self._methods
        own: dict[tuple[int, str], dict[str, int]] = {}
        test_files = self.model.test_files
        packages = self.model.packages
        # Only methods some interface of the module names can implement one.
        named = {method.partition("/")[0] for package in packages for methods in package.summary.interfaces.values()
                 for method in methods}
        for index, node in enumerate(self.model.nodes):
            if node.kind != "method":
                continue
            type_name, _, method = node.name.partition(".")
            if method not in named or node.relpath.endswith("_test.go") or node.relpath in test_files:
                continue
            arity = packages[node.package].summary.arities.get(node.name)
            if arity is not None:
                own.setdefault((node.package, type_name), {})[f"{method}/{arity}"] = index
        table: dict[tuple[int, str], dict[str, int]] = {}

        def methods_of(key: tuple[int, str], depth: int) -> dict[str, int]:
            if key in table:
                return table[key]
            merged: dict[str, int] = {}
            if depth < 4:
                for embedded in self.model.packages[key[0]].summary.embeds.get(key[1], ()):
                    inner = self.type_of(key[0], embedded)
                    if inner is not None and inner != key:
                        for name, index in methods_of(inner, depth + 1).items():
                            merged.setdefault(name, index)
            merged.update(own.get(key, {}))
            if depth == 0:
                table[key] = merged
            return merged

        keys = set(own)
        for pindex, package in enumerate(self.model.packages):
            keys.update((pindex, name) for name in package.summary.embeds)
        for key in sorted(keys):
            methods_of(key, 0)
        self._methods = table
        for key, methods in table.items():
            for name in methods:
                self._by_method_name.setdefault(name, set()).add(key)
        return table

    def _method(self, pindex: int, type_text: str, name: str) -> int | None:
        found = self.type_of(pindex, type_text)
        if found is None:
            return None
        qindex, type_name = found
        method = self.local.get((qindex, f"{type_name}.{name}"))
        if method is None and (qindex, type_name) in self.made_as:
            # An interface of the package whose constructors all make one type of it.
            method = self.local.get((qindex, f"{self.made_as[qindex, type_name]}.{name}"))
        if method is None and self.model.packages[qindex].summary.embeds.get(type_name):
            promoted = self._embedded_with(qindex, type_name, name)
            method = promoted[1] if promoted is not None and promoted[1] is not None else None
        return method

    def _embedded_with(self, pindex: int, type_name: str, name: str) -> tuple[tuple[int, str], int | None] | None:
        """Where a struct's method `name` is promoted from, as Go picks it: the shallowest type it
        embeds (through three levels) that declares it, or an interface of the module it embeds that
        lists it (`type Service struct{ *Base; store.Store }`): ((package, type), the method's node,
        or None for an interface). None when nothing it embeds has it, or two types at one depth do."""
        key = (pindex, type_name, name)
        if key in self._promoted:
            return self._promoted[key]
        found = None
        level, seen = [(pindex, type_name)], {(pindex, type_name)}
        for _ in range(3):
            hits, deeper = [], []
            for package, outer in level:
                for embedded in self.model.packages[package].summary.embeds.get(outer, ()):
                    inner = self.type_of(package, embedded)
                    if inner is None or inner in seen:
                        continue
                    seen.add(inner)
                    deeper.append(inner)
                    method = self.local.get((inner[0], f"{inner[1]}.{name}"))
                    if method is not None:
                        hits.append((inner, method))
                    elif any(m.partition("/")[0] == name for m in self.interface_methods(*inner)):
                        hits.append((inner, None))
            if hits:
                found = hits[0] if len(hits) == 1 else None
                break
            level = deeper
        self._promoted[key] = found
        return found

    def promoted_implementations(self, pindex: int, ref: list) -> tuple[str, list[int]]:
        """A call of a method a struct takes from an interface it embeds (`s.Get(k)` on a `Service`
        embedding `store.Store`): the interface's name and the methods of its implementations, as a
        call through it would reach (implementations)."""
        target = self._receiver(pindex, ref)
        if target is None:
            return "", []
        (qindex, type_name), method = target
        if not self.model.packages[qindex].summary.embeds.get(type_name):
            return "", []
        promoted = self._embedded_with(qindex, type_name, method)
        if promoted is None or promoted[1] is not None:
            return "", []
        (iindex, interface), _ = promoted
        text = f"{self.model.packages[iindex].import_path}.{interface}" if iindex != qindex else interface
        return interface, self.implementations(qindex, ["M", text, method])


# A main package is part of no API: a function of one that nothing in the module is seen calling is
# reached through a function value or an interface, most often a command, a service or a signal
# callback, which runs once.
_IN_MAIN = " (in a main package: reached through a function value or interface, such as a command or a callback)"
# A package that builds command-line commands is the binary's command tree: what nothing in the
# module is seen calling there is most often a command's function, reached through the tree.
_IN_COMMANDS = (" (in a package of command-line commands: reached through a function value or interface, such as "
                "a command's function)")


def binary_only(summary: PackageSummary) -> bool:
    """A main package, or one that builds command-line commands (it imports cobra, urfave/cli,
    kingpin…): a binary's own code, whose functions nothing outside the binary calls."""
    return summary.name == "main" or summary.command_line


def _propagate(model: ModuleModel) -> None:
    """Every node takes the most repeated lifetime reaching it; a forced node (a singleton's body,
    a `Once.Do` function) keeps its own whatever calls it. Lifetimes only rise and there are six,
    so the worklist ends after at most six visits of a node."""
    nodes, edges = model.nodes, model.edges
    public = model.public_dispatch
    memo = model.memo

    def run(seeds: list[int]) -> None:
        work = list(seeds)
        while work:
            index = work.pop()
            value = nodes[index].lifetime
            for callee, in_loop, relpath, line in edges[index]:
                target = nodes[callee]
                if target.forced or value == ONCE and not in_loop and public and (index, callee) in public:
                    continue
                passed = value
                if in_loop and value != TEST and ORDER[value] < ORDER[LOOP]:
                    passed = LOOP
                if memo and passed not in (REQUEST, TEST) and ORDER[passed] > ORDER[ONCE] and (index, callee) in memo:
                    passed = ONCE  # once per key of a table it keeps: as many as its keys, not its calls
                if target.lifetime is None or ORDER[passed] > ORDER[target.lifetime]:
                    target.lifetime = passed
                    target.via = (index, relpath, line)
                    work.append(callee)

    def run_unknown(seeds: list[int]) -> None:
        """As `run`, for unknown roots: first every node they reach without a lifetime takes theirs
        (and the call that reached it), then loops raise what they reach as `run` does from each."""
        reached = list(seeds)
        work = list(seeds)
        while work:
            index = work.pop()
            for callee, _in_loop, relpath, line in edges[index]:
                target = nodes[callee]
                if target.lifetime is None and not target.forced:
                    target.lifetime, target.via = ONCE if (index, callee) in memo else UNKNOWN, (index, relpath, line)
                    work.append(callee)
                    reached.append(callee)
        run(reached)

    seeds = []
    for index, node in enumerate(nodes):
        if node.root is not None:
            node.lifetime = node.root
            seeds.append(index)
    # Highest first, so that most nodes are visited once.
    seeds.sort(key=lambda i: ORDER[nodes[i].lifetime])
    run(seeds)
    # What nothing reaches is unknown: first the functions nobody calls, whose callees then show
    # the chain that reaches them (goleaklint explain), then what is left (cycles nothing enters).
    called = {callee for callees in edges for callee, *_ in callees}
    public_targets = {callee for _, callee in public}
    for pending in ([i for i, n in enumerate(nodes) if n.lifetime is None and (i not in called or i in public_targets)],
                    range(len(nodes))):
        unknown = []
        for index in pending:
            node = nodes[index]
            if node.lifetime is None:
                node.lifetime, node.reason = UNKNOWN, "no caller seen in the module"
                summary = model.packages[node.package].summary
                if index in public_targets:
                    node.reason = PUBLIC_INTERFACE
                elif summary.name == "main":
                    node.reason += _IN_MAIN
                elif summary.command_line:
                    node.reason += _IN_COMMANDS
                unknown.append(index)
        run_unknown(unknown)


def _served_engine(summary: PackageSummary, makers: dict[str, set[str]]):
    """A server site as linter/serving.py recorded it, with `Run` called on what a function returns
    (`…:public@setupRouter`) settled by that function's declared result, the package's own or,
    for a function of a dot-imported package, every declaration of the name in the run: not a server
    when the results are declared and none is gin's (a controller's own `Run`)."""
    def settle(site: str) -> str | None:
        where, _, maker = site.partition("@")
        if not maker:
            return site
        own = summary.results.get(maker)
        results = {own} if own else makers.get(maker, set())
        return None if results and not any("gin-gonic/gin" in result for result in results) else where
    return settle


def _site_order(site: str) -> tuple[str, int]:
    relpath, line, _ = site.rsplit(":", 2)
    return relpath, int(line)


def loopback_options(summaries) -> dict[str, str]:
    """Option fields whose every address-like default in the run is loopback (a flag bound to the
    field, a struct tag default; linter/addresses.py), with the first such default and where it is.
    Test and example packages do not count; one public default anywhere disqualifies the name.

    A main package's defaults are set in its own process only: for code of a main package, a field
    with a public default elsewhere is still loopback when every default its own package and the
    module's other packages give it is (two programs' `options.ListenAddress`, one on loopback).
    Those are keyed `scoped_option(directory, name)`."""
    seen: dict[str, str] = {}
    public: set[str] = set()
    shared_public: set[str] = set()  # public defaults given outside main packages
    mains: list[tuple[PackageSummary, list[list[str]]]] = []
    for summary in sorted(summaries, key=lambda s: (s.directory, s.name)):
        if not summary.option_defaults or not_deployed(summary) is not None:
            continue
        if summary.name == "main":
            mains.append((summary, summary.option_defaults))
        for name, default in summary.option_defaults:
            if not _loopback_default(default):
                public.add(name)
                if summary.name != "main":
                    shared_public.add(name)
            else:
                seen.setdefault(name, f"`{default}`, in {summary.directory or '.'}")
    found = {name: where for name, where in sorted(seen.items()) if name not in public}
    for summary, defaults in mains:
        own_public = {name for name, default in defaults if not _loopback_default(default)}
        for name, default in defaults:
            if name in public and name not in own_public and name not in shared_public:
                found.setdefault(scoped_option(summary.directory or ".", name),
                                 f"`{default}`, in {summary.directory or '.'}")
    return dict(sorted(found.items()))


def _loopback_default(default: str) -> bool:
    return is_loopback(default if ":" in default else default + ":0")


def scoped_option(directory: str, name: str) -> str:
    """The key of an option field's loopback default that holds only in one main package."""
    return f"{directory}\0{name}"


def loopback_option(options: dict[str, str], name: str, directory: str, in_main: bool) -> str | None:
    """Where an option's loopback default is given, for code in `directory`, or None."""
    found = options.get(name)
    if found is None and in_main:
        found = options.get(scoped_option(directory, name))
    return found


# ---- levels ------------------------------------------------------------------------------------

REPEATS = "repeats"  # the leak multiplies with how often the code runs (most rules)
EXPOSURE = "exposure"  # about how a server is set up: only test and example code silences it
IGNORES = "ignores"  # not judged by lifetime
PUBLIC = "public"  # as REPEATS, and a handler every route puts behind authentication is a note
GROWTH = "growth"  # a collection that grows each time its inserting functions run
# A map: as GROWTH, but running per request is no evidence of growth by itself, since its keys may
# come from a bounded domain (configuration, constants); the key decides (linter/growth.py).
KEYED_GROWTH = "keyed-growth"
# One leak per call (a goroutine that never exits): with no caller seen, the call most likely
# happens once, at start-up through an interface or injection, so it is only a note.
PER_CALL = "per-call"


def level_for(policy: str, lifetime: str, severity: Severity, repeats: str | bool,
              in_main: bool = False) -> Severity | None:
    """The level a finding takes in code of `lifetime`; None: not reported.

    per request: as the rule says; loop, api, unknown: at most warning; once per process: not
    reported, unless the leak repeats within one run of the function (`repeats`: a loop that
    never ends), which then counts as a loop; test-only: not reported, unless it repeats in a
    benchmark loop. A growing collection (GROWTH) is at least a warning per request and in a
    loop, a growing map (KEYED_GROWTH) never by that alone (its keys decide); a leak per call (PER_CALL) of code with no caller seen, or of a library's API, is a note, and so is any leak of
    code with no caller seen in a main package, or reached only from such code (`in_main`), which
    nothing outside the binary calls."""
    if policy == IGNORES:
        return severity
    if lifetime == TEST:
        # A leak real in tests too: a benchmark loop over b.N or b.Loop(), as long as it takes.
        return min_level(severity, Severity.WARNING) if repeats == BENCHMARK and policy != EXPOSURE else None
    if policy == EXPOSURE:
        return severity
    if lifetime == ONCE and not repeats:
        return None
    if policy == GROWTH and severity is Severity.NOTE and lifetime in (LOOP, REQUEST):
        # A slice grows with every event, or with traffic: worth a change. A map's keys decide, in
        # a loop as per request: a periodic refresh overwrites the configuration's keys in place (on
        # the ledger, 1 of 33 maps raised so in loop code was worth a change).
        return Severity.WARNING
    if lifetime == REQUEST:
        return severity
    if lifetime == UNKNOWN and not repeats and (policy == PER_CALL or in_main):
        return Severity.NOTE
    if lifetime == API and not repeats and policy == PER_CALL:
        # How often a library's callers call it is theirs to say: on the ledger, 3 of 57 goroutines
        # without an exit that library APIs start (most once per process, from a service's start-up)
        # were worth a change, against 21 of 37 per request.
        return Severity.NOTE
    return min_level(severity, Severity.WARNING)


def min_level(a: Severity, b: Severity) -> Severity:
    return a if a.rank <= b.rank else b


_TIMEOUT_CLIENT_TEXT = ("; the client comes from {}, which sets a total Timeout: when it fires, the transport "
                        "cancels the request and closes the connection")
_DRAINED_TEXT = ("; but {} is received from by a loop of its package for as long as that loop runs, so the send "
                 "waits only while that consumer is behind")

_EMPTY_ROUTE_TEXT = ("; but it asks for `{}`, where every handler the module registers writes no body: the response "
                     "is empty (Content-Length 0), so the transport hands back http.NoBody and takes the connection "
                     "back without a Close")


def _routed_to(request: str, path: str) -> bool:
    """A request for `request` may reach a route registered as `path`: the same path, or one a
    group's prefix puts in front of it (`/api/v1/healthz` on `v1.GET("/healthz", …)`)."""
    return request == path or (request.endswith(path) and path != "/")


def _empty_route(table: "LifetimeTable", requests: tuple[str, ...]) -> str | None:
    """The path of the module's routes every request of the finding reaches, when every route
    it may reach writes no body (ModuleModel.route_paths); None otherwise."""
    found = None
    for request in requests:
        routes = [path for path in table.route_paths if _routed_to(request, path)]
        if not routes or not all(table.route_paths[path] for path in routes):
            return None
        found = found or request
    return found


_IGNORED_TEXT = ("; but nothing in the module reads it: every function the goroutine passes it to (each implementation, "
                 "through an interface) ignores that parameter or passes it only to functions that do")


_UNREAD_FIELD_TEXT = ("; but nothing in the module reads the field {}: every file that names it only assigns it, so "
                      "the next store replaces what this one keeps and no later request sees it")


def apply(model: "ModuleModel | LifetimeTable", findings: list[Finding], policies: dict[str, str],
          overrides: dict[str, Severity] | None = None) -> tuple[list[Finding], list[Finding]]:
    """Findings with their lifetime and level; the second list holds those not reported. A level
    the user set for a rule (`[severity]` in the config) stands; lifetime still decides whether
    the finding is reported at all."""
    overrides = overrides or {}
    kept: list[Finding] = []
    dropped: list[Finding] = []
    table = model if isinstance(model, LifetimeTable) else table_of(model)
    for finding in findings:
        lifetime = lifetime_of(table, finding)
        if lifetime is None:
            kept.append(_unexposed(finding, overrides))
            continue
        if lifetime not in (ONCE, TEST) and _in_once_block(table, finding):
            lifetime = ONCE  # in a block behind a guard that the block turns off
        level = level_for(policies.get(finding.rule_id, REPEATS), lifetime, finding.severity, finding.repeats,
                          lifetime == UNKNOWN and _in_main(table, finding))
        message = finding.message
        policy = policies.get(finding.rule_id, REPEATS)
        if level is not None and level is not Severity.NOTE and policy != IGNORES \
                and _function_keys(finding)[0] in table.unimported:
            level = Severity.NOTE  # whatever its lifetime in another module that imports it
            message += _UNIMPORTED_TEXT
        if level is not None and finding.bounded and lifetime != REQUEST:
            level = Severity.NOTE  # bounded by the data it walks, in code that does not run per request
        public = policies.get(finding.rule_id) == PUBLIC
        guard = _route_guard(table, finding) if public else None
        if level is not None and level is not Severity.NOTE and lifetime == REQUEST and guard is not None:
            level = Severity.NOTE
            message += _GUARD_TEXT[guard]
        limited = table.body_limited.get(_function_keys(finding)[0]) if public else None
        if level is not None and level is not Severity.NOTE and limited is not None:
            level = Severity.NOTE
            message += (f"; the module limits request bodies itself, in a wrapper or a framework's body-limit "
                        f"middleware (at {limited}), "
                        "so where a limit applies is its authors' choice: check that one covers this route")
        served = table.local_serving.get(_function_keys(finding)[0]) if public else None
        if level is not None and level is not Severity.NOTE and served is not None:
            level = Severity.NOTE
            message += (f"; every server the module starts listens on loopback or a unix socket (the first at {served}): "
                        "only clients on this host reach its handlers, a lower risk than a public endpoint")
        buffered = _buffered_by(table, finding) if public else None
        if level is not None and level is not Severity.NOTE and buffered is not None:
            level = Severity.NOTE
            message += (f"; a middleware mounted in front of its routes ({buffered}) reads every body it passes on "
                        "whole and puts back an in-memory copy: where it runs, this reads that copy, and the read to "
                        "bound is the middleware's")
        default = loopback_option(table.loopback_options, finding.address, _function_keys(finding)[0],
                                  _function_keys(finding)[0] in table.main_dirs) if finding.address else None
        if level is not None and level is not Severity.NOTE and default is not None:
            level = lowered(level)  # as a loopback default spelled in the file lowers it
            what = f"setting {finding.address}" if finding.address.startswith('"') else f"option `{finding.address}`"
            message += (f"; its address is the {what}, whose default is loopback ({default}): "
                        "only a deployment that changes it lets other hosts reach it")
        passed = _parameter_key(finding)
        if level is not None and level is not Severity.NOTE and passed is not None and \
                passed[2] in table.parameters.get(passed[:2], {}).get(passed[3], ()):
            level = Severity.NOTE
            message += _PARAMETER_TEXT[passed[2]].format(function=passed[1])
        for keys, known, text in ((finding.makers, table.timeout_clients, _TIMEOUT_CLIENT_TEXT),
                                  (finding.drains, table.drained, _DRAINED_TEXT)):
            if level is not None and level is not Severity.NOTE and keys and all(k in known for k in keys):
                level = Severity.NOTE  # what other packages make or do, which the module model knows
                message += text.format(", ".join(f"`{k.rsplit('/', 1)[-1]}`" for k in keys))
        empty = _empty_route(table, finding.requests) if finding.requests else None
        if level is not None and level is not Severity.NOTE and empty is not None:
            level = Severity.NOTE  # what the module's own server answers there
            message += _EMPTY_ROUTE_TEXT.format(empty)
        handoffs = _handoff_keys(finding)
        if level is not None and level is not Severity.NOTE and handoffs and all(k in table.ignored for k in handoffs):
            level = Severity.NOTE  # what the functions it is handed to do, which the module model knows
            message += _IGNORED_TEXT
        unread = finding.fields
        if level is not None and level is not Severity.NOTE and unread and all(n in table.unread_fields for n in unread):
            level = Severity.NOTE  # what the other packages of the module read, which the module model knows
            message += _UNREAD_FIELD_TEXT.format(", ".join(f"`{name}`" for name in unread))
        switch = _switched_by(table, finding) if finding.opt_in else None
        condition, _, where = switch.rpartition("@") if switch is not None else ("", "", "")
        if finding.opt_in == OPT_IN_DEVELOPER and not names_developer_switch(condition):
            switch = None  # a feature an operator turns on is served as any other: only a developer's is not
        if level is not None and level is not Severity.NOTE and switch is not None:
            level = Severity.NOTE
            if finding.opt_in == OPT_IN_DEVELOPER:
                message += (f"; every call in the module that leads here is made only when a switch for developers "
                            f"turns it on (`{condition}`, at {where}), so a default deployment does not run it")
            else:
                message += (f"; every call in the module that leads here is made only when a setting turns it on "
                            f"(`{condition}`, at {where}), so a default deployment does not expose it")
        if level is not None and level is not Severity.NOTE and finding.unexposed:
            level = Severity.NOTE  # last: the module's own reasons for a note say more
            message += finding.unexposed
        if level is not None and finding.rule_id in overrides:
            level = overrides[finding.rule_id]
        updated = replace(finding, lifetime=lifetime, severity=level or finding.severity, message=message)
        (kept if level is not None else dropped).append(updated)
    return kept, dropped


def _switched_by(table: "LifetimeTable", finding: Finding) -> str | None:
    """The switch every call into the finding's function is made under (ModuleModel.switched), or None."""
    directory, names = _function_keys(finding)
    switches = [table.switched.get((directory, name)) for name in names]
    return switches[0] if switches and all(switches) else None


def _buffered_by(table: "LifetimeTable", finding: Finding) -> str | None:
    """The first body-buffering middleware of the finding's package (`relpath:line`), unless the
    finding is that middleware's own read and no other one runs in front of it."""
    spans = table.body_buffered.get(_function_keys(finding)[0])
    if not spans:
        return None
    for span in spans:
        span, _, front = span.partition("@")
        relpath, first, last = span.rsplit(":", 2)
        if relpath == finding.path and int(first) <= finding.line <= int(last):
            return front or None  # its own read, unless another buffering middleware runs first
    relpath, first, _ = spans[0].partition("@")[0].rsplit(":", 2)
    return f"{relpath}:{first}"


def _unexposed(finding: Finding, overrides: dict) -> Finding:
    """A finding with no lifetime still takes the note its rule asked for when nothing says that
    clients reach the server directly (unless the user set the rule's level)."""
    if not finding.unexposed or finding.severity is Severity.NOTE or finding.rule_id in overrides:
        return finding
    return replace(finding, severity=Severity.NOTE, message=finding.message + finding.unexposed)


@dataclass
class LifetimeTable:
    """What judging findings needs of the model: each function's lifetime by (directory, name),
    the files and directories that are test-only as a whole. Small and plain, so that a warm run
    can load it from the cache instead of building the model again."""

    lifetimes: dict[tuple[str, str], str] = field(default_factory=dict)
    test_files: set[str] = field(default_factory=set)
    test_dirs: set[str] = field(default_factory=set)
    # handlers every route registration puts behind authentication or a developer switch
    # (linter/routes.py): "auth", "switch", "guarded" for a mix of the two, "mounted" for a
    # middleware every `Use` of which comes after authentication, or "limit" behind a body limit
    authenticated: dict[tuple[str, str], str] = field(default_factory=dict)
    main_dirs: set[str] = field(default_factory=set)  # directories of main packages
    body_limited: dict[str, str] = field(default_factory=dict)  # see ModuleModel.body_limited
    loopback_options: dict[str, str] = field(default_factory=dict)  # see ModuleModel.loopback_options
    timeout_clients: set[str] = field(default_factory=set)  # see ModuleModel.timeout_clients
    # functions of unknown lifetime whose only way in is a function of a main package that nothing
    # in the module calls (a command's action, a callback): nothing outside the binary calls them either
    main_rooted: set[tuple[str, str]] = field(default_factory=set)
    parameters: dict[tuple[str, str], dict[int, list[str]]] = field(default_factory=dict)  # see ModuleModel.parameters
    # directories of packages that nothing in the run imports, in modules that build programs (unimported)
    unimported: set[str] = field(default_factory=set)
    body_buffered: dict[str, list[str]] = field(default_factory=dict)  # see ModuleModel.body_buffered
    drained: set[str] = field(default_factory=set)  # see ModuleModel.drained
    once_blocks: dict[str, list[str]] = field(default_factory=dict)  # see ModuleModel.once_blocks
    local_serving: dict[str, str] = field(default_factory=dict)  # see ModuleModel.local_serving
    switched: dict[tuple[str, str], str] = field(default_factory=dict)  # see ModuleModel.switched
    ignored: set[tuple[str, str]] = field(default_factory=set)  # see ModuleModel.ignored
    route_paths: dict[str, bool] = field(default_factory=dict)  # see ModuleModel.route_paths
    unread_fields: set[str] = field(default_factory=set)  # see unread_fields()

    def to_json(self) -> dict:
        return {"l": [[d, n, v] for (d, n), v in sorted(self.lifetimes.items())],
                "f": sorted(self.test_files), "d": sorted(self.test_dirs),
                "a": [[d, n, k] for (d, n), k in sorted(self.authenticated.items())],
                "m": sorted(self.main_dirs), "b": sorted(self.body_limited.items()),
                "o": sorted(self.loopback_options.items()), "r": sorted(self.main_rooted),
                "h": sorted(self.timeout_clients),
                "p": [[d, n, sorted([i, k] for i, k in v.items())] for (d, n), v in sorted(self.parameters.items())],
                "u": sorted(self.unimported), "bb": sorted(self.body_buffered.items()),
                "dr": sorted(self.drained), "ob": sorted(self.once_blocks.items()),
                "ls": sorted(self.local_serving.items()),
                "sw": [[d, n, w] for (d, n), w in sorted(self.switched.items())],
                "ig": sorted(self.ignored), "rp": sorted(self.route_paths.items()),
                "uf": sorted(self.unread_fields)}

    @classmethod
    def from_json(cls, data: dict) -> "LifetimeTable":
        return cls({(d, n): v for d, n, v in data["l"]}, set(data["f"]), set(data["d"]),
                   {(entry[0], entry[1]): entry[2] for entry in data.get("a", [])}, set(data.get("m", ())),
                   dict(data.get("b", ())), dict(data.get("o", ())),
                   set(data.get("h", ())), {(d, n) for d, n in data.get("r", ())},
                   {(d, n): {int(i): list(k) for i, k in v} for d, n, v in data.get("p", ())},
                   set(data.get("u", ())), {d: list(w) for d, w in data.get("bb", ())},
                   set(data.get("dr", ())), {d: list(b) for d, b in data.get("ob", ())},
                   dict(data.get("ls", ())), {(d, n): w for d, n, w in data.get("sw", ())},
                   {(d, h) for d, h in data.get("ig", ())}, dict(data.get("rp", ())),
                   set(data.get("uf", ())))

    def for_findings(self, findings: list[Finding]) -> "LifetimeTable":
        """The part of the table that judging `findings` reads: what a warm run, whose findings
        are those of the run that built it, loads instead of every function of the module."""
        lifetimes = {}
        guarded = {}
        switched = {}
        for finding in findings:
            directory, names = _function_keys(finding)
            for name in (*names, model_name(finding.context, finding.path)):
                lifetime = self.lifetimes.get((directory, name))
                if lifetime is not None:
                    lifetimes[(directory, name)] = lifetime
                if (directory, name) in self.switched:
                    switched[(directory, name)] = self.switched[(directory, name)]
                for key in ((directory, name), (directory, LITERAL_SUFFIX.sub("", name or ""))):
                    if key in self.authenticated:
                        guarded[key] = self.authenticated[key]
        directories = {_function_keys(finding)[0] for finding in findings}
        return LifetimeTable(lifetimes, set(self.test_files), set(self.test_dirs), guarded,
                             self.main_dirs & directories,
                             {d: w for d, w in self.body_limited.items() if d in directories},
                             {key: self.loopback_options[key] for f in findings if f.address
                              for key in (f.address, scoped_option(_function_keys(f)[0], f.address))
                              if key in self.loopback_options},
                             {m for f in findings for m in f.makers if m in self.timeout_clients},
                             {key for key in lifetimes if key in self.main_rooted},
                             {key[:2]: self.parameters[key[:2]] for key in map(_parameter_key, findings)
                              if key is not None and key[:2] in self.parameters},
                             self.unimported & directories,
                             {d: w for d, w in self.body_buffered.items() if d in directories},
                             {c for f in findings for c in f.drains if c in self.drained},
                             {d: b for d, b in self.once_blocks.items() if d in directories},
                             {d: w for d, w in self.local_serving.items() if d in directories}, switched,
                             {key for f in findings for key in _handoff_keys(f) if key in self.ignored},
                             {path: silent for path, silent in self.route_paths.items()
                              if any(_routed_to(request, path) for f in findings for request in f.requests)},
                             {name for f in findings for name in f.fields if name in self.unread_fields})


def table_of(model: ModuleModel) -> LifetimeTable:
    # A key per function and no garbage, like the model itself: the collector is paused for it.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _table_of(model)
    finally:
        if enabled:
            gc.enable()


def _table_of(model: ModuleModel) -> LifetimeTable:
    table = LifetimeTable(test_files=set(model.test_files), body_limited=dict(model.body_limited),
                          body_buffered=dict(model.body_buffered),
                          loopback_options=dict(model.loopback_options),
                          timeout_clients=set(model.timeout_clients), parameters=dict(model.parameters),
                          drained=set(model.drained), once_blocks=dict(model.once_blocks),
                          local_serving=dict(model.local_serving), ignored=set(model.ignored),
                          route_paths=dict(model.route_paths))
    for (directory, name), index in model.by_name.items():
        table.lifetimes[(directory, name)] = model.nodes[index].lifetime
    for index, flags in model.route_auth.items():
        if all(f & BODY_LIMIT for f in flags):
            kind = "limit"
        elif all(f & (AUTHENTICATED | DEVELOPER_SWITCH) for f in flags):
            kind = "auth" if all(f & AUTHENTICATED for f in flags) else \
                "switch" if all(f & DEVELOPER_SWITCH for f in flags) else "guarded"
            if kind == "auth" and all(f & MOUNTED for f in flags):
                kind = "mounted"  # a middleware every `Use` of which comes after authentication
        else:
            continue
        node = model.nodes[index]
        table.authenticated[(model.packages[node.package].summary.directory, node.name)] = kind
    for index in called_behind_auth(model):
        node = model.nodes[index]
        table.authenticated[(model.packages[node.package].summary.directory, node.name)] = "called"
    for index, switch in model.switched.items():
        node = model.nodes[index]
        table.switched[(model.packages[node.package].summary.directory, node.name)] = switch
    for pindex, package in enumerate(model.packages):
        if binary_only(package.summary):
            table.main_dirs.add(package.summary.directory)
        roots = {n.root for n in model.nodes_of(pindex) if n.forced}
        if roots == {TEST}:
            table.test_dirs.add(package.summary.directory)
    table.main_rooted = main_rooted(model)
    table.unimported = unimported(model)
    table.unread_fields = unread_fields(model)
    return table


def unread_fields(model: ModuleModel) -> set[str]:
    """The exported fields that may hold a request (PackageSummary.unread_fields) that nothing the
    module builds reads: every package that declares one is a program's and only assigns it, and
    every other package of the run that writes its name after a dot does so only as an assignment's
    target (PackageSummary.assigned_only; generated files' names count as reads). A library's
    fields are its API, read by code the run does not see."""
    candidates: dict[str, bool] = {}
    for package in model.packages:
        for name in package.summary.unread_fields:
            candidates[name] = candidates.get(name, True) and not package.library
    if not candidates:
        return set()
    for package in model.packages:
        summary = package.summary
        for fields in summary.fields.values():
            for name in fields:
                if name in candidates and name not in summary.unread_fields:
                    candidates[name] = False  # a package that declares it and reads it
        for name in candidates:
            if _in_sorted(summary.generated_selected, name) or \
                    (_in_sorted(summary.selected, name) and not _in_sorted(summary.assigned_only, name)):
                candidates[name] = False
    return {name for name, unread in candidates.items() if unread}


def _in_sorted(names: list[str], name: str) -> bool:
    index = bisect.bisect_left(names, name)
    return index < len(names) and names[index] == name


def called_behind_auth(model: ModuleModel) -> set[int]:
    """Functions no route registers that only authenticated code calls, directly or through one
    another: a handler that dispatches on the method (`TodoByID` calls `UpdateTodo` for a PUT)
    behind `withAuth(…)` on every route, or a helper every caller calls only after checking who the
    client is (`if !s.checkAuth(r) { return }; s.updateTodo(w, r)`: ModuleModel.checked). A
    function that some route registers, or that anything else in the module calls, is left out;
    one nothing calls is not reached this way. A handler named for authentication
    (`UpyunCallbackAuth`, `Login`) is the check itself, which any client reaches: what it calls
    is not behind it."""
    behind = {index for index, flags in model.route_auth.items()
              if all(f & AUTHENTICATED and not f & MOUNTED for f in flags)
              and not authenticated(LITERAL_SUFFIX.sub("", model.nodes[index].name).rsplit(".", 1)[-1])}
    checked = model.checked
    if not behind and not checked:
        return set()
    callers: dict[int, set[int]] = {}
    for source, out in enumerate(model.edges):
        for callee, *_ in out:
            if callee != source:
                callers.setdefault(callee, set()).add(source)
    found: set[int] = set()
    work = sorted({callee for _, callee in checked} | {callee for source in behind for callee, *_ in model.edges[source]})
    while work:
        callee = work.pop()
        if callee in behind or callee in model.route_auth:
            continue
        those = callers.get(callee, set())
        if those and all(c in behind or (c, callee) in checked for c in those):
            behind.add(callee)
            found.add(callee)
            work.extend(target for target, *_ in model.edges[callee] if target not in behind)
    return found


def unimported(model: ModuleModel) -> set[str]:
    """Directories of the library packages that no package of the run imports (test files, `_`
    imports and other modules of the tree count), in modules that have a main package: a program's
    module whose own programs do not use the package at all (a superseded copy, a helper kept
    for later). Its functions run only if another module imports it, which the module's code
    gives no sign of. In a module with no main package every package is its API, and stays."""
    # Transitively: a package that only such packages import is no more part of a program than they
    # are (a stale service and the component only it builds).
    importers: dict[str, set[int]] = {}
    for index, package in enumerate(model.packages):
        for path in package.summary.imports:
            if path != package.import_path:
                importers.setdefault(path, set()).add(index)
    candidates = [index for index, package in enumerate(model.packages)
                  if not package.library and package.import_path and package.import_path not in model.hidden_imports
                  and package.summary.name != "main" and not package.summary.name.endswith("_test")]
    unused: set[int] = set()
    changed = True
    while changed:
        changed = False
        for index in candidates:
            if index not in unused and importers.get(model.packages[index].import_path, set()) <= unused:
                unused.add(index)
                changed = True
    return {model.packages[index].summary.directory for index in unused}


def main_rooted(model: ModuleModel) -> set[tuple[str, str]]:
    """Functions of unknown lifetime that only functions of main packages (or packages of
    command-line commands: binary_only) reach: every chain of callers of unknown lifetime ends in
    one. One function elsewhere that nothing in the module calls (an exported API, a method called
    through an interface) and that reaches a function disqualifies it: it may run more often than a
    binary's commands."""
    nodes, edges = model.nodes, model.edges
    main = {i for i, package in enumerate(model.packages) if binary_only(package.summary)}
    called: set[int] = set()
    for callees in edges:
        for callee, *_ in callees:
            called.add(callee)
    # A library's implementation of its public interface is open to other modules, as an uncalled
    # exported function is.
    public = {callee for _, callee in model.public_dispatch}
    open_roots = [i for i, node in enumerate(nodes)
                  if node.lifetime == UNKNOWN and (i not in called or i in public) and node.package not in main]
    reached = set(open_roots)
    work = list(open_roots)
    while work:
        for callee, *_ in edges[work.pop()]:
            if callee not in reached and nodes[callee].lifetime == UNKNOWN:
                reached.add(callee)
                work.append(callee)
    work = [i for i, node in enumerate(nodes) if node.package in main]
    from_main = set(work)
    while work:
        for callee, *_ in edges[work.pop()]:
            if callee not in from_main and nodes[callee].lifetime == UNKNOWN and callee not in reached:
                from_main.add(callee)
                work.append(callee)
    return {(directory, name) for (directory, name), index in model.by_name.items()
            if index in from_main and nodes[index].lifetime == UNKNOWN and nodes[index].package not in main}


def lifetime_of(model: "ModuleModel | LifetimeTable", finding: Finding) -> str | None:
    table = model if isinstance(model, LifetimeTable) else table_of(model)
    if finding.path.endswith("_test.go") or finding.path in table.test_files:
        return TEST
    directory, names = _function_keys(finding)
    best = None
    for name in names:
        lifetime = table.lifetimes.get((directory, name))
        if lifetime is not None and (best is None or ORDER[lifetime] > ORDER[best]):
            best = lifetime
    if best is None and not names and directory in table.test_dirs:
        # At package level with no function named: a test-only or example package still decides.
        return TEST
    return best


_GUARD_TEXT = {
    "auth": "; every route registered with this handler puts authentication in front of it, so only clients that "
            "authenticated reach it, a lower risk than a public endpoint",
    "switch": "; every route registered with this handler exists only when a debug, test or demo switch is on, so a "
              "default deployment does not serve it",
    "guarded": "; every route registered with this handler is behind authentication or exists only when a developer "
               "switch is on, a lower risk than a public endpoint",
    "mounted": "; but everywhere it is mounted (`Use`, or a group made with it), the router runs authentication before it, so only clients that "
               "authenticated reach this read, a lower risk than a public endpoint",
    "called": "; no route registers it, and every function that calls it is behind authentication (a handler "
              "whose every route puts it in front, or a caller that checks who the client is before the call), so "
              "only clients that authenticated reach it, a lower risk than a public endpoint",
    "limit": "; every route registered with this handler has a middleware named for a body size limit in front of "
             "it, which bounds the read if it limits what the handler reads",
}


def _route_guard(table: LifetimeTable, finding: Finding) -> str | None:
    """What stands in front of every route of the finding's handler (see _GUARD_TEXT), or None. A
    literal inside a handler factory (`DebugHandler.func1`) takes its factory's routes, which say
    more than that the factory calls it."""
    directory = posixpath.dirname(finding.path) or "."
    names = finding.subjects or ((model_name(finding.context, finding.path),) if finding.context else ())
    kinds = set()
    for name in names:
        kind = table.authenticated.get((directory, LITERAL_SUFFIX.sub("", name))) or \
            table.authenticated.get((directory, name))
        if kind is None:
            return None
        kinds.add(kind)
    return (kinds.pop() if len(kinds) == 1 else "guarded") if kinds else None


_UNIMPORTED_TEXT = ("; no program of its module uses this package (nothing in the module imports it, or only "
                    "packages no program uses do), though the module builds programs: its code runs only if another "
                    "module imports it")


def _in_main(table: LifetimeTable, finding: Finding) -> bool:
    """Whether nothing outside the binary calls the code of a finding of unknown lifetime: it is in a
    main package, or reached only from a function of one that nothing in the module calls."""
    directory, names = _function_keys(finding)
    return directory in table.main_dirs or any((directory, name) in table.main_rooted for name in names)


_PARAMETER_TEXT = {
    LOOPBACK_PARAMETER: ("; its address or listener is a parameter of `{function}`, and every call of it in the "
                         "module passes a loopback address (or one built from an option whose every default is "
                         "loopback) or a listener only this host reaches"),
    PROGRAM_PARAMETER: ("; the goroutine is left only once the context of `{function}` is done, and every call of "
                        "it in the module passes a context that ends only with the program (a signal's, cobra's "
                        "command context, a fasthttp request's, whose Done is the server's, `context.Background()` "
                        "or `WithoutCancel`): it is left as the program exits"),
    REQUEST_PARAMETER: (" until the handler returns: the request's context is a parameter of `{function}`, and every "
                        "call of it in the module passes the incoming request's context, which the server cancels "
                        "then, and the transport closes the connection"),
}


def _parameter_key(finding: Finding) -> tuple[str, str, str, int] | None:
    """(directory, function, kind, index) of the parameter a finding's address, listener or context
    comes from (`Finding.parameter`, "kind:Function#index")."""
    if not finding.parameter:
        return None
    kind, _, rest = finding.parameter.partition(":")
    name, _, index = rest.rpartition("#")
    return _function_keys(finding)[0], name, kind, int(index)


def _in_once_block(table: "LifetimeTable", finding: Finding) -> bool:
    """The finding's line is in a block of its file that runs once per process however often its
    function runs (PackageSummary.once_blocks)."""
    for span in table.once_blocks.get(_function_keys(finding)[0], ()):
        relpath, first, last = span.rsplit(":", 2)
        if relpath == finding.path and int(first) <= finding.line <= int(last):
            return True
    return False


def _handoff_keys(finding: Finding) -> tuple[tuple[str, str], ...]:
    """(directory, hook) of each slot a GL301 finding's value passes through (Finding.handoffs)."""
    directory = _function_keys(finding)[0]
    return tuple((directory, hook) for hook in finding.handoffs)


def _function_keys(finding: Finding) -> tuple[str, tuple[str, ...]]:
    """The directory and the function names whose lifetimes decide a finding's."""
    return posixpath.dirname(finding.path) or ".", finding.subjects or (
        (model_name(finding.context, finding.path),) if finding.context else ())


def relative_directory(directory: Path, root: Path) -> str:
    try:
        rel = directory.relative_to(root).as_posix()
    except ValueError:
        rel = directory.as_posix()
    return rel if rel not in ("", ".") else "."


_IMPORT_BLOCK = LazyPattern(rb"^import\s*(?:\(([^)]*)\)|([^\n]*))", re.M)
_QUOTED = LazyPattern(rb'"([^"\s]+)"')


def underscore_imports(root: Path, module_roots: set[str]) -> set[str]:
    """The import paths that Go files in directories named with a leading `_` import, under the
    given module roots (relative to `root`). Such directories are left out of a walk, as the go
    tool leaves them out of `./...`, yet a program may import them by path: a generated
    `providers/_all` whose blank imports register every provider package."""
    found: set[str] = set()
    for module_root in sorted(module_roots):
        top = root / module_root
        for directory, names, files in os.walk(top):
            inside = directory != str(top) and any(part.startswith("_") for part in
                                                    Path(directory).relative_to(top).parts)
            names[:] = [n for n in names if n not in ("vendor", "testdata", "node_modules") and not n.startswith(".")]
            if not inside:
                continue
            for name in files:
                if not name.endswith(".go"):
                    continue
                try:
                    data = (Path(directory) / name).read_bytes()
                except OSError:
                    continue
                for block in _IMPORT_BLOCK.finditer(data):
                    found.update(q.group(1).decode("utf-8", "replace")
                                 for q in _QUOTED.finditer(block.group(1) or block.group(2) or b""))
    return found


def import_paths_for(directories: list[Path], root: Path) -> tuple[dict[str, str], dict[str, str]]:
    """Import path and module root (relative directory -> text) of each package directory."""
    paths: dict[str, str] = {}
    modules: dict[str, str] = {}
    for directory, (module_root, module_path) in module_paths(directories).items():
        rel = relative_directory(directory, root)
        inner = os.path.relpath(directory, module_root).replace(os.sep, "/")
        paths[rel] = module_path if inner == "." else f"{module_path}/{inner}"
        modules[rel] = relative_directory(module_root, root)
    return paths, modules
