"""The shared model: imports, names through imports, types, functions, scopes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tree_sitter import Query, QueryCursor

from goleaklint.model import FileModel, assumed_package_name
from goleaklint.source import GO, SourceFile, new_parser

SRC = """package svc

import (
	"context"
	nethttp "net/http"
	"github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"gopkg.in/yaml.v3"
	_ "net/http/pprof"
	. "strings"
)

var (
	cache = map[string]int{}
	seen  = make(map[string]struct{})
	log   []string
	sm    sync.Map
	count int
)

type Server struct{}

func (s *Server) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	x := 1
	if y := x; y > 0 {
		_ = y
	}
	for i, v := range []int{x} {
		_, _ = i, v
	}
	func() {
		_ = x
		_ = r
	}()
	{
		x := x
		_ = x
	}
}

func handler(c *gin.Context, router chi.Router, doc yaml.Node) (n int, err error) {
	context := 3
	_ = context
	return 0, nil
}
"""


@pytest.fixture(scope="module")
def model() -> FileModel:
    return FileModel(SourceFile(Path("svc.go"), "svc.go", SRC.encode(), new_parser()))


def ident(model: FileModel, name: str, occurrence: int = 0):
    return model.identifiers_named(name)[occurrence]


@pytest.mark.parametrize("path,name", [
    ("context", "context"), ("net/http", "http"), ("github.com/go-chi/chi/v5", "chi"),
    ("gopkg.in/yaml.v3", "yaml"), ("github.com/redis/go-redis/v9", "redis"), ("k8s.io/client-go", "client"),
    ("github.com/mattn/go-sqlite3", "sqlite3"), ("github.com/aws/aws-sdk-go", "aws"),
])
def test_assumed_package_name(path, name):
    assert assumed_package_name(path) == name


def test_imports(model):
    assert model.package == "svc"
    assert model.imports["nethttp"] == "net/http"
    assert model.imports["gin"] == "github.com/gin-gonic/gin"
    assert model.imports["chi"] == "github.com/go-chi/chi/v5"
    assert model.imports["yaml"] == "gopkg.in/yaml.v3"
    assert "_" not in model.imports and "." not in model.imports
    assert model.imported("net/http/pprof") and model.imported("strings")
    assert model.local_names("net/http") == {"nethttp"}


def test_a_name_an_import_spells_wins_over_one_assumed_from_a_trimmed_element():
    # `go-http-server` would be `http` by the convention, but net/http is `http` in this file, and
    # Go rejects two imports of one name: the other package is used by its own name (`server`).
    src = b"""package p
import (
	"net/http"
	"github.com/example/go-http-server"
	"github.com/example/go-redis"
	"github.com/example/go-kit/v2"
)
func f(w http.ResponseWriter) { _ = server.New(); _ = redis.NewClient(); _ = kit.Run() }
"""
    model = FileModel(SourceFile(Path("p.go"), "p.go", src, new_parser()))
    assert model.imports["http"] == "net/http"
    assert model.imports["server"] == "github.com/example/go-http-server"
    # Near misses: with no other import of their name, trimmed names stand.
    assert model.imports["redis"] == "github.com/example/go-redis"
    assert model.imports["kit"] == "github.com/example/go-kit/v2"
    # The same, the other way round: the spelt name wins wherever it stands.
    flipped = FileModel(SourceFile(Path("q.go"), "q.go", src.replace(b'\t"net/http"\n', b"").replace(
        b'"github.com/example/go-kit/v2"\n', b'"github.com/example/go-kit/v2"\n\t"net/http"\n'), new_parser()))
    assert flipped.imports["http"] == "net/http"


def test_package_vars(model):
    kinds = {name: var.kind for name, var in model.package_vars.items()}
    assert kinds == {"cache": "map", "seen": "map", "log": "slice", "sm": "sync.Map", "count": "other"}
    assert model.package_vars["log"].type == "[]string"


def test_functions_and_params(model):
    names = [f.name for f in model.functions]
    assert names == ["Server.ServeHTTP", "Server.ServeHTTP.func1", "handler"]
    serve = model.functions[0]
    assert serve.kind == "method" and serve.receiver.type == "*Server"
    assert [(p.name, p.type) for p in serve.params] == [
        ("w", "net/http.ResponseWriter"), ("r", "*net/http.Request")]
    handler = model.functions[2]
    assert [(p.name, p.type) for p in handler.params] == [
        ("c", "*github.com/gin-gonic/gin.Context"), ("router", "github.com/go-chi/chi/v5.Router"),
        ("doc", "gopkg.in/yaml.v3.Node")]
    assert [p.name for p in handler.results] == ["n", "err"]
    literal = model.functions[1]
    assert literal.parent is serve
    assert model.enclosing_function(ident(model, "r", 1)) is literal


def test_resolve_scopes(model):
    # `r` inside the literal is the method's parameter, captured.
    binding = model.resolve(ident(model, "r", 1))
    assert binding.kind == "param" and binding.function is model.functions[0]
    # `y` in the if body comes from the if's initializer.
    y_use = ident(model, "y", 2)
    assert model.resolve(y_use).decl == ident(model, "y", 0)
    # range variables
    assert model.resolve(ident(model, "v", 1)).decl == ident(model, "v", 0)
    # `x := x`: the right-hand x is the first declaration, the next use is the new one.
    xs = model.identifiers_named("x")
    first_decl = xs[0]
    redecl, rhs, last_use = xs[-3], xs[-2], xs[-1]
    assert model.resolve(rhs).decl == first_decl
    assert model.resolve(last_use).decl == redecl
    assert model.resolve(ident(model, "cache")).kind == "package"
    # a local named like an import shadows it
    context_use = model.identifiers_named("context")[-1]
    assert model.resolve(context_use).kind == "local"
    assert model.resolve(ident(model, "len") if model.identifiers_named("len") else xs[0]).kind in ("builtin", "local")


def test_qualified_through_aliases_and_shadowing():
    src = b"""package p
