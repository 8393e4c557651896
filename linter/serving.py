"""Where a file starts HTTP servers, and whether only its own host can reach each one.

A module whose every server listens on loopback or a unix socket serves no client on another host:
GL406's unbounded body read is then a note (linter/lifetime.py, ModuleModel.local_serving). The
question is asked of the whole module because a handler is not linked to the server that serves it;
one server that may be public, or that is started in a way not read here, keeps every handler public.
"""

from __future__ import annotations

from tree_sitter import Node

from .addresses import NETWORK, Reach, address_reach, listener_reach
from .model import FileModel, single_initialiser
from .patterns import LazyPattern
from .source import query_captures
from .structs import field_type

# The package-level functions of net/http that serve: an address, or a listener, first.
SERVE_FUNCS = {"net/http.ListenAndServe": "address", "net/http.ListenAndServeTLS": "address",
               "net/http.Serve": "listener", "net/http.ServeTLS": "listener"}
# Methods that serve a value made elsewhere: an `http.Server`'s, gin's engine's.
_SERVE_METHODS = {"ListenAndServe": None, "ListenAndServeTLS": None, "Serve": "listener", "ServeTLS": "listener"}
_GIN = "github.com/gin-gonic/gin"
_GIN_METHODS = {"Run": "address", "RunTLS": "address", "RunUnix": "unix", "RunListener": "listener"}
# Packages that start servers of their own, in ways not read here: a file that imports one may serve
# any handler of the module to any host.
_OWN_SERVERS = (
    "github.com/labstack/echo", "github.com/gofiber/fiber", "github.com/kataras/iris", "github.com/astaxie/beego",
    "github.com/beego/beego", "github.com/zeromicro/go-zero/rest", "github.com/tal-tech/go-zero/rest",
    "github.com/go-kratos/kratos", "github.com/cloudwego/hertz", "github.com/valyala/fasthttp",
    "github.com/gogf/gf", "gofr.dev", "github.com/gobuffalo/buffalo", "github.com/revel/revel",
    "github.com/go-martini/martini", "gopkg.in/macaron", "github.com/go-macaron/macaron",
    "github.com/caddyserver/caddy", "google.golang.org/appengine", "net/http/fcgi", "net/http/cgi",
    "github.com/emicklei/go-restful", "github.com/savsgio/atreugo", "github.com/gorilla/rpc",
)
_MAY_SERVE = LazyPattern(rb"ListenAndServe|\.Serve(?:TLS)?\(|\.Run(?:TLS|Unix|Listener)?\(")


def serve_reach(model: FileModel, name: str, args: list[Node]) -> Reach:
    """Who reaches a server one of net/http's SERVE_FUNCS starts: by its address or its listener."""
    if not args:
        return Reach(NETWORK)
    if SERVE_FUNCS[name] == "address":
        return address_reach(model, args[0])
    return listener_reach(model, args[0])


def serving_sites(model: FileModel, captures: dict[str, list[Node]]) -> list[str]:
    """"line:local" or "line:public" for each call of the file that starts an HTTP server (a server
    literal served by its own method counts where the method is called). "public" when the server
    may be reached from other hosts, or when the call cannot be read: a framework that serves by
    itself counts as one public server at the import. `captures`: the summary's (linter/callgraph.py),
    whose selector calls' operands lead to the calls read here."""
    data = model.source.data
    sites: list[str] = []
    for path in sorted(set(model.imports.values())):
        if path.startswith(_OWN_SERVERS):
            sites.append("1:public")
            break
    if not _MAY_SERVE.search(data):
        return sites
    gin = model.imported(_GIN)
    literals: list[Node] | None = None
    for call in _selector_calls(model, captures):
        function = call.child_by_field_name("function")
        arguments = call.child_by_field_name("arguments")
        args = arguments.named_children if arguments is not None else []
        name = model.qualified(call)
        kind: str | None = "none"
        if name in SERVE_FUNCS:
            kind = SERVE_FUNCS[name]
        elif name is None and function.type == "selector_expression":
            method = model.source.text(function.child_by_field_name("field"))
            if method in _SERVE_METHODS:
                kind = _SERVE_METHODS[method]
                if kind is None:  # `srv.ListenAndServe()`: the file's server literals' `Addr`
                    if literals is None:
                        literals = _server_literals(model)
                    sites.append(f"{_line(model, call)}:{_literal_reach(model, literals)}")
                    continue
            elif gin and method in _GIN_METHODS:
                engine = _gin_engine(model, function.child_by_field_name("operand"))
                if engine == "other":
                    continue
                kind = _GIN_METHODS[method]
                if engine.startswith("@"):  # made by a function of the package: its result type decides
                    local = kind == "unix" or bool(args) and kind == "address" and address_reach(model, args[0]).local
                    sites.append(f"{_line(model, call)}:{'local' if local else 'public' + engine}")
                    continue
        if kind == "none":
            continue
        local = False
        if kind == "unix":
            local = True
        elif args and kind == "address":
            local = address_reach(model, args[0]).local
        elif args and kind == "listener":
            local = listener_reach(model, args[0]).local
        sites.append(f"{_line(model, call)}:{'local' if local else 'public'}")
    return sites


