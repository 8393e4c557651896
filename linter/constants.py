"""Integer constants the code spells out: literals, named constants and simple arithmetic on them.

`const workers = 3; ch := make(chan error, workers)` sizes a buffer as surely as `make(chan error,
3)` does. A name is folded only when it is a constant (a `const` spec of the function or of the
package, in any file), with an explicit value that uses no `iota`; arithmetic is `+ - * / % << >>`
and parentheses over such values. Anything else (a variable, a parameter, `len(x)`, a call) is not a
constant here, and callers treat it as they treat any expression whose value they cannot count.
"""

from __future__ import annotations

import re

from typing import TYPE_CHECKING

from tree_sitter import Node

from .source import query_captures

if TYPE_CHECKING:
    from .model import FileModel

_DEPTH = 8  # constants defined from constants: enough for real code, and no cycle can loop


def int_constant(model: "FileModel | None", node: Node | None, depth: int = _DEPTH) -> int | None:
    """The value of an integer constant expression, or None when it is not one we can fold.
    Without a model, names are not resolved: literals and arithmetic on them only."""
    if node is None or depth <= 0:
        return None
    kind = node.type
    if kind == "int_literal":
        try:
            return int(node.text.decode().replace("_", ""), 0)
        except ValueError:
            return None
    if kind == "parenthesized_expression":
        return int_constant(model, node.named_children[0], depth) if node.named_child_count == 1 else None
    if kind == "unary_expression":
        operator = node.child_by_field_name("operator")
        value = int_constant(model, node.child_by_field_name("operand"), depth)
        if value is None or operator is None:
            return None
        return {"-": -value, "+": value}.get(operator.text.decode())
    if kind == "binary_expression":
        operator = node.child_by_field_name("operator")
        left = int_constant(model, node.child_by_field_name("left"), depth)
        right = int_constant(model, node.child_by_field_name("right"), depth)
        if left is None or right is None or operator is None:
            return None
        return _apply(operator.text.decode(), left, right)
    if kind == "identifier" and model is not None:
        return _named(model, node, depth)
    return None


def _apply(operator: str, left: int, right: int) -> int | None:
    if operator == "+":
        return left + right
    if operator == "-":
        return left - right
    if operator == "*":
        return left * right
    if operator in ("/", "%"):
        if right == 0:
            return None
        quotient = abs(left) // abs(right) * (1 if (left >= 0) == (right >= 0) else -1)  # Go truncates
        return quotient if operator == "/" else left - quotient * right
    if operator in ("<<", ">>") and 0 <= right < 64:
        return left << right if operator == "<<" else left >> right
    return None


def _named(model: "FileModel", ident: Node, depth: int) -> int | None:
    binding = model.resolve(ident)
    if binding.kind not in ("local", "package") or binding.decl is None:
        return None
    spec = binding.decl.parent
    if spec is None or spec.type != "const_spec":
        return None
    values = spec.child_by_field_name("value")
    names = spec.children_by_field_name("name")
    if values is None or len(names) != values.named_child_count:
        return None  # an implicit repetition of the spec above (iota lists): not folded
    index = next((i for i, name in enumerate(names) if name.id == binding.decl.id), -1)
    if index < 0:
        return None
    value = values.named_children[index]
    if b"iota" in value.text:
        return None
    # declared in another file of the package: read with that file's model, whose scopes resolve
    # its names (or, when the package's files are not known, from its text alone)
    return int_constant(_declaring_model(model, binding), value, depth - 1)


def _declaring_model(model: "FileModel", binding) -> "FileModel | None":
    """The model of the file that declares a package-level name `binding` resolved to: `model`
    itself, or a sibling file's; None when it cannot be found."""
    if binding.kind != "package" or binding.name in model.top_level_names:
        return model
    return next((other for other, declared in model.package_declarations(binding.name)
                 if declared.id == binding.decl.id), None)


_EXITS = """
[(break_statement) (continue_statement) (return_statement) (goto_statement)] @exit
"""


def loop_count(model: "FileModel", loop: Node) -> int | None:
    """How many times a `for` loop runs its body, when its header says so with constants and its
    body has no way to cut it short: `for i := 0; i < workers; i++`, `for i := range 3` (Go 1.22).

    A `break`, `continue`, `return` or `goto` in the body (outside function literals, whose own
    returns end only the literal) makes the count unknown, and so does any other header. The index
    is not checked for assignments in the body."""
    if loop.type != "for_statement":
        return None
    header = next((c for c in loop.named_children if c.type in ("for_clause", "range_clause")), None)
    if header is None:
        return None
    if header.type == "range_clause":
        count = int_constant(model, header.child_by_field_name("right"))
    else:
        count = _clause_count(model, header)
    if count is None or count < 0:
        return None
    body = loop.child_by_field_name("body")
    if body is None or _cut_short(body):
        return None
    return count


