"""Does a collection only ever grow? Shared by the unbounded-growth rules (GL201, GL202, GL203).

A package-level map or slice lives as long as the process. If code running per request or per event
inserts into it and nothing ever takes entries out, the heap climbs until the pod is OOM-killed. The
question is answered for the whole package at once: a `delete` in a sibling file bounds a map as
surely as one next to the insert.

Every reference to the collection is classified by the shape around it, looking only at its few
ancestors. Anything not understood counts as an *escape* (the collection is handed to code we do not
see, which may well delete from it), so the verdict errs towards silence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from tree_sitter import Node

from .context import FileContext, PackageContext
from .frameworks import is_handler, request_params
from .model import (FUNCTION_TYPES, Function, PackageVar, block_statements, display_name, lookup_with_ok, parameter_index,
                    runs_once_at_startup, single_initialiser)
from .patterns import LazyPattern
from .rule import Severity

GROW = "grow"  # m[k] = v, m[k]++, m.Store(k, v), s = append(s, ...)
REMOVE = "remove"  # delete, clear, Delete, reassignment, truncation
READ = "read"  # lookups, range, len, passing a slice by value
ESCAPE = "escape"  # handed to code that may remove from it: stay silent

_SYNC_MAP_INSERTS = frozenset({"Store", "LoadOrStore", "Swap"})
_SYNC_MAP_REMOVALS = frozenset({"Delete", "LoadAndDelete", "CompareAndDelete", "Clear"})
_SYNC_MAP_READS = frozenset({"Load", "Range", "CompareAndSwap"})

# Calls that only read a map handed to them. Anything else might delete from it (maps.DeleteFunc,
# a helper of the package's own): an escape.
_READ_ONLY_CALLS = frozenset({"len", "cap", "print", "println"})
_READ_ONLY_QUALIFIED = LazyPattern(
    r"^(fmt\.\w+|log\.\w+|log/slog\.\w+|encoding/json\.Marshal(Indent)?|reflect\.(DeepEqual|ValueOf|TypeOf)"
    r"|maps\.(Keys|Values|Clone|Equal|EqualFunc|All)|sort\.\w+|slices\.\w+|strings\.\w+)$"
)

_RELATIONAL = frozenset({"<", "<=", ">", ">="})

# Functions whose job is to fill a registry once, at start-up: `Register`, `MustRegister`,
# `registerCodec`, hook registration such as `OnExit`. A registry keyed by driver or codec name,
# or a list of exit hooks, is configuration, not growth.
_REGISTRATION_NAME = LazyPattern(r"^(Must)?[Rr]egister|^On[A-Z]")
# Start-up code by name: `initGlobals`, `setupRouter`, `serverMain` (a CLI framework's action).
_SETUP_NAME = LazyPattern(r"^([Ii]nit(ialize)?|[Ss]etup)([A-Z_0-9]|$)|[a-z]Main$")

# Key types with few possible values: a map keyed by them cannot grow past that.
_SMALL_KEY_TYPES = frozenset({"bool", "byte", "uint8", "int8", "reflect.Type", "reflect.Kind"})
_CONSTANT_KEYS = frozenset(
    {"interpreted_string_literal", "raw_string_literal", "int_literal", "rune_literal", "float_literal", "true", "false", "nil"}
)


# Packages that exist to support tests (mocks, fakes, test utilities): their globals live for one
# test binary's run, and filling them from exported setters is what they are for.
_TEST_SUPPORT_PACKAGE = LazyPattern(r"^(mocks?|fakes?|testing|integration)$|^test|test(utils?|ing|helpers?)$|^mock_|_mocks?$")


@dataclass
class Use:
    kind: str
    ident: Node  # the reference
    ctx: FileContext
    site: Node  # the statement or call that grows or removes
    key: Node | None = None  # the inserted key (maps) or appended values (slices)


@dataclass
class Collection:
    """A package-level map, sync.Map or slice and every reference to it in the package's non-test files."""

    name: str
    kind: str  # "map", "sync.Map", "slice"
    decl_ctx: FileContext
    decl: PackageVar
    uses: list[Use] = field(default_factory=list)


@dataclass
class GrowthSite:
    use: Use
    function: Function | None
    in_handler: bool  # in a handler, or in a function a handler of the package calls
    request_key: bool  # the key (or appended value) comes from the request
    per_event: bool = False  # a fresh key per call (time, uuid, rand), or a goroutine's event loop
    # a map: a handler reaching the insert says nothing about how many keys there are (they may
    # come from configuration or constants); a slice grows by one element per insert whatever it holds
    keyed: bool = False
    # the key is made from the client's network address (`c.ClientIP()`, `r.RemoteAddr`): its text
    client_address: str = ""

    @property
    def severity(self) -> Severity:
        """How sure we are that the growth tracks traffic: with the key from the request, anyone
        on the network drives it (error); in a handler, or with a key that is new on every call or
        an event loop, likely (warning); otherwise the code may well run a bounded number of times
        (note). The module model raises a note to a warning when the inserting function runs per
        request or in an endless loop, and silences it when it runs once (linter/lifetime.py)."""
        if self.request_key:
            return Severity.ERROR
        if self.per_event or (self.in_handler and not self.keyed):
            return Severity.WARNING
        return Severity.NOTE

    @property
    def function_name(self) -> str:
        """`track`, `Server.handle`, or `a closure in main` (a literal's `main.func1` says little)."""
        function = self.function
        if function is None:
            return "a package initialiser"
        if function.kind != "literal":
            return function.name
        while function.parent is not None and function.kind == "literal":
            function = function.parent
        return f"a closure in {function.name}" if function.kind != "literal" else "a closure"


def package_collections(pkg: PackageContext, kinds: frozenset[str]) -> list[Collection]:
    """Package-level collections of the given kinds, declared outside test files, with their uses."""
    files = [ctx for ctx in pkg.files if not ctx.is_test_file]
    if not files or _TEST_SUPPORT_PACKAGE.search(files[0].model.package):
        return []
    # Findings are reported where a collection is declared, so only collections that files being
    # reported declare matter. A file that is only context (generated code) is parsed just to see
    # whether it declares one of their names first: build-tagged alternatives declare a name
    # twice, and the first file claims it.
    first: dict[str, tuple[int, FileContext, PackageVar, str]] = {}
    looked_at: set[int] = set()
    for index, ctx in enumerate(files):
        if ctx.relpath not in pkg.report_paths and not ctx.source.parsed:
            continue
        looked_at.add(index)
        for name, var in ctx.model.package_vars.items():
            kind = _kind(ctx, var)
            if kind in kinds and name != "_" and name not in first:
                first[name] = (index, ctx, var, kind)
    collections: dict[str, Collection] = {}
    for name, (index, ctx, var, kind) in first.items():
        key = name.encode("utf-8", "surrogateescape")
        for position, earlier in enumerate(files[:index]):
            if position in looked_at or key not in earlier.source.data:
                continue
            other = earlier.model.package_vars.get(name)
            if other is not None and _kind(earlier, other) in kinds:
                ctx, var, kind = earlier, other, _kind(earlier, other)
                break
        if ctx.relpath in pkg.report_paths:
            collections[name] = Collection(name, kind, ctx, var)
    # In declaration order, as one pass over the files would have found them.
    collections = dict(sorted(collections.items(), key=lambda item: (files.index(item[1].decl_ctx), item[1].decl.node.start_byte)))
    if not collections:
        return []
    for ctx in files:
        data = ctx.source.data
        for name, collection in collections.items():
            if name.encode() not in data:
                continue
            for ident in ctx.model.identifiers_named(name):
                parent = ident.parent
                if parent is not None and parent.type == "var_spec" and ident in parent.children_by_field_name("name"):
                    continue  # the declaration, or its build-tagged twin in another file
                if ctx.model.resolve(ident).kind != "package":
                    continue
                if collection.kind == "slice":
                    use = _slice_use(ctx, ident)
                else:
                    use = _map_use(ctx, ident, collection.kind == "sync.Map")
                if use is not None:
                    collection.uses.append(use)
    return list(collections.values())


def _kind(ctx: FileContext, var: PackageVar) -> str:
    if var.kind != "other":
        return var.kind
    value = var.value
    # `new(sync.Map)`: the model types `make` and literals; `new` is the one other spelling.
    if value is not None and value.type == "call_expression":
        function = value.child_by_field_name("function")
        args = value.child_by_field_name("arguments")
        if function is not None and ctx.source.text(function) == "new" and args is not None and args.named_child_count == 1:
            if ctx.model.type_text(args.named_children[0]) == "sync.Map":
                return "sync.Map"
    return "other"


# ---- classifying one reference ------------------------------------------------------------------


