"""GL601 runtime-parked-goroutines: goroutines a dump or Go's leak profile shows parked on a line.

Its findings come from runtime evidence (`--goroutines FILE`), merged in after the static rules ran
(goleaklint.evidence.merge): the evidence belongs to the run, not to a file, and what is covered
depends on every other rule's findings. `check_package` therefore reports nothing from source alone.
"""

from __future__ import annotations

from typing import Iterable

from goleaklint.context import PackageContext
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL601",
    slug="runtime-parked-goroutines",
    title="goroutines are parked on this line in a goroutine dump or Go's goroutine leak profile",
    severity=Severity.ERROR,
    tags=("goroutine-leak", "runtime-evidence"),
    precision="high",
    docs=Docs(
        what="Reads the goroutine profiles given with `--goroutines FILE` (repeatable): "
        "`/debug/pprof/goroutine?debug=1` or `?debug=2` text, `/debug/pprof/goroutineleak?debug=1`, "
        "the binary profile `go tool pprof` downloads, or uber-go/goleak's failure output from `go "
        "test`. Each goroutine is placed on the innermost line of the linted tree in its stack (where "
        "it is parked) and, when the format says, on the `go` statement that started it. A static "
        "finding on either line carries the evidence (count, state, longest wait) and is raised to "
        "error when the evidence is strong (see limits); a parked line with no static finding is "
        "reported under this rule, saying which static rule looks for that shape (and why it did not "
        "report the line) or that none does.",
        why="Thousands of goroutines parked on one line are the goroutine leak itself, seen in "
        "production: each holds its stack and everything it references, and the count grows with "
        "traffic. Go's goroutine leak profile (Go 1.26 with GOEXPERIMENT=goroutineleakprofile, Go "
        "1.27 and later) and goleak report only goroutines that nothing can ever wake: proof, not a "
        "hint. A plain dump also shows goroutines that are merely waiting, so its sites are evidence "
        "only when many goroutines, or long waits, pile up there.",
        example="""// curl -s host:6060/debug/pprof/goroutineleak?debug=1 > leak.txt
// goleaklint --goroutines leak.txt ./...
func (n *notifier) publish(msg string) {
    n.events <- msg // 7 goroutines parked here (chan send) in Go's goroutine leak profile
}""",
        use_instead="""func (n *notifier) publish(ctx context.Context, msg string) {
    select {
    case n.events <- msg:
    case <-ctx.Done(): // the send gives up when nobody reads
    }
}""",
        limits="Levels: error for a site named by the goroutine leak profile or goleak; for a plain "
        "dump, warning when at least `warning-count` goroutines (default 100) are parked there or one "
        "has waited at least `warning-minutes` (default 10), note from `min-count` goroutines "
        "(default 2), and below that no finding, only a row in the summary: a dump also shows "
        "goroutines that merely wait, such as a server's accept loop. A static finding on a site is "
        "raised to error by the leak profile, goleak, or dump evidence at warning level; weaker "
        "evidence is carried in its message without changing its level. The thresholds are set in "
        "the `[runtime]` table of .goleaklint.toml. Goroutines that are running, runnable or in a "
        "system call are not parked and are skipped. debug=1 and the binary profile print no state "
        "and no wait: the state is read from the runtime function the goroutine waits in, and no wait "
        "is known. Several files showing the same site are not added up: the largest count stands. "
        "Frames are mapped as the README describes (module paths of -trimpath builds through go.mod, "
        "absolute paths by their longest tail naming a linted file, the function name as a check); "
        "frames of the standard library and of dependencies are skipped and a frame that matches no "
        "linted file is counted in the summary, never guessed. A tree that differs from the build "
        "(lines moved since) maps to the lines as they are now.",
        references=("https://pkg.go.dev/runtime/pprof", "https://github.com/uber-go/goleak"),
    ),
)


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    """Nothing from source alone: the merge step makes this rule's findings from the evidence."""
    return ()