_GIN_MAKERS = frozenset({f"{_GIN}.New", f"{_GIN}.Default"})


def _gin_engine(model: FileModel, receiver: Node | None) -> str:
    """Whether what `Run` is called on is a gin engine: "gin", "other" (a declared type, or a maker,
    that is not gin's), "@Name" (the result of the package's function Name, whose declared result
    the module model reads), or "unknown", which counts as an engine."""
    if receiver is None:
        return "unknown"
    if receiver.type == "call_expression":
        return _made_by(model, receiver)
    if receiver.type == "selector_expression":
        declared = field_type(model, receiver)
        return "unknown" if declared is None else "gin" if declared == f"*{_GIN}.Engine" else "other"
    if receiver.type != "identifier":
        return "unknown"
    binding = model.resolve(receiver)
    declared = model.declared_type(binding)
    if declared is not None:
        return "gin" if declared == f"*{_GIN}.Engine" else "other"
    value = single_initialiser(binding.decl) if binding.decl is not None else None
    return _made_by(model, value) if value is not None and value.type == "call_expression" else "unknown"


def _made_by(model: FileModel, call: Node) -> str:
    name = model.qualified(call)
    if name in _GIN_MAKERS:
        return "gin"
    if name is not None:
        return "other" if not name.startswith(_GIN) else "unknown"
    function = call.child_by_field_name("function")
    if function is not None and function.type == "identifier":
        return "@" + model.source.text(function)
    return "unknown"


_METHOD_NAMES = frozenset(name.encode() for name in (*_SERVE_METHODS, *_GIN_METHODS))


def _selector_calls(model: FileModel, captures: dict[str, list[Node]]) -> list[Node]:
    """The calls `x.M(…)` whose method is one that may serve, in source order, found from the
    operands the summary's query captured (`co`: a name, `cx`: any other expression)."""
    data = model.source.data
    calls = []
    for operand in (*captures.get("co", ()), *captures.get("cx", ())):
        selector = operand.parent
        field = selector.child_by_field_name("field") if selector is not None else None
        if field is None or data[field.start_byte:field.end_byte] not in _METHOD_NAMES:
            continue
        calls.append(selector.parent)
    return sorted(calls, key=lambda n: n.start_byte)


def _line(model: FileModel, node: Node) -> int:
    return node.start_point[0] + 1


_SERVER_LITERAL = "(composite_literal type: (qualified_type name: (type_identifier) @type (#eq? @type \"Server\"))) @server"


def _server_literals(model: FileModel) -> list[Node]:
    return [literal for literal in query_captures(_SERVER_LITERAL, model.source.root).get("server", [])
            if model.type_text(literal.child_by_field_name("type")) == "net/http.Server"]


def _literal_reach(model: FileModel, literals: list[Node]) -> str:
    """Local when the file makes `http.Server` literals and every one's `Addr` is loopback: the
    server a `ListenAndServe()` of the file serves is then one of them."""
    if not literals:
        return "public"
    for literal in literals:
        addr = literal_fields(model, literal).get("Addr")
        if addr is None or not address_reach(model, addr).local:
            return "public"
    return "local"


def literal_fields(model: FileModel, literal: Node) -> dict[str, Node]:
    """The keyed fields a composite literal sets, each to its value (the expression itself where
    the literal element holds one)."""
    body = literal.child_by_field_name("body")
    fields: dict[str, Node] = {}
    for element in body.named_children if body is not None else []:
        if element.type == "keyed_element":
            key = element.child_by_field_name("key")
            value = element.child_by_field_name("value")
            if key is not None and value is not None:
                fields[model.source.text(key)] = value.named_children[0] if value.named_child_count == 1 else value
    return fields


def local_only(sites: list[str]) -> bool:
    """Every site local, and at least one: what a module's servers must be for its handlers to be
    reached only from its own host."""
    return bool(sites) and all(site.endswith(":local") for site in sites)

