"""Framework awareness: which functions are handlers, which expressions are request values, and
when a goroutine is awaited. The rules GL301/GL302/GL104 rest on these answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from tree_sitter import QueryCursor

from goleaklint import frameworks as fw
from goleaklint.goroutines import GO_QUERY, awaited
from goleaklint.model import FileModel
from goleaklint.source import SourceFile, new_parser, query

SRC = """package svc

import (
	"context"
	nethttp "net/http"
	"sync"

	web "github.com/gin-gonic/gin"
	"github.com/go-chi/chi/v5"
	"github.com/gofiber/fiber/v2"
	"github.com/labstack/echo/v4"
	"github.com/valyala/fasthttp"
)

type API struct{}

func (a *API) ServeHTTP(w nethttp.ResponseWriter, r *nethttp.Request) {
	body := r.Body
	req2 := r.WithContext(context.Background())
	path := r.URL.Path
	_, _, _ = body, req2, path
}

func routes(mux *nethttp.ServeMux, router chi.Router) {
	mux.Handle("/a", nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) {}))
	mux.HandleFunc("/b", func(w nethttp.ResponseWriter, r *nethttp.Request) {})
	router.Get("/c", func(w nethttp.ResponseWriter, r *nethttp.Request) {})
}

func Auth() web.HandlerFunc {
	return func(c *web.Context) {
		req := c.Request
		wr := c.Writer
		cp := c.Copy()
		id := c.Param("id")
		_, _, _, _ = req, wr, cp, id
	}
}

func Wrap(next nethttp.Handler) nethttp.Handler {
	return nethttp.HandlerFunc(func(w nethttp.ResponseWriter, r *nethttp.Request) { next.ServeHTTP(w, r) })
}

func EchoMW(next echo.HandlerFunc) echo.HandlerFunc { return next }

func Chain() func(next nethttp.Handler) nethttp.Handler { return nil }

func FiberMW() fiber.Handler { return nil }

func echoHandler(c echo.Context) error {
	req := c.Request()
	res := c.Response()
	_, _ = req, res
	return nil
}

func fiberHandler(c *fiber.Ctx) error {
	fctx := c.Context()
	_ = fctx
	return nil
}

func fast(ctx *fasthttp.RequestCtx) {}

func helper(c *web.Context, n int) {}

func client(req *nethttp.Request) {
	r2 := req
	_ = r2
}

func Reset(r *nethttp.Request, w nethttp.ResponseWriter) {}

func awaits(w nethttp.ResponseWriter, r *nethttp.Request) {
	var wg sync.WaitGroup
	go func() { wg.Done() }()
	wg.Wait()
	done := make(chan bool)
	go func() { done <- true }()
	<-done
	other := make(chan bool)
	go func() {}()
	<-other
	go work(r.Context())
}

func deferred(w nethttp.ResponseWriter, r *nethttp.Request) {
	var wg sync.WaitGroup
	defer wg.Wait()
	go func() { wg.Done() }()
}

func waitBefore(w nethttp.ResponseWriter, r *nethttp.Request) {
	var wg sync.WaitGroup
	wg.Wait()
	go func() { wg.Done() }()
	func() { wg.Wait() }()
}

