"""Channels kept in struct fields, followed across every method and function of their package.

A channel in an unexported field `T.f` can only be touched by code of its own package, unless that
code hands it on: so once the package's every `x.f` is found and none of them hands it on, the
package's sends, receives and closes of it are all there are. Rules then ask the questions GL101
and GL102 ask of a local channel (does anyone receive, can the receiver leave first) across methods.

Resolution is by name, without types: an unexported field name declared with a channel type in
exactly one struct of the package, and declared nowhere else in it (no other field, method, or
function of that name), names that field wherever it is selected (`s.f`, `p.inner.f`). Every
occurrence is found by a byte search and a node lookup per hit (PackageFunctions.occurrences),
never by walking trees.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from .channels import in_select_with_alternatives
from .constants import int_constant
from .context import FileContext, PackageContext
from .model import Function, is_channel_type
from .patterns import LazyPattern
from .source import name_hits

# What a use of `x.f` does with the channel.
SEND, RECEIVE, RANGE, CLOSE, HARMLESS, MAKE, ESCAPE = "send", "receive", "range", "close", "harmless", "make", "escape"
ACCESSOR = "accessor"  # `return x.f` as the whole body of an unexported method of x's type
ALIAS = "alias"  # `ch := x.f`: a local that holds the field's channel


@dataclass
class FieldUse:
    ctx: FileContext
    kind: str  # one of the constants above
    node: Node  # send_statement, `<-` unary_expression, range_clause, close call, or the selector itself
    function: Function | None  # the function the use is written in (None at package level)

    @property
    def guarded(self) -> bool:
        """A send or receive that is one case of a select with others: it does not wait alone."""
        return self.kind in (SEND, RECEIVE) and in_select_with_alternatives(self.node)


@dataclass
class FieldChannel:
    type_name: str  # the struct that declares the field
    name: str  # the field's name
    capacities: list[int | None] = field(default_factory=list)  # one per make(chan …) stored in it
    uses: list[FieldUse] = field(default_factory=list)

    def of(self, *kinds: str) -> list[FieldUse]:
        return [use for use in self.uses if use.kind in kinds]

    @property
    def escapes(self) -> bool:
        """Handed on somewhere (returned, passed, stored, set to something not made here), or never
        made in the package: someone out of sight may send, receive or close."""
        return not self.capacities or any(use.kind == ESCAPE for use in self.uses)

    @property
    def unbuffered(self) -> bool:
        return bool(self.capacities) and all(c == 0 for c in self.capacities)


def field_channels(pkg: PackageContext) -> list[FieldChannel]:
    """Every unexported channel field of the package's structs that names one field only, with
    every use of it in the package. Ask `pkg.facts.field_channels`: built once per package."""
    return _field_channels(pkg)


def _is_channel_type(type_text: str) -> bool:
    """`chan T`, `chan<- T`, `<-chan T` as type_text writes them (model.is_channel_type)."""
    return is_channel_type(type_text)


# A field is a channel only if its declared type says so, and the type is read from its text: a
# package none of whose files has the keyword has none, and its structs need not be typed.
# (No `\b` before it: a pattern that begins with a literal skips to its occurrences, ten times faster.)
_CHAN_KEYWORD = LazyPattern(rb"chan\b")


def _field_channels(pkg: PackageContext) -> list[FieldChannel]:
    if not any(_CHAN_KEYWORD.search(ctx.source.data) for ctx in pkg.files):
        return []
    functions = pkg.facts.functions
    structs = functions.struct_fields
    owners: dict[str, set[str]] = {}  # field name -> the structs declaring a field of that name
    channel_fields: dict[str, set[str]] = {}  # field name -> the structs where it is a channel
    for type_name, fields in structs.items():
        for name, type_text in fields.items():
            owners.setdefault(name, set()).add(type_name)
            if _is_channel_type(type_text) and (name[:1].islower() or name[:1] == "_"):
                channel_fields.setdefault(name, set()).add(type_name)
    methods: dict[str, int] = {}
    for declared in functions._declarations:
        last = declared.rsplit(".", 1)[-1]
        methods[last] = methods.get(last, 0) + 1
    found: list[FieldChannel] = []
    for name in sorted(channel_fields):
        # A use whose owner cannot be told is harmless only when the name means one thing here.
        unique = len(owners[name]) == 1 and name not in methods
        channels = {type_name: FieldChannel(type_name, name) for type_name in channel_fields[name]}
        declarations: dict[str, int] = {}
        ambiguous = False
        for ctx, node in functions.occurrences(name):
            parent = node.parent
            if parent is None:
                continue
            if parent.type == "field_declaration":
                owner = _declaring_struct(ctx, parent)
                if owner is None:
                    ambiguous = True  # a local or anonymous struct with a field of that name
                    break
                declarations[owner] = declarations.get(owner, 0) + 1
                continue
            if node.type == "identifier" and parent.type == "literal_element":
                owner = _literal_type(ctx, parent)
                channel = channels.get(owner) if owner in owners[name] else \
                    (next(iter(channels.values())) if unique else None)
                if owner is None and not unique:
                    ambiguous = True
                    break
                if channel is not None:
                    _keyed(ctx, node, channel)
                continue
            if node.type != "field_identifier" or parent.type != "selector_expression" \
                    or parent.child_by_field_name("field") != node:
                if node.type == "identifier" and ctx.model.resolve(node).kind in ("local", "param", "result", "receiver"):
                    continue  # a variable that happens to share the name
                if node.type == "identifier" and parent.type == "parameter_declaration":
                    continue
                if unique:
                    channel = next(iter(channels.values()))
                    channel.uses.append(FieldUse(ctx, ESCAPE, node, ctx.model.enclosing_function(node)))
                    continue
                ambiguous = True
                break
            owner = _operand_type(ctx, functions, parent)
            if owner is None or owner not in owners[name]:
                if not unique:
                    ambiguous = True
                    break
                owner = next(iter(channels))
            channel = channels.get(owner)
            if channel is None:
                continue  # the same name on a struct where it is no channel
            kind, use = _classify(ctx, parent)
            if kind == ACCESSOR:
                # `func (p *Pool) out() chan T { return p.results }`: what its calls do is done
                # to the field (`p.out() <- v`), as long as the method's name means it alone.
                accessor = ctx.model.enclosing_function(use)
                method = accessor.name.rsplit(".", 1)[-1] if accessor is not None else ""
                if methods.get(method) == 1 and method not in owners:
                    channel.uses.append(FieldUse(ctx, HARMLESS, use, accessor))
                    channel.uses.extend(_accessor_uses(functions, method, accessor))
                    continue
                kind = ESCAPE
            if kind == ALIAS:
                # `ch := s.events; ch <- v`: the local's uses are the field's
                channel.uses.append(FieldUse(ctx, HARMLESS, parent, ctx.model.enclosing_function(parent)))
                channel.uses.extend(_alias_uses(ctx, use))
                continue
            channel.uses.append(FieldUse(ctx, kind, use, ctx.model.enclosing_function(use)))
        if ambiguous:
            continue
        for type_name, channel in sorted(channels.items()):
            if declarations.get(type_name) != 1:
                continue  # declared twice (build-tagged twins): not one field
            for use in channel.of(MAKE):
                channel.capacities.append(_capacity_of(use.ctx, use.node))
            found.append(channel)
    return found


def unset_fields(pkg: PackageContext, channels: list[FieldChannel]) -> frozenset[str]:
    """Names of channel fields no code of the package sets: no `make` is stored in them, nothing is
    assigned to them or handed them, and no literal of their struct lists its values by position
    (`T{a, b}`). The fields are unexported, so nothing outside the package sets them either: they
    stay nil. A name is given only when every struct that declares it as a channel leaves it so."""
    unset: dict[str, bool] = {}
    for channel in channels:
        never = not channel.capacities and not channel.of(ESCAPE) \
            and not _positional_literal(pkg, channel.type_name)
        unset[channel.name] = unset.get(channel.name, True) and never
    return frozenset(name for name, never in unset.items() if never)


def _positional_literal(pkg: PackageContext, type_name: str) -> bool:
    """A composite literal whose type mentions the package's struct `type_name` (`T{…}`, `&T{…}`,
    `[]T{…}`) and whose body has an element that is not keyed: `T{a, b}` or `[]T{{a, b}}` may set
    any field by position, and `[]T{x}` holds values made elsewhere."""
    needle = type_name.encode("utf-8", "surrogateescape")
    for ctx in pkg.files:
        if needle not in ctx.source.data:
            continue
        for at in name_hits(ctx.source.data, needle):
            node = ctx.source.root.named_descendant_for_byte_range(at, at + len(needle))
            if node is None or node.type != "type_identifier":
                continue
            while node.parent is not None and node.parent.type not in ("composite_literal", "source_file", "block"):
                node = node.parent
            literal = node.parent
            if literal is None or literal.type != "composite_literal" or literal.child_by_field_name("type") != node:
                continue
            body = literal.child_by_field_name("body")
            if body is not None and any(c.type not in ("keyed_element", "comment") for c in body.named_children):
                return True
    return False


def _accessor_uses(functions, method: str, accessor: Function) -> list[FieldUse]:
    """What every call of an accessor (`p.out()`) does with the channel it returns, judged like a
    use of the field itself; a mention that is not a call of it (a method value) hands it on."""
    uses = []
    for ctx, node in functions.occurrences(method):
        parent = node.parent
        if parent is None or node.id == accessor.node.child_by_field_name("name").id:
            continue
        call = parent.parent if parent.type == "selector_expression" and parent.child_by_field_name("field") == node \
            else None
        arguments = call.child_by_field_name("arguments") if call is not None and call.type == "call_expression" else None
        if arguments is None or call.child_by_field_name("function") != parent or arguments.named_child_count:
            uses.append(FieldUse(ctx, ESCAPE, node, ctx.model.enclosing_function(node)))
            continue
        kind, use = _classify(ctx, call)
        uses.append(FieldUse(ctx, ESCAPE if kind in (ACCESSOR, MAKE) else kind, use, ctx.model.enclosing_function(use)))
    return uses


def _alias_uses(ctx: FileContext, name: Node) -> list[FieldUse]:
    """What the function does with a local that holds the field's channel (`ch := s.events`),
    judged like uses of the field; assigning it anything else makes its later uses another
    channel's, and the field's is then taken for handed on."""
    model = ctx.model
    function = model.enclosing_function(name)
    uses = []
    for ref in model.references(name, within=function.node if function is not None else None):
        kind, use = _classify(ctx, ref)
        if kind in (ACCESSOR, ALIAS, MAKE):
            kind, use = ESCAPE, ref  # reassigned or copied again: no longer followed
        uses.append(FieldUse(ctx, kind, use, model.enclosing_function(use)))
    return uses


def _alias_name(ctx: FileContext, selector: Node, values: Node) -> Node | None:
    """The local `ch` of `ch := s.events` (one name, one value), when `selector` is that value."""
    statement = values.parent
    if statement is None or statement.type != "short_var_declaration" or values.named_child_count != 1 \
            or statement.child_by_field_name("right") != values:
        return None
    names = statement.child_by_field_name("left")
    if names is None or names.named_child_count != 1 or names.named_children[0].type != "identifier" \
            or names.named_children[0].text == b"_":
        return None
    return names.named_children[0] if ctx.model.enclosing_function(statement) is not None else None


def _accessor(ctx: FileContext, selector: Node, statement: Node) -> bool:
    """`return x.f` as the only statement of an unexported method whose receiver is x."""
    function = ctx.model.enclosing_function(statement)
    if function is None or function.kind != "method" or function.receiver is None or function.body is None:
        return False
    name = function.name.rsplit(".", 1)[-1]
    if not (name[:1].islower() or name[:1] == "_"):
        return False  # exported: callers out of sight get the channel
    body = [c for c in function.body.named_children if c.type != "comment"]
    if len(body) == 1 and body[0].type == "statement_list":
        body = [c for c in body[0].named_children if c.type != "comment"]
    operand = selector.child_by_field_name("operand")
    receiver = function.receiver.name
    return len(body) == 1 and body[0].id == statement.id and operand is not None and operand.type == "identifier" \
        and receiver is not None and operand.text == receiver.encode()


def _declaring_struct(ctx: FileContext, declaration: Node) -> str | None:
    """The top-level struct type a field declaration belongs to."""
    fields = declaration.parent
    struct = fields.parent if fields is not None else None
    spec = struct.parent if struct is not None and struct.type == "struct_type" else None
    if spec is None or spec.type != "type_spec" or spec.parent is None or spec.parent.type != "type_declaration" \
            or spec.parent.parent is None or spec.parent.parent.type != "source_file":
        return None
    name = spec.child_by_field_name("name")
    return ctx.source.text(name) if name is not None else None


def _literal_type(ctx: FileContext, element: Node) -> str | None:
    """`T` for the key of `T{f: …}`, `&T{…}`, `pkg.T[K]{…}` is not ours (None)."""
    keyed = element.parent
    value = keyed.parent if keyed is not None else None
    literal = value.parent if value is not None and value.type == "literal_value" else None
    if literal is None or literal.type != "composite_literal":
        return None
    type_node = literal.child_by_field_name("type")
    if type_node is not None and type_node.type == "generic_type":
        type_node = type_node.child_by_field_name("type")
    return ctx.source.text(type_node) if type_node is not None and type_node.type == "type_identifier" else None


def _operand_type(ctx: FileContext, functions, selector: Node) -> str | None:
    """The package type of `x` in `x.f`, when x's declaration says it."""
    operand = selector.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return None
    return functions.value_type(ctx.model, ctx.model.resolve(operand))


