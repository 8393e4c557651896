"""Which origins a file's CORS setting admits, read from the literals it spells.

A CORS setting says browsers of other origins call the package's server (GL502's cross-origin
sign). One that admits only loopback origins (`AllowOrigins: []string{"http://localhost:5173"}`)
says the opposite: its browser front end runs on the developer's machine, as in a project wired for
local development. Only literals decide: an origin read from a setting, an environment variable or
a variable may be anything, and an allow-all option or an origin function admits every host.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from .model import FileModel, parameter_index, single_initialiser
from .patterns import LazyPattern

# Where a setting names its origins: a key or field (gin-contrib, echo, fiber, rs/cors), gorilla's
# option, the response header.
_ORIGIN_SETTING = LazyPattern(rb"\bAllow(?:ed)?Origins\b|Access-Control-Allow-Origin")
# Settings that admit every origin, or origins a function picks.
_ADMITS_ANY = LazyPattern(rb"\bAllowAllOrigins\b|\bAllow(?:ed)?OriginFunc\b|\bAllowOriginRequestFunc\b|"
                          rb"\bAllowOriginWithContextFunc\b|\bcors\.(?:Default|AllowAll)\(\)|\bCORS\(\)")
_LOOPBACK_ORIGIN = re.compile(r"^https?://(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d{1,5})?/?$", re.I)
_LITERALS = frozenset({"interpreted_string_literal", "raw_string_literal", "interpreted_string_literal_content",
                       "raw_string_literal_content", "escape_sequence", "composite_literal", "literal_value",
                       "literal_element", "slice_type", "array_type", "type_identifier", "implicit_length_array_type"})


def loopback_origins_only(model: FileModel, functions=None) -> bool:
    """Every origin the file's CORS settings admit is a loopback URL it spells, and it spells one.
    With the package's functions (goroutines.PackageFunctions), an origin a middleware of the
    package takes as a parameter is read at every call of it in the package."""
    data = model.source.data
    if _ADMITS_ANY.search(data) is not None:
        return False
    root = model.source.root
    found = False
    for match in _ORIGIN_SETTING.finditer(data):
        node = root.descendant_for_byte_range(match.start(), match.end())
        if node is not None and node.type in ("comment",):
            continue
        value = _origin_value(node)
        if value is None:
            return False  # an origin setting this reader does not follow
        origins = _literal_origins(model, value, functions)
        if origins is None or not origins or not all(_LOOPBACK_ORIGIN.match(o) for o in origins):
            return False
        found = True
    return found


def _origin_value(node: Node | None) -> Node | None:
    """The expression that gives the origins at a mention of the setting: the value of
    `AllowOrigins: …`, the right side of `c.AllowOrigins = …`, the arguments of
    `handlers.AllowedOrigins(…)`, the value of `Header().Set("Access-Control-Allow-Origin", …)`."""
    if node is None:
        return None
    if node.type in ("interpreted_string_literal_content", "raw_string_literal_content"):
        node = node.parent  # the header's name
        arguments = node.parent if node is not None else None
        if arguments is None or arguments.type != "argument_list" or arguments.named_child_count != 2 \
                or arguments.named_children[0].id != node.id:
            return None
        return arguments.named_children[1]
    parent = node.parent
    if parent is None:
        return None
    if parent.type == "literal_element" and parent.parent is not None and parent.parent.type == "keyed_element":
        keyed = parent.parent
        return keyed.named_children[1] if keyed.named_child_count == 2 and keyed.named_children[0].id == parent.id else None
    if parent.type == "keyed_element":  # older grammars: the key is the element itself
        return parent.named_children[1] if parent.named_child_count == 2 and parent.named_children[0].id == node.id else None
    if parent.type == "selector_expression":
        holder = parent.parent
        if holder is not None and holder.type == "call_expression" and holder.child_by_field_name("function") == parent:
            return holder.child_by_field_name("arguments")
        if holder is not None and holder.type == "expression_list" and holder.parent is not None \
                and holder.parent.type == "assignment_statement" and holder.parent.child_by_field_name("left") == holder:
            right = holder.parent.child_by_field_name("right")
            return right if right is not None and right.named_child_count == 1 else None
    return None


def _literal_origins(model: FileModel, value: Node, functions=None, depth: int = 0) -> list[str] | None:
    """The origins the value spells, each a string of the literal split at commas and spaces;
    None when anything in it is not a literal (a setting, a call) or a name it cannot follow: a
    local set once from one (`origins := []string{…}`), a range variable over such a value (`for
    _, o := range allowed`), or, given the package's functions, a parameter every call of its
    function in the package passes such a value for."""
    origins: list[str] = []
    stack = [(model, value, depth)]
    while stack:
        model, node, depth = stack.pop()
        if node.type in ("interpreted_string_literal", "raw_string_literal"):
            text = model.source.text(node)[1:-1]
            origins += [part for part in re.split(r"[,\s]+", text) if part]
            continue
        if node.type == "identifier":
            followed = _followed(model, node, functions) if depth < 4 else None
            if followed is None:
                return None
            stack.extend((owner, value, depth + 1) for owner, value in followed)
            continue
        if node.type not in _LITERALS and node.type not in ("argument_list", "expression_list"):
            return None
        stack.extend((model, child, depth) for child in node.named_children)
    return origins


def _followed(model: FileModel, name: Node, functions) -> list[tuple[FileModel, Node]] | None:
    """What a name in an origin value stands for (see _literal_origins), or None."""
    from .addresses import reassigned

    binding = model.resolve(name)
    decl = binding.decl
    if decl is None or binding.kind not in ("local", "param"):
        return None
    if binding.kind == "local":
        if reassigned(model, decl):
            return None
        clause = decl.parent.parent if decl.parent is not None else None
        if clause is not None and clause.type == "range_clause":
            left = clause.child_by_field_name("left")
            ranged = clause.child_by_field_name("right")
            # the value of `for _, o := range xs`, not the index
            if left is None or left.named_child_count != 2 or left.named_children[1].id != decl.id or ranged is None:
                return None
            return [(model, ranged)]
        value = single_initialiser(decl)
        return [(model, value)] if value is not None else None
    index = parameter_index(decl)
    function = model.enclosing_function(decl)
    if functions is None or index is None or function is None or function.kind != "func":
        return None
    found = []
    for ctx, occurrence in functions.occurrences(function.name):
        call = occurrence.parent
        if occurrence.id == function.node.child_by_field_name("name").id:
            continue
        if call is None or call.type != "call_expression" or call.child_by_field_name("function") != occurrence:
            return None  # the function handed on as a value: its callers are out of sight
        arguments = call.child_by_field_name("arguments").named_children
        if index >= len(arguments):
            return None
        found.append((ctx.model, arguments[index]))
    return found or None
