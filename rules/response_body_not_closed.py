"""GL405 response-body-not-closed."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint.callgraph import in_unbounded_loop
from goleaklint.clients import CLIENT_TYPES, client_timeout, declared_in
from goleaklint.context import FileContext
from goleaklint.effects import CLOSES, CLOSES_BODY, DRAINERS, DRAINS, DRAINS_BODY, HANDS_ON, READERS, READS_BODY
from goleaklint.frameworks import context_derivation, context_parameter, request_context
from goleaklint.addresses import reassigned
from goleaklint.model import Binding, declared_value, descendants
from goleaklint.patterns import LazyPattern
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.structs import field_type

RULE = Rule(
    id="GL405",
    slug="response-body-not-closed",
    title="an HTTP response body is never closed",
    severity=Severity.WARNING,
    tags=("resource-leak", "goroutine-leak"),
    # Measured on held-out codebases (docs/ecosystem.md): 123 of 240 worth a change over every batch
    # to 70, medium (it has crossed half four times: 107 of 217 to batch 62, 112 of 224 to batch 64,
    # 115 of 231 to batch 68, low each time); in code that runs per request 11 of 13, in code no
    # caller is seen reaching 16 of 43 (command-line tools' client methods, helpers nothing calls).
    # Batch 86 (judged by the author, pending a reviewer) brought code no caller is seen reaching to
    # 39 of 76: medium, as the rule (an ETL service's fallback client, six bodies never closed).
    # Batch 106 (author-judged, pending reviewers) brought per request to 44 of 47: two echo apps that
    # make a Transport per outgoing call and never close its body.
    # Batches 127-135 brought code no caller is seen reaching to 42 of 87 (a cache helper's close call
    # and a self-ping whose responses carry no body, a CLI's stop command): low there. Batch 218 (a
    # loader handed to a cache as a function value, whose failed loads repeat per request) brought it
    # to 61 of 122, half: medium, as the rule, again.
    precision="medium",
    precision_by_lifetime=(("per-request", "high"),),
    waived_by=("bodyclose",),  # the bodyclose linter
    docs=Docs(
        what="Finds an `*http.Response` from `http.Get`, `http.Head`, `http.Post`, `http.PostForm` or a "
        "method `Do`, `Get`, `Head`, `Post`, `PostForm` of an `http.Client` (`http.DefaultClient`, a "
        "variable or parameter typed `*http.Client`/`http.Client`, a package variable so declared in "
        "any file of the package, a `&http.Client{...}` literal, a struct "
        "field declared `*http.Client` in any file of the package, as in `p.Client.Get(u)`) whose "
        "`Body` is never closed in the function and that is not handed on: returned, passed to a function, "
        "stored in a field, a map, a slice or a variable, sent on a channel, or passed to a call that "
        "cannot be resolved. A response (or its `Body`) passed to a function of the package, or to a "
        "literal called on the spot, takes what that function does to the parameter it lands in "
        "(linter/effects.py, followed through the package's own calls to any depth): closing the body "
        "there, on any path, closes it; handing it on there hands it on; only reading it there "
        "(a JSON decode, a status check) leaves the Close owed, and the finding names the helper and says whether it "
        "reads the body or only looks at the status or headers; reading "
        "it to EOF there on every path (`io.ReadAll`, `io.Copy`) is a drain, judged as a drain written "
        "in the function is; so is a helper handed the call's error beside the response (`resp, err := "
        "c.Get(u)`, then `read(resp, err)`) that reads to EOF on every path but the one under `if err != "
        "nil`, where there is no response. Passing the body to a reader such as `io.ReadAll` or `json.NewDecoder` is "
        "not handing it on. A `Do` call on a receiver whose "
        "type is unknown (an interface, say) is reported only when its single argument is a request and "
        "the response's `Body` or `StatusCode` is read, and its result is not declared with another type "
        "(`var tree *page.FrameTree; tree, err = action.Do(ctx)` is some other `Do`, and so is any `Do` "
        "whose argument is a context, `getter.Do(ctx)` of a request builder). A body read to EOF (`io.ReadAll`, `io.Copy`, an HTML document parsed whole: `html.Parse`, goquery's "
        "`NewDocumentFromReader`) on every path where the call succeeded is a note: the transport takes the connection back at EOF; "
        "ways through the call's own `if err != nil` branch (a `continue` round a loop) have no response to "
        "read. A body lost on every turn of a loop that never ends (`for {}`, `for cond {}`, a range over a "
        "channel or a ticker) is lost without bound, and is reported even in code that runs once per "
        "process (a poller `main` starts), as other rules' leaks that repeat within one run are. "
        "The response of a HEAD request (`Head`, or `Do` of a request made in the function with "
        "`http.NewRequest(\"HEAD\", …)` (also by the one assignment to a request declared first, `var req *http.Request`), `http.MethodHead` or a constant named `HEAD` (`verbs.HEAD`), also through a must-style wrapper (`must.Get(http.NewRequest(…))`), or by a request helper of the program's own given that verb, "
        "`d.newRequest(ctx, \"HEAD\", url)`) is not reported: it has no body, and the "
        "transport takes the connection back as soon as the headers are read. `resp.Write(w)` (a proxy relaying the "
        "response) counts as a close: Response.Write sends the body and closes it.",
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
        limits="A client whose total `Timeout` the file sets (in its literal, or by assigning the field in the function that declares it, also on a client obtained from a call the file cannot type: `c := conf.Client(ctx, tok); c.Timeout = d`; for a package variable, the file of the package that declares it: `var httpClient = &http.Client{Timeout: d}` in a sibling file) is a note: the Timeout covers reading the body, and when it fires the transport closes the connection. So is a call on a client in a struct field (`s.client.Do(req)`, the field declared `*http.Client`, an interface of the package with a `Do`, or an interface of another package named `HTTPClient`, `HttpClient` or `Doer`; on a generic receiver too) when every client literal the package stores in a field of that name sets a Timeout (`client: &http.Client{Timeout: d}` in a constructor in any file, also through a local made from one earlier in the file: `c := &http.Client{Timeout: d}`, then `client: c`), or the package assigns `x.client.Timeout`; where the receiver's declared type names the struct that declares the field (`s *Server`), only literals of that struct count (`&Server{client: …}`; a `client:` element of another struct's literal is that struct's); one literal without it keeps the warning (in the program's files: a test that stores a stub client of its own does not count). A client a function makes counts the same: `client: newClient()` or `c, err := newClient(proxy)` when the package's `newClient` (declared to return `*http.Client`, alone or with an `error`) returns only clients with a Timeout, and `HttpClient: config.DefaultHTTPClient()` when that function of another package of the module does (a fact of the module model, so `--no-lifetimes` keeps the warning); a function that may return `http.DefaultClient`, one of a dependency, or one not named for a client (in another package) is not followed. A transport's dial or header timeouts do not count. A request that carries the incoming request's context (`http.NewRequestWithContext(r.Context(), …)`, `req.WithContext(ctx)` with ctx derived from it, in the call, the request's declaration, or a reassignment before the call: `req = req.WithContext(ctx)`) is a note too: the server cancels that context when the handler returns, which aborts reading the body and closes the connection. So is a request whose context the function makes with a deadline (`context.WithTimeout`, `WithDeadline`) or with a cancel it defers (`context.WithCancel` and `defer cancel()`), also through contexts derived from it (`context.WithValue(ctx, k, v)`): when it ends, the transport aborts the body and closes the connection. A context handed in as a parameter (`func lookup(ctx context.Context, …)`, also through contexts derived from it) is followed to the module's calls of the function: when every call in non-test code passes the incoming request's context, or its caller's own context parameter that every call of the caller fills so (to any depth), the finding is a note; calls the model cannot resolve are not seen, and only calls whose first argument reads `ctx` or `….Context()` are looked at. "
        "A request for a path the file spells (`base + \"/healthz\"`, `fmt.Sprintf(\"http://%s/readyz?v=%t\", …)`, a "
        "constant) is a note when every route of the module that path reaches (the same path, or one a group's prefix "
        "puts in front: `v1.GET(\"/healthz\", …)` for `/api/v1/healthz`) has a handler that writes no body: each of its "
        "statements sets the status or a header (`w.WriteHeader(200)`, `c.Status(200)`, echo's `return "
        "c.NoContent(200)`) or logs, or it has none. The program's own server then answers with Content-Length 0, and "
        "the transport hands back `http.NoBody` and takes the connection back without a Close. Routes are read where "
        "the registration spells the path and names a handler of the module (not one a call makes); a path no route "
        "of the module registers keeps the warning, and so does one that some registration answers with a body. "
        "In test files the finding is a note, and a call the test expects to fail (`if err == nil "
        "{ t.Fatal(…) }`, testify's `Error`/`ErrorIs`/`NotNil` on its error) is not reported. A client "
        "whose `Transport` answers from memory (its function literal or its type's `RoundTrip` in the "
        "file builds an `http.Response` or serves an `httptest` recorder) is not reported; a mock "
        "declared in another file is. Flow-insensitive about closing: one close anywhere in the function "
        "(even on one path only) satisfies the rule. A response handed on is taken to be closed by "
        "whoever receives it; so is one passed to a function of another package, or to an interface "
        "method or a function value the package cannot resolve: helpers are followed within the package "
        "only (rules run per package, before the module model joins them). A call through an interface "
        "of the package that only the package implements (unexported, or with an unexported method, "
        "its methods spelt out) runs any of the package's types whose methods cover it, and a call "
        "through a function-valued field any function the package assigns to that field; the response "
        "counts as closed when any of them closes it, and as handed on when a field is also set from "
        "elsewhere (a parameter) or some struct embeds another package's type. A helper is flow-insensitive about closing too: a close "
        "on one of its paths counts. A struct field is followed one level deep (`p.Client`, not "
        "`p.cfg.Client`), for structs declared in the package; wrappers of your own that return an "
        "`*http.Response` are not followed.",
        references=("https://pkg.go.dev/net/http#Client.Do", "https://pkg.go.dev/net/http#Response"),
    ),
)

REQUIRES_IMPORTS = frozenset({"net/http"})
METHOD_CALLS = frozenset({"Do", "Get", "Head", "Post", "PostForm"})

_PACKAGE_FUNCS = frozenset({"net/http.Get", "net/http.Head", "net/http.Post", "net/http.PostForm"})
# A ClientConn of net/http/httputil speaks HTTP over one connection its caller dialled and owns
# (and most often hijacks, as a CONNECT tunnel): no pooled transport keeps a goroutine for its body.
_ONE_CONNECTION = frozenset({"net/http/httputil.NewClientConn", "net/http/httputil.NewProxyClientConn"})
# testify's assertions that an error happened.
_EXPECT_ERROR = frozenset({b"Error", b"Errorf", b"ErrorIs", b"ErrorAs", b"ErrorContains", b"EqualError", b"NotNil"})
_FIX = "`defer resp.Body.Close()` right after the error check (drain it first if the connection should be reused)"


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    model = ctx.model
    for call in captures["call"]:
        kind = _response_call(ctx, call)
        if kind is None or _head_request(ctx, call):
            continue  # a HEAD response has no body: the transport takes the connection back at once
        label = ctx.source.text(call.child_by_field_name("function"))
        parent = call.parent
        timeout = client_timeout(ctx, call) or _request_scoped(ctx, call)
        parameter = _context_parameter(ctx, call) if timeout is None else ""
        if parent is not None and parent.type == "expression_statement":
            if kind == "sure":
                yield _report(ctx, call, f"the response of {label} is discarded, so its body is never closed "
                                  "and the connection is never released" + _timeout_text(timeout),
                              fix="keep the response and close its body", timeout=timeout,
                              parameter=parameter, call=call)
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
                                  "and the connection is never released" + _timeout_text(timeout),
                              fix="keep the response and close its body", timeout=timeout,
                              parameter=parameter, call=call)
            continue
        binding = model.resolve(target)
        if binding.kind != "local" or binding.decl is None:
            continue  # a named result, a package variable: handed on
        if kind == "maybe" and model.declared_type(binding) not in (None, "*net/http.Response"):
            continue  # `var tree *page.FrameTree; tree, err = action.Do(ctx)`: some other `Do`
        function = model.enclosing_function(binding.decl)
        if function is None:
            continue
        uses = model.references(binding.decl, within=function.node)
        verdicts = {_usage(ctx, ref) for ref in uses}
        if "closed" in verdicts or "handed" in verdicts:
            continue
        if kind == "maybe" and not verdicts & {"body", "drained", "helper"}:
            continue
        error = names[1] if names[1].type == "identifier" and names[1].text != b"_" else None
        if ctx.is_test_file and error is not None and _expected_to_fail(ctx, error, function):
            continue  # the test wants the call to fail: there is no response to close
        fix = _FIX.replace("resp.", f"{name}.")
        undrained = _undrained_exits(ctx, function, statement, uses, error) if "drained" in verdicts else None
        if "drained" in verdicts and not undrained:
            yield ctx.finding(
                RULE, target,
                f"the body of the response `{name}` from {label} is read to the end but never closed: the transport "
                "takes the connection back at EOF, so nothing leaks, but a Close is still owed",
                fix=fix, severity=Severity.NOTE,
            )
            continue
        helper = _helper_name(ctx, uses) if "helper" in verdicts else None
        passed = f" ({helper[0]} {helper[1]} but does not close it either)" if helper else ""
        # `if resp.StatusCode != http.StatusNoContent { return err }`: the reply it expects has no
        # body and gives its connection back; the others keep it.
        bodiless = " when a reply has a body (a 204 it expects has none, and gives the connection back)" \
            if _expects_no_content(ctx, function, name) else ""
        # Read to EOF on some ways out only: the others keep the connection (`if resp.StatusCode != 200
        # { return }` before the `io.ReadAll`).
        where = ""
        if undrained:
            lines = sorted({ctx.source.line_of(node.start_byte) for node in undrained if node.type == "return_statement"})
            where = f" where the function leaves without reading it to the end ({'line' if len(lines) == 1 else 'lines'} " \
                f"{', '.join(map(str, lines[:3]))}{', …' if len(lines) > 3 else ''})" if lines else ""
        yield _report(
            ctx, target,
            f"the body of the response `{name}` from {label} is never closed{passed}: the connection and its "
            f"goroutines stay alive{where}{bodiless}" + _timeout_text(timeout),
            fix=fix, timeout=timeout, parameter=parameter, call=call,
        )


def _expects_no_content(ctx: FileContext, function, name: str) -> bool:
    """The function compares the response's status with 204 No Content (`resp.StatusCode !=
    http.StatusNoContent`, `204 == resp.StatusCode`)."""
    text = ctx.source.text(function.node)
    if "StatusNoContent" not in text and "204" not in text:
        return False
    status, no_content = rf"\b{re.escape(name)}\.StatusCode", r"(?:http\.StatusNoContent|204)\b"
    return re.search(rf"{status}\s*[!=]=\s*{no_content}|{no_content}\s*[!=]=\s*{status}", text) is not None


_NEW_REQUEST = frozenset({"net/http.NewRequest", "net/http.NewRequestWithContext"})


def _head_request(ctx: FileContext, call: Node) -> bool:
    """`client.Head(url)`, `http.Head(url)`, or `Do(req)` of a request made in the function with
    `http.NewRequest("HEAD", …)` / `http.MethodHead`."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return False
    method = ctx.source.text(function.child_by_field_name("field"))
    if method == "Head":
        return True
    if method != "Do":
        return False
    made = _made_request(ctx, call)
    if made is None:
        return False
    made_args = made.child_by_field_name("arguments").named_children
    if ctx.model.qualified(made) is None:
        # A request helper of the program's own given the verb: `d.newRequest(ctx, "HEAD", url)`.
        return any(_is_head(ctx, arg) for arg in made_args)
    if ctx.model.qualified(made) not in _NEW_REQUEST:
        return False
    index = 1 if ctx.model.qualified(made).endswith("WithContext") else 0
    if len(made_args) <= index:
        return False
    return _is_head(ctx, made_args[index])


def _made_request(ctx: FileContext, call: Node) -> Node | None:
    """The call that made the request `c.Do(req)` sends: `req, err := http.NewRequest(…)`, also
    through a must-style wrapper (`must.Get(http.NewRequest(…))`), or a request helper of the
    program's own."""
    args = call.child_by_field_name("arguments")
    if args is None or args.named_child_count != 1 or args.named_children[0].type != "identifier":
        return None
    decl = ctx.model.resolve(args.named_children[0]).decl
    made = declared_value(decl) if decl is not None else None
    if made is None and decl is not None:
        made = _assigned_once(ctx, decl, call)  # `var req *http.Request`, then `req, err = http.NewRequest(…)`
    if made is None or made.type != "call_expression":
        return None
    made_args = made.child_by_field_name("arguments").named_children
    if len(made_args) == 1 and made_args[0].type == "call_expression" and \
            ctx.model.qualified(made_args[0]) in _NEW_REQUEST:
        made = made_args[0]
    return made


def _assigned_once(ctx: FileContext, decl: Node, call: Node) -> Node | None:
    """The value of the one assignment to a variable declared without one (`req, err =
    http.NewRequest(…)` after `var req *http.Request`), made before `call` in its function: the
    variable's first name on the left, one value on the right."""
    function = ctx.model.enclosing_function(call)
    if function is None:
        return None
    found = []
    for ref in ctx.model.references(decl, within=function.node):
        left = ref.parent
        statement = left.parent if left is not None and left.type == "expression_list" else None
        if statement is None or statement.type != "assignment_statement" or \
                statement.child_by_field_name("left") != left:
            continue
        found.append((statement, left.named_children.index(ref) if ref in left.named_children else -1))
    if len(found) != 1:
        return None
    statement, index = found[0]
    right = statement.child_by_field_name("right")
    if index != 0 or right is None or right.named_child_count != 1 or statement.end_byte > call.start_byte:
        return None
    return right.named_children[0]


def _request_paths(ctx: FileContext, call: Node) -> tuple[str, ...]:
    """The URL path the call asks for, as far as the file spells it (`base + "/healthz"`,
    `fmt.Sprintf("http://%s:%d/status?x=%s", …)`, a constant): the module model checks what its
    own routes of that path answer. Empty when the path is not spelled out."""
    function = call.child_by_field_name("function")
    method = ctx.source.text(function.child_by_field_name("field")) if function is not None and \
        function.type == "selector_expression" else ""
    url = None
    if method in ("Get", "Post", "PostForm"):
        args = call.child_by_field_name("arguments").named_children
        url = args[0] if args else None
    elif method == "Do":
        made = _made_request(ctx, call)
        qualified = ctx.model.qualified(made) if made is not None else None
        if qualified in _NEW_REQUEST:
            args = made.child_by_field_name("arguments").named_children
            index = 2 if qualified.endswith("WithContext") else 1
            url = args[index] if len(args) > index else None
    if url is None:
        return ()
    path = _url_path("".join(_spelled(ctx, url, 0)))
    return (path,) if path else ()


_UNKNOWN = "\x00"
_VERB = LazyPattern(r"%[-+# 0-9.*]*[a-zA-Z%]")


def _spelled(ctx: FileContext, node: Node, depth: int) -> list[str]:
    """The text a string expression spells, a NUL for each part it does not."""
    if node.type in ("interpreted_string_literal", "raw_string_literal"):
        return [ctx.source.text(node)[1:-1]]
    if node.type == "parenthesized_expression" and node.named_children:
        return _spelled(ctx, node.named_children[0], depth)
    if node.type == "binary_expression" and ctx.source.text(node.child_by_field_name("operator")) == "+":
        return _spelled(ctx, node.child_by_field_name("left"), depth) + \
            _spelled(ctx, node.child_by_field_name("right"), depth)
    if node.type == "call_expression" and ctx.model.qualified(node) == "fmt.Sprintf":
        args = node.child_by_field_name("arguments").named_children
        if args and args[0].type == "interpreted_string_literal":
            return [_VERB.sub(_UNKNOWN, ctx.source.text(args[0])[1:-1])]
    if node.type == "identifier" and depth < 3:
        binding = ctx.model.resolve(node)
        value = declared_value(binding.decl) if binding.kind in ("local", "package") and binding.decl is not None \
            and not (binding.kind == "local" and reassigned(ctx.model, binding.decl)) else None
        if value is not None and value.type == "call_expression" and ctx.model.qualified(value) != "fmt.Sprintf":
            value = None  # `u, err := url.Parse(…)`: the call, not a string
        if value is not None:
            return _spelled(ctx, value, depth + 1)
    return [_UNKNOWN]


def _url_path(text: str) -> str | None:
    """The path of a URL whose unknown parts are NULs, when it is spelled in full: after a scheme
    and host (`http://\x00:\x00/status?x=\x00` is `/status`), or after a base the file does
    not spell (`\x00/healthz`)."""
    scheme = text.find("://")
    if scheme >= 0:
        text = text[scheme + 3:]
    slash = text.find("/")
    if slash < 0 or (scheme < 0 and text[:slash].strip(_UNKNOWN)):
        return None  # `"api/x"`: relative, or a base that is not a host
    path = text[slash:].split("?", 1)[0].split("#", 1)[0]
    return path if len(path) > 1 and _UNKNOWN not in path else None


def _is_head(ctx: FileContext, verb: Node) -> bool:
    """The verb is HEAD: spelled, `http.MethodHead`, or a constant of the program's own named so
    (`verbs.HEAD`, `methodHead`)."""
    if ctx.source.text(verb) == '"HEAD"':
        return True
    name = verb.child_by_field_name("field") if verb.type == "selector_expression" else verb
    return name is not None and name.type in ("field_identifier", "identifier") and \
        ctx.source.text(name) in ("HEAD", "MethodHead", "methodHead", "Head")


def _undrained_exits(ctx: FileContext, function, statement: Node, uses: list[Node], error: Node | None) -> list[Node]:
    """The ways out of the function after the call that leave the body unread (not past a read to
    EOF, not where the call failed); the call's statement when nothing of the function reads it to
    EOF and no way out is seen."""
    drains = [ref for ref in uses if _usage(ctx, ref) == "drained" and ctx.model.enclosing_function(ref) is function]
    # A way through the call's error branch (`if err != nil { continue }`) has no response to drain:
    # it is cut there, whatever it reaches later (the loop's next round, a break out of it).
    failed = [branch.named_children[0] for branch in _error_branches(ctx, function, error, statement)
              if branch.named_child_count]
    exits = function.cfg.exits_reachable_avoiding(statement, [*drains, *failed])
    err_name = error.text if error is not None else None
    undrained = [exit_node for exit_node in exits if not (err_name is not None and _under_error_check(exit_node, err_name))]
    # Nothing of the function's own reads it to EOF: unread whichever way it goes, a way out or none.
    return undrained or ([] if drains else [statement])


def _error_branches(ctx: FileContext, function, error: Node | None, statement: Node) -> list[Node]:
    """The body (statement list) of the `if err != nil {` check of the call's error: the statement
    right after the call's (`resp, err := c.Do(req); if err != nil {`), or the `if` it starts."""
    decl = ctx.model.resolve(error).decl if error is not None else None
    if decl is None:
        return []
    branches = []
    for ref in ctx.model.references(decl, within=function.node):
        condition = ref.parent
        check = condition.parent if condition is not None else None
        if condition is None or condition.type != "binary_expression" or check is None \
                or check.type != "if_statement" or check.child_by_field_name("condition") != condition \
                or condition.text.replace(b" ", b"") != error.text + b"!=nil":
            continue
        before = check.prev_named_sibling
        while before is not None and before.type == "comment":
            before = before.prev_named_sibling
        if before != statement and check.child_by_field_name("initializer") != statement:
            continue  # the check of another call that reuses the variable
        body = check.child_by_field_name("consequence")
        inner = body.named_children[0] if body is not None and body.named_child_count else None
        if inner is not None and inner.type == "statement_list":
            branches.append(inner)
    return branches


