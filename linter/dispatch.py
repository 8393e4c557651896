"""Calls through an interface or a function-valued field, approximated inside one package.

Without types, `h.handle(resp)` on a value of an interface type and `s.onResponse(resp)` through a
field of function type run code nobody can name. Inside one package they often can be named:

- an **interface** declared in the package, unexported (or with an unexported method), whose
  method set is spelt out (no embedded interfaces): its implementations are the package's types
  whose declared methods cover the interface's method names. An exported interface with exported
  methods only may be implemented anywhere, so it is not resolved; nor is an interface that no
  type of the package implements, nor one that a type embedding another package's type might
  implement through promoted methods.
- a **function-valued field** of a struct of the package: the functions the package assigns to it
  (`s.f = handle`, `T{f: s.handle}`, `s.f = func(…){…}`). Any other value assigned to a field of
  that name (a parameter, another package's function), or the field's address taken, makes its
  targets unknown.

`targets(ctx, call)` answers with every function the call may run, or None when any is unknown:
the caller then treats the call as today, as one that cannot be resolved. Names are matched
package-wide (a field `f` of two structs pools their assignments): more targets, never fewer.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING

from tree_sitter import Node

from .model import Function
from .structs import struct_specs

if TYPE_CHECKING:
    from .context import FileContext, PackageContext
    from .goroutines import PackageFunctions

Target = tuple["FileContext", Function]

# Embedded types of the standard library whose promoted methods are known not to matter here.
_KNOWN_EMBEDS = frozenset({"sync.Mutex", "sync.RWMutex", "sync.WaitGroup", "sync.Once"})


class PackageDispatch:
    def __init__(self, pkg: "PackageContext"):
        self.pkg = pkg

    @property
    def functions(self) -> "PackageFunctions":
        return self.pkg.facts.functions

    def targets(self, ctx: "FileContext", call: Node) -> list[Target] | None:
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "selector_expression":
            return None
        operand = callee.child_by_field_name("operand")
        name = callee.child_by_field_name("field")
        if operand is None or name is None:
            return None
        method = name.text.decode()
        type_text = self.functions.expression_type(ctx.model, operand)
        if type_text:
            interface = re.sub(r"\[.*$", "", type_text)
            if interface in self._interfaces:
                return self._implementations(interface, method)
        if operand.type == "identifier":
            owner = self.functions.value_type(ctx.model, ctx.model.resolve(operand))
            field_type = self.functions.struct_fields.get(owner or "", {}).get(method) if owner else None
            if field_type and field_type.startswith("func"):
                return self._field_values(method)
        return None

    # -- interfaces --------------------------------------------------------------------------------

    @cached_property
    def _interfaces(self) -> dict[str, frozenset[str] | None]:
        """Interface name -> its method names, for the package's interfaces that only the package can
        implement as far as this approximation goes; None for one whose method set is not spelt out."""
        found: dict[str, frozenset[str] | None] = {}
        for ctx in self.pkg.files:
            if b"interface" not in ctx.source.data:
                continue
            for decl in ctx.source.declarations:
                if decl.type != "type_declaration":
                    continue
                for spec in decl.named_children:
                    name = spec.child_by_field_name("name") if spec.type == "type_spec" else None
                    body = spec.child_by_field_name("type") if name is not None else None
                    if body is None or body.type != "interface_type":
                        continue
                    methods: set[str] = set()
                    spelt = True
                    for element in body.named_children:
                        if element.type == "method_elem":
                            methods.add(element.child_by_field_name("name").text.decode())
                        elif element.type != "comment":
                            spelt = False  # embedded interface or type set
                    type_name = name.text.decode()
                    private = not type_name[:1].isupper() or any(not m[:1].isupper() for m in methods)
                    if private:
                        found[type_name] = frozenset(methods) if spelt and methods else None
        return found

    @cached_property
    def _embeds_foreign(self) -> bool:
        """Some struct of the package embeds a type whose methods the package cannot list."""
        for ctx in self.pkg.files:
            if b"struct" not in ctx.source.data:
                continue
            for _, body in struct_specs(ctx.source.declarations):
                for fields in body.named_children:
                    for field in fields.named_children:
                        if field.type == "field_declaration" and field.child_by_field_name("name") is None:
                            embedded = ctx.model.type_text(field.child_by_field_name("type")).lstrip("*")
                            if embedded not in _KNOWN_EMBEDS:
                                return True
        return False

    def _implementations(self, interface: str, method: str) -> list[Target] | None:
        methods = self._interfaces.get(interface)
        if not methods or method not in methods or self._embeds_foreign:
            return None
        types = {name.split(".", 1)[0] for name in self.functions._declarations if "." in name}
        found: list[Target] = []
        for type_name in sorted(types):
            if type_name == interface or not methods <= set(self.functions.methods(type_name)):
                continue
            target = self.functions.function(f"{type_name}.{method}")
            if target is None or target[1].body is None:
                return None
            found.append(target)
        return found or None

    # -- function-valued fields --------------------------------------------------------------------

    def _field_values(self, field: str) -> list[Target] | None:
        key = ("field", field)
        cache = self.__dict__.setdefault("_field_cache", {})
        if key not in cache:
            cache[key] = self._find_field_values(field)
        return cache[key]

    def _find_field_values(self, field: str) -> list[Target] | None:
        found: list[Target] = []
        for ctx, node in self.functions.occurrences(field):
            parent = node.parent
            if parent is None:
                continue
            value: Node | None = None
            if node.type == "identifier":
                keyed = parent.parent if parent.type == "literal_element" else None
                if keyed is None or keyed.type != "keyed_element" or keyed.child_by_field_name("key") != parent:
                    continue  # a variable of that name, not the field
                value = keyed.child_by_field_name("value")
                if value is not None and value.type == "literal_element" and value.named_child_count == 1:
                    value = value.named_children[0]
            elif parent.type == "selector_expression" and parent.child_by_field_name("field") == node:
                use = parent.parent
                if use is not None and use.type == "call_expression" and use.child_by_field_name("function") == parent:
                    continue  # a call through the field
                if use is not None and use.type == "binary_expression":
                    continue  # `s.f != nil`
                names = use
                statement = names.parent if names is not None and names.type == "expression_list" else None
                if statement is not None and statement.type == "assignment_statement" \
                        and statement.child_by_field_name("left") == names:
                    right = statement.child_by_field_name("right")
                    index = next((i for i, c in enumerate(names.named_children) if c.id == parent.id), -1)
                    if right is None or index < 0 or right.named_child_count != names.named_child_count:
                        return None
                    value = right.named_children[index]
                else:
                    return None  # read, passed on, its address taken: someone else may set or call it
            elif parent.type in ("field_declaration", "method_elem", "method_declaration"):
                continue  # a declaration of the name
            else:
                return None
            target = self._function_value(ctx, value)
            if target is None:
                return None
            found.append(target)
        return found or None

    def _function_value(self, ctx: "FileContext", value: Node | None) -> Target | None:
        """The package function a value names: a function, a method value on a receiver of a
        package type, or a function literal."""
        if value is None:
            return None
        if value.type == "func_literal":
            function = ctx.model.function_of(value)
            return (ctx, function) if function is not None and function.body is not None else None
        if value.type == "identifier":
            binding = ctx.model.resolve(value)
            if binding.kind == "package" and binding.decl is not None and binding.decl.parent is not None \
                    and binding.decl.parent.type == "function_declaration":
                target = self.functions.function(value.text.decode())
                return target if target is not None and target[1].body is not None else None
            return None
        if value.type == "selector_expression":
            operand = value.child_by_field_name("operand")
            name = value.child_by_field_name("field")
            if operand is None or name is None or operand.type != "identifier":
                return None
            type_name = self.functions.value_type(ctx.model, ctx.model.resolve(operand))
            target = self.functions.function(f"{type_name}.{name.text.decode()}") if type_name else None
            return target if target is not None and target[1].body is not None else None
        return None
