"""Inline suppressions.

Forms users bring with them:
- `//nolint:goleaklint` and `//nolint:goleaklint:GL401,GL404` (golangci-lint's spelling, no space
  after `//`), optionally followed by `// reason`;
- `//goleaklint:ignore GL401[,GL404] reason`;
- `//goleaklint:file-ignore GL201 reason` for the whole file.
A directive applies to its own line and, when written alone on a line, to the next line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .rule import Notification, NotificationKind
from .source import SourceFile

_DIRECTIVE = re.compile(rb"//(?:nolint|goleaklint):")
_NOLINT = re.compile(r"//nolint:(?P<linters>\S+)(?P<rest>.*)$", re.S)
_OURS = re.compile(r"//goleaklint:(?P<verb>[\w-]*)(?P<rest>.*)$", re.S)
_RULE_ID = re.compile(r"GL[0-9]{3}")


@dataclass
class Suppressions:
    # line -> rule ids (None = every rule) and the reason given
    lines: dict[int, list[tuple[frozenset[str] | None, str]]] = field(default_factory=dict)
    file_wide: list[tuple[frozenset[str], str]] = field(default_factory=list)

    def reason_for(self, rule_id: str, line: int) -> str | None:
        """The justification if a finding of `rule_id` on `line` is suppressed, else None."""
        for ids, reason in self.file_wide:
            if rule_id in ids:
                return reason or "file-ignore"
        for ids, reason in self.lines.get(line, ()):
            if ids is None or rule_id in ids:
                return reason or "nolint"
        return None


def _directive_comments(source: SourceFile):
    """Comments starting `//nolint:` or `//goleaklint:`, in source order: found by a byte search and
    a node lookup at each hit (the same text inside a string or after other comment text is not
    one), rather than by walking the tree for every comment."""
    root = source.root
    for hit in _DIRECTIVE.finditer(source.data):
        node = root.descendant_for_byte_range(hit.start(), hit.start() + 2)
        if node is not None and node.type == "comment" and node.start_byte == hit.start():
            yield node


def parse_suppressions(source: SourceFile, known_ids: frozenset[str]) -> tuple[Suppressions, list[Notification]]:
    result = Suppressions()
    notes: list[Notification] = []
    data = source.data
    if b"nolint" not in data and b"goleaklint:" not in data:
        return result, notes
    for comment in _directive_comments(source):
        text = source.text(comment)
        line = comment.start_point[0] + 1
        problem = None
        if text.startswith("//nolint:"):
            match = _NOLINT.match(text)
            if match is None:
                continue  # `//nolint: errcheck` (a space after the colon): not a directive for us
            ids, problem, reason = _parse_nolint(match.group("linters"), match.group("rest"))
            if ids is False:
                continue  # a nolint for other linters only
        else:
            match = _OURS.match(text)
            verb, rest = match.group("verb"), match.group("rest").strip()
            if verb not in ("ignore", "file-ignore"):
                notes.append(_note(source, line, f"unknown directive //goleaklint:{verb} (use //goleaklint:ignore GLnnn reason or //goleaklint:file-ignore GLnnn reason)"))
                continue
            words = rest.split(None, 1)
            id_text = words[0] if words else ""
            reason = words[1].strip() if len(words) > 1 else ""
            ids = frozenset(i for i in id_text.split(",") if i)
            if not ids or not all(_RULE_ID.fullmatch(i) for i in ids):
                notes.append(_note(source, line, f"//goleaklint:{verb} needs rule ids, e.g. //goleaklint:{verb} GL401 reason"))
                continue
            if verb == "file-ignore":
                unknown = sorted(ids - known_ids)
                if unknown:
                    notes.append(_note(source, line, f"unknown rule id {', '.join(unknown)} in directive"))
                result.file_wide.append((ids, reason))
                continue
        if problem:
            notes.append(_note(source, line, problem))
            continue
        if ids is not None:
            unknown = sorted(ids - known_ids)
            if unknown:
                notes.append(_note(source, line, f"unknown rule id {', '.join(unknown)} in directive"))
        entry = (ids, reason)
        result.lines.setdefault(line, []).append(entry)
        if _alone_on_line(source, comment):
            result.lines.setdefault(line + 1, []).append(entry)
    return result, notes


def _parse_nolint(linters: str, rest: str):
    """(ids, problem, reason); ids None = all our rules, False = not about goleaklint."""
    reason = ""
    reason_match = re.search(r"//\s*(.*)$", rest)
    if reason_match:
        reason = reason_match.group(1).strip()
    if linters.startswith("goleaklint:"):
        ids = frozenset(i for i in linters[len("goleaklint:") :].split(",") if i)
        if not ids or not all(_RULE_ID.fullmatch(i) for i in ids):
            return None, f"malformed directive //nolint:{linters}: expected //nolint:goleaklint:GL401,GL404", reason
        return ids, None, reason
    names = linters.split(",")
    if "goleaklint" in names or "all" in names:
        return None, None, reason
    return False, None, reason


def _alone_on_line(source: SourceFile, comment) -> bool:
    start = source.line_starts[comment.start_point[0]]
    return not source.data[start : comment.start_byte].strip()


def _note(source: SourceFile, line: int, message: str) -> Notification:
    return Notification(source.relpath, line, NotificationKind.DIRECTIVE, message)
