"""Facts about `go` statements that several rules share: what a goroutine runs, whether the
function that starts it waits for it, and which function of the package a `go f(x)` starts.

Everything here looks locally: small tree-sitter queries run (in C) over one function body or one
`go` statement, never a Python walk over a whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from tree_sitter import Node, Query, QueryCursor

from .context import FileContext, PackageContext
from .model import FUNCTION_TYPES, FileModel, Function
from .source import GO

GO_QUERY = Query(GO, "(go_statement) @go")

_WAITS = Query(
    GO,
    """
(call_expression
  function: (selector_expression field: (field_identifier) @method (#eq? @method "Wait"))) @wait
(unary_expression operator: "<-" operand: (_) @channel) @receive
(range_clause right: (_) @channel) @range
""",
)
_IDENTIFIERS = Query(GO, "(identifier) @id")
_NAMES = Query(GO, "[(identifier) (field_identifier)] @name")
_CLOSES = Query(GO, '(call_expression function: (identifier) @f (#eq? @f "close") arguments: (argument_list . (_) @channel))')
_CHAN_FIELDS = Query(GO, "(field_declaration name: (field_identifier) @name type: (channel_type))")


def go_call(go: Node) -> Node | None:
    for child in go.named_children:
        if child.type == "call_expression":
            return child
    return None


def go_literal(go: Node) -> Node | None:
    """The func literal a `go func(){…}()` runs, if that is the form."""
    call = go_call(go)
    function = call.child_by_field_name("function") if call is not None else None
    while function is not None and function.type == "parenthesized_expression" and function.named_child_count == 1:
        function = function.named_children[0]
    return function if function is not None and function.type == "func_literal" else None


def last_name(model: FileModel, expr: Node | None) -> str | None:
    """`done` for `done`, `s.done`, `(s.done)`; None for anything else."""
    while expr is not None and expr.type == "parenthesized_expression" and expr.named_child_count == 1:
        expr = expr.named_children[0]
    if expr is None:
        return None
    if expr.type == "identifier":
        return model.source.text(expr)
    if expr.type == "selector_expression":
        field = expr.child_by_field_name("field")
        return model.source.text(field) if field is not None else None
    return None


def _names_in(model: FileModel, node: Node) -> set[str]:
    return {model.source.text(n) for n in QueryCursor(_NAMES).captures(node).get("name", [])}


def _deferred(node: Node, function: Node) -> bool:
    current = node.parent
    while current is not None and current.id != function.id:
        if current.type == "defer_statement":
            return True
        current = current.parent
    return False


def awaited(model: FileModel, go: Node) -> bool:
    """Whether the function that runs `go` waits for the goroutine before it returns.

    Counted as waiting, after the `go` statement (or anywhere in a `defer`): a `.Wait()` call
    (`sync.WaitGroup`, errgroup, `sync.Cond`), or a receive (`<-ch`, `case <-ch:`, `for range ch`)
    from a channel the goroutine mentions, by name, in its body or its arguments.
    """
    function = model.enclosing_function(go)
    if function is None or function.body is None:
        return False
    goroutine_names: set[str] | None = None
    captures = QueryCursor(_WAITS).captures(function.body)
    for wait in captures.get("wait", []):
        if go.start_byte <= wait.start_byte < go.end_byte:
            continue
        owner = model.enclosing_function(wait)
        in_defer = _deferred(wait, function.node)
        if owner is not function and not (in_defer and owner is not None and owner.parent is function):
            continue
        if wait.start_byte >= go.end_byte or in_defer:
            return True
    for channel in captures.get("channel", []):
        if channel.start_byte < go.end_byte:
            continue
        if model.enclosing_function(channel) is not function:
            continue
        name = last_name(model, channel)
        if name is None and channel.type == "call_expression":
            continue  # `<-ctx.Done()`, `<-time.After(d)`: not a channel the goroutine signals
        if name is None:
            continue
        if goroutine_names is None:
            goroutine_names = _names_in(model, go)
        if name in goroutine_names:
            return True
    return _wait_handed_on(model, go, function)


def _made_channel(model: FileModel, decl: Node) -> bool:
    statement = decl.parent.parent if decl.parent is not None else None
    if statement is None or statement.type != "short_var_declaration":
        return False
    right = statement.child_by_field_name("right")
    return right is not None and any(
        v.type == "call_expression" and model.source.text(v).replace(" ", "").startswith("make(chan")
        for v in right.named_children
    )


def _wait_handed_on(model: FileModel, go: Node, function: Function) -> bool:
    """The goroutine signals a channel made here, and that channel leaves the function (returned,
    captured by a returned closure, put in a struct): the caller is the one who waits, e.g. a
    `keepAlive(w) func(error)` helper whose returned function receives the goroutine's reply."""
    seen: set[int] = set()
    for ident in QueryCursor(_IDENTIFIERS).captures(go).get("id", []):
        binding = model.resolve(ident)
        if binding.kind != "local" or binding.decl is None or binding.function is not function:
            continue
        if binding.decl.id in seen or not _made_channel(model, binding.decl):
            continue
        seen.add(binding.decl.id)
        for ref in model.references(binding.decl, within=function.body):
            if go.start_byte <= ref.start_byte < go.end_byte:
                continue
            node = ref.parent
            while node is not None and node.id != function.body.id:
                if node.type in ("return_statement", "composite_literal", "func_literal"):
                    return True
                node = node.parent
    return False


def root_function(function: Function | None) -> Function | None:
    while function is not None and function.parent is not None:
        function = function.parent
    return function


def started_at_process_level(ctx: FileContext, go: Node) -> bool:
    """A `go` statement in `main` (of package main) or in an `init` function: it runs for the
    life of the process, which is what such goroutines are for."""
    root = root_function(ctx.model.enclosing_function(go))
    if root is None or root.kind != "func":
        return False
    return root.name == "init" or (root.name == "main" and ctx.model.package == "main")


@dataclass
class PackageFunctions:
    """The declared functions and methods of a package, by name (`f`, `Type.method`), and the
    names of channels it closes or declares as struct fields."""

    pkg: PackageContext

    @cached_property
    def by_name(self) -> dict[str, tuple[FileContext, Function]]:
        index: dict[str, tuple[FileContext, Function]] = {}
        for ctx in self.pkg.files:
            for fn in ctx.model.functions:
                if fn.kind != "literal":
                    index.setdefault(fn.name, (ctx, fn))
        return index

    @cached_property
    def closed_channels(self) -> set[str]:
        """Last names of everything passed to `close(…)` anywhere in the package."""
        names: set[str] = set()
        for ctx in self.pkg.files:
            for channel in QueryCursor(_CLOSES).captures(ctx.source.root).get("channel", []):
                name = last_name(ctx.model, channel)
                if name:
                    names.add(name)
        return names

    @cached_property
    def channel_fields(self) -> set[str]:
        names: set[str] = set()
        for ctx in self.pkg.files:
            for node in QueryCursor(_CHAN_FIELDS).captures(ctx.source.root).get("name", []):
                names.add(ctx.source.text(node))
        return names

    def callee(self, ctx: FileContext, call: Node) -> tuple[FileContext, Function] | None:
        """The package function a call runs: `f(x)`, or `recv.m(x)` on a value whose type is
        declared in this package (a receiver or a parameter of type `T` / `*T`)."""
        function = call.child_by_field_name("function")
        if function is None:
            return None
        model = ctx.model
        if function.type == "identifier":
            binding = model.resolve(function)
            if binding.kind != "package" or binding.decl is None or binding.decl.parent is None:
                return None
            if binding.decl.parent.type != "function_declaration":
                return None
            return self.by_name.get(model.source.text(function))
        if function.type == "selector_expression":
            operand = function.child_by_field_name("operand")
            field = function.child_by_field_name("field")
            if operand is None or field is None or operand.type != "identifier":
                return None
            binding = model.resolve(operand)
            if binding.kind not in ("receiver", "param") or binding.function is None:
                return None
            candidates = list(binding.function.params)
            if binding.function.receiver is not None:
                candidates.append(binding.function.receiver)
            for param in candidates:
                if param.node is not None and binding.decl is not None and param.node.start_byte == binding.decl.start_byte:
                    type_name = re.sub(r"\[.*$", "", param.type.lstrip("*"))
                    if "." in type_name or not type_name:
                        return None
                    return self.by_name.get(f"{type_name}.{model.source.text(field)}")
        return None


def function_of_node(model: FileModel, node: Node) -> Function | None:
    return model.function_of(node) if node.type in FUNCTION_TYPES else None
