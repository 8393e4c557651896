"""What one package tells the module model: its functions, the calls between them, and the roots
its own code makes evident (handlers, main, init, CLI actions, `sync.Once`, tests).

Computed in the worker that lints the package, from the trees it has parsed anyway, and sent back as
plain lists (JSON in the cache), never trees. The parent joins every package's summary into the
module model (linter/lifetime.py). A call is recorded with what it names, resolved as far as one
package can without types:

- ``("L", name)``: a function, method (``T.M``) or literal (``F.func1``) of this package;
- ``("I", path, name)``: function `name` of the imported package `path`;
- ``("M", type, name)``: method `name` on a value of `type` (import-resolved text, ``*Server`` or
  ``example.com/app/store.DB``), from a receiver, parameter, declared or composite-literal local;
- ``("R", callee, name)``: method `name` on what the call `callee` (an ``L`` or ``I`` reference)
  returns, as in ``srv := server.New(cfg); srv.Start()``;
- ``("D", type, field, name)``: method `name` on field `field` of a value of `type`.

A call that names none of these is not recorded: a call that cannot be resolved stays unresolved,
and a bare method name is never matched across packages.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from tree_sitter import Node, QueryCursor

from .frameworks import is_handler
from .goroutines import CLI_PACKAGES
from .model import FileModel, Function
from .source import query

# Patterns the engine adds to its combined query (one walk of the tree serves rules and summary).
CALLS_PATTERN = "(call_expression) "
LOOPS_PATTERN = "(for_statement) "
KEYED_PATTERN = "(keyed_element) "
_SUMMARY_QUERY = f"{CALLS_PATTERN}@call {LOOPS_PATTERN}@loop {KEYED_PATTERN}@kv"

# Root lifetimes a function's own shape gives it (linter/lifetime.py orders them).
REQUEST = "per-request"
ONCE = "once"
TEST = "test"

_TESTING_TYPES = frozenset({"*testing.T", "*testing.B", "*testing.F", "*testing.M", "testing.TB"})
# Keys of a CLI framework's command literal whose function runs once, when the command runs.
_COMMAND_KEYS = frozenset({"Run", "RunE", "PreRun", "PreRunE", "PostRun", "PostRunE", "PersistentPreRun",
                           "PersistentPreRunE", "PersistentPostRun", "PersistentPostRunE", "Action", "Before", "After"})
_ONCE_WRAPPERS = frozenset({"sync.OnceFunc", "sync.OnceValue", "sync.OnceValues"})
_GRPC_REGISTER = re.compile(r"Register\w*Server")
_KONG_CMD = re.compile(r'\bcmd:""')
_BENCHMARK_N = re.compile(r"\b[A-Za-z_]\w*\.N\b")
_BUILD_IGNORE = re.compile(rb"^//go:build\s+ignore\s*$", re.M)


@dataclass
class PackageSummary:
    """One package (a directory and package name) as the module model sees it. Plain data."""

    directory: str  # posix, relative to the report root
    name: str  # the package clause
    # name -> [relpath, line, end_line, kind, receiver type, exported, root, root reason, forced]
    functions: dict[str, list] = field(default_factory=dict)
    # [caller, callee reference (list), relpath, line, in an unbounded loop (0/1)]
    calls: list[list] = field(default_factory=list)
    # function or method name -> declared first result type (for ("R", ...) references)
    results: dict[str, str] = field(default_factory=dict)
    # struct type -> {field: type}
    fields: dict[str, dict[str, str]] = field(default_factory=dict)
    # types handed to a gRPC `Register…Server`: their methods serve requests
    services: list[str] = field(default_factory=list)
    # types whose `Run` a kong CLI calls once (struct fields tagged `cmd:""`)
    commands: list[str] = field(default_factory=list)
    imports_testing: bool = False  # some non-test file imports "testing"

    def to_json(self) -> dict:
        return {"d": self.directory, "n": self.name, "f": self.functions, "c": self.calls, "r": self.results,
                "s": self.fields, "g": self.services, "k": self.commands, "t": self.imports_testing}

    @classmethod
    def from_json(cls, data: dict) -> "PackageSummary":
        return cls(data["d"], data["n"], data["f"], data["c"], data["r"], data["s"], data["g"], data["k"], data["t"])


class _FileSummariser:
    def __init__(self, model: FileModel, summary: PackageSummary, package_functions: set[str],
                 captures: dict[str, list[Node]] | None, modules: tuple[str, ...] = ()):
        self.modules = modules
        self.model = model
        self.source = model.source
        self.summary = summary
        self.package_functions = package_functions
        if captures is None:
            captures = QueryCursor(query(_SUMMARY_QUERY)).captures(self.source.root)
        self.calls = captures.get("call", [])
        self.loops = sorted(captures.get("loop", []), key=lambda n: n.start_byte)
        self.keyed = captures.get("kv", [])
        self.relpath = self.source.relpath
        self.test_file = self.relpath.endswith("_test.go")
        self._loop_starts = [loop.start_byte for loop in self.loops]
        self._unbounded: dict[int, bool] = {}

    def text(self, node: Node | None) -> str:
        return self.source.text(node) if node is not None else ""

    # ---- functions ---------------------------------------------------------------------------

    def functions(self) -> None:
        file_root = None
        if self.test_file:
            file_root = (TEST, "a _test.go file")
        elif self.model.imported("testing"):
            file_root = (TEST, 'a file that imports "testing"')
            self.summary.imports_testing = True
        elif _BUILD_IGNORE.search(self.source.data, 0, 4096):
            file_root = (TEST, "a //go:build ignore program")
        for fn in self.model.functions:
            root = file_root or self._root_of(fn)
            line = self.source.position(fn.node.start_byte)[0]
            end_line = self.source.position(max(fn.node.end_byte - 1, fn.node.start_byte))[0]
            base = fn.name.rsplit(".", 1)[-1]
            receiver = fn.name.split(".", 1)[0] if fn.kind == "method" else ""
            record = [self.relpath, line, end_line, fn.kind, receiver, base[:1].isupper() and fn.kind != "literal",
                      root[0] if root else None, root[1] if root else "", 0]
            self.summary.functions.setdefault(fn.name, record)
            if fn.kind != "literal" and fn.results:
                self.summary.results.setdefault(fn.name, fn.results[0].type)
            if fn.kind == "literal":
                self._literal_edge(fn)
            elif self._singleton(fn):
                record[6], record[7], record[8] = ONCE, "a nil-guarded singleton: its body runs once", 1

    def _root_of(self, fn: Function) -> tuple[str, str] | None:
        if fn.kind == "func" and fn.parent is None:
            if fn.name == "init":
                return ONCE, "init runs once per process"
            if fn.name == "main" and self.model.package == "main":
                return ONCE, "main of package main"
        types = [p.type for p in fn.params]
        if any(t in _TESTING_TYPES for t in types):
            return TEST, "takes a *testing.T/B or testing.TB"
        if is_handler(fn):
            return REQUEST, "a request handler (by its parameters)"
        return None

    def _singleton(self, fn: Function) -> bool:
        """`if v != nil { return … }` among the first statements, then `v = …`: the rest of the body
        (and what it starts) runs once per process however often the function is called."""
        body = fn.body
        if body is None:
            return False
        statements = [c for c in _statements(body) if c.type != "comment"][:4]
        for stmt in statements:
            if stmt.type != "if_statement" or stmt.child_by_field_name("alternative") is not None:
                continue
            cond = stmt.child_by_field_name("condition")
            if cond is None or cond.type != "binary_expression" or self.text(cond.child_by_field_name("operator")) != "!=":
                continue
            left, right = cond.child_by_field_name("left"), cond.child_by_field_name("right")
            if self.text(right) != "nil" or left is None or left.type != "identifier":
                continue
            consequence = stmt.child_by_field_name("consequence")
            if consequence is None or not any(c.type == "return_statement" for c in _statements(consequence)):
                continue
            if self.model.resolve(left).kind != "package":
                continue
            name = self.text(left)
            for assign in self.model.identifiers_named(name, body):
                parent = assign.parent
                if parent is not None and parent.type == "expression_list":
                    parent = parent.parent
                if parent is not None and parent.type == "assignment_statement" and \
                        parent.child_by_field_name("left").start_byte <= assign.start_byte < parent.child_by_field_name("left").end_byte:
                    return True
        return False

    def _literal_edge(self, fn: Function) -> None:
        """Where a literal is made decides how often it runs: an argument of `Once.Do` or
        `sync.OnceFunc` runs once, a command's `RunE:` once, anything else as often as the function
        that makes it (a literal stored and called later is approximated by its maker)."""
        record = self.summary.functions[fn.name]
        parent = fn.node.parent
        if parent is not None and parent.type == "argument_list":
            call = parent.parent
            callee = call.child_by_field_name("function") if call is not None else None
            qualified = self.model.qualified(callee) if callee is not None else None
            if qualified in _ONCE_WRAPPERS:
                record[6], record[7], record[8] = ONCE, f"the function of {qualified.rsplit('/', 1)[-1]} runs once", 1
                return
            if callee is not None and callee.type == "selector_expression" and self.text(callee.child_by_field_name("field")) == "Do":
                operand = callee.child_by_field_name("operand")
                if self._once_var(operand):
                    record[6], record[7], record[8] = ONCE, "sync.Once.Do on a package variable runs it once", 1
                    return
            if callee is not None and callee.type == "selector_expression" and \
                    self.text(callee.child_by_field_name("field")) == "Action" and self._cli_file():
                record[6], record[7] = ONCE, "a command-line action"
                return
        if parent is not None and parent.type == "literal_element":
            parent = parent.parent
        if parent is not None and parent.type == "keyed_element" and self._command_literal(parent):
            record[6], record[7] = ONCE, "a command-line command's function"
            return
        if fn.parent is None:
            return  # a package-level literal: its callers are unknown
        self._edge(fn.parent.name, ["L", fn.name], fn.node)

    def _once_var(self, operand: Node | None) -> bool:
        if operand is None or operand.type != "identifier":
            return False
        binding = self.model.resolve(operand)
        return binding.kind == "package"

    def _cli_file(self) -> bool:
        return any(self.model.imported(path) for path in CLI_PACKAGES)

    def _command_literal(self, keyed: Node) -> bool:
        key = keyed.named_children[0] if keyed.named_child_count else None
        if key is None or self.text(key).strip() not in _COMMAND_KEYS or not self._cli_file():
            return False
        node = keyed.parent
        while node is not None and node.type != "composite_literal":
            node = node.parent
        if node is None:
            return False
        qualified = self.model.qualified(node.child_by_field_name("type"))
        return qualified is not None and qualified.rsplit(".", 1)[0] in CLI_PACKAGES

    # ---- calls -------------------------------------------------------------------------------

    def _in_unbounded_loop(self, node: Node, caller: Function) -> bool:
        index = bisect.bisect_right(self._loop_starts, node.start_byte) - 1
        while index >= 0:
            loop = self.loops[index]
            index -= 1
            if loop.start_byte < caller.node.start_byte:
                break
            if loop.end_byte < node.end_byte:
                continue
            body = loop.child_by_field_name("body")
            if body is None or not (body.start_byte <= node.start_byte < body.end_byte):
                continue
            # The loop must belong to the caller, not to a literal between them.
            if self.model.enclosing_function(loop) is not caller:
                continue
            if self._unbounded_loop(loop):
                return True
        return False

    def _unbounded_loop(self, loop: Node) -> bool:
        """`for {}`, `for cond {}`, or a range over a channel: a loop that runs as long as its
        goroutine, so what it calls repeats without bound."""
        known = self._unbounded.get(loop.id)
        if known is not None:
            return known
        result = True
        for child in loop.named_children:
            if child.type == "for_clause":
                condition = child.child_by_field_name("condition")
                # `for i := 0; i < b.N; i++`: a benchmark runs its loop as often as it takes.
                result = condition is None or _BENCHMARK_N.search(self.text(condition)) is not None
            elif child.type == "range_clause":
                result = self._channel(child.child_by_field_name("right"))
        self._unbounded[loop.id] = result
        return result

    def _channel(self, expr: Node | None) -> bool:
        if expr is None:
            return False
        if expr.type == "selector_expression":
            return self.text(expr.child_by_field_name("field")) == "C"
        if expr.type == "identifier":
            binding = self.model.resolve(expr)
            decl = binding.decl
            if binding.kind == "param":
                fn = binding.function
                for p in fn.params if fn else ():
                    if p.node is not None and p.node.start_byte == decl.start_byte:
                        return p.type.startswith(("chan", "<-chan"))
            if decl is not None and binding.kind in ("local", "package"):
                init = _initialiser(decl)
                if init is not None and init.type == "call_expression" and self.text(init.child_by_field_name("function")) == "make":
                    args = init.child_by_field_name("arguments")
                    return bool(args and args.named_child_count and args.named_children[0].type == "channel_type")
        return False

    def _edge(self, caller: str, callee: list, node: Node, in_loop: bool | None = None) -> None:
        if in_loop is None:
            function = self.model.enclosing_function(node)
            in_loop = function is not None and self._in_unbounded_loop(node, function)
        line = self.source.position(node.start_byte)[0]
        self.summary.calls.append([caller, callee, self.relpath, line, 1 if in_loop else 0])

    def calls_and_references(self) -> None:
        for call in self.calls:
            function = self.model.enclosing_function(call)
            if function is None:
                continue
            callee = call.child_by_field_name("function")
            if callee is None:
                continue
            ref = self._reference(callee, function, called=True)
            if ref is not None:
                self._edge(function.name, ref, call, self._in_unbounded_loop(call, function))
            args = call.child_by_field_name("arguments")
            if args is not None:
                self._registration(call, callee, args, function)
                for arg in args.named_children:
                    if arg.type in ("identifier", "selector_expression"):
                        ref = self._reference(arg, function, called=False)
                        if ref is not None:
                            self._edge(function.name, ref, arg, self._in_unbounded_loop(call, function))
        for keyed in self.keyed:
            value = keyed.named_children[-1] if keyed.named_child_count >= 2 else None
            if value is not None and value.type == "literal_element" and value.named_child_count:
                value = value.named_children[0]
            if value is None or value.type not in ("identifier", "selector_expression"):
                continue
            function = self.model.enclosing_function(keyed)
            if self._command_literal(keyed):
                ref = self._reference(value, function, called=False) if function is not None else \
                    (["L", self.text(value)] if value.type == "identifier" and self.text(value) in self.package_functions else None)
                if ref is not None:
                    self.summary.calls.append(["<cli>", ref, self.relpath, self.source.position(value.start_byte)[0], 0])
                continue
            if function is None:
                continue
            ref = self._reference(value, function, called=False)
            if ref is not None:
                self._edge(function.name, ref, value)

    def _registration(self, call: Node, callee: Node, args: Node, function: Function) -> None:
        if callee.type != "selector_expression":
            return
        name = self.text(callee.child_by_field_name("field"))
        if _GRPC_REGISTER.fullmatch(name) and args.named_child_count >= 2:
            type_text = self._value_type(args.named_children[1], function)
            if type_text:
                self.summary.services.append(type_text)
        elif name == "Action" and self._cli_file() and args.named_child_count == 1:
            ref = self._reference(args.named_children[0], function, called=False)
            if ref is not None:
                self.summary.calls.append(["<cli>", ref, self.relpath, self.source.position(call.start_byte)[0], 0])

    def _reference(self, node: Node, function: Function, called: bool) -> list | None:
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            return self._reference(node.named_children[0], function, called)
        if node.type in ("index_expression", "generic_type") and node.named_child_count:
            node = node.named_children[0]  # F[T](x)
        if node.type == "identifier":
            name = self.text(node)
            if name in self.package_functions:
                binding = self.model.resolve(node)
                if binding.kind == "package":
                    return ["L", name]
                return None
            if called:
                return self._local_function_value(node, function)
            return None
        if node.type != "selector_expression":
            return None
        operand = node.child_by_field_name("operand")
        name = self.text(node.child_by_field_name("field"))
        if operand is None or not name:
            return None
        if operand.type == "identifier":
            local = self.text(operand)
            path = self.model.imports.get(local)
            if path is not None:
                if not self._in_module(path):
                    return None
                qualified = self.model.qualified(node)
                return ["I", path, name] if qualified is not None else None
        type_text = self._value_type(operand, function)
        if type_text:
            return ["M", type_text, name]
        if operand.type == "call_expression":  # `Store().Add(x)`: a method on what a call returns
            inner = self._reference(operand.child_by_field_name("function"), function, called=True)
            return ["R", inner, name] if inner is not None and inner[0] in ("L", "I") else None
        if operand.type == "index_expression":  # `counters["api"].Inc()`: an element of a map or slice
            base = operand.child_by_field_name("operand")
            element = _element_type(self._value_type(base, function)) if base is not None else ""
            return ["M", element, name] if element else None
        if operand.type == "identifier":
            init = self._local_initialiser(operand)
            if init is not None and init.type == "call_expression":
                inner = self._reference(init.child_by_field_name("function"), function, called=True)
                if inner is not None and inner[0] in ("L", "I"):
                    return ["R", inner, name]
        elif operand.type == "selector_expression":
            base = operand.child_by_field_name("operand")
            base_type = self._value_type(base, function) if base is not None else ""
            if base_type:
                return ["D", base_type, self.text(operand.child_by_field_name("field")), name]
        return None

    def _in_module(self, path: str) -> bool:
        """Calls into the standard library and dependencies are never edges: not recorded."""
        if not self.modules:
            return True
        return any(path == m or path.startswith(m + "/") for m in self.modules)

    def _local_function_value(self, ident: Node, function: Function) -> list | None:
        """`serve := srv.Serve; serve()`: a local assigned once from a function or method value."""
        init = self._local_initialiser(ident)
        if init is not None and init.type in ("selector_expression", "identifier"):
            return self._reference(init, function, called=False)
        return None

    def _local_initialiser(self, ident: Node) -> Node | None:
        """What a local or package variable was initialised with (`v := New()`, `var v = New()`)."""
        binding = self.model.resolve(ident)
        if binding.kind not in ("local", "package") or binding.decl is None:
            return None
        return _initialiser(binding.decl)

    def _value_type(self, expr: Node | None, function: Function) -> str:
        """The declared type of a value, where the function says it: receiver, parameter, a local
        declared with a type or made by a composite literal, `&T{}`, `new(T)`."""
        if expr is None:
            return ""
        if expr.type == "unary_expression" and expr.named_child_count == 1:
            return self._value_type(expr.named_children[0], function)
        if expr.type == "parenthesized_expression" and expr.named_child_count == 1:
            return self._value_type(expr.named_children[0], function)
        if expr.type == "composite_literal":
            return self.model.type_text(expr.child_by_field_name("type"))
        if expr.type != "identifier":
            return ""
        name = self.text(expr)
        fn = function
        while fn is not None:
            if fn.receiver is not None and fn.receiver.name == name:
                binding = self.model.resolve(expr)
                return fn.receiver.type if binding.kind == "receiver" else ""
            fn = fn.parent
        binding = self.model.resolve(expr)
        if binding.kind == "param" and binding.function is not None:
            for p in binding.function.params:
                if p.node is not None and binding.decl is not None and p.node.start_byte == binding.decl.start_byte:
                    return p.type
        if binding.kind in ("local", "package") and binding.decl is not None:
            spec = binding.decl.parent
            if spec is not None and spec.type == "var_spec":
                type_node = spec.child_by_field_name("type")
                if type_node is not None:
                    return self.model.type_text(type_node)
            init = _initialiser(binding.decl)
            if init is not None and init.type in ("composite_literal", "unary_expression"):
                inner = init.named_children[0] if init.type == "unary_expression" and init.named_child_count else init
                if inner.type == "composite_literal":
                    return self.model.type_text(inner.child_by_field_name("type"))
            if init is not None and init.type == "call_expression" and self.text(init.child_by_field_name("function")) == "new":
                args = init.child_by_field_name("arguments")
                if args is not None and args.named_child_count == 1:
                    return self.model.type_text(args.named_children[0])
        return ""

    def types(self) -> None:
        """Struct field types (for `s.field.M()`) and kong command types (`cmd:""` fields)."""
        for decl in self.source.declarations:
            if decl.type != "type_declaration":
                continue
            for spec in decl.named_children:
                if spec.type != "type_spec":
                    continue
                name = self.text(spec.child_by_field_name("name"))
                struct = spec.child_by_field_name("type")
                if struct is None or struct.type != "struct_type":
                    continue
                fields: dict[str, str] = {}
                for member in struct.named_children:
                    if member.type != "field_declaration_list":
                        continue
                    for decl_node in member.named_children:
                        if decl_node.type != "field_declaration":
                            continue
                        type_text = self.model.type_text(decl_node.child_by_field_name("type"))
                        names = decl_node.children_by_field_name("name")
                        for field_name in names:
                            fields[self.text(field_name)] = type_text
                        tag = decl_node.child_by_field_name("tag")
                        if tag is not None and _KONG_CMD.search(self.text(tag)):
                            self.summary.commands.append(type_text.lstrip("*"))
                if fields:
                    self.summary.fields.setdefault(name, fields)


def _element_type(type_text: str) -> str:
    """`V` of `map[K]V` or `[]V`, as type_text writes them (no spaces)."""
    if type_text.startswith("[]"):
        return type_text[2:]
    if type_text.startswith("map["):
        depth = 0
        for index, char in enumerate(type_text[3:], 3):
            depth += char == "["
            depth -= char == "]"
            if depth == 0:
                return type_text[index + 1:]
    return ""


def _statements(block: Node) -> list[Node]:
    """A block's statements (tree-sitter-go wraps them in a statement_list)."""
    children = block.named_children
    if len(children) == 1 and children[0].type == "statement_list":
        return children[0].named_children
    return children