def _under_error_check(node: Node, err_name: bytes) -> bool:
    current = node.parent
    while current is not None and current.type not in ("function_declaration", "method_declaration", "func_literal"):
        if current.type == "block" and current.parent is not None and current.parent.type == "if_statement" \
                and current.parent.child_by_field_name("consequence") == current:
            condition = current.parent.child_by_field_name("condition")
            if condition is not None and condition.text.replace(b" ", b"") == err_name + b"!=nil":
                return True
        current = current.parent
    return False


def _expected_to_fail(ctx: FileContext, error: Node, function) -> bool:
    """`if err == nil { t.Fatal(…) }`, `require.Error(t, err)`, `assert.Error(t, err)`: the test
    expects no response at all."""
    model = ctx.model
    for ref in model.references(error, within=function.node):
        parent = ref.parent
        if parent is not None and parent.type == "binary_expression" \
                and parent.text.replace(b" ", b"") == ref.text + b"==nil":
            return True
        if parent is not None and parent.type == "argument_list":
            callee = parent.parent.child_by_field_name("function")
            field = callee.child_by_field_name("field") if callee is not None and callee.type == "selector_expression" else None
            if field is not None and field.text in _EXPECT_ERROR:
                return True
    return False


def _report(ctx: FileContext, node: Node, message: str, *, fix: str, timeout: "str | tuple[str, ...] | None" = None,
            parameter: str = "", call: Node | None = None) -> Finding:
    """A finding; a note in a test file, where the connection lives only as long as the test binary
    (still worth closing: leaked connections trip goroutine-leak checks and slow the suite), and
    for a client with a total Timeout, which tears the connection down when it fires. A client made
    by functions of other packages (`timeout` a tuple of them) is judged with the module model."""
    if ctx.is_test_file:
        return ctx.finding(RULE, node, message + " (in a test)", fix=fix, severity=Severity.NOTE)
    # In a loop that never ends, a body is lost per turn: as many as the loop runs, even in code that
    # runs once per process (a poller main starts).
    repeats = in_unbounded_loop(ctx.model, node)
    # the path it asks for: a route of the module's own that writes no body answers it empty
    requests = _request_paths(ctx, call) if call is not None and not timeout else ()
    if isinstance(timeout, tuple):
        return ctx.finding(RULE, node, message, fix=fix, makers=timeout, repeats=repeats)
    return ctx.finding(RULE, node, message, fix=fix, severity=Severity.NOTE if timeout else None, parameter=parameter,
                       repeats=repeats, requests=requests)