import (
	ctx "context"
	"time"
)
func f() {
	ctx.WithCancel(nil)
	time.NewTimer(0)
	time := fake{}
	time.NewTimer(0)
}
"""
    model = FileModel(SourceFile(Path("p.go"), "p.go", src, new_parser()))
    calls = QueryCursor(Query(GO, "(call_expression) @c")).captures(model.source.root)["c"]
    calls.sort(key=lambda n: n.start_byte)
    assert [model.qualified(c) for c in calls] == ["context.WithCancel", "time.NewTimer", None]


def test_qualified_sees_a_parameter_named_like_an_import_and_ignores_mentions_in_comments():
    src = b"""package p
import (
	"sync"
	"time"
)
// time and sync, mentioned in a comment, declare nothing.
func f(sync fakeSync) {
	sync.NewCond(nil)
	time.NewTimer(0)
	go func(time clock) { time.NewTimer(0) }(c)
}
func g() { sync.NewCond(nil) }
"""
    model = FileModel(SourceFile(Path("p.go"), "p.go", src, new_parser()))
    calls = QueryCursor(Query(GO, "(call_expression function: (selector_expression)) @c")).captures(model.source.root)["c"]
    calls.sort(key=lambda n: n.start_byte)
    assert [model.qualified(c) for c in calls] == [None, "time.NewTimer", None, "sync.NewCond"]


def test_references_follow_the_declaration_not_the_name():
    src = b"""package p
func f() {
	a := 1
	g(a)
	{
		a := 2
		g(a)
	}
	func() { g(a) }()
}
"""
    model = FileModel(SourceFile(Path("p.go"), "p.go", src, new_parser()))
    outer, use1, inner, use_inner, use_closure = model.identifiers_named("a")
    assert model.references(outer) == [use1, use_closure]
    assert model.references(inner) == [use_inner]


def test_deeply_nested_code_does_not_hit_recursion_limits():
    depth = 5000
    src = ("package p\nfunc f() {\n" + "{\n" * depth + "x := 1\n_ = x\n" + "}\n" * depth + "}\n").encode()
    model = FileModel(SourceFile(Path("p.go"), "p.go", src, new_parser()))
    decl, use = model.identifiers_named("x")
    assert model.resolve(use).decl == decl


DECLARED = """package svc

import (
	nethttp "net/http"
	"time"
)

type Server struct{}

var client = nethttp.DefaultClient
var typed *nethttp.Client
var made = &Server{}

