"""GL502 server-without-timeouts."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext
from goleaklint.model import single_initialiser
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL502",
    slug="server-without-timeouts",
    title="an HTTP server is started with no read timeout",
    severity=Severity.WARNING,
    tags=("security", "external/cwe/cwe-400", "resource-leak"),
    precision="high",
    security_severity="5.3",
    docs=Docs(
        what="Finds `http.ListenAndServe`, `http.ListenAndServeTLS`, `http.Serve` and `http.ServeTLS` "
        "(they serve with a zero-value `http.Server`, which has no timeouts), `http.Server{...}` literals "
        "that set neither `ReadHeaderTimeout` nor `ReadTimeout` (and whose variable is not given one "
        "later in the file), and gin's `r.Run(...)` on an engine from `gin.Default()`/`gin.New()` or "
        "typed `*gin.Engine`, which calls `http.ListenAndServe` underneath. Test files, and the `Config` "
        "of an `httptest.Server`, are skipped.",
        why="Without a read timeout the server waits forever for a client to finish sending its "
        "headers. Each connection holds a goroutine, its read buffer and a file descriptor; a few "
        "thousand slow or idle clients (Slowloris) hold memory and descriptors until the process "
        "runs out of one of them.",
        example="""log.Fatal(http.ListenAndServe(":8080", mux))""",
        use_instead="""srv := &http.Server{
    Addr:              ":8080",
    Handler:           mux,
    ReadHeaderTimeout: 10 * time.Second,
    IdleTimeout:       2 * time.Minute,
}
log.Fatal(srv.ListenAndServe())""",
        limits="A server configured by a helper the `http.Server` is passed to, or whose timeouts are "
        "set in another file, is still reported; suppress it with a reason. Servers of other "
        "frameworks (echo's `e.Start`, fiber) are not checked.",
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
METHOD_CALLS = frozenset({"ListenAndServe", "ListenAndServeTLS", "Serve", "ServeTLS", "Run"})

_SERVE_FUNCS = frozenset({"net/http.ListenAndServe", "net/http.ListenAndServeTLS", "net/http.Serve", "net/http.ServeTLS"})
_GIN = "github.com/gin-gonic/gin"
_FIX = ("use an http.Server with ReadHeaderTimeout set (e.g. 10*time.Second), plus IdleTimeout, and call its "
        "ListenAndServe")


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file:
        return
    model = ctx.model
    for call in captures.get("call", []):
        name = model.qualified(call)
        label = ctx.source.text(call.child_by_field_name("function"))
        if name in _SERVE_FUNCS:
            yield ctx.finding(
                RULE, call,
                f"{label} serves with no timeouts: a slow client holds a goroutine and its buffers for as long as it "
                "likes",
                fix=_FIX,
            )
        elif name is None and _is_gin_run(ctx, call):
            yield ctx.finding(
                RULE, call,
                f"gin's {label} serves with http.ListenAndServe, which has no timeouts: a slow client holds a "
                "goroutine and its buffers for as long as it likes",
                fix="serve the engine with `&http.Server{Handler: r, ReadHeaderTimeout: 10 * time.Second}` instead of Run",
            )
    timeout_targets = [n.child_by_field_name("operand") for n in captures.get("timeout_set", [])]
    for literal in captures.get("server", []):
        if model.type_text(literal.child_by_field_name("type")) != "net/http.Server":
            continue
        body = literal.child_by_field_name("body")
        keys = set()
        for element in (body.named_children if body is not None else []):
            if element.type == "keyed_element":
                key = element.child_by_field_name("key")
                if key is not None:
                    keys.add(ctx.source.text(key))
        if not keys.isdisjoint({"ReadHeaderTimeout", "ReadTimeout"}):
            continue
        if not keys and body is not None and body.named_child_count:
            continue  # a positional literal: fields we cannot name
        bound = _bound_to(ctx, literal)
        if bound is None or (bound != "" and _timeout_set_later(ctx, bound, timeout_targets)):
            continue
        yield ctx.finding(
            RULE, literal,
            "this http.Server sets neither ReadHeaderTimeout nor ReadTimeout: a slow client holds a goroutine and its "
            "buffers for as long as it likes",
            fix="set ReadHeaderTimeout (e.g. 10*time.Second), and IdleTimeout for keep-alive connections",
        )


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


def _timeout_set_later(ctx: FileContext, bound: Node, targets: list[Node]) -> bool:
    """`srv.ReadHeaderTimeout = ...` on the same variable, or on the same field name anywhere in the
    file (a constructor may fill in a field's server that another method made)."""
    model = ctx.model
    if bound.type == "identifier":
        decl = model.resolve(bound).decl or bound
        return any(t is not None and t.type == "identifier" and model.resolve(t).decl is not None
                   and model.resolve(t).decl.start_byte == decl.start_byte for t in targets)
    if bound.type == "selector_expression":
        field = bound.child_by_field_name("field")
        return any(t is not None and t.type == "selector_expression"
                   and t.child_by_field_name("field").text == field.text for t in targets)
    return True


def _is_gin_run(ctx: FileContext, call: Node) -> bool:
    function = call.child_by_field_name("function")
    if function.child_by_field_name("field").text != b"Run":
        return False
    receiver = function.child_by_field_name("operand")
    if receiver is None or receiver.type != "identifier" or not ctx.model.imported(_GIN):
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
