"""Facts about `go` statements that several rules share: what a goroutine runs, whether the
function that starts it waits for it, and which function of the package a `go f(x)` starts.

Everything here looks locally: small tree-sitter queries run (in C) over one function body or one
`go` statement, never a Python walk over a whole file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator
from functools import cached_property, wraps

from tree_sitter import Node

from .context import FileContext, PackageContext
from .addresses import reassigned
from .model import FileModel, Function, declared_value, descendants, is_channel_type, runs_once_at_startup, single_initialiser
from .frameworks import request_value
from .patterns import LazyPattern
from .source import name_hits, query_captures
from .structs import declared_fields, struct_specs

GO_QUERY = "(go_statement) @go"

# A function that ends the life of its receiver or of what it is given: `Close`, `Stop`,
# `Shutdown`, `GracefulStop`, `StopContainer`, `CloseSession`, … (not `Closed`, `Stopped`, `Stopwatch`).
_SHUTDOWN = LazyPattern(r"(?:Close|Stop|Shutdown|GracefulStop|Terminate|Quit|Teardown|Destroy|Dispose)(?:[A-Z0-9_]\w*)?")


def shutdown_function(owner: Function) -> str | None:
    """The name of the declared function around `owner` (itself, or the one its literal is written
    in) when it is named for shutting down: it runs once for each thing it stops."""
    while owner.parent is not None:
        owner = owner.parent
    if owner.kind == "literal":
        return None
    base = owner.name.rsplit(".", 1)[-1]
    return owner.shown if _SHUTDOWN.fullmatch(base) else None

_WAITS = """
(call_expression
  function: (selector_expression field: (field_identifier) @method (#eq? @method "Wait"))) @wait
(unary_expression operator: "<-" operand: (_) @channel) @receive
(range_clause right: (_) @channel) @range
"""
_IDENTIFIERS = "(identifier) @id"
_NAMES = "[(identifier) (field_identifier)] @name"


def go_call(go: Node) -> Node | None:
    for child in go.named_children:
        if child.type == "call_expression":
            return child
    return None


def go_literal(go: Node, model: FileModel | None = None) -> Node | None:
    """The func literal a `go func(){…}()` runs; with a model, also the literal a local was set
    to once (`work := func(){…}; go work()`)."""
    call = go_call(go)
    function = call.child_by_field_name("function") if call is not None else None
    while function is not None and function.type == "parenthesized_expression" and function.named_child_count == 1:
        function = function.named_children[0]
    if function is not None and function.type == "identifier" and model is not None:
        binding = model.resolve(function)
        # binding.function is None for a "local" only in a broken parse (a block outside any function).
        if binding.kind == "local" and binding.decl is not None and binding.function is not None:
            value = single_initialiser(binding.decl)
            if value is not None and value.type == "func_literal" \
                    and len(model.references(binding.decl, within=binding.function.node)) == 1:
                function = value  # set once, used only here
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
    return {model.source.text(n) for n in query_captures(_NAMES, node).get("name", [])}


def deferred(node: Node, function: Node) -> bool:
    """`node` is part of a `defer` statement of `function` (not of a function literal's body
    beyond it: the walk stops at `function`)."""
    return within(node, function, ("defer_statement",))


def within(node: Node, stop: Node, types: tuple[str, ...]) -> bool:
    """An ancestor of `node` below `stop` is one of `types` (a loop, a defer)."""
    current = node.parent
    while current is not None and current.id != stop.id:
        if current.type in types:
            return True
        current = current.parent
    return False


def awaited(model: FileModel, go: Node) -> bool:
    """Whether the function that runs `go` waits for the goroutine before it returns.

    Counted as waiting, after the `go` statement (or anywhere in a `defer`): a `.Wait()` call
    (`sync.WaitGroup`, errgroup, `sync.Cond`), or a receive (`<-ch`, `case <-ch:`, `for range ch`)
    from a channel the goroutine mentions, by name, in its body or its arguments, or that a
    callback it runs mentions (a func literal in the initialiser of a local the `go` uses), or
    from a channel reached from a local or parameter the goroutine is given or captures
    (`<-sess.chans.errs`, `<-pub.Done()`), other than a context or a request value.
    """
    function = model.enclosing_function(go)
    if function is None or function.body is None:
        return False
    goroutine_names: set[str] | None = None
    captures = query_captures(_WAITS, function.body)
    for wait in captures.get("wait", []):
        if go.start_byte <= wait.start_byte < go.end_byte:
            continue
        owner = model.enclosing_function(wait)
        in_defer = deferred(wait, function.node)
        if owner is not function and not (in_defer and owner is not None and owner.parent is function):
            continue
        if wait.start_byte >= go.end_byte or in_defer:
            return True
    for channel in captures.get("channel", []):
        if channel.start_byte < go.end_byte:
            continue
        if model.enclosing_function(channel) is not function:
            continue
        name = last_name(model, channel) if channel.type != "call_expression" else None
        root = _shared_root(model, channel)
        if name is None and root is None:
            continue  # `<-ctx.Done()`, `<-time.After(d)`: not a channel the goroutine signals
        if goroutine_names is None:
            goroutine_names = _names_in(model, go)
            literal = go_literal(go, model)
            if literal is not None and not go.start_byte <= literal.start_byte < go.end_byte:
                goroutine_names |= _names_in(model, literal)
            goroutine_names |= _callback_names(model, go, function)
        if name in goroutine_names or root in goroutine_names:
            return True
    return _wait_handed_on(model, go, function)


def _shared_root(model: FileModel, channel: Node) -> str | None:
    """The value a channel is reached from, when the goroutine may hold it too: `sess` of
    `<-sess.chans.errs` and of `<-sess.Done()` (a session, a publisher the goroutine is given or
    captures, and signals through). None for a context or a request value, whose `Done()` ends
    with the request rather than with the goroutine, and for anything not rooted at a name."""
    node = channel
    if node.type == "call_expression":
        if node.child_by_field_name("arguments") is None or node.child_by_field_name("arguments").named_child_count:
            return None
        node = node.child_by_field_name("function")
    if node is None or node.type != "selector_expression":
        return None
    while node.type == "selector_expression":
        node = node.child_by_field_name("operand")
        if node is None:
            return None
    if node.type != "identifier":
        return None
    name = model.source.text(node)
    if name in _CONTEXT_NAMES or request_value(model, node) is not None:
        return None
    binding = model.resolve(node)
    if binding.kind not in ("local", "param") or binding.decl is None:
        return None  # a package, a package variable: shared with everything, signalled by anyone
    declared = model.declared_type(binding) or ""
    initial = single_initialiser(binding.decl) if binding.kind == "local" else None
    if "Context" in declared or "Request" in declared or initial is not None and \
            model.source.text(initial).startswith(("context.", "signal.")):
        return None
    return name


_CONTEXT_NAMES = frozenset({"ctx", "context", "c", "r", "req", "request"})


_LITERALS = "(func_literal) @literal"


def _callback_names(model: FileModel, go: Node, function: Function) -> set[str]:
    """Names in the callbacks a goroutine can run: func literals in the initialiser of a local the
    `go` statement uses (`srv := websocket.Server{Handler: func(ws){…}}; go srv.ServeHTTP(w, r)`).
    The server calls the callback from the goroutine, so a channel it signals tells the owner
    that the goroutine's work is done."""
    names: set[str] = set()
    seen: set[int] = set()
    for ident in query_captures(_IDENTIFIERS, go).get("id", []):
        binding = model.resolve(ident)
        if binding.kind != "local" or binding.decl is None or binding.function is not function or binding.decl.id in seen:
            continue
        seen.add(binding.decl.id)
        statement = binding.decl.parent
        if statement is not None and statement.type == "expression_list":
            statement = statement.parent
        if statement is None or statement.type not in ("short_var_declaration", "var_spec"):
            continue
        value = statement.child_by_field_name("right" if statement.type == "short_var_declaration" else "value")
        for literal in _callback_literals(model, value, function):
            names |= _names_in(model, literal)
    return names


def _callback_literals(model: FileModel, value: Node | None, function: Function) -> list[Node]:
    """The func literals written in `value`, and those a local it names was set to (`srv :=
    websocket.Server{Handler: h}` after `h := func(conn *websocket.Conn) {…}`)."""
    if value is None:
        return []
    found = list(query_captures(_LITERALS, value).get("literal", []))
    for ident in query_captures(_IDENTIFIERS, value).get("id", []):
        binding = model.resolve(ident)
        if binding.kind != "local" or binding.decl is None or binding.function is not function:
            continue
        initial = single_initialiser(binding.decl)
        if initial is not None and initial.type == "func_literal":
            found.append(initial)
    return found


def _made_channel(model: FileModel, decl: Node) -> bool:
    value = single_initialiser(decl)
    return value is not None and value.type == "call_expression" \
        and model.source.text(value).replace(" ", "").startswith("make(chan")


def _wait_handed_on(model: FileModel, go: Node, function: Function) -> bool:
    """The goroutine signals a channel made here, and that channel leaves the function (returned,
    captured by a returned closure, put in a struct): the caller is the one who waits, e.g. a
    `keepAlive(w) func(error)` helper whose returned function receives the goroutine's reply."""
    seen: set[int] = set()
    for ident in query_captures(_IDENTIFIERS, go).get("id", []):
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
    return runs_once_at_startup(ctx.model, root_function(ctx.model.enclosing_function(go)))


_CLOSE = LazyPattern(rb"(?i)close")


def _memoised(method):
    """Per-instance memo for name lookups (the package index is not hashable, so no lru_cache)."""
    @wraps(method)
    def lookup(self, name: str) -> bool:
        memo = self.__dict__.setdefault("_memo", {})
        key = (method.__name__, name)
        if key not in memo:
            memo[key] = method(self, name)
        return memo[key]
    return lookup


CLI_PACKAGES = ("github.com/spf13/cobra", "github.com/urfave/cli", "github.com/urfave/cli/v2", "github.com/urfave/cli/v3",
                "github.com/alecthomas/kingpin/v2", "gopkg.in/alecthomas/kingpin.v2")


def cli_package(path: str) -> bool:
    """A command-line framework: one of CLI_PACKAGES, or a package named `cli` (forks of urfave's,
    `…/cli/v2`); a command's action runs once per process."""
    if path in CLI_PACKAGES:
        return True
    parts = path.split("/")
    if len(parts) > 1 and parts[-1][:1] == "v" and parts[-1][1:].isdigit():
        parts = parts[:-1]
    return len(parts) > 1 and parts[-1] == "cli"


def imports_cli(model) -> bool:
    """The file imports a command-line framework (cli_package)."""
    return any(cli_package(path) for path in model.imported_paths)


def command_line_file(ctx: FileContext) -> bool:
    """A file of package main, or one that builds command-line commands: what it starts lives as
    long as the command, which is the process."""
    return ctx.model.package == "main" or imports_cli(ctx.model)


@dataclass
class PackageFunctions:
    """The declared functions and methods of a package, by name (`f`, `Type.method`), and the
    names of channels it closes or declares as struct fields."""

    pkg: PackageContext

    @cached_property
    def _declarations(self) -> dict[str, tuple[FileContext, Node]]:
        """`f` / `Type.method` -> its declaration, from each file's top level (no walk)."""
        index: dict[str, tuple[FileContext, Node]] = {}
        for ctx in self.pkg.files:
            for decl in ctx.source.declarations:
                if decl.type not in ("function_declaration", "method_declaration"):
                    continue
                name_node = decl.child_by_field_name("name")
                if name_node is None:
                    continue
                name = ctx.source.text(name_node)
                if decl.type == "method_declaration":
                    receiver = decl.child_by_field_name("receiver")
                    type_node = None
                    for param in receiver.named_children if receiver is not None else []:
                        if param.type == "parameter_declaration":
                            type_node = param.child_by_field_name("type")
                    if type_node is None:
                        continue
                    base = re.sub(r"\[.*$", "", ctx.source.text(type_node).lstrip("*").strip())
                    name = f"{base}.{name}"
                index.setdefault(name, (ctx, decl))
        return index

    def function(self, name: str) -> tuple[FileContext, Function] | None:
        found = self._declarations.get(name)
        if found is None:
            return None
        ctx, decl = found
        function = ctx.model.function_of(decl)
        return (ctx, function) if function is not None else None

    def _occurrences(self, name: str, also: bytes = b"") -> Iterator[tuple[FileContext, Node]]:
        """Identifiers and field names spelled `name` anywhere in the package: found by a byte
        search and a node lookup at each hit, not by walking trees."""
        needle = name.encode("utf-8", "surrogateescape")
        for ctx in self.pkg.files:
            if needle not in ctx.source.data or also not in ctx.source.data:
                continue
            for at in name_hits(ctx.source.data, needle):
                node = ctx.source.root.named_descendant_for_byte_range(at, at + len(needle))
                if node is not None and node.type in ("identifier", "field_identifier") and \
                        node.start_byte == at and node.end_byte == at + len(needle):
                    yield ctx, node

    def occurrences(self, name: str) -> Iterator[tuple[FileContext, Node]]:
        """Every identifier and field name spelled `name` in the package, with its file."""
        return self._occurrences(name)

    def methods(self, type_name: str) -> list[str]:
        """The names of the methods the package declares on `type_name` (either receiver form)."""
        prefix = type_name + "."
        return [name[len(prefix):] for name in self._declarations if name.startswith(prefix)]

    def _argument_of(self, ctx: FileContext, node: Node) -> Node | None:
        """The call that `node` (or the `x.node` selector it ends) is a direct argument of."""
        expr = node.parent if node.type == "field_identifier" else node
        if expr is None or expr.parent is None or expr.parent.type != "argument_list":
            return None
        call = expr.parent.parent
        return call if call is not None and call.type == "call_expression" else None

    @_memoised
    def handed_out(self, name: str) -> bool:
        """A function or method of the package returns `x.name` (or `name`) as a channel its caller
        may close: `func (f *Flow) In() chan<- any { return f.in }`, not one declared to return a
        receive-only `<-chan`, which Go does not let the caller close."""
        for ctx, node in self._occurrences(name, b"return"):
            expr = node.parent if node.type == "field_identifier" else node
            parent = expr.parent if expr is not None else None
            if parent is not None and parent.type == "expression_list":
                parent = parent.parent
            if parent is None or parent.type != "return_statement":
                continue
            function = ctx.model.enclosing_function(node)
            results = [r.type for r in function.results] if function is not None else []
            if len(results) == 1 and is_channel_type(results[0]) and not results[0].startswith("<-"):
                return True
        return False

    def closed(self, name: str) -> bool:
        """Something named `name` is passed to `close(…)` or a close-like helper
        (`xioutil.SafeClose(ch)`, `closeQuietly(ch)`) somewhere in the package."""
        return name in self._closed_names

    @cached_property
    def _closed_names(self) -> frozenset[str]:
        """Every `x` and `s.x` passed directly to a call whose callee's last name contains "close"
        (in any case), in one byte search per file for the callees: there are far fewer of them
        than occurrences of a common channel name such as `done`."""
        names: set[str] = set()
        for ctx in self.pkg.files:
            data = ctx.source.data
            if b"lose" not in data:
                continue
            text = ctx.source.text
            for hit in _CLOSE.finditer(data):
                node = ctx.source.root.named_descendant_for_byte_range(hit.start(), hit.end())
                if node is None or node.type not in ("identifier", "field_identifier"):
                    continue
                callee = node.parent if node.type == "field_identifier" else node
                if callee is None or (callee is not node and callee.type != "selector_expression"):
                    continue
                while callee.parent is not None and callee.parent.type == "parenthesized_expression" \
                        and callee.parent.named_child_count == 1:
                    callee = callee.parent
                call = callee.parent
                if call is None or call.type != "call_expression" or call.child_by_field_name("function") != callee:
                    continue
                arguments = call.child_by_field_name("arguments")
                for arg in arguments.named_children if arguments is not None else ():
                    if arg.type == "identifier":
                        names.add(text(arg))
                    elif arg.type == "selector_expression":
                        field = arg.child_by_field_name("field")
                        if field is not None:
                            names.add(text(field))
        return frozenset(names)

    @_memoised
    def passed(self, name: str) -> bool:
        """Something named `name` is passed as a call argument somewhere in the package: a channel
        handed to other code may be closed there."""
        return any(self._argument_of(ctx, node) is not None for ctx, node in self._occurrences(name))

    @_memoised
    def run_once(self, name: str) -> bool:
        """A function named `name` is handed to `once.Do(…)`: it runs once per process."""
        for ctx, node in self._occurrences(name, b".Do("):
            call = self._argument_of(ctx, node)
            callee = call.child_by_field_name("function") if call is not None else None
            if callee is not None and callee.type == "selector_expression" and \
                    ctx.source.text(callee.child_by_field_name("field")) == "Do" and \
                    "once" in ctx.source.text(callee.child_by_field_name("operand")).lower():
                return True
        return False

    @_memoised
    def called_only_at_startup(self, name: str) -> bool:
        """Every call of the package function `name` sits in a package-level initialiser
        (`var logOnce = newLogOnce()`), in `init`, or in `main`: what it starts runs once."""
        calls = 0
        for ctx, node in self._occurrences(name):
            parent = node.parent
            if parent is None or parent.type != "call_expression" or parent.child_by_field_name("function") != node:
                if parent is not None and parent.type == "function_declaration":
                    continue  # the declaration itself
                return False  # used as a value: called from who knows where
            calls += 1
            root = root_function(ctx.model.enclosing_function(node))
            if root is None:
                continue  # a package-level initialiser
            if not runs_once_at_startup(ctx.model, root):
                return False
        return calls > 0

    def process_lifetime(self, ctx: FileContext, go: Node) -> bool:
        """The `go` statement runs once per process: in main or init, in a once.Do or singleton
        helper, or in a plain function that only package initialisers, init or main call."""
        if started_at_process_level(ctx, go) or self.started_once(ctx, go):
            return True
        root = root_function(ctx.model.enclosing_function(go))
        return root is not None and root.kind == "func" and self.called_only_at_startup(root.name)

    def channel_field(self, name: str) -> bool:
        """A struct field named `name` is declared with a channel type in the package."""
        return name in self._channel_fields

    @cached_property
    def _channel_fields(self) -> frozenset[str]:
        """Names of struct fields declared with a channel type, from a byte search for `chan` and a
        node lookup per hit: there are far fewer channel types than uses of a common field name."""
        names: set[str] = set()
        for ctx in self.pkg.files:
            data = ctx.source.data
            start = data.find(b"chan")
            while start != -1:
                node = ctx.source.root.named_descendant_for_byte_range(start, start + 4)
                decl = node.parent if node is not None and node.type == "channel_type" else None
                if decl is not None and decl.type == "field_declaration" and decl.child_by_field_name("type") == node:
                    names.update(ctx.source.text(n) for n in decl.children_by_field_name("name"))
                start = data.find(b"chan", start + 4)
        return frozenset(names)

    def started_once(self, ctx: FileContext, go: Node) -> bool:
        """The `go` statement runs inside `once.Do(func(){…})` (or `sync.OnceFunc`, a singleton
        helper), or in a function given to `once.Do`."""
        function = ctx.model.enclosing_function(go)
        while function is not None:
            node = function.node
            if node.type == "func_literal":
                args = node.parent
                call = args.parent if args is not None and args.type == "argument_list" else None
                callee = call.child_by_field_name("function") if call is not None else None
                # `once.Do(func…)`, `sync.OnceFunc(func…)`, `singleton.GetInstance(func…)`.
                text = ctx.source.text(callee).lower() if callee is not None else ""
                if "once" in text or "singleton" in text:
                    return True
            elif self.run_once(function.name.rsplit(".", 1)[-1]):
                return True
            function = function.parent
        return False

    @cached_property
    def struct_names(self) -> frozenset[str]:
        """The keys of `struct_fields`, without typing every field: most questions about a
        package's structs end at "is there one of that name"."""
        names: set[str] = set()
        for ctx in self.pkg.files:
            if not ctx.source.parsed and b"struct" not in ctx.source.data:
                continue
            names.update(ctx.source.text(name) for name, _ in struct_specs(ctx.source.declarations))
        return frozenset(names)

    @cached_property
    def struct_fields(self) -> dict[str, dict[str, str]]:
        """Struct type name -> field name -> import-resolved field type, for the package's structs."""
        structs: dict[str, dict[str, str]] = {}
        for ctx in self.pkg.files:
            if not ctx.source.parsed and b"struct" not in ctx.source.data:
                continue  # no struct to find: do not parse a context-only file for it
            for name, struct in struct_specs(ctx.source.declarations):
                fields = structs.setdefault(ctx.source.text(name), {})
                for field, type_text, _ in declared_fields(struct, ctx.model.type_text):
                    fields.setdefault(field, type_text)
        return structs

    def expression_type(self, model: FileModel, expr: Node | None) -> str | None:
        """The type of `x` or `x.f` when x's declaration says it (model.declared_type) and f is a
        field of a struct of this package."""
        if expr is None:
            return None
        if expr.type == "identifier":
            return model.declared_type(model.resolve(expr))
        if expr.type == "selector_expression":
            operand = expr.child_by_field_name("operand")
            field = expr.child_by_field_name("field")
            if operand is None or field is None or operand.type != "identifier":
                return None
            type_name = self.value_type(model, model.resolve(operand))
            if type_name is None:
                return None
            return self.struct_fields.get(type_name, {}).get(model.source.text(field))
        return None

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
            return self.function(model.source.text(function))
        if function.type == "selector_expression":
            operand = function.child_by_field_name("operand")
            field = function.child_by_field_name("field")
            if operand is None or field is None or operand.type != "identifier":
                return None
            binding = model.resolve(operand)
            type_name = self.value_type(model, binding)
            if type_name:
                return self.function(f"{type_name}.{model.source.text(field)}")
        return None

    def never_fails(self, ctx: FileContext, call: Node) -> bool:
        """The call runs a function of the package whose last result is an `error` that every
        return of its own gives as `nil` (`return &T{…}, nil`): an `if err != nil` after the call
        never runs. A bare return, or any other error value, may fail."""
        target = self.callee(ctx, call)
        if target is None:
            return False
        owner, function = target
        results = function.results
        if function.body is None or not results or results[-1].type != "error":
            return False
        returns = 0
        for statement in query_captures("(return_statement) @return", function.body).get("return", []):
            if owner.model.enclosing_function(statement) is not function:
                continue  # a function literal's own
            values = statement.named_children[0].named_children if statement.named_child_count else []
            if not values or values[-1].type != "nil":
                return False
            returns += 1
        return returns > 0

    @staticmethod
    def value_type(model: FileModel, binding) -> str | None:
        """The package-local type name of a variable (`T` for a `*T` or `T[K]`), when its declaration
        says it (model.declared_type)."""
        type_text = model.declared_type(binding)
        if not type_text:
            return None
        type_name = re.sub(r"\[.*$", "", type_text.lstrip("*"))
        return type_name if type_name and "." not in type_name else None


_ERRGROUP_MAKERS = frozenset({"golang.org/x/sync/errgroup.WithContext", "golang.org/x/sync/errgroup.Group"})


def waits_that_never_fail(ctx: FileContext, owner: Function) -> set[int]:
    """The conditions `err != nil` of `if err := g.Wait(); err != nil` (or `if g.Wait() != nil`) in
    the owner, where g is an errgroup the owner makes and uses only to `Go`, `TryGo`, `SetLimit` and
    `Wait`, and every function it hands the group is a literal whose every return is `return nil`:
    Wait then returns nil, and the branch never runs. A way out through that branch strands nobody
    (GL101, GL102)."""
    data = ctx.source.data
    body = owner.node
    if data.find(b".Wait()", body.start_byte, body.end_byte) == -1 or b"errgroup" not in data:
        return set()
    found: set[int] = set()
    for statement in descendants(body):
        if statement.type != "if_statement":
            continue
        condition = statement.child_by_field_name("condition")
        if condition is None or condition.type != "binary_expression" or \
                ctx.source.text(condition.child_by_field_name("operator")) != "!=" or \
                ctx.source.text(condition.child_by_field_name("right")) != "nil":
            continue
        left = condition.child_by_field_name("left")
        wait = left
        if left.type == "identifier":
            initializer = statement.child_by_field_name("initializer")
            if initializer is None or initializer.type != "short_var_declaration":
                continue
            names, values = initializer.child_by_field_name("left"), initializer.child_by_field_name("right")
            if names.named_child_count != 1 or values.named_child_count != 1 or names.named_children[0].text != left.text:
                continue
            wait = values.named_children[0]
        if wait.type != "call_expression" or wait.child_by_field_name("arguments").named_child_count:
            continue
        function = wait.child_by_field_name("function")
        if function.type != "selector_expression" or function.child_by_field_name("field").text != b"Wait":
            continue
        group = function.child_by_field_name("operand")
        if group.type == "identifier" and _group_never_fails(ctx, group):
            found.add(condition.id)
    return found


def _group_never_fails(ctx: FileContext, group: Node) -> bool:
    model = ctx.model
    binding = model.resolve(group)
    if binding.kind != "local" or binding.decl is None or binding.function is None:
        return False
    declared = model.declared_type(binding)
    value = declared_value(binding.decl)
    made = declared in ("golang.org/x/sync/errgroup.Group", "*golang.org/x/sync/errgroup.Group") or \
        value is not None and model.qualified(value) in _ERRGROUP_MAKERS
    if not made and value is not None and value.type == "unary_expression":
        inner = value.named_children[0] if value.named_child_count else None
        made = inner is not None and inner.type == "composite_literal" and \
            model.type_text(inner.child_by_field_name("type")) == "golang.org/x/sync/errgroup.Group"
    if not made:
        return False
    handed = 0
    for ref in model.references(binding.decl, within=binding.function.node):
        if ref.id == binding.decl.id:
            continue
        selector = ref.parent
        if selector is None or selector.type != "selector_expression" or selector.child_by_field_name("operand") != ref:
            return False  # handed on: someone else may give it a function that fails
        method = selector.child_by_field_name("field").text
        call = selector.parent
        if method not in (b"Go", b"TryGo", b"SetLimit", b"Wait") or call is None or call.type != "call_expression":
            return False
        if method in (b"Go", b"TryGo"):
            arguments = call.child_by_field_name("arguments")
            literal = arguments.named_children[0] if arguments.named_child_count == 1 else None
            if literal is None or literal.type != "func_literal" or not _returns_only_nil(ctx, literal):
                return False
            handed += 1
    return handed > 0


def _returns_only_nil(ctx: FileContext, literal: Node) -> bool:
    """Every return of the literal itself (not of literals inside it) is `return nil`."""
    stack = list(literal.child_by_field_name("body").named_children)
    while stack:
        node = stack.pop()
        if node.type == "func_literal":
            continue
        if node.type == "return_statement":
            values = node.named_children
            if len(values) != 1 or values[0].type != "expression_list" and values[0].type != "nil" or \
                    ctx.source.text(values[0]) != "nil":
                return False
        stack.extend(node.named_children)
    return True


_PURE_CONDITION = frozenset({"identifier", "selector_expression", "field_identifier", "binary_expression",
                             "unary_expression", "parenthesized_expression", "nil", "true", "false", "int_literal",
                             "interpreted_string_literal"})


# What changes a field after `.name`: `= v` (not `==`), `+= v`, `++`, `--`; `x.f, y = …` as well.
_FIELD_CHANGED = rb"\s*(?:(?:[-+*/%|&^]|<<|>>)?=(?!=)|\+\+|--|,[^\n=]*=(?!=))"


def start_guard(ctx: FileContext, start: Node) -> Node | None:
    """The condition of an `if` (without else) whose body holds the `go` statement `start` (`if out
    != nil { go …}`), when testing it again gives the same answer: it reads only names and fields of
    variables nothing assigns after their declaration, and calls and receives nothing. A way out of
    the function that tests it again and finds it false started no goroutine."""
    body = start.parent
    if body is not None and body.type == "statement_list":
        body = body.parent
    statement = body.parent if body is not None else None
    if statement is None or statement.type != "if_statement" or statement.child_by_field_name("alternative") is not None \
            or statement.child_by_field_name("initializer") is not None \
            or statement.child_by_field_name("consequence") != body:
        return None
    condition = statement.child_by_field_name("condition")
    stack = [condition]
    while stack:
        node = stack.pop()
        if node.is_named and node.type not in _PURE_CONDITION:
            return None
        if node.type == "unary_expression" and ctx.source.text(node).startswith("<-"):
            return None
        if node.type == "identifier" and node.parent.type != "selector_expression" or \
                node.type == "selector_expression" and node.parent.type != "selector_expression":
            root = node
            while root.type == "selector_expression":
                root = root.child_by_field_name("operand")
            if root.type != "identifier":
                return None
            decl = ctx.model.resolve(root).decl
            if decl is None or reassigned(ctx.model, decl):
                return None
            if node.type == "selector_expression" and re.search(
                    rb"\." + re.escape(node.child_by_field_name("field").text) + _FIELD_CHANGED, ctx.source.data):
                return None  # a field of that name assigned somewhere in the file
        stack.extend(node.children)
    return condition


def retested(ctx: FileContext, element: Node, guard: Node) -> bool:
    """`element` is the condition of another `if` that spells `guard` again."""
    parent = element.parent
    return element.id != guard.id and parent is not None and parent.type == "if_statement" \
        and parent.child_by_field_name("condition") == element and ctx.source.text(element) == ctx.source.text(guard)