func (s *Server) run(t *time.Ticker, n int) (err error) {
	a, b := Server{}, &nethttp.Client{}
	var c nethttp.Client
	var d = time.NewTicker(time.Second)
	e, f := lookup()
	g := time.NewTicker
	use(s, t, n, err, a, b, c, d, e, f, g, client, typed, made)
	return nil
}
"""


def test_declared_type_of_every_kind_of_binding():
    source = SourceFile(Path("d.go"), "d.go", DECLARED.encode(), new_parser())
    model = FileModel(source)
    call = source.data.index(b"use(")
    types = {}
    for ident in model.identifiers_named("use")[0].parent.child_by_field_name("arguments").named_children:
        types[source.text(ident)] = model.declared_type(model.resolve(ident))
    assert call > 0
    assert types == {
        "s": "*Server", "t": "*time.Ticker", "n": "int", "err": "error",  # receiver, params, named result
        "a": "Server", "b": "*net/http.Client", "c": "net/http.Client", "d": "*time.Ticker",  # locals
        "e": None, "f": None,  # only type checking could tell
        "g": None,  # the constructor itself, not a ticker
        "client": "*net/http.Client", "typed": "*net/http.Client", "made": "*Server",  # package variables
    }


def test_single_initialiser_pairs_names_with_values():
    from goleaklint.model import single_initialiser

    source = SourceFile(Path("d.go"), "d.go", DECLARED.encode(), new_parser())
    model = FileModel(source)
    values = {}
    for name in ("a", "b", "d", "e", "client"):
        ident = model.identifiers_named(name)[0]
        value = single_initialiser(model.resolve(ident).decl)
        values[name] = source.text(value) if value is not None else None
    assert values == {"a": "Server{}", "b": "&nethttp.Client{}", "d": "time.NewTicker(time.Second)", "e": None,
                      "client": "nethttp.DefaultClient"}


def test_package_level_literals_are_named_for_their_file():
    """Two files' first package-level literals are two functions to the module model; findings show
    the name Go's own style gives (`glob.func1`)."""
    from goleaklint.model import display_name, model_name

    source = SourceFile(Path("pkg/routes.go"), "pkg/routes.go",
                        b"package pkg\n\nvar h = func() { func() {}() }\n\nvar g = func() {}\n", new_parser())
    names = [fn.name for fn in FileModel(source).functions]
    assert names == ["glob@routes.go.func1", "glob@routes.go.func1.func1", "glob@routes.go.func2"]
    assert [display_name(n) for n in names] == ["glob.func1", "glob.func1.func1", "glob.func2"]
    assert [model_name(display_name(n), "pkg/routes.go") for n in names] == names
    assert display_name("Server.run.func1") == "Server.run.func1" == model_name("Server.run.func1", "a.go")


def test_block_statements_include_those_after_a_comment_that_opens_the_block():
    # `{ // why` then the statements: the parser leaves the comment outside the block's
    # statement_list, and the statements are still the block's.
    from goleaklint.model import block_statements

    src = (b"package p\n\nfunc f() {\n\tif x == nil {\n\t\t// set up once\n\t\tcfg := 1\n\t\tx = g(cfg)\n\t}\n"
           b"\tif y {\n\t\ty = false\n\t}\n}\n")
    model = FileModel(SourceFile(Path("p.go"), "p.go", src, new_parser()))
    blocks = [node.child_by_field_name("consequence") for node in model.source.root.named_children[1]
              .child_by_field_name("body").named_children[0].named_children]
    assert [s.type for s in block_statements(blocks[0])] == ["comment", "short_var_declaration", "assignment_statement"]
    assert [s.type for s in block_statements(blocks[1])] == ["assignment_statement"]


def test_an_import_whose_package_declares_another_name_is_used_by_that_name():
    # `…/auth/impl` holds `package local`: the file selects from `local`, never from `impl`, and
    # declares no `local` of its own.
    src = b"""package commands

import (
	"fmt"
	"example.com/app/auth/impl"
)

func run(p *local.Provider) { fmt.Println(local.New(), p) }
"""
    model = FileModel(SourceFile(Path("r.go"), "r.go", src, new_parser()))
    assert model.imports["local"] == "example.com/app/auth/impl"
    # Near misses: two names that nothing declares (which one is the import's, the file does not
    # say), and a parameter of that name selected from (a value, not a package).
    two = FileModel(SourceFile(Path("s.go"), "s.go", src.replace(b"fmt.Println(local.New(), p)",
                                                                 b"fmt.Println(local.New(), remote.New(), p)"), new_parser()))
    assert "local" not in two.imports and "remote" not in two.imports
    param = FileModel(SourceFile(Path("t.go"), "t.go", b"""package commands

import "example.com/app/auth/impl"

var _ = impl.X

func run(local *Provider) { local.Close() }
""", new_parser()))
    assert "local" not in param.imports
    shadow = FileModel(SourceFile(Path("u.go"), "u.go", b"""package commands

import "example.com/app/auth/impl"

func run(local *Provider) { local.Close() }
""", new_parser()))
    assert "local" not in shadow.imports
