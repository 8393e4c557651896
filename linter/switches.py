"""Settings that turn code on: the `if` around a call that runs only when an operator asks for it.

`if cfg.EnablePprof { … }`, `if *debug { … }`, `if n.config.IsProfilingEnabled() { … }`, and the
statements after a guard that returns while it is off (`if !opts.Profiling { return }`). GL501 asks
it of the code around a server (rules/pprof_exposed.py, `_opt_in`), and the module model asks it of
every call into a function of the module: a function that every caller in the module calls only so
runs only when the setting is on, whichever package it is in (linter/lifetime.py `switched`).
GL406 and GL502 ask only for a switch for developers (`developer_switch` in the finding's own
function, and the model's switched functions whose switch `names_developer_switch`): a demo route, a
debug dump, a debug server.
"""

from __future__ import annotations

from tree_sitter import Node

from .model import block_statements
from .patterns import LazyPattern
from .source import SourceFile

# A switch for profiling, debugging or an optional feature, or an address checked for being set:
# `if cfg.EnablePprof`, `if *debug`, `if addr != ""`, `if metricsPort > 0`.
SWITCH = LazyPattern(r'!=\s*""|(?i:(?:port|addr)\w*\s*(?:!=|>)\s*0\b)|(?i:enable|debug|pprof|profil)')
# The same switches, off: a guard that returns before the server when the address is unset
# (`if addr == "" { return }`, `if port <= 0`, `if !cfg.EnablePprof`). A bare `if !cfg.Enabled`
# is not one: a metrics server that carries pprof is most often enabled by default.
OFF = LazyPattern(r'==\s*""|(?i:(?:port|addr)\w*\s*(?:==|<=)\s*0\b)|!\s*\*?[\w.]*(?i:debug|pprof|profil)')

# Across functions only a switch named for what it turns on counts (an address checked for being
# set says nothing about what is served there). The `if` lines that may hold one, found in C: a
# condition on one line that names a switch, on or off.
# `dev` counts as a word of a name only, as in DEVELOPER below (`if devMode`, `if *devhttps`,
# `cfg.IsDev`), not inside `device`.
_DEV = (r"(?-i:\b[dD]ev(?![a-z])|(?<=[a-z])Dev(?![a-z])|\bDEV(?![A-Z]))"
        r"|\bdev(?:mode|env|server|srv|https?|tls|only)\b")
_NAMED_IF = LazyPattern(rb"\bif\s[^{\n]*(?:(?i:enable|debug|pprof|profil|demo|develop)|" + _DEV.encode() + rb")")
_WORDS = (b"enable", b"debug", b"pprof", b"profil", b"demo", b"dev")
NAMED_SWITCH = LazyPattern(r"(?i:enable|debug|pprof|profil|demo|develop)|" + _DEV)
# Off, as OFF: a bare `!cfg.Enabled` is no switch for profiling (metrics are most often on by default).
NAMED_OFF = LazyPattern(r"!\s*\*?[\w.()]*(?i:debug|pprof|profil|demo|develop)[\w.()]*")
# A switch for developers (linter/routes.py names routes so: `if cfg.Debug`, `if *devMode`, `if
# APP.DemoEnable`): what it turns on, a default deployment does not run.
# `test` and `dev` as words of a name only (`TestMode`, `*test`, `devMode`, `isDev`, `DEV_MODE`,
# `devhttps`), not inside longer words: `latest`, `cfg.Attestation`, `device`, `cfg.Devices`.
DEVELOPER = LazyPattern(r"(?i)debug|echo|demo|mock|fake|develop|example|playground|sandbox"
                        r"|(?-i:\btest|Test|\bTEST)|" + _DEV)
# What a condition says besides its switches: string literals, and the package of a qualified name
# (`echo.MIMEApplicationJSON`, `testing.Short()`), which names a library, not a setting.
_NOT_A_SWITCH = LazyPattern(r'"(?:[^"\\\n]|\\.)*"|`[^`]*`|\b[a-z]\w*\.(?=[A-Z])')


def names_developer_switch(condition: str) -> bool:
    """The condition names a switch for developers: `cfg.Debug`, `env.IsDevelopment && …`, not
    `contentType == echo.MIMEApplicationJSON` or `mode == "test"`."""
    return DEVELOPER.search(_NOT_A_SWITCH.sub(" ", condition)) is not None


