"""GL602 runtime-heap-growth: an allocation site whose in-use memory grew between two heap profiles.

Like GL601, its findings are made from runtime evidence (`--heap BASE --heap LATER`) after the
static rules ran (goleaklint.evidence.merge); `check_package` reports nothing from source alone.
"""

from __future__ import annotations

from typing import Iterable

from goleaklint.context import PackageContext
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL602",
    slug="runtime-heap-growth",
    title="memory allocated on this line stayed in use and grew between two heap profiles",
    severity=Severity.WARNING,
    tags=("memory-leak", "runtime-evidence"),
    precision="medium",
    docs=Docs(
        what="Compares two heap profiles given with `--heap BASE --heap LATER` "
        "(`/debug/pprof/heap?debug=1` text or the binary profile, taken some time apart from the "
        "same process). In-use bytes and objects are summed per allocation site, the innermost line "
        "of the linted tree in each stack, and the sites whose in-use bytes grew by at least "
        "`heap-growth-bytes` are mapped to their lines. A GL201, GL202 or GL203 finding on the call "
        "path of a growing site, or whose collection a function on that path uses, carries the "
        "growth and is raised to error; a growing site no such finding covers is reported under "
        "this rule, at warning.",
        why="Memory that stays in use and keeps growing between two snapshots of the same process is "
        "what ends in an OOM kill. The allocation site says which code made it; whatever keeps it "
        "alive (a map in a long-lived struct, a cache without eviction) is usually on the same call "
        "path.",
        example="""// curl -s host:6060/debug/pprof/heap?debug=1 > base.txt; sleep 3600
// curl -s host:6060/debug/pprof/heap?debug=1 > later.txt
// goleaklint --heap base.txt --heap later.txt ./...
func (x *index) add(id string, doc []byte) {
    x.byID[id] = doc // nothing ever deletes from byID
}""",
        use_instead="""func (x *index) add(id string, doc []byte) {
    x.byID[id] = doc
    if len(x.byID) > maxDocs {
        x.evictOldest() // a bound, or an LRU cache
    }
}""",
        limits="The text format prints sampled counts; they are scaled as pprof scales them (by the "
        "sampling rate in the header), so small sites are estimates. Growth is measured between the "
        "first and the last profile given. Memory that grows because the load grew (a warming cache "
        "of bounded size) looks the same: compare profiles taken under similar load. The allocation "
        "site is where memory was made, not always where it is kept; the message names the "
        "allocating function. `heap-growth-bytes` (default 1 MiB) is set in the `[runtime]` table "
        "of .goleaklint.toml.",
        references=("https://pkg.go.dev/runtime/pprof#WriteHeapProfile",),
    ),
)


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    """Nothing from source alone: the merge step makes this rule's findings from the evidence."""
    return ()
