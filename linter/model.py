"""Facts about one Go file that many rules need, computed lazily and once.

The model answers questions by looking *locally* (walking up from a node, reading a declaration)
rather than by walking the whole tree: rules find their candidates with tree-sitter queries and ask
the model only about those. The one whole-file pass it makes, the identifier index behind
`references`, is a tree-sitter query run in C, and only when a rule asks.
"""

from __future__ import annotations

import bisect
import re
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from collections.abc import Mapping
from typing import TYPE_CHECKING, Iterable, Iterator

from tree_sitter import Node

from .patterns import LazyPattern
from .source import SourceFile, cached_property, name_hits, query_captures

if TYPE_CHECKING:
    from .cfg import CFG

FUNCTION_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})

BUILTINS = frozenset(
    "append cap clear close complex copy delete imag len make max min new panic print println real "
    "recover bool byte comparable complex64 complex128 error float32 float64 int int8 int16 int32 int64 "
    "rune string uint uint8 uint16 uint32 uint64 uintptr any true false iota nil".split()
)

FUNCTIONS_PATTERN = "[(function_declaration) (method_declaration) (func_literal)]"
_FUNCTIONS_QUERY = FUNCTIONS_PATTERN + " @f"
GO_STATEMENTS_PATTERN = "(go_statement)"
_GO_STATEMENTS_QUERY = GO_STATEMENTS_PATTERN + " @go"
# Values whose type is known without type checking: package variables of the standard library,
# and constructors (by qualified callee).
_KNOWN_VARIABLES = {"net/http.DefaultClient": "*net/http.Client"}
_KNOWN_CONSTRUCTORS = {"time.NewTicker": "*time.Ticker", "time.NewTimer": "*time.Timer"}
_IDENT_START = LazyPattern(r"[A-Za-z_][A-Za-z0-9_]*")
_VERSION_ELEMENT = LazyPattern(r"v[0-9]+")
_SPACES = LazyPattern(r"\s+")
# `chan Job`: the one space type_text keeps, so that a channel of `Job` does not read as a type or
# an import path that begins with "chan" (`channelHub`, `channel_service/kafka.Consumer`)
_CHAN_SPACE = LazyPattern(r"(?<![\w.])chan\s+(?=[\w])")
_TYPE_ARGUMENTS = LazyPattern(r"\[.*$")


# A name something is selected from (`local.New`, `*local.Provider`): _declared_package_name.
_SELECTED_NAME = LazyPattern(rb"(?<![\w.])([A-Za-z_]\w*)\.[A-Za-z_]")


@lru_cache(maxsize=8192)  # a few hundred import paths, asked for in every file that imports them
def assumed_package_name(import_path: str) -> str:
    """The name a package is used by when imported without an alias.

    The convention goimports relies on: the last path element, skipping a major-version element
    (`.../chi/v5` -> chi), dropping a gopkg.in `.vN` suffix, a `go-` prefix and a `-go` suffix
    (`go-redis` -> redis), and cutting at the first character an identifier cannot hold.
    """
    elements = import_path.split("/")
    name = elements[-1]
    if _VERSION_ELEMENT.fullmatch(name) and len(elements) > 1:
        name = elements[-2]
    if import_path.startswith("gopkg.in/"):
        name = re.sub(r"\.v[0-9]+(-unstable)?$", "", name)
    if name.startswith("go-"):
        name = name[3:]
    if name.endswith("-go"):
        name = name[:-3]
    match = _IDENT_START.match(name)
    return match.group(0) if match else name


def import_names(specs: Iterable[tuple[str | None, str]]) -> dict[str, str]:
    """Local name -> import path of a file's imports, from (alias or None, path) pairs; `_` and `.`
    left out. Go rejects two imports of one name in a file, so where a name is spelt (an alias, or a
    last element that is the name itself) and another import's name is only assumed from a trimmed
    element (`github.com/…/go-http-server` beside `net/http`), the spelt one has it."""
    found: dict[str, str] = {}
    assumed: dict[str, str] = {}
    for alias, path in specs:
        name = alias if alias is not None else assumed_package_name(path)
        if name in ("_", "."):
            continue
        elements = path.split("/")
        if alias is not None or name == elements[-1] or (
                len(elements) > 1 and _VERSION_ELEMENT.fullmatch(elements[-1]) is not None and name == elements[-2]):
            found[name] = path
        else:
            assumed.setdefault(name, path)
    for name, path in assumed.items():
        found.setdefault(name, path)
    return found


@dataclass
class Param:
    name: str  # "" for an unnamed parameter
    type: str  # import-resolved type text: "*net/http.Request"
    node: Node | None  # the name's identifier node, None when unnamed
    type_node: Node | None = None


