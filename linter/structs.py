"""The declared type of a struct field reached through a variable: `p.Client`, `c.Req`.

Struct types are looked up among the package's top-level names, so a struct declared in a sibling
file counts like one declared here; its field types are read with the imports of the file that
declares it. One level deep: `x.F` where x is a parameter, receiver or variable whose declared type
(or composite-literal initialiser) names a struct of the package, or a struct of the package that
struct embeds (a promoted field).
"""

from __future__ import annotations

import re
from typing import Callable, Iterator

from tree_sitter import Node

from .model import Binding, FileModel, import_names


def field_type(model: FileModel, selector: Node) -> str | None:
    """The declared, import-resolved type of `x.F`, when x's declared type is a struct of this
    package with a field, or an embedded field, named F."""
    operand = selector.child_by_field_name("operand")
    field = selector.child_by_field_name("field")
    if operand is None or field is None or operand.type != "identifier":
        return None
    name = field.text.decode("utf-8", "replace")
    struct = struct_of(model, declared_type_node(model, model.resolve(operand)))
    if struct is None:
        return None
    fields = struct_fields(model, struct)
    if name in fields:
        return fields[name]
    # A field promoted from an embedded struct of the package (`AgentsClient` embedding
    # `RESTClient[I, O]`, whose `Client` it is), one level down.
    for embedded in _embedded_types(struct):
        inner = struct_of(model, embedded)
        if inner is not None and inner.id != struct.id:
            found = struct_fields(model, inner).get(name)
            if found is not None:
                return found
    return None


def struct_of(model: FileModel, type_node: Node | None) -> Node | None:
    """The `struct_type` of the package struct `type_node` names (through a pointer, without type
    arguments), or None."""
    if type_node is not None and type_node.type == "pointer_type" and type_node.named_child_count == 1:
        type_node = type_node.named_children[0]
    if type_node is not None and type_node.type == "generic_type":  # `RESTClient[I, O]`
        type_node = type_node.child_by_field_name("type")
    if type_node is None or type_node.type != "type_identifier":
        return None
    binding = model.resolve(type_node)
    spec = binding.decl.parent if binding.kind == "package" and binding.decl is not None else None
    struct = spec.child_by_field_name("type") if spec is not None and spec.type == "type_spec" else None
    return struct if struct is not None and struct.type == "struct_type" else None


def _embedded_types(struct: Node) -> list[Node]:
    """The type nodes of a struct's embedded fields."""
    declarations = next((c for c in struct.named_children if c.type == "field_declaration_list"), None)
    return [declared for declaration in (declarations.named_children if declarations is not None else [])
            if declaration.type == "field_declaration" and not declaration.children_by_field_name("name")
            for declared in [declaration.child_by_field_name("type")] if declared is not None]


def struct_fields(model: FileModel, struct: Node) -> dict[str, str]:
    """Field name -> import-resolved type of a package struct's fields."""
    found: dict[str, str] = {}
    for name, text, _ in declared_fields(struct, lambda node: type_in_its_file(model, node), embedded=True):
        found[name] = text
    return found


def declared_fields(struct: Node, type_text: Callable[[Node], str], *,
                    embedded: bool = False) -> Iterator[tuple[str, str, Node]]:
    """(field name, import-resolved type, field declaration) of a `struct_type` node, in order:
    the one reading of a struct's fields (the summary's field types, the package's struct table,
    the field a selector names). `type_text` resolves a type node with the imports of the struct's
    file; an embedded field is named after its type when `embedded`."""
    declarations = next((c for c in struct.named_children if c.type == "field_declaration_list"), None)
    for declaration in (declarations.named_children if declarations is not None else []):
        declared = declaration.child_by_field_name("type") if declaration.type == "field_declaration" else None
        if declared is None:
            continue
        names = [n.text for n in declaration.children_by_field_name("name")]
        if not names and embedded:  # named after its type
            inner = declared.named_children[-1] if declared.type == "pointer_type" and declared.named_child_count else declared
            last = inner.child_by_field_name("name") if inner.type == "qualified_type" else inner
            names = [last.text] if last is not None else []
        if not names:
            continue
        text = type_text(declared)
        for name in names:
            yield name.decode("utf-8", "replace"), text, declaration


