"""The engine's shortcuts give the same answers as the slow way: rewritten predicates, function
nodes from the combined query, identifier indexes of one subtree."""

from __future__ import annotations

from pathlib import Path

import pytest
from tree_sitter import Query, QueryCursor

from goleaklint.engine import _FUNCTIONS, _compiled
from goleaklint.predicates import _finite_language, simplify_predicates
from goleaklint.model import FileModel
from goleaklint.registry import all_rules
from goleaklint.source import GO, SourceFile, new_parser

GO_SOURCE = """package p

import "context"

func a(ctx context.Context) {
	context.WithCancel(ctx)
	context.WithCancelCause(ctx)
	context.Withcancel(ctx)
	context.XWithCancel(ctx)
	context.WithCancelX(ctx)
	context.WithTimeoutCause(ctx, 0)
	x.Get()
	x.Post()
	x.Put()
	x.a_b()
	x.aXb()
	x.ab()
	f := func() { g := func() { x.Get() }; _ = g }
	_ = f
}

func (s *S) m(n int) (err error) { return nil }
"""


def _source(text: str = GO_SOURCE) -> SourceFile:
    return SourceFile(Path("p.go"), "p.go", text.encode(), new_parser())


def _captured(query_text: str, source: SourceFile) -> list[tuple[str, int, int]]:
    captures = QueryCursor(Query(GO, query_text)).captures(source.root)
    return sorted((name, n.start_byte, n.end_byte) for name, nodes in captures.items() for n in nodes)


@pytest.mark.parametrize(
    "regex, strings",
    [
        ("^With(Cancel|Timeout|Deadline)(Cause)?$", ["WithCancel", "WithCancelCause", "WithDeadline",
                                                       "WithDeadlineCause", "WithTimeout", "WithTimeoutCause"]),
        ("^(Get|Post)$", ["Get", "Post"]),
        ("^a[_X]b$", ["aXb", "a_b"]),
        ("^a\\.b$", ["a.b"]),
    ],
)
def test_finite_regexes_become_string_sets(regex, strings):
    assert _finite_language(regex) == strings


@pytest.mark.parametrize("regex", ["^With", "Cancel$", "^a.b$", "^a*$", "^(?i)get$", "^a+$", "^\\w+$", "^a{2,9}$",
                                   "^(" + "|".join(f"n{i}" for i in range(80)) + ")$"])
def test_other_regexes_are_left_alone(regex):
    assert _finite_language(regex) is None
    query = f'((field_identifier) @f (#match? @f "{regex.replace(chr(92), chr(92) * 2)}"))'
    assert simplify_predicates(query) == query


@pytest.mark.parametrize(
    "predicate",
    [
        '(#match? @name "^With(Cancel|Timeout|Deadline)(Cause)?$")',
        '(#not-match? @name "^With(Cancel|Timeout|Deadline)(Cause)?$")',
        '(#match? @name "^(Get|Post)$")',
        '(#match? @name "^a[_X]b$")',
        '(#match? @name "^With")',  # not rewritten, still equal
    ],
)
def test_rewritten_queries_capture_exactly_what_the_originals_do(predicate):
    query = f"(call_expression function: (selector_expression field: (field_identifier) @name {predicate})) @call"
    rewritten = simplify_predicates(query)
    assert ("any-of?" in rewritten) == (predicate.startswith("(#match?") and "^With\"" not in predicate)
    source = _source()
    original = _captured(query, source)
    assert original, "the sample must exercise the predicate"
    assert _captured(rewritten, source) == original


def test_functions_from_the_combined_query_equal_the_models_own():
    source = _source()
    _, query = _compiled(tuple(rm.rule.id for rm in all_rules()))
    seeded = FileModel(source)
    seeded.function_nodes = QueryCursor(query).captures(source.root).get(_FUNCTIONS, [])
    own = FileModel(source)

    def summary(model):
        return [(f.name, f.kind, f.node.start_byte, [(p.name, p.type) for p in f.params],
                 [(p.name, p.type) for p in f.results]) for f in model.functions]

    assert summary(seeded) == summary(own)
    assert [f.name for f in own.functions] == ["a", "a.func1", "a.func1.func1", "S.m"]


TRAPS = """package p

import (
	x "fmt"
	"strings"
)

type x2 struct{ x int; ctx string }

// x and ctx in a comment; a string "x ctx" too; a raw `x` one.
func f(ctx x2, éx int, xé int) int {
	var x = ctx.x + éx + xé // x
	ctxx, _x, x_ := 1, 2, 3
	strings.ToUpper("x")
	go func(x int) { _ = x + ctx.x }(x)
	return x + ctxx + _x + x_ + len(ctx.ctx)
}

func g() { x.Println(x2{x: 1}) }
"""