def _up(node: Node) -> Node:
    """The first ancestor that is not a parenthesis."""
    parent = node.parent
    while parent is not None and parent.type == "parenthesized_expression":
        parent = parent.parent
    return parent


def assignment_operator(statement: Node) -> str:
    for child in statement.children:
        if not child.is_named and child.type.endswith("="):
            return child.type
    return ""


def _assigned_target(node: Node) -> Node | None:
    """The assignment statement whose left side lists `node`, if any."""
    parent = node.parent
    if parent is not None and parent.type == "expression_list":
        statement = parent.parent
        if statement is not None and statement.type == "assignment_statement" and statement.child_by_field_name("left") == parent:
            return statement
    return None


def _call_of_argument(node: Node) -> tuple[Node, int] | None:
    """(call, index) when `node` is an argument of a call."""
    parent = _up(node)
    if parent is None or parent.type != "argument_list":
        return None
    call = parent.parent
    if call is None or call.type != "call_expression":
        return None
    index = next((i for i, arg in enumerate(parent.named_children) if arg.start_byte <= node.start_byte and node.end_byte <= arg.end_byte), -1)
    return call, index


def _map_use(ctx: FileContext, ident: Node, sync_map: bool) -> Use | None:
    parent = _up(ident)
    if parent is None:
        return Use(ESCAPE, ident, ctx, ident)
    if parent.type == "keyed_element" or (parent.type == "literal_element" and parent.parent is not None
                                          and parent.parent.type == "keyed_element"
                                          and parent.parent.child_by_field_name("key") == parent):
        return None  # a struct field name in a composite literal, not the variable
    if sync_map:
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == ident:
            method = ctx.source.text(parent.child_by_field_name("field"))
            call = parent.parent
            called = call is not None and call.type == "call_expression" and call.child_by_field_name("function") == parent
            if called and method in _SYNC_MAP_INSERTS:
                args = call.child_by_field_name("arguments")
                key = args.named_children[0] if args is not None and args.named_children else None
                return Use(GROW, ident, ctx, call, key)
            if called and method in _SYNC_MAP_REMOVALS:
                return Use(REMOVE, ident, ctx, call)
            if called and method in _SYNC_MAP_READS:
                return Use(READ, ident, ctx, call)
            return Use(ESCAPE, ident, ctx, parent)  # a method value, or a method we do not know
        return _common_use(ctx, ident, parent)
    if parent.type == "index_expression" and parent.child_by_field_name("operand") == ident:
        holder = parent.parent
        statement = _assigned_target(parent)
        if statement is not None:
            return Use(GROW, ident, ctx, statement, parent.child_by_field_name("index"))
        if holder is not None and holder.type in ("inc_statement", "dec_statement"):
            return Use(GROW, ident, ctx, holder, parent.child_by_field_name("index"))
        return Use(READ, ident, ctx, parent)  # a lookup (nested `m[a][b] = v` changes an inner map)
    return _common_use(ctx, ident, parent)


def _common_use(ctx: FileContext, ident: Node, parent: Node) -> Use:
    """Shapes a map and a sync.Map share: reassignment, builtins, calls, range, comparisons."""
    statement = _assigned_target(ident)
    if statement is not None:
        if _is_lazy_init(ctx, ident, statement):
            return Use(READ, ident, ctx, statement)
        return Use(REMOVE, ident, ctx, statement)
    if parent.type == "range_clause" and parent.child_by_field_name("right") == ident:
        return Use(READ, ident, ctx, parent)
    if parent.type == "binary_expression":
        return Use(READ, ident, ctx, parent)
    argument = _call_of_argument(ident)
    if argument is not None:
        call, index = argument
        function = call.child_by_field_name("function")
        name = ctx.source.text(function) if function is not None and function.type == "identifier" else None
        if name in ("delete", "clear") and index == 0 and ctx.model.resolve(function).kind == "builtin":
            return Use(REMOVE, ident, ctx, call)
        if name in _READ_ONLY_CALLS and ctx.model.resolve(function).kind == "builtin":
            return Use(READ, ident, ctx, call)
        qualified = ctx.model.qualified(call)
        if qualified is not None and _READ_ONLY_QUALIFIED.match(qualified) and "Delete" not in qualified:
            return Use(READ, ident, ctx, call)
    return Use(ESCAPE, ident, ctx, parent)


def _is_lazy_init(ctx: FileContext, ident: Node, statement: Node) -> bool:
    """`if m == nil { m = make(...) }` creates the map on first use; it bounds nothing."""
    node = statement.parent
    name = ctx.source.text(ident)
    while node is not None and node.type not in FUNCTION_TYPES:
        if node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            text = re.sub(r"\s+", "", ctx.source.text(condition)) if condition is not None else ""
            return text in (f"{name}==nil", f"nil=={name}")
        node = node.parent
    return False


def _slice_use(ctx: FileContext, ident: Node) -> Use | None:
    """A slice grows only by `s = append(s, ...)`. Passing it by value cannot change its length;
    any other assignment to it (nil, s[:0], s[1:], a filtered copy) truncates or replaces it."""
    parent = _up(ident)
    if parent is None:
        return Use(ESCAPE, ident, ctx, ident)
    if parent.type == "literal_element" and parent.parent is not None and parent.parent.type == "keyed_element" \
            and parent.parent.child_by_field_name("key") == parent:
        return None
    statement = _assigned_target(ident)
    if statement is not None:
        growth = growth_append(ctx, statement, ident)
        if growth is not None:
            return Use(GROW, ident, ctx, statement, growth)
        return Use(REMOVE, ident, ctx, statement)
    if parent.type == "unary_expression" and ctx.source.text(parent).lstrip().startswith("&"):
        return Use(ESCAPE, ident, ctx, parent)
    return Use(READ, ident, ctx, parent)


def growth_append(ctx: FileContext, statement: Node, target: Node) -> Node | None:
    """For `s = append(s, v...)` with `target` being that `s`: the appended arguments' list.

    `s = append(s[1:], v)` or `s = append(s[:0], ...)` re-slices first: a window, not growth.
    """
    if assignment_operator(statement) != "=":
        return None
    left = statement.child_by_field_name("left")
    right = statement.child_by_field_name("right")
    if left is None or right is None or left.named_child_count != right.named_child_count:
        return None
    index = next((i for i, n in enumerate(left.named_children) if n == target), -1)
    if index < 0:
        return None
    value = right.named_children[index]
    while value.type == "parenthesized_expression" and value.named_child_count == 1:
        value = value.named_children[0]
    if value.type != "call_expression":
        return None
    function = value.child_by_field_name("function")
    args = value.child_by_field_name("arguments")
    if function is None or ctx.source.text(function) != "append" or args is None or not args.named_children:
        return None
    first = args.named_children[0]
    if first.type != "identifier" or ctx.source.text(first) != ctx.source.text(target):
        return None
    return args


# ---- judging the growth sites -------------------------------------------------------------------


def unbounded_growth(pkg: PackageContext, collection: Collection) -> list[GrowthSite]:
    """The sites that make the collection grow at run time, or [] when it is bounded, reset,
    handed to other code, or filled only at start-up."""
    if any(use.kind == ESCAPE for use in collection.uses):
        return []
    calls = pkg.facts.calls
    conditional = {id(use) for use in client_conditional_deletes(pkg, collection, calls)}
    if any(use.kind == REMOVE and id(use) not in conditional for use in collection.uses):
        return []
    if collection.kind == "map" and _small_key_type(collection):
        return []
    sites = []
    for use in collection.uses:
        if use.kind != GROW:
            continue
        model = use.ctx.model
        function = model.enclosing_function(use.site)
        if _constant_key(use) or _route_pattern_key(use) or calls.at_setup(use.ctx, use.site) \
                or _len_guarded(use, function, collection.name) or _empty_guarded(use, function, collection.name) \
                or _present_guarded(use, function, collection.name) or _absent_left(use, function, collection.name) \
                or _filled_only_while_empty(use, function, collection.name, calls) \
                or _left_unless_empty(use, function, collection.name):
            continue
        chain = list(_function_chain(function))
        in_handler = any(is_handler(fn) for fn in chain) or calls.reached_from_handler(chain[-1] if chain else None)
        request_key = _from_request(use, chain) or _request_through_callers(use, function, calls)
        site = GrowthSite(use, function, in_handler, request_key,
                          _fresh_key(use) or _in_goroutine_loop(use, chain)
                          or (in_handler and _fresh_local_or_argument(use, function, calls)),
                          keyed=collection.kind in ("map", "sync.Map"),
                          client_address=_client_key(use, function, chain, calls) if request_key and collection.kind != "slice" else "")
        if site.severity is Severity.NOTE and (use.ctx.model.package == "main" or _memo_table(collection, use, function)):
            # Nothing ties this insert to traffic. A command's tables live as long as one run,
            # and a memo table (look the key up, compute, insert) holds one entry per key of its
            # domain: types, dialects, configured files. Such reports were wrong far more often
            # than right on real code, so they are left out.
            continue
        sites.append(site)
    return sites


