"""Package facts have one home, `pkg.facts`: built once per package, on first use, for every rule."""

from __future__ import annotations

import gc
import weakref

from goleaklint import goroutines, growth
from goleaklint.context import PackageContext

SOURCE = """package svc

import "net/http"

var seen = map[string]int{}
var log []string

func handle(w http.ResponseWriter, r *http.Request) {
	seen[r.URL.Path]++
	log = append(log, r.URL.Path)
	go func() {
		for {
			work()
		}
	}()
}

func work() {}
"""


def _count_builds(monkeypatch, cls) -> list[object]:
    built: list[object] = []
    original = cls.__init__

    def init(self, *args, **kwargs):
        built.append(self)
        original(self, *args, **kwargs)

    monkeypatch.setattr(cls, "__init__", init)
    return built


def test_each_package_builds_its_facts_once_for_all_rules(lint_tree, monkeypatch):
    functions = _count_builds(monkeypatch, goroutines.PackageFunctions)
    calls = _count_builds(monkeypatch, growth.PackageCalls)
    result = lint_tree({"svc/a.go": SOURCE, "other/b.go": SOURCE.replace("package svc", "package other")},
                       select=["GL103", "GL104", "GL201", "GL203"])
    # Two packages, each with two collections (GL201, GL203) and a goroutine (GL103, GL104).
    assert {f.rule_id for f in result.findings} >= {"GL103", "GL201", "GL203"}
    assert len(functions) == 2
    assert len(calls) == 2


def test_facts_are_lazy_and_released_with_the_package(monkeypatch):
    functions = _count_builds(monkeypatch, goroutines.PackageFunctions)
    pkg = PackageContext(".", [], frozenset())
    assert functions == []  # nothing asked, nothing built
    facts = pkg.facts
    assert pkg.facts is facts and facts.functions is facts.functions and len(functions) == 1
    ref = weakref.ref(facts)
    gc.disable()  # freed by reference counting, not by a later run of the cyclic collector
    try:
        pkg.release()
        del facts
        assert ref() is None
    finally:
        gc.enable()