def _keyed(ctx: FileContext, key: Node, channel: FieldChannel) -> None:
    """`T{f: make(chan X, n)}`: a make stored in the field; any other value comes from elsewhere."""
    element = key.parent
    keyed = element.parent if element is not None else None
    if keyed is None or keyed.type != "keyed_element" or keyed.named_child_count != 2 \
            or keyed.named_children[0] != element:
        return  # `T{f}`-style positional use of a variable named f: not a key
    value = keyed.named_children[1]
    value = value.named_children[0] if value.type == "literal_element" and value.named_child_count == 1 else value
    channel.uses.append(FieldUse(ctx, MAKE if _is_make(value) else ESCAPE, value, ctx.model.enclosing_function(value)))


def _is_make(value: Node) -> bool:
    if value.type != "call_expression":
        return False
    callee = value.child_by_field_name("function")
    args = value.child_by_field_name("arguments")
    return callee is not None and callee.type == "identifier" and callee.text == b"make" and args is not None \
        and args.named_child_count >= 1 and args.named_children[0].type == "channel_type"


def _capacity_of(ctx: FileContext, make: Node) -> int | None:
    args = make.child_by_field_name("arguments")
    if args is None or args.named_child_count < 2:
        return 0
    value = int_constant(ctx.model, args.named_children[1])
    return value if value is not None and value >= 0 else None


