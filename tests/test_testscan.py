"""Test files read from their bytes (linter/testscan.py) tell the module model what parsing them does.

A default run does not parse `_test.go` files (cli.lints_tests). What only tests call must still be
test code: each test here writes a small module, summarises it with test files parsed and with test
files scanned, and compares the calls the test files make, shape by shape, including the near misses a
scan over bytes could take for calls (a name in a comment or string, a method of a chain broken after
its dot, a result list, `new(pkg.T)`, a slice literal's element).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from goleaklint.cli import lints_tests
from goleaklint.config import Config
from goleaklint.discover import discover
from goleaklint.engine import RunOptions, lint, module_path_list, selected_rules
from goleaklint.registry import all_rules
from goleaklint.rule import Severity
from goleaklint.testscan import code_only, scan

GO_MOD = "module example.com/shop\n\ngo 1.22\n"

STORE = """package store

import "context"

type Store struct{ items map[string]int }

func Open(ctx context.Context, dsn string) (*Store, error) { return &Store{}, nil }
func Reset() {}
func Pair[K comparable, V any](k K, v V) map[K]V { return map[K]V{k: v} }
type Option func(*Store)
func WithSize(n int) Option { return func(*Store) {} }
"""

SHOP = """package shop

func helper() int { return 1 }
func stop()       {}
func serve()      {}
func mentioned()  {}
func quoted()     {}
func chained()    {}
func element()    {}
func seeded() int { return 2 }
func Generic[T any](a, b T) T { return a }
"""

SHOP_TEST = '''package shop

import (
	"testing"

	"example.com/shop/store"
	st "example.com/shop/store"
)

// mentioned() is only named in this comment.
var seed = seeded()

type fake struct{}

func (f *fake) chained() *fake { return f }

func TestShop(t *testing.T) {
	_ = helper()
	t.Cleanup(stop)
	handlers := map[string]func(){"/": serve}
	_ = handlers
	s := "quoted()"
	_ = s
	f := &fake{}
	f.
		chained()
	_ = []func(){element}
	_ = Generic[int](1, 2)
	db, _ := store.Open(nil, "dsn")
	_ = db
	st.Reset()
	_ = store.Pair[string, int]("a", 1)
	go func() { _ = helper() }()
}

func open(t *testing.T) (store.Option, error) { return store.WithSize, nil }

func TestNew(t *testing.T) {
	_ = new(store.Store)
	use(store.WithSize)
}

func use(o store.Option) {}
'''

SHADOW_TEST = '''package shop

import (
	"testing"

	"example.com/shop/store"
)

func TestShadow(t *testing.T) {
	store := struct{ Reset func() }{}
	store.Reset()
}
'''


def _calls(root: Path, parsed: bool) -> dict[str, set]:
    """Per package, (callee) of every edge whose call site is in a test file; and test functions."""
    jobs, _ = discover(["./..."], Config(), root)
    rules = selected_rules(Config())
    options = RunOptions(tuple(rm.rule.id for rm in rules), str(root), modules=module_path_list(jobs), lint_tests=parsed)
    result = lint(jobs, options, judge=False)
    found: dict[str, set] = {}
    for summary in result.all_summaries():
        calls = {json.dumps(call[1]) for call in summary.calls if call[2].endswith("_test.go")}
        functions = {name for name, record in summary.functions.items()
                     if record[0].endswith("_test.go") and record[3] != "literal" and not name.startswith("glob@")}
        found[summary.name] = calls | {f"fn {name}" for name in functions}
    return found


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root.resolve()


def test_scanned_calls_are_the_parsed_ones(tmp_path):
    root = _write(tmp_path, {"go.mod": GO_MOD, "store/store.go": STORE, "shop.go": SHOP, "shop_test.go": SHOP_TEST})
    scanned = _calls(root, parsed=False)["shop"]
    expected = {
        '["L", "helper"]', '["L", "stop"]', '["L", "serve"]', '["L", "seeded"]',
        '["I", "example.com/shop/store", "Open"]', '["I", "example.com/shop/store", "Reset"]',
        '["I", "example.com/shop/store", "WithSize"]',
        '["L", "use"]', "fn TestShop", "fn TestNew", "fn open", "fn use", "fn fake.chained",
    }
    # The generic calls the parser reads as conversions (one argument, `F[T](x)`) are calls too.
    assert scanned - {'["L", "Generic"]', '["I", "example.com/shop/store", "Pair"]'} == expected
    parsed = _calls(root, parsed=True)["shop"]
    assert parsed <= scanned, parsed - scanned
    # Near misses: a comment, a string, a method of a chain, a slice literal's element, `new(T)`,
    # a type in a result list.
    for name in ("mentioned", "quoted", "chained", "element"):
        assert json.dumps(["L", name]) not in scanned
    assert '["I", "example.com/shop/store", "Store"]' not in scanned
    assert '["I", "example.com/shop/store", "Option"]' not in scanned


def test_an_import_shadowed_by_a_local_is_no_call_of_it(tmp_path):
    root = _write(tmp_path, {"go.mod": GO_MOD, "store/store.go": STORE, "shop.go": SHOP, "shop_test.go": SHADOW_TEST})
    assert '["I", "example.com/shop/store", "Reset"]' not in _calls(root, parsed=False)["shop"]
    assert '["I", "example.com/shop/store", "Reset"]' not in _calls(root, parsed=True)["shop"]


def test_a_function_only_tests_call_is_test_code_either_way(tmp_path):
    leak = """package shop

