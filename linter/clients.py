"""HTTP clients with a total `Timeout`: the literals that set one, and the functions of a package
that only ever make such clients (`func DefaultHTTPClient() *http.Client { return &http.Client{Timeout:
10 * time.Second} }`).

A client's `Timeout` covers reading the response body: when it fires, the transport cancels the
request and closes the connection, so an unclosed body is held for at most that long (GL405). The
makers are a package fact: the summary keeps their names (linter/callgraph.py), the module model
their import paths, so that a client made by a helper of another package is judged like one made in
the file (linter/lifetime.py)."""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from tree_sitter import Node

from .model import Binding, declared_value
from .patterns import LazyPattern
from .structs import declared_type_node, field_type, struct_fields, struct_of

if TYPE_CHECKING:
    from .context import FileContext

NET_HTTP = "net/http"

TIMEOUT_KEY = LazyPattern(rb"(?:^|[,\s])Timeout\s*:\s*([^,\n}]+)")
_RESULT = LazyPattern(r"\*?([A-Za-z_]\w*)\.Client")


def braced(data: bytes, start: int) -> bytes:
    """The text of the `{…}` opening at `start`, nested braces included (to the end if unclosed);
    only the literal's own top level, so a Transport's own timeouts inside it do not count."""
    depth = 0
    top = bytearray()
    for index in range(start, len(data)):
        char = data[index]
        if char == 0x7B:  # {
            depth += 1
            if depth == 1:
                continue
        elif char == 0x7D:  # }
            depth -= 1
            if depth == 0:
                break
        if depth == 1:
            top.append(char)
    return bytes(top)


def literal_timeouts(data: bytes, start: int, end: int, alias: bytes,
                     unknown: frozenset[bytes] = frozenset()) -> list[bytes] | None:
    """The `Timeout` of every `alias.Client{…}` literal between `start` and `end`; None when one of
    them sets none, or one whose value names one of `unknown` (a parameter: the caller may pass 0,
    which means no timeout), or when there is none."""
    pattern = re.compile(rb"\b" + re.escape(alias) + rb"\.Client\s*\{")
    timeouts = []
    for match in pattern.finditer(data, start, end):
        timeout = TIMEOUT_KEY.search(braced(data, match.end() - 1))
        if timeout is None or unknown & set(re.findall(rb"[A-Za-z_]\w*", timeout.group(1))):
            return None
        timeouts.append(timeout.group(1))
    return timeouts or None


def client_functions(source, imports: dict[str, str]) -> dict[str, bool]:
    """Functions of a file declared to return an `*http.Client` (or `http.Client`), each with whether
    every client literal in it sets a total Timeout that its parameters do not decide, with at least
    one literal and no use of `http.DefaultClient`: each client it returns was then made there with
    a Timeout."""
    aliases = [name for name, path in imports.items() if path == NET_HTTP]
    data = source.data
    if len(aliases) != 1 or b".Client" not in data:
        return {}
    alias = aliases[0]
    functions = {}
    for decl in source.declarations:
        if decl.type != "function_declaration":
            continue
        result, body, name = (decl.child_by_field_name(f) for f in ("result", "body", "name"))
        if result is None or body is None or name is None:
            continue
        if result.type == "parameter_list" and result.named_child_count == 2:
            # `(*http.Client, error)`: the client and an error
            first, second = result.named_children
            if source.text(second.child_by_field_name("type")) != "error" or first.child_by_field_name("name") is not None:
                continue
            result = first.child_by_field_name("type")
        match = _RESULT.fullmatch(source.text(result)) if result is not None else None
        if match is None or match.group(1) != alias:
            continue
        parameters = decl.child_by_field_name("parameters")
        names = frozenset(n.text for p in (parameters.named_children if parameters is not None else ())
                          for n in p.children_by_field_name("name"))
        functions[source.text(name)] = b"DefaultClient" not in data[body.start_byte:body.end_byte] and \
            literal_timeouts(data, body.start_byte, body.end_byte, alias.encode(), names) is not None
    return functions


def timeout_client_makers(source, imports: dict[str, str]) -> list[str]:
    """The functions of `client_functions` that only make clients with a total Timeout."""
    return [name for name, sets in client_functions(source, imports).items() if sets]


