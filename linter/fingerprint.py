"""Fingerprints that let a finding be recognised again after the file around it changed.

Two keys go into every finding's ``fingerprints`` (and from there into SARIF ``partialFingerprints``):

``primaryLocationLineHash``
    The key GitHub code scanning matches alerts by across pushes. The upload action computes it when a
    result lacks it, and keeps a different value that is already there (with only a warning), so a
    value of ours must be bit for bit what the action would compute, or alerts would reopen when the
    SARIF reaches GitHub through the REST API instead of the action. This is a port of ``hash()`` in
    github/codeql-action ``src/fingerprints.ts``:

    * the file is read as UTF-8 (undecodable bytes become U+FFFD, a BOM is kept as a character) and
      walked in UTF-16 code units, as JavaScript's ``charCodeAt`` does;
    * spaces and tabs are skipped; ``\\r\\n``, ``\\r`` and ``\\n`` each count as one ``\\n``;
    * after the last character comes a marker 65535, then zeros;
    * a line's hash is the polynomial rolling hash (base 37, modulo 2**64) of the 100 characters of
      that stream starting at the line's first character, in lower-case hex without leading zeros;
    * every line gets a hash, including the line after a final newline; the n-th line whose hash
      equals an earlier line's gets the suffix ``:n`` (``:1`` for the first).

``goleaklint/v1``
    Our own key for baselines: rule id, enclosing function and the finding's line with whitespace
    squeezed. It does not change when unrelated lines are inserted above or the line is re-indented,
    and, unlike the line hash, not when the next lines change either.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import replace
from operator import mul
from typing import Iterable

from .rule import Finding

LINE_HASH_KEY = "primaryLocationLineHash"
CONTEXT_KEY = "goleaklint/v1"

_BLOCK_SIZE = 100
_MOD = 37
_MASK = (1 << 64) - 1
# The weight of each character of a window: 37**99 for the first, 1 for the last.
_POWERS = tuple(pow(_MOD, _BLOCK_SIZE - 1 - i, 1 << 64) for i in range(_BLOCK_SIZE))
_EOF = 65535
_LF = 10


def _stream(data: bytes) -> array:
    """The characters the hash reads, as UTF-16 code units, normalised as fingerprints.ts does.

    The order of the replacements matters: only a CR *directly* followed by LF is one line break
    (fingerprints.ts forgets the CR as soon as it skips a space), so "\\r \\n" is two.
    """
    text = data.decode("utf-8", "replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace(" ", "").replace("\t", "")
    units = array("H")
    units.frombytes(text.encode("utf-16-le"))
    if units.itemsize != 2:  # pragma: no cover - array("H") is 16 bits on every CPython platform
        raise RuntimeError("unsigned short is not 16 bits")
    if array("H", [1]).tobytes() != b"\x01\x00":  # pragma: no cover - big-endian hosts
        units.byteswap()
    units.append(_EOF)
    return units


def line_hashes(data: bytes, last_line: int | None = None, wanted: Iterable[int] | None = None) -> list[str]:
    """``primaryLocationLineHash`` of every line of a file: element ``i`` is line ``i + 1``.

    ``data`` must be the file's bytes as they are on disk, a BOM included (the upload action hashes
    the file on disk). With ``last_line`` only the lines up to it are computed; the suffixes of those
    lines are the same as in a full run because they count only earlier lines. With ``wanted`` (1-based
    line numbers) only those lines get a value; the others are ``""``.

    The rolling hash over every character would be a Python loop over the whole file. Instead, each
    line's 100-character window is sliced out (in C), the ``:n`` suffix counts earlier lines with the
    same window, and only wanted lines have their window hashed. Equal windows give equal hashes, and
    different windows give different ones unless 64-bit polynomial hashes collide, the one case where
    the action's count could differ from ours.
    """
    units = _stream(data)
    # Line starts: the first character, and every character after a line break (the EOF marker too).
    starts = [0]
    # array has no find-from; walk the LFs through the array's bytes instead.
    raw = units.tobytes()
    pos = raw.find(b"\n\x00")
    while pos != -1:
        if pos % 2 == 0:  # an LF code unit, not the high byte of another unit
            starts.append(pos // 2 + 1)
            if last_line is not None and len(starts) >= last_line:
                break
        pos = raw.find(b"\n\x00", pos + 1)
    if last_line is not None:
        starts = starts[:last_line]
    if not starts:
        return []

    raw += bytes(2 * _BLOCK_SIZE)  # past the EOF marker the window reads zeros
    wanted_lines = None if wanted is None else set(wanted)
    width = 2 * _BLOCK_SIZE
    counts: dict[bytes, int] = {}
    hashes = []
    for line, p in enumerate(starts, 1):
        window = raw[2 * p : 2 * p + width]
        count = counts[window] = counts.get(window, 0) + 1
        if wanted_lines is not None and line not in wanted_lines:
            hashes.append("")
            continue
        value = sum(map(mul, array("H", window), _POWERS)) & _MASK
        hashes.append(f"{value:x}:{count}")
    return hashes


def line_hash(data: bytes, line: int) -> str:
    """``primaryLocationLineHash`` of one 1-based line (the hash of line 1 past the end, as the
    upload action does for a location without a line)."""
    hashes = line_hashes(data, max(line, 1), wanted={max(line, 1), 1})
    return hashes[line - 1] if 0 < line <= len(hashes) else hashes[0]


def normalized_line(source_line: str) -> str:
    return " ".join(source_line.split())


def context_key(rule_id: str, context: str, source_line: str) -> str:
    """Our baseline key: what was reported, in which function, on which statement.

    Line numbers and indentation are left out so that inserting lines above or re-indenting a block
    keeps the key. Two identical lines in one function with the same rule share a key; consumers
    that need to tell them apart count occurrences.
    """
    material = "\x00".join((rule_id, context, normalized_line(source_line)))
    return hashlib.sha256(material.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def with_fingerprints(findings: Iterable[Finding], data: bytes, *, bom: bool = False) -> list[Finding]:
    """The findings of one file with both keys filled in.

    ``data`` is the file's bytes; ``bom`` says the file on disk starts with a UTF-8 BOM that ``data``
    lacks (the upload action hashes the file on disk, so the hash of line 1 counts it).
    """
    findings = list(findings)
    if not findings:
        return findings
    hashes = line_hashes(b"\xef\xbb\xbf" + data if bom else data, max(f.line for f in findings),
                         wanted={f.line for f in findings} | {1})
    result = []
    for finding in findings:
        line_hash_value = hashes[finding.line - 1] if 0 < finding.line <= len(hashes) else hashes[0]
        keys = dict(finding.fingerprints)
        keys[LINE_HASH_KEY] = line_hash_value
        keys[CONTEXT_KEY] = context_key(finding.rule_id, finding.context, finding.source_line)
        result.append(replace(finding, fingerprints=tuple(sorted(keys.items()))))
    return result