@dataclass
class Function:
    node: Node
    name: str
    kind: str  # "func", "method", "literal"
    receiver: Param | None
    body: Node | None
    parent: "Function | None" = None
    _cfg: "CFG | None" = field(default=None, repr=False)
    # Params and results are read on first use: most functions of a file are only ever named (in a
    # finding's context), and resolving every parameter type of every function cost 3% of a lint.
    # A weak reference: a strong one would make a cycle, and the file's tree would live until the
    # cyclic garbage collector ran instead of going when its package is done.
    _model: "weakref.ReferenceType[FileModel] | None" = field(default=None, repr=False, compare=False)
    _params: list[Param] | None = field(default=None, repr=False, compare=False)
    _results: list[Param] | None = field(default=None, repr=False, compare=False)

    @property
    def shown(self) -> str:
        """The name as messages show it (display_name): `glob.func1` for a package-level literal."""
        return display_name(self.name)

    @property
    def params(self) -> list[Param]:
        if self._params is None:
            self._params = self._model()._params(self.node.child_by_field_name("parameters"))
        return self._params

    @property
    def results(self) -> list[Param]:
        if self._results is None:
            self._results = self._model()._results(self.node)
        return self._results

    @property
    def cfg(self) -> "CFG":
        """The function's control-flow graph, built on first use (see FileModel.cfg)."""
        return self._model().cfg(self)

    @property
    def start_byte(self) -> int:
        return self.node.start_byte

    def contains(self, node: Node) -> bool:
        return self.node.start_byte <= node.start_byte and node.end_byte <= self.node.end_byte


@dataclass
class PackageVar:
    name: str
    node: Node  # the identifier in the var_spec
    spec: Node  # the var_spec
    type: str  # import-resolved declared type, or "" when inferred from the value
    kind: str  # "map", "slice", "chan", "sync.Map", "other"
    value: Node | None  # the initialiser expression for this name, if any
    relpath: str = ""


@dataclass(frozen=True)
class Binding:
    kind: str  # local, param, receiver, result, package, import, builtin, unresolved
    name: str
    decl: Node | None  # the declaring identifier
    function: Function | None  # the declaring function; None at package level


