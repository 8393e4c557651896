"""The timer rules follow the Go version: go.mod's `go` directive, overridden by `go-version`."""

from __future__ import annotations

import pytest

from goleaklint.config import Config

# A handler: outside code run per request a timer loop is a note whatever the version (GL402's limits).
LOOP = """package p

import (
	"net/http"
	"time"
)

var msgs = make(chan int)

func f(w http.ResponseWriter, r *http.Request) {
	for {
		select {
		case <-msgs:
		case <-time.After(time.Minute):
		}
	}
}
"""

TICK = """package p

import (
	"context"
	"time"
)

func g(ctx context.Context) {
	c := time.Tick(time.Second)
	select {
	case <-c:
	case <-ctx.Done():
	}
}
"""


@pytest.mark.parametrize(
    "go_mod, override, level",
    [
        (None, None, "warning"),  # unknown: assume the leak
        ("go 1.22\n", None, "warning"),
        ("go 1.23\n", None, None),  # collected: silent
        ("go 1.22\n", (1, 23), None),  # the setting wins over go.mod
        ("go 1.24\n", (1, 21), "warning"),
    ],
)
def test_time_after_level_follows_version(lint_tree, go_mod, override, level):
    files = {"p/loop.go": LOOP}
    if go_mod is not None:
        files["go.mod"] = "module example.com/p\n\n" + go_mod
    result = lint_tree(files, select=["GL402"], config=Config(go_version=override))
    assert [(f.line, f.severity.value) for f in result.findings] == ([(14, level)] if level else [])


@pytest.mark.parametrize("go_mod, expected", [("go 1.22\n", [(9, "warning")]), ("go 1.23\n", [])])
def test_time_tick_is_silent_from_go_1_23(lint_tree, go_mod, expected):
    result = lint_tree({"go.mod": "module example.com/p\n\n" + go_mod, "p/tick.go": TICK}, select=["GL403"])
    assert [(f.line, f.severity.value) for f in result.findings] == expected
