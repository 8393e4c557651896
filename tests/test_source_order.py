"""Captures come in source order: "the first call before the read" must mean the first in the file."""

from __future__ import annotations

import re
from pathlib import Path

from goleaklint.source import new_parser, query_captures, query_matches

SOURCE = b"""package p

func f() {
	a(b(c()), d())
	x.y(z.w())
}
"""


def _texts(nodes) -> list[str]:
    return [SOURCE[n.start_byte : n.end_byte].decode() for n in nodes]


def test_nested_calls_come_outer_first_then_in_source_order():
    # tree-sitter itself yields d() before c() here: captures come as their matches finish.
    root = new_parser().parse(SOURCE).root_node
    calls = query_captures("(call_expression) @call", root)["call"]
    assert _texts(calls) == ["a(b(c()), d())", "b(c())", "c()", "d()", "x.y(z.w())", "z.w()"]


def test_every_capture_name_is_in_source_order():
    root = new_parser().parse(SOURCE).root_node
    found = query_captures("(call_expression function: (identifier) @name) @call", root)
    assert _texts(found["name"]) == ["a", "b", "c", "d"]


def test_matches_come_in_source_order_of_their_first_capture():
    root = new_parser().parse(SOURCE).root_node
    matches = query_matches("(call_expression function: (identifier) @name) @call", root)
    assert [_texts(m["name"])[0] for m in matches] == ["a", "b", "c", "d"]


def test_no_analysis_runs_a_query_cursor_of_its_own():
    """Only source.py (the helpers), the engine (one shared query, sorted there) and the evidence
    mapper (cursors limited to a line or a function, whose captures it keeps as sets) may: a cursor
    elsewhere would hand an analysis captures out of source order again."""
    package = Path(__file__).resolve().parent.parent
    allowed = {"linter/source.py", "linter/engine.py", "linter/evidence/mapping.py"}
    offenders = []
    for path in sorted([*package.glob("linter/**/*.py"), *package.glob("rules/*.py")]):
        relative = path.relative_to(package).as_posix()
        if relative not in allowed and re.search(r"QueryCursor\(", path.read_text()):
            offenders.append(relative)
    assert not offenders