def client_conditional_deletes(pkg: PackageContext, collection: Collection, calls: "PackageCalls | None" = None) -> list[Use]:
    """The `delete`s of a map that run only when a client comes back with the key and passes a
    check (`if t, ok := tickets[id]; ok && valid(r) { delete(tickets, id) }` in a handler, `id`
    from the request): most keys may never get there, so they bound nothing unless another
    removal (a sweep, a clear, a reset) covers what the inserts add. A delete whose only
    condition is that the entry exists ends every entry that a client finishes, and counts."""
    if collection.kind != "map":
        return []
    calls = calls or pkg.facts.calls
    found = []
    for use in collection.uses:
        if use.kind != REMOVE or use.site.type != "call_expression":
            continue
        function = use.site.child_by_field_name("function")
        args = use.site.child_by_field_name("arguments")
        if function is None or use.ctx.source.text(function) != "delete" or args is None or args.named_child_count != 2:
            continue
        owner = use.ctx.model.enclosing_function(use.site)
        chain = list(_function_chain(owner))
        if not chain or not (any(is_handler(fn) for fn in chain) or calls.reached_from_handler(chain[-1])):
            continue
        if any(grow.kind == GROW and grow.ctx is use.ctx and chain[-1].contains(grow.site) for grow in collection.uses):
            continue  # the function that inserts also deletes (`defer delete(m, k)`): per-call bookkeeping
        key_use = Use(REMOVE, use.ident, use.ctx, use.site, args.named_children[1])
        if _from_request(key_use, chain) and _checked_beyond_existence(use, collection.name):
            found.append(use)
    return found


def _checked_beyond_existence(use: Use, name: str) -> bool:
    """The delete sits under an `if` that tests more than the entry's presence in the map."""
    text = use.ctx.source.text
    node, child = use.site.parent, use.site
    while node is not None and node.type not in FUNCTION_TYPES:
        if node.type == "if_statement" and node.child_by_field_name("condition") is not None \
                and child != node.child_by_field_name("condition") and child != node.child_by_field_name("initializer"):
            presence = _presence_names(use, node, name)
            parts = [p.strip() for p in re.split(r"&&", text(node.child_by_field_name("condition")))]
            for part in parts:
                bare = re.sub(r"\s+", "", part)
                if bare in presence or re.fullmatch(rf"{re.escape(name)}\[[^\]]*\]!=nil", bare):
                    continue
                return True
        child, node = node, node.parent
    return False


def _presence_names(use: Use, if_statement: Node, name: str) -> set[str]:
    """`ok` of `if _, ok := m[k]; ok`, or of such a lookup earlier in the function."""
    init = if_statement.child_by_field_name("initializer")
    statements = [init] if init is not None else []
    function = use.ctx.model.enclosing_function(use.site)
    if function is not None and function.body is not None:
        statements += [n for n in function.body.named_children[0].named_children
                       if n.type == "short_var_declaration"] if function.body.named_children else []
    return {found[0] for statement in statements if (found := _lookup_ok(use, statement, name)) is not None}


def _lookup_ok(use: Use, statement: Node, name: str) -> tuple[str, str] | None:
    """(`ok`, the key without spaces) of `v, ok := name[key]` or, for a sync.Map, `v, ok :=
    name.Load(key)` (model.lookup_with_ok)."""
    found = lookup_with_ok(use.ctx.source, statement)
    if found is None or use.ctx.source.text(found[0]) != name:
        return None
    return found[2], re.sub(r"\s+", "", use.ctx.source.text(found[1]))


def _memo_table(collection: Collection, grow: Use, function: Function | None) -> bool:
    """The inserting function also looks the collection up: `if v, ok := m[k]; ok { return v }`."""
    if function is None or collection.kind == "slice":
        return False
    return any(use.kind == READ and use.ctx is grow.ctx and function.contains(use.ident)
               and use.site.type in ("index_expression", "call_expression") for use in collection.uses)


def subjects(sites: Iterable[GrowthSite]) -> tuple[str, ...]:
    """The inserting functions, by name: their lifetime decides the finding's level."""
    return tuple(sorted({site.function.name for site in sites if site.function is not None}))


def strongest(sites: Iterable[GrowthSite]) -> Severity:
    return max((site.severity for site in sites), key=lambda level: level.rank)


def _function_chain(function: Function | None) -> Iterator[Function]:
    while function is not None:
        yield function
        function = function.parent


def _small_key_type(collection: Collection) -> bool:
    match = re.match(r"^map\[(.*?)\]", collection.decl.type)
    if not match and collection.decl.value is not None:
        value = collection.decl.value
        type_node = value.child_by_field_name("type") if value.type == "composite_literal" else None
        if value.type == "call_expression":
            args = value.child_by_field_name("arguments")
            type_node = args.named_children[0] if args is not None and args.named_children else None
        match = re.match(r"^map\[(.*?)\]", collection.decl_ctx.model.type_text(type_node)) if type_node is not None else None
    return bool(match) and match.group(1) in _SMALL_KEY_TYPES


def _constant_key(use: Use) -> bool:
    """`m["total"]++`, `m[maxKind] = v`, `cache.Store(reflect.TypeOf(x), ...)`: a fixed key set."""
    key = use.key
    if key is None or key.type == "argument_list":
        return False
    model = use.ctx.model
    if key.type in _CONSTANT_KEYS:
        return True
    if key.type == "identifier":
        binding = model.resolve(key)
        if binding.decl is not None and binding.decl.parent is not None and binding.decl.parent.type == "const_spec":
            return True
        return binding.kind == "param" and model.declared_type(binding) == "reflect.Type"
    if key.type == "call_expression":
        return model.qualified(key) == "reflect.TypeOf"
    return False


# A router's matched pattern: gin's `c.FullPath()`, chi's `RoutePattern()`, gorilla's
# `GetPathTemplate()`, net/http's `r.Pattern` (Go 1.22).
_ROUTE_PATTERN_CALLS = frozenset({b"FullPath", b"RoutePattern", b"GetPathTemplate"})
_ROUTE_PATTERN_NAME = LazyPattern(r"(?i)(?:route|path|url)?(?:pattern|template)s?|fullpath")


def _route_pattern_key(use: Use) -> bool:
    """A key that is a route pattern (`/users/{id}`, not the path a client sent): one entry per
    registered route, a set the program fixes. The router's matched pattern itself, a local made
    from it, or a parameter named for it (`labelFor(pattern string)`)."""
    key = use.key
    if key is None or key.type == "argument_list":
        return False
    model = use.ctx.model
    if key.type == "identifier":
        binding = model.resolve(key)
        if binding.kind == "param":
            return bool(_ROUTE_PATTERN_NAME.fullmatch(model.source.text(key)))
        value = single_initialiser(binding.decl) if binding.decl is not None else None
        return value is not None and _reads_route_pattern(value)
    return _reads_route_pattern(key)


def _reads_route_pattern(node: Node) -> bool:
    if node.type == "call_expression":
        node = node.child_by_field_name("function")
        return node is not None and node.type == "selector_expression" and \
            node.child_by_field_name("field").text in _ROUTE_PATTERN_CALLS
    return node.type == "selector_expression" and node.child_by_field_name("field").text == b"Pattern"


_FRESH_VALUE = LazyPattern(
    r"^(time\.(Now|Since)|math/rand(/v2)?\.\w+|crypto/rand\.\w+|github\.com/google/uuid\.\w+"
    r"|github\.com/gofrs/uuid(/v5)?\.\w+|github\.com/rs/xid\.New\w*|sync/atomic\.Add\w*)$"
)


def _fresh_key(use: Use) -> bool:
    """A key made new on every call (`time.Now()`, `uuid.New()`, `rand.Int()`, `atomic.AddInt64`):
    each call adds an entry that no later call will overwrite."""
    if use.key is None or use.key.type == "argument_list":
        return False
    model = use.ctx.model
    stack = [use.key]
    seen = 0
    while stack and seen < 64:
        node = stack.pop()
        seen += 1
        if node.type == "call_expression":
            qualified = model.qualified(node)
            if qualified is not None and _FRESH_VALUE.match(qualified):
                return True
        if node.type not in FUNCTION_TYPES:
            stack.extend(node.named_children)
    return False


# A function of the module that makes a new identifier each call: `newID()`, `generateToken()`.
_GENERATOR = LazyPattern(r"(?i)^(?:new|gen(?:erate)?|make|create|random|rand|next|issue)_?\w*?"
                        r"(?:id|token|key|nonce|uuid|ticket|code|session|secret)s?$")


