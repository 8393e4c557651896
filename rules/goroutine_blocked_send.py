"""GL101 goroutine-blocked-send."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Iterable

from tree_sitter import Node

from goleaklint.cfg import Block
from goleaklint.channels import (Goroutine, LocalChannel, channel_parameter, classify_use, exclusive_receives,
                                 recovered_before,
                                 in_select_with_alternatives, local_channel, named_local_channel, returned_channel,
                                 waitgroup_receives, where_started)
from goleaklint.constants import loop_count
from goleaklint.context import FileContext
from goleaklint.effects import RECEIVES
from goleaklint.goroutines import (deferred, retested, shutdown_function, start_guard, started_at_process_level,
                                  waits_that_never_fail)
from goleaklint.frameworks import context_parameter_index
from goleaklint.locks import held_at
from goleaklint.model import (FUNCTION_TYPES, Function, assigned_again, block_statements, descendants,
                              enclosing_loop, is_channel_type, single_initialiser)
from goleaklint.patterns import LazyPattern
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures

RULE = Rule(
    id="GL101",
    slug="goroutine-blocked-send",
    title="a goroutine sends on a channel that its function can stop receiving from",
    severity=Severity.WARNING,
    tags=("goroutine-leak",),
    precision="medium",  # measured on held-out codebases (docs/ecosystem.md)
    # In code reached from a loop that never ends, held out, 4 of 18 (batches 51-62: a developer
    # tool's sync and port forwards, implants' reconnects, log streamers): low there.
    # In code with no caller seen, held out with the lifetime kept, 7 of 14 at batches 51-55 and 40 of
    # 82 by batch 82: low there.
    precision_by_lifetime=(("loop", "low"), ("unknown", "low")),
    docs=Docs(
        what="Finds a channel made in a function (`ch := make(chan T)`, unbuffered or with a buffer "
        "smaller than the number of values sent), sent on by a goroutine that function starts "
        "(`go func(){…}()`, or `g.Go(func…)` of an errgroup or WaitGroup, or `go f(ch)` where f, a "
        "function of the same file, only sends on, receives from or closes its parameter in its own "
        "body: the goroutine then does that to `ch`), where the function has a "
        "path from the `go` statement to a return that receives fewer values than the goroutines "
        "send: a `select` whose timeout or `ctx.Done()` case returns, an early error return before "
        "the receive, a receive loop left by `return` or `break` while senders are still running. "
        "Goroutines started one after another, each start before the next on every path, are counted "
        "as far as the path goes: a way out before the second start leaves one value, which a buffer "
        "of one holds (`go write(); select { case err := <-errs: …; case <-timeout: return }`, then "
        "`go read()` on the same channel). "
        "The control-flow graph of the function decides: paths ending in `panic`, `os.Exit` or "
        "`log.Fatal` are not returns. A counted receive loop (`for i := 0; i < n; i++ { <-ch }`, "
        "`for range ch`) is taken to drain every sender when it ends normally. A single goroutine that "
        "signals on another channel of the function once it will send no more (a value or an error: "
        "`if err != nil { errc <- err; return }; resc <- r`; a stream and then `close(done)`) is "
        "settled when the function receives that signal; so is one that also reports a panic it "
        "recovered on that other channel (`defer func() { if r := recover(); r != nil { errc <- … } }()`), "
        "when nothing but a `return` follows each send of this one: the report runs only instead of it. "
        "A goroutine that runs "
        "a server and sends only when serving fails (`if err := srv.Serve(l); err != "
        "http.ErrServerClosed { errc <- err }`, `!errors.Is(err, http.ErrServerClosed)`, the else branch "
        "of `if errors.Is(err, http.ErrServerClosed)`, or `err != nil` around gRPC's `Serve`; also "
        "when it serves through a function variable set only to servers' methods, `serve := "
        "srv.Serve` or a literal calling `srv.ServeTLS(…)`) sends nothing "
        "once the function has stopped that server (`srv.Shutdown`, `srv.Close`, `Stop`, "
        "`GracefulStop`), so such a call on the way out counts as a receive; a send under `if err != nil` right after "
        "`net.Listen` (or `tls.Listen`) in such a goroutine, before it serves, is one of these sends too (once per start). A return under `if !ok` "
        "after a comma-ok receive from the channel (`case e, ok := <-ch: if !ok { return }`) strands "
        "nobody: the channel is closed, and a send on a closed channel panics rather than waits; so "
        "does a way out under a flag set to true only there (`if !ok { ended = true; break }` … "
        "`if ended { break }`). A "
        "receive from another channel of the function that a goroutine closes (or sends on) right after "
        "`wg.Wait()`, where every sender is a literal that defers `wg.Done()` on that WaitGroup, drains "
        "them all: each `Done` runs after its goroutine's last send, which completed only when received "
        "(`go func() { wg.Wait(); close(done) }()` then `select { case <-done: … case err := <-errs: … }` "
        "in a loop). The message names the line of the return.",
        why="An unbuffered send completes only when someone receives. Once the function has returned, "
        "nobody will: the goroutine blocks on the send forever, and its stack, the value it was "
        "sending and everything its closure captured stay in memory. Under a timeout that fires "
        "now and then, every timed-out request leaves one goroutine behind, and the pod's "
        "goroutine count and heap climb until it is killed. A goroutine that holds a mutex while it "
        "waits (`s.mu.Lock(); defer s.mu.Unlock()` before the send) is worse: every later call that "
        "takes the mutex waits behind it, and the service stops answering; the message says so.",
        example="""func fetch(ctx context.Context, url string) (*Result, error) {
    ch := make(chan *Result)
    go func() {
        ch <- get(url)
    }()
    select {
    case r := <-ch:
        return r, nil
    case <-ctx.Done():
        return nil, ctx.Err() // the goroutine's send now blocks forever
    }
}""",
        use_instead="""func fetch(ctx context.Context, url string) (*Result, error) {
    ch := make(chan *Result, 1) // the send always completes, received or not
    go func() {
        ch <- get(url)
    }()
    select {
    case r := <-ch:
        return r, nil
    case <-ctx.Done():
        return nil, ctx.Err()
    }
}

