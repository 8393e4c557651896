"""From paths to packages: what is skipped, what is followed, what is context only."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from goleaklint.config import Config, ConfigError, ConfigResolver
from goleaklint.discover import DiscoveryStats, discover

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
        "third_party/etcd/server.go": "package etcd", "internal/third_party/fork/f.go": "package fork",
        "pkg/third_party_client/c.go": "package c",
        "pkg/mod/golang.org/x/sys@v0.0.0-20200124204421-9fbb57f87de9/windows/svc/service.go": "package svc",
        "pkg/mod/github.com/acme/lib@v1.2.3/lib.go": "package lib", "pkg/email@vendor.go/e.go": "package e",
    })
    assert reported(tmp_path) == ["a.go", "pkg/email@vendor.go/e.go", "pkg/third_party_client/c.go", "pkg/vendorish/x.go"]


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


# Files named on the command line obey the skips of a walk (a pre-commit hook names every changed file).

def test_named_files_obey_the_skips_of_a_walk(tmp_path):
    write(tmp_path, {"vendor/v/v.go": "package v", "svc/testdata/t.go": "package t", "_old/o.go": "package o",
                     "svc/_skip.go": "package svc", "svc/gen/g.go": "package gen", "svc/a_test.go": "package svc",
                     "svc/a.go": "package svc"})
    config = Config(exclude=("gen",), base=tmp_path, tests=False)
    stats = DiscoveryStats()
    names = ["vendor/v/v.go", "svc/testdata/t.go", "_old/o.go", "svc/_skip.go", "svc/gen/g.go", "svc/a_test.go",
             "svc/a.go"]
    jobs, _ = discover(names, config, tmp_path, stats=stats)
    assert [p.relative_to(tmp_path.resolve()).as_posix() for job in jobs for p in job.report] == ["svc/a.go"]
    assert stats.skipped_named == [
        ("vendor/v/v.go", "in vendor/"), ("svc/testdata/t.go", "in testdata/"), ("_old/o.go", "in _old/"),
        ("svc/_skip.go", "name starts with . or _"), ("svc/gen/g.go", "exclude"), ("svc/a_test.go", "tests = false"),
    ]
    assert not stats.directory_args


def test_a_named_file_in_a_directory_named_like_a_skip_above_the_working_directory_is_linted(tmp_path):
    # Only the path below the working directory counts: a checkout under `_work/` (self-hosted runners)
    # or `.cache/` is not skipped wholesale.
    write(tmp_path, {"_work/repo/svc/a.go": "package svc"})
    jobs, _ = discover(["svc/a.go"], Config(), tmp_path / "_work" / "repo")
    assert [p.name for job in jobs for p in job.report] == ["a.go"]


# git: .gitignore, and context only from tracked files.

def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    write(tmp_path, {".gitignore": "build/\n/extern/\n*_gen.go\n!keep_gen.go\n", "a.go": "package a",
                     "build/b.go": "package b", "extern/t/t.go": "package t", "x_gen.go": "package a",
                     "keep_gen.go": "package a", "sub/.gitignore": "local.go\n", "sub/local.go": "package sub",
                     "sub/s.go": "package sub"})
    git(tmp_path, "init", "-q")
    return tmp_path


def test_gitignored_files_are_not_linted_and_no_gitignore_lints_them(repo):
    stats = DiscoveryStats()
    assert reported(repo) == ["a.go", "keep_gen.go", "sub/s.go"]  # untracked but not ignored: linted
    jobs, _ = discover(["./..."], Config(), repo, stats=stats)
    assert stats.skipped == {".gitignore": 4} and stats.git_roots == {repo.resolve()}
    jobs, _ = discover(["./..."], Config(), repo, gitignore=False)
    assert len([p for job in jobs for p in job.report]) == 7


def test_a_tracked_file_that_matches_gitignore_is_linted(repo):
    git(repo, "add", "-f", "build/b.go")
    assert "build/b.go" in reported(repo)


def test_a_named_ignored_file_is_skipped(repo):
    stats = DiscoveryStats()
    jobs, _ = discover(["build/b.go", "a.go"], Config(), repo, stats=stats)
    assert [p.name for job in jobs for p in job.report] == ["a.go"]
    assert stats.skipped_named == [("build/b.go", ".gitignore")]


def test_a_named_files_siblings_are_context_only_when_git_tracks_them(repo):
    write(repo, {"pkg/named.go": "package pkg", "pkg/tracked.go": "package pkg", "pkg/untracked.go": "package pkg"})
    git(repo, "add", "pkg/named.go", "pkg/tracked.go")
    [job] = discover(["pkg/named.go"], Config(), repo)[0]
    assert [p.name for p in job.files] == ["named.go", "tracked.go"]
    # A walk lints what is not ignored, tracked or not.
    [job] = discover(["pkg"], Config(), repo)[0]
    assert [p.name for p in job.files] == ["named.go", "tracked.go", "untracked.go"]
    # Outside git, every sibling is context.
    [job] = discover(["pkg/named.go"], Config(), repo, gitignore=False)[0]
    assert len(job.files) == 3


def test_git_runs_no_program_from_the_repository_config(repo):
    marker = repo / "fsmonitor-ran"
    hook = repo / "monitor.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n")
    hook.chmod(0o755)
    git(repo, "add", "a.go")  # git asks the monitor only once there is an index
    git(repo, "config", "core.fsmonitor", str(hook))
    assert reported(repo) == ["a.go", "keep_gen.go", "sub/s.go"]
    assert not marker.exists()


def test_outside_a_work_tree_or_without_git_nothing_is_filtered(tmp_path, monkeypatch):
    write(tmp_path, {".gitignore": "build/\n", "a.go": "package a", "build/b.go": "package b"})
    assert reported(tmp_path) == ["a.go", "build/b.go"]  # a .gitignore alone, no repository
    (tmp_path / ".git").mkdir()  # a broken repository: git fails, nothing is filtered, a warning says so
    jobs, warnings = discover(["./..."], Config(), tmp_path)
    assert len([p for job in jobs for p in job.report]) == 2
    assert any(".gitignore is not applied" in warning for warning in warnings)


# Each directory takes the nearest config.

def test_each_package_takes_the_nearest_config(tmp_path):
    write(tmp_path, {".goleaklint.toml": "tests = false\n", "a.go": "package a", "a_test.go": "package a",
                     "svc/.goleaklint.toml": "exclude = [\"gen\"]\n", "svc/b.go": "package svc",
                     "svc/b_test.go": "package svc", "svc/gen/g.go": "package gen",
                     "svc/deep/c.go": "package deep"})
    resolver = ConfigResolver({})
    jobs, _ = discover(["./..."], resolver, tmp_path)
    # svc/ has its own config (nothing is merged: its tests are linted), and its exclude applies below it.
    assert reported(tmp_path, config=resolver) == ["a.go", "svc/b.go", "svc/b_test.go", "svc/deep/c.go"]
    configs = {job.directory.name: job.config.path.relative_to(tmp_path).as_posix() for job in jobs}
    assert configs == {tmp_path.name: ".goleaklint.toml", "svc": "svc/.goleaklint.toml",
                       "deep": "svc/.goleaklint.toml"}