def _timeout_text(timeout: "str | tuple[str, ...] | None") -> str:
    if timeout is _REQUEST_SCOPED:
        return (" until the handler returns: the request carries the incoming request's context, which the server "
                "cancels then, and the transport closes the connection")
    if timeout is _DEADLINE_SCOPED:
        return (" until its context's deadline: the request carries a context with a timeout, and when it ends the "
                "transport closes the connection")
    if timeout is _CANCEL_SCOPED:
        return (" until the function returns: the request carries a context whose cancel the function defers, and "
                "the transport closes the connection then")
    return (f" until the client's Timeout ({timeout}) fires, which cancels the request and closes the connection"
            if isinstance(timeout, str) else "")


_REQUEST_SCOPED = "the incoming request's context"


def _request_context_argument(ctx: FileContext, call: Node) -> Node | None:
    """The context of the request `c.Do(req)` sends, when req is made with one in the call or in its
    declaration (`http.NewRequestWithContext(ctx, …)`, `req.WithContext(ctx)`)."""
    args = call.child_by_field_name("arguments")
    argument = args.named_children[0] if args is not None and args.named_child_count == 1 else None
    if argument is not None and argument.type == "identifier":
        binding = ctx.model.resolve(argument)
        request = argument
        argument = declared_value(binding.decl) if binding.kind == "local" and binding.decl is not None else None
        given = _context_given_later(ctx, request, binding, call)
        argument = given if given is not None else argument
    if argument is None or argument.type != "call_expression":
        return None
    function = argument.child_by_field_name("function")
    arguments = argument.child_by_field_name("arguments").named_children
    if arguments and (ctx.model.qualified(argument) == "net/http.NewRequestWithContext" or (
            function is not None and function.type == "selector_expression"
            and function.child_by_field_name("field").text == b"WithContext")):
        return arguments[0]
    return None