def _fresh_call(model, node: Node | None) -> bool:
    """A call that makes a new value each time: a clock, a random source, a UUID, or a function
    named for generating identifiers."""
    if node is None or node.type != "call_expression":
        return False
    qualified = model.qualified(node)
    if qualified is not None:
        return _FRESH_VALUE.match(qualified) is not None or _GENERATOR.match(qualified.rsplit(".", 1)[-1]) is not None
    function = node.child_by_field_name("function")
    name = function.text.decode("utf-8", "replace").rsplit(".", 1)[-1] if function is not None else ""
    return _GENERATOR.match(name) is not None


def _calls_of(calls: "PackageCalls", name: str) -> Iterator[tuple[FileContext, Node, list[Node]]]:
    """The package's calls of its function `name`, each with its argument values."""
    for ctx, ident in calls._references(name):
        call = ident.parent
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != ident:
            continue
        args = call.child_by_field_name("arguments")
        yield ctx, call, [a for a in args.named_children if a.type != "comment"] if args is not None else []


def _fresh_local_or_argument(use: Use, function: Function | None, calls: "PackageCalls") -> bool:
    """The key is a local made by a fresh call (`id := newID(); m[id] = …`), or a parameter that
    every caller in the package passes a fresh call for (`issue(newID())`)."""
    if use.key is None or use.key.type != "identifier" or function is None:
        return False
    model = use.ctx.model
    binding = model.resolve(use.key)
    if binding.decl is None:
        return False
    if binding.kind == "local":
        return _fresh_call(model, single_initialiser(binding.decl))
    if binding.kind != "param" or binding.function is not function or function.kind != "func":
        return False
    index = next((i for i, p in enumerate(function.params) if p.node is not None
                  and p.node.start_byte == binding.decl.start_byte), None)
    if index is None:
        return False
    seen = False
    for ctx, _call, values in _calls_of(calls, function.name):
        if index >= len(values) or not _fresh_call(ctx.model, values[index]):
            return False
        seen = True
    return seen


def _in_goroutine_loop(use: Use, chain: list[Function]) -> bool:
    """Inside a loop of a function literal started with `go`: a worker that inserts per event."""
    node = use.site.parent
    in_loop = False
    for function in chain:
        while node is not None and node != function.node:
            if node.type == "for_statement":
                in_loop = True
            node = node.parent
        if function.kind != "literal":
            return False
        call = _up(function.node)
        if in_loop and call is not None and call.type == "call_expression" and call.parent is not None \
                and call.parent.type == "go_statement":
            return True
        node = function.node.parent
    return False


def _empty_guarded(use: Use, function: Function | None, name: str) -> bool:
    """An insert under `if s == nil {` or `if len(s) == 0 {` on the collection itself: it fills the
    collection only while it is empty (a lazy initialisation from a table), so once per emptying."""
    if function is None:
        return False
    pattern = re.compile(r"\s*(?:" + re.escape(name) + r"\s*==\s*nil|nil\s*==\s*" + re.escape(name)
                         + r"|len\(\s*" + re.escape(name) + r"\s*\)\s*(?:==\s*0|<\s*1))\s*")
    return any(pattern.fullmatch(use.ctx.source.text(condition)) for _, condition in _guarding_ifs(use, function))


def _guarding_ifs(use: Use, function: Function) -> Iterator[tuple[Node, Node]]:
    """(if statement, condition) of each `if` of the function whose block holds the insert."""
    node = use.site.parent
    while node is not None and node != function.node:
        if node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            consequence = node.child_by_field_name("consequence")
            if condition is not None and consequence is not None and \
                    consequence.start_byte <= use.site.start_byte < consequence.end_byte:
                yield node, condition
        node = node.parent


def _present_guarded(use: Use, function: Function | None, name: str) -> bool:
    """An insert under `if v, ok := m[k]; ok {` (or `m.Load(k)` of a sync.Map) with the same key:
    it replaces an entry that is already there, so it adds none."""
    if function is None or use.key is None:
        return False
    text = use.ctx.source.text
    key = re.sub(r"\s+", "", text(use.key))
    for statement, condition in _guarding_ifs(use, function):
        init = statement.child_by_field_name("initializer")
        found = _lookup_ok(use, init, name) if init is not None else None
        if found is not None and found[1] == key and \
                any(re.sub(r"\s+", "", part) == found[0] for part in text(condition).split("&&")):
            return True
    return False


def _absent_left(use: Use, function: Function | None, name: str) -> bool:
    """An insert after `v, ok := m[k]` and `if !ok { return }` (or `continue`, `break`) with the
    same key, earlier in a block that holds it: the function has left when the key was missing, so
    the insert replaces an entry that is already there."""
    if function is None or use.key is None:
        return False
    text = use.ctx.source.text
    key = re.sub(r"\s+", "", text(use.key))
    node = use.site
    while node is not None and node != function.node:
        parent = node.parent
        if parent is not None and parent.type == "statement_list":
            oks: set[str] = set()
            for statement in parent.named_children:
                if statement.start_byte >= node.start_byte:
                    break
                found = _lookup_ok(use, statement, name)
                if found is not None:
                    if found[1] == key:
                        oks.add(found[0])
                    continue
                if oks and statement.type == "if_statement" and _leaves_unless(use, statement, oks):
                    return True
        node = parent
    return False


def _leaves_unless(use: Use, statement: Node, oks: set[str]) -> bool:
    """`if !ok { …; return }` with no else: a disjunct of the condition is `!ok`, and the block
    ends with a return, continue, break or goto."""
    condition = statement.child_by_field_name("condition")
    consequence = statement.child_by_field_name("consequence")
    if condition is None or consequence is None or statement.child_by_field_name("alternative") is not None:
        return False
    parts = {re.sub(r"\s+", "", part) for part in use.ctx.source.text(condition).split("||")}
    if not any(f"!{ok}" in parts or f"{ok}==false" in parts for ok in oks):
        return False
    statements = [s for s in block_statements(consequence) if s.type != "comment"]
    return bool(statements) and statements[-1].type in ("return_statement", "continue_statement",
                                                        "break_statement", "goto_statement")


def _filled_only_while_empty(use: Use, function: Function | None, name: str, calls: "PackageCalls") -> bool:
    """An insert in an unexported function of the package that every call of it makes only after
    its caller returned when the collection is not empty (`if len(cache) != 0 { return cache, nil }`,
    then `loadInto(cache)`): a lazy cache filled once per emptying, as `_empty_guarded` in one function."""
    if function is None or function.kind != "func" or not function.name[:1].islower():
        return False
    sites = calls.call_sites(function.name)
    if not sites:
        return False
    pattern = _non_empty_test(name)
    for ctx, ident in sites:
        caller = ctx.model.enclosing_function(ident)
        body = caller.body if caller is not None else None
        if body is None or not _returns_first_unless_empty(ctx, body, ident.start_byte, pattern):
            return False
    return True


def _left_unless_empty(use: Use, function: Function | None, name: str) -> bool:
    """An insert in a function, or in a literal inside it (`add := func(…) { s = append(s, …) }`),
    after that function's top-level block returned when the collection is not empty (`if len(s) > 0
    { return }`): a seed that fills the collection once per emptying, as `_empty_guarded`."""
    pattern = _non_empty_test(name)
    while function is not None:
        if function.body is not None and _returns_first_unless_empty(use.ctx, function.body, use.site.start_byte, pattern):
            return True
        function = function.parent
    return False


def _non_empty_test(name: str) -> re.Pattern:
    """`len(name) != 0`, `> 0` or `>= 1`: a condition that holds when the collection is not empty."""
    return re.compile(r"len\(\s*" + re.escape(name) + r"\s*\)\s*(?:!=\s*0|>\s*0|>=\s*1)")


def _returns_first_unless_empty(ctx: FileContext, body: Node, before: int, pattern: re.Pattern) -> bool:
    """A statement of the function's top-level block, before `before`, is `if len(s) != 0 {…
    return …}`."""
    block = body.named_children[0] if body.type == "block" and body.named_children \
        and body.named_children[0].type == "statement_list" else body
    for statement in block.named_children:
        if statement.start_byte >= before:
            return False
        if statement.type != "if_statement" or statement.child_by_field_name("alternative") is not None:
            continue
        condition, consequence = statement.child_by_field_name("condition"), statement.child_by_field_name("consequence")
        if condition is None or consequence is None or not pattern.fullmatch(ctx.source.text(condition).strip()):
            continue
        inner = consequence.named_children[0] if consequence.named_children and \
            consequence.named_children[0].type == "statement_list" else consequence
        if inner.named_children and inner.named_children[-1].type == "return_statement":
            return True
    return False


