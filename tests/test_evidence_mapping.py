"""Frames recorded on other machines map to the linted files, or are counted, never guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from goleaklint.config import Config
from goleaklint.discover import discover
from goleaklint.evidence.mapping import FrameMapper, Where, declared_name, split_function
from goleaklint.evidence.stacks import Frame

HANDLERS = """package handlers

type notifier struct{ events chan string }

func (n *notifier) publish(msg string) {
	n.events <- msg
}

func Fetch() {
	go func() {}()
}
"""
MAIN = """package main

func main() {
	select {}
}
"""
TOOL_MAIN = """package main

func main() {}
"""


@pytest.fixture
def mapper(tmp_path: Path) -> FrameMapper:
    files = {
        "go.mod": "module example.com/app\n\ngo 1.22\n",
        "main.go": MAIN,
        "handlers/handlers.go": HANDLERS,
        "cmd/tool/main.go": TOOL_MAIN,
        "lib/go.mod": "module example.com/lib\n",
        "lib/util/util.go": "package util\n\nfunc Helper() {\n}\n",
    }
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    jobs, _ = discover(["./..."], Config(), tmp_path)
    return FrameMapper.for_jobs(jobs, tmp_path)


@pytest.mark.parametrize("file", [
    "/home/runner/work/app/app/handlers/handlers.go",  # GitHub Actions checkout
    "/go/src/example.com/app/handlers/handlers.go",  # GOPATH-style image
    "/app/handlers/handlers.go",  # Docker WORKDIR
    "C:\\Users\\dev\\src\\app\\handlers\\handlers.go",  # Windows, as printed with backslashes
    "C:/Users/dev/src/app/handlers/handlers.go",  # Windows, as Go records it
    "example.com/app/handlers/handlers.go",  # -trimpath: the module path
])
def test_foreign_paths_map_to_the_linted_file(mapper, file):
    mapped = mapper.map(Frame("example.com/app/handlers.(*notifier).publish", file, 6))
    assert (mapped.where, mapped.path, mapped.line) == (Where.TREE, "handlers/handlers.go", 6)


def test_closure_frames_are_checked_against_their_declaring_function(mapper):
    mapped = mapper.map(Frame("example.com/app/handlers.Fetch.func1", "/build/handlers/handlers.go", 10))
    assert mapped.where is Where.TREE and mapped.line == 10


def test_package_main_maps_by_the_tail_and_the_declared_function(mapper):
    assert mapper.map(Frame("main.main", "/srv/app/main.go", 4)).path == "main.go"
    assert mapper.map(Frame("main.main", "/srv/app/cmd/tool/main.go", 3)).path == "cmd/tool/main.go"
    assert mapper.map(Frame("main.main", "example.com/app/cmd/tool/main.go", 3)).path == "cmd/tool/main.go"


def test_a_nested_module_resolves_through_its_own_go_mod(mapper):
    mapped = mapper.map(Frame("example.com/lib/util.Helper", "example.com/lib/util/util.go", 3))
    assert (mapped.where, mapped.path) == (Where.TREE, "lib/util/util.go")
    mapped = mapper.map(Frame("example.com/lib/util.Helper", "/w/lib/util/util.go", 3))
    assert (mapped.where, mapped.path) == (Where.TREE, "lib/util/util.go")


@pytest.mark.parametrize("frame, where", [
    (Frame("runtime.gopark", "/usr/local/go/src/runtime/proc.go", 435), Where.GOROOT),
    (Frame("net/http.(*conn).serve", "net/http/server.go", 2157), Where.GOROOT),  # -trimpath GOROOT
    (Frame("internal/poll.runtime_pollWait", "C:/Program Files/Go/src/runtime/netpoll.go", 351), Where.GOROOT),
    (Frame("github.com/lib/pq.(*conn).recv", "/root/go/pkg/mod/github.com/lib/pq@v1.10.9/conn.go", 9), Where.DEPENDENCY),
    (Frame("github.com/lib/pq.(*conn).recv", "github.com/lib/pq@v1.10.9/conn.go", 9), Where.DEPENDENCY),
    (Frame("github.com/lib/pq.(*conn).recv", "/app/vendor/github.com/lib/pq/conn.go", 9), Where.DEPENDENCY),
])
def test_goroot_and_dependency_frames_are_skipped(mapper, frame, where):
    assert mapper.map(frame).where is where


@pytest.mark.parametrize("frame, reason", [
    # the package is another module's
    (Frame("example.com/other/x.Run", "/src/other/x/x.go", 3), "in no linted module"),
    # the tail names a linted file but the function is from another package of the module
    (Frame("example.com/app/jobs.Run", "/src/app/handlers/handlers.go", 6), "is not in"),
    # the file is the right one but the function is not declared in it: the build was of other code
    (Frame("example.com/app/handlers.Gone", "/src/app/handlers/handlers.go", 6), "is not declared"),
    # past the end of the file
    (Frame("example.com/app/handlers.Fetch", "/src/app/handlers/handlers.go", 400), "has no line"),
    # trimpath path of the module to a file that is not linted
    (Frame("example.com/app/handlers.Fetch", "example.com/app/handlers/gone.go", 3), "not a linted file"),
])
def test_frames_that_match_nothing_are_unmatched_with_a_reason(mapper, frame, reason):
    mapped = mapper.map(frame)
    assert mapped.where is Where.UNMATCHED, mapped
    assert reason in mapped.reason


def test_function_symbols_split_into_package_and_declared_name():
    assert split_function("example.com/app/h.(*notifier).publish.func1") == ("example.com/app/h", "(*notifier).publish.func1")
    assert split_function("main.main") == ("main", "main")
    assert split_function("example.com/app/h.Map[go.shape.string].Get") == ("example.com/app/h", "Map[go.shape.string].Get")
    assert declared_name("(*notifier).publish") == "publish"
    assert declared_name("Fetch.func1") == "Fetch"
    assert declared_name("init.0") == "init"
    assert declared_name("glob..func1") is None


def test_a_tail_that_names_two_files_is_not_used(tmp_path):
    # Two modules side by side, each with a main.go at its root: `/build/main.go` could be either.
    for rel, text in {"a/go.mod": "module example.com/a\n", "a/main.go": MAIN,
                      "b/go.mod": "module example.com/b\n", "b/main.go": MAIN}.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    jobs, _ = discover(["./..."], Config(), tmp_path)
    mapper = FrameMapper.for_jobs(jobs, tmp_path)
    mapped = mapper.map(Frame("main.main", "/build/main.go", 4))
    assert mapped.where is Where.UNMATCHED and "several" in mapped.reason
    # A longer tail tells them apart, and so does the module path of a -trimpath build.
    assert mapper.map(Frame("main.main", "/home/ci/repo/b/main.go", 4)).path == "b/main.go"
    assert mapper.map(Frame("main.main", "example.com/a/main.go", 4)).path == "a/main.go"
