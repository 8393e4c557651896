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

from tree_sitter import Node

from .patterns import LazyPattern

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
        match = _RESULT.fullmatch(source.text(result))
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
