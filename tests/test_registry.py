"""The rule contract: what a rule module declares is read once, typed, and checked at registration.

A misspelt or mistyped declaration must fail loudly with the module's name, never silently turn a
fast path off (a `REQUIRE_IMPORTS` the engine does not know would make the rule run on every file).
"""

from __future__ import annotations

import time
from types import ModuleType

import pytest

from goleaklint.registry import RuleDeclarationError, RuleModule, all_rules
from goleaklint.rule import Docs, Rule, Severity


def _module(name: str = "goleaklint.rules.sample_rule", source: str = "", **declarations) -> ModuleType:
    """A rule module as Python builds one: `source` is executed in it, so its functions belong to it."""
    module = ModuleType(name)
    module.RULE = Rule("GL990", "sample-rule", "a test rule", Severity.WARNING, Docs("", "", "", "", ""))
    exec(compile(source or "def check(ctx, captures):\n    return captures['call']\n", name, "exec"), vars(module))
    for key, value in declarations.items():
        setattr(module, key, value)
    return module


def _fails(module: ModuleType, *fragments: str) -> str:
    with pytest.raises(RuleDeclarationError) as info:
        RuleModule(module.RULE, module)
    message = str(info.value)
    assert message.startswith(f"{module.__name__}: "), message
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_every_shipped_rule_passes_and_its_declarations_are_typed():
    rules = all_rules()
    assert len(rules) >= 17
    for rm in rules:
        assert rm.query is None or isinstance(rm.query, str)
        assert isinstance(rm.method_calls, frozenset) and isinstance(rm.requires_imports, frozenset)
        assert rm.check is not None or rm.check_package is not None
    by_id = {rm.rule.id: rm for rm in rules}
    assert by_id["GL401"].requires_imports == {"context"}
    assert "WithCancel" in by_id["GL401"].method_calls


def test_a_valid_module_gives_its_declarations():
    module = _module(METHOD_CALLS=frozenset({"Stop"}), REQUIRES_IMPORTS=frozenset({"time", "gopkg.in/yaml.v3"}))
    rm = RuleModule(module.RULE, module)
    assert rm.method_calls == {"Stop"}
    assert rm.requires_imports == {"time", "gopkg.in/yaml.v3"}
    assert rm.query is None


@pytest.mark.parametrize("misspelt, meant", [
    ("REQUIRE_IMPORTS", "REQUIRES_IMPORTS"),
    ("REQUIRED_IMPORTS", "REQUIRES_IMPORTS"),
    ("METHOD_CALL", "METHOD_CALLS"),
    ("QUERIES", "QUERY"),
])
def test_a_misspelt_declaration_fails_and_says_what_was_meant(misspelt, meant):
    module = _module(**{misspelt: frozenset({"time"})})
    _fails(module, f"unknown declaration {misspelt}", f"did you mean {meant}?")


def test_an_unknown_public_constant_fails_but_private_and_shared_ones_pass():
    _fails(_module(TIMEOUT_FIX="use a timer"), "unknown declaration TIMEOUT_FIX", "start with `_`")
    ok = _module(_FIX="private", METHOD_CALLS=frozenset({"Stop"}))
    from goleaklint.model import FUNCTION_TYPES

    ok.FUNCTION_TYPES = FUNCTION_TYPES  # `from goleaklint.model import FUNCTION_TYPES`
    RuleModule(ok.RULE, ok)


def test_a_misspelt_entry_point_fails():
    _fails(_module(source="def check_pakage(pkg):\n    return []\n"), "check_pakage", "did you mean check_package?")
    _fails(_module(source="def chek(ctx, captures):\n    return []\n"), "did you mean check?")
    _fails(_module(source="def _helper():\n    return []\n"), "defines neither check nor check_package")


def test_entry_points_take_what_the_engine_passes():
    _fails(_module(source="def check(ctx):\n    return []\n"), "check takes 1 argument(s)", "check(ctx, captures)")
    _fails(_module(source="def check_package(pkg, extra):\n    return []\n"), "check_package(pkg)")
    _fails(_module(source="check = 3\n"), "check must be a function")