def _len_guarded(use: Use, function: Function | None, name: str) -> bool:
    """An insert in a function that compares `len(m)` against a bound, e.g.
    `if len(cache) >= maxEntries { evict() }`: the author has bounded it."""
    if function is None or function.body is None:
        return False
    model = use.ctx.model
    for ident in model.identifiers_named(name, within=function.body):
        argument = _call_of_argument(ident)
        if argument is None or _up(ident) is None:
            continue
        call, index = argument
        function_node = call.child_by_field_name("function")
        if index != 0 or function_node is None or use.ctx.source.text(function_node) != "len":
            continue
        comparison = _up(call)
        if comparison is None or comparison.type != "binary_expression" or model.resolve(ident).kind != "package":
            continue
        operator = comparison.child_by_field_name("operator")
        op = operator.type if operator is not None else ""
        other = [c for c in (comparison.child_by_field_name("left"), comparison.child_by_field_name("right")) if c is not None and c != call]
        if op in _RELATIONAL or (op in ("==", "!=") and other and use.ctx.source.text(other[0]) != "0"):
            return True
    return False


def _client_key(use: Use, function: Function | None, chain: list[Function], calls: "PackageCalls") -> str:
    """The read of the client's address the key is made from, in the inserting function or in what
    its callers in the package pass for a key parameter (`getVisitor(c.ClientIP())`); "" if none."""
    return _client_address(use.ctx.model, use.key, chain) or _request_through_callers(use, function, calls, _client_address) or ""


def _from_request(use: Use, chain: list[Function]) -> bool:
    """The key (or appended value) mentions a request parameter of an enclosing handler, directly
    (`c.ClientIP()`, `r.URL.Path`) or through a local assigned from one (`ip := c.ClientIP()`)."""
    if use.key is None:
        return False
    return _mentions_request(use.ctx.model, use.key, chain)


def _mentions_request(model, expr: Node, chain: list[Function]) -> bool:
    params = [p for fn in chain for p in request_params(fn) if p.node is not None]
    if not params:
        return False
    nodes = [p.node for p in params]
    if _mentions_data(model, expr, nodes):
        return True
    for ident in _identifiers(expr, limit=64):
        binding = model.resolve(ident)
        if binding.kind == "local" and binding.decl is not None and \
                _mentions_data(model, _declaring_right(binding.decl), nodes):
            return True
    return False


# What a framework's request context hands out that is not the request's: fiber's `c.App()`, echo's
# `c.Echo()`, the application every request shares. A key made from it (`c.App().Server()`) is
# one per application.
_APPLICATION_ACCESSORS = frozenset({b"App", b"Echo"})


def _mentions_data(model, node: Node | None, params: list[Node]) -> bool:
    """`node` mentions one of `params` other than to ask for the application (`c.App()`)."""
    if node is None:
        return False
    for param in params:
        for ref in model.references(param, within=node):
            selector = ref.parent
            if selector is not None and selector.type == "selector_expression" and \
                    selector.parent is not None and selector.parent.type == "call_expression":
                field = selector.child_by_field_name("field")
                if field is not None and field.text in _APPLICATION_ACCESSORS:
                    continue
            return True
    return False


def _declaring_right(decl: Node) -> Node | None:
    """The right side of the statement that declares the local `decl` (`x := v`, `var x = v`, `a, b
    := f()`): all of it, whichever name `decl` is."""
    statement = decl.parent
    if statement is not None and statement.type != "var_spec":
        statement = statement.parent
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return None
    return statement.child_by_field_name("right") or statement.child_by_field_name("value")


def _request_through_callers(use: Use, function: Function | None, calls: "PackageCalls", found=None):
    """The key is a parameter of the inserting function, and a handler of the package passes
    request data for it: `getVisitor(c.ClientIP())` fills `visitors[ip]` from the network. `found`
    (model, value, chain) asks something else of the values passed (default: do they mention the
    request); the first truthy answer is returned."""
    found = found or _mentions_request
    if use.key is None or function is None or function.kind != "func":
        return False
    model = use.ctx.model
    indexes = [i for i, p in enumerate(function.params)
               if p.node is not None and model.references(p.node, within=use.key)]
    if not indexes:
        return False
    for ctx, call, values in _calls_of(calls, function.name):
        chain = list(_function_chain(ctx.model.enclosing_function(call)))
        for index in indexes:
            answer = found(ctx.model, values[index], chain) if index < len(values) else None
            if answer:
                return answer
    return False


# Reads of the client's network address on a request value: gin's `c.ClientIP()` and `c.RemoteIP()`,
# echo's `c.RealIP()`, fiber's `c.IP()` and `c.IPs()`, net/http's `r.RemoteAddr` (also through
# `c.Request`), and the headers proxies put it in.
_CLIENT_ADDRESS_METHODS = frozenset({"ClientIP", "RemoteIP", "RealIP", "IP", "IPs"})
_FORWARDED_HEADER = LazyPattern(r'(?i)^"(x-forwarded-for|x-real-ip|cf-connecting-ip|true-client-ip|x-client-ip|forwarded)"$')
_HEADER_READS = frozenset({"Get", "GetHeader", "Values", "Header"})
# A helper of the program's own named for the client's address, given the request:
# `getClientIP(r)`, `realIP(c)`, `ClientIpFromRequest(r)`, `ipFromRequest(r)`; not `net.ParseIP(…)`
# of a value the client sends, nor `getZip`.
_CLIENT_IP_HELPER = LazyPattern(
    r"^(?:[Gg]et|[Ee]xtract|[Rr]ead|[Rr]eal|[Cc]lient|[Rr]emote|[Uu]ser|[Vv]isitor|[Pp]eer|[Ss]ource|[Ss]rc|[Rr]equest|[Rr]eq)"
    r"\w*?(?:IP|Ip)(?:s|Addr|Address)?(?:From[A-Z]\w*)?$"
    r"|^(?:ip|IP|Ip)(?:Addr|Address)?From(?:Req|Request|Ctx|Context|HTTP|Http)\w*$")


def _client_address(model, expr: Node | None, chain: list[Function], depth: int = 1) -> str:
    """The text of a read of the client's network address that `expr` (a map key) is made from,
    directly or through a local assigned from one (`host, _, _ := net.SplitHostPort(r.RemoteAddr)`;
    one assignment deep, as a key from the request is found), or "". The growth it drives is one
    entry per client address, which anyone on the network can multiply."""
    if expr is None:
        return ""
    params = [p.node for fn in chain for p in request_params(fn) if p.node is not None]
    if not params:
        return ""
    stack, seen, locals_ = [expr], 0, []
    while stack and seen < 96:
        node = stack.pop()
        seen += 1
        if node.type == "identifier":
            binding = model.resolve(node)
            if binding.kind == "local" and binding.decl is not None:
                locals_.append(binding.decl)
            continue
        if node.type == "selector_expression":
            field_node = node.child_by_field_name("field")
            if field_node is not None and field_node.text == b"RemoteAddr" and _mentions(model, node, params):
                return model.source.text(node)
        elif node.type == "call_expression":
            function = node.child_by_field_name("function")
            arguments = node.child_by_field_name("arguments")
            name = function.child_by_field_name("field") if function is not None and function.type == "selector_expression" else function
            name_text = model.source.text(name) if name is not None else ""
            if function is not None and function.type == "selector_expression" and name_text in _CLIENT_ADDRESS_METHODS \
                    and _mentions(model, function.child_by_field_name("operand"), params):
                return model.source.text(node)
            if name_text in _HEADER_READS and arguments is not None and arguments.named_child_count == 1 \
                    and _FORWARDED_HEADER.search(model.source.text(arguments.named_children[0])) and _mentions(model, node, params):
                return model.source.text(node)
            if name is not None and _CLIENT_IP_HELPER.search(name_text) and arguments is not None \
                    and _mentions(model, arguments, params):
                return model.source.text(node)
        if node.type not in FUNCTION_TYPES:
            stack.extend(reversed(node.named_children))
    if depth <= 0:
        return ""
    for decl in locals_:
        for value in _assigned_values(model, decl):
            found = _client_address(model, value, chain, depth - 1)
            if found:
                return found
    return ""


def _assigned_values(model, decl: Node) -> Iterator[Node]:
    """The values a local is given: its initialiser, and what later assignments in its function store
    in it (`id := c.GetString("user_id"); if id == "" { id = c.ClientIP() }`)."""
    value = _declaring_right(decl)
    if value is not None:
        yield value
    binding = model.resolve(decl)
    scope = binding.function.node if binding.function is not None else None
    if scope is None:
        return
    for ref in model.references(decl, within=scope):
        left = ref.parent
        assign = left.parent if left is not None and left.type == "expression_list" else None
        if assign is None or assign.type != "assignment_statement" or assign.child_by_field_name("left") != left:
            continue
        right = assign.child_by_field_name("right")
        index = next((i for i, n in enumerate(left.named_children) if n.id == ref.id), None)
        if right is not None and index is not None and right.named_child_count == left.named_child_count:
            yield right.named_children[index]


