"""GL108 send-before-receive."""

from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from goleaklint.channels import LocalChannel, in_select_with_alternatives, local_channel
from goleaklint.context import FileContext
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL108",
    slug="send-before-receive",
    title="a function sends on its own unbuffered channel before anything can receive from it",
    severity=Severity.WARNING,
    tags=("goroutine-leak", "deadlock"),
    precision="medium",  # not measured yet: ten held-out judgements set it (docs/ecosystem.md)
    lifetime="repeats",
    docs=Docs(
        what="Finds a send on an unbuffered channel made in the same function (`ch := make(chan T)`), "
        "by that function itself, where no goroutine that receives from it can have been started "
        "yet: every goroutine that receives from or ranges over the channel starts only after the "
        "send (the control-flow graph decides, loops included), and the channel has not been "
        "handed to any other code before it. A send that is one case of a `select` with other "
        "cases is not reported.",
        why="An unbuffered send completes only when another goroutine receives. The function itself "
        "cannot receive while it is blocked sending, and the goroutine that would receive is "
        "started later, by code that never runs: the function is parked for good, and with it "
        "its caller, a request, or a whole worker.",
        example="""func process(items []Item) []Result {
    results := make(chan Result)
    results <- first(items) // nothing receives yet: blocks forever
    go func() {
        for _, it := range items[1:] {
            results <- handle(it)
        }
        close(results)
    }()
    var out []Result
    for r := range results {
        out = append(out, r)
    }
    return out
}""",
        use_instead="""    results := make(chan Result, 1) // room for the value sent before the reader starts
    results <- first(items)
    // or start the receiving goroutine before the first send""",
        limits="Only channels made and kept in one function (GL101's notion of a local channel); a "
        "channel handed to a function, stored or captured by a closure other than a goroutine "
        "before the send is left alone. A receiving goroutine started on some path before the "
        "send counts, whatever the conditions on that path.",
        references=("https://go.dev/ref/spec#Send_statements",),
    ),
)

QUERY = """
(call_expression
  function: (identifier) @fn (#eq? @fn "make")
  arguments: (argument_list . (channel_type) .)) @make
"""


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    for make in captures.get("make", []):
        channel = local_channel(ctx, make)
        if channel is None or channel.capacity != 0 or not channel.sends:
            continue
        named = ctx.model.identifiers_named(channel.name, within=channel.owner.node)
        if len(named) != 1 + len(ctx.model.references(channel.decl, within=channel.owner.node)):
            # A use the resolver did not tie to the declaration (a closure in a later spec of the
            # same `var (…)` block): it may hand the channel on, so nothing is known.
            continue
        for send in channel.sends:
            finding = _check_send(ctx, channel, send)
            if finding is not None:
                yield finding
                break  # the first such send parks the function: later ones never run


def _check_send(ctx: FileContext, channel: LocalChannel, send: Node) -> Finding | None:
    if in_select_with_alternatives(send):
        return None
    cfg = channel.owner.cfg
    if cfg.element_of(send) is None or not cfg.reaches(channel.make, send):
        return None  # not in the owner's graph, or only reached through a path the graph drops
    if channel.escape is not None:
        escape = cfg.element_of(channel.escape)
        if escape is None or cfg.reaches(escape, send) or escape.id == cfg.element_of(send).id:
            return None  # handed on where someone may receive before the send
    receivers = [g for g in channel.goroutines if g.receives]
    if any(cfg.reaches(g.start, send) for g in receivers):
        return None
    later = min((g.start for g in receivers if cfg.reaches(send, g.start)), key=lambda n: n.start_byte, default=None)
    if later is None and channel.receives:
        where = f"the function itself receives only later (line {ctx.source.line_of(channel.receives[0].start_byte)})"
    elif later is not None:
        where = f"the goroutine that receives from it starts only after the send (line {ctx.source.line_of(later.start_byte)})"
    elif channel.escape is not None:
        where = f"it is handed on only after the send (line {ctx.source.line_of(channel.escape.start_byte)})"
    else:
        where = "nothing receives from it"
    return ctx.finding(
        RULE, send,
        f"the send on unbuffered channel `{channel.name}` blocks forever: {where}, and the function cannot go on "
        f"until someone does",
        fix=f"start the receiving goroutine before the first send, or give `{channel.name}` a buffer for the "
        f"values sent before it starts (`make(chan T, 1)`)",
    )
