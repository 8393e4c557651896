"""Whether a read of a request's body runs only for a declared length under a bound.

net/http cuts a body with a declared Content-Length off at that length, and a body of unknown length
(chunked) declares -1: a read under `if r.ContentLength > 0 && r.ContentLength <= max`, or past `if
r.ContentLength < 0 || r.ContentLength > max { return }`, or under a predicate of the package that
says so, reads at most the bound. GL406 skips such a read, and a middleware that buffers only such
bodies buffers no large one for the handlers behind it (linter/routes.py body_buffers).
"""

from __future__ import annotations

from tree_sitter import Node

from .constants import int_constant
from .model import FileModel, assigned_again, block_statements, guarding_ifs, single_initialiser


def length_bounded(model: FileModel, owner: Node, read: Node) -> bool:
    """The read runs only for a request that declares a Content-Length no larger than a bound:
    inside `if r.ContentLength > 0 && r.ContentLength <= max { … }`, or after `if r.ContentLength < 0
    || r.ContentLength > max { return }`. net/http cuts a body with a declared length off at that
    length, and a body of unknown length (chunked) declares -1, so both sides are needed: an upper
    bound alone lets a chunked body through. They may come from two guards (`if r.ContentLength >
    max { return }`, then `if r.ContentLength > 0 { … }`): every guard holds at the read."""
    bounds: set[str | None] = set()
    for statement, holds in guarding_ifs(read, owner):
        condition = statement.child_by_field_name("condition")
        if holds:
            bounds |= _holding_bounds(model, condition)
        elif ends_with_return(statement.child_by_field_name("consequence")):
            bounds |= _holding_bounds(model, condition, negated=True)
        else:
            continue
        if {"known", "below"} <= bounds:
            return True
    return False


def _holding_bounds(model: FileModel, condition: Node | None, negated: bool = False,
                    depth: int = 0) -> set[str | None]:
    """The bounds on a request's declared length that hold where `condition` holds (where it does
    not, `negated`: past an early return): its comparisons of `ContentLength`, also those of a
    local flag set once from a chain of conditions (`capture := cfg.LogBody && loggable(r)`) and of
    a predicate of the package it calls (`loggable(r)`, whose every `return true`-like path comes
    after guards that return false for a length out of bounds)."""
    bounds: set[str | None] = set()
    for operand in _operands(condition, "||" if negated else "&&"):
        if operand.type == "unary_expression" and model.source.text(operand.child_by_field_name("operator")) == "!":
            inner, flipped = _unparenthesized(operand.child_by_field_name("operand")), not negated
        else:
            inner, flipped = operand, negated
        bounds.add(_length_bound(model, inner, negated=flipped))
        if flipped or depth >= 2:
            continue
        if inner.type == "identifier":
            binding = model.resolve(inner)
            value = single_initialiser(binding.decl) if binding.kind == "local" and binding.decl is not None else None
            if value is not None and binding.function is not None and \
                    not assigned_again(model, binding.decl, binding.function.node):
                bounds |= _holding_bounds(model, value, depth=depth + 1)
        elif inner.type == "call_expression":
            bounds |= _predicate_bounds(model, inner, depth + 1)
    return bounds


def _unparenthesized(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _predicate_bounds(model: FileModel, call: Node, depth: int) -> set[str | None]:
    """What a call of a predicate function of the package (`loggable(r)`) says of the declared
    length when it returns true: the bounds of the guards before its first return, each of which
    returns false (`if r.ContentLength < 0 || r.ContentLength > max { return false }`), and of a
    final `return r.ContentLength > 0 && …`. Empty when the predicate may return true first."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier":
        return set()
    declarations = model.package_declarations(model.source.text(function))
    if len(declarations) != 1:
        return set()
    helper_model, name = declarations[0]
    declaration = name.parent
    if declaration is None or declaration.type != "function_declaration":
        return set()
    body = declaration.child_by_field_name("body")
    bounds: set[str | None] = set()
    for statement in block_statements(body):
        if statement.type == "if_statement" and statement.child_by_field_name("alternative") is None \
                and statement.child_by_field_name("initializer") is None \
                and _returns_false(helper_model, statement.child_by_field_name("consequence")):
            bounds |= _holding_bounds(helper_model, statement.child_by_field_name("condition"), negated=True,
                                      depth=depth)
        elif statement.type == "return_statement":
            values = statement.named_children[0].named_children if statement.named_children else []
            if len(values) == 1:
                bounds |= _holding_bounds(helper_model, values[0], depth=depth)
            return bounds
        elif _contains_return(statement):
            return bounds  # it may return true before the guards are all passed
    return bounds


def _returns_false(model: FileModel, block: Node | None) -> bool:
    """The block ends with `return false` and returns nothing else."""
    statements = [s for s in block_statements(block) if s.type != "comment"] if block is not None else []
    if not statements or statements[-1].type != "return_statement":
        return False
    if any(_contains_return(s) for s in statements[:-1]):
        return False
    values = statements[-1].named_children[0].named_children if statements[-1].named_children else []
    return len(values) == 1 and model.source.text(values[0]) == "false"


def _contains_return(node: Node) -> bool:
    return node.type == "return_statement" or any(
        _contains_return(child) for child in node.named_children if child.type not in ("func_literal",))


def _operands(condition: Node | None, operator: str) -> list[Node]:
    """The operands of a chain of `operator` (`a && b && c`), parentheses dropped."""
    if condition is None:
        return []
    while condition.type == "parenthesized_expression" and condition.named_child_count == 1:
        condition = condition.named_children[0]
    op = condition.child_by_field_name("operator")
    if condition.type == "binary_expression" and op is not None and op.type == operator:
        return _operands(condition.child_by_field_name("left"), operator) + \
            _operands(condition.child_by_field_name("right"), operator)
    return [condition]


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}


def _length_bound(model: FileModel, comparison: Node | None, negated: bool = False) -> str | None:
    """What a comparison of a request's `ContentLength` lets through: "known" (a declared length:
    `> 0`, `>= 0`, `!= -1`), "below" (at most a bound: `<= max`, `< 1<<20`), or None. `negated`
    reads the condition of an early return, which lets through what it does not match."""
    if comparison is None or comparison.type != "binary_expression":
        return None
    left, right = comparison.child_by_field_name("left"), comparison.child_by_field_name("right")
    op_node = comparison.child_by_field_name("operator")
    op = op_node.type if op_node is not None else ""
    if op not in _FLIPPED or left is None or right is None:
        return None
    if not _is_content_length(model, left):
        if not _is_content_length(model, right):
            return None
        left, right, op = right, left, _FLIPPED[op]
    if negated:
        op = _NEGATED[op]
    value = int_constant(model, right)
    if value is not None and (op == ">" and value >= -1 or op == ">=" and value >= 0 or op == "!=" and value == -1):
        return "known"
    if op in ("<", "<=") and (value is None or value > 0):
        return "below"
    return None


def _is_content_length(model: FileModel, node: Node) -> bool:
    return node.type == "selector_expression" and model.source.text(node.child_by_field_name("field")) == "ContentLength"


def ends_with_return(block: Node | None) -> bool:
    statements = [s for s in block_statements(block) if s.type != "comment"] if block is not None else []
    return bool(statements) and statements[-1].type == "return_statement"