def maker_key(import_path: str, name: str) -> str:
    return f"{import_path}.{name}"


def called_maker(node: Node | None) -> tuple[str, str] | None:
    """(package name or "", function name) of a call with no arguments' worth of doubt about what it
    calls: `newClient(…)` or `pkg.NewClient(…)`; None for anything else."""
    if node is None or node.type != "call_expression":
        return None
    function = node.child_by_field_name("function")
    if function is None:
        return None
    if function.type == "identifier":
        return "", function.text.decode()
    if function.type == "selector_expression":
        operand, field = function.child_by_field_name("operand"), function.child_by_field_name("field")
        if operand is not None and operand.type == "identifier" and field is not None:
            return operand.text.decode(), field.text.decode()
    return None


# ---- the total Timeout of the client a call is made on ---------------------------------------------

CLIENT_TYPES = frozenset({"*net/http.Client", "net/http.Client"})


def _initial_value(binding: Binding) -> Node | None:
    """The expression a local or package variable is declared with."""
    return declared_value(binding.decl) if binding.decl is not None else None


def client_timeout(ctx: "FileContext", call: Node) -> "str | tuple[str, ...] | None":
    """The total Timeout of the client a call is made on, when the file sets one: in the client's
    literal (`&http.Client{Timeout: 5 * time.Second}`) or by assigning its field (`c.Timeout = d`).
    It covers reading the body too: when it fires, the transport closes the connection. A client
    made by a function of the package that sets one counts the same; one made by functions of other
    packages gives their names ("import/path.Name"), which the module model judges."""
    function = call.child_by_field_name("function")
    receiver = function.child_by_field_name("operand") if function is not None and function.type == "selector_expression" else None
    if receiver is not None and receiver.type == "selector_expression":
        return _field_client_timeout(ctx, receiver)
    if receiver is None or receiver.type != "identifier":
        return None
    home, binding = declared_in(ctx, ctx.model.resolve(receiver))
    declared = home.model.declared_type(binding) if binding.decl is not None else None
    if binding.decl is None or declared is not None and declared not in CLIENT_TYPES:
        return None
    # A client from a call the file cannot type (`c := conf.Client(ctx, tok)`): only its own
    # `c.Timeout = d` below says what it is.
    value = _initial_value(binding)
    if declared is None:
        # `c, err := newClient(proxy)`: untyped, but a function of the package declared to make
        # clients says what it is
        made = _made_by(home, home, called_maker(value)) if value is not None and value.type == "call_expression" \
            and value.parent is not None and value.parent.named_child_count == 1 else None
        value = None
        if isinstance(made, str):
            return made
    if value is not None and value.type == "unary_expression" and value.named_child_count == 1:
        value = value.named_children[0]
    if value is not None and value.type == "composite_literal":
        body = value.child_by_field_name("body")
        for element in (body.named_children if body is not None else []):
            key = element.child_by_field_name("key") if element.type == "keyed_element" else None
            if key is not None and key.text == b"Timeout":
                return " ".join(home.source.text(element.child_by_field_name("value")).split())
    made = _made_by(home, home, called_maker(value)) if value is not None and value.type == "call_expression" else None
    if made is not None and made is not _NOT_A_CLIENT:
        return made
    # `c.Timeout = d` where c is declared: in its function for a local, anywhere in its file for a
    # package variable
    scope = home.model.enclosing_function(binding.decl)
    start, end = (scope.node.start_byte, scope.node.end_byte) if scope is not None else (0, len(home.source.data))
    name = re.escape(receiver.text)
    match = re.compile(rb"\b" + name + rb"\.Timeout\s*=\s*([^\n;]+)").search(home.source.data, start, end)
    return " ".join(match.group(1).decode("utf-8", "replace").split()) if match else None


def declared_in(ctx: "FileContext", binding: Binding) -> tuple["FileContext", Binding]:
    """The file that declares a name and the name's binding there: a package variable of a sibling
    file (`var httpClient = &http.Client{Timeout: d}` in client.go) is typed and read in that file."""
    home = ctx.declaring_file(binding.name) if binding.kind == "package" and binding.decl is not None else None
    if home is None:
        return ctx, binding
    return home, home.model.resolve(binding.decl)


