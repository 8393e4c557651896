"""Rule documentation: `goleaklint rule`, and docs/rules.md kept in sync with the rules' own docs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from goleaklint.cli import main
from goleaklint.registry import all_rules
from goleaklint.ruledocs import SECTIONS, rules_markdown

RULES_MD = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_docs_rules_md_is_in_sync_with_the_generator():
    expected = rules_markdown(rm.rule for rm in all_rules())
    assert RULES_MD.read_text(encoding="utf-8") == expected, (
        "docs/rules.md is out of date: run `goleaklint rule --all --format markdown > docs/rules.md`"
    )


def test_rule_all_markdown_is_what_docs_rules_md_holds(capsys):
    assert main(["rule", "--all", "--format", "markdown"]) == 0
    assert capsys.readouterr().out == rules_markdown(rm.rule for rm in all_rules())


def test_every_rule_has_every_section_and_the_anchor_sarif_links_to():
    text = rules_markdown(rm.rule for rm in all_rules())
    headings = re.findall(r"^## (GL\d{3}) (\S+)$", text, re.M)
    assert headings == [(rm.rule.id, rm.rule.slug) for rm in all_rules()]
    for rm in all_rules():
        # GitHub's anchor for "## GL401 lost-cancel" is "#gl401-lost-cancel".
        anchor = f"{rm.rule.id.lower()}-{rm.rule.slug}"
        assert rm.rule.help_uri.endswith("docs/rules.md#" + anchor)
        assert f"](#{anchor})" in text
        block = text.split(f"## {rm.rule.id} ", 1)[1].split("\n## ", 1)[0]
        for title, attr in SECTIONS:
            assert f"### {title}" in block
            assert getattr(rm.rule.docs, attr).strip(), f"{rm.rule.id}: empty {attr}"
        assert block.count("```go") == 2


def test_rule_command_text_has_sections_and_no_padding(capsys):
    assert main(["rule", "lost-cancel"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("GL401 lost-cancel\n")
    for title, _ in SECTIONS:
        assert f"\n{title}\n" in out
    assert "context.WithTimeout(parent, 5*time.Second)" in out  # the example's code
    assert all(line == line.rstrip() for line in out.splitlines())
    assert "\x1b[" not in out  # not a terminal: no escape codes


def test_rule_command_single_markdown_and_all_text(capsys):
    assert main(["rule", "gl404", "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("# GL404 defer-in-loop\n")
    assert main(["rule", "--all"]) == 0
    out = capsys.readouterr().out
    assert [line for line in out.splitlines() if re.fullmatch(r"GL\d{3} \S+", line)] == \
        [f"{rm.rule.id} {rm.rule.slug}" for rm in all_rules()]


@pytest.mark.parametrize("argv, message", [
    ([], "name one RULE, or --all"),
    (["GL401", "--all"], "name one RULE, or --all"),
    (["GL999"], "unknown rule 'GL999'"),
    (["GL401", "--format", "html"], "invalid choice"),
])
def test_rule_command_usage_errors_exit_2(capsys, argv, message):
    assert main(["rule", *argv]) == 2
    assert message in capsys.readouterr().err


def test_rule_help_exits_0(capsys):
    assert main(["rule", "--help"]) == 0
    assert "--all" in capsys.readouterr().out


def test_precision_text_names_every_label_by_lifetime():
    # A label by lifetime is said whichever way it moves the rule's own: above the default bar
    # (kept levels), between the rule's and the bar (shown at a lower min-precision), below the rule's.
    from goleaklint.rule import Docs, Rule, Severity
    from goleaklint.ruledocs import precision_text

    def rule(precision, by_lifetime):
        return Rule(id="GL999", slug="x", title="x", severity=Severity.WARNING, precision=precision,
                    precision_by_lifetime=by_lifetime, docs=Docs("", "", "", "", ""))

    assert "high in code run per request, so there its findings keep their levels" in \
        precision_text(rule("low", (("per-request", "high"),)))
    assert "medium in code run per request, which `--min-precision medium` already reports at their levels" in \
        precision_text(rule("low", (("per-request", "medium"),)))
    assert "low in code with no caller seen in the module, which only `--min-precision low`" in \
        precision_text(rule("medium", (("unknown", "low"),)))
