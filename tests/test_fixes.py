"""A finding's fix speaks of the code it is reported in: the handler's own names, not an example's."""

from __future__ import annotations

GIN_HANDLER = """package api

import (
	"io"

	"github.com/gin-gonic/gin"
)

func Upload(ctx *gin.Context) {
	raw, _ := io.ReadAll(ctx.Request.Body)
	_ = raw
	go func() {
		_ = ctx.GetHeader("X-Request-Id")
	}()
}
"""

HTTP_HANDLER = """package api

import (
	"io"
	"net/http"
)

func Import(rw http.ResponseWriter, req *http.Request) {
	raw, _ := io.ReadAll(req.Body)
	_, _ = rw.Write(raw)
}
"""


def _fixes(result, rule_id):
    return [f.fix for f in result.findings if f.rule_id == rule_id]


def test_gin_fixes_name_the_handlers_context(lint_tree):
    result = lint_tree({"go.mod": "module example.com/api\n\ngo 1.22\n", "api.go": GIN_HANDLER},
                       select=["GL406", "GL301"])
    assert _fixes(result, "GL406") == [
        "wrap the body first: `ctx.Request.Body = http.MaxBytesReader(ctx.Writer, ctx.Request.Body, maxBytes)`, "
        "or read from `io.LimitReader`"]
    assert _fixes(result, "GL301") == [
        "take `ctxCp := ctx.Copy()` before the `go` statement and use ctxCp, or copy the values the goroutine needs"]


def test_net_http_fix_names_the_handlers_writer(lint_tree):
    result = lint_tree({"go.mod": "module example.com/api\n\ngo 1.22\n", "api.go": HTTP_HANDLER}, select=["GL406"])
    assert _fixes(result, "GL406") == [
        "wrap the body first: `req.Body = http.MaxBytesReader(rw, req.Body, maxBytes)`, or read from `io.LimitReader`"]
