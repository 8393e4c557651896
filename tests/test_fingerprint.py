"""Fingerprints: GitHub's primaryLocationLineHash, bit for bit, and our context key."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from goleaklint.fingerprint import (
    CONTEXT_KEY,
    LINE_HASH_KEY,
    context_key,
    line_hash,
    line_hashes,
    with_fingerprints,
)
from goleaklint.rule import Finding, Severity

M = 1 << 64


def window_hash(units: list[int]) -> str:
    """The hash of one line computed by hand: the 100 code units from the line's first one, past the
    end the marker 65535 and then zeros, as a base-37 polynomial modulo 2**64."""
    window = (units + [65535] + [0] * 100)[:100]
    return format(sum(u * pow(37, 99 - i, M) for i, u in enumerate(window)) % M, "x")


def reference_hashes(data: bytes) -> list[str]:
    """A literal, character-at-a-time transcription of the upload action's rolling hash: a second
    implementation to check the fast one against, sharing no code with it."""
    text = data.decode("utf-8", "replace")
    units = []
    for ch in text:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            units += [0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF)]
        else:
            units.append(code)
    window = [0] * 100
    line_numbers = [-1] * 100
    state = {"hash": 0, "index": 0}
    first_mod = pow(37, 100, M)
    counts: dict[str, int] = {}
    out: list[tuple[int, str]] = []

    def output():
        value = format(state["hash"] % M, "x")
        counts[value] = counts.get(value, 0) + 1
        out.append((line_numbers[state["index"]], f"{value}:{counts[value]}"))
        line_numbers[state["index"]] = -1

    def update(current):
        begin = window[state["index"]]
        window[state["index"]] = current
        state["hash"] = (37 * state["hash"] + current - first_mod * begin) % M
        state["index"] = (state["index"] + 1) % 100

    line_number, line_start, prev_cr = 0, True, False
    for current in units + [65535]:
        if current in (32, 9) or (prev_cr and current == 10):
            prev_cr = False
            continue
        if current == 13:
            current, prev_cr = 10, True
        else:
            prev_cr = False
        if line_numbers[state["index"]] != -1:
            output()
        if line_start:
            line_start = False
            line_number += 1
            line_numbers[state["index"]] = line_number
        if current == 10:
            line_start = True
        update(current)
    for _ in range(100):
        if line_numbers[state["index"]] != -1:
            output()
        update(0)
    assert [n for n, _ in out] == list(range(1, len(out) + 1))
    return [h for _, h in out]


def line_count(data: bytes) -> int:
    return len(re.split(r"\r\n|\r|\n", data.decode("utf-8", "replace")))


def test_empty_file_hashes_the_end_marker():
    assert line_hashes(b"") == [window_hash([]) + ":1"]
    # Checked against the upload action's own code: the hash every file's last line ends with.
    assert line_hashes(b"") == ["c129715d7a2bc9a3:1"]


def test_hand_computed_lines():
    data = b"ab\ncd"
    a, b, c, d, lf = 97, 98, 99, 100, 10
    assert line_hashes(data) == [window_hash([a, b, lf, c, d]) + ":1", window_hash([c, d]) + ":1"]


def test_a_final_newline_adds_a_line_holding_only_the_end_marker():
    hashes = line_hashes(b"x\n")
    assert hashes == [window_hash([120, 10]) + ":1", window_hash([]) + ":1"]
    assert len(hashes) == line_count(b"x\n") == 2


def test_tabs_and_spaces_are_not_hashed():
    assert line_hashes(b"\tx := f(a, b)\n\t}\n") == line_hashes(b"x:=f(a,b)\n}\n")
    assert line_hashes(b"\t\tdefer cancel()\n") == [
        window_hash([ord(ch) for ch in "defercancel()\n"]) + ":1",
        window_hash([]) + ":1",
    ]


def test_a_blank_line_is_hashed_from_its_line_break():
    assert line_hashes(b"a\n \t\nb")[1] == window_hash([10, 98]) + ":1"


@pytest.mark.parametrize("variant", [b"a\r\nb\r\nc", b"a\rb\rc", b"a\nb\r\nc", b"a  \r\n\tb\rc"])
def test_every_line_ending_counts_as_one_lf(variant):
    assert line_hashes(variant) == line_hashes(b"a\nb\nc")


def test_cr_space_lf_is_two_line_breaks():
    # The action forgets the CR as soon as it skips a space, so the LF starts another line.
    hashes = line_hashes(b"a\r \nb")
    assert len(hashes) == 3 == line_count(b"a\r \nb")
    assert hashes == line_hashes(b"a\n\nb")


def test_non_ascii_is_hashed_in_utf16_code_units():
    data = "é😀\n".encode()
    assert line_hashes(data)[0] == window_hash([0xE9, 0xD83D, 0xDE00, 10]) + ":1"


def test_undecodable_bytes_hash_as_replacement_characters():
    assert line_hashes(b"a\xffb")[0] == window_hash([97, 0xFFFD, 98]) + ":1"


def test_a_bom_is_a_character():
    assert line_hashes(b"\xef\xbb\xbfx")[0] == window_hash([0xFEFF, 120]) + ":1"


def test_identical_windows_are_numbered_in_order():
    data = b"abcdefghij\n" * 20  # 11 characters a line: a window spans 9 lines and a bit
    hashes = line_hashes(data)
    assert len(hashes) == 21
    base = hashes[0].split(":")[0]
    same = [h for h in hashes if h.split(":")[0] == base]
    assert same == [f"{base}:{n}" for n in range(1, len(same) + 1)]
    assert len(same) == 11  # lines whose 100-character window never reaches the end marker
    assert hashes[11].split(":")[0] != base


def test_hashes_match_the_reference_transcription():
    go = (
        "package main\r\n\r\nimport \"context\"\r\n\r\n// ünïcødé 😀 日本\r\nfunc f(parent context.Context) {\r\n"
        "\tctx, _ := context.WithCancel(parent)\r\n\t_ = ctx\r\n}\r\n"
    ).encode()
    assert line_hashes(go) == reference_hashes(go)
    assert len(line_hashes(go)) == line_count(go)


_PIECES = st.sampled_from(
    [b" ", b"\t", b"\r", b"\n", b"\r\n", b"x", b"{", b"}", "é".encode(), "😀".encode(), "日".encode(),
     b"\xff", b"\xe6\x97", b"\xef\xbb\xbf", b"ctx, cancel := context.WithTimeout(ctx, d)", b"defer cancel()"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=80))
def test_fast_hash_equals_the_reference_on_any_input(pieces):
    data = b"".join(pieces)
    expected = reference_hashes(data)
    assert line_hashes(data) == expected
    assert len(expected) == line_count(data)
    for line in {1, (len(expected) + 1) // 2, len(expected)}:
        assert line_hash(data, line) == expected[line - 1]
    # Only the wanted lines are hashed (with_fingerprints asks for the lines of its findings);
    # their suffixes still count every earlier line.
    wanted = set(range(1, len(expected) + 1, 3))
    assert line_hashes(data, wanted=wanted) == [h if i in wanted else "" for i, h in enumerate(expected, 1)]


def _finding(line: int, source_line: str, context: str = "Server.handle", rule_id: str = "GL401") -> Finding:
    return Finding(
        path="a.go", line=line, column=2, end_line=line, end_column=5, rule_id=rule_id,
        message="m", severity=Severity.WARNING, context=context, source_line=source_line,
    )


def test_with_fingerprints_fills_both_keys():
    data = b"package a\n\nfunc f() {\n\tctx, _ := context.WithCancel(p)\n}\n"
    [finding] = with_fingerprints([_finding(4, "\tctx, _ := context.WithCancel(p)")], data)
    keys = dict(finding.fingerprints)
    assert keys[LINE_HASH_KEY] == line_hashes(data)[3]
    assert keys[CONTEXT_KEY] == context_key("GL401", "Server.handle", "ctx, _ := context.WithCancel(p)")


def test_with_fingerprints_hashes_line_one_with_the_bom_on_disk():
    data = b"package a; func f() { ctx, _ := context.WithCancel(p) }\n"
    plain = dict(with_fingerprints([_finding(1, data.decode().rstrip())], data)[0].fingerprints)
    bom = dict(with_fingerprints([_finding(1, data.decode().rstrip())], data, bom=True)[0].fingerprints)
    assert bom[LINE_HASH_KEY] == line_hashes(b"\xef\xbb\xbf" + data)[0] != plain[LINE_HASH_KEY]


def test_context_key_ignores_indentation_and_line_number():
    key = context_key("GL401", "Server.handle", "\tctx, _ := context.WithCancel(p)")
    assert key == context_key("GL401", "Server.handle", "        ctx,   _ := context.WithCancel(p)  ")
    assert re.fullmatch(r"[0-9a-f]{32}", key)


@pytest.mark.parametrize(
    "other",
    [
        ("GL404", "Server.handle", "ctx, _ := context.WithCancel(p)"),
        ("GL401", "Server.serve", "ctx, _ := context.WithCancel(p)"),
        ("GL401", "Server.handle", "ctx, _ := context.WithTimeout(p, d)"),
    ],
)
def test_context_key_tells_rule_function_and_statement_apart(other):
    assert context_key(*other) != context_key("GL401", "Server.handle", "ctx, _ := context.WithCancel(p)")