import "time"

func drain() int {
	result := make(chan int)
	go func() { result <- compute() }()
	select {
	case v := <-result:
		return v
	case <-time.After(time.Second):
		return 0
	}
}

func compute() int { return 1 }
"""
    test = 'package shop\n\nimport "testing"\n\nfunc TestDrain(t *testing.T) {\n\t_ = drain()\n}\n'
    root = _write(tmp_path, {"go.mod": GO_MOD, "drain.go": leak, "drain_test.go": test})
    for parsed in (True, False):
        from .conftest import run_lint

        result = run_lint(["./..."], root, select=["GL101"], lint_tests=parsed)
        assert not result.findings, (parsed, result.findings)
        assert {f.lifetime for f in result.silenced} == {"test"}, (parsed, result.silenced)


def test_code_only_blanks_comments_and_strings_keeping_lines():
    data = b'a := "x(y)" // f()\n/* g()\n*/ b := `h()\ni()` + \'(\'\n'
    blanked = code_only(data)
    assert len(blanked) == len(data) and blanked.count(b"\n") == data.count(b"\n")
    assert b"(" not in blanked.replace(b"a := ", b"")


def test_scan_reads_imports_and_functions():
    data = SHOP_TEST.encode()
    scanned = scan("shop_test.go", data)
    assert scanned.package == "shop"
    assert ("store", "example.com/shop/store") in scanned.imports and ("st", "example.com/shop/store") in scanned.imports
    names = {fn[0]: fn for fn in scanned.functions}
    assert names["fake.chained"][3:5] == ("method", "fake")
    test_shop = names["TestShop"]
    lines = SHOP_TEST.splitlines()
    assert lines[test_shop[1] - 1].startswith("func TestShop") and lines[test_shop[2] - 1] == "}"


def _args(**values) -> argparse.Namespace:
    defaults = {"show_notes": False, "fail_on": None, "write_baseline": None}
    return argparse.Namespace(**{**defaults, **values})


@pytest.mark.parametrize("change, parsed", [
    ({}, False),
    ({"args": {"show_notes": True}}, True),
    ({"args": {"fail_on": "note"}}, True),
    ({"args": {"write_baseline": "b.json"}}, True),
    ({"min_precision": "medium"}, True),
    ({"min_precision": "low"}, True),
    ({"lifetimes": False}, True),
    ({"config": {"show_notes": True}}, True),
    ({"config": {"severity": {"GL404": Severity.WARNING}}}, True),
])
def test_test_files_are_parsed_only_when_their_findings_can_be_shown(change, parsed):
    config = Config(**change.get("config", {}))
    assert lints_tests(all_rules(), config, change.get("min_precision"), change.get("lifetimes", True),
                       _args(**change.get("args", {}))) is parsed