def _mentions(model, node: Node | None, params: list[Node]) -> bool:
    return node is not None and any(model.references(p, within=node) for p in params)


def _identifiers(node: Node, limit: int) -> Iterator[Node]:
    """Identifiers of a small expression (a map key): a bounded local walk, not a tree walk."""
    stack = [node]
    seen = 0
    while stack and seen < limit:
        current = stack.pop()
        seen += 1
        if current.type == "identifier":
            yield current
        elif current.type not in FUNCTION_TYPES:
            stack.extend(reversed(current.named_children))


class PackageCalls:
    """Who calls a function of the package, and so how often its code runs.

    Setup: `init`, `main` and package variable initialisers run once; so does a function literal
    called on the spot, deferred, or handed over as a callback inside them (not a goroutine, not a
    handler). A function of the package counts too when every call of it in the package is made
    from setup code (followed a few levels), and so do registration functions (`Register`,
    `MustRegister`, `registerX`) and start-up functions by name (`initX`, `setupX`, `serverMain`):
    registries are filled at start-up by design. A function merely *referenced* from main
    (`http.HandleFunc("/", track)`) runs per request.

    Handlers: a function that a handler of the package calls (a few levels up) runs per request.
    Methods are called through selectors the identifier index does not see; they are not followed.
    """

    _DEPTH = 3

    def __init__(self, pkg: PackageContext):
        self.pkg = pkg
        self._setup_memo: dict[tuple[str, int], bool] = {}
        self._handler_memo: dict[tuple[str, int], bool] = {}

    def _references(self, name: str) -> Iterator[tuple[FileContext, Node]]:
        """References to the package-level function `name` in non-test files (not its declaration)."""
        for ctx in self.pkg.files:
            if ctx.is_test_file or name.encode() not in ctx.source.data:
                continue
            for ident in ctx.model.identifiers_named(name):
                parent = ident.parent
                if parent is not None and parent.type == "function_declaration" and parent.child_by_field_name("name") == ident:
                    continue
                if ctx.model.resolve(ident).kind == "package":
                    yield ctx, ident

    def call_sites(self, name: str) -> list[tuple[FileContext, Node]]:
        """Every call of the package-level function `name` in the package's non-test files, as the
        called identifier; references that are not calls (a value handed on) are left out."""
        return [(ctx, ident) for ctx, ident in self._references(name) if self._is_call(ident)]

    @staticmethod
    def _is_call(ident: Node) -> bool:
        parent = ident.parent
        return parent is not None and parent.type == "call_expression" and parent.child_by_field_name("function") == ident

    def at_setup(self, ctx: FileContext, node: Node, depth: int = 0) -> bool:
        function = ctx.model.enclosing_function(node)
        while function is not None and function.kind == "literal":
            parent = _up(function.node)
            if parent is not None and parent.type == "call_expression" and parent.parent is not None \
                    and parent.parent.type == "go_statement":
                return False  # a goroutine: it runs for as long as it likes
            if is_handler(function):
                return False  # registered from setup code, run per request
            # Called on the spot, deferred, or a callback handed over during setup (a flag
            # action, a `sync.Once`): it runs as often as the code that registers it.
            function = function.parent
        if function is None:
            return True  # a package variable initialiser
        if is_handler(function):
            return False  # registered somewhere, perhaps in another package: per request
        if function.kind == "method":
            return bool(_REGISTRATION_NAME.match(function.name.rsplit(".", 1)[-1]))
        if runs_once_at_startup(ctx.model, function):
            return True
        if _REGISTRATION_NAME.match(function.name) or _SETUP_NAME.search(function.name):
            return True
        return self._only_called_at_setup(function.name, depth)

    def _only_called_at_setup(self, name: str, depth: int) -> bool:
        if depth >= self._DEPTH:
            return False
        # Keyed by depth too: the answer depends on how many levels are left to follow, and the
        # memo is shared by every rule and collection of the package, asked in any order.
        key = (name, depth)
        if key in self._setup_memo:
            return self._setup_memo[key]
        self._setup_memo[key] = False  # a recursive function is not setup code on that account
        calls = 0
        verdict = True
        for ctx, ident in self._references(name):
            if not self._is_call(ident):
                verdict = False  # used as a value: a callback, run at any time
                break
            calls += 1
            if not self.at_setup(ctx, ident.parent, depth + 1):
                verdict = False
                break
        # An unexported function nobody in the package calls is dead code (or reached through
        # reflection): no evidence that it runs per request. An exported one is API: it may be.
        result = verdict and (calls > 0 or not name[:1].isupper())
        self._setup_memo[key] = result
        return result

    def reached_from_handler(self, function: Function | None, depth: int = 0) -> bool:
        if function is None or function.kind != "func" or depth >= self._DEPTH:
            return False
        name = function.name
        key = (name, depth)
        if key in self._handler_memo:
            return self._handler_memo[key]
        self._handler_memo[key] = False
        result = False
        for ctx, ident in self._references(name):
            if not self._is_call(ident):
                continue
            chain = list(_function_chain(ctx.model.enclosing_function(ident)))
            if any(is_handler(fn) for fn in chain) or (chain and self.reached_from_handler(chain[-1], depth + 1)):
                result = True
                break
        self._handler_memo[key] = result
        return result


def describe_sites(sites: Iterable[GrowthSite], source: str = "key") -> str:
    """`handle (handler, key from the request), track`: each inserting function once."""
    seen: dict[str, list[str]] = {}
    for site in sites:
        notes = seen.setdefault(site.function_name, [])
        if site.in_handler and not any(note in ("handler", "a handler calls it") for note in notes):
            # written in a handler (or a literal of one), or in a function that handlers call
            direct = any(is_handler(fn) for fn in _function_chain(site.function)) if site.function is not None else True
            notes.append("handler" if direct else "a handler calls it")
        if site.client_address and not any(note.startswith("key from the client's address") for note in notes):
            notes.append(f"key from the client's address `{_short(site.client_address)}`")
        elif site.request_key and f"{source} from the request" not in notes:
            notes.append(f"{source} from the request")
    parts = [f"{display_name(name)} ({', '.join(notes)})" if notes else display_name(name) for name, notes in seen.items()]
    if len(parts) > 4:
        parts = parts[:4] + [f"{len(parts) - 4} more"]
    return ", ".join(parts)


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:37] + "..."


def client_address(sites: Iterable[GrowthSite]) -> str:
    """The first read of the client's address that a site's key is made from, or ""."""
    return next((site.client_address for site in sites if site.client_address), "")


# A key named for an account's id (`userID`, `accountId`, `uid`, `claims.UserID`, `c.GetString("user_id")`):
# one entry per user of the service, which only signing up adds to. Not a name (`username`): a failed
# login's is whatever the client typed.
_IDENTITY_NAME = LazyPattern(r"(?i)^(?:user|account|acct|member|customer|player)_?id$|^uid$")
# What an authentication middleware set on the request's context, read back.
_CONTEXT_GETTERS = frozenset({"Get", "MustGet", "GetString", "GetInt", "GetInt64", "GetUint", "GetUint64", "Value",
                              "Locals"})
# Reads of what the client sent: an id in a path, query, form or header is whatever it chose.
_CLIENT_SENT = LazyPattern(r"\.(?:Param|Params|Query|DefaultQuery|QueryParam|PostForm|DefaultPostForm|FormValue|"
                           r"PostFormValue|GetHeader|Header|URL)\b")


def identity_keyed(sites: list[GrowthSite]) -> bool:
    """Every site whose key comes from the request keys by the user's identity, and none by the
    client's address: the map holds one entry per account, bounded by the users a service has
    (judged DEBATABLE wherever it was seen), not one per address or request."""
    # Without a key from the request, the key parameter's name is the evidence the map fills per
    # client (`allow(userId int64, …)`, whose callers no handler by its parameters reaches)
    keyed = [site for site in sites if site.request_key] or [site for site in sites if not site.in_handler]
    return bool(keyed) and not any(site.client_address for site in sites) \
        and all(_identity_name(site.use.ctx, site.use.key) for site in keyed)