def test_identifiers_found_by_byte_search_equal_the_tree_identifiers():
    """identifiers_named searches bytes; the tree's own `(identifier)` nodes are the truth, with
    names inside longer names, comments, strings, fields, types and non-ASCII neighbours."""
    source = _source(TRAPS)
    model = FileModel(source)
    every = QueryCursor(Query(GO, "(identifier) @id")).captures(source.root).get("id", [])
    names = sorted({source.text(n) for n in every})
    assert {"x", "ctx", "éx", "xé", "ctxx", "_x", "x_"} <= set(names)
    for scope in [None, *(fn.body for fn in model.functions), *(fn.node for fn in model.functions)]:
        for name in names + ["x2", "Println", "strings", "nowhere"]:
            expected = sorted((n.start_byte, n.end_byte) for n in every if source.text(n) == name
                              and (scope is None or scope.start_byte <= n.start_byte and n.end_byte <= scope.end_byte))
            got = [(n.start_byte, n.end_byte) for n in model.identifiers_named(name, within=scope)]
            assert got == expected, (name, scope)
    assert len(model.identifiers_named("x", within=model.functions[0].body)) == 5  # not ctx.x, x2, comments


NESTED = """package p

var handler = func(w int) { _ = w }

func outer(xs []int) (func(), error) {
	go func() { defer func() {}() }()
	f, g := func() {}, func() { h := func() {}; h() }
	for range xs { defer func(i int) {}(1) }
	return func() { f(); g() }, nil
}

func (s *S) M() { s.run(func() {}) }
"""


def _walk_up(node):
    current = node.parent
    while current is not None:
        if current.type in ("function_declaration", "method_declaration", "func_literal"):
            return current
        current = current.parent
    return None


def test_enclosing_function_by_ranges_equals_walking_up_for_every_node():
    source = _source(NESTED)
    model = FileModel(source)
    stack, checked = [source.root], 0
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        expected = _walk_up(node)
        got = model.enclosing_function(node)
        assert (got.node.id if got else None) == (expected.id if expected else None), (node.type, node.start_point)
        checked += 1
    assert checked > 200
    package_level = model.functions[0]
    holder = package_level.node.parent  # an expression_list spanning exactly the literal
    assert (holder.type, holder.start_byte, holder.end_byte) == (
        "expression_list", package_level.node.start_byte, package_level.node.end_byte)
    assert model.enclosing_function(holder) is None
    assert model.enclosing_function(package_level.node.child_by_field_name("body")) is package_level


def test_a_packages_trees_are_freed_as_soon_as_it_is_done(tmp_path, monkeypatch):
    """Peak memory stays flat only if nothing keeps a tree alive after its package: no reference
    cycles (they would wait for the cyclic collector), no caches holding files."""
    import gc
    import weakref

    from goleaklint import engine
    from goleaklint.config import Config
    from goleaklint.discover import discover
    from goleaklint.engine import RunOptions, lint_package

    leak = ('package {p}\n\nimport "context"\n\nfunc f(p context.Context) (int, error) {{\n'
            '\tx, cancel := context.WithCancel(p)\n\t_ = x\n\tfor {{ defer cancel() }}\n'
            '\tgo func(a int) {{ _ = a }}(1)\n\treturn 0, nil\n}}\n')
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / f"{name}.go").write_text(leak.format(p=name))
        (tmp_path / name / "other.go").write_text(f"package {name}\n\nfunc g(s string) {{}}\n")
    alive: list[weakref.ref] = []
    real = engine.SourceFile

    def tracked(*args, **kwargs):
        source = real(*args, **kwargs)
        alive.append(weakref.ref(source))  # a Tree takes no weak reference; its SourceFile holds it
        return source

    monkeypatch.setattr(engine, "SourceFile", tracked)
    jobs, _ = discover(["./..."], Config(), tmp_path)
    options = RunOptions(tuple(rm.rule.id for rm in all_rules()), str(tmp_path))
    gc.collect()
    gc.disable()
    try:
        for job in jobs:
            result = lint_package(job, options)
            assert result.findings, "the rules and the model must have run"
            assert len(alive) == 2
            assert [ref() for ref in alive] == [None] * 2, "a tree outlived its package"
            alive.clear()
    finally:
        gc.enable()
