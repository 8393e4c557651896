"""Knowing a request handler and its request values when we see them.

A value that belongs to one HTTP request (the request, its writer, a framework context) must not
outlive the handler: frameworks recycle them (gin pools `*gin.Context`, fiber reuses `*fiber.Ctx`),
and keeping one alive keeps the request's buffers alive. Types here are import-resolved, as
`FileModel.type_text` writes them.
"""

from __future__ import annotations

from .model import Function

GIN = "github.com/gin-gonic/gin"
ECHO_PATHS = ("github.com/labstack/echo/v4", "github.com/labstack/echo")
FIBER_PATHS = ("github.com/gofiber/fiber/v2", "github.com/gofiber/fiber/v3", "github.com/gofiber/fiber")

REQUEST_TYPES = frozenset(
    {"*net/http.Request", "net/http.ResponseWriter", f"*{GIN}.Context"}
    | {f"{p}.Context" for p in ECHO_PATHS}
    | {f"*{p}.Ctx" for p in FIBER_PATHS}
    | {f"{p}.Ctx" for p in FIBER_PATHS}  # fiber v3's Ctx is an interface
)

# Framework contexts: a handler taking one of these is a handler.
CONTEXT_TYPES = frozenset(t for t in REQUEST_TYPES if not t.startswith(("*net/http.", "net/http.")))


def is_request_type(type_text: str) -> bool:
    return type_text in REQUEST_TYPES


def request_params(function: Function):
    """The parameters of `function` that hold request-scoped values."""
    return [p for p in function.params if p.name and p.name != "_" and is_request_type(p.type)]


def is_handler(function: Function) -> bool:
    """A net/http handler (`(http.ResponseWriter, *http.Request)`, also as ServeHTTP) or a
    framework handler taking a gin/echo/fiber context."""
    types = [p.type for p in function.params]
    if "net/http.ResponseWriter" in types and "*net/http.Request" in types:
        return True
    return any(t in CONTEXT_TYPES for t in types)