@pytest.mark.parametrize("value, fragment", [
    ("time", "must be a frozenset of str, not str"),  # iterating a str gives its letters
    (frozenset(), "non-empty"),
    (frozenset({1}), "non-empty frozenset of str"),
    (frozenset({'"net/http"'}), "not a Go import path"),
    (frozenset({"net/http/"}), "not a Go import path"),
    (frozenset({"net//http"}), "not a Go import path"),
    (frozenset({"github.com/x/y z"}), "not a Go import path"),
])
def test_requires_imports_must_be_import_paths(value, fragment):
    _fails(_module(REQUIRES_IMPORTS=value), "REQUIRES_IMPORTS", fragment)


@pytest.mark.parametrize("value, fragment", [
    ("Stop", "must be a frozenset of str, not str"),
    (frozenset({"t.Stop"}), "not a Go identifier"),
    (frozenset({"Stop()"}), "not a Go identifier"),
])
def test_method_calls_must_be_identifiers(value, fragment):
    _fails(_module(METHOD_CALLS=value), "METHOD_CALLS", fragment)


def test_query_must_be_a_string():
    _fails(_module(QUERY=["(go_statement) @go"]), "QUERY must be a non-empty str")


def test_a_query_capture_that_check_never_reads_fails():
    source = "def check(ctx, captures):\n    return captures.get('go', [])\n"
    _fails(_module(source=source, QUERY="(go_statement (call_expression) @call) @go"), "never reads the capture(s) call")
    # Captures only tested in predicates, or named `@_…`, are not handed to check to read.
    fine = _module(source=source, QUERY='(go_statement (call_expression function: (identifier) @fn (#eq? @fn "run")) @_c) @go')
    RuleModule(fine.RULE, fine)


def test_a_capture_read_by_a_helper_of_the_module_counts():
    source = ("def check(ctx, captures):\n    return _each(captures)\n\n"
              "def _each(captures):\n    return [n for n in captures['loop']]\n")
    module = _module(source=source, QUERY="(for_statement) @loop")
    assert RuleModule(module.RULE, module).query == "(for_statement) @loop"


def test_method_calls_need_check_to_read_the_calls():
    source = "def check(ctx, captures):\n    return []\n"
    _fails(_module(source=source, METHOD_CALLS=frozenset({"Stop"})), "never reads the capture(s) call")


def test_fast_paths_without_check_fail():
    source = "def check_package(pkg):\n    return []\n"
    _fails(_module(source=source, REQUIRES_IMPORTS=frozenset({"time"})), "REQUIRES_IMPORTS only serve check")


def test_the_rule_record_is_checked():
    module = _module()
    module.RULE = Rule("GL99", "sample-rule", "t", Severity.WARNING, Docs("", "", "", "", ""))
    _fails(module, "not of the form GLnnn")
    module.RULE = Rule("GL990", "Sample_Rule", "t", Severity.WARNING, Docs("", "", "", "", ""))
    _fails(module, "slug")
    module.RULE = Rule("GL990", "sample-rule", "t", "warning", Docs("", "", "", "", ""))
    _fails(module, "Severity")
    module.RULE = Rule("GL990", "sample-rule", "t", Severity.WARNING, Docs("", "", "", "", ""), tags=("a", 1))
    _fails(module, "tags")


def test_registration_stays_cheap():
    rules = all_rules()
    start = time.perf_counter()
    for rm in rules:
        RuleModule(rm.rule, rm.module)
    assert time.perf_counter() - start < 0.05  # about 1 ms for every rule; it runs at every start-up


def test_a_waived_check_must_name_a_linter_and_optionally_a_check():
    from goleaklint.rule import Docs, Rule, Severity

    docs = Docs(what="w", why="y", example="e", use_instead="u", limits="l")
    Rule(id="GL999", slug="x", title="t", severity=Severity.WARNING, docs=docs, waived_by=("gosec:G112", "bodyclose"))
    with pytest.raises(ValueError, match="waived_by"):
        Rule(id="GL999", slug="x", title="t", severity=Severity.WARNING, docs=docs, waived_by=("#nosec G112",))