class FileModel:
    def __init__(self, source: SourceFile, package_scope: Mapping[str, tuple[str, Node]] | None = None):
        self.source = source
        # Top-level names of every file of the package (name -> (relpath, identifier node)), so that
        # a name declared in a sibling file resolves to "package", not "unresolved".
        self._package_scope = package_scope
        # Function nodes found by the engine's combined query, which walks the tree anyway: a walk
        # of its own would cost a third of a parse.
        self.function_nodes: list[Node] | None = None
        # Set by the engine from its one combined query, so goroutine rules need no pass of their own.
        self.go_statement_nodes: list[Node] | None = None
        self._bindings: dict[int, Binding] = {}  # identifier id -> what resolve() found
        self._unshadowed: dict[str, bool] = {}  # import name -> no declaration can shadow it
        # Facts that shared analyses work out once for every rule that asks (channels.local_channel):
        # (analysis name, node id) -> result.
        self.facts: dict[tuple[str, int], object] = {}
        # statement_list id -> name -> [(statement start, statement end, declaring identifier)]
        self._block_declarations: dict[int, dict[str, list[tuple[int, int, Node]]]] = {}

    # ---- package clause and imports -------------------------------------------------------------

    @cached_property
    def package(self) -> str:
        if not self.source.parsed and self.source.head is not None:
            return self.source.head[1]  # no need to parse a context-only file for its name
        for child in self.source.declarations:
            if child.type == "package_clause":
                for sub in child.named_children:
                    return self.source.text(sub)
        return ""

    @cached_property
    def _import_specs(self) -> list[tuple[str, str, Node]]:
        specs: list[tuple[str, str, Node]] = []
        for decl in self.source.declarations:
            if decl.type != "import_declaration":
                continue
            stack = list(decl.named_children)
            while stack:
                node = stack.pop(0)
                if node.type == "import_spec_list":
                    stack[:0] = list(node.named_children)
                    continue
                if node.type != "import_spec":
                    continue
                path_node = node.child_by_field_name("path")
                if path_node is None:
                    continue
                path = self.source.text(path_node).strip('"`')
                name_node = node.child_by_field_name("name")
                name = self.source.text(name_node) if name_node is not None else assumed_package_name(path)
                specs.append((name, path, node))
        return specs

    @cached_property
    def imports(self) -> dict[str, str]:
        """Local name -> import path, for imports usable by name (not `_`, not `.`). An import
        without a name whose last path element no identifier can spell (`…/desktop-common`,
        `…/rate-limiter`) is used by the name its package declares, which the file does not
        show: the element's last part (`common`) and its parts run together (`ratelimiter`) are
        taken too, when the file selects from that name and nothing else claims it. Of two imports
        of one name, the one that spells it has it (import_names)."""
        found = import_names((name if node.child_by_field_name("name") is not None else None, path)
                             for name, path, node in self._import_specs)
        data = self.source.data
        for name, path, node in self._import_specs:
            if node.child_by_field_name("name") is not None:
                continue
            element = path.rsplit("/", 1)[-1]
            if _IDENT_START.fullmatch(element) or _VERSION_ELEMENT.fullmatch(element):
                continue
            parts = [p for p in re.split(r"[^A-Za-z0-9_]+", element) if p]
            for guess in {parts[-1], "".join(parts)} if parts else ():
                if guess not in found and _IDENT_START.fullmatch(guess) and \
                        re.search(rb"(?<![\w.])" + guess.encode() + rb"\.[A-Za-z_]", data):
                    found[guess] = path
        self._declared_package_name(found)
        return found

    def _declared_package_name(self, found: dict[str, str]) -> None:
        """An import without a name whose package declares a name other than its path's last
        element (`…/auth/impl` holding `package local`): the file never selects from the assumed
        name, yet a file that builds uses every import. Where exactly one such import is unused and
        exactly one name the file selects from (`local.NewProvider(…)`, `*local.Provider`) is
        declared nowhere (no import, no declaration of the file or its package, no builtin), that
        name is the import's. Not the standard library's: its packages are named as their paths end,
        so an unused one there says the file does not build, not that a name differs."""
        data = self.source.data
        unused = [path for name, path, node in self._import_specs
                  if node.child_by_field_name("name") is None and found.get(name) == path
                  and "." in path.split("/", 1)[0] and (name + ".").encode() not in data]
        if len(unused) != 1:
            return
        root = self.source.root
        candidates: set[str] = set()
        seen: set[bytes] = set()
        for match in _SELECTED_NAME.finditer(data):
            name = match.group(1)
            if name in seen:
                continue
            node = root.named_descendant_for_byte_range(match.start(1), match.end(1))
            if node is None:
                continue
            text = name.decode()
            if node.type == "package_identifier":
                seen.add(name)
                if text not in found:
                    candidates.add(text)
            elif node.type == "identifier" and node.parent is not None and node.parent.type == "selector_expression" \
                    and node.parent.child_by_field_name("operand") == node:
                seen.add(name)
                if text not in found and self._scoped(node) is None and text not in BUILTINS \
                        and (self._package_scope is None or text not in self._package_scope):
                    candidates.add(text)
            if len(candidates) > 1:
                return
        if len(candidates) == 1:
            found[candidates.pop()] = unused[0]

    @cached_property
    def imported_paths(self) -> frozenset[str]:
        return frozenset(path for _, path, _ in self._import_specs)

    def imported(self, path: str) -> bool:
        return path in self.imported_paths

    def local_names(self, path: str) -> set[str]:
        return {name for name, p in self.imports.items() if p == path}

    def import_spec(self, path: str) -> Node | None:
        for _, p, node in self._import_specs:
            if p == path:
                return node
        return None

    # ---- names through imports ------------------------------------------------------------------

    def qualified(self, node: Node | None) -> str | None:
        """Import-resolved name of `pkg.Name` (selector, qualified type, or a call of one).

        Returns None when the operand is not an import, or an import name shadowed by a local.
        """
        if node is None:
            return None
        if node.type == "call_expression":
            node = node.child_by_field_name("function")
            if node is None:
                return None
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            return self.qualified(node.named_children[0])
        if node.type == "selector_expression":
            operand = node.child_by_field_name("operand")
            name = node.child_by_field_name("field")
        elif node.type == "qualified_type":
            operand = node.child_by_field_name("package")
            name = node.child_by_field_name("name")
        else:
            return None
        if operand is None or name is None or operand.type not in ("identifier", "package_identifier"):
            return None
        local_name = self.source.text(operand)
        path = self.imports.get(local_name)
        if path is None:
            return None
        if operand.type == "identifier" and not self._never_shadowed(local_name) and self.resolve(operand).kind != "import":
            return None
        return f"{path}.{self.source.text(name)}"

    def _never_shadowed(self, import_name: str) -> bool:
        """Every mention of the import's name after the imports is `name.` something: nothing in
        the file declares a variable, parameter, function or type of that name, so no scope walk
        is needed to know `name.X` means the package. A mention followed by anything else (a
        declaration, or just a comment) leaves the answer to resolve()."""
        known = self._unshadowed.get(import_name)
        if known is None:
            known = self._unshadowed[import_name] = self._only_selected(import_name)
        return known

    def _only_selected(self, name: str) -> bool:
        data = self.source.data
        key = name.encode("utf-8", "surrogateescape")
        after_imports = max((node.end_byte for _, _, node in self._import_specs), default=0)
        for at in name_hits(data, key, after_imports):
            if at > 0 and data[at - 1] == 0x2E:
                continue  # `x.name`: a field or method, not a declaration
            after = at + len(key)
            while after < len(data) and data[after] in b" \t\r\n":
                after += 1
            if after >= len(data) or data[after] != 0x2E:  # not followed by "."
                return False
        return True

    def type_text(self, type_node: Node | None) -> str:
        """A type's text with every `pkg.T` replaced by `import/path.T` and spaces removed."""
        if type_node is None:
            return ""
        data = self.source.data
        if data.find(b".", type_node.start_byte, type_node.end_byte) == -1:
            # No `pkg.T` in it (most types): its text is the answer, without a walk of its nodes.
            return _squeeze(data[type_node.start_byte : type_node.end_byte].decode("utf-8", "replace"))
        pieces: list[str] = []
        pos = type_node.start_byte
        stack = [type_node]
        qualified: list[Node] = []
        while stack:
            node = stack.pop()
            if node.type == "qualified_type":
                qualified.append(node)
                continue
            stack.extend(node.named_children)
        for node in sorted(qualified, key=lambda n: n.start_byte):
            pieces.append(data[pos : node.start_byte].decode("utf-8", "replace"))
            pieces.append(self.qualified(node) or self.source.text(node))
            pos = node.end_byte
        pieces.append(data[pos : type_node.end_byte].decode("utf-8", "replace"))
        return _squeeze("".join(pieces))

    # ---- functions ------------------------------------------------------------------------------

    @cached_property
    def go_statements(self) -> list[Node]:
        """Every `go` statement of the file, in source order."""
        nodes = self.go_statement_nodes
        if nodes is None:
            nodes = query_captures(_GO_STATEMENTS_QUERY, self.source.root).get("go", [])
        return sorted(nodes, key=lambda n: n.start_byte)

    @cached_property
    def functions(self) -> list[Function]:
        nodes = self.function_nodes
        if nodes is None:
            nodes = query_captures(_FUNCTIONS_QUERY, self.source.root).get("f", [])
        else:
            nodes = list(nodes)
        nodes.sort(key=lambda n: n.start_byte)
        functions: list[Function] = []
        open_functions: list[Function] = []  # the chain of functions enclosing the current one
        literal_counts: dict[int, int] = {}
        for node in nodes:
            while open_functions and not open_functions[-1].contains(node):
                open_functions.pop()
            parent = open_functions[-1] if open_functions else None
            fn = self._make_function(node, parent, literal_counts)
            functions.append(fn)
            open_functions.append(fn)
        return functions

    @cached_property
    def _function_by_id(self) -> dict[int, Function]:
        return {fn.node.id: fn for fn in self.functions}

    def function_of(self, node: Node) -> Function | None:
        """The Function record of a function_declaration/method_declaration/func_literal node."""
        return self._function_by_id.get(node.id)

    @cached_property
    def _function_starts(self) -> list[int]:
        return [fn.node.start_byte for fn in self.functions]

    def enclosing_function(self, node: Node) -> Function | None:
        """The innermost function around `node` (not `node` itself), found by byte ranges.

        Functions nest and never overlap, so the last one starting at or before `node`, or one of
        its parents, is the answer. Walking `node.parent` instead costs the depth of the tree per
        step (tree-sitter keeps no parent pointers), and rules ask this for every candidate.
        """
        start, end = node.start_byte, node.end_byte
        index = bisect.bisect_right(self._function_starts, start) - 1
        fn = self.functions[index] if index >= 0 else None
        while fn is not None:
            fn_start, fn_end = fn.node.start_byte, fn.node.end_byte
            # The same range is the function itself or an ancestor spanning just it
            # (an expression_list holding one func_literal): either way, look further out.
            if fn_start <= start and end <= fn_end and (fn_start, fn_end) != (start, end):
                return fn
            fn = fn.parent
        return None

    def _make_function(self, node: Node, parent: Function | None, literal_counts: dict[int, int]) -> Function:
        text = self.source.text
        receiver = None
        if node.type == "func_literal":
            key = parent.node.id if parent else -1
            literal_counts[key] = literal_counts.get(key, 0) + 1
            # A package-level literal is named for its file too: Go numbers them across the
            # package, a file's model cannot, and two files' `glob.func1` must not be one function
            # to the module model. Findings show the name without the file (display_name).
            outer = parent.name if parent else f"glob@{self.source.relpath.rsplit('/', 1)[-1]}"
            name = f"{outer}.func{literal_counts[key]}"
            kind = "literal"
        else:
            name_node = node.child_by_field_name("name")
            name = text(name_node) if name_node is not None else "?"
            kind = "func"
            if node.type == "method_declaration":
                kind = "method"
                receivers = self._params(node.child_by_field_name("receiver"))
                receiver = receivers[0] if receivers else None
                if receiver is not None:
                    base = _TYPE_ARGUMENTS.sub("", receiver.type.lstrip("*"))
                    name = f"{base}.{name}"
        return Function(
            node=node,
            name=name,
            kind=kind,
            receiver=receiver,
            body=node.child_by_field_name("body"),
            parent=parent,
            _model=weakref.ref(self),
        )

    def _results(self, node: Node) -> list[Param]:
        result_node = node.child_by_field_name("result")
        if result_node is not None and result_node.type == "parameter_list":
            return self._params(result_node)
        if result_node is not None:
            return [Param("", self.type_text(result_node), None, result_node)]
        return []

    def _params(self, plist: Node | None) -> list[Param]:
        params: list[Param] = []
        if plist is None:
            return params
        for decl in plist.named_children:
            if decl.type not in ("parameter_declaration", "variadic_parameter_declaration"):
                continue
            type_node = decl.child_by_field_name("type")
            type_text = self.type_text(type_node)
            if decl.type == "variadic_parameter_declaration":
                type_text = "..." + type_text
            names = [c for c in decl.children_by_field_name("name")]
            if not names:
                params.append(Param("", type_text, None, type_node))
            for name in names:
                params.append(Param(self.source.text(name), type_text, name, type_node))
        return params

    def cfg(self, function: Function) -> "CFG":
        """The control-flow graph of a function, built on first use."""
        if function._cfg is None:
            from .cfg import build_cfg

            function._cfg = build_cfg(function.node, self)
        return function._cfg

    # ---- declared types -------------------------------------------------------------------------

    def declared_type(self, binding: Binding) -> str | None:
        """The import-resolved type of a variable, as its declaration says it: a parameter's,
        receiver's or named result's type, `var x T`, or the type its initialiser makes plain
        (`x := &T{…}` is `*T`, `var c = http.DefaultClient` is `*net/http.Client`). None when only
        type checking could tell (`x := f()`), and for package variables of other files. The one
        answer to "what type is this binding declared with"; rules ask here."""
        decl = binding.decl
        if decl is None:
            return None
        function = binding.function
        if binding.kind in ("param", "receiver", "result") and function is not None:
            params = [*function.params, *function.results, *([function.receiver] if function.receiver else [])]
            for param in params:
                if param.node is not None and param.node.start_byte == decl.start_byte:
                    return param.type
            return None
        if binding.kind == "package":
            var = self.package_vars.get(binding.name)
            if var is None or var.node.id != decl.id:
                return None  # declared in another file of the package, or not a variable
            return var.type or self.value_type(var.value)
        if binding.kind != "local":
            return None
        spec = decl.parent
        if spec is not None and spec.type == "var_spec":
            type_node = spec.child_by_field_name("type")
            if type_node is not None:
                return self.type_text(type_node)
        return self.value_type(single_initialiser(decl))

    def value_type(self, value: Node | None) -> str | None:
        """The type an initialiser makes plain without type checking: a composite literal's (`T{…}`,
        `&T{…}`), or a few well-known values (`http.DefaultClient`, `time.NewTicker(d)`)."""
        if value is None:
            return None
        prefix = ""
        if value.type == "unary_expression" and value.named_child_count == 1 and self.source.text(value).startswith("&"):
            prefix, value = "*", value.named_children[0]
        if value.type == "composite_literal":
            return prefix + self.type_text(value.child_by_field_name("type"))
        if prefix or value.type not in ("call_expression", "selector_expression"):
            return None
        known = _KNOWN_CONSTRUCTORS if value.type == "call_expression" else _KNOWN_VARIABLES
        return known.get(self.qualified(value) or "")

    # ---- package-level declarations -------------------------------------------------------------

    @cached_property
    def package_vars(self) -> dict[str, PackageVar]:
        result: dict[str, PackageVar] = {}
        for decl in self.source.declarations:
            if decl.type != "var_declaration":
                continue
            for spec in _specs(decl, "var_spec"):
                type_node = spec.child_by_field_name("type")
                type_text = self.type_text(type_node)
                value_list = spec.child_by_field_name("value")
                values = value_list.named_children if value_list is not None else []
                names = spec.children_by_field_name("name")
                for index, name_node in enumerate(names):
                    value = values[index] if len(values) == len(names) else None
                    name = self.source.text(name_node)
                    result[name] = PackageVar(
                        name=name,
                        node=name_node,
                        spec=spec,
                        type=type_text,
                        kind=self._collection_kind(type_text, value),
                        value=value,
                        relpath=self.source.relpath,
                    )
        return result

    def _collection_kind(self, type_text: str, value: Node | None) -> str:
        if not type_text and value is not None:
            if value.type == "composite_literal":
                type_text = self.type_text(value.child_by_field_name("type"))
            elif value.type == "call_expression":
                function = value.child_by_field_name("function")
                args = value.child_by_field_name("arguments")
                if function is not None and self.source.text(function) == "make" and args is not None and args.named_children:
                    type_text = self.type_text(args.named_children[0])
            elif value.type == "unary_expression" and value.named_child_count == 1:
                return self._collection_kind("", value.named_children[0])
        return collection_kind(type_text)

    @cached_property
    def top_level_names(self) -> dict[str, Node]:
        """Names this file declares at package level (vars, consts, types, funcs; not methods)."""
        names: dict[str, Node] = {}
        for decl in self.source.declarations:
            if decl.type == "function_declaration":
                name = decl.child_by_field_name("name")
                if name is not None:
                    names.setdefault(self.source.text(name), name)
            elif decl.type in ("var_declaration", "const_declaration", "type_declaration"):
                spec_type = {"var_declaration": "var_spec", "const_declaration": "const_spec"}.get(decl.type)
                specs = _specs(decl, spec_type) if spec_type else [
                    c for c in decl.named_children if c.type in ("type_spec", "type_alias")
                ]
                for spec in specs:
                    for name in spec.children_by_field_name("name"):
                        names.setdefault(self.source.text(name), name)
        return names

    def package_declarations(self, name: str) -> list[tuple["FileModel", Node]]:
        """(file model, declaring identifier) of every package-level declaration of `name` in the
        package: this file's alone when the package's other files are not known."""
        declarations = getattr(self._package_scope, "declarations", None)
        if declarations is not None:
            return declarations(name)
        node = self.top_level_names.get(name)
        return [(self, node)] if node is not None else []

    # ---- scopes ---------------------------------------------------------------------------------

    def resolve(self, ident: Node) -> Binding:
        """What an identifier refers to, by walking out through the scopes that enclose it.

        Remembered per identifier: rules ask about the same ones (the `context` of every
        `context.WithCancel`, a request parameter at each use), and the walk is the costly part."""
        binding = self._bindings.get(ident.id)
        if binding is None:
            binding = self._bindings[ident.id] = self._resolve(ident)
        return binding

    def _resolve(self, ident: Node) -> Binding:
        name = self.source.text(ident)
        if name == "_":
            return Binding("unresolved", name, None, None)
        found = self._scoped(ident)
        if found is not None:
            return found
        # The file block (imports) before the package block: Go looks there first, and a name may
        # not be declared in both, so this only saves asking the other files of the package.
        if name in self.imports:
            return Binding("import", name, None, None)
        if self._package_scope is not None and name in self._package_scope:
            return Binding("package", name, self._package_scope[name][1], None)
        if name in BUILTINS:
            return Binding("builtin", name, None, None)
        return Binding("unresolved", name, None, None)

    def _scoped(self, ident: Node) -> Binding | None:
        """A declaration of the identifier's name in a scope that encloses it, or at the top level of
        the file; None when only the imports, the other files or the builtins could declare it."""
        name = self.source.text(ident)
        offset = ident.start_byte
        child = ident
        scope = ident.parent
        while scope is not None:
            found = self._declared_in(scope, child, name, offset) if scope.type in _SCOPES else None
            if found is not None:
                kind, decl = found
                return Binding(kind, name, decl, self.enclosing_function(decl) if kind == "local" else self._function_at(scope))
            child = scope
            scope = scope.parent
        top = self.top_level_names.get(name)
        return Binding("package", name, top, None) if top is not None else None

    def _declarations_of(self, statements: Node) -> dict[str, list[tuple[int, int, Node]]]:
        """What each statement of a block declares, by name, in source order: built once per block,
        since a long function body would otherwise be scanned again for every name resolved in it."""
        declarations: dict[str, list[tuple[int, int, Node]]] = {}
        text = self.source.text
        for stmt in statements.named_children:
            for decl in _statement_declares(stmt, self.source):
                declarations.setdefault(text(decl), []).append((stmt.start_byte, stmt.end_byte, decl))
        return declarations

    def _function_at(self, node: Node) -> Function | None:
        return self._function_by_id.get(node.id) if node.type in FUNCTION_TYPES else self.enclosing_function(node)

    def _declared_in(self, scope: Node, child: Node, name: str, offset: int) -> tuple[str, Node] | None:
        kind = scope.type
        if kind == "statement_list":
            declarations = self._block_declarations.get(scope.id)
            if declarations is None:
                declarations = self._block_declarations[scope.id] = self._declarations_of(scope)
            for start, end, decl in declarations.get(name, ()):
                if start > offset:
                    break
                # `x := f(x)`: the x on the right is the outer one, so a declaration counts only
                # once its statement has ended, unless we are looking at the declaring name itself.
                if end <= offset or decl.start_byte == offset:
                    return "local", decl
            return None
        if kind in FUNCTION_TYPES:
            for field_name, binding_kind in (("receiver", "receiver"), ("parameters", "param"), ("result", "result")):
                plist = scope.child_by_field_name(field_name)
                if plist is None or plist.type != "parameter_list":
                    continue
                for decl in plist.named_children:
                    for ident in decl.children_by_field_name("name"):
                        if self.source.text(ident) == name:
                            return binding_kind, ident
            return None
        if kind in ("for_statement", "if_statement", "expression_switch_statement", "type_switch_statement"):
            init = None
            if kind == "for_statement":
                for sub in scope.named_children:
                    if sub.type == "for_clause":
                        init = sub.child_by_field_name("initializer")
                    elif sub.type == "range_clause" and _has_token(sub, ":="):
                        # The range expression itself is evaluated outside the new variables' scope.
                        right = sub.child_by_field_name("right")
                        if right is not None and right.start_byte <= offset < right.end_byte:
                            return None
                        left = sub.child_by_field_name("left")
                        for ident in (left.named_children if left is not None else []):
                            if ident.type == "identifier" and self.source.text(ident) == name:
                                return "local", ident
            else:
                init = scope.child_by_field_name("initializer")
            if kind == "type_switch_statement":
                alias = scope.child_by_field_name("alias")
                if alias is not None and child.type in ("type_case", "default_case"):
                    for ident in alias.named_children:
                        if self.source.text(ident) == name:
                            return "local", ident
            if init is not None and init.type == "short_var_declaration" and init.start_byte <= offset:
                # After the initialiser its names are in scope; inside it, only the declaring name
                # itself resolves to them (`if resp, err := c.Do(req); …`).
                for ident in _declared_names(init.child_by_field_name("left")):
                    if self.source.text(ident) == name and (init.end_byte <= offset or ident.start_byte == offset):
                        return "local", ident
            return None
        if kind == "communication_case":
            comm = scope.child_by_field_name("communication")
            if comm is not None and comm.type == "receive_statement" and _has_token(comm, ":=") and comm.end_byte <= offset:
                for ident in _declared_names(comm.child_by_field_name("left")):
                    if self.source.text(ident) == name:
                        return "local", ident
            return None
        return None

    # ---- references -----------------------------------------------------------------------------

    def identifiers_named(self, name: str, within: Node | None = None) -> list[Node]:
        return self._identifiers_with(name.encode("utf-8", "surrogateescape"), within)

    def _identifiers_with(self, key: bytes, within: Node | None) -> list[Node]:
        """Identifier nodes spelled `key` inside `within` (default: the file), in source order.

        Found by a byte search for the name between identifier boundaries and a node lookup at each
        hit, not by walking the tree: an index of every identifier cost a query over each function
        asked about, and most names are asked for once. Hits in comments, strings and longer
        non-ASCII names are dropped by checking the node found there.
        """
        scope = within if within is not None else self.source.root
        stop = len(key)
        found = []
        for at in name_hits(self.source.data, key, scope.start_byte, scope.end_byte):
            node = scope.named_descendant_for_byte_range(at, at + stop)
            if node is not None and node.type == "identifier" and node.start_byte == at and node.end_byte == at + stop:
                found.append(node)
        return found

    def references(self, decl: Node, within: Node | None = None) -> list[Node]:
        """Identifiers in `within` (default: the whole file) that refer to the declaration `decl`."""
        refs = []
        for node in self._identifiers_with(self.source.data[decl.start_byte : decl.end_byte], within):
            if node.start_byte == decl.start_byte:
                continue
            binding = self.resolve(node)
            if binding.decl is not None and binding.decl.start_byte == decl.start_byte and binding.decl.end_byte == decl.end_byte:
                refs.append(node)
        return refs


