"""GL406 unbounded-body-read."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node, QueryCursor

from goleaklint.context import FileContext
from goleaklint.frameworks import is_handler, is_request_type
from goleaklint.model import Function
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query

RULE = Rule(
    id="GL406",
    slug="unbounded-body-read",
    title="a request body is read whole with no size limit",
    severity=Severity.WARNING,
    tags=("memory-leak", "security", "external/cwe/cwe-400"),
    precision="high",
    security_severity="5.3",
    docs=Docs(
        what="Finds `io.ReadAll` / `ioutil.ReadAll` of a request body: `r.Body` of an `*http.Request` "
        "parameter of a handler, `c.Request.Body` of a gin context, `c.Request().Body` of an echo "
        "context, when the handler applies neither `http.MaxBytesReader` nor `io.LimitReader` to that "
        "body and does not replace it. A function taking an `*http.Request` without an "
        "`http.ResponseWriter` (a helper such as `decode(r, &v)`) is reported at note level, since its "
        "callers may have limited the body; a `RoundTrip` method is not reported (the body there is "
        "the client's own outgoing request). Test files are skipped.",
        why="`io.ReadAll` grows its buffer until the reader ends. A client that sends a body of a few "
        "gigabytes (or streams one slowly without end) makes the handler hold all of it in the heap; "
        "a handful of such requests at once take the process down. `json.NewDecoder(r.Body).Decode` "
        "is not reported: it stops at the end of the first value, although a limit is still wise.",
        example="""func upload(w http.ResponseWriter, r *http.Request) {
    data, err := io.ReadAll(r.Body)
    ...
}""",
        use_instead="""func upload(w http.ResponseWriter, r *http.Request) {
    r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
    data, err := io.ReadAll(r.Body) // fails with *http.MaxBytesError past 1 MiB
    ...
}""",
        limits="fiber is not checked: it reads bodies itself, bounded by its BodyLimit (4 MiB by "
        "default). A limit applied by a middleware is not seen; "
        "suppress with a reason, or apply the limit in the handler. Any assignment to the body in the "
        "handler is taken to be a limit. Only the handler's own parameters are followed, not a "
        "request stored elsewhere first.",
        references=("https://pkg.go.dev/net/http#MaxBytesReader", "https://cwe.mitre.org/data/definitions/400.html"),
    ),
)

REQUIRES_IMPORTS = frozenset({"io", "io/ioutil"})
METHOD_CALLS = frozenset({"ReadAll"})

_READ_ALL = frozenset({"io.ReadAll", "io/ioutil.ReadAll"})
_LIMITS = frozenset({"net/http.MaxBytesReader", "io.LimitReader"})
_LIMIT_QUERY = """
[
  (call_expression function: (selector_expression field: (field_identifier) @n (#match? @n "^(MaxBytesReader|LimitReader)$"))) @limit
  (assignment_statement left: (expression_list (selector_expression field: (field_identifier) @f (#eq? @f "Body")) @assigned))
]
"""


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.is_test_file:
        return  # a test server has no hostile clients
    model = ctx.model
    for call in captures["call"]:
        body = _only_argument(call)
        if body is None or body.type != "selector_expression" or model.qualified(call) not in _READ_ALL:
            continue
        field = body.child_by_field_name("field")
        if field is None or ctx.source.text(field) != "Body":
            continue
        found = _request_of(ctx, body.child_by_field_name("operand"))
        if found is None:
            continue
        owner, request_text = found
        body_text = ctx.source.text(body).replace(" ", "")
        if _limited(ctx, owner, body_text):
            continue
        label = ctx.source.text(call.child_by_field_name("function"))
        handler = is_handler(owner)
        yield ctx.finding(
            RULE, call,
            f"{label}({body_text}) reads the whole request body with no size limit: one large or endless request "
            "takes the heap" + ("" if handler else f" (unless every caller of {owner.name} limits it first)"),
            severity=None if handler else Severity.NOTE,
            fix=f"wrap the body first: `{body_text} = http.MaxBytesReader(w, {body_text}, maxBytes)`, or read "
            "from `io.LimitReader`",
        )


def _request_of(ctx: FileContext, operand: Node | None) -> tuple[Function, str] | None:
    """(the function owning the request parameter, its text) when `operand` is a request:
    `r` (*http.Request), `c.Request` (gin), `c.Request()` (echo)."""
    if operand is None:
        return None
    if operand.type == "identifier":
        param = _param(ctx, operand)
        if param is None or param[1] != "*net/http.Request":
            return None
        owner = param[0]
        if owner.name.endswith("RoundTrip") and owner.kind == "method":
            return None  # a transport reads the client's own outgoing body
        return owner, ctx.source.text(operand)
    inner = operand
    if operand.type == "call_expression" and operand.child_by_field_name("arguments").named_child_count == 0:
        inner = operand.child_by_field_name("function")
    if inner is None or inner.type != "selector_expression":
        return None
    field = inner.child_by_field_name("field")
    base = inner.child_by_field_name("operand")
    if field is None or field.text != b"Request" or base is None or base.type != "identifier":
        return None
    param = _param(ctx, base)
    if param is None or not is_request_type(param[1]) or "net/http." in param[1]:
        return None
    return param[0], ctx.source.text(operand)


def _param(ctx: FileContext, ident: Node) -> tuple[Function, str] | None:
    binding = ctx.model.resolve(ident)
    if binding.kind != "param" or binding.function is None or binding.decl is None:
        return None
    declared = ctx.model.declared_type(binding)
    return (binding.function, declared) if declared is not None else None


def _limited(ctx: FileContext, owner: Function, body_text: str) -> bool:
    """A MaxBytesReader/LimitReader over this body, or any assignment to it, in the owning function."""
    model = ctx.model
    captures = QueryCursor(query(_LIMIT_QUERY)).captures(owner.node)
    for node in captures.get("limit", []):
        if model.qualified(node) not in _LIMITS:
            continue
        args = node.child_by_field_name("arguments")
        if args is not None and any(ctx.source.text(a).replace(" ", "") == body_text for a in args.named_children):
            return True
    return any(ctx.source.text(n).replace(" ", "") == body_text for n in captures.get("assigned", []))


def _only_argument(call: Node) -> Node | None:
    arguments = call.child_by_field_name("arguments")
    if arguments is None or arguments.named_child_count != 1:
        return None
    return arguments.named_children[0]
