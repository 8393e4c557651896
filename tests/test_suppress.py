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