def _identity_name(ctx: FileContext, key: Node | None) -> bool:
    """The key names an account: an identifier, a selector's field, or the literal a context getter
    reads (`c.GetString("userID")`), through conversions and type assertions (`uint(uid)`,
    `strconv.Itoa(userID)`, `c.MustGet("uid").(string)`)."""
    for _ in range(4):
        if key is None:
            return False
        if key.type in ("parenthesized_expression", "type_assertion_expression"):
            key = key.named_children[0] if key.named_children else None
            continue
        if key.type == "identifier":
            if not _IDENTITY_NAME.search(ctx.source.text(key)):
                return False
            binding = ctx.model.resolve(key)
            value = single_initialiser(binding.decl) if binding.kind == "local" and binding.decl is not None else None
            return value is None or not _CLIENT_SENT.search(ctx.source.text(value))
        if key.type == "selector_expression":
            field_node = key.child_by_field_name("field")
            return field_node is not None and bool(_IDENTITY_NAME.search(ctx.source.text(field_node)))
        if key.type == "call_expression":
            function = key.child_by_field_name("function")
            arguments = key.child_by_field_name("arguments")
            args = [a for a in arguments.named_children if a.type != "comment"] if arguments is not None else []
            name = function.child_by_field_name("field") if function is not None and function.type == "selector_expression" else None
            if name is not None and ctx.source.text(name) in _CONTEXT_GETTERS and len(args) == 1 \
                    and args[0].type == "interpreted_string_literal":
                return bool(_IDENTITY_NAME.search(ctx.source.text(args[0]).strip('"')))
            if len(args) != 1:
                return False
            key = args[0]  # `uint(uid)`, `strconv.Itoa(userID)`, `fmt.Sprint(id)`
            continue
        return False
    return False


# ---- maps in struct fields of process-lifetime values -------------------------------------------

# Key names that say one entry per client: an address, a token, a user or session id.
# Not `host`: a server's or a registry's host (`cache.Set(host, creds)`) far more often than a client's.
# The short ones only as words of their own (`sid`, `sidKey`, `clientIP`; not `side`, `ipfs`, `uidx`).
_PER_CLIENT_NAME = LazyPattern(r"(?i)(^|_)(addr|address|remote|client|token|session|user|visitor|login|email|phone"
                               r"|(?:ip|sid|uid)(?!(?-i:[a-z])))")


@dataclass
class FieldMap:
    """A map field of a struct type of the package, held for the life of the process."""

    type_name: str
    field: str
    decl_ctx: FileContext
    node: Node  # the field's name in the struct declaration
    holder: str  # the package variable (or getter) that holds a value of the type
    sites: list[GrowthSite] = field(default_factory=list)


def _struct_specs(ctx: FileContext) -> Iterator[tuple[Node, Node]]:
    """(name, struct_type) of every `type X struct {…}` of the file, local types included, in
    source order: found from each `struct` in the bytes (a find in C) instead of a walk of the tree,
    which cost a third of a parse per file."""
    data = ctx.source.data
    root = ctx.source.root
    at = data.find(b"struct")
    while at != -1:
        node = root.named_descendant_for_byte_range(at, at + 6)
        if node is not None and node.type == "struct_type" and node.start_byte == at:
            spec = node.parent
            if spec is not None and spec.type == "type_spec" and spec.child_by_field_name("type") == node:
                name = spec.child_by_field_name("name")
                if name is not None and name.type == "type_identifier":
                    yield name, node
        at = data.find(b"struct", at + 6)


def field_map_growth(pkg: PackageContext) -> list[FieldMap]:
    """Map fields of structs that a package variable, a package-level map or a singleton getter
    holds for the life of the process, inserted into through that value with a per-client key
    (from a request in a handler, or a key parameter named for a client) and never deleted from,
    cleared, replaced, capped by a `len` check or handed to other code."""
    files = [ctx for ctx in pkg.files if not ctx.is_test_file]
    if not files or _TEST_SUPPORT_PACKAGE.search(files[0].model.package):
        return []
    candidates: list[FieldMap] = []
    for ctx in files:
        if ctx.relpath not in pkg.report_paths or b"map[" not in ctx.source.data:
            continue
        for name_node, struct in _struct_specs(ctx):
            type_name = ctx.source.text(name_node)
            for field_list in struct.named_children:
                for decl in field_list.named_children:
                    type_text = ctx.model.type_text(decl.child_by_field_name("type")) if decl.type == "field_declaration" else ""
                    key = re.match(r"^map\[(.*?)\]", type_text)
                    if not key or key.group(1) in _SMALL_KEY_TYPES:
                        continue
                    for name in decl.children_by_field_name("name"):
                        candidates.append(FieldMap(type_name, ctx.source.text(name), ctx, name, ""))
    if not candidates:
        return []
    calls = pkg.facts.calls
    holders = _Holders(pkg, files)
    found = []
    for candidate in candidates:
        holder = holders.holder_of(candidate.type_name)
        if holder is None:
            continue
        candidate.holder = holder
        sites = _field_growth(pkg, files, candidate, holders, calls)
        if sites:
            candidate.sites = sites
            found.append(candidate)
    return found


class _Holders:
    """Which struct types of the package a process-lifetime value holds: a package variable of the
    type (`var limiter = NewIPRateLimiter(…)`, `var store *Store`), a package-level map of them
    (`map[string]*Counter{…}`), and the package functions that return such a variable (a
    singleton getter)."""

    def __init__(self, pkg: PackageContext, files: list[FileContext]):
        self.pkg = pkg
        self.files = files
        self._functions: dict[str, Function] = {}
        for ctx in files:
            for decl in ctx.source.declarations:
                if decl.type == "function_declaration":
                    function = ctx.model.function_of(decl)
                    if function is not None:
                        self._functions.setdefault(function.name, function)
        self.vars: dict[str, tuple[str, PackageVar, FileContext]] = {}  # var name -> (type, var, ctx)
        for ctx in files:
            for name, var in ctx.model.package_vars.items():
                held = self._held_type(ctx, var)
                if held:
                    self.vars.setdefault(name, (held, var, ctx))

    def _held_type(self, ctx: FileContext, var: PackageVar) -> str | None:
        type_text = var.type
        value = var.value
        if not type_text and value is not None:
            if value.type == "unary_expression" and value.named_child_count == 1:
                value = value.named_children[0]
            if value.type == "composite_literal":
                type_text = ctx.model.type_text(value.child_by_field_name("type"))
            elif value.type == "call_expression":
                callee = value.child_by_field_name("function")
                function = self._functions.get(ctx.source.text(callee)) if callee is not None and callee.type == "identifier" else None
                type_text = function.results[0].type if function is not None and function.results else ""
        element = re.match(r"^map\[[^\]]*\](.*)$", type_text or "")
        if element:
            type_text = element.group(1)
        name = re.sub(r"\[.*$", "", (type_text or "").lstrip("*"))
        return name if name and "." not in name else None

    def holder_of(self, type_name: str) -> str | None:
        for name, (held, _, _) in self.vars.items():
            if held == type_name:
                return name
        return None

    def held_value(self, ctx: FileContext, expr: Node | None, alias: bool = False) -> str | None:
        """The type of the process-lifetime value `expr` denotes: a holder variable, an element of
        a holder map, or a call of a getter that returns a holder variable; with `alias`, also a
        local initialised from one of those."""
        while expr is not None and expr.type == "parenthesized_expression" and expr.named_child_count == 1:
            expr = expr.named_children[0]
        if expr is None:
            return None
        if expr.type == "index_expression":
            expr = expr.child_by_field_name("operand")
            if expr is None or expr.type != "identifier":
                return None
        if expr.type == "identifier":
            binding = ctx.model.resolve(expr)
            if binding.kind == "local" and binding.decl is not None and alias:
                # `l := limiters[rule]`, then `l.Get(ip)`: a local made from a holder holds it too
                return self.held_value(ctx, single_initialiser(binding.decl), alias=False)
            if binding.kind != "package":
                return None
            found = self.vars.get(ctx.source.text(expr))
            return found[0] if found is not None else None
        if expr.type == "call_expression":
            callee = expr.child_by_field_name("function")
            if callee is None or callee.type != "identifier" or (expr.child_by_field_name("arguments") or expr).named_child_count:
                return None
            function = self._functions.get(ctx.source.text(callee))
            if function is None or function.body is None:
                return None
            model = function._model()
            for statement in function.body.named_children[0].named_children if function.body.named_children else []:
                if statement.type == "return_statement" and statement.named_child_count == 1:
                    values = statement.named_children[0]
                    value = values.named_children[0] if values.type == "expression_list" and values.named_child_count == 1 else values
                    if value.type == "identifier" and model.resolve(value).kind == "package":
                        found = self.vars.get(model.source.text(value))
                        return found[0] if found is not None else None
        return None

    def function(self, name: str) -> Function | None:
        return self._functions.get(name)


