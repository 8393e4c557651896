"""Integer constants folded from the code, and loops counted by their headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from tree_sitter import QueryCursor

from goleaklint.constants import int_constant, loop_count
from goleaklint.model import FileModel
from goleaklint.source import SourceFile, new_parser, query

SRC = """package p

const workers = 3
const typed int64 = workers * 4
const (
	a = iota
	b
)
const shifted = 1 << 4 / 2

var notConst = 5

func f(n int) {
	const local = (workers + 1) % 3
	_ = make(chan int, workers)
	_ = make(chan int, workers-1)
	_ = make(chan int, typed)
	_ = make(chan int, a)
	_ = make(chan int, b)
	_ = make(chan int, notConst)
	_ = make(chan int, n)
	_ = make(chan int, local)
	_ = make(chan int, -7/2)
	_ = make(chan int, shifted)
	_ = make(chan int, len("x"))
	for i := 0; i < workers; i++ {}
	for i := 1; i <= workers; i++ {}
	for range workers {}
	for i := 0; i < n; i++ {}
	for i := 0; i < workers; i++ { if n > 0 { break } }
	for i := 0; i < workers; i++ { go func() { return }() }
	for i := 0; i < workers; i += 2 {}
}
"""


@pytest.fixture(scope="module")
def model() -> FileModel:
    return FileModel(SourceFile(Path("p.go"), "p.go", SRC.encode(), new_parser()))


def test_buffer_sizes_fold_named_constants_and_arithmetic(model):
    sizes = [call.child_by_field_name("arguments").named_children[1]
             for call in QueryCursor(query('(call_expression function: (identifier) @f (#eq? @f "make")) @call'))
             .captures(model.source.root)["call"]]
    sizes.sort(key=lambda node: node.start_byte)
    assert [int_constant(model, size) for size in sizes] == [3, 2, 12, None, None, None, None, 1, -3, 8, None]


def test_loops_are_counted_only_when_the_header_says_so_and_nothing_cuts_them_short(model):
    loops = QueryCursor(query("(for_statement) @loop")).captures(model.source.root)["loop"]
    loops.sort(key=lambda node: node.start_byte)
    assert [loop_count(model, loop) for loop in loops] == [3, 3, 3, None, None, 3, None]
