"""Recovery of the Go that tree-sitter-go 0.25 rejects: only where the tree is broken, byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from goleaklint.recovery import error_extent
from goleaklint.rule import NotificationKind
from goleaklint.source import SourceFile, new_parser

from .conftest import FIXTURES

NEW_EXPR_FIXTURE = next((FIXTURES / "syntax" / "go1.26").glob("*.go")).read_bytes()


def _source(text: str | bytes) -> SourceFile:
    data = text.encode() if isinstance(text, str) else text
    return SourceFile(Path("x.go"), "x.go", data, new_parser())


def _changed_offsets(source: SourceFile) -> list[int]:
    """Where the bytes tree-sitter parsed differ from the file's."""
    root = source.root
    parsed = root.text
    assert len(parsed) == root.end_byte - root.start_byte
    return [root.start_byte + i for i, (a, b) in enumerate(zip(parsed, source.data[root.start_byte:])) if a != b]


def test_only_the_broken_call_is_rewritten_not_strings_comments_or_valid_calls():
    text = ('package p\n\n'
            '// new(1) in a comment, /* new(2) */ too\n'
            'var s = `new(3)` + "new(4" + string(rune(\'n\'))\n'
            'var ok = new([]int)\n'
            'func f() { _ = new(map[string]int); p := new(5); _ = p }\n')
    source = _source(text)
    assert not source.has_errors
    at = text.index("new(5)")
    assert _changed_offsets(source) == [at + 2]  # `new` -> `ne_`
    # The valid calls next to it keep the grammar's `new(Type)` shape.
    kinds = [call.child_by_field_name("arguments").named_children[0].type
             for call in _calls(source) if source.text(call.child_by_field_name("function")) == "new"]
    assert kinds == ["slice_type", "map_type", "int_literal"]


def _calls(source: SourceFile):
    stack = [source.root]
    found = []
    while stack:
        node = stack.pop()
        if node.type == "call_expression":
            found.append(node)
        stack.extend(node.children)
    return sorted(found, key=lambda n: n.start_byte)


def test_a_valid_file_is_parsed_once_and_never_rewritten():
    source = _source("package p\n\nvar x = new(int)\nvar y = `new(1)`\n")
    assert not source.has_errors and source._recovery is None


def test_generic_method_type_parameters_become_spaces_newlines_kept():
    text = "package p\n\nfunc (r *R) Map[\n\tU any,\n](f func() U) U { return f() }\n"
    source = _source(text)
    assert not source.has_errors
    start, end = text.index("["), text.index("]") + 1
    parsed = source.root.text  # the file starts with `package`: offsets are the file's
    assert parsed[start:end] == b" \n" + b" " * len("\tU any,") + b"\n "
    assert parsed[:start] == source.data[:start] and parsed[end:] == source.data[end:]
    method = source.root.named_children[1]
    assert method.type == "method_declaration"
    assert source.text(method.child_by_field_name("name")) == "Map"


def test_calls_of_variables_named_new_or_make_parse():
    source = _source("package p\n\nfunc f(new func(int) int) int {\n\tvar make func(int) int\n"
                     "\treturn new(1) + make(2 * 3)\n}\n")
    assert not source.has_errors


def test_an_unrelated_syntax_error_stays_reported_at_its_line_and_new_expr_still_parses():
    source = _source("package p\n\nfunc f() *string {\n\treturn new(\"x\")\n}\n\nfunc g() {\n\tx := )\n}\n")
    assert source.has_errors
    assert source.syntax_problem() == (8, "syntax error: linted as far as the parse allows")
    first = source.root.named_children[1]
    assert first.type == "function_declaration" and not first.has_error


def test_an_unrecoverable_new_expr_is_named_at_its_line():
    source = _source("package p\n\nfunc f() {\n\tx := 1\n\tp := new(x +)\n\t_ = p\n}\n")
    line, message = source.syntax_problem()
    assert line == 5
    assert message == "`new(expr)` (Go 1.26) could not be parsed: linted as far as the parse allows"


def test_an_error_far_from_a_construct_is_not_blamed_on_it():
    # An unclosed brace at the top makes one error node of the whole file; the `make` calls inside
    # it are valid and must not be named as the cause.
    source = _source("package p\n\nfunc f() {\n\tif true {\n\tb := make([]byte, 10)\n\t_ = make(map[string]int, len(b))\n")
    line, message = source.syntax_problem()
    assert message == "syntax error: linted as far as the parse allows"


def test_the_syntax_notification_names_the_construct(lint_tree):
    result = lint_tree({"a.go": "package a\n\nfunc F() {\n\tp := new(1 +)\n\t_ = p\n}\n"})
    [note] = result.notifications
    assert note.kind is NotificationKind.SYNTAX and note.line == 4
    assert note.message.startswith("`new(expr)` (Go 1.26) could not be parsed")


@settings(max_examples=int(os.environ.get("GOLEAKLINT_FUZZ_EXAMPLES", "60")), deadline=None,
          derandomize="CI" in os.environ, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_recovery_never_makes_a_tree_worse_nor_moves_a_byte(data):
    """Cut, duplicate or drop a piece of the Go 1.26 fixture: whatever the result, the recovered
    tree is no more broken than the plain parse, and has exactly the file's length."""
    raw = NEW_EXPR_FIXTURE
    start = data.draw(st.integers(0, len(raw)))
    end = data.draw(st.integers(start, min(len(raw), start + 200)))
    action = data.draw(st.sampled_from(["drop", "double", "truncate"]))
    mutated = (raw[:start] + raw[end:] if action == "drop" else
               raw[:end] + raw[start:] if action == "double" else raw[:end])
    plain = new_parser().parse(mutated)
    source = _source(mutated)
    root = source.root
    assert (root.start_byte, root.end_byte) == (plain.root_node.start_byte, plain.root_node.end_byte)
    assert len(root.text) == root.end_byte - root.start_byte
    assert error_extent(source.root) <= error_extent(plain.root_node)
    if source._recovery is not None:
        assert _shape(source.root) == _shape(new_parser().parse(source._recovery.data).root_node)
        source.syntax_problem()


def _shape(root) -> list[tuple[str, int, int]]:
    """Every node's type and byte span, in order."""
    shape = []
    stack = [root]
    while stack:
        node = stack.pop()
        shape.append((node.type, node.start_byte, node.end_byte))
        stack.extend(reversed(node.children))
    return shape


def test_the_incremental_reparse_gives_the_tree_a_full_parse_gives():
    """The rewritten copy is re-parsed incrementally, from the broken tree: the result must be the
    tree a fresh parse of the copy builds, node for node."""
    for path in sorted((FIXTURES / "syntax").rglob("*.go")):
        source = _source(path.read_bytes())
        if source._recovery is not None:
            fresh = new_parser().parse(source._recovery.data)
            assert _shape(source.root) == _shape(fresh.root_node), path.name
