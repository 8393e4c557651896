"""Inline suppressions in the forms golangci-lint users already write."""

from __future__ import annotations

from goleaklint.rule import NotificationKind

HEAD = 'package a\n\nimport "context"\n\nfunc f(p context.Context) {\n'


def _lint(lint_tree, body: str, head: str = HEAD):
    return lint_tree({"a.go": head + body + "}\n"}, select=["GL401", "GL404"])


def test_nolint_on_the_line(lint_tree):
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p) //nolint:goleaklint // cancelled by the pool\n\t_ = x\n")
    assert not result.findings
    [suppressed] = result.suppressed
    assert suppressed.suppressed == "cancelled by the pool"


def test_nolint_with_ids_only_covers_those_ids(lint_tree):
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p) //nolint:goleaklint:GL404\n\t_ = x\n")
    assert [f.rule_id for f in result.findings] == ["GL401"]
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p) //nolint:goleaklint:GL404,GL401\n\t_ = x\n")
    assert not result.findings and len(result.suppressed) == 1


def test_nolint_for_other_linters_does_not_suppress(lint_tree):
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p) //nolint:errcheck,govet\n\t_ = x\n")
    assert len(result.findings) == 1
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p) //nolint:errcheck,goleaklint\n\t_ = x\n")
    assert not result.findings


def test_nolint_with_a_space_after_the_colon_is_not_ours(lint_tree):
    # Real code writes `//nolint: errcheck`; it once crashed the whole run.
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p) //nolint: errcheck\n\t_ = x\n")
    assert [f.rule_id for f in result.findings] == ["GL401"]
    assert not result.notifications


def test_directive_alone_on_the_line_above(lint_tree):
    result = _lint(lint_tree, "\t//goleaklint:ignore GL401 the parent is cancelled right after\n\tx, _ := context.WithCancel(p)\n\t_ = x\n")
    assert not result.findings
    assert result.suppressed[0].suppressed == "the parent is cancelled right after"


def test_trailing_directive_does_not_cover_the_next_line(lint_tree):
    result = _lint(lint_tree, "\t_ = 1 //goleaklint:ignore GL401 not for the next line\n\tx, _ := context.WithCancel(p)\n\t_ = x\n")
    assert len(result.findings) == 1


def test_directive_two_lines_above_does_not_apply(lint_tree):
    result = _lint(lint_tree, "\t//goleaklint:ignore GL401 too far\n\n\tx, _ := context.WithCancel(p)\n\t_ = x\n")
    assert len(result.findings) == 1


def test_file_ignore(lint_tree):
    head = HEAD.replace("package a\n", "//goleaklint:file-ignore GL401 legacy code, tracked in #12\npackage a\n")
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p)\n\t_ = x\n", head=head)
    assert not result.findings and len(result.suppressed) == 1


def test_unknown_ids_and_malformed_directives_are_reported(lint_tree):
    body = (
        "\tx, _ := context.WithCancel(p) //goleaklint:ignore GL999 typo\n"
        "\t_ = x //goleaklint:ignroe GL401\n"
        "\t_ = x //nolint:goleaklint:\n"
        "\t_ = x //goleaklint:ignore\n"
    )
    result = _lint(lint_tree, body)
    notes = [(n.line, n.kind, n.message) for n in result.notifications]
    assert all(kind is NotificationKind.DIRECTIVE for _, kind, _ in notes)
    lines = sorted(line for line, _, _ in notes)
    assert lines == [6, 7, 8, 9]
    assert any("GL999" in message for _, _, message in notes)
    assert len(result.findings) == 1  # GL999 did not suppress GL401


def test_directive_text_that_is_not_a_directive_comment_does_not_suppress(lint_tree):
    # Directives are found by a byte search; only a comment that starts with one counts.
    for line in (
        '\tx, _ := context.WithCancel(p); _ = "//nolint:goleaklint"\n',
        "\tx, _ := context.WithCancel(p) // see //nolint:goleaklint\n",
        "\tx, _ := context.WithCancel(p) /* //goleaklint:ignore GL401 why */\n",
    ):
        result = _lint(lint_tree, line + "\t_ = x\n")
        assert [f.rule_id for f in result.findings] == ["GL401"], line
        assert not result.suppressed, line