def declared_type_node(model: FileModel, binding: Binding) -> Node | None:
    """The type node a parameter, receiver or variable is declared with, or the type of the
    composite literal it is initialised with."""
    decl = binding.decl
    if decl is None:
        return None
    if binding.kind in ("param", "receiver") and binding.function is not None:
        for param in [*binding.function.params, *([binding.function.receiver] if binding.function.receiver else [])]:
            if param.node is not None and param.node.start_byte == decl.start_byte:
                return param.type_node
        return None
    spec = decl.parent
    value = None
    if spec is not None and spec.type == "var_spec":
        declared = spec.child_by_field_name("type")
        if declared is not None:
            return declared
        values = spec.child_by_field_name("value")
        value = values.named_children[0] if values is not None and values.named_child_count == 1 else None
    elif spec is not None and spec.type == "expression_list" and spec.parent is not None \
            and spec.parent.type == "short_var_declaration" and spec.named_child_count == 1:
        right = spec.parent.child_by_field_name("right")
        value = right.named_children[0] if right is not None and right.named_child_count == 1 else None
    if value is not None and value.type == "unary_expression" and value.named_child_count == 1:
        value = value.named_children[0]
    if value is not None and value.type == "composite_literal":
        return value.child_by_field_name("type")
    return None


def type_in_its_file(model: FileModel, type_node: Node) -> str:
    root = type_node
    while root.parent is not None:
        root = root.parent
    if root == model.source.root:
        return model.type_text(type_node)
    specs: list[tuple[str | None, str]] = []
    for declaration in root.named_children:
        if declaration.type != "import_declaration":
            continue
        stack = [declaration]
        while stack:
            spec = stack.pop()
            stack.extend(spec.named_children)
            if spec.type != "import_spec":
                continue
            path = spec.child_by_field_name("path")
            name = spec.child_by_field_name("name")
            import_path = path.text.decode("utf-8", "replace").strip('"`') if path is not None else ""
            specs.append((name.text.decode() if name is not None else None, import_path))
    imports = import_names(specs)
    text = type_node.text.decode("utf-8", "replace").replace(" ", "")
    # Every `pkg.T` in it, as FileModel.type_text does: `map[string]*svc.Codec` as well as `*svc.Codec`.
    return _QUALIFIED_NAME.sub(
        lambda m: f"{m.group(1)}{imports[m.group(2)]}.{m.group(3)}" if m.group(2) in imports else m.group(0), text)


_QUALIFIED_NAME = re.compile(r"(^|[^\w.])([A-Za-z_]\w*)\.([A-Za-z_]\w*)")


def _type_specs(declarations, kind: str) -> Iterator[tuple[Node, Node]]:
    """(name, type) of the top-level `type X …` declarations whose type is of `kind`: types are
    declared at the top level (a function's local types are not the package's), so no walk of the
    tree."""
    for decl in declarations:
        if decl.type != "type_declaration":
            continue
        for spec in decl.named_children:
            if spec.type != "type_spec":
                continue
            name, declared = spec.child_by_field_name("name"), spec.child_by_field_name("type")
            if name is not None and declared is not None and declared.type == kind:
                yield name, declared


def struct_specs(declarations) -> Iterator[tuple[Node, Node]]:
    """(name, struct_type) of the top-level `type X struct {…}` declarations."""
    return _type_specs(declarations, "struct_type")


def function_type_specs(declarations) -> Iterator[tuple[Node, Node]]:
    """(name, function_type) of the top-level `type Factory func(…) …` declarations."""
    return _type_specs(declarations, "function_type")


def parameter_count(parameters: Node | None) -> int:
    """How many parameters a `parameter_list` declares: `a, b int` is two, `int` one."""
    count = 0
    for declaration in (parameters.named_children if parameters is not None else ()):
        if declaration.type in ("parameter_declaration", "variadic_parameter_declaration"):
            count += max(1, len(declaration.children_by_field_name("name")))
    return count


# A parameter's type that names another package's type, as FileModel.type_text writes it, by import
# path (`*github.com/gin-gonic/gin.Engine`, `context.Context`): two such types of one package under
# two names are two types, which a method signature must match exactly to implement an interface's.
_QUALIFIED_TYPE = re.compile(r"(\*?)([\w./-]+)\.([A-Za-z_]\w*)")


def parameter_types(parameters: Node | None, type_text) -> list[str]:
    """The type of each parameter a `parameter_list` declares, as `type_text` writes it (`a, b int`
    is two `int`), `...T` for a variadic one; [] when none names another package's type, the only
    ones compared (signatures_conflict)."""
    types: list[str] = []
    for declaration in (parameters.named_children if parameters is not None else ()):
        if declaration.type in ("parameter_declaration", "variadic_parameter_declaration"):
            text = type_text(declaration.child_by_field_name("type"))
            if declaration.type == "variadic_parameter_declaration":
                text = "..." + text
            types += [text] * max(1, len(declaration.children_by_field_name("name")))
    return types if any(_QUALIFIED_TYPE.fullmatch(t) for t in types) else []