def _context_given_later(ctx: FileContext, request: Node, binding: Binding, call: Node) -> Node | None:
    """`req = req.WithContext(ctx)` after the request was made, the last such assignment before
    the call in the same function: the request the call sends carries that context."""
    if binding.kind != "local" or binding.decl is None:
        return None
    name = request.text
    if name + b".WithContext(" not in ctx.source.data:
        return None
    function = ctx.model.enclosing_function(call)
    if function is None:
        return None
    found = None
    for ref in ctx.model.references(binding.decl, within=function.node):
        assignment = ref.parent.parent if ref.parent is not None else None
        if ref.start_byte >= call.start_byte or assignment is None or assignment.type != "assignment_statement":
            continue
        left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
        if left is None or right is None or left.named_child_count != 1 or left.named_children[0].id != ref.id \
                or right.named_child_count != 1:
            continue
        value = right.named_children[0]
        callee = value.child_by_field_name("function") if value.type == "call_expression" else None
        if callee is not None and callee.type == "selector_expression" \
                and callee.child_by_field_name("field").text == b"WithContext" \
                and callee.child_by_field_name("operand").text == name:
            found = value
    return found


def _context_parameter(ctx: FileContext, call: Node) -> str:
    """The finding's `parameter` when the request's context is a context parameter of the function
    (`func lookup(ctx context.Context, …)`): the module model knows whether every call passes the
    incoming request's context there, directly or through its callers' own parameters."""
    argument = _request_context_argument(ctx, call)
    parameter = context_parameter(ctx.model, argument) if argument is not None else ""
    return f"request:{parameter}" if parameter else ""


