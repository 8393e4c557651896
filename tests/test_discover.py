"""From paths to packages: what is skipped, what is followed, what is context only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from goleaklint.config import Config, ConfigError
from goleaklint.discover import discover

LEAK = 'package {pkg}\n\nimport "context"\n\nfunc f(p context.Context) {{\n\tx, _ := context.WithCancel(p)\n\t_ = x\n}}\n'


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def reported(root: Path, args=None, config=None) -> list[str]:
    jobs, _ = discover(args or ["./..."], config or Config(), root)
    return sorted(p.relative_to(root.resolve()).as_posix() for job in jobs for p in job.report)


def test_skips_vendor_testdata_hidden_and_underscore_dirs(tmp_path):
    write(tmp_path, {
        "a.go": "package a", "vendor/v/v.go": "package v", "testdata/t.go": "package t",
        ".git/g.go": "package g", "_old/o.go": "package o", "pkg/vendorish/x.go": "package x",
        "pkg/_skip.go": "package x", "pkg/.hidden.go": "package x",
    })
    assert reported(tmp_path) == ["a.go", "pkg/vendorish/x.go"]


def test_test_files_are_linted_unless_switched_off(tmp_path):
    write(tmp_path, {"a.go": "package a", "a_test.go": "package a"})
    assert reported(tmp_path) == ["a.go", "a_test.go"]
    assert reported(tmp_path, config=Config(tests=False)) == ["a.go"]


def test_exclude_globs(tmp_path):
    write(tmp_path, {"a.go": "package a", "gen/x.go": "package gen", "pkg/mocks/m.go": "package m",
                     "pkg/real.go": "package pkg", "pkg/z_mock.go": "package pkg"})
    config = Config(exclude=("gen", "mocks/", "*_mock.go"), base=tmp_path)
    assert reported(tmp_path, config=config) == ["a.go", "pkg/real.go"]


def test_a_file_argument_reports_that_file_with_its_siblings_as_context(tmp_path):
    write(tmp_path, {"pkg/a.go": "package pkg", "pkg/b.go": "package pkg", "pkg/sub/c.go": "package sub"})
    jobs, _ = discover(["pkg/a.go"], Config(), tmp_path)
    [job] = jobs
    assert [p.name for p in job.files] == ["a.go", "b.go"]
    assert [p.name for p in job.report] == ["a.go"]


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="nope: no such file or directory"):
        discover(["nope"], Config(), tmp_path)
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(ConfigError, match="not a Go file"):
        discover(["notes.txt"], Config(), tmp_path)


def test_symlink_loops_end_and_links_out_of_the_root_are_not_followed(tmp_path):
    outside = tmp_path / "outside"
    root = tmp_path / "root"
    write(outside, {"secret.go": "package secret"})
    write(root, {"a/a.go": "package a"})
    os.symlink(root / "a", root / "a" / "loop")  # a/loop -> a
    os.symlink(outside, root / "out")  # out -> outside the root
    os.symlink(outside / "secret.go", root / "a" / "linked.go")
    assert reported(root) == ["a/a.go"]


def test_root_that_is_itself_a_symlink(tmp_path):
    real = tmp_path / "real"
    write(real, {"a.go": "package a", "b/b.go": "package b"})
    os.symlink(real, tmp_path / "link")
    jobs, _ = discover(["link/..."], Config(), tmp_path)
    assert sorted(p.name for job in jobs for p in job.report) == ["a.go", "b.go"]


def test_permission_denied_directory_is_skipped_with_a_warning(tmp_path, monkeypatch):
    write(tmp_path, {"a.go": "package a", "locked/b.go": "package b"})
    real_scandir = os.scandir

    def scandir(path):  # CI runs as root, where chmod 0 locks nothing: refuse like the kernel would
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    jobs, warnings = discover(["./..."], Config(), tmp_path)
    assert [p.name for job in jobs for p in job.report] == ["a.go"]
    assert any("locked: permission denied" in w for w in warnings)


def test_paths_with_spaces_and_unicode(lint_tree):
    result = lint_tree({"my pkg/ñandú/leak.go": LEAK.format(pkg="nandu")}, select=["GL401"])
    assert [f.path for f in result.findings] == ["my pkg/ñandú/leak.go"]


def test_go_version_from_the_nearest_go_mod(tmp_path):
    write(tmp_path, {"go.mod": "module m\n\ngo 1.21\n", "a.go": "package a",
                     "sub/go.mod": "module m/sub\n\ngo 1.23.4 // toolchain\n", "sub/b.go": "package b",
                     "sub/deeper/c.go": "package c"})
    jobs, _ = discover(["./..."], Config(), tmp_path)
    versions = {job.directory.name: job.go_version for job in jobs}
    assert versions == {tmp_path.resolve().name: (1, 21), "sub": (1, 23), "deeper": (1, 23)}
    jobs, _ = discover(["./..."], Config(go_version=(1, 20)), tmp_path)
    assert {job.go_version for job in jobs} == {(1, 20)}
