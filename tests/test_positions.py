"""Lines and columns stay right whatever the bytes: BOM, CRLF, tabs, non-ASCII, invalid UTF-8."""

from __future__ import annotations

from pathlib import Path

from goleaklint.source import SourceFile, new_parser

BODY = 'func f(p context.Context) {\n\t{PREFIX}x, _ := context.WithCancel(p); _ = x\n}\n'


def _finding(lint_tree, raw: bytes):
    result = lint_tree({"a.go": raw}, select=["GL401"])
    assert not result.notifications, result.notifications
    [finding] = result.findings
    return finding


def _file(prefix: bytes = b"", body_prefix: bytes = b"", newline: bytes = b"\n") -> bytes:
    text = prefix + b'package a\n\nimport "context"\n\n' + BODY.encode().replace(b"{PREFIX}", body_prefix)
    return text.replace(b"\n", newline)


def test_plain_ascii(lint_tree):
    f = _finding(lint_tree, _file())
    assert (f.line, f.column, f.end_column, f.column_utf16) == (6, 5, 6, 5)


def test_bom_is_not_a_column_and_lines_stay(lint_tree):
    f = _finding(lint_tree, _file(prefix=b"\xef\xbb\xbf"))
    assert (f.line, f.column, f.column_utf16) == (6, 5, 5)


def test_crlf_line_endings(lint_tree):
    f = _finding(lint_tree, _file(newline=b"\r\n"))
    assert (f.line, f.column, f.end_line, f.end_column) == (6, 5, 6, 6)
    assert not f.source_line.endswith("\r")


def test_non_ascii_before_the_finding_counts_characters_not_bytes(lint_tree):
    # "é" is 2 bytes, 1 code point, 1 UTF-16 unit; "𝔘" is 4 bytes, 1 code point, 2 UTF-16 units.
    f = _finding(lint_tree, _file(body_prefix='_ = "é𝔘"; '.encode()))
    assert f.source_line.startswith('\t_ = "é𝔘"; x, _')
    prefix = '\t_ = "é𝔘"; x, '
    assert f.column == len(prefix) + 1
    assert f.column_utf16 == len(prefix) + 2
    assert f.byte_start == len(b'package a\n\nimport "context"\n\nfunc f(p context.Context) {\n') + len(prefix.encode())


def test_invalid_utf8_counts_one_column_per_bad_byte(lint_tree):
    f = _finding(lint_tree, _file(body_prefix=b'_ = "\xff\xfe"; '))
    assert f.column == len('\t_ = "??"; x, ') + 1
    assert "\ufffd\ufffd" in f.source_line


def test_line_arithmetic_at_file_edges():
    parser = new_parser()
    source = SourceFile(Path("x.go"), "x.go", b"package a\r\nvar x = 1", parser)
    assert source.position(0) == (1, 1, 1)
    assert source.line_text(1) == "package a"
    assert source.position(len(source.data)) == (2, 10, 10)
    empty = SourceFile(Path("e.go"), "e.go", b"", parser)
    assert empty.position(0) == (1, 1, 1)