_NOT_A_CLIENT = object()  # _made_by: the package's function of that name returns no http.Client


def _client_interface(ctx: "FileContext", name: str) -> bool:
    """Whether `name` is an interface of the package with a `Do` method: a field of that type holds
    whatever client the package stores in it."""
    if not name.isidentifier():
        return False
    pattern = re.compile(rb"\btype\s+" + name.encode() + rb"\s+interface\s*\{[^}]*\bDo\(")
    return any(pattern.search(file.source.data) for file in ctx.package.files if name.encode() in file.source.data)


def _made_by(ctx: "FileContext", file: "FileContext", callee: tuple[str, str] | None) -> "str | tuple[str, ...] | None":
    """What a client made by the call `callee` (in `file`) is known to be: the Timeout text when a
    function of this package makes it with one, the maker's key when another package's function
    makes it (the model decides), None when it is not known to set one."""
    if callee is None:
        return None
    package, name = callee
    if not package:
        for other in ctx.package.files:
            if name.encode() in other.source.data:
                sets = client_functions(other.source, other.model.imports).get(name)
                if sets is not None:
                    return f"set by {name}" if sets else None
        return _NOT_A_CLIENT
    path = file.model.imports.get(package)
    if path is None or path == "net/http":
        return None  # a variable's method, or the standard library
    return (maker_key(path, name),)


# An interface of another package named for what it holds (`Client httpclient.HTTPClient`, `c
# api.Doer`): its code is not read, so its name says it holds an HTTP client.
_CLIENT_INTERFACE_NAME = re.compile(r"\*?(?:HTTP|Http)Client|\*?Doer")


# A local made from a client literal: `c := &http.Client{`, `c = http.Client{`.
_CLIENT_LITERAL_LOCAL = LazyPattern(rb"\b([A-Za-z_]\w*)\s*:?=\s*&?\s*http\.Client\s*\{")


def _field_client_timeout(ctx: "FileContext", receiver: Node) -> "str | tuple[str, ...] | None":
    """The total Timeout of a client kept in a struct field (`s.client.Do(req)`), when every client
    the package stores in a field of that name sets one: a literal with a Timeout (`client:
    &http.Client{Timeout: d}` in a constructor, in any file, also through a local made from one
    earlier in the file: `c := &http.Client{Timeout: d}`, then `client: c`), a call of a function that makes one
    (`client: newClient()`, `HttpClient: config.DefaultHTTPClient()`, the latter judged by the
    module model), or the package assigns `x.client.Timeout = d`."""
    field = receiver.child_by_field_name("field")
    if field is None:
        return None
    declared = field_type(ctx.model, receiver)
    if declared not in CLIENT_TYPES and not (declared and (_client_interface(ctx, declared)
                                                            or _CLIENT_INTERFACE_NAME.fullmatch(declared.rpartition(".")[2]))):
        return None
    owner = _owner_struct(ctx, receiver)
    known = ctx.package.facts.field_clients
    key = (field.text, ctx.is_test_file, owner)  # tests see their own stores, the program does not
    if key not in known:
        known[key] = _stored_client_timeout(ctx, field.text, owner)
    return known[key]


def _owner_struct(ctx: "FileContext", receiver: Node) -> bytes | None:
    """The name of the package struct that declares the field of `x.field` itself (not through an
    embedded struct), when x's declared type says so: stores into a field of that name in literals
    of other structs are not this one's."""
    operand = receiver.child_by_field_name("operand")
    field = receiver.child_by_field_name("field")
    if operand is None or field is None or operand.type != "identifier":
        return None
    type_node = declared_type_node(ctx.model, ctx.model.resolve(operand))
    if type_node is not None and type_node.type == "pointer_type" and type_node.named_child_count == 1:
        type_node = type_node.named_children[0]
    if type_node is None or type_node.type != "type_identifier":
        return None
    struct = struct_of(ctx.model, type_node)
    if struct is None or field.text.decode("utf-8", "replace") not in struct_fields(ctx.model, struct):
        return None
    return type_node.text


_LITERAL_TYPE = re.compile(rb"([A-Za-z_]\w*)(?:\[[^\[\]{}]*\])?\s*$")
_ENCLOSING_SCAN = 8192  # bytes back to the `{` of the literal a keyed element is in


