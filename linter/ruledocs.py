"""A rule's documentation for people: `goleaklint rule GL401`."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.markdown import Markdown

from .rule import Rule

SECTIONS = (
    ("What it does", "what"),
    ("Why is this bad?", "why"),
    ("Example", "example"),
    ("Use instead", "use_instead"),
    ("Known limits", "limits"),
)


def rule_markdown(rule: Rule, heading: str = "#") -> str:
    """Markdown with the same sections for every rule; code sections are Go blocks."""
    lines = [f"{heading} {rule.id} {rule.slug}", "", f"*{rule.title}*", "",
             f"Default level: **{rule.severity.value}**" + (f" · tags: {', '.join(rule.tags)}" if rule.tags else ""), ""]
    for title, attr in SECTIONS:
        text = getattr(rule.docs, attr).strip("\n")
        lines.append(f"{heading}# {title}")
        lines.append("")
        if attr in ("example", "use_instead"):
            lines += ["```go", text, "```"]
        else:
            lines.append(text.strip())
        lines.append("")
    if rule.docs.references:
        lines.append(f"{heading}# References")
        lines.append("")
        lines += [f"- {ref}" for ref in rule.docs.references]
        lines.append("")
    return "\n".join(lines)


def render_rule(rule: Rule, out: TextIO, color: bool = False) -> None:
    console = Console(file=out, force_terminal=color, no_color=not color, highlight=False, soft_wrap=False)
    console.print(Markdown(rule_markdown(rule), code_theme="ansi_dark"))