def _field_growth(pkg: PackageContext, files: list[FileContext], fm: FieldMap, holders: _Holders,
                  calls: PackageCalls) -> list[GrowthSite]:
    grows: list[Use] = []
    for ctx in files:
        if fm.field.encode() not in ctx.source.data:
            continue
        model = ctx.model
        for at in _field_hits(ctx, fm.field):
            selector = at.parent
            operand = selector.child_by_field_name("operand")
            owner = _owner_type(ctx, operand, holders)
            if owner is not None and owner != fm.type_name:
                continue  # a field of the same name in another type
            use = _field_use(ctx, selector)
            if use.kind in (REMOVE, ESCAPE):
                function = model.enclosing_function(selector)
                if use.kind == REMOVE and function is not None and function.kind == "func" and function.results \
                        and re.sub(r"\[.*$", "", function.results[0].type.lstrip("*")) == fm.type_name:
                    continue  # a constructor filling in the field
                return []
            if use.kind == GROW and owner == fm.type_name:
                grows.append(use)
    sites = []
    for use in grows:
        function = use.ctx.model.enclosing_function(use.site)
        if _constant_key(use) or function is None or _field_len_guarded(use, function, fm.field):
            continue
        evidence = _per_client(use, function, holders, calls, fm.type_name)
        if evidence is None:
            continue
        in_handler, request_key, client = evidence
        sites.append(GrowthSite(use, function, in_handler, request_key, per_event=True, client_address=client))
    return sites


def _field_hits(ctx: FileContext, name: str) -> Iterator[Node]:
    """`x.name` selectors in the file, by a byte search and a node lookup per hit."""
    from .source import name_hits

    key = name.encode("utf-8", "surrogateescape")
    for at in name_hits(ctx.source.data, key):
        node = ctx.source.root.named_descendant_for_byte_range(at, at + len(key))
        if node is not None and node.type == "field_identifier" and node.start_byte == at and node.parent is not None \
                and node.parent.type == "selector_expression" and node.parent.child_by_field_name("field") == node:
            yield node


def _owner_type(ctx: FileContext, operand: Node | None, holders: _Holders) -> str | None:
    """The package type of `x` in `x.f`: a method's receiver, or a process-lifetime value."""
    if operand is not None and operand.type == "identifier":
        binding = ctx.model.resolve(operand)
        if binding.kind == "receiver" and binding.function is not None and binding.function.receiver is not None:
            return re.sub(r"\[.*$", "", binding.function.receiver.type.lstrip("*"))
    return holders.held_value(ctx, operand)


def _field_use(ctx: FileContext, selector: Node) -> Use:
    parent = _up(selector)
    if parent is None:
        return Use(ESCAPE, selector, ctx, selector)
    if parent.type == "index_expression" and parent.child_by_field_name("operand") == selector:
        statement = _assigned_target(parent)
        if statement is not None:
            return Use(GROW, selector, ctx, statement, parent.child_by_field_name("index"))
        if parent.parent is not None and parent.parent.type in ("inc_statement", "dec_statement"):
            return Use(GROW, selector, ctx, parent.parent, parent.child_by_field_name("index"))
        return Use(READ, selector, ctx, parent)
    if parent.type == "selector_expression":
        return Use(READ, selector, ctx, parent)  # `x.f.something`: not a map operation we know
    return _common_use(ctx, selector, parent)


def _field_len_guarded(use: Use, function: Function, name: str) -> bool:
    """`if len(l.limiters) > max { … }` in the inserting function: the author has capped it."""
    if function.body is None:
        return False
    text = use.ctx.source.text(function.body)
    return bool(re.search(rf"len\(\s*[\w.]*\b{re.escape(name)}\s*\)\s*(<|<=|>|>=|==|!=)|(<|<=|>|>=|==|!=)\s*len\(\s*[\w.]*\b{re.escape(name)}\s*\)", text))


def _per_client(use: Use, function: Function, holders: _Holders, calls: PackageCalls,
                type_name: str) -> tuple[bool, bool, str] | None:
    """(in a handler, key from the request, the read of the client's address it is made from) when
    the insert's key is per client: it comes from a request in a handler (directly or through the
    callers of the inserting method, followed one method deep, and through methods of the type
    that pass their own parameter on), or the method's key parameter is named for a client. None
    otherwise."""
    chain = list(_function_chain(function))
    if any(is_handler(fn) for fn in chain):
        request = _from_request(use, chain)
        return True, request, _client_address(use.ctx.model, use.key, chain) if request else ""
    positions = _key_positions(use.ctx.model, use.key, function)
    if not positions or function.kind != "method":
        return None
    counts = [0, 0]  # calls seen, calls passing something other than a constant
    verdict = _callers_verdict(use, function, [index for index, _ in positions], holders, calls, type_name, counts,
                               depth=3, seen={function.node.id} if function.node is not None else set())
    # No caller in a handler: the key parameter's name is the evidence, unless every call the
    # package makes passes a constant (a fixed set of keys).
    if verdict is None and (counts[1] or not counts[0]) and any(_PER_CLIENT_NAME.search(name) for _, name in positions):
        return False, False, ""
    return verdict


def _key_positions(model, key: Node | None, function: Function) -> list[tuple[int, str]]:
    """(index, name) of the parameters of `function` that the key mentions."""
    positions = []
    for ident in _identifiers(key, limit=64) if key is not None else ():
        binding = model.resolve(ident)
        if binding.kind == "param" and binding.function is function and binding.decl is not None:
            index = parameter_index(binding.decl)
            if index is not None:
                positions.append((index, binding.name))
    return positions


def _callers_verdict(use: Use, function: Function, indexes: list[int], holders: _Holders, calls: PackageCalls,
                     type_name: str, counts: list[int], depth: int, seen: set[int]) -> tuple[bool, bool, str] | None:
    """The strongest evidence the callers of method `function` give for the key parameters at
    `indexes`: see _per_client."""
    method = function.name.rsplit(".", 1)[-1]
    verdict: tuple[bool, bool, str] | None = None
    for ctx, call, operand in _method_calls(holders, method):
        args = call.child_by_field_name("arguments")
        if args is None:
            continue
        # A local made from the holder (`l := limiters[rule]`, then `l.Get(ip)`) counts only with
        # the client's address for a key: that alone says the map fills per client.
        aliased = False
        if _owner_type(ctx, operand, holders) != type_name:
            if holders.held_value(ctx, operand, alias=True) != type_name:
                continue
            aliased = True
        caller = ctx.model.enclosing_function(call)
        caller_chain = list(_function_chain(caller))
        method_caller = caller is not None and caller.kind == "method" and not any(is_handler(fn) for fn in caller_chain)
        same_type = method_caller and caller.receiver is not None \
            and re.sub(r"\[.*$", "", caller.receiver.type.lstrip("*")) == type_name
        for index in indexes:
            if index >= args.named_child_count:
                continue
            argument = args.named_children[index]
            if same_type:
                # Another method of the type passing its own parameter on (`GetLimiter(ip)` calls
                # `AddIP(ip)`): its callers decide.
                passed = _key_positions(ctx.model, argument, caller)
                if passed and depth > 0 and caller.node is not None and caller.node.id not in seen:
                    seen.add(caller.node.id)
                    verdict = _stronger(verdict, _callers_verdict(use, caller, [i for i, _ in passed], holders, calls,
                                                                  type_name, counts, depth - 1, seen))
                continue
            arg_use = Use(GROW, use.ident, ctx, call, argument)
            # A method of another type counts only with the client's address of a request it was
            # given (a rule engine's `check(rule, req)` passing `clientIP(req)`).
            client = _client_address(ctx.model, argument, caller_chain)
            if (method_caller or aliased) and not client:
                continue
            counts[0] += 1
            if _constant_key(arg_use):
                continue
            counts[1] += 1
            in_handler = any(is_handler(fn) for fn in caller_chain) or calls.reached_from_handler(caller_chain[-1] if caller_chain else None)
            request = (in_handler and _from_request(arg_use, caller_chain)) or bool(client)
            if in_handler or client:
                verdict = _stronger(verdict, (in_handler, request, client))
    return verdict


def _stronger(a: tuple[bool, bool, str] | None, b: tuple[bool, bool, str] | None) -> tuple[bool, bool, str] | None:
    """The better evidence of two: a key from the request over none, the client's address over
    another key from the request; the first when neither is better."""
    if a is None:
        return b
    if b is not None and ((b[1] and not a[1]) or (b[2] and not a[2])):
        return b
    return a


def _method_calls(holders: _Holders, method: str) -> Iterator[tuple[FileContext, Node, Node]]:
    """`x.method(…)` calls in the package's non-test files: (file, call, x)."""
    for ctx in holders.files:
        if method.encode() not in ctx.source.data:
            continue
        for node in _field_hits(ctx, method):
            selector = node.parent
            call = selector.parent
            if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == selector:
                yield ctx, call, selector.child_by_field_name("operand")