def _request_scoped(ctx: FileContext, call: Node) -> str | None:
    """`c.Do(req)` where req carries the incoming request's context (`http.NewRequestWithContext(
    r.Context(), …)`, `req.WithContext(r.Context())`, in the call or in req's declaration): when the
    handler returns, the server cancels it, which aborts reading the body and closes the connection.
    Also a context the function made with a deadline or a deferred cancel (_bounded_context)."""
    argument = _request_context_argument(ctx, call)
    if argument is None:
        return None
    if request_context(ctx.model, argument):
        return _REQUEST_SCOPED
    return _bounded_context(ctx, argument)


_DEADLINES = frozenset({"context.WithTimeout", "context.WithDeadline", "context.WithTimeoutCause",
                        "context.WithDeadlineCause"})
_CANCELS = frozenset({"context.WithCancel", "context.WithCancelCause"})
_DEADLINE_SCOPED = "a context with a deadline"
_CANCEL_SCOPED = "a context the function cancels"


def _bounded_context(ctx: FileContext, expr: Node) -> str | None:
    """A request context made in the function with a deadline (`ctx, cancel :=
    context.WithTimeout(parent, d)`), or with a cancel the function defers (`defer cancel()`), also
    through contexts derived from it: when it ends, the transport aborts reading the body and closes
    the connection. A context handed in is not followed."""
    if expr.type != "identifier":
        return None
    local = None  # the declaration of the local the call below is the value of
    for node, binding in context_derivation(ctx.model, expr):
        if binding is not None:
            local = binding.decl if binding.kind == "local" else None
            continue
        if node.type != "call_expression" or local is None:
            return None
        name = ctx.model.qualified(node)
        if name in _DEADLINES:
            return _DEADLINE_SCOPED
        if name in _CANCELS:
            return _CANCEL_SCOPED if _cancel_deferred(ctx, local) else None
        local = None  # `context.WithValue(ctx, k, v)` written in place: what it derives from must be a local
    return None


