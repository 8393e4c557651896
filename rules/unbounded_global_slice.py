"""GL203 unbounded-global-slice."""

from __future__ import annotations

from typing import Iterable

from goleaklint.context import PackageContext
from goleaklint.growth import describe_sites, subjects, package_collections, strongest, unbounded_growth
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL203",
    slug="unbounded-global-slice",
    title="a package-level slice is appended to at run time and never truncated",
    severity=Severity.WARNING,
    tags=("memory-leak", "unbounded-growth"),
    lifetime="growth",  # judged by how often the inserting functions run
    precision="low",  # measured on held-out codebases: 1 of 5 worth a change (docs/ecosystem.md)
    docs=Docs(
        what="Finds a package-level slice that functions of the package grow with "
        "`s = append(s, ...)` while nothing in the package (any of its non-test files) assigns it "
        "anything else: no `s = nil`, `s = s[:0]`, `s = s[1:]`, `s = s[len(s)-n:]`, no filtered "
        "copy, and no `len(s)` comparison in the appending function. Reported once, at the "
        "declaration, naming the appending functions. It is an error when an append runs in an HTTP "
        "handler or appends values taken from the request.",
        why="A package-level slice lives as long as the process, and so does every element appended "
        "to it and everything those elements point to. `append` doubles the backing array as it "
        "fills, so besides the live elements the heap holds a growing array that is copied on each "
        "reallocation. An audit log or request history kept this way grows with traffic until the "
        "pod is OOM-killed.",
        example="""var history []string

func record(w http.ResponseWriter, r *http.Request) {
    history = append(history, r.URL.Path) // one element per request, forever
}""",
        use_instead="""const maxHistory = 1000

func record(w http.ResponseWriter, r *http.Request) {
    mu.Lock()
    defer mu.Unlock()
    history = append(history, r.URL.Path)
    if len(history) > maxHistory {
        history = history[len(history)-maxHistory:] // a bounded window
    }
}""",
        limits="Levels follow the evidence, as for GL201: error for a handler (or a function a "
        "handler of the package calls) or a value from the request, warning for an append in a "
        "loop of a goroutine, note otherwise; nothing without such evidence in package `main`. "
        "Not reported, because the slice is likely filled once: appends only in `init`, `main`, "
        "package variable initialisers, callbacks handed over during those, functions called only "
        "from those, registration functions (`Register…`, `MustRegister…`, `register…`, hooks such as `OnExit`), start-up "
        "functions by name (`init…`, `setup…`, `…Main`), and unexported functions nobody in the "
        "package calls; appends under `if s == nil {` or `if len(s) == 0 {` on the slice itself, which fill it "
        "only while it is empty (a lazy initialisation from a table), also in a function (or a literal inside it, "
        "`add := func(…) { s = append(s, …) }`) whose top-level block first returns when the slice is not empty "
        "(`if len(s) > 0 { return }`: a seed), and in an unexported helper whose every "
        "caller first returns when the slice is not empty (`if len(cache) != 0 { return cache, nil }`, then "
        "`loadInto(…)`); packages that support tests (`mock`, `fake`, `testutil`, `…test…`). A slice "
        "whose address is taken (`&s`) is handed on and not reported. `clear(s)` zeroes elements "
        "without shortening the slice and does not count as a bound. Growth through a helper "
        "(`s = add(s, v)`) reads as a reassignment and is not reported. Slices held in struct fields "
        "are out of scope. Test files are ignored, on both sides.",
        references=("https://go.dev/blog/slices-intro",),
    ),
)

_FIX = ("truncate or reset it when its contents have been handled (`s = s[:0]`), keep a bounded "
        "window (`s = s[len(s)-n:]`), or use a ring buffer")


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    for collection in package_collections(pkg, frozenset({"slice"})):
        sites = unbounded_growth(pkg, collection)
        if not sites:
            continue
        yield collection.decl_ctx.finding(
            RULE,
            collection.decl.node,
            f"package-level slice `{collection.name}` only grows: appended to by {describe_sites(sites, 'value')}, "
            f"and nothing in the package truncates, resets or bounds it",
            fix=_FIX,
            severity=strongest(sites),
            subjects=subjects(sites),
        )