def developer_switch(source: SourceFile, node: Node) -> str | None:
    """The condition of a developer switch that `node` runs only under, in its own function or the
    functions its literal is made in: the block of an `if` that names one (`if cfg.Debug {`; with
    an `else` only when `node` is a call the `else` does not make too: `if debug {
    serve(logged(h)) } else { serve(h) }` picks how, not whether), or the statements after an `if`
    that returns unless it is on (`if !cfg.Debug { return }`). None when there is none."""
    child, current = node, node.parent
    while current is not None and current.type not in ("function_declaration", "method_declaration", "source_file"):
        if current.type == "if_statement" and current.child_by_field_name("consequence") == child \
                and not _else_does_the_same(source, current, node):
            condition = current.child_by_field_name("condition")
            text = " ".join(source.text(condition).split()) if condition is not None else ""
            if text and not text.startswith("!") and "||" not in text and names_developer_switch(text):
                return text
        if current.type in ("block", "statement_list"):
            sibling = child.prev_named_sibling
            while sibling is not None:
                if sibling.type == "if_statement" and sibling.child_by_field_name("alternative") is None:
                    condition = sibling.child_by_field_name("condition")
                    consequence = sibling.child_by_field_name("consequence")
                    text = " ".join(source.text(condition).split()) if condition is not None else ""
                    statements = block_statements(consequence) if consequence is not None else []
                    if text.startswith("!") and "&&" not in text and "||" not in text and names_developer_switch(text) \
                            and statements and statements[-1].type == "return_statement":
                        return f"if {text} {{ return }}"
                sibling = sibling.prev_named_sibling
        child, current = current, current.parent
    return None


def named_switch_spans(source: SourceFile) -> list[tuple[int, int, str]]:
    """(first byte, end byte, condition) of the code of a file that runs only when a named switch is
    on: the block of an `if` whose condition names one (`if cfg.EnableProfiling {`), and the rest of the block after an `if` that
    returns unless it is on (`if !cfg.Profiler.Enabled { return }`). The block of an `if` with an
    `else` counts when the switch is one for developers (`if devTLS { serveDev() } else { serve()
    }`); what its `else` runs is not switched. Nested spans are all listed; a call inside any of
    them runs only when that switch is on."""
    data, root = source.data, source.root
    # Most files name no switch at all: four finds in C on a lowered copy say so, at half the cost
    # of the pattern's own scan (which has no literal to skip to).
    lowered = data.lower()
    if not any(word in lowered for word in _WORDS):
        return []
    spans: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    for match in _NAMED_IF.finditer(data):
        start = match.start()
        node = root.named_descendant_for_byte_range(start, start + 2)
        while node is not None and node.type != "if_statement" and node.start_byte == start:
            node = node.parent
        if node is None or node.type != "if_statement" or node.start_byte != start or node.id in seen:
            continue
        seen.add(node.id)
        condition = node.child_by_field_name("condition")
        consequence = node.child_by_field_name("consequence")
        if condition is None or consequence is None:
            continue
        text = " ".join(source.text(condition).split())
        alternative = node.child_by_field_name("alternative")
        # With an `else`, only a switch for developers: `if cfg.DashboardEnabled {…} else {…}` is
        # as often a feature on by default whose `else` is the fallback.
        if NAMED_SWITCH.search(text) and not text.startswith("!") and \
                (alternative is None or names_developer_switch(text)):
            spans.append((consequence.start_byte, consequence.end_byte, text))
            continue
        statements = block_statements(consequence)
        if alternative is None and "&&" not in text and NAMED_OFF.fullmatch(text) and statements \
                and statements[-1].type == "return_statement":
            block = _enclosing_block(node)
            if block is not None:
                spans.append((node.end_byte, block.end_byte, f"if {text} {{ return }}"))
    return spans


def _else_does_the_same(source: SourceFile, statement: Node, node: Node) -> bool:
    """The `if` has an `else` that does what `node` does (makes the same call: `serve(h)` beside
    `serve(logged(h))`), or `node` is no call whose like could be looked for there."""
    alternative = statement.child_by_field_name("alternative")
    if alternative is None:
        return False
    if node.type != "call_expression":
        return True
    function = node.child_by_field_name("function")
    return function is None or (source.text(function) + "(").encode() in source.data[alternative.start_byte:alternative.end_byte]


def _enclosing_block(node: Node) -> Node | None:
    parent = node.parent
    while parent is not None and parent.type == "statement_list":
        parent = parent.parent
    return parent if parent is not None and parent.type == "block" else None
