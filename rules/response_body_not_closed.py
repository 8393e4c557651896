"""GL405 response-body-not-closed."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL405",
    slug="response-body-not-closed",
    title="an HTTP response body is never closed",
    severity=Severity.WARNING,
    tags=("resource-leak", "goroutine-leak"),
    precision="high",
    docs=Docs(
        what="Finds an `*http.Response` from `http.Get`, `http.Head`, `http.Post`, `http.PostForm` or a "
        "method `Do`, `Get`, `Head`, `Post`, `PostForm` of an `http.Client` (`http.DefaultClient`, a "
        "variable or parameter typed `*http.Client`/`http.Client`, a `&http.Client{...}` literal) whose "
        "`Body` is never closed in the function and that is not handed on: returned, passed to a function, "
        "stored in a field, a map, a slice or a variable, sent on a channel. Passing `resp.Body` to a "
        "function of your own counts as handing it on (a helper that drains and closes it); passing it "
        "to a reader such as `io.ReadAll` or `json.NewDecoder` does not. A `Do` call on a receiver whose "
        "type is unknown (a struct field) is reported only when its single argument is a request and the "
        "response's `Body` or `StatusCode` is read.",
        why="Until the body is closed the transport cannot reuse or release the connection: the "
        "connection, its buffers and its read and write goroutines stay alive. A client that does this "
        "per request climbs in goroutines, memory and file descriptors until it hits a limit.",
        example="""resp, err := client.Get(url)
if err != nil {
    return err
}
if resp.StatusCode != http.StatusOK {
    return fmt.Errorf("status %d", resp.StatusCode)
}
return json.NewDecoder(resp.Body).Decode(&out)""",
        use_instead="""resp, err := client.Get(url)
