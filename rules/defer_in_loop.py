"""GL404 defer-in-loop."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext
from goleaklint.callgraph import in_unbounded_loop
from goleaklint.model import enclosing_loop
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL404",
    slug="defer-in-loop",
    title="defer inside a loop holds every iteration's resource until the function returns",
    severity=Severity.WARNING,
    tags=("resource-leak",),
    precision="high",
    docs=Docs(
        what="Finds a `defer` statement inside a loop body whose nearest enclosing function is the "
        "function that runs the loop.",
        why="A deferred call runs when the surrounding *function* returns, not at the end of the "
        "iteration. A loop that opens a file, takes a lock or starts a span per iteration and defers "
        "the release keeps every one of them until the function returns: file descriptors, "
        "connections and memory pile up with the number of iterations, and a long or endless loop "
        "never releases them at all. Each pending defer also costs a record on the goroutine's stack.",
        example="""for _, name := range names {
    f, err := os.Open(name)
    if err != nil {
        return err
    }
    defer f.Close() // every file stays open until the function returns
    process(f)
}""",
        use_instead="""for _, name := range names {
    if err := func() error {
        f, err := os.Open(name)
        if err != nil {
            return err
        }
        defer f.Close() // runs at the end of this iteration
        return process(f)
    }(); err != nil {
        return err
    }
}""",
        limits="Not reported: a defer inside a function literal (it runs when the literal returns, "
        "which is the fix); a defer followed by a `return` in the same block, since that iteration is "
        "the last one. A loop that provably runs once or twice is still reported; suppress it with "
        "`//goleaklint:ignore GL404 reason`.",
        references=("https://go.dev/ref/spec#Defer_statements",),
    ),
)

QUERY = "(defer_statement) @defer"


def _returns_after(defer: Node) -> bool:
    """A `return` later in the defer's own block: the defer runs once, then the function ends."""
    sibling = defer.next_named_sibling
    while sibling is not None:
        if sibling.type == "return_statement":
            return True
        sibling = sibling.next_named_sibling
    return False


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    for defer in captures["defer"]:
        loop = enclosing_loop(defer)
        if loop is None or _returns_after(defer):
            continue
        call = defer.named_children[0] if defer.named_children else None
        what = ctx.source.text(call) if call is not None else "the call"
        if len(what) > 60:
            what = what[:57] + "..."
        function = ctx.model.enclosing_function(defer)
        owner = f"{function.name}" if function is not None and function.kind != "literal" else "the enclosing function"
        yield ctx.finding(
            RULE,
            defer,
            f"`defer {what}` in a loop runs only when {owner} returns: each iteration's resource is "
            f"held until then",
            repeats=in_unbounded_loop(ctx.model, defer),
            fix="move the loop body into a function (or a func literal called each iteration) so the "
            "defer runs per iteration, or release the resource explicitly at the end of the iteration",
        )
