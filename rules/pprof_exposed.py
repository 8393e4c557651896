"""GL501 pprof-exposed."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node, QueryCursor

from goleaklint.addresses import LOOPBACK, NETWORK, Reach, address_reach, listener_reach
from goleaklint.context import FileContext, PackageContext
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query

RULE = Rule(
    id="GL501",
    slug="pprof-exposed",
    title="net/http/pprof is served on the default mux on a non-loopback address",
    severity=Severity.ERROR,
    tags=("security", "external/cwe/cwe-200"),
    precision="high",
    security_severity="7.5",
    docs=Docs(
        what="Finds packages where a non-test file imports `net/http/pprof` (blank or named) and a "
        "non-test file serves `http.DefaultServeMux`: `http.ListenAndServe(addr, nil)`, "
        "`http.ListenAndServeTLS(addr, cert, key, nil)`, `http.Serve(listener, nil)`, an `http.Server` "
        "literal with no `Handler` (or `Handler: nil`, `Handler: http.DefaultServeMux`), or any of these "
        "given `http.DefaultServeMux`, on an address that is not a loopback literal. `\":6060\"`, "
        "`\"0.0.0.0:6060\"`, a missing `Addr` and an address computed at run time are reported; "
        "`\"localhost:6060\"`, `\"127.0.0.1:6060\"`, `\"[::1]:6060\"` (also through a constant, "
        "`net.JoinHostPort` or a `fmt.Sprintf` format) are not.",
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
        limits="Only the package that imports `net/http/pprof` is looked at: a default mux served from "
        "another package of the same binary is not seen. pprof handlers mounted by hand on a custom mux "
        "(`mux.HandleFunc(\"/debug/pprof/\", pprof.Index)`) are not followed. An address read from a "
        "flag or config is reported even when its default is loopback, since the deployment decides; "
        "suppress it with a reason when it is.",
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


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    # The import path's bytes are in any file that imports it: files without them are not parsed
    # for their imports (context-only files are parsed only when asked).
    importers = [ctx for ctx in pkg.files
                 if not ctx.is_test_file and _PPROF_BYTES in ctx.source.data and ctx.model.imported(_PPROF)]
    if not importers:
        return
    where = importers[0].relpath.rsplit("/", 1)[-1]
    for ctx in pkg.files:
        if ctx.is_test_file or ctx.relpath not in pkg.report_paths or not ctx.model.imported("net/http"):
            continue  # findings in files not reported would be dropped
        yield from _check_file(ctx, where)


def _check_file(ctx: FileContext, where: str) -> Iterable[Finding]:
    model = ctx.model
    captures = QueryCursor(query(_CANDIDATES)).captures(ctx.source.root)
    for call in sorted(captures.get("call", []), key=lambda n: n.start_byte):
        shape = _SERVE.get(model.qualified(call) or "")
        if shape is None:
            continue
        args = call.child_by_field_name("arguments").named_children
        handler_index, address_index = shape
        if len(args) <= handler_index or not _is_default_mux(ctx, args[handler_index]):
            continue
        if address_index is not None:
            reach = address_reach(model, args[address_index], flags=False)
        else:
            reach = listener_reach(model, args[0])
        if reach.kind == LOOPBACK:
            continue
        yield _finding(ctx, call, reach, where)
    handler_targets = [n.child_by_field_name("operand") for n in captures.get("handler_set", [])]
    for literal in sorted(captures.get("server", []), key=lambda n: n.start_byte):
        if model.type_text(literal.child_by_field_name("type")) != "net/http.Server":
            continue
        fields = _fields(ctx, literal)
        if fields is None:
            continue
        handler = fields.get("Handler")
        if handler is not None and not _is_default_mux(ctx, handler):
            continue
        if handler is None and _handler_set_later(ctx, literal, handler_targets):
            continue
        addr = fields.get("Addr")
        reach = address_reach(model, addr, flags=False) if addr is not None else Reach(NETWORK, "")
        if reach.kind == LOOPBACK:
            continue
        yield _finding(ctx, literal, reach, where)


def _finding(ctx: FileContext, node: Node, reach: Reach, where: str) -> Finding:
    address = reach.address
    if address:
        shown = f'"{address}"'
    elif address == "":
        shown = "a server with no Addr (all interfaces, or wherever its listener is bound)"
    else:
        shown = "an address set at run time"
    return ctx.finding(
        RULE, node,
        f"net/http/pprof is imported ({where}) and the default mux is served on {shown}: /debug/pprof exposes heap "
        "contents, goroutine stacks and the command line, and lets anyone start CPU profiles",
        fix=_FIX,
    )


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
    """`srv.Handler = mux` for the variable the literal is bound to, in the same function."""
    model = ctx.model
    function = model.enclosing_function(literal)
    scope = function.node if function is not None else ctx.source.root
    for target in targets:
        if target is not None and scope.start_byte <= target.start_byte < scope.end_byte:
            return True
    return False


def _is_default_mux(ctx: FileContext, node: Node) -> bool:
    return node.type == "nil" or ctx.model.qualified(node) == "net/http.DefaultServeMux"