def _cancel_deferred(ctx: FileContext, decl: Node) -> bool:
    """`ctx, cancel := context.WithCancel(…)` followed by `defer cancel()` in the same function."""
    names = decl.parent
    if names is None or names.type != "expression_list" or names.named_child_count != 2:
        return False
    cancel = ctx.source.text(names.named_children[1])
    function = ctx.model.enclosing_function(decl)
    if function is None or cancel == "_":
        return False
    body = ctx.source.text(function.node)
    return re.search(rf"\bdefer\s+{re.escape(cancel)}\(\)", body) is not None


def _package_names_client(ctx: FileContext) -> bool:
    """Whether some file of the package has `Client` in its bytes: a value is known to be an
    http.Client (`http.DefaultClient`, a declaration, a literal, a struct field's type) only from
    code of its package that names the type."""
    pkg = ctx.package
    known = pkg.__dict__.get("_names_client")
    if known is None:
        known = pkg.__dict__["_names_client"] = any(b"Client" in f.source.data for f in pkg.files)
    return known


def _response_call(ctx: FileContext, call: Node) -> str | None:
    """'sure' for an http.Get-like call or a method of a known http.Client, 'maybe' for `x.Do(req)`
    on a receiver of unknown type, None otherwise."""
    model = ctx.model
    qualified = model.qualified(call)
    if qualified is not None:
        return "sure" if qualified in _PACKAGE_FUNCS else None
    function = call.child_by_field_name("function")
    if function.child_by_field_name("field").text != b"Do" and not _package_names_client(ctx):
        return None  # `cache.Get(k)`, `form.Post(…)` on a value no code of the package types as a client
    receiver = function.child_by_field_name("operand")
    if receiver is None:
        return None
    if model.qualified(receiver) == "net/http.DefaultClient":
        return "sure"
    if receiver.type == "identifier":
        home, binding = declared_in(ctx, model.resolve(receiver))
        made = _initial_value(home, binding) if binding is not None else None
        if made is not None and made.type == "call_expression" and home.model.qualified(made) in _ONE_CONNECTION:
            return None  # `httputil.NewProxyClientConn(conn, nil).Do(req)`: the caller's own connection, no pool
        client_type = home.model.declared_type(binding)
        if client_type is not None:
            if client_type in CLIENT_TYPES and _mock_transport(home, _initial_value(home, binding)):
                return None  # a client whose transport answers from memory: no connection to leak
            return "sure" if client_type in CLIENT_TYPES else None
    elif receiver.type == "selector_expression" and field_type(ctx.model, receiver) in CLIENT_TYPES:
        return "sure"  # `p.Client.Get(u)`: a struct field declared `*http.Client`
    if function.child_by_field_name("field").text != b"Do":
        return None
    args = call.child_by_field_name("arguments")
    if args is None or args.named_child_count != 1:
        return None
    if receiver.type not in ("selector_expression", "identifier"):
        return None
    if _context_argument(model, args.named_children[0]):
        return None  # `getter.Do(ctx)`: a command builder's Do takes a context; a client's takes a request
    return "maybe"