def signatures_conflict(declared: list[str], implemented: list[str]) -> bool:
    """Two parameter lists of one length that cannot be one signature: at some position both name a
    type of one package under different names, or one a pointer to it and the other not
    (`Register(*gin.Engine)` against `Register(*gin.RouterGroup)`). Anything else may match: a
    package's own type against another's spelling of it, an alias, a type these names do not say."""
    if len(declared) != len(implemented):
        return False
    for left, right in zip(declared, implemented):
        a, b = _QUALIFIED_TYPE.fullmatch(left), _QUALIFIED_TYPE.fullmatch(right)
        if a is not None and b is not None and a.group(2) == b.group(2) and \
                (a.group(3) != b.group(3) or a.group(1) != b.group(1)):
            return True
    return False


def interface_specs(declarations, type_text) -> Iterator[tuple[Node, list[str], list[Node], list[tuple[str, Node]],
                                                           dict[str, list[str]]]]:
    """(name, its methods as `Name/parameter count`, sorted, the types of the interfaces it embeds,
    (method name, result node) of each method with a result, and {`Name/parameter count`:
    parameter_types} of each method that names another package's type among its parameters) of the
    top-level `type X interface {…}` declarations: `Reader` and `io.Closer` in `interface { Reader;
    io.Closer; Flush() error }`. Type sets (`~int | string`) add nothing."""
    for name, body in _type_specs(declarations, "interface_type"):
        elements = [element for element in body.named_children
                    if element.type == "method_elem" and element.child_by_field_name("name") is not None]
        keys = [f'{element.child_by_field_name("name").text.decode("utf-8", "replace")}/'
                f'{parameter_count(element.child_by_field_name("parameters"))}' for element in elements]
        embedded = [element.named_children[0] for element in body.named_children
                    if element.type == "type_elem" and element.named_child_count == 1
                    and element.named_children[0].type in ("type_identifier", "qualified_type")]
        results = [(element.child_by_field_name("name").text.decode("utf-8", "replace"), result)
                   for element in elements if (result := element.child_by_field_name("result")) is not None]
        parameters = {key: types for key, element in zip(keys, elements)
                      if (types := parameter_types(element.child_by_field_name("parameters"), type_text))}
        yield name, sorted(set(keys)), embedded, results, parameters


def stored_in_field(literal: Node) -> bytes | None:
    """The field a value is stored in as its struct literal is made: `srv` for the `&http.Server{…}`
    of `T{srv: &http.Server{…}}`, so that what is later done to `x.srv` can be followed."""
    node = literal.parent if literal.parent is not None and literal.parent.type == "unary_expression" else literal
    value = node.parent
    element = value.parent if value is not None and value.type == "literal_element" else None
    if element is None or element.type != "keyed_element" or element.child_by_field_name("value") != value:
        return None
    key = element.child_by_field_name("key")
    ident = key.named_children[0] if key is not None and key.named_child_count == 1 else None
    return ident.text if ident is not None and ident.type in ("identifier", "field_identifier") else None


_CONFIGURED_SERVER = re.compile(rb"&?http\.Server\s*\{\s*[A-Za-z_]")


def replaced_server_placeholder(model: FileModel, literal: Node) -> bool:
    """An empty `&http.Server{}` bound to a local that its function assigns a server literal setting
    some field again (`redirect := &http.Server{}` for the shutdown code, then `redirect =
    &http.Server{Addr: …}` where one is needed): the empty one is a placeholder, and what serves is
    the other, which GL501 and GL502 check themselves."""
    holder = literal.parent
    if holder is not None and holder.type == "unary_expression":
        holder = holder.parent
    statement = holder.parent if holder is not None and holder.type == "expression_list" else None
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement", "var_spec"):
        return False
    if statement.type == "var_spec":  # `var srv = http.Server{}`
        declared = statement.children_by_field_name("name")
    else:
        left = statement.child_by_field_name("left")
        declared = left.named_children if left is not None else []
    if len(declared) != holder.named_child_count:
        return False
    # the literal, or the `&` that takes its address, is one of the statement's values
    value = literal if literal.parent is not None and literal.parent.id == holder.id else literal.parent
    name = declared[[c.id for c in holder.named_children].index(value.id)]
    decl = model.resolve(name).decl if name.type == "identifier" else None
    function = model.enclosing_function(decl) if decl is not None else None
    if function is None:
        return False
    for ref in model.references(decl, within=function.node):
        targets = ref.parent
        assigned = targets.parent if targets is not None and targets.type == "expression_list" else None
        if assigned is None or assigned.type != "assignment_statement" or assigned.child_by_field_name("left") != targets \
                or assigned.id == statement.id:
            continue
        values = assigned.child_by_field_name("right")
        index = [c.id for c in targets.named_children].index(ref.id)
        if values is not None and values.named_child_count == targets.named_child_count and \
                _CONFIGURED_SERVER.match(model.source.text(values.named_children[index]).encode()):
            return True
    return False