# The nodes whose children can see names they declare (see _declared_in): any other ancestor of an
# identifier is skipped without a call.
_SCOPES = frozenset({"statement_list", "function_declaration", "method_declaration", "func_literal", "for_statement",
                     "if_statement", "expression_switch_statement", "type_switch_statement", "communication_case"})

_FILE_OF_LITERAL = re.compile(r"^glob@[^/]*?\.go\.")


def display_name(name: str) -> str:
    """A function's name as findings show it: a package-level literal's without its file
    (`glob.func1`, as before the model needed them apart)."""
    return _FILE_OF_LITERAL.sub("glob.", name) if name.startswith("glob@") else name


def model_name(name: str, path: str) -> str:
    """The model's name of a function a finding in `path` shows as `name` (display_name undone)."""
    return f"glob@{path.rsplit('/', 1)[-1]}.{name[5:]}" if name.startswith("glob.") else name


def enclosing_loop(node: Node) -> Node | None:
    """The innermost `for` statement whose body holds `node`, without leaving node's function:
    a loop outside a func literal does not repeat what the literal does when it runs."""
    child, current = node, node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        if current.type == "for_statement" and current.child_by_field_name("body") == child:
            return current
        child, current = current, current.parent
    return None


def descendants(node: Node) -> Iterator[Node]:
    """`node` and its named descendants, depth first in source order: for a small subtree a rule
    already holds (an argument, a literal); whole files are for queries."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def parameter_index(decl: Node) -> int | None:
    """The position of the parameter the identifier `decl` declares in its function's parameter
    list (`a, b int, c string`: c is 2), read from the list's nodes without typing them; None when
    `decl` declares no parameter (a receiver's name included)."""
    declaration = decl.parent
    if declaration is None or declaration.type not in ("parameter_declaration", "variadic_parameter_declaration") \
            or declaration.parent is None or declaration.parent.type != "parameter_list" \
            or declaration.parent.parent is None or declaration.parent.parent.child_by_field_name("parameters") != declaration.parent:
        return None
    index = 0
    for group in declaration.parent.named_children:
        if group.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        names = group.children_by_field_name("name")
        for name in names:
            if name.id == decl.id:
                return index
            index += 1
        if not names:
            index += 1
    return None


def declared_value(decl: Node) -> Node | None:
    """The value the declaring identifier `decl` starts with, as far as the declaration says:
    `v` of `x := v` / `var x = v` / `const x = v` (one value per name), or the call of
    `x, err := f()` / `var x, err = f()` for its first name (`l, err := net.Listen(…)`, `req, err :=
    http.NewRequest(…)`)."""
    spec = decl.parent
    if spec is None:
        return None
    if spec.type in ("const_spec", "var_spec"):
        names = spec.children_by_field_name("name")
        value = spec.child_by_field_name("value")
        if value is None:
            return None
        if len(names) != value.named_child_count:
            # `var g, ctx = errgroup.WithContext(parent)`: the call, for its first name
            first = value.named_children[0] if value.named_child_count == 1 else None
            return first if first is not None and first.type == "call_expression" and names \
                and names[0].start_byte == decl.start_byte else None
        index = next((i for i, n in enumerate(names) if n.start_byte == decl.start_byte), None)
        return None if index is None else value.named_children[index]
    if spec.type == "expression_list" and spec.parent is not None \
            and spec.parent.type == "short_var_declaration" and spec.parent.child_by_field_name("left") == spec:
        right = spec.parent.child_by_field_name("right")
        if right is None:
            return None
        if right.named_child_count == spec.named_child_count:
            index = next((i for i, n in enumerate(spec.named_children) if n.start_byte == decl.start_byte), None)
            return None if index is None else right.named_children[index]
        if right.named_child_count == 1 and spec.named_children and spec.named_children[0].start_byte == decl.start_byte:
            return right.named_children[0]
    return None


def assigned_again(model: "FileModel", decl: Node, within: Node | None) -> bool:
    """A variable given another value after its declaration, within `within`: assigned
    (`x = …`), declared again on the left of a `:=` with other names (`x, err := …`), or its
    address taken (`&x`), which may let a callee assign it."""
    for ref in model.references(decl, within=within):
        if ref.id == decl.id:
            continue
        names = ref.parent
        statement = names.parent if names is not None and names.type == "expression_list" else None
        if statement is not None and statement.type in ("assignment_statement", "short_var_declaration") \
                and statement.child_by_field_name("left") == names:
            return True
        if names is not None and names.type == "unary_expression" and model.source.text(names.child_by_field_name("operator")) == "&":
            return True
    return False


def single_initialiser(decl: Node) -> Node | None:
    """The value a local or package variable starts with: `v` of `x := v` / `var x = v` for the
    declaring identifier `decl`, when one value goes with each name (not `a, b := f()`). The one
    answer to "what is this variable initialised from"."""
    parent = decl.parent
    if parent is None:
        return None
    if parent.type == "expression_list":
        statement = parent.parent
        if statement is None or statement.type != "short_var_declaration":
            return None
        left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
        if left is None or right is None or left.named_child_count != right.named_child_count:
            return None
        index = [c.start_byte for c in left.named_children].index(decl.start_byte)
        return right.named_children[index]
    if parent.type == "var_spec":
        names = parent.children_by_field_name("name")
        value = parent.child_by_field_name("value")
        if value is None or len(names) != value.named_child_count:
            return None
        index = [c.start_byte for c in names].index(decl.start_byte)
        return value.named_children[index]
    return None


def runs_once_at_startup(model: "FileModel", function: Function | None) -> bool:
    """An `init` function, or `main` of package main: code that runs once, when the process starts.
    The roots of "runs at set-up" for every rule (package-level initialisers have no function)."""
    return function is not None and function.kind == "func" and (
        function.name == "init" or (function.name == "main" and model.package == "main"))


def lookup_with_ok(source: SourceFile, statement: Node | None) -> tuple[Node, Node, str, bool] | None:
    """(table, key, `ok`'s name, through a sync.Map's Load) of `v, ok := table[key]` or `v, ok :=
    table.Load(key)` (also with `=`): the lookup that says whether the key is there."""
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement"):
        return None
    left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
    if left is None or right is None or left.named_child_count != 2 or right.named_child_count != 1:
        return None
    ok, value = left.named_children[1], right.named_children[0]
    if ok.type != "identifier":
        return None
    if value.type == "index_expression":
        table, key, load = value.child_by_field_name("operand"), value.child_by_field_name("index"), False
    elif value.type == "call_expression" and (called := value.child_by_field_name("function")) is not None \
            and called.type == "selector_expression" and source.text(called.child_by_field_name("field")) == "Load":
        args = value.child_by_field_name("arguments")
        table, load = called.child_by_field_name("operand"), True
        key = args.named_children[0] if args is not None and args.named_child_count == 1 else None
    else:
        return None
    if table is None or key is None:
        return None
    return table, key, source.text(ok), load


def _squeeze(text: str) -> str:
    """A type's text without spaces, but for one after `chan` before a name (`chan Job`)."""
    if "chan" in text:
        text = _CHAN_SPACE.sub("chan\0", text)
        return _SPACES.sub("", text).replace("\0", " ")
    return _SPACES.sub("", text)


def is_channel_type(type_text: str) -> bool:
    """`chan Job`, `chan *Job`, `chan<- T`, `<-chan T` as type_text writes them; not a type or an
    import path that begins with "chan" (`channelHub`)."""
    if type_text.startswith("<-chan"):
        return True
    return type_text.startswith("chan") and (len(type_text) == 4 or not (type_text[4].isalnum() or type_text[4] == "_"))


def collection_kind(type_text: str) -> str:
    t = type_text[1:] if type_text == "*sync.Map" else type_text
    if t.startswith("map["):
        return "map"
    if t.startswith("[]"):
        return "slice"
    if is_channel_type(t):
        return "chan"
    if t == "sync.Map":
        return "sync.Map"
    return "other"


def _specs(decl: Node, spec_type: str) -> Iterator[Node]:
    for child in decl.named_children:
        if child.type == spec_type:
            yield child
        elif child.type == f"{spec_type}_list":
            yield from (c for c in child.named_children if c.type == spec_type)


def _has_token(node: Node, token: str) -> bool:
    return any(not c.is_named and c.type == token for c in node.children)


def _declared_names(expr_list: Node | None) -> list[Node]:
    if expr_list is None:
        return []
    if expr_list.type == "identifier":
        return [expr_list]
    return [c for c in expr_list.named_children if c.type == "identifier"]


def _statement_declares(stmt: Node, source: SourceFile) -> list[Node]:
    """Identifiers a statement declares into its enclosing block."""
    if stmt.type == "short_var_declaration":
        return _declared_names(stmt.child_by_field_name("left"))
    if stmt.type == "var_declaration":
        return [n for spec in _specs(stmt, "var_spec") for n in spec.children_by_field_name("name")]
    if stmt.type == "const_declaration":
        return [n for spec in _specs(stmt, "const_spec") for n in spec.children_by_field_name("name")]
    if stmt.type == "labeled_statement":
        inner = [c for c in stmt.named_children if c.type != "label_name"]
        return _statement_declares(inner[0], source) if inner else []
    return []


def guarding_ifs(node: Node, stop: Node) -> Iterator[tuple[Node, bool]]:
    """The `if` statements between `node` and `stop` that may decide whether it runs, innermost
    first: `(if, True)` for one whose block holds it (its condition holds there), `(if, False)` for
    an earlier one without an `else` in a block around it (its condition fails there if the block
    leaves: the caller asks how it must leave, a `return`, a `break` out of a loop)."""
    child, current = node, node.parent
    while current is not None and current.id != stop.id:
        if current.type == "if_statement":
            consequence = current.child_by_field_name("consequence")
            if consequence is not None and consequence.id == child.id:
                yield current, True
        elif current.type == "statement_list":
            sibling = child.prev_named_sibling
            while sibling is not None:
                if sibling.type == "if_statement" and sibling.child_by_field_name("alternative") is None:
                    yield sibling, False
                sibling = sibling.prev_named_sibling
        child, current = current, current.parent


def block_statements(block: Node) -> list[Node]:
    """A block's statements (tree-sitter-go wraps them in a statement_list, and leaves a comment
    that opens the block outside it: `{ // why` then the statements), comments among them."""
    children = block.named_children
    if len(children) == 1 and children[0].type == "statement_list":
        return children[0].named_children
    if not any(child.type == "statement_list" for child in children):
        return children
    found: list[Node] = []
    for child in children:
        if child.type == "statement_list":
            found.extend(child.named_children)
        else:
            found.append(child)
    return found