if err != nil {
    return err
}
defer resp.Body.Close()
if resp.StatusCode != http.StatusOK {
    return fmt.Errorf("status %d", resp.StatusCode)
}
return json.NewDecoder(resp.Body).Decode(&out)""",
        limits="In test files the finding is a note. Flow-insensitive: one close anywhere in the function (even on one path only) satisfies "
        "the rule. A response handed on is taken to be closed by whoever receives it. Clients kept in "
        "struct fields are recognised only through the `Do(req)` shape above; wrappers of your own that "
        "return an `*http.Response` are not followed.",
        references=("https://pkg.go.dev/net/http#Client.Do", "https://pkg.go.dev/net/http#Response"),
    ),
)

REQUIRES_IMPORTS = frozenset({"net/http"})
METHOD_CALLS = frozenset({"Do", "Get", "Head", "Post", "PostForm"})

_PACKAGE_FUNCS = frozenset({"net/http.Get", "net/http.Head", "net/http.Post", "net/http.PostForm"})
_CLIENT_TYPES = frozenset({"*net/http.Client", "net/http.Client"})
# Readers that consume a body without closing it: passing the body to one of these is not handing it on.
_READERS = frozenset({
    "io.ReadAll", "io/ioutil.ReadAll", "io.Copy", "io.CopyN", "io.CopyBuffer", "io.LimitReader", "io.ReadFull",
    "io.TeeReader", "io.MultiReader", "encoding/json.NewDecoder", "encoding/xml.NewDecoder", "bufio.NewReader",
    "bufio.NewScanner", "bufio.NewReaderSize", "compress/gzip.NewReader", "fmt.Fprint", "fmt.Fscan",
    "net/http.MaxBytesReader", "mime/multipart.NewReader", "encoding/csv.NewReader", "html/template.New",
    "golang.org/x/net/html.Parse", "github.com/PuerkitoBio/goquery.NewDocumentFromReader", "strings.Builder",
})
_FIX = "`defer resp.Body.Close()` right after the error check (drain it first if the connection should be reused)"


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    model = ctx.model
    for call in captures["call"]:
        kind = _response_call(ctx, call)
        if kind is None:
            continue
        label = ctx.source.text(call.child_by_field_name("function"))
        parent = call.parent
        if parent is not None and parent.type == "expression_statement":
            if kind == "sure":
                yield _report(ctx, call, f"the response of {label} is discarded, so its body is never closed "
                                  "and the connection is never released", fix="keep the response and close its body")
            continue
        if parent is None or parent.type != "expression_list" or parent.named_child_count != 1:
            continue  # returned or passed on directly
        statement = parent.parent
        if statement is None or statement.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
            continue
        if statement.type == "var_spec":
            names = statement.children_by_field_name("name")
        else:
            left = statement.child_by_field_name("left")
            if left is None or left == parent:
                continue
            names = left.named_children
        if len(names) != 2 or names[0].type != "identifier":
            continue  # stored into a field or an element: handed on
        target = names[0]
        name = ctx.source.text(target)
        if name == "_":
            if kind == "sure":
                yield _report(ctx, target, f"the response of {label} is assigned to _, so its body is never closed "
                                  "and the connection is never released", fix="keep the response and close its body")
            continue
        binding = model.resolve(target)
        if binding.kind != "local" or binding.decl is None:
            continue  # a named result, a package variable: handed on
        function = model.enclosing_function(binding.decl)
        if function is None:
            continue
        uses = model.references(binding.decl, within=function.node)
        verdicts = {_usage(ctx, ref) for ref in uses}
        if "closed" in verdicts or "handed" in verdicts:
            continue
        if kind == "maybe" and "body" not in verdicts:
            continue
        yield _report(
            ctx, target,
            f"the body of the response `{name}` from {label} is never closed: the connection and its goroutines stay "
            "alive",
            fix=_FIX.replace("resp.", f"{name}."),
        )


def _report(ctx: FileContext, node: Node, message: str, *, fix: str) -> Finding:
    """A finding; a note in a test file, where the connection lives only as long as the test binary
    (still worth closing: leaked connections trip goroutine-leak checks and slow the suite)."""
    if ctx.is_test_file:
        return ctx.finding(RULE, node, message + " (in a test)", fix=fix, severity=Severity.NOTE)
    return ctx.finding(RULE, node, message, fix=fix)


def _response_call(ctx: FileContext, call: Node) -> str | None:
    """'sure' for an http.Get-like call or a method of a known http.Client, 'maybe' for `x.Do(req)`
    on a receiver of unknown type, None otherwise."""
    model = ctx.model
    qualified = model.qualified(call)
    if qualified is not None:
        return "sure" if qualified in _PACKAGE_FUNCS else None
    function = call.child_by_field_name("function")
    receiver = function.child_by_field_name("operand")
    if receiver is None:
        return None
    if model.qualified(receiver) == "net/http.DefaultClient":
        return "sure"
    if receiver.type == "identifier":
        client_type = model.declared_type(model.resolve(receiver))
        if client_type is not None:
            return "sure" if client_type in _CLIENT_TYPES else None
    if function.child_by_field_name("field").text != b"Do":
        return None
    args = call.child_by_field_name("arguments")
    if args is None or args.named_child_count != 1:
        return None
    if receiver.type not in ("selector_expression", "identifier"):
        return None
    return "maybe"


def _usage(ctx: FileContext, ref: Node) -> str:
    """What a reference to the response does: closed, handed (on), body (read), or read."""
    parent = ref.parent
    if parent is None:
        return "read"
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ref:
        field = parent.child_by_field_name("field")
        if field is None or field.text not in (b"Body",):
            return "body" if field is not None and field.text == b"StatusCode" else "read"
        return _body_usage(ctx, parent)
    if parent.type == "expression_list":
        statement = parent.parent
        if statement is not None and statement.type in ("assignment_statement", "short_var_declaration"):
            left = statement.child_by_field_name("left")
            if left == parent:
                return "read"  # written, not used
            if left is not None and all(c.text == b"_" for c in left.named_children):
                return "read"  # `_ = resp` keeps nothing
    if parent.type in ("binary_expression", "expression_statement"):
        return "read"  # resp != nil
    return "handed"


def _body_usage(ctx: FileContext, body: Node) -> str:
    """`resp.Body` is closed (`.Close` called, deferred or taken), read by a known reader, or handed on."""
    parent = body.parent
    if parent is None:
        return "body"
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == body:
        field = parent.child_by_field_name("field")
        return "closed" if field is not None and field.text == b"Close" else "body"
    if parent.type == "argument_list":
        call = parent.parent
        name = ctx.model.qualified(call)
        return "body" if name in _READERS else "handed"
    if parent.type in ("binary_expression", "expression_statement"):
        return "body"
    return "handed"  # assigned to a variable, stored, returned: someone else may close it
