"""The Go of every release from 1.18 to 1.27 parses into a clean tree, and leaks after its new
constructs are still found at their lines.

`tests/fixtures/syntax/go1.NN/` holds one file per release with that release's new constructs (or,
for a release without new syntax, what it added that code spells differently), a `go.mod` with that
language version, and a leak after each construct marked `// want "GLxxx"`. The files were checked
with the Go 1.27 toolchain (`gofmt -l`, `go vet -lostcancel=false`), whose language-version checks
reject a construct used before its release.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from goleaklint.fingerprint import line_hash
from goleaklint.source import SourceFile, new_parser

from .conftest import FIXTURES, run_lint
from .test_fixtures import _expectations

CORPUS = FIXTURES / "syntax"
RELEASES = [f"go1.{minor}" for minor in range(18, 28)]


def _source(path: Path) -> SourceFile:
    return SourceFile(path, path.name, path.read_bytes(), new_parser())


def _error_nodes(source: SourceFile) -> list[str]:
    found = []
    stack = [source.root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(f"{node.type} at line {node.start_point[0] + 1}")
        if node.has_error:
            stack.extend(node.children)
    return found


def test_one_directory_per_release_with_its_language_version():
    assert sorted(p.name for p in CORPUS.iterdir() if p.is_dir()) == sorted(RELEASES)
    for release in RELEASES:
        directory = CORPUS / release
        assert re.search(rf"^go {re.escape(release[2:])}$", (directory / "go.mod").read_text(), re.M)
        assert len(list(directory.glob("*.go"))) == 1, f"{release}: one fixture file"


@pytest.mark.parametrize("release", RELEASES)
def test_release_parses_without_error_nodes(release):
    [path] = (CORPUS / release).glob("*.go")
    source = _source(path)
    assert _error_nodes(source) == []
    assert not source.has_errors


@pytest.mark.parametrize("release", RELEASES)
def test_leaks_after_each_construct_are_reported_at_their_lines(release):
    directory = CORPUS / release
    wants = _expectations(directory)
    assert wants, f"{release} has no leak to find"
    result = run_lint(["./..."], directory)  # every rule: nothing else may be reported either
    assert result.notifications == []
    got = sorted((f.path, f.line, f.rule_id) for f in result.findings)
    expected = sorted((path, line, want[0]) for (path, line), items in wants.items() for want in items)
    assert got == expected


def test_releases_the_grammar_knows_are_parsed_once():
    """A file that parses cleanly is never rewritten nor parsed again."""
    for release in RELEASES[:8]:  # 1.18 .. 1.25
        [path] = (CORPUS / release).glob("*.go")
        source = _source(path)
        assert source._recovery is None, release


def _find(node, predicate):
    stack = [node]
    while stack:
        current = stack.pop()
        if predicate(current):
            yield current
        stack.extend(reversed(current.children))


def test_new_expr_is_a_call_of_new_with_an_expression_argument():
    [path] = (CORPUS / "go1.26").glob("*.go")
    source = _source(path)
    calls = [n for n in _find(source.root, lambda n: n.type == "call_expression")
             if source.text(n.child_by_field_name("function")) == "new"]
    by_text = {source.text(call): call for call in calls}
    string_call = by_text['new("tailscale")']
    [argument] = string_call.child_by_field_name("arguments").named_children
    assert argument.type == "interpreted_string_literal"
    assert by_text["new(uint64(m.ID))"].child_by_field_name("arguments").named_children[0].type == "call_expression"
    assert by_text["new(5 * time.Second)"].child_by_field_name("arguments").named_children[0].type == "binary_expression"
    # The `new(Type)` calls in a function without new(expr) keep the grammar's own shape.
    assert by_text["new([]string)"].child_by_field_name("arguments").named_children[0].type == "slice_type"
    # Positions are the file's: the node's bytes in the file are the call's text.
    line = source.line_text(source.line_of(string_call.start_byte))
    assert line.strip() == 'name := new("tailscale")'


def test_generic_method_keeps_receiver_name_parameters_and_body():
    [path] = (CORPUS / "go1.27").glob("*.go")
    source = _source(path)
    methods = {source.text(m.child_by_field_name("name")): m
               for m in _find(source.root, lambda n: n.type == "method_declaration")}
    assert {"Map", "N", "Draw", "Fold"} <= set(methods)
    fold = methods["Fold"]
    assert source.text(fold.child_by_field_name("receiver")) == "(r *Ring[T])"
    assert source.text(fold.child_by_field_name("parameters")) == "(start A, f F)"
    assert source.line_of(fold.child_by_field_name("body").start_byte) == source.line_of(fold.start_byte) + 3
    # The text of the declaration is the file's, type parameters included.
    assert source.text(methods["N"]).startswith("func (Source) N[Int ~int | ~int64](n Int) Int")


def test_positions_and_fingerprints_are_the_files_in_every_format(tmp_path, monkeypatch, capsys):
    """A leak on the same line as a new(expr), after non-ASCII text: the columns, the code frame and
    the line hash come from the file's bytes, not from the rewritten copy the tree was parsed from."""
    import json

    from goleaklint.cli import main

    prefix = '\tlabel := new("héllo 𝔘"); ctx, '
    line = prefix + "_ := context.WithTimeout(parent, *new(5 * time.Second))"
    text = ('package p\n\nimport (\n\t"context"\n\t"time"\n)\n\n'
            "func Start(parent context.Context) (*string, context.Context) {\n"
            f"{line}\n\treturn label, ctx\n}}\n")
    (tmp_path / "go.mod").write_text("module example.com/p\n\ngo 1.26\n")
    (tmp_path / "p.go").write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    column = len(prefix) + 1
    column_utf16 = column + 1  # 𝔘 is two UTF-16 units
    expected_hash = line_hash(text.encode(), 9)

    assert main(["--no-cache", "--format", "json", "-o", "out.json"]) == 1
    document = json.loads((tmp_path / "out.json").read_text())
    assert document["notifications"] == []
    [finding] = document["findings"]
    assert (finding["line"], finding["column"], finding["end_column"]) == (9, column, column + 1)

    assert main(["--no-cache", "--format", "sarif", "-o", "out.sarif"]) == 1
    [result] = json.loads((tmp_path / "out.sarif").read_text())["runs"][0]["results"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (9, column_utf16, column_utf16 + 1)
    assert result["partialFingerprints"]["primaryLocationLineHash"] == expected_hash

    assert main(["--no-cache", "--format", "github", "-o", "out.txt"]) == 1
    annotation = (tmp_path / "out.txt").read_text().splitlines()[0]
    assert f"line=9,endLine=9,col={column},endColumn={column + 1}," in annotation  # code points

    assert main(["--no-cache", "--no-color", "-o", "out.txt"]) == 1
    report = (tmp_path / "out.txt").read_text()
    assert f"p.go:9:{column}: GL401" in report
    frame = report.splitlines()
    source_row = next(i for i, row in enumerate(frame) if row.startswith("    9 | "))
    assert 'label := new("héllo 𝔘"); ctx, _ :=' in frame[source_row]
    caret = frame[source_row + 1]
    shown = frame[source_row][len("    9 | "):]
    assert shown[caret.index("^") - len("      | ")] == "_"