def _context_argument(model, argument: Node) -> bool:
    """A context rather than a request: a name declared `context.Context`, `….Context()`, or
    `context.Background()`/`TODO()`."""
    if argument.type == "identifier":
        binding = model.resolve(argument)
        return binding.decl is not None and model.declared_type(binding) == "context.Context"
    if argument.type != "call_expression":
        return False
    if model.qualified(argument) in ("context.Background", "context.TODO"):
        return True
    function = argument.child_by_field_name("function")
    return function is not None and function.type == "selector_expression" and \
        function.child_by_field_name("field").text == b"Context"


def _initial_value(ctx: FileContext, binding: Binding) -> Node | None:
    """The expression a local or package variable is declared with."""
    return declared_value(binding.decl) if binding.decl is not None else None


def _mock_transport(ctx: FileContext, value: Node | None) -> bool:
    """`&http.Client{Transport: t}` where t answers without a network: its own code (a function
    literal, or the RoundTrip method of a type of this file) builds an `http.Response` or serves an
    `httptest` recorder."""
    if value is not None and value.type == "unary_expression" and value.named_child_count == 1:
        value = value.named_children[0]
    if value is None or value.type != "composite_literal":
        return False
    body = value.child_by_field_name("body")
    transport = None
    for element in (body.named_children if body is not None else []):
        key = element.child_by_field_name("key") if element.type == "keyed_element" else None
        if key is not None and key.text == b"Transport":
            transport = element.child_by_field_name("value")
    if transport is None:
        return False
    if _answers_from_memory(ctx, transport):
        return True
    type_name = next((n.text for n in descendants(transport) if n.type in ("type_identifier", "identifier")), None)
    if type_name is None:
        return False
    for function in ctx.model.functions:
        if function.kind == "method" and function.receiver is not None \
                and function.name == f"{function.receiver.type.lstrip('*')}.RoundTrip" \
                and function.receiver.type.lstrip("*") == type_name.decode("utf-8", "replace") \
                and _answers_from_memory(ctx, function.node):
            return True
    return False


