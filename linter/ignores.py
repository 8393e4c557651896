"""Context parameters a function ignores, across the module.

A handler that starts `go func(ctx *gin.Context) { s.Log.Create(ctx, entry) }(c)` keeps gin's pooled
context past its return only if something down the call chain reads it. Often nothing does: the
service passes it to a repository, whose one implementation never touches it (`repo.DB.Create(&e)`).
GL301 follows a request value one call deep within its package; this follows it through every
package and interface of the module, for the values whose keeping matters only if they are read:
a framework's pooled context (gin, echo, fiber, fasthttp) and a `context.Context` it may be given
as.

In the workers (`record`, per file): for each such parameter of a function, and for each such
parameter of an enclosing function that a goroutine's literal captures (`go func() { … c … }()`),
the slot is kept when every use of it is a plain argument of a call the module model can resolve
(`f(ctx)`, `s.repo.Save(ctx, x)`): `[function, slot, [[callee reference, argument index], …]]`,
the slot an argument index or a captured name. An unnamed or blank parameter has no uses. Any other
use (`ctx.JSON(…)`, `db.WithContext(ctx)` of a dependency, stored, returned) keeps no slot.

In the parent (`ignored_slots`): a slot is ignored when every call it is passed to reaches only
functions (every implementation, through an interface) that ignore the parameter it lands in. The
greatest such set, found by striking out slots until none falls: a function that passes its
context only to itself ignores it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from . import frameworks as fw
from .goroutines import go_call
from .patterns import LazyPattern

if TYPE_CHECKING:
    from .callgraph import _FileSummariser
    from .lifetime import ModuleModel, _Resolver

CONTEXT = "context.Context"
# A parameter list that may hold one of the types below, by its bytes: most do not, and resolving
# every parameter type of every function costs (linter/model.py Function.params).
_MAY_HOLD = LazyPattern(rb"Context|Ctx\b|RequestCtx")


def kept_type(type_text: str) -> bool:
    """A parameter of this (import-resolved) type holds a value that matters only if read."""
    return type_text == CONTEXT or fw.request_kind(type_text) in fw.POOLED_KINDS


def hook(function: str, slot: int | str) -> str:
    """How a finding names a slot (Finding.handoffs): `function#0`, `function#c`."""
    return f"{function}#{slot}"


def record(summariser: "_FileSummariser") -> None:
    model = summariser.model
    data = model.source.data
    if _MAY_HOLD.search(data) is None:
        return
    found: dict[tuple[str, int | str], list | None] = {}
    for function in model.functions:
        parameters = function.node.child_by_field_name("parameters")
        if parameters is not None and _MAY_HOLD.search(data, parameters.start_byte, parameters.end_byte):
            for index, param in enumerate(function.params):
                if param.type.startswith("..."):
                    break  # positions past a variadic one do not line up with arguments
                if not kept_type(param.type):
                    continue
                within = function.body
                uses = [] if param.node is None or param.name == "_" or within is None else \
                    _plain_arguments(summariser, param.node, within)
                _keep(found, (function.name, index), uses)
        if function.kind == "literal" and _started(function.node):
            outer = function.parent
            while outer is not None:
                for param in outer.params:
                    if param.node is None or param.name == "_" or not kept_type(param.type):
                        continue
                    if model.references(param.node, within=function.node):
                        _keep(found, (function.name, param.name),
                              _plain_arguments(summariser, param.node, function.node))
                outer = outer.parent
    if b"go " in data:
        _started_calls(summariser, found)
    for (name, slot), uses in found.items():
        if uses is not None:
            summariser.summary.ignores.append([name, slot, uses])


def _started_calls(summariser: "_FileSummariser", found: dict) -> None:
    """`go h.audit.Record(c, e)`: each plain name the goroutine's call is given is a slot of the
    function that starts it, `go<line>.<index>`, passed to that one call."""
    model = summariser.model
    for go in model.go_statements:
        call = go_call(go)
        callee = call.child_by_field_name("function") if call is not None else None
        arguments = call.child_by_field_name("arguments") if call is not None else None
        function = model.enclosing_function(go)
        if callee is None or arguments is None or function is None or callee.type not in ("identifier", "selector_expression"):
            continue
        target = None
        for index, argument in enumerate(arguments.named_children):
            if argument.type != "identifier":
                continue
            if target is None:
                target = summariser._reference(callee, function, called=True)
                if target is None or target[0] == "M" and not summariser._module_type(target[1]):
                    break
            _keep(found, (function.name, started_slot(go, index)), [[target, index]])


def started_slot(go: Node, index: int) -> str:
    """The slot of the `index`th argument of a `go` statement's call (`go12.0`)."""
    return f"go{go.start_point[0] + 1}.{index}"


def _keep(found: dict, key: tuple, uses: list | None) -> None:
    # Two slots of one name (a literal capturing two enclosing `c`s): neither is known to be ignored.
    found[key] = None if key in found else uses


def _started(literal: Node) -> bool:
    """`go func(…) {…}(…)`: the literal a go statement runs."""
    call = literal.parent
    return call is not None and call.type == "call_expression" and call.parent is not None \
        and call.parent.type == "go_statement" and call.child_by_field_name("function") == literal


def _plain_arguments(summariser: "_FileSummariser", decl: Node, within: Node) -> list | None:
    """[[callee reference, argument index], …] when every use of `decl` within `within` is a plain
    argument of a call the module model can resolve; None otherwise."""
    model = summariser.model
    uses: list = []
    for ref in model.references(decl, within=within):
        arguments = ref.parent
        call = arguments.parent if arguments is not None and arguments.type == "argument_list" else None
        if call is None or call.type != "call_expression":
            return None
        callee = call.child_by_field_name("function")
        function = model.enclosing_function(call)
        if callee is None or function is None or callee.type not in ("identifier", "selector_expression"):
            return None
        target = summariser._reference(callee, function, called=True)
        if target is None or target[0] == "M" and not summariser._module_type(target[1]):
            return None
        index = next(i for i, argument in enumerate(arguments.named_children) if argument.id == ref.id)
        use = [target, index]
        if use not in uses:
            uses.append(use)
    return uses


def ignored_slots(model: "ModuleModel", resolver: "_Resolver", method_refs: tuple[str, ...]) -> set[tuple[str, str]]:
    """(directory, hook) of every slot whose value nothing in the module reads."""
    slots: dict[tuple[int, str], list[tuple[int, list]]] = {}  # (node, slot) -> [(package, reference, index)]
    for pindex, package in enumerate(model.packages):
        for name, slot, uses in package.summary.ignores:
            node = resolver.local.get((pindex, name))
            if node is not None:
                slots[(node, str(slot))] = [(pindex, target, index) for target, index in uses]
    if not slots:
        return set()
    # Each use's targets, resolved once: (the argument index, the functions the call may run).
    targets: dict[tuple[int, str], list[tuple[str, list[int]]]] = {}
    for key, uses in slots.items():
        reached = []
        for pindex, target, index in uses:
            callee = resolver.resolve(pindex, target)
            callees = [callee] if callee is not None else \
                resolver.implementations(pindex, target) if target[0] in method_refs else []
            reached.append((str(index), callees))
        targets[key] = reached
    ignored = set(slots)
    changed = True
    while changed:
        changed = False
        for key in list(ignored):
            if any(not callees or any((callee, index) not in ignored for callee in callees)
                   for index, callees in targets[key]):
                ignored.discard(key)
                changed = True
    return {(model.packages[model.nodes[node].package].summary.directory, hook(model.nodes[node].name, slot))
            for node, slot in ignored}