def _clause_count(model: "FileModel", clause: Node) -> int | None:
    init = clause.child_by_field_name("initializer")
    condition = clause.child_by_field_name("condition")
    update = clause.child_by_field_name("update")
    if init is None or init.type != "short_var_declaration" or condition is None \
            or condition.type != "binary_expression" or update is None or update.type != "inc_statement":
        return None
    left = init.child_by_field_name("left")
    right = init.child_by_field_name("right")
    if left is None or right is None or left.named_child_count != 1 or right.named_child_count != 1:
        return None
    index = left.named_children[0].text
    start = int_constant(model, right.named_children[0])
    operand = condition.child_by_field_name("left")
    operator = condition.child_by_field_name("operator")
    bound = int_constant(model, condition.child_by_field_name("right"))
    if start is None or bound is None or operand is None or operand.text != index or operator is None \
            or update.named_child_count != 1 or update.named_children[0].text != index:
        return None
    op = operator.text.decode()
    if op in ("<", "!="):
        return max(bound - start, 0)
    if op == "<=":
        return max(bound - start + 1, 0)
    return None


def _cut_short(body: Node) -> bool:
    for exit_ in query_captures(_EXITS, body).get("exit", []):
        current = exit_.parent
        while current is not None and current.id != body.id and current.type != "func_literal":
            current = current.parent
        if current is not None and current.id == body.id:
            return True
    return False


# ---- durations --------------------------------------------------------------------------------

# A timer of less than a minute is garbage for less than a minute after it is made: what code that
# leaves such timers behind holds is bounded by its rate times the duration (GL402, GL403).
SHORT_TIMER = 60 * 10**9

_TIME_UNITS = {"Nanosecond": 1, "Microsecond": 10**3, "Millisecond": 10**6, "Second": 10**9, "Minute": 60 * 10**9,
               "Hour": 3600 * 10**9}


def duration_nanoseconds(model: "FileModel", node: Node | None, depth: int = 6, unchanged=None) -> int | None:
    """Nanoseconds of a constant duration: `10 * time.Millisecond`, `time.Duration(5) * time.Second`,
    a const of the package spelled that way; None when it is computed at run time. With
    `unchanged` (a predicate on names: package_vars_unchanged), also a package variable of this
    file set so in its declaration and nowhere else (`var sendEventTime = 10 * time.Millisecond`)."""
    if node is None or depth <= 0:
        return None
    kind = node.type
    if kind == "selector_expression":
        name = model.qualified(node) or ""
        return _TIME_UNITS.get(name[len("time."):]) if name.startswith("time.") else None
    if kind == "parenthesized_expression" and node.named_child_count == 1:
        return duration_nanoseconds(model, node.named_children[0], depth - 1)
    if kind == "call_expression" and model.qualified(node) == "time.Duration":
        args = node.child_by_field_name("arguments")
        return duration_nanoseconds(model, args.named_children[0], depth - 1) if args is not None and args.named_child_count == 1 else None
    if kind == "binary_expression":
        operator = model.source.text(node.child_by_field_name("operator"))
        left = duration_nanoseconds(model, node.child_by_field_name("left"), depth - 1)
        right = duration_nanoseconds(model, node.child_by_field_name("right"), depth - 1)
        if left is None or right is None:
            return None
        return left * right if operator == "*" else left // right if operator == "/" and right else \
            left + right if operator == "+" else None
    if kind == "identifier":
        binding = model.resolve(node)
        spec = binding.decl.parent if binding.decl is not None else None
        folded = spec is not None and (spec.type == "const_spec" or (
            spec.type == "var_spec" and binding.kind == "package" and unchanged is not None
            and len(spec.children_by_field_name("name")) == 1 and unchanged(binding.name)))
        values = spec.child_by_field_name("value") if folded else None
        if values is None or values.named_child_count != 1:
            return None  # a variable, or an iota list: not folded
        # also declared in another file of the package (`const fetchTimeout = 5` in config.go)
        owner = _declaring_model(model, binding)
        return duration_nanoseconds(owner, values.named_children[0], depth - 1, unchanged) if owner else None
    return int_constant(model, node)


def package_vars_unchanged(pkg):
    """A predicate on a package variable's name: whether no non-test file of the package (a
    PackageContext; PackageFacts.unchanged_vars keeps one per package) assigns it, changes it or
    takes its address beyond its declaration (`sendEventTime = …` once, no `sendEventTime = …`,
    `+=`, `++`, `a, sendEventTime = …` or `&sendEventTime` elsewhere), read from the files' bytes
    once per name. Tests that shorten it for speed do not count."""
    files = [c for c in pkg.files if not c.is_test_file]
    seen: dict[str, bool] = {}

    def unchanged(name: str) -> bool:
        found = seen.get(name)
        if found is None:
            word = re.escape(name.encode())
            assigned = re.compile(rb"(?<![\w.])" + word + rb"\s*(?:,[^=\n;]*)?(?:[-+*/%|&^]|<<|>>)?=(?!=)|,\s*" + word
                                  + rb"\s*(?:,[^=\n;]*)?=(?!=)|(?<![\w.])" + word + rb"\s*(?:\+\+|--)|&\s*" + word + rb"(?!\w)")
            found = seen[name] = sum(len(assigned.findall(c.source.data)) for c in files) <= 1
        return found

    return unchanged


def spell_duration(nanoseconds: int) -> str:
    """`10ms`, `30s`, `1h`: a duration as Go code would write it."""
    for unit, size in (("h", 3600 * 10**9), ("m", 60 * 10**9), ("s", 10**9), ("ms", 10**6), ("µs", 10**3)):
        if nanoseconds >= size and nanoseconds % size == 0:
            return f"{nanoseconds // size}{unit}"
    return f"{nanoseconds}ns"