def _literal_type(data: bytes, at: int) -> bytes | None:
    """The type name of the composite literal whose braces hold `at` (`&Server{…, client: …}` ->
    b"Server"), or None when it is not found near enough or is not a named type's literal."""
    depth = 0
    stop = max(0, at - _ENCLOSING_SCAN)
    index = at - 1
    while index >= stop:
        char = data[index]
        if char == 0x7D:  # }
            depth += 1
        elif char == 0x7B:  # {
            if depth == 0:
                match = _LITERAL_TYPE.search(data, max(0, index - 128), index)
                return match.group(1) if match else None
            depth -= 1
        index -= 1
    return None


def _stored_client_timeout(ctx: "FileContext", field_name: bytes, owner: bytes | None = None) -> "str | tuple[str, ...] | None":
    """_field_client_timeout's answer for every field of that name in the package (of the struct
    `owner`, for keyed elements of literals whose type the file spells: `&Owner{client: …}`)."""
    name = re.escape(field_name)
    stored = re.compile(rb"(?:[{,\s]" + name + rb"\s*:|\." + name + rb"\s*=)\s*&?\s*http\.Client\s*\{")
    made = re.compile(rb"(?:[{,\s]" + name + rb"\s*:|\." + name + rb"\s*=)\s*([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)\s*\(")
    assigned = re.compile(rb"\." + name + rb"\.Timeout\s*=\s*([^\n;]+)")
    # `client: c` (or `x.client = c`) with `c := &http.Client{…}` earlier in the file
    through_local = re.compile(rb"(?:[{,\s]" + name + rb"\s*:|\." + name + rb"\s*=)\s*([A-Za-z_]\w*)\s*(?:,|\n|})")
    timeouts = []
    makers: list[str] = []
    for file in ctx.package.files:
        data = file.source.data
        if field_name not in data or file.is_test_file and not ctx.is_test_file:
            continue  # a test that swaps in a stub client says nothing of the program's
        for match in stored.finditer(data):
            if _elsewhere(data, match, owner):
                continue
            timeout = TIMEOUT_KEY.search(braced(data, match.end() - 1))
            if timeout is None:
                return None  # one client stored there without a Timeout: the call may be made on it
            timeouts.append(timeout.group(1))
        literal_locals: dict[bytes, list[int]] | None = None  # local name -> ends of `c := &http.Client{`
        for match in through_local.finditer(data):
            if _elsewhere(data, match, owner):
                continue
            if literal_locals is None:
                literal_locals = {}
                if b"http.Client" in data:
                    for made_local in _CLIENT_LITERAL_LOCAL.finditer(data):
                        literal_locals.setdefault(made_local.group(1), []).append(made_local.end())
            made_end = next((end for end in literal_locals.get(match.group(1), ()) if end <= match.start()), None)
            if made_end is None:
                continue  # not a client literal's local: judged as before
            timeout = TIMEOUT_KEY.search(braced(data, made_end - 1))
            if timeout is None:
                return None
            timeouts.append(timeout.group(1))
        for match in made.finditer(data):
            if _elsewhere(data, match, owner):
                continue
            callee = match.group(1).decode()
            package, _, function = callee.rpartition(".")
            if package and "client" not in function.lower():
                continue  # not named for a client: a value of another field of that name, as before
            verdict = _made_by(ctx, file, (package, function))
            if verdict is _NOT_A_CLIENT:
                continue  # the package's function returns no http.Client: another field of that name
            if verdict is None:
                return None  # a client from a call not known to set a Timeout
            if isinstance(verdict, tuple):
                makers += verdict
            else:
                timeouts.append(verdict.encode())
        timeouts += [m.group(1) for m in assigned.finditer(data)]
    if makers:
        return tuple(sorted(set(makers)))
    return " ".join(timeouts[0].decode("utf-8", "replace").split()) if timeouts else None


def _elsewhere(data: bytes, match: "re.Match[bytes]", owner: bytes | None) -> bool:
    """A keyed element (`client: …`) in a literal of another struct than `owner`."""
    if owner is None or data[match.start()] == 0x2E:  # `.client = …`: whose field is not spelled
        return False
    found = _literal_type(data, match.start() + 1)
    return found is not None and found != owner