// or let the sender give up too:
go func() {
    select {
    case ch <- get(url):
    case <-ctx.Done():
    }
}()""",
        limits="A goroutine whose every send comes after a range over another channel that only the function closes, "
        "with plain `close(c)` statements (a collector's `for v := range c { … }; done <- true`), cannot send before "
        "such a close has run: ways out are looked for from those closes, and one that passes them by leaves the "
        "goroutine in its range (GL102's finding), not on the send. A goroutine whose sends each sit in an `if` "
        "that requires `!f` of one local flag it only ever sets to true, every send that another can follow setting "
        "`f = true` next to it (a collector that reports its first success, then the last error only `if !ok`), "
        "sends once. A sender started in the body of an `if` (`if out != nil { go … }`) is not stranded by a way out "
        "that passes the same condition, spelled the same, tested again and false: it reads only variables "
        "and fields nothing assigns after their declaration and calls nothing, so no goroutine was started "
        "on that path. Nor is one a loop starts by a way out under `if len(s) == 0 {` outside any loop, after it, where `s` is "
        "what the loop ranges over or a map or slice its body adds to before each start (`pending[i] = struct{}{}`): "
        "s is empty only when the loop started none. A goroutine that sends at most once and whose start is followed at once by a receive from the channel (`go f(); if err := <-ch; err != nil {…}`) is settled by that receive: when every sender is, nothing is reported; outside loops, those started before any other sender are left out with their receives, and the rest are judged against the remaining receives. Senders started in different cases of one `switch` or `select`, or in the two branches of an `if`, are never started by the same call: each set that can run together is judged on its own (a buffer of one fits a switch whose every case starts one sender), and the finding is at the first send of a set that can block (outside loops, up to eight senders). A `go` statement in a loop behind a local flag it sets (`if !started { started = true; go … }`, or `if started { continue }` and then `started = true` before it), which the function never sets back to false, starts at most once, and starts that share the flag at most once between them (a hedged request's second call, from either of two cases). Goroutines a loop starts and receives from in turn (`for { select { case <-tick: go work(); case <-done: … } }`) can be left behind only when the function returns, one each: such a finding takes the lifetime of the function, not of the loop (a periodic worker of a loop that runs once per process is not reported). Goroutines that each run a server and send after it (`errc <- srv.ListenAndServe()`, `serve(l)` of a `serve := srv.Serve`) can be left only when the server stops, one per start of it: reported at the rule's level where the function runs per request, and as a note elsewhere (a service's `Start` reached from main through an interface the model cannot resolve, one of another module or with too many implementations, runs once). A goroutine whose every send runs only after it checked a context (in the `default` of a `select` that has `case <-ctx.Done():`, or right after `if ctx.Err() != nil { return }`), started by a function that leaves without receiving only through `case <-ctx.Done():` of that same context, is stranded only if the context ends in the instant between the check and the send: a note that says so (on the ledger, two such findings were judged FALSE). A goroutine whose every send comes after it received from a channel the function hands to `signal.Notify` (`<-quit` before it, `case <-quit:` around it, or `for s := range quit`) sends only as the program shuts down, and is stranded only then: a note (on the judged snapshots this moved one FALSE warning and no TRUE one). So is one stranded only on ways out of the function that pass a receive from a channel it hands `signal.Notify` for an interrupt or a termination (`os.Interrupt`, `SIGINT`, `SIGTERM`, `SIGQUIT`, `os.Kill`, or every signal): `<-quit`, then a `select` that gives up on the start-up goroutine after a timeout, in a function that waits for the end of the program; a reload signal (`SIGHUP`) is no end. A function that strands a sender only by returning on `Done()` of a context parameter it never reassigns (`case <-ctx.Done(): return ctx.Err()`) strands it when that context ends: where every call of the function in the module passes a context that ends only with the program (a local from `signal.NotifyContext`, `context.Background()`, `context.WithoutCancel(…)`, cobra's `cmd.Context()`, fiber v2's `c.Context()` or any `*fasthttp.RequestCtx`, whose Done closes only when the server shuts down, or its caller's own such parameter passed on unchanged; one derived with a timeout or a cancel ends sooner), the goroutine is left only as the program exits, and the finding is a note that says so (linter/lifetime.py, what callers pass); a call the model cannot resolve is not seen. The error branch after an errgroup's `Wait` (`if err := g.Wait(); err != nil`, `if g.Wait() != nil`) is no way out when the function makes the group, uses it only to `Go`, `TryGo`, `SetLimit` and `Wait`, and hands it only literals whose every return is `return nil`: `Wait` then returns nil. A function named for shutting something down (`Close`, `Stop`, `Shutdown`, `GracefulStop`, `Terminate`, `Quit`, `Teardown`, `Destroy`, `Dispose`, alone or followed by a word: `StopWorker`; not `Stopped`) runs once for each thing it stops, and most of those (a daemon, a pool, a client) live as long as the process: a goroutine its timeout strands is reported at the rule's level where it runs per request (a per-connection `Close` from a handler), and as a note elsewhere; a `Close` of a per-connection value reached through an interface the model cannot resolve is a note too (on the ledger, 1 of 8 such findings was worth a change). Only channels that stay in the function are followed: one that is returned, stored, "
        "passed to a function or used by another closure is left alone, since someone else may drain "
        "it, with one exception: a function that makes the channel, starts its senders straight from its body "
        "and returns the channel alone from every return (a future: `func lookupAsync(k string) <-chan T { ch := "
        "make(chan T); go func() { ch <- lookup(k) }(); return ch }`) is judged at each caller in its file that "
        "takes the result into a local (`ch := lookupAsync(k)`, not in a loop) and only receives from it, as if "
        "that caller had made the channel and started the senders at the call; the first caller that can leave "
        "without receiving (`case <-ctx.Done(): return`) is named. A channel handed only to functions of the file that do nothing with it but receive (`return awaitValue(ctx, ch)`, not in a loop) stays the owner's: a call whose function receives on every path counts as a receive, and one whose function can return without receiving (`case <-ctx.Done(): return`) as none, and the message names where it returns. `go worker(ch)` (or `go func(c chan T){…}(ch)`) is followed only when the worker is declared "
        "in the same file, takes no other channel (a value-or-error pair needs the two sides paired up), "
        "and uses its parameter only in its own body, with no call passing it on. A buffer whose size is an "
        "expression (`make(chan T, len(urls))`, a parameter) is trusted to fit every send; with a size "
        "that is a literal or a constant (`const workers = 3`, also `workers-1`: named constants of the "
        "function or the package, typed or not, without `iota`, and `+ - * / % << >>` on them), sends "
        "are counted only when each goroutine sends at most once and none starts in a loop, except "
        "directly in the body of one loop whose header counts with constants (`for i := 0; i < "
        "workers; i++`, `for range workers`) and whose body has no `break`, `continue`, `return` or "
        "`goto`: that loop starts as many goroutines as it counts. A receive loop left by a `break` under "
        "`if len(got) == len(S)` (or `>=`, or a counter the loop steps, `n++`), where the loop appends to `got` on "
        "every turn and one goroutine that sends once is started per element of `S` (`for _, x := range S { go … }`, "
        "`for i := 0; i < len(S); i++`), has received every value: that way out strands nothing (another way out "
        "of the loop, an early `return`, still can). So has one left by a `break` under `if len(pending) == 0` "
        "(or under a flag set only there: `done = true`, then `if done { break }`) where the loop that starts "
        "the goroutines adds `pending[i]` before each start, `i` its range index, and every `delete(pending, …)` "
        "runs as a value arrives (in a case that receives from the channel, or after such a receive in its "
        "block); a set keyed by the ranged values may lose a key to a duplicate, so it does not count. "
        "A `select` case on the Done channel of a context nothing can cancel (`context.Background()`, "
        "`context.TODO()`, or a local set from one where it is declared and never assigned again) is no way "
        "out: that channel is nil and the case never fires. "
        "Conditions are not evaluated: a return that is only reached when no goroutine was started "
        "is still a path; one exception, for a single sender: `if !got { <-ch }` where `got` starts false "
        "and is set to true only in select cases that receive from `ch` counts as a receive. So does "
        "`if running { <-ch }` where `running` says whether the one goroutine a loop starts is still to be received: "
        "it starts false, is set to true right before the go statement, after an `if running { continue }` that "
        "skips the start while one runs, and back to false only in select cases that receive from `ch`; the path "
        "around that `if` has nothing left to receive. A server guard is read from the `if` around the send (or an `if … { return }` "
        "before it), not from a `switch` or a helper that classifies the error; an else branch counts "
        "only when its condition has no `&&`; the server is matched by its text, so a stop through "
        "another name for it (a copy, a helper that stops it) is not seen. Goroutines started from "
        "`main` or `init` and test files are not checked. Where no caller in the module is seen (a function "
        "reached only through an interface, a function value or a command-line framework), about half "
        "of its findings were worth a change on codebases it was not tuned on (the others were most often "
        "stranded on the error or timeout path of a command that exits right after, or in a race at "
        "shutdown), against about four in five per request. Where the function closes the channel in a `defer close(ch)` of its "
        "own (or at the top level of a function literal it defers: `defer func() { cancel(); close(ch) }()`) that runs on the way out that strands the sender, or with a plain `close(ch)` after the goroutine's start that every path to that way out passes (`case <-ctx.Done(): close(ch); return`), the late send does not wait but panics, "
        "which ends the program unless the goroutine recovers it: the finding says so, and its fix is not "
        "a buffer alone. A sender that defers a closure calling `recover()` in a statement of its own body "
        "before the send recovers that panic and ends: not reported. A send written after a call that never "
        "returns (`log.Panicf(…)`, `os.Exit`) in its block is not a send: no path reaches it.",
        references=(
            "https://go.dev/blog/pipelines",
            "https://github.com/uber-go/goleak",
        ),
    ),
)

QUERY = """
(call_expression
  function: (identifier) @fn (#eq? @fn "make")
  arguments: (argument_list . (channel_type))) @make
"""

# A counted receive loop that ends normally is assumed to have taken every value: leaving it through
# its header costs more receives than any count of senders.
_DRAINED = 1 << 20

# Method calls on a server value: `srv.Serve(l)` in a goroutine, `srv.Shutdown(ctx)` in its owner.
_RECEIVER_CALLS = """
(call_expression
  function: (selector_expression
    operand: (_) @server
    field: (field_identifier) @method)) @call
"""
_SERVE = frozenset({"Serve", "ServeTLS", "ListenAndServe", "ListenAndServeTLS"})
# Which stop methods make Serve return an error that the goroutine's guard filters out:
# net/http's Serve returns ErrServerClosed after Shutdown or Close; gRPC's returns nil after
# Stop or GracefulStop.
_HTTP_STOPS = frozenset({"Shutdown", "Close"})
_GRPC_STOPS = frozenset({"Stop", "GracefulStop"})
_NOT_CLOSED = LazyPattern(r"!=\s*(\w+\.)?ErrServerClosed\b|!\s*errors\.Is\([^()]*ErrServerClosed\s*\)")
_IS_CLOSED = LazyPattern(r"==\s*(\w+\.)?ErrServerClosed\b|(?<!!)\berrors\.Is\([^()]*ErrServerClosed\s*\)")
_NOT_NIL = LazyPattern(r"^\s*\w+\s*!=\s*nil\s*$")


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    if ctx.source.relpath.endswith("_test.go"):
        return
    for make in captures.get("make", []):
        channel = local_channel(ctx, make)
        if channel is not None and channel.escape is not None and not channel.sends:
            finding = _returned_to_callers(ctx, channel) or _received_by_helpers(ctx, channel)
            if finding is not None:
                yield finding
            continue
        if channel is None or channel.escape is not None or channel.sends:
            continue  # handed on, or the function sends too: not the shape this rule knows
        finding = _check_channel(ctx, channel)
        if finding is not None:
            yield finding


def _received_by_helpers(ctx: FileContext, channel: LocalChannel) -> Finding | None:
    """The channel handed to functions of the file that only receive from it (`return wait(ctx,
    ch)`, `func wait(ctx context.Context, ch <-chan T) (T, error) { select { case v := <-ch: …
    case <-ctx.Done(): … } }`), and to nothing else: a call whose function receives on every path
    counts as a receive; one whose function can return without receiving counts as none (its
    cheapest path), which strands the senders as a `case <-ctx.Done(): return` of the owner would."""
    model = ctx.model
    if ctx.package is None or not channel.goroutines:
        return None
    receives, optional = list(channel.receives), []
    skips: dict[int, tuple[Function, Node]] = {}
    for ref in model.references(channel.decl, within=channel.owner.node):
        use, _ = classify_use(model, ref)
        if use != "escape":
            continue
        owner = model.enclosing_function(ref)
        if owner is not channel.owner:
            if channel.goroutine_of(owner) is None:
                return None  # captured by a closure that is not one of its goroutines
            continue
        arguments = ref.parent
        call = arguments.parent if arguments is not None and arguments.type == "argument_list" else None
        if call is not None and call.parent is not None and call.parent.type == "go_statement":
            if channel.goroutine_started_by(call.parent) is None:
                return None  # a goroutine this rule does not follow
            continue  # a goroutine's start: followed already
        handed = channel_parameter(ctx, ref)
        if handed is None or enclosing_loop(handed[0]) is not None:
            return None  # returned, stored, or handed to something this rule does not follow
        call, function, index, summary = handed
        uses = summary.uses.get(index, [])
        if summary.param(index) != frozenset({RECEIVES}) or not uses or not all(u.direct for u in uses):
            return None  # it does more than receive, or hands the channel on
        exits = function.cfg.exits_reachable_from_block(function.cfg.entry, [u.node for u in uses])
        if exits:
            optional.append(call)
            skips[call.id] = (function, exits[0])
        else:
            receives.append(call)
    if not optional and len(receives) == len(channel.receives):
        return None
    stand_in = LocalChannel(channel.name, channel.decl, channel.make, channel.owner, channel.capacity,
                            receives=receives, closes=channel.closes, goroutines=channel.goroutines,
                            optional_receives=optional)
    finding = _check_channel(ctx, stand_in)
    if finding is None or not optional:
        return finding
    function, exit_node = skips[optional[0].id]
    how = f"returns at line {exit_node.start_point[0] + 1}" if exit_node.type == "return_statement" \
        else f"reaches its end (line {exit_node.start_point[0] + 1})"
    return replace(finding, message=finding.message + (
        f"; `{function.shown}`, which it hands the channel to at line {optional[0].start_point[0] + 1}, "
        f"{how} without receiving from it"))


_RETURNS = "(return_statement) @return"
_CALLS = "(call_expression function: [(identifier) (selector_expression)] @callee) @call"


def _returned_to_callers(ctx: FileContext, channel: LocalChannel) -> Finding | None:
    """A function that makes a channel, starts goroutines that send on it and returns it (`func
    fetchAsync() <-chan T { ch := make(chan T); go func() { ch <- fetch() }(); return ch }`): its
    callers in the file receive, and one that can return before receiving (`case <-ctx.Done():
    return`) strands the senders as if it had made the channel itself. Judged per caller with the
    goroutines taken as started at the call; the first caller that strands them is reported."""
    owner = channel.owner
    model = ctx.model
    if channel.receives or not channel.goroutines or owner.body is None:
        return None
    body = block_statements(owner.body)
    # Every goroutine started straight from the body, once; every way out returns the channel alone.
    if any(g.start.parent is None or all(g.start.id != statement.id for statement in body) for g in channel.goroutines):
        return None
    returns = [r for r in query_captures(_RETURNS, owner.body).get("return", [])
               if model.enclosing_function(r) is owner]
    if not returns or any(r.named_child_count != 1 or r.named_children[0].named_child_count != 1
                          or r.named_children[0].named_children[0].text != channel.name.encode() for r in returns):
        return None
    functions = ctx.package.facts.functions if ctx.package is not None else None
    if functions is None:
        return None
    for call in query_captures(_CALLS, ctx.source.root).get("call", []):
        target = functions.callee(ctx, call)
        if target is None or target[0] is not ctx or target[1].node.id != owner.node.id:
            continue
        values = call.parent
        statement = values.parent if values is not None and values.type == "expression_list" else None
        if statement is None or statement.type != "short_var_declaration" or values.named_child_count != 1:
            continue
        names = statement.child_by_field_name("left")
        if names is None or names.named_child_count != 1 or enclosing_loop(statement) is not None:
            continue  # a call per iteration makes a channel per iteration: not followed
        received = returned_channel(ctx, names.named_children[0])
        if received is None or received.escape is not None or received.sends or received.goroutines \
                or not received.receives:
            continue
        stand_in = LocalChannel(received.name, received.decl, call, received.owner, channel.capacity,
                                receives=received.receives, closes=received.closes,
                                goroutines=[Goroutine(statement, g.literal, g.sends, g.receives, g.closes)
                                            for g in channel.goroutines])
        finding = _check_channel(ctx, stand_in)
        if finding is not None:
            line = statement.start_point[0] + 1
            send = min((s for g in channel.goroutines for s in _unguarded_sends(g)), key=lambda n: n.start_byte)
            message = finding.message.replace(where_started(stand_in, send), where_started(channel, send))
            return replace(finding, message=message + (
                f" (the channel is made in `{owner.shown}`, whose goroutine sends on it, and returned to "
                f"{received.owner.shown} at line {line})"))
    return None


def _unguarded_sends(goroutine: Goroutine) -> list[Node]:
    return [send for send in goroutine.sends if not in_select_with_alternatives(send)]


def _check_channel(ctx: FileContext, channel: LocalChannel) -> Finding | None:
    senders = [g for g in channel.goroutines if _unguarded_sends(g)]
    if not senders or any(g.receives for g in channel.goroutines) or not (channel.receives or channel.optional_receives):
        # No receive at all is GL102's neighbour case (nothing ever takes the value): a function
        # that never receives usually hands the channel on in a way we do not see.
        return None
    if started_at_process_level(ctx, channel.make) or channel.capacity is None:
        return None
    # Senders in different cases of a switch, or the two branches of an `if`, are never started by
    # the same call: judge each set that can run together, and report the first that leaks.
    for group in _together(senders):
        finding = _check_senders(ctx, channel, group)
        if finding is not None:
            return finding
    return None


_CASES = frozenset({"expression_case", "type_case", "default_case", "communication_case"})


def _branches(start: Node) -> list[tuple[int, int]] | None:
    """The branches a goroutine's start sits in, as (switch or if, case or branch) pairs, from the
    start up to its function; None when a loop holds it (each iteration may take another branch)."""
    branches = []
    child, node = start, start.parent
    while node is not None and node.type not in FUNCTION_TYPES:
        if node.type == "for_statement":
            return None
        if child.type in _CASES:
            branches.append((node.id, child.id))
        elif node.type == "if_statement" and child.type in ("block", "if_statement"):
            branches.append((node.id, child.id))
        child, node = node, node.parent
    return branches


def _together(senders: list[Goroutine]) -> list[list[Goroutine]]:
    """The largest sets of senders that one run of the function can start: two started in
    different cases of one switch, or in the two branches of one `if`, never run together. One
    set, all of them, when a loop holds one or there are too many to enumerate."""
    paths = [_branches(g.start) for g in senders]
    if len(senders) < 2 or len(senders) > 8 or any(p is None for p in paths):
        return [senders]
    taken = [dict(p) for p in paths]

    def apart(i: int, j: int) -> bool:
        return any(branch != taken[j].get(point, branch) for point, branch in taken[i].items())

    if not any(apart(i, j) for i in range(len(senders)) for j in range(i)):
        return [senders]
    sets = []
    for mask in range(1, 1 << len(senders)):
        members = [i for i in range(len(senders)) if mask >> i & 1]
        if any(apart(i, j) for i in members for j in members if j < i):
            continue
        if any(k not in members and not any(apart(k, i) for i in members) for k in range(len(senders))):
            continue  # not the largest: another sender could run with all of these
        sets.append([senders[i] for i in members])
    return sorted(sets, key=lambda group: [g.start.start_byte for g in group])


def _closed_branches(channel: LocalChannel) -> list[Node]:
    """The elements of the owner's graph that begin an `if !ok` branch after a comma-ok receive from
    the channel (`e, ok := <-ch`, `case e, ok := <-ch:`) in the same block: a receive that says the channel is closed
    means no goroutine sends on it any more (a send on a closed channel panics; it does not wait),
    so whatever the owner does from there strands no sender."""
    found = []
    closed: list[Node] = []
    for receive in channel.receives:
        if receive.type != "unary_expression":
            continue  # a range clause
        statement = receive.parent  # `case e, ok := <-ch:` holds it at once, `e, ok := <-ch` in a list
        if statement is not None and statement.type == "expression_list":
            statement = statement.parent
        if statement is None or statement.type not in ("short_var_declaration", "assignment_statement", "receive_statement"):
            continue
        left = statement.child_by_field_name("left")
        names = left.named_children if left is not None else []
        if len(names) != 2 or names[1].type != "identifier" or names[1].text == b"_":
            continue
        ok = names[1].text
        holder = statement.parent  # the statement list, or the select case the receive opens
        if holder is None:
            continue
        siblings = [holder] if holder.type == "if_statement" else \
            [grand for child in holder.named_children  # `if e, ok := <-ch; !ok {`, or the statements after
             for grand in (child.named_children if child.type == "statement_list" else [child])]
        for sibling in siblings:
            if sibling.type != "if_statement" or (sibling is not holder and sibling.start_byte < statement.end_byte):
                continue
            condition = sibling.child_by_field_name("condition")
            consequence = sibling.child_by_field_name("consequence")
            if condition is None or consequence is None or not consequence.named_child_count or \
                    condition.text.replace(b" ", b"") not in (b"!" + ok, ok + b"==false"):
                continue
            first = consequence.named_children[0]
            if first.type == "statement_list":
                first = first.named_children[0] if first.named_child_count else None
            element = channel.owner.cfg.element_of(first) if first is not None else None
            if element is not None:
                found.append(element)
            closed.append(consequence)
    found.extend(_closed_flag_branches(channel, closed))
    return found


def _closed_flag_branches(channel: LocalChannel, closed: list[Node]) -> list[Node]:
    """`if ended {` branches, where `ended = true` is set only under such an `if !ok` (`case line, ok
    := <-ch: if !ok { ended = true; break }` … `if ended { break }`): they too run only once the
    channel is closed."""
    flags: set[bytes] = set()
    for consequence in closed:
        for statement in block_statements(consequence):
            left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
            if statement.type == "assignment_statement" and left is not None and left.named_child_count == 1 and \
                    left.named_children[0].type == "identifier" and right is not None and right.text == b"true":
                flags.add(left.named_children[0].text)
    if not flags:
        return []
    inside = [(c.start_byte, c.end_byte) for c in closed]
    branches: list[Node] = []
    candidates: dict[bytes, list[Node]] = {}
    for node in descendants(channel.owner.node):
        if node.type in ("assignment_statement", "short_var_declaration"):
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            names = [n.text for n in (left.named_children if left is not None else [])]
            values = right.named_children if right is not None else []
            for index, name in enumerate(names):
                if name in flags and not (len(values) == len(names) and values[index].text == b"false") and \
                        not any(start <= node.start_byte < end for start, end in inside):
                    flags.discard(name)  # set otherwise than to false, outside the closed branches
        elif node.type == "if_statement":
            condition = node.child_by_field_name("condition")
            if condition is not None and condition.type == "identifier" and node.child_by_field_name("initializer") is None:
                candidates.setdefault(condition.text, []).append(node)
    for name in flags:
        for statement in candidates.get(name, []):
            statements = block_statements(statement.child_by_field_name("consequence"))
            element = channel.owner.cfg.element_of(statements[0]) if statements else None
            if element is not None:
                branches.append(element)
    return branches


_JUMPS = frozenset({"continue_statement", "break_statement", "return_statement"})


def _set_true(statement: Node, flag: bytes) -> bool:
    """`flag = true`."""
    if statement.type == "expression_statement" and statement.named_child_count == 1:
        statement = statement.named_children[0]
    if statement.type != "assignment_statement":
        return False
    left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
    return left is not None and right is not None and left.text == flag and right.text == b"true"


def _start_flag(ctx: FileContext, channel: LocalChannel, start: Node) -> bytes | None:
    """The local bool that lets a `go` statement in a loop run at most once: `if !started {
    started = true; go …}`, or `if started { continue }` then `started = true` before the `go` in
    the same block, where the function never sets it false again. Starts that share the flag run
    at most once between them (a hedged request's second call, from either of two cases)."""
    model = ctx.model
    owner = channel.owner.node
    statement, parent = start, start.parent
    while parent is not None and parent.id != owner.id:
        siblings = [c for c in parent.named_children if c.type not in ("comment",)]
        index = next((i for i, c in enumerate(siblings) if c.id == statement.id), None)
        if index is not None:
            before = siblings[:index]
            for i, earlier in enumerate(before):
                # `if flag { continue }` … `flag = true` … the start
                condition = earlier.child_by_field_name("condition") if earlier.type == "if_statement" else None
                consequence = earlier.child_by_field_name("consequence") if condition is not None else None
                body = block_statements(consequence) if consequence is not None else []
                if condition is not None and condition.type == "identifier" and earlier.child_by_field_name(
                        "alternative") is None and len(body) == 1 and body[0].type in _JUMPS \
                        and any(_set_true(later, condition.text) for later in before[i + 1:]):
                    return _never_reset(model, owner, condition.text)
        block = parent.parent if parent.type == "statement_list" else parent
        guard = block.parent if block is not None and block.type == "block" else None
        if guard is not None and guard.type == "if_statement" \
                and guard.child_by_field_name("consequence") is not None \
                and guard.child_by_field_name("consequence").id == block.id:
            # `if !flag { flag = true; … the start … }`
            condition = guard.child_by_field_name("condition")
            operand = condition.child_by_field_name("operand") if condition is not None \
                and condition.type == "unary_expression" and condition.child(0).type == "!" else None
            if operand is not None and operand.type == "identifier" and index is not None \
                    and any(_set_true(earlier, operand.text) for earlier in siblings[:index]):
                return _never_reset(model, owner, operand.text)
        if parent.type in ("for_statement", "func_literal"):
            return None  # the flag must guard the start within the loop it repeats in
        statement, parent = parent, parent.parent
    return None


def _never_reset(model, owner: Node, flag: bytes) -> bytes | None:
    """The flag, when it is a local the function never sets back to false."""
    data = model.source.data[owner.start_byte:owner.end_byte]
    if re.search(rb"\b" + re.escape(flag) + rb"\s*=\s*false\b", data) or \
            re.search(rb"\b" + re.escape(flag) + rb"\s*=\s*!", data):
        return None
    return flag


def _check_senders(ctx: FileContext, channel: LocalChannel, senders: list[Goroutine]) -> Finding | None:
    cfg = channel.owner.cfg
    receives = channel.receives
    # Starts in a loop behind a flag they set (`if !started { started = true; go … }`) run at most
    # once between them: keep the first as a single start.
    once: set[int] = set()
    flagged: dict[bytes, list[Goroutine]] = {}
    for goroutine in senders:
        flag = _start_flag(ctx, channel, goroutine.start) if enclosing_loop(goroutine.start) is not None else None
        if flag is not None:
            flagged.setdefault(flag, []).append(goroutine)
    for group in flagged.values():
        once.add(group[0].start.id)
        senders = [g for g in senders if g not in group[1:]]
    # A goroutine that sends once and whose start is followed at once by a receive (`go f(); if err
    # := <-ch; …`) is settled by that receive before anything else can start or return, as long as
    # no other sender can be alive then: when every sender is so, or, outside loops, for those
    # started before any other. Leave them and their receives out, and judge the rest.
    settled = {g.start.id: taken for g in senders if _sends_once(g)
               for taken in [_received_next(channel, g)] if taken is not None}
    if settled and len(settled) == len(senders):
        return None
    if settled and all(enclosing_loop(g.start) is None for g in senders):
        first_unsettled = min(g.start.start_byte for g in senders if g.start.id not in settled)
        settled = {k: r for k, r in settled.items()
                   if next(g for g in senders if g.start.id == k).start.start_byte < first_unsettled}
        if settled:
            senders = [g for g in senders if g.start.id not in settled]
            taken_ids = {r.id for r in settled.values()}
            receives = [r for r in receives if r.id not in taken_ids]
    # The owner's loops that hold a receive: a goroutine started in such a loop is paired with
    # that loop's receive, one per iteration.
    receive_loops = {loop.node.id for loop in cfg.loops.values()
                     if any(loop.node.start_byte <= r.start_byte < loop.node.end_byte for r in receives)}
    repeated = False
    extra = 0  # goroutines a counted loop starts beyond the first
    paired = False  # a goroutine started in a loop that receives its value, one per iteration
    for goroutine in senders:
        loop = enclosing_loop(goroutine.start)
        while loop is not None and loop.id not in receive_loops:
            loop = enclosing_loop(loop)
        paired = paired or loop is not None
        if enclosing_loop(goroutine.start) is not None and loop is None and goroutine.start.id not in once:
            started = _counted_starts(ctx, goroutine.start)
            if started is None:
                repeated = True  # started many times, received who knows how often
            else:
                extra += started - 1
        if not _sends_once(goroutine):
            repeated = True  # one goroutine sends more than once
    count = None if repeated else len(senders) + extra
    if count == 0:
        return None  # a counted loop that starts none
    if channel.capacity > 0:
        if count is None:
            return None
        need = count - channel.capacity
        if need <= 0:
            return None  # the buffer holds every value even if none is received
    else:
        need = count if count is not None else 2

    receive_counts: dict[int, int] = {}
    for receive in receives:
        element = cfg.element_of(receive)
        if element is not None:
            receive_counts[element.id] = receive_counts.get(element.id, 0) + 1
    if len(senders) == 1 and enclosing_loop(senders[0].start) is None:
        # One goroutine, which signals on another channel once it will send no more on this one
        # (`errc <- err; return`, `close(done)`): receiving that signal settles this channel too.
        for receive in exclusive_receives(ctx.model, channel, senders[0], _unguarded_sends(senders[0])):
            element = cfg.element_of(receive)
            if element is not None:
                receive_counts[element.id] = _DRAINED
    if count == 1:
        # `if !got { <-ch }` where `got` turns true only in a case that received from ch: passing
        # the `if` means one value was taken, one way or the other.
        for condition in _flag_guarded_receives(ctx, channel):
            element = cfg.element_of(condition)
            if element is not None:
                receive_counts[element.id] = receive_counts.get(element.id, 0) + 1
    in_flight = _in_flight_flag(ctx, channel, senders)
    if in_flight is not None:
        # `if updateRunning { <-updateFinished }`: takes the one value outstanding, when there is one
        element = cfg.element_of(in_flight[1])
        if element is not None:
            receive_counts[element.id] = _DRAINED
    for element in _closed_branches(channel):
        receive_counts[element.id] = _DRAINED  # under `if !ok` of a receive from it: closed, so nobody sends
    for receive in waitgroup_receives(ctx.model, channel, senders):
        element = cfg.element_of(receive)
        if element is not None:
            receive_counts[element.id] = _DRAINED  # every sender's deferred Done has run: all sent, all received
    for element in _server_stops(ctx, channel, senders):
        if element.type == "defer_statement" and cfg.dominates(element, senders[0].start):
            return None  # deferred before the goroutine starts: it runs at every exit
        receive_counts[element.id] = _DRAINED
    drained: dict[int, int] = {}
    for loop in cfg.loops.values():
        if loop.node.id in receive_loops and loop.header.elements:
            drained[loop.header.index] = loop.after.index

    guard = start_guard(ctx, senders[0].start) if len(senders) == 1 else None
    empty_names = _filled_per_start(ctx, senders)
    counted = _counted_breaks(ctx, senders, receive_loops) | _emptied_breaks(ctx, channel, senders, receive_loops)
    never_failing = waits_that_never_fail(ctx, channel.owner)
    unset = _unset_field_cases(ctx, cfg)

    def edge_cost(a: Block, b: Block) -> int | None:
        if b.index in unset:
            return None  # a select case on a channel field nothing sets: nil, it never fires
        if guard is not None and a.elements and a.succs and b is not a.succs[0] and retested(ctx, a.elements[-1], guard):
            return None  # the start's condition tested again and false: no goroutine was started
        if empty_names and a.elements and a.succs and b is a.succs[0] and _empty_test(ctx, a.elements[-1], empty_names):
            return None  # `if len(started) == 0 {` after the loop that filled it per start: none started
        if never_failing and a.elements and a.succs and b is a.succs[0] and a.elements[-1].id in never_failing:
            return None  # `if err := g.Wait(); err != nil` of a group whose functions all return nil
        if counted and a.elements and a.elements[-1].id in counted:
            return _DRAINED  # left once it has received as many values as goroutines were started
        if in_flight is not None and a.elements and a.succs and b is not a.succs[0] and a.elements[-1].id == in_flight[0].id:
            return _DRAINED  # the in-flight flag is false: every goroutine started was received
        return _DRAINED if drained.get(a.index) == b.index else 0

    start = senders[0].start
    # A goroutine that sends only once its range over another channel ends (a collector's `for v :=
    # range ch { … }; done <- true`) cannot send before that channel is closed: where only the
    # function closes it, the sends start at its `close(ch)` statements. A way out that skips them
    # leaves the goroutine parked in the range (GL102's finding), not on the send.
    starts = (_closes_gating(ctx, channel, senders[0]) if len(senders) == 1 else None) or [start]
    sequence = _in_sequence(cfg, senders) if channel.capacity > 0 and count is not None and not extra \
        and len(senders) > 1 and starts == [start] else None
    if sequence is not None:
        # Goroutines started one after another (`go write(); select {…}; go read(); select {…}`): a
        # way out before the k-th start leaves only the k-1 started so far, which a buffer may hold.
        # Each way out is judged by the goroutines started on the path to it.
        # What every path receives before the k-th start: the receives after the first start that
        # run before it on every path (a lower bound of what any path receives there).
        results = []
        elements = {element.id: element for receive in receives
                    if (element := cfg.element_of(receive)) is not None and receive.start_byte > start.start_byte}
        for started in range(channel.capacity + 1, len(sequence) + 1):
            here = sequence[started - 1].start
            following = cfg.element_of(sequence[started].start) if started < len(sequence) else None
            before = sum(receive_counts.get(key, 0) for key, element in elements.items()
                         if element.start_byte < here.start_byte and cfg.dominates(element, here))

            def cost(element: Node, following=following) -> int | None:
                if following is not None and element.id == following.id:
                    return None  # the next goroutine's start: a path past it is judged with it
                return receive_counts.get(element.id, 0)

            found = cfg.cheapest_exit(here, cost, edge_cost)
            if found is not None and before + found[0] < started - channel.capacity:
                results, count, need = [(before + found[0], found[1])], started, started - channel.capacity
                break
        if not results:
            return None
    else:
        results = [found for found in (cfg.cheapest_exit(s, lambda element: receive_counts.get(element.id, 0),
                                                         edge_cost) for s in starts) if found is not None]
    if not results:
        return None
    result = min(results, key=lambda found: (found[0], found[1].start_byte))
    received, exit_node = result
    if received >= need:
        return None
    # Left only through `case <-ctx.Done():` of a context parameter: the model knows whether every
    # caller passes a context that ends only with the program, when nobody is left waiting.
    parameter = ""
    done_cases = _parameter_done_cases(ctx, cfg)
    sends = [s for g in senders for s in _unguarded_sends(g)]
    sent_when_done = {_done_case_around(ctx, send) for send in sends}
    if len(sent_when_done) == 1 and None not in sent_when_done:
        # Every send runs only once the goroutine saw that context end (`case <-ctx.Done(): errc <-
        # ctx.Err()`): where it ends only with the program, nothing is sent while it runs.
        parameter = f"program:{next(iter(sent_when_done))}"
    elif len(set(done_cases.values())) == 1:
        def without_done(a: Block, b: Block) -> int | None:
            return None if b.index in done_cases else edge_cost(a, b)

        other = cfg.cheapest_exit(start, lambda element: receive_counts.get(element.id, 0), without_done)
        if other is None or other[0] >= need:
            parameter = f"program:{next(iter(done_cases.values()))}"
    # Every send made only after the goroutine saw a context not done (`select { case <-ctx.Done():
    # return; default: errc <- err }`), where the function leaves without receiving only once that
    # context is done: the sender is stranded only in the instant between its check and its send.
    race = _checked_context(ctx, sends)
    if race is not None:
        checked_cases = {block.index for block in cfg.blocks if block.kind == "select.case" and block.elements
                         and _done_context(ctx, block.elements[0]) == race}

        def without_checked(a: Block, b: Block) -> int | None:
            return None if b.index in checked_cases else edge_cost(a, b)

        other = cfg.cheapest_exit(start, lambda element: receive_counts.get(element.id, 0), without_checked)
        if other is not None and other[0] < need:
            race = None
    # Every send made only after the goroutine received an OS signal (`<-quit`, with
    # `signal.Notify(quit, …)`): it sends as the program shuts down, and is stranded only then.
    signalled = _after_signal(ctx, sends, channel.owner) if race is None else None
    # Every way out that leaves a value unreceived passes a receive of an OS signal first (`<-quit`
    # with `signal.Notify(quit, os.Interrupt, syscall.SIGTERM)`, waiting for the end of the program):
    # the goroutine is stranded only as the program shuts down.
    stopped = None
    if race is None and signalled is None:
        waited = _termination_receives(ctx, channel.owner, cfg)
        if waited is not None:
            name, elements = waited

            def unless_stopped(element: Node) -> int | None:
                return None if element.id in elements else receive_counts.get(element.id, 0)

            other = cfg.cheapest_exit(start, unless_stopped, edge_cost)
            if other is None or other[0] >= need:
                stopped = name
    line = exit_node.start_point[0] + 1
    where = f"return at line {line}" if exit_node.type == "return_statement" else f"end of the function (line {line})"
    send = min((s for g in senders for s in _unguarded_sends(g)), key=lambda n: n.start_byte)
    owner = channel.owner.shown
    # Senders a loop starts and receives from in turn (`for { select { case <-tick: go work();
    # case <-done: … } }`) leave at most one goroutine each when the function returns: how often
    # that happens is how often the function runs, not how often its loop turns, so the finding
    # takes the function's lifetime rather than the loop-started literal's. The same holds of a
    # late send on a closed channel: it happens at most once per such return.
    subjects = (channel.owner.name,) if paired and count is not None and not extra else ()
    serving = _serving_senders(ctx, senders)
    stopping = shutdown_function(channel.owner)
    closing = _closed_on_the_way_out(ctx, channel, exit_node, start)
    if closing is not None:
        # The owner closes the channel on its way out: a send still pending then does not wait,
        # it panics (a crash of the program, not a parked goroutine), unless the sender recovers.
        if all(recovered_before(ctx.model, g.literal, s) for g in senders for s in _unguarded_sends(g)):
            return None
        spelled = ctx.source.text(closing).strip()
        how = f"in its `{spelled}`" if closing.type == "defer_statement" else f"with `{spelled}`"
        if "\n" in spelled:  # `defer func() { …; close(ch) }()`
            spelled = f"close({channel.name})"
            how = f"with `{spelled}` in the function it defers"
        message = (f"a goroutine's send on `{channel.name}` can run after {owner} reached the {where} without "
                   f"receiving it and closed the channel {how} (line "
                   f"{closing.start_point[0] + 1}): a send on a closed channel panics, which ends the program unless "
                   "the goroutine recovers it")
        message += where_started(channel, send)
        fix = (f"do not close a channel goroutines may still send on: drop the `{spelled}` and give "
               f"`{channel.name}` a buffer for every send, or let the sender close it")
        if race is not None:
            message += _race_text(race, owner)
        elif signalled is not None:
            message += _SIGNAL_TEXT.format(signalled)
        elif stopped is not None:
            message += _STOPPED_TEXT.format(owner=owner, name=stopped)
        return ctx.finding(RULE, send, message, fix=fix, subjects=subjects, bounded=serving or stopping is not None,
                           parameter=parameter,
                           severity=Severity.NOTE if race is not None or signalled is not None or stopped is not None
                           else None)
    if channel.capacity == 0 and count == 1:
        message = (f"the goroutine's send on unbuffered channel `{channel.name}` can block forever: "
                   f"{owner} can reach the {where} without receiving from it")
    elif channel.capacity == 0:
        message = (f"sends on unbuffered channel `{channel.name}` can block forever: {owner} can reach "
                   f"the {where} before receiving every value its goroutines send")
    else:
        message = (f"channel `{channel.name}` buffers {channel.capacity} of the {count} values its goroutines "
                   f"send, and {owner} can reach the {where} having received {received}: the other senders block forever")
    message += where_started(channel, send)
    held = _held_lock(ctx, send)
    if held is not None:
        lock, line = held
        message += (f"; the goroutine holds `{lock}` while it waits (locked at line {line}, released only when it "
                    f"returns), so every later call that takes `{lock}` waits behind it: a deadlock, not only a leak")
    fix = (f"give `{channel.name}` a buffer for every send (`make(chan T, {count})`), or select on ctx.Done() "
           f"in the sender" if count is not None and count > 1 else
           f"give `{channel.name}` a buffer of one (`make(chan T, 1)`), or as many as the senders, "
           f"or select on ctx.Done() in the sender")
    if serving:
        message += ("; its goroutines send when the server they run stops, so one is left per start of that "
                    "server: a leak where the server is started per request, a note elsewhere")
    elif stopping is not None:
        message += (f"; `{stopping}` shuts something down, which happens once for each thing it stops, and most "
                    "of those live as long as the process: a leak where it runs per request, a note elsewhere")
    if race is not None:
        message += _race_text(race, owner)
        fix = (f"send in the select that checks `{race}` (`case {channel.name} <- v:` beside `case "
               f"<-{race}.Done():`), or give `{channel.name}` a buffer for every send")
    elif signalled is not None:
        message += _SIGNAL_TEXT.format(signalled)
    elif stopped is not None:
        message += _STOPPED_TEXT.format(owner=owner, name=stopped)
    return ctx.finding(RULE, send, message, fix=fix, subjects=subjects, bounded=serving or stopping is not None,
                       parameter=parameter,
                       severity=Severity.NOTE if race is not None or signalled is not None or stopped is not None
                       else None)


def _filled_per_start(ctx: FileContext, senders: list[Goroutine]) -> frozenset[str]:
    """Names that are empty after the loop that starts every sender only when it started none: the
    collection the loop ranges over (`for _, b := range blocks`), and a map or slice its body adds to
    unconditionally before the start (`pending[i] = struct{}{}`, `ids = append(ids, id)`)."""
    loop = _starting_loop(senders)
    if loop is None:
        return frozenset()
    names: set[str] = set()
    header = next((c for c in loop.named_children if c.type == "range_clause"), None)
    ranged = header.child_by_field_name("right") if header is not None else None
    if ranged is not None and ranged.type == "identifier" \
            and not is_channel_type(ctx.model.declared_type(ctx.model.resolve(ranged)) or ""):
        names.add(ctx.source.text(ranged))  # (a channel ranged to its end is empty whatever started)
    for statement in _before_first_start(loop, senders):
        text = ctx.source.text(statement)
        match = _ADDED_PER_ITERATION.fullmatch(text)
        if match is not None and (match.group("appended") is None or match.group("appended") == match.group("name")):
            names.add(match.group("name"))
    return frozenset(names)


def _starting_loop(senders: list[Goroutine]) -> Node | None:
    """The one loop every sender is started in, directly or deeper; None if any starts outside it."""
    loops = {loop.id: loop for loop in (enclosing_loop(g.start) for g in senders) if loop is not None}
    if len(loops) != 1 or any(enclosing_loop(g.start) is None for g in senders):
        return None
    return next(iter(loops.values()))


def _before_first_start(loop: Node, senders: list[Goroutine]) -> list[Node]:
    """The statements of the loop's body that come before the first sender's start."""
    body = loop.child_by_field_name("body")
    first = min(g.start.start_byte for g in senders)
    return [statement for statement in (block_statements(body) if body is not None else ())
            if statement.end_byte <= first]


# `pending[i] = struct{}{}` or `ids = append(ids, id)`, a whole statement.
_ADDED_PER_ITERATION = re.compile(r"(?P<name>[A-Za-z_]\w*)\s*(?:\[[^\]\n]+\]\s*=(?!=)[^\n]*|=\s*append\(\s*(?P<appended>[A-Za-z_]\w*)\s*,[^\n]*\))")
_EMPTY_TEST = re.compile(r"len\(\s*(?P<name>[A-Za-z_]\w*)\s*\)\s*(?:==\s*0|<\s*1)")


def _empty_test(ctx: FileContext, element: Node, names: frozenset[str]) -> bool:
    """`element` is the condition of an `if` that tests one of `names` for emptiness."""
    parent = element.parent
    if parent is None or parent.type != "if_statement" or parent.child_by_field_name("condition") != element \
            or enclosing_loop(parent) is not None:
        return False  # in a loop, a collection may have emptied as values were received
    match = _EMPTY_TEST.fullmatch(ctx.source.text(element).strip())
    return match is not None and match.group("name") in names


def _in_sequence(cfg, senders: list[Goroutine]) -> list[Goroutine] | None:
    """The senders in the order they start, when each sends once, none is started in a loop, and
    each start runs before the next on every path (it dominates it); None otherwise."""
    ordered = sorted(senders, key=lambda g: g.start.start_byte)
    if any(enclosing_loop(g.start) is not None or not _sends_once(g) for g in ordered):
        return None
    if not all(cfg.dominates(a.start, b.start) for a, b in zip(ordered, ordered[1:])):
        return None
    return ordered


def _held_lock(ctx: FileContext, send: Node) -> tuple[str, int] | None:
    """A mutex the goroutine holds at `send`: taken (`Lock`, `RLock`) with a path to the send that
    passes no plain release of it, a deferred one running only when it returns. (`s.mu`, the line
    of its Lock), or None."""
    function = ctx.model.enclosing_function(send)
    if function is None or function.kind != "literal":
        return None
    held = held_at(ctx, function, send, ("Lock", "RLock"))
    if not held:
        return None
    call, mutex = held[0]
    return " ".join(ctx.source.text(mutex).split()), call.start_point[0] + 1


_SIGNAL_TEXT = ("; but each send runs only after its goroutine received an OS signal from `{0}` (`signal.Notify`), "
                "as the program shuts down: the goroutine is stranded only then")
_NOTIFY = LazyPattern(rb"\bsignal\.Notify\(\s*([A-Za-z_]\w*)\s*,")
_STOPPED_TEXT = ("; but {owner} gets there only after it received an OS signal from `{name}` (`signal.Notify` of "
                 "an interrupt or termination), as the program shuts down: the goroutine is stranded only then")
# `signal.Notify(quit)` (every signal), or one that names an interrupt or a termination.
_TERMINATION_NOTIFY = LazyPattern(rb"\bsignal\.Notify\(\s*([A-Za-z_]\w*)\s*(?:\)|,[^)]*\b(?:os\.Interrupt|os\.Kill|"
                                  rb"syscall\.SIG(?:INT|TERM|QUIT|KILL)|unix\.SIG(?:INT|TERM|QUIT|KILL))\b)")


def _termination_receives(ctx: FileContext, owner: Function, cfg) -> tuple[str, set[int]] | None:
    """The channel the owner hands `signal.Notify` for an interrupt or a termination, and the ids
    of the owner's elements that receive from it (`<-quit`, `s := <-quit`, `case <-quit:`), outside
    its function literals. None when there is no such channel or the owner never receives from it."""
    if "os/signal" not in ctx.model.imported_paths:
        return None
    data = ctx.source.data[owner.node.start_byte:owner.node.end_byte]
    names = {m.group(1) for m in _TERMINATION_NOTIFY.finditer(data)}
    if len(names) != 1:
        return None
    name = names.pop()
    elements: set[int] = set()
    for receive in query_captures("(unary_expression operator: \"<-\" operand: (identifier) @name) @receive",
                                  owner.node).get("receive", []):
        operand = receive.child_by_field_name("operand")
        if operand is None or operand.text != name or ctx.model.enclosing_function(receive) is not owner:
            continue
        element = cfg.element_of(receive)
        if element is not None:
            elements.add(element.id)
    return (name.decode(), elements) if elements else None


def _after_signal(ctx: FileContext, sends: list[Node], owner: Function) -> str | None:
    """The channel of OS signals that every send waits on first, by its name: before it in its
    statement list (`<-quit`, `sig := <-quit`), as the case it runs in (`case <-quit:`), or ranged
    over around it (`for s := range quit`), within its own function literal; the owner (with the
    goroutine in it) hands that channel to `signal.Notify` of os/signal."""
    if "os/signal" not in ctx.model.imported_paths or not sends:
        return None
    names = {_signal_received_before(ctx, send) for send in sends}
    if len(names) != 1 or None in names:
        return None
    name = names.pop()
    data = ctx.source.data[owner.node.start_byte:owner.node.end_byte]
    return name if any(m.group(1).decode() == name for m in _NOTIFY.finditer(data)) else None


def _signal_received_before(ctx: FileContext, send: Node) -> str | None:
    current = send
    while current is not None and current.type not in FUNCTION_TYPES:
        parent = current.parent
        if parent is not None and parent.type == "for_statement":
            clause = next((c for c in parent.named_children if c.type == "range_clause"), None)
            right = clause.child_by_field_name("right") if clause is not None else None
            if right is not None and right.type == "identifier" and parent.child_by_field_name("body") == current:
                return ctx.source.text(right)
        previous = current.prev_named_sibling
        while previous is not None:
            name = _received_from(ctx, previous)
            if name is not None:
                return name
            previous = previous.prev_named_sibling
        current = parent
    return None


def _received_from(ctx: FileContext, node: Node) -> str | None:
    """X when the statement receives from the channel named X: `<-X`, `v := <-X`, `v, ok = <-X`."""
    if node.type in ("expression_statement", "short_var_declaration", "assignment_statement", "receive_statement"):
        value = node.child_by_field_name("right") if node.type != "expression_statement" else node.named_child(0)
        if value is not None and value.type == "expression_list" and value.named_child_count == 1:
            value = value.named_child(0)
        node = value
    if node is None or node.type != "unary_expression" or ctx.source.text(node.child_by_field_name("operator")) != "<-":
        return None
    operand = node.child_by_field_name("operand")
    return ctx.source.text(operand) if operand is not None and operand.type == "identifier" else None


def _race_text(context: str, owner: str) -> str:
    return (f"; but each send runs only after its goroutine saw `{context}` not done, and {owner} leaves without "
            f"receiving only once `{context}` is done: the goroutine is stranded only if `{context}` ends in the "
            "instant between its check and its send")


def _checked_context(ctx: FileContext, sends: list[Node]) -> str | None:
    """The context every send is made only after checking, as its text: each is in the `default` of
    a select that has a `case <-E.Done():` (`select { case <-ctx.Done(): return; default: errc <- err
    }`), or right after `if E.Err() != nil { return … }`, within its own function literal."""
    found = set()
    for send in sends:
        context = _default_of_done_select(ctx, send) or _after_err_check(ctx, send)
        if context is None:
            return None
        found.add(context)
    return found.pop() if len(found) == 1 else None


def _default_of_done_select(ctx: FileContext, send: Node) -> str | None:
    current = send.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        if current.type == "default_case" and current.parent is not None and current.parent.type == "select_statement":
            for case in current.parent.named_children:
                communication = case.child_by_field_name("communication") if case.type == "communication_case" else None
                context = _done_context(ctx, communication) if communication is not None else None
                if context is not None:
                    return context
            return None
        if current.type in ("select_statement", "communication_case"):
            return None
        current = current.parent
    return None


def _after_err_check(ctx: FileContext, send: Node) -> str | None:
    """`if E.Err() != nil { return }` right before the send's statement: E's text."""
    previous = send.prev_named_sibling
    while previous is not None and previous.type == "comment":
        previous = previous.prev_named_sibling
    if previous is None or previous.type != "if_statement" or previous.child_by_field_name("alternative") is not None:
        return None
    condition, consequence = previous.child_by_field_name("condition"), previous.child_by_field_name("consequence")
    if condition is None or consequence is None or condition.type != "binary_expression" or \
            ctx.source.text(condition.child_by_field_name("operator")) != "!=" or \
            ctx.source.text(condition.child_by_field_name("right")) != "nil":
        return None
    left = condition.child_by_field_name("left")
    function = left.child_by_field_name("function") if left is not None and left.type == "call_expression" else None
    if function is None or function.type != "selector_expression" or \
            ctx.source.text(function.child_by_field_name("field")) != "Err":
        return None
    statements = [c for c in block_statements(consequence) if c.type != "comment"]
    if not statements or statements[-1].type != "return_statement":
        return None
    return ctx.source.text(function.child_by_field_name("operand"))


def _done_context(ctx: FileContext, communication: Node) -> str | None:
    """The text of E when a select case receives from `E.Done()` (`case <-ctx.Done():`)."""
    operand = _done_operand(ctx, communication)
    return ctx.source.text(operand) if operand is not None else None


def _received_operand(communication: Node) -> Node | None:
    """X when a select case's communication receives from X (`case v := <-X:`, `case <-X:`)."""
    received = communication.child_by_field_name("right") if communication.type == "receive_statement" \
        else communication
    if received is None or received.type != "unary_expression" or received.child_by_field_name("operator").text != b"<-":
        return None
    return received.child_by_field_name("operand")


def _done_operand(ctx: FileContext, communication: Node) -> Node | None:
    """E when a select case's communication receives from `E.Done()`."""
    call = _received_operand(communication)
    function = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    if function is None or function.type != "selector_expression" or \
            ctx.source.text(function.child_by_field_name("field")) != "Done":
        return None
    return function.child_by_field_name("operand")


_RANGED = "(for_statement (range_clause right: (identifier) @ranged))"


def _closes_gating(ctx: FileContext, channel: LocalChannel, goroutine: Goroutine) -> list[Node] | None:
    """The owner's `close(c)` statements that must run before the goroutine can send: every send
    comes after a range over `c` that only the channel's close ends, and only the owner closes `c`,
    with plain statements (not deferred, not in a closure). None when the sends are not so gated."""
    literal = goroutine.literal
    sends = _unguarded_sends(goroutine)
    if literal.node.type != "func_literal" or not sends:
        return None
    owner = channel.owner
    for ranged in query_captures(_RANGED, literal.body).get("ranged", []):
        loop = ranged.parent.parent
        if ctx.model.enclosing_function(loop) is not literal:
            continue
        if not all(literal.cfg.dominates(loop, send) for send in sends):
            continue
        if literal.cfg.loop(loop) is None or literal.cfg.can_leave(loop):
            continue
        binding = ctx.model.resolve(ranged)
        if binding.kind != "local" or binding.decl is None or ctx.model.enclosing_function(binding.decl) is not owner:
            continue
        gate = named_local_channel(ctx, ranged) or returned_channel(ctx, binding.decl)
        if gate is None or gate.escape is not None or not gate.closes:
            continue
        if all(ctx.model.enclosing_function(c) is owner and not deferred(c, owner.node) for c in gate.closes):
            return sorted(gate.closes, key=lambda n: n.start_byte)
    return None


def _unset_field_cases(ctx: FileContext, cfg) -> set[int]:
    """The select cases of a function's graph that receive from a channel field no code of the
    package sets (`case err := <-p.closing:` where nothing makes `closing`): a nil channel, whose
    case never fires (PackageFacts.unset_field_channels)."""
    cases = {}
    for block in cfg.blocks:
        if block.kind == "select.case" and block.elements:
            operand = _received_operand(block.elements[0])
            if operand is not None and operand.type == "selector_expression":
                cases[block.index] = ctx.source.text(operand.child_by_field_name("field"))
    if not cases:
        return set()
    unset = ctx.package.facts.unset_field_channels
    return {index for index, name in cases.items() if name in unset}


def _parameter_done_cases(ctx: FileContext, cfg) -> dict[int, str]:
    """The select cases of a function's graph that receive from `Done()` of a context parameter
    of a named function: block index -> "Name#i" (_done_parameter)."""
    found: dict[int, str] = {}
    for block in cfg.blocks:
        if block.kind == "select.case" and block.elements:
            parameter = _done_parameter(ctx, block.elements[0])
            if parameter is not None:
                found[block.index] = parameter
    return found


def _done_case_around(ctx: FileContext, node: Node) -> str | None:
    """"Name#i" when `node` sits in the body of a select case on `Done()` of a context parameter
    (`case <-ctx.Done(): errc <- ctx.Err()`), within its own function literal."""
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        if current.type == "communication_case":
            communication = current.child_by_field_name("communication")
            return _done_parameter(ctx, communication) if communication is not None else None
        current = current.parent
    return None


def _done_parameter(ctx: FileContext, communication: Node) -> str | None:
    """"Name#i" when a select case's communication receives from `Done()` of the i-th parameter of
    the named function Name (typed `context.Context`, never assigned again there), else None."""
    model = ctx.model
    operand = _done_operand(ctx, communication)
    if operand is None or operand.type != "identifier":
        return None
    binding = model.resolve(operand)
    owner = binding.function
    if binding.kind != "param" or binding.decl is None or owner is None or owner.kind == "literal":
        return None
    index = context_parameter_index(binding.decl)
    if index is None or assigned_again(model, binding.decl, owner.node):
        return None
    return f"{owner.name}#{index}"


def _closed_on_the_way_out(ctx: FileContext, channel: LocalChannel, exit_node: Node, start: Node) -> Node | None:
    """The owner's own `close(ch)` (not a literal's) that runs on every path to `exit_node`, the way
    out that leaves a sender behind: a `defer close(ch)` registered there (or, for the end of the
    function, a statement of the body's top level before the goroutine starts), or a plain
    `close(ch)` after the goroutine's start that every path to that way out passes (`case
    <-ctx.Done(): close(ch); return err`). Either closes the channel under the pending send."""
    cfg = channel.owner.cfg
    for close in channel.closes:
        statement = close.parent
        if statement is not None and ctx.model.enclosing_function(statement) is not channel.owner:
            statement = _deferred_literal(ctx, statement, channel.owner)
        if statement is None or ctx.model.enclosing_function(statement) is not channel.owner:
            continue
        if statement.type == "expression_statement":
            if statement.start_byte > start.start_byte and cfg.dominates(statement, exit_node):
                return statement
            continue
        if statement.type != "defer_statement":
            continue
        block = statement.parent
        if block is not None and block.type == "statement_list":
            block = block.parent
        if cfg.dominates(statement, exit_node) or \
                (block is not None and block.id == channel.owner.body.id and cfg.dominates(statement, start)):
            return statement
    return None


def _deferred_literal(ctx: FileContext, statement: Node, owner) -> Node | None:
    """The `defer` of `owner` that runs `statement` on the way out: `statement` stands at the top
    level of a function literal the defer calls (`defer func() { cancel(); close(ch) }()`), so it
    runs whenever the deferred call does."""
    block = statement.parent
    if statement.type != "expression_statement" or block is None or block.type != "statement_list":
        return None
    body = block.parent
    literal = body.parent if body is not None and body.type == "block" else None
    call = literal.parent if literal is not None and literal.type == "func_literal" else None
    defer = call.parent if call is not None and call.type == "call_expression" and \
        call.child_by_field_name("function") == literal else None
    if defer is None or defer.type != "defer_statement" or ctx.model.enclosing_function(defer) is not owner:
        return None
    return defer


# What a condition may hold to be tested twice with one answer: names, fields, literals, comparisons
# and logic, no call and no receive.
def _sends_once(goroutine: Goroutine) -> bool:
    """No path through the goroutine sends twice (each send is its last: `errc <- err; return`), or
    every send that another can follow is guarded by a flag it sets (`if !sent { sent = true; ch <- v }`)."""
    sends = _unguarded_sends(goroutine)
    literal_cfg = goroutine.literal.cfg
    followed = [(a, b) for a in sends for b in sends if literal_cfg.reaches(a, b)]
    return not followed or _flag_guarded(goroutine, sends, followed)


def _flag_guarded(goroutine: Goroutine, sends: list[Node], followed: list[tuple[Node, Node]]) -> bool:
    """Every send sits in the block of an `if` whose condition requires `!f` (alone or with `&&`),
    for one local boolean `f` of the goroutine that is only ever set to true, and every send that
    another send can follow sets `f = true` in its own block, next to it: after the first send, the
    flag keeps every other from running (a collector that reports its first success, then, after its
    loop, the last error only `if !success`)."""
    literal = goroutine.literal
    if literal.node.type != "func_literal":
        return False
    flag, sets = None, {}
    for send in sends:
        block = send.parent
        if block is not None and block.type == "statement_list":
            block = block.parent
        statement = block.parent if block is not None else None
        if block is None or block.type != "block" or statement is None or statement.type != "if_statement" \
                or statement.child_by_field_name("consequence") != block:
            return False
        names = _negated_names(statement.child_by_field_name("condition"))
        candidates = names if flag is None else names & {flag}
        if not candidates:
            return False
        if flag is None and len(candidates) != 1:
            return False
        flag = next(iter(candidates))
        sets[send.id] = _sets_true(block, send, flag)
    if any(not sets[a.id] for a, _ in followed):
        return False
    # The flag is the goroutine's own and is never set back to false.
    data = literal.node.text
    assigned = re.findall(rb"\b" + re.escape(flag.encode()) + rb"\s*(?::=|=)\s*(\w+)", data)
    declared = re.search(rb"\bvar\s*\(?[^)]*\b" + re.escape(flag.encode()) + rb"\s+bool\b", data) is not None
    return (declared or bool(assigned)) and all(value in (b"true", b"false") for value in assigned) and \
        assigned.count(b"false") <= 1 and (not assigned or assigned[0] == b"false" or declared)


def _negated_names(condition: Node | None) -> set[str]:
    """The names `f` that `!f` conjuncts of a condition require false (`!f`, `ok && !f`)."""
    found: set[str] = set()
    stack = [condition] if condition is not None else []
    while stack:
        node = stack.pop()
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            stack.append(node.named_children[0])
        elif node.type == "binary_expression" and node.child_by_field_name("operator").text == b"&&":
            stack.extend((node.child_by_field_name("left"), node.child_by_field_name("right")))
        elif node.type == "unary_expression" and node.child_by_field_name("operator").text == b"!":
            operand = node.child_by_field_name("operand")
            if operand is not None and operand.type == "identifier":
                found.add(operand.text.decode())
    return found


def _sets_true(block: Node, send: Node, flag: str) -> bool:
    """`flag = true` is a statement of the block, right before the send or right after it."""
    statements = [c for c in block_statements(block) if c.type != "comment"]
    index = next((i for i, c in enumerate(statements) if c.id == send.id), -1)
    if index < 0:
        return False
    for neighbour in statements[max(index - 1, 0):index] + statements[index + 1:index + 2]:
        if neighbour.type == "assignment_statement" and neighbour.text.replace(b" ", b"") == flag.encode() + b"=true":
            return True
    return False


def _received_next(channel: LocalChannel, goroutine: Goroutine) -> Node | None:
    """The receive from the channel that the statement right after the goroutine's start makes
    before anything else can happen (`go f(); if err := <-ch; err != nil {…}`, `v := <-ch`,
    `return <-ch`), or None."""
    statement = goroutine.start.next_named_sibling
    while statement is not None and statement.type == "comment":
        statement = statement.next_named_sibling
    if statement is None:
        return None
    if statement.type == "if_statement":
        head = statement.child_by_field_name("initializer")
        if head is None:
            head = statement.child_by_field_name("condition")
    elif statement.type in ("expression_statement", "short_var_declaration", "assignment_statement",
                            "return_statement"):
        head = statement
    else:
        return None
    if head is None:
        return None
    return next((r for r in channel.receives if head.start_byte <= r.start_byte and r.end_byte <= head.end_byte), None)


def _counted_starts(ctx: FileContext, start: Node) -> int | None:
    """How many goroutines `start` starts when it sits directly in the body of a loop whose count
    its header spells with constants (`for i := 0; i < workers; i++`, `const workers = 3`) and that
    nothing cuts short, with no loop around that one; None for any other loop."""
    loop = enclosing_loop(start)
    statements = start.parent
    if loop is None or statements is None or statements.type != "statement_list" \
            or statements.parent is None or statements.parent.id != loop.child_by_field_name("body").id:
        return None
    if enclosing_loop(loop) is not None:
        return None
    return loop_count(ctx.model, loop)


def _counted_breaks(ctx: FileContext, senders: list[Goroutine], receive_loops: set[int]) -> set[int]:
    """The `break`s of a receive loop taken only once it has received one value per goroutine started:
    one goroutine started once per element of `S` (`for _, a := range S { go … }`, `for i := 0; i <
    len(S); i++`), sending once, and a break under `if len(got) == len(S)` (or `>=`; `n` for a
    counter the loop steps: `n++`) where the loop appends to `got` on every turn."""
    if len(senders) != 1 or not _sends_once(senders[0]):
        return set()
    loop = enclosing_loop(senders[0].start)
    if loop is None or enclosing_loop(loop) is not None:
        return set()
    text = ctx.source.text
    clause = next((c for c in loop.named_children if c.type in ("range_clause", "for_clause")), None)
    if clause is None:
        return set()
    if clause.type == "range_clause":
        ranged = clause.child_by_field_name("right")
        sliced = text(ranged) if ranged is not None else ""
    else:
        condition = clause.child_by_field_name("condition")
        match = _LEN_BOUND.fullmatch(text(condition)) if condition is not None else None
        sliced = match.group(1) if match else ""
    if not sliced or not _PLAIN_NAME.fullmatch(sliced):
        return set()
    found = set()
    function = ctx.model.enclosing_function(senders[0].start)
    for node, target, guard in _guarded_breaks(function, receive_loops) if function is not None else ():
        condition = text(guard)
        body = text(target.child_by_field_name("body"))
        for counter in _counters(condition, sliced):
            if counter.startswith("len("):  # `got = append(got, v)` on every turn
                name = re.escape(counter[4:-1])
                grows = re.search(rf"(?<![\w.]){name}\s*=\s*append\(\s*{name}\s*,", body)
            else:  # `n++`
                grows = re.search(rf"(?<![\w.]){re.escape(counter)}\s*(?:\+\+|\+=\s*1\b)", body)
            if grows is not None:
                found.add(node.id)
    return found


def _emptied_breaks(ctx: FileContext, channel: LocalChannel, senders: list[Goroutine],
                    receive_loops: set[int]) -> set[int]:
    """The `break`s of a receive loop taken only once a set that gained one key per goroutine
    started has emptied, where keys leave the set only as values arrive: `pending[i] = …` before
    each start, `i` the index of the range that starts them (so no two share a key), every
    `delete(pending, …)` in a case that receives from the channel or after such a receive in its
    block, and `if len(pending) == 0 { break }`, or a flag set only under that test (`done = true`,
    then `if done { break }`)."""
    if not senders or not all(_sends_once(g) for g in senders):
        return set()
    names = _indexed_per_start(ctx, senders)
    function = ctx.model.enclosing_function(senders[0].start)
    if not names or function is None:
        return set()
    text = ctx.source.text
    calls = query_captures(_DELETES, function.node).get("call", [])
    deletes: dict[str, list[Node]] = {}
    for call in calls:
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_child_count == 2 else None
        if first is not None and first.type == "identifier" and text(first) in names:
            deletes.setdefault(text(first), []).append(call)
    names = {name for name in names if deletes.get(name) and all(_on_receive(channel, d) for d in deletes[name])}
    if not names:
        return set()
    found = set()
    for node, _target, condition in _guarded_breaks(function, receive_loops):
        if _emptiness(ctx, condition, names) or condition.type == "identifier" and \
                _set_only_when_empty(ctx, function, text(condition), names):
            found.add(node.id)
    return found


def _guarded_breaks(function: Function, receive_loops: set[int]) -> Iterable[tuple[Node, Node, Node]]:
    """(break, loop, condition) of each unlabelled `break` of one of `receive_loops` that is a
    statement of the consequence of an `if` in `function`: `if cond { …; break }`."""
    for node in query_captures(_BREAKS, function.node).get("break", []):
        if node.named_child_count:
            continue  # a labelled break
        target = node.parent
        while target is not None and target.type not in _BREAKABLE:
            target = target.parent
        if target is None or target.type != "for_statement" or target.id not in receive_loops:
            continue
        statements = node.parent
        branch = statements.parent if statements is not None and statements.type == "statement_list" else None
        if_statement = branch.parent if branch is not None and branch.type == "block" else None
        if if_statement is None or if_statement.type != "if_statement" \
                or if_statement.child_by_field_name("consequence") != branch:
            continue
        condition = if_statement.child_by_field_name("condition")
        if condition is not None:
            yield node, target, condition


def _indexed_per_start(ctx: FileContext, senders: list[Goroutine]) -> set[str]:
    """Maps the loop that starts every sender adds to before each start, under the range's index
    (`for i, b := range blocks { pending[i] = struct{}{}; go … }`)."""
    loop = _starting_loop(senders)
    header = next((c for c in loop.named_children if c.type == "range_clause"), None) if loop is not None else None
    left = header.child_by_field_name("left") if header is not None else None
    index = left.named_children[0] if left is not None and left.named_child_count else None
    if index is None or index.type != "identifier" or ctx.source.text(index) == "_":
        return set()
    names = set()
    for statement in _before_first_start(loop, senders):
        match = _KEYED_STORE.fullmatch(ctx.source.text(statement))
        if match is not None and match.group("key") == ctx.source.text(index):
            names.add(match.group("name"))
    return names


def _on_receive(channel: LocalChannel, call: Node) -> bool:
    """`call` runs only as a value of `channel` arrives: in a select case that receives from it, or
    after a statement of its block that does."""
    statement = call
    while statement.parent is not None and statement.parent.type not in ("statement_list", "communication_case"):
        statement = statement.parent
    holder = statement.parent
    if holder is None:
        return False
    if holder.type == "statement_list" and holder.parent is not None and holder.parent.type == "communication_case":
        holder = holder.parent
    if holder.type == "communication_case":
        communication = holder.child_by_field_name("communication")
        return communication is not None and any(
            communication.start_byte <= r.start_byte < communication.end_byte for r in channel.receives)
    return any(earlier.end_byte <= statement.start_byte and earlier.start_byte <= r.start_byte < earlier.end_byte
               for earlier in holder.named_children for r in channel.receives)


def _emptiness(ctx: FileContext, condition: Node | None, names: set[str]) -> bool:
    match = _EMPTY_TEST.fullmatch(ctx.source.text(condition).strip()) if condition is not None else None
    return match is not None and match.group("name") in names


def _set_only_when_empty(ctx: FileContext, function: Function, flag: str, names: set[str]) -> bool:
    """Every assignment to local `flag` in `function` but its false start (`done := false`, `var done
    bool`) is `flag = true` directly under `if len(name) == 0` for one of `names`."""
    text = ctx.source.text
    settings = 0
    for node in ctx.model.identifiers_named(flag, function.node):
        parent = node.parent
        if parent is not None and parent.type == "expression_list":
            parent = parent.parent
        if parent is None or parent.type not in ("assignment_statement", "short_var_declaration", "var_spec",
                                                 "inc_statement", "dec_statement"):
            continue
        left = parent.child_by_field_name("left") or parent.child_by_field_name("name")
        if left is None or not left.start_byte <= node.start_byte < left.end_byte:
            continue  # read, not written
        if parent.type in ("short_var_declaration", "var_spec"):
            value = parent.child_by_field_name("right") or parent.child_by_field_name("value")
            if value is None or text(value).strip() == "false":
                continue  # `done := false`, `var done bool`: its false start
            return False
        if parent.type != "assignment_statement" or text(parent).replace(" ", "") != f"{flag}=true":
            return False
        block = parent.parent.parent if parent.parent is not None and parent.parent.type == "statement_list" else None
        guard = block.parent if block is not None and block.type == "block" else None
        if guard is None or guard.type != "if_statement" or guard.child_by_field_name("consequence") != block \
                or not _emptiness(ctx, guard.child_by_field_name("condition"), names):
            return False
        settings += 1
    return settings > 0


_DELETES = '((call_expression function: (identifier) @fn) @call (#eq? @fn "delete"))'
# `pending[i] = struct{}{}`, a whole statement
_KEYED_STORE = re.compile(r"(?P<name>[A-Za-z_]\w*)\s*\[\s*(?P<key>[A-Za-z_]\w*)\s*\]\s*=(?!=)[^\n]*")


def _counters(condition: str, sliced: str) -> list[str]:
    """What `condition` compares with `len(sliced)` for equality or as reached (`len(got) ==
    len(S)`, `n >= len(S)`, `len(S) == n`): `len(got)` or `n`."""
    bound = f"len({sliced})"
    out = []
    for left, operator, right in _COMPARISON.findall(condition.strip()):
        if right == bound and operator in ("==", ">="):
            out.append(left)
        elif left == bound and operator in ("==", "<="):
            out.append(right)
    return [c for c in out if _PLAIN_NAME.fullmatch(c) or _LEN_OF.fullmatch(c)]


_BREAKS = "(break_statement) @break"
_BREAKABLE = ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement")
_PLAIN_NAME = LazyPattern(r"[A-Za-z_]\w*")
_LEN_OF = LazyPattern(r"len\([A-Za-z_]\w*\)")
_LEN_BOUND = LazyPattern(r"\s*[A-Za-z_]\w*\s*<\s*len\(([A-Za-z_]\w*)\)\s*")
_COMPARISON = LazyPattern(r"^(\S+?)\s*(==|>=|<=)\s*(\S+)$")


def _flag_guarded_receives(ctx: FileContext, channel: LocalChannel) -> list[Node]:
    """Conditions `!flag` of `if !flag { <-ch }` (no else) in the owner, where `flag` is a local that
    starts false and is set only to `true`, only in select cases that receive from ch. Control flow
    does not read conditions, so without this the path that skips the `if` looks like one that never
    received."""
    model = ctx.model
    found: list[Node] = []
    for receive in channel.receives:
        condition = _sole_guard(receive)
        operand = condition.child_by_field_name("operand") if condition is not None and condition.type == "unary_expression" else None
        if operand is None or operand.type != "identifier" or ctx.source.text(condition).replace(" ", "")[:1] != "!":
            continue
        binding = model.resolve(operand)
        if binding.kind != "local" or binding.decl is None or binding.function is not channel.owner:
            continue
        start = single_initialiser(binding.decl)
        if start is not None and ctx.source.text(start) != "false":
            continue
        writes = [ref for ref in model.references(binding.decl, within=channel.owner.node) if _assigned(ref)]
        if writes and all(_set_on_receive(ctx, ref, channel.name, "true") for ref in writes):
            found.append(condition)
    return found


def _in_flight_flag(ctx: FileContext, channel: LocalChannel, senders: list[Goroutine]) -> tuple[Node, Node] | None:
    """(condition, receive) of `if running { <-ch }` (no else) in the owner, where `running` says
    whether the one goroutine a loop starts is still to be received: a local that starts false, is
    set to true right before the only go statement, in its block, after an `if running { continue }`
    (or `return`) there that skips the start while one runs, and is set back to false only in select
    cases that receive from the channel. At most one value is ever outstanding, and that `if` takes it
    exactly when there is one."""
    if len(senders) != 1 or not _sends_once(senders[0]) or enclosing_loop(senders[0].start) is None:
        return None
    start = senders[0].start
    statements = start.parent
    if statements is None or statements.type != "statement_list":
        return None
    before = [statement for statement in statements.named_children if statement.end_byte <= start.start_byte]
    model, text = ctx.model, ctx.source.text
    for receive in channel.receives:
        condition = _sole_guard(receive)
        if condition is None or condition.type != "identifier":
            continue
        flag = text(condition)
        binding = model.resolve(condition)
        if binding.kind != "local" or binding.decl is None or binding.function is not channel.owner:
            continue
        first = single_initialiser(binding.decl)
        if first is not None and text(first) != "false":
            continue
        writes = [ref for ref in model.references(binding.decl, within=channel.owner.node) if _assigned(ref)]
        values = [text(ref.parent.parent.child_by_field_name("right")) for ref in writes]
        raised = [ref for ref, value in zip(writes, values) if value == "true"]
        if len(raised) != 1 or raised[0].parent.parent not in before or \
                not all(value == "true" or _set_on_receive(ctx, ref, channel.name, "false") for ref, value in zip(writes, values)):
            continue
        guard = next((statement for statement in before if statement.type == "if_statement"
                      and statement.start_byte < raised[0].start_byte
                      and text(statement.child_by_field_name("condition")) == flag
                      and statement.child_by_field_name("alternative") is None
                      and any(last.type in ("continue_statement", "return_statement")
                              for last in block_statements(statement.child_by_field_name("consequence"))[-1:])), None)
        if guard is not None:
            return condition, receive
    return None


def _sole_guard(receive: Node) -> Node | None:
    """The condition of the `if` (with no else) whose block holds the receive as a statement:
    `if flag { <-ch }`."""
    statement = receive.parent
    if receive.type != "unary_expression" or statement is None or statement.type != "expression_statement":
        return None
    block = statement.parent
    while block is not None and block.type == "statement_list":
        block = block.parent
    branch = block.parent if block is not None and block.type == "block" else None
    if branch is None or branch.type != "if_statement" or branch.child_by_field_name("alternative") is not None \
            or branch.child_by_field_name("consequence") != block:
        return None
    return branch.child_by_field_name("condition")


def _assigned(ref: Node) -> bool:
    names = ref.parent
    statement = names.parent if names is not None and names.type == "expression_list" else None
    return statement is not None and statement.type == "assignment_statement" and statement.child_by_field_name("left") == names


def _set_on_receive(ctx: FileContext, ref: Node, channel: str, value: str) -> bool:
    """`flag = value` as a statement of a select case `case v = <-ch:` / `case <-ch:`."""
    statement = ref.parent.parent
    right = statement.child_by_field_name("right")
    if right is None or ctx.source.text(right) != value or ref.parent.named_child_count != 1:
        return False
    case = statement.parent
    while case is not None and case.type == "statement_list":
        case = case.parent
    communication = case.child_by_field_name("communication") if case is not None and case.type == "communication_case" else None
    if communication is not None and communication.type == "receive_statement":
        communication = communication.child_by_field_name("right")
    if communication is None or communication.type != "unary_expression":
        return False
    operand = communication.child_by_field_name("operand")
    return operand is not None and operand.type == "identifier" and ctx.source.text(operand) == channel


def _serving_senders(ctx: FileContext, senders: list[Goroutine]) -> bool:
    """Every sending goroutine runs a server (`errc <- srv.ListenAndServe()`, `serve(l)` of a
    `serve := srv.Serve`) and sends after it: a send that waits for the server to stop, which
    happens once per start of the server, usually at shutdown."""
    for goroutine in senders:
        node = goroutine.literal.node
        first = min((call.start_byte for call, _server in _serve_calls(ctx, node)), default=None)
        if first is None and _served_through_variables(ctx, node):
            first = node.start_byte
        if first is None or any(send.end_byte <= first and not _listen_failed(ctx, send)
                                for send in _unguarded_sends(goroutine)):
            return False
    return True


_LISTENS = frozenset({"net.Listen", "net.ListenTCP", "net.ListenUnix", "crypto/tls.Listen"})


def _listen_failed(ctx: FileContext, send: Node) -> bool:
    """A send under `if err != nil` right after `l, err := net.Listen(…)` (or tls.Listen): the
    server's listener failed as it started, before it served; such a goroutine sends once per start
    of its server, as one that sends when serving fails does."""
    node = send.parent
    if node is not None and node.type == "statement_list":
        node = node.parent
    statement = node.parent if node is not None and node.type == "block" else None
    if statement is None or statement.type != "if_statement" or statement.child_by_field_name("consequence") != node \
            or not _NOT_NIL.match(ctx.source.text(statement.child_by_field_name("condition"))):
        return False
    previous = statement.prev_named_sibling
    while previous is not None and previous.type == "comment":
        previous = previous.prev_named_sibling
    if previous is None or previous.type not in ("short_var_declaration", "assignment_statement"):
        return False
    right = previous.child_by_field_name("right")
    value = right.named_children[0] if right is not None and right.named_child_count == 1 else None
    return value is not None and value.type == "call_expression" and ctx.model.qualified(value) in _LISTENS


def _server_stops(ctx: FileContext, channel: LocalChannel, senders: list[Goroutine]) -> list[Node]:
    """The owner's statements that stop the servers its sending goroutines run, when each of those
    goroutines sends only if serving failed (`if err := srv.Serve(l); err != http.ErrServerClosed
    { errc <- err }`): once the server is stopped, nothing more is sent, so such a statement
    settles every sender as a receive would. Empty unless every sender has that shape."""
    text = ctx.source.text
    stops: dict[str, frozenset[str]] = {}  # the server's text -> the methods that silence it
    for goroutine in senders:
        servers = {text(server) for _call, server in _serve_calls(ctx, goroutine.literal.node)}
        servers |= _served_through_variables(ctx, goroutine.literal.node)
        if not servers:
            return []
        methods: set[str] = set()
        for send in _unguarded_sends(goroutine):
            guard = _server_guard(ctx, send, goroutine.literal.node)
            if guard is None:
                return []
            methods |= guard
        for server in servers:
            stops[server] = stops.get(server, frozenset()) | frozenset(methods)
    owner = channel.owner
    literals = [g.literal.node for g in senders]
    elements = []
    for call, server in _method_calls(owner.body):
        if any(lit.start_byte <= call.start_byte < lit.end_byte for lit in literals):
            continue
        if text(_field(call)) in stops.get(text(server), ()):
            element = owner.cfg.element_of(call)
            if element is not None:
                elements.append(element)
    return elements


_VARIABLE_CALLS = "(call_expression function: (identifier) @callee)"


def _served_through_variables(ctx: FileContext, literal: Node) -> set[str]:
    """The servers a goroutine serves through a function variable: `serve := srv.Serve` (or a
    literal that calls `srv.ServeTLS(…)`) and `serve(l)` in the goroutine. Every value the
    variable is given must be such a method; otherwise the calls are not known to serve."""
    model = ctx.model
    servers: set[str] = set()
    for callee in query_captures(_VARIABLE_CALLS, literal).get("callee", []):
        binding = model.resolve(callee)
        if binding.kind != "local" or binding.decl is None or binding.function is None:
            continue
        values = []
        for ref in [binding.decl, *model.references(binding.decl, within=binding.function.node)]:
            names = ref.parent
            statement = names.parent if names is not None and names.type == "expression_list" else None
            if statement is None or statement.type not in ("short_var_declaration", "assignment_statement") \
                    or statement.child_by_field_name("left") != names:
                continue
            right = statement.child_by_field_name("right")
            index = next(i for i, c in enumerate(names.named_children) if c == ref)
            values.append(right.named_children[index] if right is not None and index < right.named_child_count else None)
        served: set[str] = set()
        for value in values:
            if value is not None and value.type == "selector_expression" and ctx.source.text(value.child_by_field_name("field")) in _SERVE:
                served.add(ctx.source.text(value.child_by_field_name("operand")))
            elif value is not None and value.type == "func_literal":
                inner = {ctx.source.text(server) for call, server in _method_calls(value) if ctx.source.text(_field(call)) in _SERVE}
                if not inner:
                    break
                served |= inner
            else:
                break
        else:
            servers |= served
    return servers


def _serve_calls(ctx: FileContext, node: Node) -> list[tuple[Node, Node]]:
    """(call, server) of the `srv.Serve(l)`-like calls in `node`."""
    return [(call, server) for call, server in _method_calls(node) if ctx.source.text(_field(call)) in _SERVE]


def _method_calls(node: Node) -> list[tuple[Node, Node]]:
    captures = query_captures(_RECEIVER_CALLS, node)
    servers = {s.parent.id: s for s in captures.get("server", [])}
    return [(call, servers[f.id]) for call in captures.get("call", [])
            if (f := call.child_by_field_name("function")) is not None and f.id in servers]


def _field(call: Node) -> Node:
    return call.child_by_field_name("function").child_by_field_name("field")


def _server_guard(ctx: FileContext, send: Node, literal: Node) -> frozenset[str] | None:
    """The stop methods after which `send` does not run, judged from the `if` that guards it:
    `if err != http.ErrServerClosed { send }` or `if errors.Is(err, http.ErrServerClosed) { return }`
    before it (net/http), `if err != nil { send }` (gRPC). None when no such guard is found."""
    text = ctx.source.text
    node = send
    while node is not None and node.id != literal.id:
        parent = node.parent
        if parent is None:
            return None
        if parent.type == "if_statement" and parent.child_by_field_name("consequence") == node:
            condition = parent.child_by_field_name("condition")
            words = text(condition) if condition is not None else ""
            if _NOT_CLOSED.search(words):
                return _HTTP_STOPS
            if _NOT_NIL.match(words):
                return _GRPC_STOPS
        if parent.type == "if_statement" and parent.child_by_field_name("alternative") == node:
            # `if errors.Is(err, http.ErrServerClosed) { … } else { send }`: the else runs only
            # for other errors, unless an `&&` lets the closed error through to it.
            condition = parent.child_by_field_name("condition")
            words = text(condition) if condition is not None else ""
            if _IS_CLOSED.search(words) and not _NOT_CLOSED.search(words) and "&&" not in words:
                return _HTTP_STOPS
        if parent.type == "statement_list":
            sibling = node.prev_named_sibling
            while sibling is not None:
                if sibling.type == "if_statement" and sibling.child_by_field_name("alternative") is None:
                    condition = sibling.child_by_field_name("condition")
                    body = sibling.child_by_field_name("consequence")
                    if condition is not None and body is not None and _IS_CLOSED.search(text(condition)) \
                            and _ends_in_return(body):
                        return _HTTP_STOPS
                sibling = sibling.prev_named_sibling
        node = parent
    return None


def _ends_in_return(block: Node) -> bool:
    statements = [c for c in block.named_children if c.type == "statement_list"]
    if not statements or not statements[0].named_children:
        return False
    last = [c for c in statements[0].named_children if c.type != "comment"]
    return bool(last) and last[-1].type == "return_statement"