def _initialiser(decl: Node) -> Node | None:
    """The expression a declared identifier is initialised with (`x := e`, `var x = e`), when
    the declaration pairs names and values one to one."""
    parent = decl.parent
    if parent is not None and parent.type == "expression_list":
        names = parent
        holder = parent.parent
    else:
        names = None
        holder = parent
    if holder is None:
        return None
    if holder.type == "short_var_declaration":
        left, right = holder.child_by_field_name("left"), holder.child_by_field_name("right")
    elif holder.type == "var_spec":
        left, right = None, holder.child_by_field_name("value")
    else:
        return None
    values = right.named_children if right is not None and right.type == "expression_list" else ([right] if right is not None else [])
    if holder.type == "var_spec":
        idents = holder.children_by_field_name("name")
    else:
        idents = names.named_children if names is not None else ([left] if left is not None else [])
    if len(idents) != len(values):
        return None
    for ident, value in zip(idents, values):
        if ident.start_byte == decl.start_byte:
            return value
    return None


def summarise_package(directory: str, name: str, models: list[tuple[FileModel, dict[str, list[Node]] | None]],
                      modules: tuple[str, ...] = ()) -> PackageSummary:
    """The summary of one package from its files' models (and the summary captures the engine's
    combined query already found, where it ran). `modules`: the module paths of the run; calls
    into other import paths are left out (none, when empty: every import call is kept)."""
    summary = PackageSummary(directory, name)
    package_functions: set[str] = set()
    for model, _ in models:
        for decl in model.source.declarations:
            if decl.type == "function_declaration":
                node = decl.child_by_field_name("name")
                if node is not None:
                    package_functions.add(model.source.text(node))
    for model, captures in models:
        summariser = _FileSummariser(model, summary, package_functions, captures, modules)
        summariser.functions()
        summariser.types()
        summariser.calls_and_references()
    return summary


def in_unbounded_loop(model: FileModel, node: Node) -> bool:
    """`node` sits, within its own function, in a loop that runs as long as its goroutine: what
    it leaks per iteration leaks without bound even in code that runs once per process. For a
    finding's `repeats`; walks parents, so ask it only about findings."""
    function = model.enclosing_function(node)
    if function is None:
        return False
    summariser = _FileSummariser.__new__(_FileSummariser)
    summariser.model, summariser.source, summariser._unbounded = model, model.source, {}
    current = node.parent
    while current is not None and current.start_byte >= function.node.start_byte and current.id != function.node.id:
        if current.type in ("func_literal",):
            return False
        if current.type == "for_statement" and summariser._unbounded_loop(current):
            return True
        current = current.parent
    return False
