"""The module model (linter/callgraph.py, linter/lifetime.py): call edges across packages, the
lifetime of every function, and the level each finding takes from it.

The fixture modules under tests/fixtures/lifetimes/ carry `// want` lines like the rule fixtures,
but every rule runs over them: the same leak must be reported where its code runs per request and
stay silent where it runs once from main or only in tests.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from goleaklint.config import Config
from goleaklint.discover import discover, module_context, select_shard
from goleaklint.engine import RunOptions, lint, selected_rules
from goleaklint.lifetime import ANY_VERSION, API, LOOP, ONCE, REQUEST, TEST, UNKNOWN, level_for, support_directory
from goleaklint.rule import Severity

from .conftest import FIXTURES
from .test_fixtures import _expectations

MODULES = sorted(p for p in (FIXTURES / "lifetimes").iterdir() if p.is_dir())


def _lint(root: Path, paths=("./...",), cache_dir: str | None = None, shard=None, lifetimes: bool = True):
    config = Config()
    jobs, _ = discover(list(paths), config, root)
    discovered = jobs
    if shard is not None:
        jobs = select_shard(jobs, shard, root)
    rules = selected_rules(config)
    options = RunOptions(tuple(rm.rule.id for rm in rules), str(root.resolve()), cache_dir=cache_dir,
                         lifetimes=lifetimes)
    context = module_context(jobs, config, root, discovered) if lifetimes else []
    return lint(jobs, options, 1, context)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.name)
def test_lifetime_fixture(module: Path):
    wants = _expectations(module)
    result = _lint(module)
    assert not [n for n in result.notifications if n.is_error]
    got = {(f.path, f.line): f for f in result.findings}
    problems = []
    for key in sorted(set(wants) | set(got)):
        expected = wants.get(key, [])
        finding = got.get(key)
        if not expected:
            problems.append(f"{key}: unexpected {finding.rule_id} {finding.severity.value} ({finding.lifetime})")
            continue
        rule_id, level, _ = expected[0]
        if finding is None or finding.rule_id != rule_id or (level and finding.severity.value != level):
            what = f"{finding.rule_id} {finding.severity.value}" if finding else "nothing"
            problems.append(f"{key}: want {rule_id}[{level or '*'}], got {what}")
    assert not problems, "\n".join(problems)


def _lifetimes(module: Path) -> dict[str, str]:
    model = _lint(module).module
    return {f"{model.packages[n.package].summary.directory}:{n.name}": n.lifetime for n in model.nodes}


@pytest.fixture(scope="module")
def service() -> dict[str, str]:
    return _lifetimes(FIXTURES / "lifetimes" / "service")


@pytest.mark.parametrize("function, lifetime", [
    ("cmd/server:main", ONCE),
    ("cmd/server:run", ONCE),  # main's helper
    ("cmd/server:run.func1", ONCE),
    ("internal/worker:Daemon.Start", ONCE),  # through NewDaemon's declared result, in another package
    ("internal/worker:Daemon.Sweep", ONCE),  # `a.Daemon.Sweep()` through a field main's struct embeds
    ("internal/worker:fetchJob.Run", LOOP),  # `case job := <-r.jobs: job.Run()` in an endless loop
    ("internal/worker:Background", ONCE),  # sync.Once.Do on a package variable
    ("internal/worker:Queue.func1", ONCE),  # a nil-guarded singleton, though a handler calls Queue
    ("internal/worker:StartRefresher.func1", ONCE),  # guarded by a flag it sets, under a mutex
    ("internal/worker:StartPoller.func1", REQUEST),  # a flag it never sets guards nothing
    ("internal/worker:Stats.func1", ONCE),  # made in `if !started { …; started = true }`
    ("internal/worker:Trace.func1", REQUEST),  # the block does not turn its condition off
    ("internal/cache:Register", ONCE),
    ("cmd/tool:main.func1", ONCE),  # cobra RunE literal
    ("cmd/tool:runServe", ONCE),  # cobra RunE function value
    ("cmd/tool:poll", ONCE),
    ("internal/handlers:Fetch", REQUEST),  # a handler, by its parameters
    ("internal/worker:Spawn", REQUEST),  # called by a handler in another package
    ("internal/worker:SpawnInline", REQUEST),  # called by a handler literal registered in main
    ("internal/cache:Remember", REQUEST),
    ("internal/grpcsvc:Greeter.SayHello", REQUEST),  # registered with RegisterGreeterServer
    ("internal/grpcsvc:Greeter.Serve", ONCE),  # the service's start-up method, not an RPC: main calls it
    ("cmd/server:handleConn", LOOP),  # `go handleConn(conn)` in an endless accept loop
    ("internal/worker:Tick", LOOP),  # called in main's `for {}` goroutine
    ("internal/worker:startForTests", TEST),  # only _test.go calls it
    ("internal/worker:StartFake", TEST),  # a file that imports "testing"
    ("internal/testutil:Serve", TEST),  # a test-support package
    ("examples/demo:main", TEST),  # example code
    ("dev/dummy:main", TEST),  # a dummy server for development
    ("tutorials/hello:main", TEST),  # a tutorial's program
    ("conformance/allfeatures:main", TEST),  # a conformance suite's server
    ("internal/relay:Fuzz", TEST),  # go-fuzz's entry point, by its name and signature
    ("internal/relay:FuzzRelay", TEST),
    ("internal/relay:post", UNKNOWN),  # the entry point calls it, and so does ordinary code
    ("internal/relay:FuzzyScore", UNKNOWN),  # only named like one: ordinary code
    ("simulation/app:Server.Start", TEST),  # a simulator of the system's peers
    ("tools/pd-simulator/simulator:ServeStatus", TEST),  # a simulator, as a word of a longer name
    ("internal/simulate:Plan", UNKNOWN),  # a feature named for simulating is not a simulator
    ("internal/extra:init", TEST),  # //go:build debug: not in a default build
    ("internal/extra:Serve", UNKNOWN),  # //go:build linux && !debug: in a default build
    ("internal/extra:SetUpSuite", TEST),  # // +build integration, before Go 1.17's //go:build
    ("internal/extra:Legacy", UNKNOWN),  # // +build linux darwin: either platform, a default build
    ("tools:main", TEST),  # a //go:build ignore program
])
def test_service_lifetimes(service, function, lifetime):
    assert service[function] == lifetime


@pytest.mark.parametrize("directory, support", [
    ("internal/testutil", "testutil"), ("test/e2e/plugin", "test"), ("cmd/test-server", "test-server"),
    ("tools/mockserver", "mockserver"), ("hack/fake-api", "fake-api"), ("integration-tests/cases", "integration-tests"),
    ("pkg/storagetest", "storagetest"), ("internal/tester/servermock", "tester"), ("pkg/servermock", "servermock"),
    ("pkg/latest", None), ("internal/testimonials", None), ("pkg/attestation", None), ("cmd/server", None),
    ("pkg/mocking", None), ("pkg/contest", None),
])
def test_test_support_directories(directory, support):
    assert support_directory(directory.split("/")) == support


def test_library_lifetimes():
    found = _lifetimes(FIXTURES / "lifetimes" / "library")
    assert found["."+":NewClient"] == API
    assert found[".:startJanitor"] == ONCE  # only init calls it


def test_an_uncalled_function_is_unknown(tmp_path):
    """Named by something the call graph does not follow (a value in a table), or a method: some
    caller may exist. Named nowhere at all, unexported, or exported in a program's module: dead
    code, which never runs."""
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        "package main\n\nimport \"example.com/m/app\"\n\nfunc main() { app.Start() }\n\n"
        "func Orphan() { go func() { for { app.Start() } }() }\n\n"
        "func tabled() {}\n\nvar table = []func(){tabled, app.Tabled}\n\n"
        "func orphan() {}\n\nfunc (s *server) stop() {}\n\nfunc (s *server) start() {}\n\n"
        "type starter interface{ start() }\n\ntype server struct{}\n")
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "lib.go").write_text("package lib\n\nfunc orphan() {}\n\nfunc Exported() {}\n")
    (tmp_path / "plugin").mkdir()
    (tmp_path / "plugin" / "plugin.go").write_text("package main\n\nfunc Exported() {}\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "app.go").write_text(
        "package app\n\nfunc Start() {}\n\nfunc Tabled() {}\n\n// Orphan: app.Orphan() is not called.\n"
        "func Orphan() { go func() { for { Start() } }() }\n\n"
        "type Server struct{}\n\nfunc (Server) Serve() {}\n")
    found = _lifetimes(tmp_path)
    assert found["lib:orphan"] == UNKNOWN  # a package nothing in the module uses: not the module's to know
    assert found["lib:Exported"] == UNKNOWN
    assert found["plugin:Exported"] == UNKNOWN  # a plugin's host looks it up by name
    # Exported functions are checked where they could silence a finding (both leak a goroutine).
    assert found[".:Orphan"] == TEST  # exported, but of a program: nothing outside it can call it
    assert found["app:Orphan"] == TEST  # named only in a comment, in a program's module
    assert found["app:Tabled"] == UNKNOWN  # named by main's table
    assert found["app:Server.Serve"] == UNKNOWN  # a method: an interface may reach it
    assert found[".:tabled"] == UNKNOWN
    assert found[".:server.start"] == UNKNOWN  # an interface of the package names it
    assert found[".:orphan"] == TEST
    assert found[".:server.stop"] == TEST
    assert found[".:main"] == ONCE


def test_calls_through_an_interface_of_the_module_reach_its_implementations():
    found = _lifetimes(FIXTURES / "lifetimes" / "interfaces")
    # app.run calls `runner.Run()` on its Runner parameter; main hands it a *svc.Service, which is a
    # Runner through the Initialize it embeds from Base.
    assert found["internal/svc:Service.Run"] == ONCE
    assert found["internal/svc:events.Run"] == ONCE  # through the package's own `worker`
    # `h.store.Save(…)` on a field of type store.Store, in a handler: both of its types, per request.
    assert found["internal/store:remote.Save"] == REQUEST
    assert found["internal/store:memory.Save"] == REQUEST
    assert found["internal/store:remote.Load"] == UNKNOWN  # nothing calls Load


def test_an_interface_call_is_not_followed_to_too_many_types_or_to_test_code(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    types = "".join(f"type t{i} struct{{}}\n\nfunc (t{i}) Close() {{}}\n\nfunc (t{i}) Flush() {{}}\n\n"
                    for i in range(9))
    (tmp_path / "main.go").write_text(
        "package main\n\nimport \"net/http\"\n\n"
        "type closer interface{ Close() }\n\ntype flushCloser interface {\n\tFlush()\n\tClose()\n}\n\n"
        "type cache interface{ Drop() }\n\n"
        "var c closer\n\nvar fc flushCloser\n\nvar k cache\n\n" + types +
        "func handle(w http.ResponseWriter, r *http.Request) {\n\tc.Close()\n\tfc.Flush()\n\tk.Drop()\n}\n\n"
        "func main() { http.HandleFunc(\"/\", handle) }\n")
    (tmp_path / "main_test.go").write_text("package main\n\ntype fake struct{}\n\nfunc (fake) Drop() {}\n")
    found = _lifetimes(tmp_path)
    # One method, nine types that have it: the name says too little. Two methods: each of the nine.
    assert found[".:t0.Close"] == UNKNOWN
    assert found[".:t8.Flush"] == REQUEST
    assert found[".:fake.Drop"] == TEST  # a test's fake implements it; the handler does not run it


def test_a_handler_named_for_reloading_runs_what_it_reaches_once_per_reload(tmp_path):
    # An operator's `/reload` restarts the workers as a restart of the process would: once, not per
    # request; the handler beside it, and one a literal registers, still run per request.
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        "package main\n\nimport \"net/http\"\n\n"
        "func startWorkers() {}\n\nfunc fetch() {}\n\nfunc flush() {}\n\n"
        "func handleConfigReload(w http.ResponseWriter, r *http.Request) { startWorkers() }\n\n"
        "func handleItems(w http.ResponseWriter, r *http.Request) { fetch() }\n\n"
        "func main() {\n\thttp.HandleFunc(\"/reload\", handleConfigReload)\n\thttp.HandleFunc(\"/items\", handleItems)\n"
        "\thttp.HandleFunc(\"/flush\", func(w http.ResponseWriter, r *http.Request) { flush() })\n"
        "\thttp.ListenAndServe(\":8080\", nil)\n}\n")
    found = _lifetimes(tmp_path)
    assert found[".:startWorkers"] == ONCE
    assert found[".:fetch"] == REQUEST  # near miss: a handler of another name
    assert found[".:flush"] == REQUEST  # near miss: a literal says no name


def test_a_forever_loop_left_on_a_counter_it_steps_every_pass_is_bounded(tmp_path):
    # `for { switch round {…}; round++; if round > 3 { return } }` runs four times; a counter
    # stepped only on failures bounds nothing.
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        "package main\n\nfunc step(n int) {}\n\nfunc poll() error { return nil }\n\n"
        "func apply() {\n\tround := 0\n\tfor {\n\t\tswitch round {\n\t\tcase 0:\n\t\t\tstep(round)\n\t\t}\n"
        "\t\tround++\n\t\tif round > 3 {\n\t\t\treturn\n\t\t}\n\t}\n}\n\n"
        "func watch() {\n\tfailures := 0\n\tfor {\n\t\tif err := poll(); err != nil {\n\t\t\tfailures++\n\t\t}\n"
        "\t\tif failures > 3 {\n\t\t\treturn\n\t\t}\n\t}\n}\n\n"
        "func main() {\n\tapply()\n\twatch()\n}\n")
    found = _lifetimes(tmp_path)
    assert found[".:step"] == ONCE
    assert found[".:poll"] == LOOP  # near miss: stepped only when a poll fails


def test_two_copies_of_a_module_each_call_their_own_packages(tmp_path):
    # `game/` and `game-fixed/` are two copies of one module (one path): each copy's main starts its
    # own server, whichever copy the path would name first.
    for copy in ("game", "game-fixed"):
        (tmp_path / copy / "api").mkdir(parents=True)
        (tmp_path / copy / "cmd" / "server").mkdir(parents=True)
        (tmp_path / copy / "go.mod").write_text("module example.com/game\n\ngo 1.22\n")
        (tmp_path / copy / "api" / "server.go").write_text(
            "package api\n\nimport \"net/http\"\n\nfunc Start() error { return http.ListenAndServe(\":8080\", nil) }\n\n"
            "func Unused() {}\n")
        (tmp_path / copy / "cmd" / "server" / "main.go").write_text(
            "package main\n\nimport \"example.com/game/api\"\n\nfunc main() { _ = api.Start() }\n")
    found = _lifetimes(tmp_path)
    assert found["game/api:Start"] == ONCE
    assert found["game-fixed/api:Start"] == ONCE
    assert found["game-fixed/api:Unused"] != ONCE  # near miss: nothing calls it in either copy


def test_a_singleton_block_that_opens_with_a_comment_runs_once(tmp_path):
    # `if cache == nil { // set up with defaults … cache, err = newCache(cfg) }`: the comment that opens
    # the block does not hide the assignment that turns the guard off.
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        "package main\n\nimport \"net/http\"\n\ntype Cache struct{}\n\nvar cache *Cache\n\n"
        "func newCache(size int) (*Cache, error) { return &Cache{}, nil }\n\n"
        "func getCache() *Cache {\n\tif cache == nil {\n\t\t// set up with defaults\n\t\tsize := 10\n"
        "\t\tvar err error\n\t\tcache, err = newCache(size)\n\t\t_ = err\n\t}\n\treturn cache\n}\n\n"
        "func handle(w http.ResponseWriter, r *http.Request) { _ = getCache() }\n\n"
        "func main() { http.HandleFunc(\"/\", handle) }\n")
    found = _lifetimes(tmp_path)
    assert found[".:newCache"] == ONCE
    assert found[".:getCache"] == REQUEST  # near miss: the getter itself runs per request


def test_a_call_through_a_package_table_of_functions_reaches_each_of_them(tmp_path):
    # `dynFuncs[name](q)` on a package map of the package's functions (declared in a sibling file)
    # reaches each; a table that is only read (`_, ok := shown[name]`) calls nothing.
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "funcs.go").write_text(
        "package main\n\ntype dynFunc func(q string) string\n\n"
        "func linkBack(q string) string { return q }\n\nfunc permaLink(q string) string { return q }\n\n"
        "func listed(q string) string { return q }\n\n"
        "var dynFuncs = map[string]dynFunc{\n\t\"LinkBack\": linkBack,\n\t\"PermaLink\": permaLink,\n}\n\n"
        "var shown = map[string]dynFunc{\"Listed\": listed}\n")
    (tmp_path / "main.go").write_text(
        "package main\n\nimport \"net/http\"\n\n"
        "func render(w http.ResponseWriter, r *http.Request) {\n\tname := r.FormValue(\"f\")\n"
        "\tif _, ok := shown[name]; ok {\n\t\treturn\n\t}\n\t_ = dynFuncs[name](name)\n}\n\n"
        "func main() { http.HandleFunc(\"/\", render) }\n")
    found = _lifetimes(tmp_path)
    assert found[".:linkBack"] == REQUEST
    assert found[".:permaLink"] == REQUEST
    assert found[".:listed"] != REQUEST  # near miss: its table is only read


def test_a_method_of_three_or_more_parameters_reaches_every_type(tmp_path):
    # A driver table: forty storage drivers each `Put(ctx, dir, file, up)`, one interface of that one
    # method. A name with three parameters says as much as a signature. One short method (`Drop(k)`),
    # two or three still say too little past the caps.
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    types = "".join(f"type d{i} struct{{}}\n\nfunc (d{i}) Put(ctx any, dir, name string, up func()) error {{ return nil }}\n\n"
                    f"func (d{i}) Drop(k string) {{}}\n\nfunc (d{i}) Open() {{}}\n\nfunc (d{i}) Sync() {{}}\n\n"
                    f"func (d{i}) Stat() {{}}\n\n" for i in range(40))
    (tmp_path / "main.go").write_text(
        "package main\n\nimport \"net/http\"\n\n"
        "type putter interface {\n\tPut(ctx any, dir, name string, up func()) error\n}\n\n"
        "type dropper interface{ Drop(k string) }\n\n"
        "type opener interface {\n\tOpen()\n\tSync()\n}\n\n"
        "type stater interface {\n\tOpen()\n\tSync()\n\tStat()\n}\n\n"
        "var p putter\n\nvar k dropper\n\nvar o opener\n\nvar s stater\n\n" + types +
        "func handle(w http.ResponseWriter, r *http.Request) {\n\t_ = p.Put(nil, \"/\", \"f\", nil)\n"
        "\tk.Drop(\"x\")\n\to.Open()\n\ts.Stat()\n}\n\n"
        "func main() { http.HandleFunc(\"/\", handle) }\n")
    found = _lifetimes(tmp_path)
    assert found[".:d39.Put"] == REQUEST
    assert found[".:d39.Stat"] == UNKNOWN  # near miss: three short methods, forty types (over 32)
    assert found[".:d0.Drop"] == UNKNOWN  # near miss: one method of one parameter, forty types
    assert found[".:d0.Open"] == UNKNOWN  # near miss: two methods, forty types (over 32)


def test_the_handler_a_middleware_only_tests_make_returns_runs_only_in_tests(tmp_path):
    # `Optional()` is mounted only by its tests; `Required()` by main too: the literal each returns is
    # a request handler by its parameters, made only when its maker runs.
    mw = ("package mw\n\nimport \"net/http\"\n\n"
          "func Optional() func(http.ResponseWriter, *http.Request) {\n"
          "\treturn func(w http.ResponseWriter, r *http.Request) {}\n}\n\n"
          "func Required() func(http.ResponseWriter, *http.Request) {\n"
          "\treturn func(w http.ResponseWriter, r *http.Request) {}\n}\n")
    _write_module(tmp_path, "example.com/t", {
        "mw": mw,
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/t/mw\"\n)\n\n"
                   "func main() { http.ListenAndServe(\":8080\", http.HandlerFunc(mw.Required())) }\n",
    })
    (tmp_path / "mw" / "x_test.go").write_text(
        "package mw\n\nimport \"testing\"\n\nfunc TestBoth(t *testing.T) {\n\t_ = Optional()\n\t_ = Required()\n}\n")
    found = _lifetimes(tmp_path)
    assert found["mw:Optional.func1"] == TEST
    assert found["mw:Required.func1"] == REQUEST  # near miss: main mounts it too


def test_a_method_called_on_what_an_interface_method_returns_reaches_that_type(tmp_path):
    # A multi-cloud driver: `conn.CreateDiskHandler()` on a connection of interface type declares a
    # `DiskHandler` result, whose implementations `.ListDisk()` reaches; a concrete result its method.
    _write_module(tmp_path, "example.com/t", {
        "res": "package res\n\ntype DiskHandler interface {\n\tListDisk() error\n\tGetDisk(id string) error\n}\n\n"
               "type Stats struct{}\n\nfunc (s *Stats) Count() int { return 0 }\n\nfunc (s *Stats) Reset() {}\n\n"
               "type CloudConnection interface {\n\tCreateDiskHandler() (DiskHandler, error)\n\tStats() *Stats\n"
               "\tClose() error\n}\n",
        "aws": "package aws\n\nimport \"example.com/t/res\"\n\ntype Conn struct{}\n\n"
               "func (c *Conn) CreateDiskHandler() (res.DiskHandler, error) { return &Disk{}, nil }\n\n"
               "func (c *Conn) Stats() *res.Stats { return nil }\n\nfunc (c *Conn) Close() error { return nil }\n\n"
               "type Disk struct{}\n\nfunc (d *Disk) ListDisk() error { return nil }\n\n"
               "func (d *Disk) GetDisk(id string) error { return nil }\n",
        "api": "package api\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/t/res\"\n)\n\n"
               "var conn res.CloudConnection\n\n"
               "func List(w http.ResponseWriter, r *http.Request) {\n\th, _ := conn.CreateDiskHandler()\n\t_ = h.ListDisk()\n"
               "\t_ = conn.Stats().Count()\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/t/api\"\n\t\"example.com/t/aws\"\n)\n\n"
                   "var _ = &aws.Conn{}\n\n"
                   "func main() { http.ListenAndServe(\":8080\", http.HandlerFunc(api.List)) }\n",
    })
    found = _lifetimes(tmp_path)
    assert found["aws:Disk.ListDisk"] == REQUEST  # through the result the interface method declares
    assert found["res:Stats.Count"] == REQUEST  # a concrete result
    assert found["aws:Disk.GetDisk"] == UNKNOWN  # near miss: the same interface, not called
    assert found["res:Stats.Reset"] == UNKNOWN  # near miss: the same type, not called


def test_a_method_called_on_a_type_switch_binding_reaches_the_cases_type(tmp_path):
    # `switch s := storage.(type) { case driver.Put: s.Put(…) }`: in a case of one type the binding
    # has that type; in a case of two it keeps the switched value's.
    _write_module(tmp_path, "example.com/t", {
        "driver": "package driver\n\ntype Put interface {\n\tPut(name string) error\n}\n\n"
                  "type Lister interface {\n\tList() error\n}\n\ntype Other interface {\n\tOther() error\n}\n",
        "local": "package local\n\ntype Local struct{}\n\nfunc (l *Local) Put(name string) error { return nil }\n\n"
                 "func (l *Local) List() error { return nil }\n\nfunc (l *Local) Other() error { return nil }\n",
        "op": "package op\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/t/driver\"\n)\n\n"
              "var storage any\n\n"
              "func Upload(w http.ResponseWriter, r *http.Request) {\n\tswitch s := storage.(type) {\n"
              "\tcase driver.Put:\n\t\t_ = s.Put(\"f\")\n\tcase driver.Lister, driver.Other:\n\t\t_ = s\n\t}\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/t/local\"\n\t\"example.com/t/op\"\n)\n\n"
                   "var _ = &local.Local{}\n\n"
                   "func main() { http.ListenAndServe(\":8080\", http.HandlerFunc(op.Upload)) }\n",
    })
    found = _lifetimes(tmp_path)
    assert found["local:Local.Put"] == REQUEST  # through the interface the case names
    assert found["local:Local.List"] == UNKNOWN  # near miss: a case of two types, nothing called


@pytest.mark.parametrize("lifetime, expected", [
    (REQUEST, Severity.ERROR), (LOOP, Severity.WARNING), (API, Severity.WARNING), (UNKNOWN, Severity.WARNING),
    (ONCE, None), (TEST, None),
])
def test_levels_by_lifetime(lifetime, expected):
    assert level_for("repeats", lifetime, Severity.ERROR, repeats=False) == expected


def test_levels_for_repeating_exposure_and_growth():
    assert level_for("repeats", ONCE, Severity.WARNING, repeats="loop") == Severity.WARNING
    assert level_for("repeats", TEST, Severity.WARNING, repeats="benchmark") == Severity.WARNING
    assert level_for("repeats", TEST, Severity.ERROR, repeats="benchmark") == Severity.WARNING
    assert level_for("repeats", TEST, Severity.WARNING, repeats="loop") is None  # an endless loop in a test ends with it
    assert level_for("exposure", TEST, Severity.WARNING, repeats="benchmark") is None
    assert level_for("per-call", UNKNOWN, Severity.WARNING, repeats="") == Severity.NOTE
    assert level_for("per-call", API, Severity.WARNING, repeats="") == Severity.NOTE
    assert level_for("per-call", API, Severity.WARNING, repeats="loop") == Severity.WARNING  # it leaks in one run
    assert level_for("per-call", REQUEST, Severity.WARNING, repeats="") == Severity.WARNING
    assert level_for("per-call", ONCE, Severity.WARNING, repeats="") is None
    assert level_for("exposure", ONCE, Severity.ERROR, repeats=False) == Severity.ERROR
    assert level_for("exposure", TEST, Severity.ERROR, repeats=False) is None
    assert level_for("growth", REQUEST, Severity.NOTE, repeats=False) == Severity.WARNING
    assert level_for("growth", UNKNOWN, Severity.NOTE, repeats=False) == Severity.NOTE
    assert level_for("growth", ONCE, Severity.ERROR, repeats=False) is None


def test_a_subset_is_judged_as_the_whole_module_is():
    module = FIXTURES / "lifetimes" / "service"
    whole = {(f.path, f.line, f.rule_id, f.severity) for f in _lint(module).findings if f.path.startswith("internal/worker/")}
    part = {(f.path, f.line, f.rule_id, f.severity) for f in _lint(module, ["internal/worker/..."]).findings}
    assert whole and part == whole


def test_shards_partition_the_unsharded_findings():
    module = FIXTURES / "lifetimes" / "service"
    whole = sorted((f.path, f.line, f.rule_id, f.severity) for f in _lint(module).findings)
    parts = []
    for k in (1, 2, 3):
        parts += [(f.path, f.line, f.rule_id, f.severity) for f in _lint(module, shard=(k, 3)).findings]
    assert sorted(parts) == whole


def test_without_lifetimes_everything_is_judged_alone():
    module = FIXTURES / "lifetimes" / "service"
    judged = _lint(module)
    alone = _lint(module, lifetimes=False)
    assert len(alone.findings) > len(judged.findings)
    silenced = {(f.path, f.line) for f in judged.silenced}
    assert ("internal/worker/worker.go", 25) in silenced  # Background's goroutine: once
    assert ("internal/worker/worker.go", 25) in {(f.path, f.line) for f in alone.findings}


def test_a_new_caller_in_another_package_changes_a_cached_finding(tmp_path):
    """The cache holds each package's findings before lifetimes are applied, so making a handler
    call what only main called before reports it on the warm run, although the package that holds
    it did not change."""
    module = tmp_path / "service"
    shutil.copytree(FIXTURES / "lifetimes" / "service", module)
    cache = str(tmp_path / "cache")
    before = _lint(module, cache_dir=cache)
    assert ("internal/worker/worker.go", 25) not in {(f.path, f.line) for f in before.findings}
    fetch = module / "internal" / "handlers" / "fetch.go"
    fetch.write_text(fetch.read_text().replace("\tworker.Spawn()\n", "\tworker.Spawn()\n\tworker.Background()\n"))
    after = _lint(module, cache_dir=cache)
    reported = {(f.path, f.line): f for f in after.findings}
    assert ("internal/worker/worker.go", 25) in reported
    assert reported[("internal/worker/worker.go", 25)].lifetime == REQUEST
    # and back: main-only again, silent again, from the cache
    fetch.write_text(fetch.read_text().replace("\tworker.Background()\n", ""))
    again = _lint(module, cache_dir=cache)
    assert ("internal/worker/worker.go", 25) not in {(f.path, f.line) for f in again.findings}


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "goleaklint", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def service_copy(tmp_path) -> Path:
    """The service module outside this repository, whose own config excludes tests/fixtures."""
    module = tmp_path / "service"
    shutil.copytree(FIXTURES / "lifetimes" / "service", module)
    return module


def test_explain_prints_the_lifetime_and_the_chain(service_copy):
    module = service_copy
    proc = _cli(module, "explain", "internal/worker/worker.go:8", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "internal/worker/worker.go:7: Spawn.func1"
    assert lines[1] == "lifetime: per request"
    assert re.search(r"internal/handlers/fetch.go:10\s+Fetch\s+root: a request handler", proc.stdout)
    assert re.search(r"internal/worker/worker.go:6\s+Spawn\s+called at internal/handlers/fetch.go:11", proc.stdout)

    proc = _cli(module, "explain", "cmd/server/main.go:47", "--no-cache")
    assert "lifetime: once per process" in proc.stdout
    assert re.search(r"cmd/server/main.go:21\s+main\s+root: main of package main", proc.stdout)

    proc = _cli(module, "explain", "internal/dead/dead.go:10", "--no-cache")
    assert proc.stdout.splitlines()[1:] == [
        "lifetime: never runs (judged as test-only code)",
        "because: dead code: nothing in the module calls it and nothing in its package names it"]


def test_explain_names_the_interface_a_call_goes_through(tmp_path):
    module = tmp_path / "interfaces"
    shutil.copytree(FIXTURES / "lifetimes" / "interfaces", module)
    proc = _cli(module, "explain", "internal/svc/svc.go:30", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert "lifetime: once per process" in proc.stdout
    assert re.search(r"internal/svc/svc.go:\d+\s+Service.Run\s+called through interface `Runner` at "
                     r"internal/app/runner.go:28", proc.stdout)
    # A library's own implementation of its public interface: its tool's one call does not bound it.
    proc = _cli(module, "explain", "client/client.go:33", "--no-cache")
    assert "lifetime: unknown (an implementation of a library's public interface: other modules call it)" in proc.stdout
    assert re.search(r"client/client.go:\d+\s+plain.Ping\s+root: called only through its package's public "
                     r"interface", proc.stdout)


def test_explain_says_a_function_runs_again_and_again_when_handed_to_wait_until(tmp_path):
    module = tmp_path / "pollers"
    shutil.copytree(FIXTURES / "lifetimes" / "pollers", module)
    line = next(n for n, text in enumerate((module / "main.go").read_text().splitlines(), 1)
                if "http.Get(c.url)" in text)
    proc = _cli(module, "explain", f"main.go:{line}", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert "lifetime: in an unbounded loop" in proc.stdout
    assert re.search(r"controller.sync\s+called at main.go:\d+, handed to `wait.Until`, which runs it again and again",
                     proc.stdout)


def test_explain_says_an_exported_function_nothing_names_never_runs(service_copy):
    # As the lint does: FetchCode leaks a body, so whether it is dead decides that finding.
    proc = _cli(service_copy, "explain", "internal/dead/dead.go:54", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:3] == [
        "lifetime: never runs (judged as test-only code)",
        "because: dead code: an exported function of a program's module that nothing in the module names "
        "(neither its package nor a package that imports it)"]


def test_explain_reads_the_tree_for_a_library_its_programs_take_unpublished(tmp_path):
    """Run from the tree's top, explain of a file in a library module that a program's module takes
    unpublished reads the whole tree, as the lint does, so both say the same; from inside the
    library's module, only that module is read."""
    tree = tmp_path / "shop"
    shutil.copytree(FIXTURES / "GL406_unbounded-body-read" / "localshared", tree)
    proc = _cli(tree, "explain", "shared/middleware/bodies.go:25", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == [
        "lifetime: never runs (judged as test-only code)",
        "because: written in AuditBodies, which never runs: dead code: an exported function of a library module "
        "the tree's programs take from the tree unpublished (go.mod: a zero version and a `replace` by its "
        "directory), that none of them names (neither its package nor a package that imports it)"]
    assert _cli(tree, "explain", "shared/middleware/bodies.go:15", "--no-cache").stdout.splitlines()[1] == \
        "lifetime: per request"
    # A published library (a released version required) keeps its API, whoever in the tree names it.
    assert _cli(tree, "explain", "published/middleware/bodies.go:25", "--no-cache").stdout.splitlines()[1] == \
        "lifetime: per request"
    assert _cli(tree / "shared", "explain", "middleware/bodies.go:25", "--no-cache").stdout.splitlines()[1] == \
        "lifetime: per request"


def test_explain_reads_the_tree_for_a_copy_of_another_projects_library(tmp_path):
    """From the tree's top, a plugin module copied into the tree that no go.mod replaces by its
    directory never runs, as the lint says; one the program's go.mod takes from the tree at a released
    version is built, and keeps its API. From inside the copy, only the copy is read."""
    tree = tmp_path / "app"
    shutil.copytree(FIXTURES / "lifetimes" / "copiedplugins", tree)
    proc = _cli(tree, "explain", "common/plugins/registry/etcd/etcd.go:12", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == [
        "lifetime: never runs (judged as test-only code)",
        "because: dead code: in a copy of another project's library module that no module of the tree replaces "
        "by its directory, so no program of the tree builds it"]
    assert _cli(tree, "explain", "common/plugins/registry/consul/consul.go:7", "--no-cache").stdout.splitlines()[1] == \
        "lifetime: per call of a library API"
    assert _cli(tree / "common" / "plugins" / "registry" / "etcd", "explain", "etcd.go:12",
                "--no-cache").stdout.splitlines()[1] == "lifetime: in an unbounded loop"


def test_a_method_only_an_interface_declares_never_runs_and_explain_says_so(tmp_path):
    tree = tmp_path / "members"
    shutil.copytree(FIXTURES / "lifetimes" / "interfacemethods", tree)
    proc = _cli(tree, "explain", "internal/usecase/usecase.go:25", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == [
        "lifetime: never runs (judged as test-only code)",
        "because: dead code: an exported method of a program's module that an interface of the module declares "
        "and nothing in the module calls or names"]


def test_explain_says_a_method_of_a_type_only_dead_code_makes_never_runs(tmp_path):
    module = tmp_path / "unmadetypes"
    shutil.copytree(FIXTURES / "lifetimes" / "unmadetypes", module)
    source = (module / "internal" / "controller" / "controller.go").read_text().splitlines()

    def explained(signature: str) -> list[str]:
        line = next(n for n, text in enumerate(source, 1) if text.startswith(signature)) + 1
        proc = _cli(module, "explain", f"internal/controller/controller.go:{line}", "--no-cache")
        assert proc.returncode == 0, proc.stderr
        return proc.stdout.splitlines()[1:]

    assert explained("func (s *Schedules) Create") == [
        "lifetime: never runs (judged as test-only code)",
        "because: dead code: a method of a type of a program's module that no code that runs makes "
        "(`Schedules` is made only in `NewSchedules`, which never runs)"]
    assert explained("func (e *Exports) Upload")[1] == (
        "because: dead code: a method of a type of a program's module that no code that runs makes "
        "(nothing names `Exports`)")
    # A type only a dead type's method makes.
    assert explained("func (p *Reports) Upload")[1].endswith("(`Reports` is made only in `Schedules.Reports`, which never runs)")
    # The type main makes serves requests.
    assert explained("func (u *Users) Create")[0] == "lifetime: per request"


def test_explain_says_the_handler_a_dead_constructor_returns_never_runs(tmp_path):
    module = tmp_path / "deadmiddleware"
    shutil.copytree(FIXTURES / "lifetimes" / "deadmiddleware", module)
    source = (module / "internal" / "middleware" / "middleware.go").read_text().splitlines()
    line = next(n for n, text in enumerate(source, 1) if "func Governance" in text) + 2
    proc = _cli(module, "explain", f"internal/middleware/middleware.go:{line}", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[1:] == [
        "lifetime: never runs (judged as test-only code)",
        "because: written in Governance, which never runs: dead code: an exported function of a program's "
        "module that nothing in the module names (neither its package nor a package that imports it)"]
    # The one main mounts runs per request.
    line = next(n for n, text in enumerate(source, 1) if "func Logging" in text) + 2
    proc = _cli(module, "explain", f"internal/middleware/middleware.go:{line}", "--no-cache")
    assert proc.stdout.splitlines()[1] == "lifetime: per request"


def test_explain_shows_the_chain_of_code_only_a_binarys_commands_reach(service_copy):
    proc = _cli(service_copy, "explain", "internal/agentloop/loop.go:15", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert "lifetime: unknown" in proc.stdout
    assert re.search(r"cmd/agent/main.go:17\s+doRun\s+root: no caller seen in the module \(in a main package", proc.stdout)
    assert re.search(r"internal/agentloop/loop.go:8\s+Run\s+called at cmd/agent/main.go:18", proc.stdout)
    assert "only functions of main packages that nothing in the module calls reach it" in proc.stdout
    # A function outside main that nothing calls is a root of its own, and says nothing of main.
    proc = _cli(service_copy, "explain", "internal/agentloop/loop.go:31", "--no-cache")
    assert re.search(r"internal/agentloop/loop.go:28\s+Orphan\s+root: no caller seen in the module$", proc.stdout, re.M)
    assert "only functions of main packages" not in proc.stdout


@pytest.mark.parametrize("location, message", [
    ("nowhere.go:3", "no such file"),
    ("go.mod:1", "not a Go file"),
    ("internal/worker/worker.go", "expected FILE:LINE"),
])
def test_explain_rejects_bad_input(service_copy, location, message):
    proc = _cli(service_copy, "explain", location, "--no-cache")
    assert proc.returncode == 2
    assert message in proc.stderr


def test_cli_no_lifetimes_reports_main_code(service_copy):
    module = service_copy
    judged = _cli(module, "--no-cache", "--format", "json", "--select", "GL103", "--min-precision", "low", "./...")
    alone = _cli(module, "--no-cache", "--format", "json", "--select", "GL103", "--min-precision", "low",
                 "--no-lifetimes", "./...")
    assert judged.stdout.count('"GL103"') < alone.stdout.count('"GL103"')


def test_cli_shards_partition_the_unsharded_findings(service_copy):
    import json

    def findings(*extra):
        proc = _cli(service_copy, "--no-cache", "--format", "json", "--show-notes", *extra, "./...")
        assert proc.returncode in (0, 1), proc.stderr
        return sorted((f["path"], f["line"], f["rule"], f["severity"]) for f in json.loads(proc.stdout)["findings"])

    whole = findings()
    assert whole
    assert sorted(findings("--shard", "1/2") + findings("--shard", "2/2")) == whole


def test_a_package_level_finding_in_a_file_built_only_with_a_custom_tag_is_test_only():
    from goleaklint.lifetime import lifetime_of
    from goleaklint.rule import Finding

    model = _lint(FIXTURES / "lifetimes" / "service").module
    assert "internal/extra/pprof.go" in model.test_files
    assert "internal/extra/linux.go" not in model.test_files
    finding = Finding("internal/extra/pprof.go", 7, 1, 7, 2, "GL501", "pprof", Severity.ERROR)
    assert lifetime_of(model, finding) == TEST


def test_cli_warm_runs_reuse_the_lifetimes_and_see_a_new_caller(service_copy, tmp_path):
    """A warm run loads the run's lifetimes from the cache instead of building the model; any
    change to any package is a new run key, so a new caller elsewhere still changes the level."""
    import json

    cache = tmp_path / "cache"

    def findings():
        proc = _cli(service_copy, "--cache-dir", str(cache), "--format", "json", "--show-notes",
                    "--min-precision", "low", "./...")
        assert proc.returncode in (0, 1), proc.stderr
        return {(f["path"], f["line"], f["rule"], f["severity"]) for f in json.loads(proc.stdout)["findings"]}

    cold = findings()
    tables = list(cache.rglob("t*"))
    assert [p for p in tables if p.is_file()], "the run's lifetimes were not cached"
    assert findings() == cold  # warm, from the cached lifetimes
    # The warm run really reads them: a table that says Spawn runs once silences its goroutine.
    from goleaklint.cache import entry_checksum

    [table_file] = [p for p in tables if p.is_file()]
    checksum, _, payload = table_file.read_bytes().partition(b"\n")
    data = json.loads(payload)
    data["table"]["l"] = [[d, n, "once" if n in ("Spawn", "Spawn.func1") else v] for d, n, v in data["table"]["l"]]
    payload = json.dumps(data, separators=(",", ":")).encode()
    table_file.write_bytes(entry_checksum(payload) + b"\n" + payload)
    assert ("internal/worker/worker.go", 7, "GL103", "warning") in cold
    assert ("internal/worker/worker.go", 7, "GL103", "warning") not in findings()
    table_file.unlink()
    nocache = _cli(service_copy, "--no-cache", "--format", "json", "--show-notes", "--min-precision", "low", "./...")
    assert {(f["path"], f["line"], f["rule"], f["severity"]) for f in json.loads(nocache.stdout)["findings"]} == cold
    assert ("internal/worker/worker.go", 25, "GL103", "warning") not in cold
    fetch = service_copy / "internal" / "handlers" / "fetch.go"
    fetch.write_text(fetch.read_text().replace("\tworker.Spawn()\n", "\tworker.Spawn()\n\tworker.Background()\n"))
    assert ("internal/worker/worker.go", 25, "GL103", "warning") in findings()


def test_a_function_handed_to_a_call_by_name_takes_the_callers_lifetime(tmp_path):
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "main.go").write_text(
        "package main\n\nimport \"sync\"\n\nfunc main() {\n\tvar wg sync.WaitGroup\n\tgoAll(&wg, poll,\n\t\tsweep)\n}\n\n"
        "func goAll(wg *sync.WaitGroup, fs ...func()) {}\n\nfunc poll() {}\n\nfunc sweep() {}\n\n"
        "// in a comment: goAll(nil, stray)\nfunc stray() {}\n")
    found = _lifetimes(tmp_path)
    assert found[".:poll"] == ONCE
    assert found[".:sweep"] == ONCE  # on the next line
    assert found[".:stray"] == TEST  # named only in a comment: dead code


def test_warm_runs_keep_what_routes_put_in_front_of_handlers(tmp_path):
    """The cached lifetimes table carries the routes' guards for the findings it judges: a warm run
    reports GL406 behind authentication or a developer switch as the cold run did."""
    import json

    module = tmp_path / "webapp"
    shutil.copytree(FIXTURES / "lifetimes" / "webapp", module)
    cache = tmp_path / "cache"

    def findings():
        proc = _cli(module, "--cache-dir", str(cache), "--format", "json", "--show-notes", "./...")
        assert proc.returncode in (0, 1), proc.stderr
        return sorted((f["path"], f["line"], f["rule"], f["severity"], f["message"]) for f in json.loads(proc.stdout)["findings"])

    cold = findings()
    notes = [f for f in cold if f[2] == "GL406" and f[3] == "note"]
    assert any("authentication in front" in f[4] for f in notes)
    assert any("developer switch" in f[4] or "debug, test or demo switch" in f[4] for f in notes)
    assert findings() == cold


def test_explain_says_what_stands_in_front_of_a_handlers_routes(tmp_path):
    module = tmp_path / "webapp"
    shutil.copytree(FIXTURES / "lifetimes" / "webapp", module)
    upload = _cli(module, "explain", "internal/api/api.go:18", "--no-cache")
    assert upload.returncode == 0, upload.stderr
    assert "routes: 1 route registers it; authentication in front of all of them" in upload.stdout
    both = _cli(module, "explain", "internal/api/api.go:38", "--no-cache")
    assert "routes: 2 routes register it; authentication in front of 1 of them" in both.stdout


def test_explain_says_a_middleware_is_mounted_behind_authentication(tmp_path):
    # `private.Use(mw.JWTAuth()); private.Use(mw.AuditLog(), mw.Capture())`, and Capture mounted
    # again on a group with nothing in front.
    module = tmp_path / "mounted"
    shutil.copytree(FIXTURES / "GL406_unbounded-body-read" / "mounted", module)
    audit = _cli(module, "explain", "mw/mw.go:15", "--no-cache")
    assert audit.returncode == 0, audit.stderr
    assert "routes: 1 `Use` registers it; authentication in front of all of them" in audit.stdout
    capture = _cli(module, "explain", "mw/mw.go:35", "--no-cache")
    assert "routes: 2 `Use` calls register it; authentication in front of 1 of them" in capture.stdout


def test_a_package_variable_a_sibling_file_makes_is_resolved_with_that_files_imports(tmp_path):
    """`var log = Log.GetLogger()` in one file, `log.Error(…)` in another. The call that made the
    variable was resolved with the using file's bytes: at the declaring file's offsets they could
    spell the variable's own name again, and the summary recursed until Python gave up, which
    ended the whole run. Here they do; and a variable a sibling makes with an in-module import's
    constructor still gives its methods' calls their callers' lifetime."""
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n", encoding="utf-8")
    pkg = tmp_path / "store"
    pkg.mkdir()
    compact = 'package store\n\nimport Log "example.com/m/logger"\n\n// ' + "-" * 300 + '\nvar log = Log.GetLogger()\n'
    (pkg / "compact.go").write_text(compact, encoding="utf-8")
    stream = ('package store\n\nimport (\n\t"net/http"\n\n\t"example.com/m/db"\n)\n\n'
              'func handle(w http.ResponseWriter, r *http.Request) {\n\tlog.Error("open", nil)\n'
              '\tstore.Fetch(r.URL.Query().Get("u"))\n}\n')
    at = compact.index("Log.GetLogger")
    stream = stream + "//" + " " * (at - len(stream) - 2) + "log\n"  # `log` where compact.go has `Log`
    assert stream[at:at + 3] == "log"
    (pkg / "stream.go").write_text(stream, encoding="utf-8")
    (pkg / "store.go").write_text('package store\n\nimport "example.com/m/db"\n\nvar store = db.Open()\n',
                                  encoding="utf-8")
    (tmp_path / "logger").mkdir()
    (tmp_path / "logger" / "logger.go").write_text(
        "package logger\n\ntype Logger struct{}\n\nfunc (l *Logger) Error(string, error) {}\n\n"
        "func GetLogger() *Logger { return &Logger{} }\n", encoding="utf-8")
    (tmp_path / "db").mkdir()
    (tmp_path / "db" / "db.go").write_text(
        'package db\n\nimport "net/http"\n\ntype DB struct{}\n\nfunc Open() *DB { return &DB{} }\n\n'
        'func (d *DB) Fetch(url string) {\n\tresp, err := http.Get(url)\n\tif err != nil {\n\t\treturn\n\t}\n'
        '\t_ = resp.StatusCode\n}\n', encoding="utf-8")
    result = _lint(tmp_path)
    assert not [n for n in result.notifications if n.is_error]
    assert [(f.rule_id, f.path, f.lifetime) for f in result.findings] == [("GL405", "db/db.go", REQUEST)]


def test_a_summary_that_crashes_costs_its_package_lifetimes_not_the_run(tmp_path, monkeypatch):
    from goleaklint import engine

    real = engine.summarise_package

    def crash(directory, name, *args, **kwargs):
        if directory == "store":
            raise RecursionError("maximum recursion depth exceeded")
        return real(directory, name, *args, **kwargs)

    monkeypatch.setattr(engine, "summarise_package", crash)
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n", encoding="utf-8")
    for name in ("store", "other"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "a.go").write_text(
            f'package {name}\n\nimport "net/http"\n\nfunc Open(url string) {{\n\tresp, _ := http.Get(url)\n'
            '\t_ = resp.StatusCode\n}\n', encoding="utf-8")
    result = _lint(tmp_path)
    errors = [n for n in result.notifications if n.is_error]
    assert [(n.path, n.message.split(":")[0]) for n in errors] == [
        ("store", "the module model's summary of package store crashed")]
    assert sorted(f.path for f in result.findings) == ["other/a.go", "store/a.go"]


def test_a_tree_without_go_mod_takes_its_module_path_from_its_own_imports(tmp_path):
    """GOPATH-era code: no go.mod, and its packages import each other by their full paths."""
    tree = tmp_path / "app"
    for directory, text in {
        ".": 'package main\n\nimport (\n\t"github.com/acme/app/system/db"\n\t"github.com/acme/app/worker"\n'
             '\t"github.com/other/lib/util"\n)\n\nfunc main() { db.Open(); worker.Start(); util.Do() }\n',
        "system/db": "package db\n\nfunc Open() {}\n",
        "worker": "package worker\n\nfunc Start() {}\n",
        "util": "package util\n\nfunc Do() {}\n",  # not the package main imports: that is a dependency's
    }.items():
        (tree / directory).mkdir(parents=True, exist_ok=True)
        (tree / directory / "a.go").write_text(text)
    found = _lifetimes(tree)
    assert found["system/db:Open"] == ONCE
    assert found["worker:Start"] == ONCE
    assert found["util:Do"] == UNKNOWN


def test_a_tree_without_go_mod_is_not_named_after_a_dependency(tmp_path):
    # One directory whose name is the tail of a dependency's package: no evidence of the tree's path.
    tree = tmp_path / "tool"
    (tree / "util").mkdir(parents=True)
    (tree / "main.go").write_text('package main\n\nimport "github.com/other/lib/util"\n\nfunc main() { util.Do() }\n')
    (tree / "util" / "a.go").write_text("package util\n\nfunc Do() {}\n")
    assert _lifetimes(tree)["util:Do"] == UNKNOWN


def test_explain_in_a_tree_without_go_mod_sees_what_the_run_sees(tmp_path):
    # A GOPATH-era tree: no go.mod anywhere. `./...` from its root lints every package, and a main
    # package among them makes the others part of a program, not a library's API; explain must read
    # the same tree, not only the file's own package.
    (tmp_path / "lib").mkdir()
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n", encoding="utf-8")
    (tmp_path / "lib" / "lib.go").write_text(
        'package lib\n\nimport "context"\n\nfunc work() int { return 1 }\n\n'
        "func Lookup(ctx context.Context) error {\n\tch := make(chan int)\n\tgo func() { ch <- work() }()\n"
        "\tselect {\n\tcase <-ch:\n\t\treturn nil\n\tcase <-ctx.Done():\n\t\treturn ctx.Err()\n\t}\n}\n",
        encoding="utf-8")
    run = _cli(tmp_path, "--no-cache", "--format", "json", "--show-notes", "./...")
    [finding] = json.loads(run.stdout)["findings"]
    assert (finding["path"], finding["lifetime"]) == ("lib/lib.go", "unknown")
    explained = _cli(tmp_path, "explain", "lib/lib.go:9", "--no-cache")
    assert explained.returncode == 0, explained.stderr
    assert "lifetime: unknown (no caller seen in the module)" in explained.stdout


@pytest.mark.parametrize("module_path, named", [
    ("github.com/acme/examples", "examples"), ("github.com/acme/examples/grpc/example1", "examples"),
    ("example", "example"), ("k8s.io/sample-controller", "sample-controller"), ("golang.org/x/example", "example"),
    ("github.com/acme/golang-gin-realworld-example-app", "golang-gin-realworld-example-app"),
    ("github.com/acme/examples/v3", "examples"),
    # near misses: an owner's name, a version, words that only contain one
    ("github.com/demo-corp/billing", None), ("github.com/acme/app/v2", None), ("github.com/acme/resample", None),
    ("github.com/acme/demolition", None), ("github.com/acme/counterexample", None), ("oidc", None), ("", None),
])
def test_a_module_named_for_examples(module_path, named):
    from goleaklint.lifetime import example_module

    assert example_module(module_path) == named


@pytest.mark.parametrize("module_path, named", [
    ("github.com/acme/stripe-mock", "stripe-mock"), ("github.com/acme/fake-gcs-server", "fake-gcs-server"),
    ("github.com/acme/mockserver", "mockserver"), ("github.com/acme/mock-oidc/v2", "mock-oidc"),
    ("github.com/acme/go-fake-smtp", "go-fake-smtp"),
    # near misses: a word that only begins so, an owner's name, a library of mocks, no module
    ("github.com/acme/mockingbird", None), ("github.com/mock-corp/billing", None), ("github.com/acme/mocks", None),
    ("github.com/acme/app", None), ("", None),
])
def test_a_module_named_for_a_stand_in(module_path, named):
    from goleaklint.lifetime import stand_in_module

    assert stand_in_module(module_path) == named


def test_explain_on_a_package_level_map_explains_the_functions_that_fill_it(tmp_path):
    """A GL201 finding sits on a declaration outside any function; its level follows the functions
    that insert into the map, so `explain` at its line shows theirs, not "runs once"."""
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n", encoding="utf-8")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport "net/http"\n\nvar visits = map[string]int{}\n\n'
        'func count(w http.ResponseWriter, r *http.Request) {\n\tvisits[r.RemoteAddr]++\n}\n\n'
        'var plain = 1\n\n'
        'func main() {\n\thttp.HandleFunc("/", count)\n\thttp.ListenAndServe(":8080", nil)\n}\n', encoding="utf-8")
    found = _cli(tmp_path, "explain", "main.go:5", "--no-cache")
    assert found.returncode == 0, found.stderr
    assert "a declaration outside any function; the level of GL201 here follows" in found.stdout
    assert "main.go:7: count\nlifetime: per request" in found.stdout
    other = _cli(tmp_path, "explain", "main.go:11", "--no-cache")
    assert "not inside a function: package-level code runs once" in other.stdout


def test_an_interface_that_embeds_others_reaches_their_implementations(tmp_path):
    # `type Storage interface { Getter; Setter }`, the embedded ones in the interface's own package
    # and in another: a handler's call through a Storage field reaches every implementation in the
    # packages that implement all of it, as if Storage spelled the methods out.
    _write_module(tmp_path, "example.com/m", {
        "storage/base": "package base\n\ntype Closer interface{ Close() error }\n",
        "storage": "package storage\n\nimport \"example.com/m/storage/base\"\n\n"
                   "type Getter interface{ Get(key string) string }\n\n"
                   "type Setter interface{ Set(key, value string) }\n\n"
                   "type Storage interface {\n\tGetter\n\tSetter\n\tbase.Closer\n}\n\n"
                   "type Cycle interface {\n\tLoop\n}\n\ntype Loop interface {\n\tCycle\n\tSpin()\n}\n",
        "storage/memory": "package memory\n\ntype Store struct{ m map[string]string }\n\n"
                          "func (s *Store) Get(key string) string { return s.m[key] }\n\n"
                          "func (s *Store) Set(key, value string) { s.m[key] = value }\n\n"
                          "func (s *Store) Close() error { return nil }\n\n"
                          "type partial struct{}\n\nfunc (partial) Get(key string) string { return key }\n",
        "storage/file": "package file\n\ntype Store struct{}\n\n"
                        "func (Store) Get(key string) string { return \"\" }\n\n"
                        "func (Store) Set(key, value string) {}\n\n"
                        "func (Store) Close() error { return nil }\n\n"
                        "type spinner struct{}\n\nfunc (spinner) Spin() {}\n",
        "api": "package api\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/m/storage\"\n)\n\n"
               "type Handler struct{ Store storage.Storage; Loop storage.Loop }\n\n"
               "func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {\n"
               "\tw.Write([]byte(h.Store.Get(r.URL.Path)))\n\th.Loop.Spin()\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/m/api\"\n"
                   "\t\"example.com/m/storage\"\n"
                   "\t\"example.com/m/storage/file\"\n\t\"example.com/m/storage/memory\"\n)\n\n"
                   "func main() {\n\tvar store storage.Storage = &memory.Store{}\n\t_ = file.Store{}\n"
                   "\th := &api.Handler{Store: store}\n\thttp.ListenAndServe(\":8080\", h)\n}\n",
    })
    found = _lifetimes(tmp_path)
    assert found["storage/memory:Store.Get"] == REQUEST
    assert found["storage/file:Store.Get"] == REQUEST
    assert found["storage/memory:Store.Set"] == UNKNOWN  # nothing calls Set
    # Near miss: a type with Get alone does not implement Storage.
    assert found["storage/memory:partial.Get"] == UNKNOWN
    # An embedding cycle ends: Loop's own Spin still resolves, and nothing loops forever.
    assert found["storage/file:spinner.Spin"] == REQUEST


def test_a_method_a_struct_takes_from_a_type_it_embeds_is_resolved(tmp_path):
    # `h.svc.Get(…)` on a Service embedding store.Store reaches the interface's implementations;
    # `h.w.Init(r)` on a Wrapper embedding *Base reaches Base.Init, two levels down too.
    _write_module(tmp_path, "example.com/m", {
        "store": "package store\n\ntype Store interface{ Get(key string) string }\n\n"
                 "type Mem struct{ m map[string]string }\n\n"
                 "func (s *Mem) Get(key string) string { return s.m[key] }\n\n"
                 "func New() Store { return &Mem{} }\n",
        "api": "package api\n\nimport (\n\t\"io\"\n\t\"net/http\"\n\n\t\"example.com/m/store\"\n)\n\n"
               "type Service struct {\n\tstore.Store\n}\n\n"
               "type Base struct{}\n\nfunc (b *Base) Init(r *http.Request) {}\n\n"
               "type Other struct{}\n\nfunc (Other) Init(r *http.Request) {}\n\nfunc (Other) Close() error { return nil }\n\n"
               "type Wrapper struct{ *Base }\n\ntype Outer struct{ Wrapper }\n\n"
               "type Both struct {\n\t*Base\n\tOther\n}\n\n"
               "type Closer struct{ io.Closer }\n\n"
               "type Handler struct {\n\tsvc *Service\n\tout *Outer\n\tboth *Both\n\tc *Closer\n}\n\n"
               "func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {\n"
               "\tw.Write([]byte(h.svc.Get(r.URL.Path)))\n\th.out.Init(r)\n\th.both.Init(r)\n\th.c.Close()\n}\n\n"
               "func NewHandler(s store.Store) *Handler { return &Handler{svc: &Service{Store: s}} }\n",
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/m/api\"\n"
                   "\t\"example.com/m/store\"\n)\n\n"
                   "func main() {\n\thttp.ListenAndServe(\":8080\", api.NewHandler(store.New()))\n}\n",
    })
    found = _lifetimes(tmp_path)
    assert found["store:Mem.Get"] == REQUEST  # through the interface Service embeds
    assert found["api:Base.Init"] == REQUEST  # Outer -> Wrapper -> *Base
    # Near miss: Both embeds two types with Init at one depth, which Go rejects: neither is picked.
    assert found["api:Other.Init"] == UNKNOWN
    # Near miss: io.Closer is another module's interface; Other.Close is not reached through it.
    assert found["api:Other.Close"] == UNKNOWN


def test_a_method_called_on_a_ranged_element_reaches_its_types(tmp_path):
    # A service manager that starts its services in a loop: `for _, s := range a.services { s.Start() }`
    # over a field of a sibling file, over a parameter and over a package variable, reaches the
    # methods of the element's type, through an interface when the element is one.
    _write_module(tmp_path, "example.com/r", {
        "lifecycle": "package lifecycle\n\ntype Service interface {\n\tName() string\n\tStart() error\n}\n",
        "svc": "package svc\n\ntype Mailer struct{}\n\nfunc (Mailer) Name() string { return \"mail\" }\n\n"
               "func (Mailer) Start() error { return nil }\n\n"
               "type Indexer struct{}\n\nfunc (Indexer) Name() string { return \"index\" }\n\n"
               "func (Indexer) Start() error { return nil }\n\n"
               "type Job struct{}\n\nfunc (*Job) Run() {}\n\nfunc (*Job) Skip() {}\n\n"
               "type Hook struct{}\n\nfunc (*Hook) Fire() {}\n\n"
               "type Plugin struct{}\n\nfunc (*Plugin) Init() {}\n\n"
               "type Codec struct{}\n\nfunc (*Codec) Load() {}\n\n"
               "type Cache struct{}\n\nfunc (*Cache) Warm() {}\n\nfunc (*Cache) Cool() {}\n\n"
               "type Box struct{ Inner *Cache }\n\nvar Shared = &Box{Inner: &Cache{}}\n\n"
               "type Tag struct{}\n\nfunc (Tag) Print() {}\n\nfunc (Tag) Key() {}\n\n"
               "var Hooks = map[string]*Hook{}\n",
        "app": "package app\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/r/lifecycle\"\n\t\"example.com/r/svc\"\n)\n\n"
               "func (a *App) Start() {\n\tfor _, s := range a.services {\n\t\t_ = s.Start()\n\t}\n"
               "\tfor i := range a.jobs {\n\t\t_ = i\n\t}\n}\n\n"
               "func runAll(jobs []*svc.Job) {\n\tfor _, j := range jobs {\n\t\tj.Run()\n\t}\n}\n\n"
               "var plugins = []*svc.Plugin{}\n\n"
               "func fire(tags map[svc.Tag]int) {\n\tfor _, h := range svc.Hooks {\n\t\th.Fire()\n\t}\n"
               "\tfor _, p := range plugins {\n\t\tp.Init()\n\t}\n"
               "\tif c, ok := codecs[\"json\"]; ok {\n\t\tc.Load()\n\t}\n"
               "\tenv.Srv.Cache.Warm()\n\tsvc.Shared.Inner.Cool()\n"
               "\tfor t := range tags {\n\t\tt.Print()\n\t}\n\tfor t, n := range tags {\n\t\t_ = n\n\t\tt.Key()\n\t}\n}\n\n"
               "func Serve(w http.ResponseWriter, r *http.Request) {\n\trunAll(nil)\n\tfire(nil)\n}\n\n"
               "var _ lifecycle.Service = svc.Mailer{}\n",
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/r/app\"\n)\n\n"
                   "func main() {\n\tapp.New().Start()\n\thttp.ListenAndServe(\":8080\", http.HandlerFunc(app.Serve))\n}\n",
    })
    (tmp_path / "app" / "types.go").write_text(
        "package app\n\nimport (\n\t\"example.com/r/lifecycle\"\n\t\"example.com/r/svc\"\n)\n\n"
        "var codecs = make(map[string]*svc.Codec)\n\n"
        "type Srv struct{ Cache *svc.Cache }\n\ntype Env struct{ Srv *Srv }\n\nvar env = &Env{Srv: &Srv{}}\n\n"
        "type App struct {\n\tservices []lifecycle.Service\n\tjobs     []*svc.Job\n}\n\n"
        "func New() *App {\n\treturn &App{services: []lifecycle.Service{svc.Mailer{}, svc.Indexer{}}}\n}\n")
    found = _lifetimes(tmp_path)
    assert found["app:App.Start"] == ONCE
    assert found["svc:Mailer.Start"] == ONCE  # an element of a field, through the interface
    assert found["svc:Indexer.Start"] == ONCE
    assert found["svc:Job.Run"] == REQUEST  # an element of a parameter
    assert found["svc:Plugin.Init"] == REQUEST  # an element of a package variable
    assert found["svc:Codec.Load"] == REQUEST  # `c, ok := codecs[k]`, a map a sibling file makes
    assert found["svc:Cache.Warm"] == REQUEST  # `env.Srv.Cache.Warm()`: a field of a field
    assert found["svc:Cache.Cool"] == REQUEST  # `svc.Shared.Inner`: another package's variable, typed by its summary
    assert found["svc:Hook.Fire"] == UNKNOWN  # near miss: a range over another package's variable is not read
    assert found["svc:Tag.Key"] == UNKNOWN  # near miss: a map's key, not its element
    assert found["svc:Tag.Print"] == UNKNOWN  # near miss: a range's only name is the key
    assert found["svc:Job.Skip"] == UNKNOWN  # near miss: ranged over, never called


def test_a_mock_beside_an_interface_is_test_code(tmp_path):
    # A hand-written mock in a file of its own, built on testify's mock or gomock: only tests make one,
    # so its code is test code, as a `_test.go` file's would be.
    _write_module(tmp_path, "example.com/k", {
        "store": "package store\n\ntype Store interface{ Save(key string) error }\n\n"
                 "type pg struct{}\n\nfunc (pg) Save(key string) error { return nil }\n\n"
                 "func New() Store { return pg{} }\n",
        "api": "package api\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/k/store\"\n)\n\n"
               "func Handle(s store.Store) http.HandlerFunc {\n"
               "\treturn func(w http.ResponseWriter, r *http.Request) { _ = s.Save(r.URL.Path) }\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/k/api\"\n\t\"example.com/k/store\"\n)\n\n"
                   "func main() { http.ListenAndServe(\":8080\", api.Handle(store.New())) }\n",
    })
    (tmp_path / "store" / "mock.go").write_text(
        "package store\n\nimport \"github.com/stretchr/testify/mock\"\n\n"
        "type MockStore struct{ mock.Mock }\n\n"
        "func (m *MockStore) Save(key string) error { return m.Called(key).Error(0) }\n")
    (tmp_path / "store" / "fake.go").write_text(
        "package store\n\ntype fake struct{}\n\nfunc (fake) Save(key string) error { return nil }\n\n"
        "var Default Store = fake{}\n")
    found = _lifetimes(tmp_path)
    assert found["store:pg.Save"] == REQUEST
    assert found["store:MockStore.Save"] == TEST
    assert found["store:fake.Save"] == UNKNOWN  # near miss: a fake that imports no mocking package is not


def test_a_service_manager_reaches_services_through_an_interface_that_embeds_its_own(tmp_path):
    # The manager keeps lifecycle.Service values; each service is declared a module.Modular, which
    # embeds lifecycle.Service, in a package that imports only module: it meets Service through it.
    # The program sets the command's action by assignment and chains the manager's methods.
    _write_module(tmp_path, "example.com/e", {
        "lifecycle": "package lifecycle\n\ntype Service interface {\n\tName() string\n\tStart() error\n}\n\n"
                     "type Lifecycle interface{ StartServices() Lifecycle }\n",
        "module": "package module\n\nimport \"example.com/e/lifecycle\"\n\n"
                  "type Modular interface {\n\tlifecycle.Service\n\tReserve() error\n}\n",
        "approver": "package approver\n\nimport \"example.com/e/module\"\n\n"
                    "type Approver struct{}\n\nvar _ module.Modular = &Approver{}\n\n"
                    "func (a *Approver) Name() string { return \"approver\" }\n\n"
                    "func (a *Approver) Start() error { return nil }\n\n"
                    "func (a *Approver) Reserve() error { return nil }\n\n"
                    "func New() *Approver { return &Approver{} }\n",
        "stray": "package stray\n\ntype Stray struct{}\n\nvar S = &Stray{}\n\n"
                 "func (s *Stray) Name() string { return \"stray\" }\n\nfunc (s *Stray) Start() error { return nil }\n",
        "app": "package app\n\nimport \"example.com/e/lifecycle\"\n\n"
               "type App struct{ services []lifecycle.Service }\n\n"
               "func New(services ...lifecycle.Service) *App { return &App{services: services} }\n\n"
               "func (a *App) Signals() lifecycle.Lifecycle { return a }\n\n"
               "func (a *App) StartServices() lifecycle.Lifecycle {\n\tfor _, s := range a.services {\n"
               "\t\t_ = s.Start()\n\t}\n\treturn a\n}\n\n"
               "func (a *App) Run() error {\n\ta.Signals().StartServices()\n\treturn nil\n}\n\n"
               "func (a *App) Self() *App { return a }\n\nfunc (a *App) Touch() {}\n\n"
               "type Holder struct{ app *App }\n\nfunc NewHolder() *Holder { return &Holder{app: New()} }\n\n"
               "func (h *Holder) Kick() { h.app.Self().Self().Touch() }\n\n"
               "type Task struct{ work func() }\n\nfunc (a *App) Tick() {}\n\nfunc (a *App) Tock() {}\n\n"
               "func (a *App) Task() Task { return Task{work: a.Tick} }\n\n"
               "func (a *App) Now() {\n\tt := Task{work: a.Tock}\n\tt.work()\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"os\"\n\n\t\"github.com/urfave/cli\"\n\n"
                   "\t\"example.com/e/app\"\n\t\"example.com/e/approver\"\n)\n\n"
                   "func serve(c *cli.Context) error {\n\tapp.NewHolder().Kick()\n\t_ = app.New().Task()\n\tapp.New().Now()\n\treturn app.New(approver.New()).Run()\n}\n\n"
                   "func main() {\n\ta := cli.NewApp()\n\ta.Action = serve\n\t_ = a.Run(os.Args)\n}\n",
        "tool": "package tool\n\ntype Job struct{ Action func() }\n\nfunc work() {}\n\n"
                "func Build() *Job {\n\tj := &Job{}\n\tj.Action = work\n\treturn j\n}\n",
    })
    found = _lifetimes(tmp_path)
    assert found["cmd/app:serve"] == ONCE  # `a.Action = serve` in a file that imports urfave's cli
    assert found["app:App.StartServices"] == ONCE  # `a.Signals().StartServices()`: a method's result
    assert found["app:App.Touch"] == ONCE  # `h.app.Self().Self().Touch()`: on a field's method's result
    # `return Task{work: a.Tick}` hands the method to the caller, who may run it again and again.
    assert found["app:App.Tick"] == UNKNOWN
    assert found["app:App.Tock"] == ONCE  # near miss: a literal the function keeps
    assert found["approver:Approver.Start"] == ONCE  # through Modular, which embeds Service
    assert found["stray:Stray.Start"] == UNKNOWN  # near miss: its package meets neither interface
    assert found["tool:work"] != ONCE  # near miss: an Action field of the module's own, no CLI imported


def test_a_service_handed_to_the_manager_by_main_meets_the_managers_interface(tmp_path):
    # `main` imports the manager's package and the service's; only the manager's imports lifecycle,
    # and the service's package never names the interface it meets.
    _write_module(tmp_path, "example.com/m", {
        "lifecycle": "package lifecycle\n\ntype Service interface{ Start() }\n",
        "app": "package app\n\nimport \"example.com/m/lifecycle\"\n\n"
               "type App struct{ services []lifecycle.Service }\n\n"
               "func New(services ...lifecycle.Service) *App { return &App{services: services} }\n\n"
               "func (a *App) Run() {\n\tfor _, s := range a.services {\n\t\ts.Start()\n\t}\n}\n",
        "svc": "package svc\n\ntype Poller struct{}\n\nfunc (p *Poller) Start() {}\n",
        "stray": "package stray\n\ntype Stray struct{}\n\nfunc (s *Stray) Start() {}\n",
        "tool": "package tool\n\nimport \"example.com/m/stray\"\n\nvar S = &stray.Stray{}\n",
        "cmd/app": "package main\n\nimport (\n\t\"example.com/m/app\"\n\t\"example.com/m/svc\"\n)\n\n"
                   "func main() { app.New(&svc.Poller{}).Run() }\n",
    })
    found = _lifetimes(tmp_path)
    assert found["app:App.Run"] == ONCE
    assert found["svc:Poller.Start"] == ONCE
    assert found["stray:Stray.Start"] == UNKNOWN  # near miss: what imports it reaches no user of lifecycle


def test_a_wire_injectors_result_types_the_call_main_makes(tmp_path):
    # Wire's injector (`//go:build wireinject`) declares what the generated wire_gen.go, which is not
    # read, defines for the default build: `app, err := InitializeApp()` then has a type.
    _write_module(tmp_path, "example.com/w", {
        "api": "package api\n\ntype Router struct{}\n\nfunc (r *Router) Mount() {}\n\nfunc New() *Router { return &Router{} }\n",
        "cmd/app": "package main\n\nimport \"log\"\n\n"
                   "func main() {\n\tapp, err := InitializeApp()\n\tif err != nil {\n\t\tlog.Fatal(err)\n\t}\n"
                   "\tapp.Start()\n\tdebugTool().Run()\n}\n",
    })
    cmd = tmp_path / "cmd" / "app"
    (cmd / "app.go").write_text(
        "package main\n\nimport \"example.com/w/api\"\n\ntype App struct{ router *api.Router }\n\n"
        "func NewApp(r *api.Router) *App { return &App{router: r} }\n\nfunc (a *App) Start() { a.router.Mount() }\n\n"
        "type Tool struct{}\n\nfunc (t *Tool) Run() {}\n")
    (cmd / "wire.go").write_text(
        "//go:build wireinject\n\npackage main\n\nimport (\n\t\"github.com/google/wire\"\n\n\t\"example.com/w/api\"\n)\n\n"
        "func InitializeApp() (*App, error) {\n\twire.Build(api.New, NewApp)\n\treturn nil, nil\n}\n")
    (cmd / "wire_gen.go").write_text(
        "// Code generated by Wire. DO NOT EDIT.\n\n//go:build !wireinject\n\npackage main\n\n"
        "import \"example.com/w/api\"\n\n"
        "func InitializeApp() (*App, error) {\n\treturn NewApp(api.New()), nil\n}\n")
    (cmd / "debug.go").write_text(
        "//go:build debug\n\npackage main\n\nfunc debugTool() *Tool { return &Tool{} }\n")
    found = _lifetimes(tmp_path)
    assert found["cmd/app:App.Start"] == ONCE
    assert found["api:Router.Mount"] == ONCE
    assert found["cmd/app:Tool.Run"] == ONCE  # a debug build's twin: main's call still has the type


def test_a_method_called_on_a_type_assertion_reaches_the_asserted_type(tmp_path):
    # `handler.(res.ClusterHandler).ListCluster()`: the assertion names the type, an interface of
    # the module here, whose implementations the call reaches; or a concrete type.
    _write_module(tmp_path, "example.com/t", {
        "res": "package res\n\ntype ClusterHandler interface {\n\tListCluster() error\n\tGetCluster(id string) error\n}\n",
        "azure": "package azure\n\nimport \"example.com/t/res\"\n\ntype Handler struct{}\n\nvar _ res.ClusterHandler = (*Handler)(nil)\n\n"
                 "func (h *Handler) ListCluster() error { return nil }\n\nfunc (h *Handler) GetCluster(id string) error { return nil }\n\n"
                 "func (h *Handler) Name() string { return \"azure\" }\n\nfunc (h *Handler) Close() {}\n",
        "api": "package api\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/t/azure\"\n\t\"example.com/t/res\"\n)\n\n"
               "var handler any = &azure.Handler{}\n\n"
               "func List(w http.ResponseWriter, r *http.Request) {\n\t_ = handler.(res.ClusterHandler).ListCluster()\n"
               "\t_ = handler.(*azure.Handler).Name()\n\t_ = handler.(interface{ Close() })\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/t/api\"\n)\n\n"
                   "func main() { http.ListenAndServe(\":8080\", http.HandlerFunc(api.List)) }\n",
    })
    found = _lifetimes(tmp_path)
    assert found["azure:Handler.ListCluster"] == REQUEST  # through the interface the assertion names
    assert found["azure:Handler.Name"] == REQUEST  # a concrete type asserted
    assert found["azure:Handler.GetCluster"] == UNKNOWN  # near miss: asserted, not called
    assert found["azure:Handler.Close"] == UNKNOWN  # near miss: an anonymous interface, not called


def test_a_package_that_calls_a_name_its_module_does_not_declare_cannot_build(tmp_path):
    # `util.BuildRequest` is declared nowhere in util: the package that calls it does not compile,
    # so its handlers never serve. Its neighbours that call only what util declares are untouched.
    _write_module(tmp_path, "example.com/b", {
        "util": "package util\n\ntype ID string\n\nvar Handler = func() {}\n\nconst Max = 3\n\n"
                "func Helper() {}\n",
        "api": "package api\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/b/util\"\n)\n\n"
               "func List(w http.ResponseWriter, r *http.Request) {\n\tutil.Helper()\n\t_ = util.BuildRequest(r)\n}\n",
        "svc": "package svc\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/b/util\"\n)\n\n"
               "func Show(w http.ResponseWriter, r *http.Request) {\n\tutil.Helper()\n\t_ = util.ID(\"x\")\n"
               "\tutil.Handler()\n\t_ = util.Max\n\tutil := struct{ Gone func() }{}\n\tutil.Gone()\n}\n\n"
               "type conn struct{}\n\nfunc (conn) Lag() int { return 0 }\n\nfunc dial() (conn, error) { return conn{}, nil }\n\n"
               "func Lag(w http.ResponseWriter, r *http.Request) {\n\tutil, err := dial()\n\tif err != nil {\n\t\treturn\n\t}\n"
               "\t_ = util.Lag()\n}\n",
        "pb": "package pb\n\nfunc Dial() {}\n",
        "views": "package views\n\n//go:generate templ generate\n\nfunc Layout() {}\n",
        "web": "package web\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/b/views\"\n)\n\n"
               "func Page(w http.ResponseWriter, r *http.Request) {\n\tviews.Layout()\n\tviews.Index()\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/b/util\"\n)\n\nfunc run() {}\n\n"
                   "func main() {\n\tfmt.Println(util.Version())\n\trun()\n}\n",
        "rpc": "package rpc\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/b/pb\"\n)\n\n"
               "func Call(w http.ResponseWriter, r *http.Request) {\n\tpb.NewOrdersClient()\n\tpb.Dial()\n}\n",
    })
    (tmp_path / "pb" / "orders.pb.go").write_text(
        "// Code generated by protoc-gen-go. DO NOT EDIT.\n\npackage pb\n\nfunc NewOrdersClient() {}\n")
    # A copy of the module under another directory, of the same module path, whose dep lacks Helper:
    # which of the two a file means is not known.
    (tmp_path / "copy" / "dep").mkdir(parents=True)
    (tmp_path / "copy" / "go.mod").write_text("module example.com/b\n\ngo 1.22\n")
    (tmp_path / "copy" / "dep" / "x.go").write_text("package dep\n\nfunc Other() {}\n")
    (tmp_path / "dep").mkdir()
    (tmp_path / "dep" / "x.go").write_text("package dep\n\nfunc Helper() {}\n")
    (tmp_path / "feed").mkdir()
    (tmp_path / "feed" / "x.go").write_text(
        "package feed\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/b/dep\"\n)\n\n"
        "func Feed(w http.ResponseWriter, r *http.Request) { dep.Helper() }\n")
    found = _lifetimes(tmp_path)
    assert found["api:List"] == TEST  # calls util.BuildRequest, which util does not declare
    assert found["svc:Show"] == REQUEST  # near miss: a type, a variable, a constant, a shadowing local
    assert found["svc:Lag"] == REQUEST  # near miss: `util, err := dial()`, then its method
    assert found["rpc:Call"] == REQUEST  # near miss: pb has a generated file, whose names are not read
    assert found["feed:Feed"] == REQUEST  # near miss: two packages of the run are example.com/b/dep
    assert found["web:Page"] == REQUEST  # near miss: views has a go:generate, whose output may not be here
    assert found["cmd/app:run"] == ONCE  # near miss: a main package (a build may write util's version file)


def test_a_lambda_handler_runs_per_invocation(tmp_path):
    # aws-lambda-go's `lambda.Start` hands each invocation a warm process receives to the handler:
    # by name, and through a factory that returns the handler's literal.
    _write_module(tmp_path, "example.com/l", {
        "cmd/fn": "package main\n\nimport (\n\t\"context\"\n\n\t\"github.com/aws/aws-lambda-go/lambda\"\n)\n\n"
                  "type Event struct{ Name string }\n\nfunc convert() {}\n\n"
                  "func newHandler(bucket string) func(context.Context, Event) error {\n"
                  "\treturn func(ctx context.Context, e Event) error {\n\t\tconvert()\n\t\treturn nil\n\t}\n}\n\n"
                  "func main() {\n\tlambda.StartWithOptions(newHandler(\"b\"), lambda.WithContext(context.Background()))\n}\n",
        "cmd/ping": "package main\n\nimport (\n\t\"context\"\n\n\t\"github.com/aws/aws-lambda-go/lambda\"\n)\n\n"
                    "func ping(ctx context.Context) (string, error) { return \"pong\", nil }\n\n"
                    "func warm() {}\n\n"
                    "type runner struct{}\n\nfunc (runner) Start(f func()) {}\n\n"
                    "func main() {\n\tvar r runner\n\tr.Start(warm)\n\tlambda.Start(ping)\n}\n",
        "cmd/iface": "package main\n\nimport (\n\t\"context\"\n\n\t\"github.com/aws/aws-lambda-go/lambda\"\n)\n\n"
                     "type Handler interface{ Handle(ctx context.Context) error }\n\n"
                     "type orders struct{}\n\nfunc (orders) Handle(ctx context.Context) error { return nil }\n\n"
                     "var h Handler = orders{}\n\nfunc main() { lambda.Start(h.Handle) }\n",
    })
    found = _lifetimes(tmp_path)
    assert found["cmd/fn:convert"] == REQUEST  # through the factory's literal
    assert found["cmd/ping:ping"] == REQUEST
    assert found["cmd/ping:warm"] != REQUEST  # near miss: a `Start` of the program's own
    assert found["cmd/iface:orders.Handle"] == REQUEST  # a method value through an interface


def test_a_grpc_service_registered_through_another_modules_generated_package_runs_per_request(tmp_path):
    # The protos live in a repository of their own: `pb.RegisterOrdersServer(s, &Server{})` names a
    # package outside the module, and the service's methods still run once per call they serve.
    _write_module(tmp_path, "example.com/o", {
        "api": "package api\n\nimport (\n\t\"context\"\n\n\tpb \"github.com/acme/protos/orders\"\n"
               "\t\"google.golang.org/grpc\"\n)\n\n"
               "type Server struct{ pb.UnimplementedOrdersServer }\n\n"
               "func place() {}\n\nfunc dial() {}\n\n"
               "func (s *Server) Place(ctx context.Context, in *pb.PlaceRequest) (*pb.PlaceReply, error) {\n"
               "\tplace()\n\treturn &pb.PlaceReply{}, nil\n}\n\n"
               "type Other struct{}\n\nfunc (o *Other) Ping() { dial() }\n\n"
               "func Register(s *grpc.Server) {\n\tpb.RegisterOrdersServer(s, &Server{})\n"
               "\t_ = pb.NewOrdersClient(nil)\n\tpb.RegisterOthers(s, &Other{})\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"google.golang.org/grpc\"\n\n\t\"example.com/o/api\"\n)\n\n"
                   "func main() {\n\ts := grpc.NewServer()\n\tapi.Register(s)\n}\n",
    })
    found = _lifetimes(tmp_path)
    assert found["api:Server.Place"] == REQUEST
    assert found["api:place"] == REQUEST
    assert found["api:Other.Ping"] != REQUEST  # near miss: not a Register…Server call


def test_a_generic_function_called_with_its_type_arguments_is_called(tmp_path):
    # `repo.New[int]()`, `build[string]()` and `convert[int, string](xs)` in a handler name the functions
    # they instantiate.
    _write_module(tmp_path, "example.com/g", {
        "repo": "package repo\n\ntype Repo[T any] struct{ items []T }\n\n"
                "func (r *Repo[T]) Add(v T) { r.items = append(r.items, v) }\n\n"
                "func New[T any]() *Repo[T] { return &Repo[T]{} }\n\n"
                "func Unused[T any]() *Repo[T] { return &Repo[T]{} }\n\n"
                "func Pair[K comparable, V any]() map[K]V { return map[K]V{} }\n",
        "api": "package api\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/g/repo\"\n)\n\n"
               "func build[T any]() []T { return nil }\n\n"
               "func convert[T, U any](xs []T) []U { return nil }\n\n"
               "var handlers = []func(){func() {}}\n\n"
               "func Serve(w http.ResponseWriter, r *http.Request) {\n"
               "\tlocal := repo.New[int]()\n\tlocal.Add(1)\n\t_ = build[string]()\n\thandlers[0]()\n"
               "\t_ = convert[int, string](nil)\n\t_ = repo.Pair[string, int]()\n}\n",
        "cmd/app": "package main\n\nimport (\n\t\"net/http\"\n\n\t\"example.com/g/api\"\n)\n\n"
                   "func main() { http.ListenAndServe(\":8080\", http.HandlerFunc(api.Serve)) }\n",
    })
    found = _lifetimes(tmp_path)
    assert found["repo:New"] == REQUEST
    assert found["api:build"] == REQUEST
    # With two type arguments the call parses as a conversion to a generic type.
    assert found["api:convert"] == REQUEST
    assert found["repo:Pair"] == REQUEST
    assert found["repo:Unused"] == TEST  # near miss: instantiated nowhere, named nowhere: dead


def _write_module(root: Path, module: str, packages: dict[str, str]) -> None:
    """A module of one `x.go` per package directory."""
    (root / "go.mod").write_text(f"module {module}\n\ngo 1.22\n")
    for directory, text in packages.items():
        (root / directory).mkdir(parents=True, exist_ok=True)
        (root / directory / "x.go").write_text(text)


def test_local_libraries_reads_zero_versions_replaced_by_directories(tmp_path):
    from goleaklint.lifetime import local_libraries

    for name in ("shared", "pkg/v2lib", "pseudo", "released", "nomod"):
        (tmp_path / name).mkdir(parents=True)
        if name != "nomod":
            (tmp_path / name / "go.mod").write_text(f"module example.com/{name}\n", encoding="utf-8")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "go.mod").write_text(
        "module example.com/app\n\ngo 1.22\n\n"
        "require (\n"
        "\texample.com/shared v0.0.0-00010101000000-000000000000\n"
        "\texample.com/v2lib/v2 v2.0.0-00010101000000-000000000000 // indirect\n"
        "\texample.com/pseudo v0.0.0-20240614095218-7b4ee8399ab0\n"
        "\texample.com/released v1.4.0\n"
        "\texample.com/nomod v0.0.0\n"
        "\texample.com/remote v0.0.0\n"
        ")\n\n"
        "replace (\n"
        "\texample.com/shared => ../shared // the services' own code\n"
        "\texample.com/v2lib/v2 v2.0.0-00010101000000-000000000000 => ../pkg/v2lib\n"
        "\texample.com/pseudo => ../pseudo\n"
        ")\n\n"
        "replace example.com/released => ../released\n"
        "replace example.com/nomod => ../nomod\n"
        "replace example.com/remote => example.com/fork v1.0.0\n",
        encoding="utf-8")
    # Unpublished and taken from a directory of the tree that holds a module: the first two. A
    # commit's pseudo-version and a released version were published; a directory with no go.mod,
    # or a replacement by another module, is no module of the tree. Every module of the tree a
    # go.mod replaces by its directory, whatever its version, is listed under ANY_VERSION: built
    # from the tree, so no copy that nothing builds (copied_modules).
    assert local_libraries([tmp_path / "app", tmp_path / "shared"], tmp_path) == {
        "app": ("pkg/v2lib", "shared"), ANY_VERSION: ("pkg/v2lib", "pseudo", "released", "shared")}


def test_a_copied_module_is_another_owners_library_that_nothing_replaces_beside_a_deployed_program():
    from goleaklint.lifetime import copied_modules, module_owner

    assert module_owner("github.com/micro/plugins/v5/registry/etcd") == "github.com/micro"
    assert module_owner("go.uber.org/zap") == "go.uber.org"
    assert module_owner("apigate") is None
    paths = {"app": "github.com/acme/app", "plugins/etcd": "github.com/other/plugins/etcd",
             "plugins/consul": "github.com/other/plugins/consul", "libs/auth": "github.com/acme/auth",
             "libs/text": "textutil", "tools": "github.com/other/tools"}
    has_main = {"app": True, "tools": True}
    replaced = {ANY_VERSION: ("plugins/consul",)}
    assert copied_modules(paths, has_main, {"app"}, replaced) == {"plugins/etcd"}
    # Programs of bare paths own nothing: every host's library nothing replaces is a copy.
    assert copied_modules({**paths, "app": "app"}, has_main, {"app"}, replaced) == {"plugins/etcd", "libs/auth"}
    # No deployed program in the tree (a library's own repository): nothing is a copy.
    assert copied_modules(paths, has_main, set(), replaced) == set()
    # The module at the tree's top is the repository's own, and so is every module of its owner: a
    # framework published under a domain of its own, whose tool is a program of the forge's path.
    framework = {".": "go-micro.example/v5", "cmd/gen": "github.com/micro/gen", "plugins/etcd": "go-micro.example/etcd",
                 "plugins/nats": "github.com/micro/nats"}
    assert copied_modules(framework, {"cmd/gen": True}, {"cmd/gen"}, {}) == set()


def test_a_runner_groups_add_is_no_route_registration(tmp_path):
    """`g.Add("router", srv.Run)` hands a method to a runner group; `e.Add(http.MethodGet, "/x", h)`
    is echo's route. Only the second registers a handler, which explain's routes line counts."""
    _write_module(tmp_path, "example.com/m", {".": (
        'package main\n\nimport (\n\t"net/http"\n\n\t"github.com/labstack/echo/v4"\n)\n\n'
        'type group struct{}\n\nfunc (group) Add(name string, run func() error) {}\n\n'
        'type server struct{}\n\nfunc (server) Run() error { return nil }\n\n'
        'func list(c echo.Context) error { return nil }\n\n'
        'type runtime struct {\n\tgroup *group\n\tsrv   *server\n}\n\n'
        'func (rt *runtime) start() {\n\trt.group.Add("router", rt.srv.Run)\n}\n\n'
        'func main() {\n\t(&runtime{}).start()\n'
        '\te := echo.New()\n\te.Add(http.MethodGet, "/x", list)\n}\n')})
    run = _cli(tmp_path, "explain", "x.go:15", "--no-cache")
    assert run.returncode == 0, run.stderr
    assert "routes:" not in run.stdout
    handler = _cli(tmp_path, "explain", "x.go:17", "--no-cache")
    assert "routes: 1 route registers it" in handler.stdout


def test_a_subrouters_use_does_not_guard_the_parent_router_it_shadows(tmp_path):
    """chi: `r.Post("/login", login)` on the root router, then `r.Route("/api", func(r chi.Router) {
    r.Use(auth); … })`. The literal's `r` is the subrouter: its `Use` guards the group's routes, not
    the login route registered on the root `r` it shadows."""
    _write_module(tmp_path, "example.com/m", {".": (
        'package main\n\nimport (\n\t"net/http"\n\n\t"github.com/go-chi/chi/v5"\n)\n\n'
        'func login(w http.ResponseWriter, r *http.Request) {}\n\n'
        'func items(w http.ResponseWriter, r *http.Request) {}\n\n'
        'func Auth(next http.Handler) http.Handler { return next }\n\n'
        'func main() {\n\tr := chi.NewRouter()\n\tr.Post("/login", login)\n'
        '\tr.Route("/api", func(r chi.Router) {\n\t\tr.Use(Auth)\n\t\tr.Post("/items", items)\n\t})\n'
        '\thttp.ListenAndServe(":8080", r)\n}\n')})
    public = _cli(tmp_path, "explain", "x.go:9", "--no-cache")
    assert public.returncode == 0, public.stderr
    assert "routes: 1 route registers it; nothing in front of any: public" in public.stdout
    guarded = _cli(tmp_path, "explain", "x.go:11", "--no-cache")
    assert "routes: 1 route registers it; authentication in front of all of them" in guarded.stdout


def test_types_and_import_paths_that_begin_with_a_type_keyword_are_not_channels_or_maps(tmp_path):
    # Type texts are written without spaces (`chan Job` is the one exception, for this): a module
    # whose path begins with "channel", or a type named `mapper`, `channelHub`, `funcs`, `structure`
    # or `interfaceSet`, is a named type whose methods resolve, not a channel, a map or a literal type.
    (tmp_path / "go.mod").write_text("module channel_service\n\ngo 1.22\n")
    (tmp_path / "worker").mkdir()
    (tmp_path / "worker" / "worker.go").write_text(
        "package worker\n\ntype Consumer struct{ jobs chan Job }\n\ntype Job struct{}\n\n"
        "func (j Job) Run() {}\n\nfunc (c *Consumer) Consume() {\n\tfor {\n\t\tjob := <-c.jobs\n\t\tjob.Run()\n\t}\n}\n")
    (tmp_path / "main.go").write_text(
        "package main\n\nimport \"channel_service/worker\"\n\n"
        "type channelHub struct{}\n\nfunc (channelHub) Serve() {}\n\n"
        "type mapper struct{}\n\nfunc (mapper) Map() {}\n\n"
        "func main() {\n\tc := &worker.Consumer{}\n\tgo func(c *worker.Consumer) { c.Consume() }(c)\n"
        "\tgo func(h *channelHub, m mapper) {\n\t\th.Serve()\n\t\tm.Map()\n\t}(&channelHub{}, mapper{})\n}\n")
    found = _lifetimes(tmp_path)
    assert found["worker:Consumer.Consume"] == ONCE
    assert found["worker:Job.Run"] == LOOP  # a receive from a `chan Job` field gives a Job
    assert found[".:channelHub.Serve"] == ONCE
    assert found[".:mapper.Map"] == ONCE


def test_a_call_of_a_named_function_types_value_reaches_what_its_result_type_calls():
    """`factory, err := provider.Lookup(name); p, err := factory(cfg); p.Transcode(job)`: the value's
    named function type declares what its calls return, an interface of the module whose
    implementations the handler's call reaches; a factory type given as a parameter too."""
    found = _lifetimes(FIXTURES / "lifetimes" / "functypes")
    assert found["fast:fastProvider.Transcode"] == REQUEST
    assert found["tape:tape.Archive"] == ONCE