def _answers_from_memory(ctx: FileContext, node: Node) -> bool:
    model = ctx.model
    for child in descendants(node):
        if child.type == "composite_literal" and model.type_text(child.child_by_field_name("type")) == "net/http.Response":
            return True
        if child.type == "call_expression" and model.qualified(child) == "net/http/httptest.NewRecorder":
            return True
    return False



def _usage(ctx: FileContext, ref: Node) -> str:
    """What a reference to the response does: closed, handed (on), body (read), or read."""
    parent = ref.parent
    if parent is None:
        return "read"
    if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ref:
        field = parent.child_by_field_name("field")
        call = parent.parent
        if field is not None and field.text == b"Write" and call is not None and call.type == "call_expression" \
                and call.child_by_field_name("function") == parent:
            return "closed"  # `resp.Write(conn)`: Response.Write sends the body and closes it
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
    if parent.type == "argument_list":
        return _helper_usage(ctx, ref, parent)
    return "handed"


def _helper_usage(ctx: FileContext, arg: Node, arguments: Node) -> str:
    """The response (or its body) passed to a function of the package: what that function's summary
    does to the parameter it lands in (linter/effects.py). "closed" when it closes the body, on any
    path; "handed" when it hands it on or cannot be resolved; "helper" when it only reads it."""
    call = arguments.parent
    if call is None or call.type != "call_expression":
        return "handed"
    effects = ctx.package.facts.effects.callee_effects(ctx, call)
    if effects is None:
        return "handed"  # another package's function, an unresolved interface or function value: someone else's to close
    index = next((i for i, a in enumerate(arguments.named_children) if a.id == arg.id), 0)
    param = effects.param(index)
    if param & {CLOSES, CLOSES_BODY}:
        return "closed"
    if HANDS_ON in param:
        return "handed"
    # Given the response, the helper drains its Body; given the Body, it drains its parameter.
    wanted = DRAINS_BODY if arg.type == "identifier" else DRAINS
    if wanted in param:
        return "drained"
    for effect in param:
        # It drains unless the error it is given is set (`read(resp, err)`): when that error is the
        # call's own, there is no response on that path.
        if effect.startswith(wanted + "@") and _passes_call_error(ctx, arg, arguments, int(effect.rpartition("@")[2])):
            return "drained"
    return "helper"


def _passes_call_error(ctx: FileContext, arg: Node, arguments: Node, position: int) -> bool:
    """The argument at `position` is the error the response's own call returned with it: `resp,
    err := c.Get(u)`, then `read(resp, err)`."""
    if position >= arguments.named_child_count:
        return False
    error = arguments.named_children[position]
    response = arg if arg.type == "identifier" else arg.child_by_field_name("operand")
    if error.type != "identifier" or response is None or response.type != "identifier":
        return False
    decl = ctx.model.resolve(response).decl
    names = decl.parent if decl is not None else None
    if names is None or names.type != "expression_list":
        return False
    left = [n.text for n in names.named_children]
    at = next((i for i, n in enumerate(names.named_children) if n.id == decl.id), None)
    return at is not None and at + 1 < len(left) and left[at + 1] == error.text


def _helper_name(ctx: FileContext, uses: list[Node]) -> tuple[str, str] | None:
    """The function of the package a response was passed to that only reads it, for the message,
    and what it does: "reads it" (its body), or "looks at it" (only its status or headers)."""
    for ref in uses:
        node = ref.parent if ref.parent is not None and ref.parent.type == "selector_expression" else ref
        if node.parent is not None and node.parent.type == "argument_list" and _usage(ctx, ref) in ("helper", "drained") \
                and _package_call(ctx, node.parent.parent):
            call = node.parent.parent
            callee = call.child_by_field_name("function")
            if callee is None:
                return None
            name = "the function literal" if callee.type == "func_literal" else f"`{ctx.source.text(callee)}`"
            index = next((i for i, a in enumerate(node.parent.named_children) if a.id == node.id), 0)
            effects = ctx.package.facts.effects.callee_effects(ctx, call)
            param = effects.param(index) if effects is not None else set()
            body = node is not ref or any(e.startswith((READS_BODY, DRAINS_BODY)) for e in param)
            return name, "reads it" if body else "looks at it"
    return None


def _package_call(ctx: FileContext, call: Node) -> bool:
    return ctx.package.facts.effects.callee_effects(ctx, call) is not None


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
        if name in DRAINERS and parent.named_children[DRAINERS[name]] == body:
            return "drained"
        return "body" if name in READERS else _helper_usage(ctx, body, parent)
    if parent.type in ("binary_expression", "expression_statement"):
        return "body"
    return "handed"  # assigned to a variable, stored, returned: someone else may close it