# Hygiene: unused directives, reasons, the spelling golangci-lint ignores.

def _directive_notes(result) -> list[tuple[int, str]]:
    return [(n.line, n.message) for n in result.notifications if n.kind is NotificationKind.DIRECTIVE]


def test_a_directive_that_suppresses_nothing_is_reported(lint_tree):
    body = "\t_ = p //goleaklint:ignore GL401 no longer needed\n\tx, _ := context.WithCancel(p) //nolint:goleaklint:GL401\n\t_ = x\n"
    result = _lint(lint_tree, body)
    assert not result.findings and len(result.suppressed) == 1
    [(line, message)] = _directive_notes(result)
    assert line == 6 and message.startswith("unused suppression: //goleaklint:ignore GL401 suppresses no finding")


def test_an_unused_id_in_a_directive_that_is_used_is_named(lint_tree):
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p) //nolint:goleaklint:GL401,GL404\n\t_ = x\n")
    [(line, message)] = _directive_notes(result)
    assert line == 6 and "suppresses no GL404 finding" in message and "remove GL404" in message


def test_unused_is_said_only_of_rules_that_ran(lint_tree):
    # GL201 did not run (select is GL401,GL404): whether it would have found something is unknown.
    result = _lint(lint_tree, "\t_ = p //goleaklint:ignore GL201 the map is bounded\n")
    assert _directive_notes(result) == []
    # A blanket nolint is unused only when every rule ran.
    result = _lint(lint_tree, "\t_ = p //nolint:goleaklint\n")
    assert _directive_notes(result) == []
    result = lint_tree({"a.go": HEAD + "\t_ = p //nolint:goleaklint\n\t_ = p //nolint:all\n}\n"})
    assert [line for line, _ in _directive_notes(result)] == [6]  # nolint:all may be for another linter


def test_an_unused_file_ignore_is_reported(lint_tree):
    head = HEAD.replace("package a\n", "//goleaklint:file-ignore GL404 loops are short here\npackage a\n")
    result = _lint(lint_tree, "\t_ = p\n", head=head)
    [(line, message)] = _directive_notes(result)
    assert line == 1 and "//goleaklint:file-ignore GL404" in message


def test_require_reason(lint_tree, tmp_path):
    from goleaklint.config import Config
    from goleaklint.discover import discover
    from goleaklint.engine import RunOptions, lint

    body = ("\tx, _ := context.WithCancel(p) //nolint:goleaklint:GL401\n\t_ = x\n"
            "\ty, _ := context.WithCancel(p) //goleaklint:ignore GL401\n\t_ = y\n"
            "\tz, _ := context.WithCancel(p) //goleaklint:ignore GL401 the pool cancels it\n\t_ = z\n"
            "\tw, _ := context.WithCancel(p) //nolint:goleaklint // the pool cancels it\n\t_ = w\n")
    assert _directive_notes(_lint(lint_tree, body)) == []  # off by default
    jobs, _ = discover(["./..."], Config(), tmp_path)
    options = RunOptions(("GL401", "GL404"), str(tmp_path.resolve()), require_reason=True)
    result = lint(jobs, options)
    assert len(result.suppressed) == 4
    notes = _directive_notes(result)
    assert [line for line, _ in notes] == [6, 8]
    assert all("suppression without a reason" in message for _, message in notes)


def test_nolint_with_a_space_after_the_slashes_gets_a_hint_and_suppresses_nothing(lint_tree):
    result = _lint(lint_tree, "\tx, _ := context.WithCancel(p) // nolint:goleaklint\n\t_ = x\n"
                              "\t_ = x // goleaklint:ignore GL401 why\n\t_ = x // nolint:errcheck\n")
    assert [f.rule_id for f in result.findings] == ["GL401"]  # golangci-lint would not honour it either
    notes = _directive_notes(result)
    assert [line for line, _ in notes] == [6, 8]  # not the nolint for another linter
    assert "golangci-lint ignores it too" in notes[0][1] and "write //nolint:goleaklint" in notes[0][1]