func keepAlive(w nethttp.ResponseWriter) func() {
	doneCh := make(chan bool)
	go func() { <-doneCh }()
	return func() { doneCh <- true }
}
"""


@pytest.fixture(scope="module")
def model() -> FileModel:
    return FileModel(SourceFile(Path("svc.go"), "svc.go", SRC.encode(), new_parser()))


def fn(model: FileModel, name: str):
    return next(f for f in model.functions if f.name == name)


def test_handlers_by_parameter_types_through_import_aliases(model):
    handlers = {f.name for f in model.functions if fw.is_handler(f)}
    assert handlers == {
        "API.ServeHTTP", "routes.func1", "routes.func2", "routes.func3", "Auth.func1", "Wrap.func1",
        "echoHandler", "fiberHandler", "fast", "helper", "Reset", "awaits", "deferred", "waitBefore",
    }
    assert not fw.is_handler(fn(model, "client"))  # a client request alone is not a handler
    assert not fw.is_handler(fn(model, "keepAlive"))


def test_handler_signature_is_exactly_what_a_router_calls(model):
    exact = {f.name for f in model.functions if fw.has_handler_signature(f)}
    assert {"API.ServeHTTP", "routes.func1", "Auth.func1", "echoHandler", "fiberHandler", "fast"} <= exact
    assert "helper" not in exact and "Reset" not in exact


def test_middleware_factories(model):
    factories = {f.name for f in model.functions if fw.is_middleware_factory(f)}
    assert factories == {"Auth", "Wrap", "EchoMW", "Chain", "FiberMW"}


def test_request_params_keep_their_signature(model):
    serve = fn(model, "API.ServeHTTP")
    assert [p.name for p in fw.request_params(serve)] == ["w", "r"]
    assert fw.is_request_type("*github.com/gin-gonic/gin.Context")
    assert fw.is_request_type("*github.com/gofiber/fiber/v2.Ctx")
    assert not fw.is_request_type("*net/http.Response")


def kinds(model: FileModel, function: str) -> dict[str, str]:
    return {model.source.text(decl): kind for decl, kind in fw.request_decls(model, fn(model, function))}


def test_request_values_and_locals_set_from_them(model):
    assert kinds(model, "API.ServeHTTP") == {
        "w": fw.RESPONSE_WRITER, "r": fw.HTTP_REQUEST, "body": fw.REQUEST_BODY, "req2": fw.HTTP_REQUEST,
    }
    # c.Copy() and values read out of the context are not request values.
    assert kinds(model, "Auth.func1") == {"c": fw.GIN_CONTEXT, "req": fw.HTTP_REQUEST, "wr": fw.RESPONSE_WRITER}
    assert kinds(model, "echoHandler") == {"c": fw.ECHO_CONTEXT, "req": fw.HTTP_REQUEST, "res": fw.RESPONSE_WRITER}
    assert kinds(model, "fiberHandler") == {"c": fw.FIBER_CTX, "fctx": fw.FASTHTTP_CTX}
    assert kinds(model, "fast") == {"ctx": fw.FASTHTTP_CTX}
    assert kinds(model, "client") == {}  # an outgoing request belongs to no handler


def test_pooled_kinds(model):
    assert fw.GIN_CONTEXT in fw.POOLED_KINDS and fw.FIBER_CTX in fw.POOLED_KINDS
    assert fw.HTTP_REQUEST not in fw.POOLED_KINDS


def test_enclosing_handler_walks_out_of_literals(model):
    literal = fn(model, "Auth.func1")
    inner = literal.body.named_children[0].named_children[0]
    assert fw.enclosing_handler(model, inner) is literal
    assert fw.enclosing_handler(model, fn(model, "Auth").node.child_by_field_name("name")) is None


def gos(model: FileModel, function: str):
    f = fn(model, function)
    found = QueryCursor(query(GO_QUERY)).captures(f.node).get("go", [])
    return sorted((g for g in found if model.enclosing_function(g) is f), key=lambda n: n.start_byte)


def test_awaited(model):
    wait_group, channel, unrelated, args = gos(model, "awaits")
    assert awaited(model, wait_group)
    assert awaited(model, channel)
    assert not awaited(model, unrelated)  # a receive from a channel the goroutine never mentions
    assert not awaited(model, args)
    assert awaited(model, gos(model, "deferred")[0])
    # A Wait before the goroutine starts, or inside another literal, waits for nothing.
    assert not awaited(model, gos(model, "waitBefore")[0])
    # The goroutine's channel leaves the function in a returned closure: the caller waits.
    assert awaited(model, gos(model, "keepAlive")[0])