def _classify(ctx: FileContext, selector: Node) -> tuple[str, Node]:
    parent = selector.parent
    while parent is not None and parent.type == "parenthesized_expression":
        selector, parent = parent, parent.parent
    if parent is None:
        return ESCAPE, selector
    if parent.type == "send_statement" and parent.child_by_field_name("channel") == selector:
        return SEND, parent
    if parent.type == "unary_expression" and parent.child_by_field_name("operand") == selector:
        operator = parent.child_by_field_name("operator")
        if operator is not None and operator.text == b"<-":
            return RECEIVE, parent
        return ESCAPE, selector
    if parent.type == "range_clause" and parent.child_by_field_name("right") == selector:
        return RANGE, parent
    if parent.type == "expression_list" and parent.named_child_count == 1 and parent.parent is not None \
            and parent.parent.type == "return_statement" and selector.type == "selector_expression" \
            and _accessor(ctx, selector, parent.parent):
        return ACCESSOR, parent.parent
    if parent.type == "expression_list" and selector.type == "selector_expression":
        alias = _alias_name(ctx, selector, parent)
        if alias is not None:
            return ALIAS, alias
    if parent.type == "binary_expression" and parent.child_by_field_name("operator") is not None \
            and parent.child_by_field_name("operator").text in (b"==", b"!="):
        return HARMLESS, parent  # `s.f == nil`
    if parent.type == "argument_list" and parent.named_child_count == 1:
        call = parent.parent
        callee = call.child_by_field_name("function") if call is not None else None
        if callee is not None and callee.type == "identifier" and ctx.model.resolve(callee).kind == "builtin":
            name = callee.text
            if name == b"close":
                return CLOSE, call
            if name in (b"len", b"cap"):
                return HARMLESS, call
    if parent.type == "expression_list" and parent.parent is not None \
            and parent.parent.type == "assignment_statement" and parent.parent.child_by_field_name("left") == parent:
        statement = parent.parent
        right = statement.child_by_field_name("right")
        index = next((i for i, c in enumerate(parent.named_children) if c == selector), -1)
        if right is not None and right.named_child_count == parent.named_child_count and index >= 0:
            value = right.named_children[index]
            if _is_make(value):
                return MAKE, value
            if value.type == "nil":
                return HARMLESS, statement  # cleared: a nil channel is not handed to anyone
    return ESCAPE, selector
