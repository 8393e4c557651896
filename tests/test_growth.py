"""Unbounded growth across a package: what linting one file of it sees, and shapes fixtures cannot
express (build-tagged duplicates, a finding whose declaration is in a file not being reported)."""

from __future__ import annotations

from .conftest import run_lint

STORE = """package store

import "net/http"

var carts = map[string]int{}

func add(w http.ResponseWriter, r *http.Request) { carts[r.URL.Path]++ }
"""

EVICT = """package store

func evict(k string) { delete(carts, k) }
"""


def test_a_delete_in_a_sibling_file_silences_even_when_only_one_file_is_linted(tmp_path):
    (tmp_path / "store.go").write_text(STORE)
    (tmp_path / "evict.go").write_text(EVICT)
    assert not run_lint(["store.go"], tmp_path, select=["GL201"]).findings
    (tmp_path / "evict.go").write_text("package store\n")
    [finding] = run_lint(["store.go"], tmp_path, select=["GL201"]).findings
    assert (finding.path, finding.line, finding.severity.value) == ("store.go", 5, "error")


def test_the_finding_belongs_to_the_declaring_file(tmp_path):
    # The insert is in b.go, the declaration in a.go: linting b.go alone reports nothing there.
    (tmp_path / "a.go").write_text("package p\n\nvar seen = map[string]bool{}\n")
    (tmp_path / "b.go").write_text(
        'package p\n\nimport "net/http"\n\nfunc h(w http.ResponseWriter, r *http.Request) { seen[r.Host] = true }\n'
    )
    assert not run_lint(["b.go"], tmp_path, select=["GL201"]).findings
    assert [(f.path, f.line) for f in run_lint(["./..."], tmp_path, select=["GL201"]).findings] == [("a.go", 3)]


def test_build_tagged_twins_are_reported_once(tmp_path):
    body = 'package p\n\nimport "net/http"\n\nvar hits []string\n\nfunc h(w http.ResponseWriter, r *http.Request) { hits = append(hits, r.Host) }\n'
    (tmp_path / "a_linux.go").write_text("//go:build linux\n\n" + body)
    (tmp_path / "a_windows.go").write_text("//go:build windows\n\n" + body.replace("func h(", "func h2("))
    findings = run_lint(["./..."], tmp_path, select=["GL203"]).findings
    assert [(f.path, f.line, f.rule_id) for f in findings] == [("a_linux.go", 7, "GL203")]
    assert "h (handler, value from the request), h2 (handler, value from the request)" in findings[0].message


def test_a_build_tagged_twin_map_is_not_mistaken_for_an_escape(tmp_path):
    body = 'package p\n\nimport "net/http"\n\nvar seen = map[string]bool{}\n\nfunc h(w http.ResponseWriter, r *http.Request) { seen[r.Host] = true }\n'
    (tmp_path / "a_linux.go").write_text("//go:build linux\n\n" + body)
    (tmp_path / "a_windows.go").write_text("//go:build windows\n\n" + body.replace("func h(", "func h2("))
    findings = run_lint(["./..."], tmp_path, select=["GL201"]).findings
    assert [(f.path, f.line) for f in findings] == [("a_linux.go", 7)]
