"""Inline suppressions.

Forms users bring with them:
- `//nolint:goleaklint` and `//nolint:goleaklint:GL401,GL404` (golangci-lint's spelling, no space
  after `//`), optionally followed by `// reason`;
- `//goleaklint:ignore GL401[,GL404] reason`;
- `//goleaklint:file-ignore GL201 reason` for the whole file.
A directive applies to its own line and, when written alone on a line, to the next line.

Waivers of other linters' checks that a rule repeats (`Rule.waived_by`): `//nolint:gosec`,
`//nolint` and `//nolint:all`, `// #nosec G112` (gosec's own form, with or without check ids),
`//nolint:bodyclose`. They do not suppress: the finding is a note that says which waiver covers it,
since the authors already looked at this code for the same problem. Their reach is a directive's.

Hygiene, as golangci-lint's nolintlint and ruff's RUF100 do it: a directive that suppresses nothing
is reported (it outlives the leak it was written for, and would hide the next one on its line), but
only for rules that ran, and a blanket `//nolint:goleaklint` only when every rule ran; `//nolint:all`
speaks for other linters too and is never called unused. `require-reason = true` reports directives
that do not say why. `// nolint:goleaklint`, with a space, is no directive for golangci-lint nor for
us: it gets a hint instead of silently suppressing nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .patterns import LazyPattern
from .rule import Notification, NotificationKind
from .source import SourceFile

_DIRECTIVE = LazyPattern(rb"//(?:nolint|goleaklint):")
# A directive of ours written with a space after `//`: not a directive, for golangci-lint either.
_SPACED = LazyPattern(rb"//[ \t]+(?:nolint:(?:[\w-]*,)*(?:goleaklint|all)\b|goleaklint:)")
_NOLINT = LazyPattern(r"//nolint:(?P<linters>\S+)(?P<rest>.*)$", re.S)
_OURS = LazyPattern(r"//goleaklint:(?P<verb>[\w-]*)(?P<rest>.*)$", re.S)
_RULE_ID = LazyPattern(r"GL[0-9]{3}")
# Another linter's waiver: golangci-lint's `//nolint[:a,b]` (a space after `//` too: the authors'
# intent is plain, whether or not golangci-lint honours it) and gosec's `#nosec [G112 G114]`.
_WAIVER = LazyPattern(rb"//[ \t]*nolint\b(?::(?P<linters>[\w,.-]+))?|#nosec\b(?P<checks>(?:[ \t,]+G[0-9]{3})*)")


@dataclass(eq=False)
class Directive:
    """One suppression comment, and the rules it has suppressed a finding of in this run."""

    path: str
    line: int
    ids: frozenset[str] | None  # None: every rule
    reason: str
    text: str  # as written, for messages
    speaks_for_others: bool = False  # `//nolint:all`, `//nolint:errcheck,goleaklint`: not only ours
    used: set[str] = field(default_factory=set)


@dataclass
class Suppressions:
    # line -> the directives that cover it (a directive alone on its line covers the next one too)
    lines: dict[int, list[Directive]] = field(default_factory=dict)
    file_wide: list[Directive] = field(default_factory=list)
    # line -> (what another linter's waiver covering it waives: "gosec", "gosec:G112", "*"; as written)
    waivers: dict[int, list[tuple[frozenset[str], str]]] = field(default_factory=dict)

    def waiver_for(self, checks: tuple[str, ...], line: int) -> str | None:
        """The waiver as written if one on `line` waives one of `checks` (`Rule.waived_by`)."""
        for waived, text in self.waivers.get(line, ()):
            for check in checks:
                if "*" in waived or check in waived or check.split(":", 1)[0] in waived:
                    return text
        return None

    def reason_for(self, rule_id: str, line: int) -> str | None:
        """The justification if a finding of `rule_id` on `line` is suppressed, else None."""
        for directive in self.file_wide:
            if directive.ids is not None and rule_id in directive.ids:
                directive.used.add(rule_id)
                return directive.reason or "file-ignore"
        for directive in self.lines.get(line, ()):
            if directive.ids is None or rule_id in directive.ids:
                directive.used.add(rule_id)
                return directive.reason or "nolint"
        return None

    def unused(self, ran: frozenset[str], every: frozenset[str]) -> list[Notification]:
        """A notification for each directive (or rule id in one) that suppressed nothing, among the
        rules that ran: a rule that did not run cannot say whether it would have found something."""
        notes = []
        seen: set[int] = set()
        for directive in [*self.file_wide, *(d for entries in self.lines.values() for d in entries)]:
            if id(directive) in seen:
                continue
            seen.add(id(directive))
            if directive.ids is None:
                # `//nolint:all` may be there for any linter; and a blanket one can only be called
                # unused when every rule had its say.
                if directive.used or "all" in _linters(directive.text) or not every <= ran:
                    continue
                fix = "remove goleaklint from it" if directive.speaks_for_others else "remove it"
                notes.append(Notification(directive.path, directive.line, NotificationKind.DIRECTIVE,
                                          f"unused suppression: {directive.text} suppresses no goleaklint "
                                          f"finding here; {fix}"))
                continue
            idle = sorted((directive.ids & ran & every) - directive.used)
            if idle:
                what = "suppresses no finding" if not directive.used else f"suppresses no {', '.join(idle)} finding"
                notes.append(Notification(directive.path, directive.line, NotificationKind.DIRECTIVE,
                                          f"unused suppression: {directive.text} {what} here; "
                                          f"remove {'it' if not directive.used else ', '.join(idle)}"))
        return notes


def _linters(text: str) -> list[str]:
    match = _NOLINT.match(text)
    return match.group("linters").split(",") if match else []


def _directive_comments(source: SourceFile):
    """Comments starting `//nolint:` or `//goleaklint:`, in source order: found by a byte search and
    a node lookup at each hit (the same text inside a string or after other comment text is not
    one), rather than by walking the tree for every comment."""
    root = source.root
    for hit in _DIRECTIVE.finditer(source.data):
        node = root.descendant_for_byte_range(hit.start(), hit.start() + 2)
        if node is not None and node.type == "comment" and node.start_byte == hit.start():
            yield node


def _spaced_comments(source: SourceFile):
    root = source.root
    for hit in _SPACED.finditer(source.data):
        node = root.descendant_for_byte_range(hit.start(), hit.start() + 2)
        if node is not None and node.type == "comment" and node.start_byte == hit.start():
            yield node


def _parse_waivers(source: SourceFile, result: Suppressions) -> None:
    root = source.root
    for hit in _WAIVER.finditer(source.data):
        node = root.descendant_for_byte_range(hit.start(), hit.end())
        if node is None or node.type != "comment":
            continue
        if hit.group("checks") is not None:
            ids = re.findall(rb"G[0-9]{3}", hit.group("checks"))
            waived = frozenset(f"gosec:{i.decode()}" for i in ids) or frozenset({"gosec"})
        else:
            linters = (hit.group("linters") or b"").decode().split(",")
            waived = frozenset("*" if name in ("", "all") else name for name in linters if name or len(linters) == 1)
        text = hit.group(0).decode().strip()
        line = source.line_of(hit.start())
        result.waivers.setdefault(line, []).append((waived, text))
        if node.start_point[0] + 1 == line and _alone_on_line(source, node):
            result.waivers.setdefault(line + 1, []).append((waived, text))


def parse_suppressions(source: SourceFile, known_ids: frozenset[str], *,
                       require_reason: bool = False) -> tuple[Suppressions, list[Notification]]:
    result = Suppressions()
    notes: list[Notification] = []
    data = source.data
    if b"nolint" in data or b"#nosec" in data:
        _parse_waivers(source, result)
    if b"nolint" not in data and b"goleaklint:" not in data:
        return result, notes
    for comment in _spaced_comments(source):
        written = source.text(comment).split("//", 1)[1].strip().split()[0]
        notes.append(_note(source, comment.start_point[0] + 1,
                           f"not a directive: '// {written}' has a space after //, and golangci-lint ignores it too; "
                           f"write //{written}"))
    for comment in _directive_comments(source):
        text = source.text(comment)
        line = comment.start_point[0] + 1
        written = " ".join(text.split()[:1 if text.startswith("//nolint:") else 2])  # the directive, no reason
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
                if require_reason and not reason:
                    notes.append(_no_reason(source, line, written))
                result.file_wide.append(Directive(source.relpath, line, ids, reason, written))
                continue
        if problem:
            notes.append(_note(source, line, problem))
            continue
        if ids is not None:
            unknown = sorted(ids - known_ids)
            if unknown:
                notes.append(_note(source, line, f"unknown rule id {', '.join(unknown)} in directive"))
        if require_reason and not reason:
            notes.append(_no_reason(source, line, written))
        others = text.startswith("//nolint:") and _linters(text) != ["goleaklint"] and ids is None
        entry = Directive(source.relpath, line, ids, reason, written, speaks_for_others=others)
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


def _no_reason(source: SourceFile, line: int, written: str) -> Notification:
    example = "//goleaklint:ignore GL401 the caller cancels" if written.startswith("//goleaklint") \
        else f"{written} // the caller cancels"
    return _note(source, line, f"suppression without a reason (require-reason = true): say why, e.g. {example}")


def _note(source: SourceFile, line: int, message: str) -> Notification:
    return Notification(source.relpath, line, NotificationKind.DIRECTIVE, message)
