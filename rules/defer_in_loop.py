"""GL404 defer-in-loop."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint.callgraph import in_unbounded_loop
from goleaklint.goroutines import within
from goleaklint.cfg import BENCHMARK_LOOP, BREAK_TARGETS, FOREVER, RANGE, loop_header
from goleaklint.constants import int_constant
from goleaklint.context import FileContext
from goleaklint.model import FileModel, Function, block_statements, enclosing_loop, guarding_ifs, is_channel_type, single_initialiser
from goleaklint.patterns import LazyPattern
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures

RULE = Rule(
    id="GL404",
    slug="defer-in-loop",
    title="defer inside a loop holds every iteration's resource until the function returns",
    severity=Severity.WARNING,
    tags=("resource-leak",),
    precision="low",  # measured on held-out codebases (docs/ecosystem.md)
    docs=Docs(
        what="Finds a `defer` statement inside a loop body whose nearest enclosing function is the "
        "function that runs the loop. Reported as a note when holding it is cheap or the loop is "
        "small: `defer cancel()` of a context made in the iteration (also into a cancel declared without a value, "
        "`var cancel context.CancelFunc`, then `ctx, cancel = context.WithDeadline(…)`) or `defer t.Stop()` of a "
        "`time.AfterFunc` timer, in a loop that ends (one that never does, a connection's message loop, keeps one "
        "context or timer per message: a warning, unless the defer is in a select case, a fallback timer's in a "
        "dialer's race, made when that case fires), from Go 1.23 `defer t.Stop()` of `time.NewTimer`/`NewTicker`, a range over a "
        "composite literal of at most 16 elements (written in the header or assigned to the variable "
        "ranged over), outside a loop that never ends `defer os.Remove(path)` or `os.RemoveAll` (no open "
        "file, only disk space) and `defer pool.Put(buf)` of a pool of buffers (by its name, `bufPool`, "
        "`readerPool`, or a `sync.Pool` the file declares; not a pool of connections), `defer ctrl.Finish()` of a "
        "gomock controller (it only checks expectations), and any loop in a `_test.go` file except one over `b.N`, `b.Loop()` or an "
        "endless `for {}`.",
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
        limits="A deferred `Close` of a part a multipart reader's `NextPart` or `NextRawPart` returned is not reported: a part holds no descriptor, and the next `NextPart` closes it (a file the iteration makes from the part, `os.Create`, still counts). A deferred `Close` of a file of a parsed multipart form (`h.Open()` of a `*multipart.FileHeader`, ranged from `form.File[…]` or a slice declared of them, or read from such a slice by index; `r.FormFile(name)`) is a note: the request's size bounds how many, and the form keeps small files in memory; a warning still where the function parses the form keeping less than 1 MiB in memory (`ParseMultipartForm(64 << 10)`), which puts every larger file on disk. A defer in a branch that sets what it tests (`if t == nil { t = ...; defer t.Stop() }`, with `t` declared outside the loop; the test may be one conjunct of an `&&`; the setting may be done by a local closure the branch calls, `sub := subscribe()` where `subscribe := func() … { notify = …; … }`) runs once and is not reported. "
        "Nor is a defer reached only while a flag declared outside the loop is false (inside `if !tried { … }`, or after "
        "`if tried { return … }`, also through a local such as `retry := isTimeout(err) && !tried`) when every way "
        "round sets the flag to `true` after it and the loop never sets it otherwise: a retry that falls back once. "
        "A defer that releases nothing the loop made (a value from before it), or a lock or WaitGroup (`Unlock`, `RUnlock`, `Done`), is a note: it holds no file, connection or memory per iteration, though holding a lock to the end may be a mistake of its own. "
        "A defer in a loop that ends is a warning where the function runs per request (the count can be anything a client sends) and a note elsewhere (a bounded set: mounts, configured servers, the pages of one listing, retries); a loop with no count (`for {}`, `for cond {}`, a range over a channel, a benchmark's loop) stays a warning wherever it runs. On codebases nobody had tuned on, reviewers judged 1 of 22 warnings worth a change before this; most were loops over a few configured things outside requests. "
        "A deferred `resp.Body.Close()` (or the close of a local holding a response body, `data := resp.RawBody()`) whose body the iteration reads to the end (`io.ReadAll`, `io.Copy(io.Discard, ...)`, or `io.Copy` into any writer: `io.Copy(&buf, resp.Body)`) is a note: the connection is back in the pool. So is a deferred `rows.Close()` of a result set the iteration runs to its end with `for rows.Next()`, which closes it. A defer followed in its block, or after the `if` or `switch` that holds it, by a `return` or a `break` out of the loop (before any `continue`) runs at most once and is not reported; so is one in a range loop whose body first leaves once the index passes 0 (`if i > 0 { break }`), and one whose loop leaves so at a constant up to 16 (`if i >= 3 { return }`) is a note. "
        "Nor is one whose iteration makes the same call itself on every way round to the next iteration (`defer f.Close()`, then `f.Close()`, `_ = f.Close()` or `if err := f.Close(); err != nil` once the file is written; an idempotent `release()` closure called before each `continue` and at the end; a deferred closure's own release, `defer func(s *sql.Stmt) { … s.Close() … }(stmt)` then `stmt.Close()`; `defer tx.Rollback()`, then `tx.Commit()` with the same arguments, which ends the transaction as the rollback would; in a file that imports a package of the MongoDB driver (`mongo`, or only `bson` and `mongo/options` around the program's own wrapper), `defer cur.Close(ctx)`, then `cur.All(ctx, &page)`, which decodes every document and closes the cursor), read from the function's control-flow graph: each iteration releases its resource, and the defer only repeats the release at the end. A release on one branch only, one a `continue` skips, or one in a function literal does not count. "
        "Nor is one in a loop over a collection (not a channel) that the function's block follows with a wait for the end of its work: a bare receive (`<-ctx.Done()`), a `Wait()`, or a select of receives only (`for _, t := range topics { hub.Add(t, c); defer hub.Remove(t, c) }; <-ctx.Done()`): what each iteration set up is meant to be live through the wait. "
        "Not reported: a defer inside a function literal (it runs when the literal returns, "
        "which is the fix); a defer followed by a `return` in the same block, since that iteration is "
        "the last one; a resource the function keeps past its iteration on purpose (the value itself "
        "appended or stored into a slice, map or array declared outside the loop, or into a field of one of its "
        "elements (`jobs[i].env = f`; a plain field of an outer value, `c.cur = f`, keeps only the last), a deferred method of "
        "an element of such a collection (`defer readers[i].Close()`) or a function given one (`defer syscall.Close(fds[i])`), a loop that does nothing but "
        "defer the release of each element of a collection made before it (`for _, c := range closers "
        "{ defer c.Close() }`: nothing is acquired in it), or used by a "
        "goroutine started in the loop, or wrapped by constructors, calls named `New…` given it as an "
        "argument or a receiver (`pool := redis.NewPool(client)`, then `m := rs.NewMutex(name)`), into a "
        "value kept so: passing it to an ordinary call does not count, nor keeping what such a call "
        "returns, `sizes = append(sizes, f.Size())`, unless it is a view of the value's memory, a `…Bytes()` method "
        "of it stored whole into a variable or a field declared outside the loop: `req.Path = entry.ValueBytes()`, "
        "which the release would pull from under the function); a deferred "
        "closure that reads a named result of the function (`retErr`) or uses nothing the loop makes, "
        "which is about the function's exit. Loop bounds are not evaluated: a loop over a parameter "
        "that holds two items is a warning, a literal table of 16 items a note; suppress with "
        "`//goleaklint:ignore GL404 reason`. Values kept through a channel send or a struct field "
        "set by a helper are not seen, and a deferred closure that both reads a named result and "
        "releases the iteration's resource is taken as the former.",
        references=("https://go.dev/ref/spec#Defer_statements",),
    ),
)

QUERY = "(defer_statement) @defer"

_IDENTIFIERS = "(identifier) @id"
# A handful of literal cases (`for _, tc := range []struct{…}{…}`): a small, bounded loop.
_SMALL_TABLE = 16
# gomock's controller (both homes): `defer ctrl.Finish()` holds no resource (_note_reason).
_MOCK_CONTROLLERS = frozenset({"github.com/golang/mock/gomock.NewController", "go.uber.org/mock/gomock.NewController"})
_CHEAP_SOURCES = {
    "context.WithCancel": "a context's cancel", "context.WithTimeout": "a context's cancel",
    "context.WithDeadline": "a context's cancel", "context.WithCancelCause": "a context's cancel",
    "context.WithTimeoutCause": "a context's cancel", "context.WithDeadlineCause": "a context's cancel",
    "time.AfterFunc": "a stopped AfterFunc timer",
}
_TIMERS = frozenset({"time.NewTimer", "time.NewTicker"})
_STORED_AS = frozenset({"call_expression", "argument_list", "composite_literal", "literal_value", "keyed_element",
                        "literal_element", "unary_expression", "parenthesized_expression"})


def _returns_after(defer: Node, loop: Node) -> bool:
    """A `return`, or a `break` out of the loop, later in the defer's own block or, once that block
    ends, in the blocks around it up to the loop's body (`if !stream { defer body.Close() }` and a
    `break` at the end of the iteration): the defer runs at most once, then the loop or the function
    ends, and what it releases must live until then. A `continue` met first goes round again."""
    body = loop.child_by_field_name("body")
    node = defer
    while node is not None and body is not None and node.id != body.id:
        sibling = node.next_named_sibling
        while sibling is not None:
            if sibling.type == "return_statement":
                return True
            if sibling.type == "break_statement" and _breaks_out_of(sibling, loop):
                return True
            if sibling.type in ("continue_statement", "goto_statement", "break_statement"):
                return False
            sibling = sibling.next_named_sibling
        # the block ends: control goes on after the statement that holds it
        holder = node.parent
        while holder is not None and holder.id != body.id and holder.type in ("block", "statement_list"):
            holder = holder.parent
        if holder is None or holder.id == body.id:
            return False
        if holder.type not in ("if_statement", "expression_switch_statement", "type_switch_statement",
                               "expression_case", "default_case", "type_case", "labeled_statement"):
            return False  # a nested loop, a select, a literal: not followed
        if holder.type in ("expression_case", "default_case", "type_case"):
            holder = holder.parent  # the switch the case belongs to
        node = holder
        # an if's block ends after an `else if` chain too: climb through nested ifs of an else
        while node.parent is not None and node.parent.type == "if_statement":
            node = node.parent
    return False


def _lazy_once(model: FileModel, defer: Node, loop: Node) -> bool:
    """`if t == nil { t = time.NewTimer(d); defer t.Stop() }` in a loop, `t` declared outside it
    (the test may be one conjunct of an `&&`): the branch sets what it tests, so it runs once, and
    the defer with it."""
    block = defer.parent
    if block is not None and block.type == "statement_list":
        block = block.parent
    branch = block.parent if block is not None else None
    if branch is None or branch.type != "if_statement" or branch.child_by_field_name("consequence") != block:
        return False
    statements = block.named_children[0].named_children if block.named_child_count and \
        block.named_children[0].type == "statement_list" else block.named_children
    # `if t == nil`, also one conjunct of several (`if session == nil && job.session == nil`): the
    # branch runs only while t is nil.
    conjuncts, stack = [], [branch.child_by_field_name("condition")]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if node.type == "parenthesized_expression" and node.named_child_count == 1:
            stack.append(node.named_children[0])
        elif node.type == "binary_expression" and model.source.text(node.child_by_field_name("operator")) == "&&":
            stack.extend((node.child_by_field_name("left"), node.child_by_field_name("right")))
        else:
            conjuncts.append(node)
    for condition in conjuncts:
        if condition.type != "binary_expression":
            continue
        left, right = condition.child_by_field_name("left"), condition.child_by_field_name("right")
        if left is None or right is None or right.type != "nil" or left.type != "identifier" or \
                model.source.text(condition.child_by_field_name("operator")) != "==":
            continue
        binding = model.resolve(left)
        if binding.decl is None or _within(binding.decl, loop):
            continue  # made in the loop: nil again every iteration
        name = model.source.text(left)
        for statement in statements:
            if statement.type == "assignment_statement":
                targets = statement.child_by_field_name("left")
                if targets is not None and any(t.type == "identifier" and model.source.text(t) == name
                                               for t in targets.named_children):
                    return True
            if _sets_through_closure(model, statement, binding.decl):
                return True
    return False


def _flag_once(model: FileModel, defer: Node, loop: Node) -> bool:
    """A boolean declared outside the loop that the iteration sets to `true` after the defer, on
    its way round, and that the loop never sets to anything else, while the defer is reached only
    with it `false`: inside `if !tried { … }`, or after `if tried { return … }` (also through a
    local of the iteration, `retry := errors.Is(err, ErrTimeout) && !tried; if !retry { return
    err }`). The branch runs once per call, the defer with it: a retry that falls back once."""
    body = loop.child_by_field_name("body")
    if body is None:
        return False
    assigned = _assigned_in(model, body)
    flags, others = assigned
    flags = {decl for decl, statements in flags.items() if decl not in others and
             not _within(statements[0], loop) and any(
        statement.start_byte > defer.end_byte and _on_every_way_round(statement, defer, loop) for statement in statements[1:])}
    for statement, holds in guarding_ifs(defer, body):
        condition = statement.child_by_field_name("condition")
        if not holds and not _leaves(statement.child_by_field_name("consequence"), loop):
            continue
        # reached only with the flag false: a block entered only when the condition fails, or
        # after an early way out taken when it holds
        if any(_truth(model, condition, decl, loop, assigned) is (not holds) for decl in flags):
            return True
    return False


def _assigned_in(model: FileModel, body: Node) -> tuple[dict[int, list[Node]], set[int]]:
    """The variables the loop's body assigns, by declaration: those set to `true` alone (`done =
    true`), with the declaring identifier then the statements, and those set any other way (several
    at once, another value, `op=`)."""
    trues: dict[int, list[Node]] = {}
    others: set[int] = set()
    for statement in query_captures("(assignment_statement) @set", body).get("set", []):
        left, right = statement.child_by_field_name("left"), statement.child_by_field_name("right")
        targets = left.named_children if left is not None else []
        single = len(targets) == 1 and right is not None and right.named_child_count == 1 and \
            model.source.text(statement.child_by_field_name("operator")) == "="
        for target in targets:
            decl = model.resolve(target).decl if target.type == "identifier" else None
            if decl is None:
                continue
            if single and model.source.text(right.named_children[0]) == "true":
                trues.setdefault(decl.id, [decl]).append(statement)
            else:
                others.add(decl.id)
    return trues, others


def _on_every_way_round(statement: Node, defer: Node, loop: Node) -> bool:
    """`statement` is a statement of the loop's own body (not inside a branch), after the one that
    holds the defer, with no `continue` of the loop between them."""
    body = loop.child_by_field_name("body")
    holder = statement.parent
    if holder is None or holder.type != "statement_list" or holder.parent is None or holder.parent.id != body.id:
        return False
    for sibling in holder.named_children:
        if sibling.start_byte >= statement.start_byte:
            break
        if sibling.end_byte > defer.end_byte and sibling.start_byte > defer.start_byte and \
                query_captures("(continue_statement) @c", sibling).get("c"):
            return False
    return True


def _leaves(block: Node | None, loop: Node) -> bool:
    """The block ends with a `return`, or a `break` out of the loop."""
    statements = [s for s in block_statements(block) if s.type != "comment"] if block is not None else []
    if not statements:
        return False
    last = statements[-1]
    return last.type == "return_statement" or last.type == "break_statement" and _breaks_out_of(last, loop)


def _truth(model: FileModel, condition: Node | None, flag: int, loop: Node,
           assigned: tuple[dict[int, list[Node]], set[int]], depth: int = 0) -> bool | None:
    """The value of a boolean condition when the flag declared at `flag` is true: True, False, or
    None when it depends on more. Reads `!`, `&&`, `||`, parentheses, and a local of the iteration
    set once from such a condition (`assigned`: what the loop's body assigns, _assigned_in)."""
    if condition is None or depth > 4:
        return None
    if condition.type == "parenthesized_expression" and condition.named_child_count == 1:
        return _truth(model, condition.named_children[0], flag, loop, assigned, depth)
    if condition.type == "unary_expression" and model.source.text(condition).startswith("!"):
        inner = _truth(model, condition.named_children[0] if condition.named_child_count else None, flag, loop, assigned, depth)
        return None if inner is None else not inner
    if condition.type == "binary_expression":
        operator = model.source.text(condition.child_by_field_name("operator"))
        left = _truth(model, condition.child_by_field_name("left"), flag, loop, assigned, depth)
        right = _truth(model, condition.child_by_field_name("right"), flag, loop, assigned, depth)
        if operator == "&&":
            return False if left is False or right is False else True if left and right else None
        if operator == "||":
            return True if left or right else False if left is False and right is False else None
        return None
    if condition.type == "identifier":
        binding = model.resolve(condition)
        if binding.decl is None:
            return None
        if binding.decl.id == flag:
            return True
        if binding.kind == "local" and _within(binding.decl, loop) and \
                binding.decl.id not in assigned[0] and binding.decl.id not in assigned[1]:
            value = single_initialiser(binding.decl)
            return _truth(model, value, flag, loop, assigned, depth + 1) if value is not None else None
    return None


_CLOSURE_CALLS = "(call_expression function: (identifier) @callee)"
_ASSIGNMENTS = "(assignment_statement left: (expression_list (identifier) @target))"


def _sets_through_closure(model: FileModel, statement: Node, decl: Node) -> bool:
    """The statement calls a local closure that assigns the variable declared at `decl` (`sub :=
    initsub()` where `initsub := func() event.Subscription { notify = make(…); … }`): the branch
    sets what it tests through it."""
    for callee in query_captures(_CLOSURE_CALLS, statement).get("callee", []):
        binding = model.resolve(callee)
        literal = single_initialiser(binding.decl) if binding.kind == "local" and binding.decl is not None else None
        if literal is None or literal.type != "func_literal":
            continue
        for target in query_captures(_ASSIGNMENTS, literal).get("target", []):
            found = model.resolve(target).decl
            if found is not None and found.id == decl.id:
                return True
    return False


def _breaks_out_of(statement: Node, loop: Node) -> bool:
    label = next((c for c in statement.named_children if c.type == "label_name"), None)
    if label is not None:  # leaves the loop when it names it or a loop around it
        holder = loop.parent
        while holder is not None and holder.type not in ("function_declaration", "method_declaration", "func_literal"):
            if holder.type == "labeled_statement" and any(
                    c.type == "label_name" and c.text == label.text for c in holder.named_children):
                return True
            holder = holder.parent
        return False
    node = statement.parent
    while node is not None and node.id != loop.id:
        if node.type in BREAK_TARGETS:
            return False  # an unlabelled break leaves the innermost switch, select or loop
        node = node.parent
    return node is not None


def check(ctx: FileContext, captures: dict[str, list[Node]]) -> Iterable[Finding]:
    model = ctx.model
    for defer in captures["defer"]:
        loop = enclosing_loop(defer)
        if loop is None or _returns_after(defer, loop) or _lazy_once(ctx.model, defer, loop) or \
                _flag_once(ctx.model, defer, loop) or (_capped(ctx.model, defer, loop) or (0,))[0] == 1:
            continue
        call = defer.named_children[0] if defer.named_children else None
        function = model.enclosing_function(defer)
        if call is None or function is None or function.body is None:
            continue
        outermost = loop
        while (outer := enclosing_loop(outermost)) is not None:
            outermost = outer
        made = _made_in_iteration(model, call, outermost)
        callee = call.child_by_field_name("function") if call.type == "call_expression" else None
        if callee is not None and callee.type == "func_literal" and (not made or _reads_result(model, callee, function)):
            continue  # a closure about the function's exit: it runs then on purpose
        if any(_kept_past_iteration(model, decl, loop, function) for decl in made):
            continue  # the function keeps each resource past its iteration: releasing at exit is the design
        if _held_by_outer_collection(model, call, callee, loop):
            continue  # `defer iters[i].Close()`, `defer unix.Close(fds[i])`: each resource sits in a collection used after the loop
        if _only_schedules(model, defer, loop):
            continue  # `for _, t := range targets { defer t.Close() }`: releases what exists before the loop
        if _released_again(ctx, defer, call, loop):
            continue  # `defer f.Close()` and `f.Close()` on every way round: released every iteration
        if _waits_after(model, outermost):
            continue  # `for _, t := range topics { hub.Add(t, c); defer hub.Remove(t, c) }; <-ctx.Done()`: held through the wait by design
        if _multipart_part(model, callee):
            continue  # `part, _ := mr.NextPart(); defer part.Close()`: the next NextPart closes it
        what = " ".join(ctx.source.text(call).split())
        if len(what) > 60:
            what = what[:57] + "..."
        owner = f"{function.name}" if function.kind != "literal" else "the enclosing function"
        reason = _note_reason(ctx, call, loop) or _holds_nothing_new(ctx, callee, made)
        repeats = in_unbounded_loop(ctx.model, defer)
        message = f"`defer {what}` in a loop runs only when {owner} returns: each iteration's resource is held until then"
        yield ctx.finding(
            RULE,
            defer,
            message + (f" ({reason})" if reason else ""),
            repeats=repeats,
            # Outside a request, a loop that ends holds a bounded number of resources until the
            # function returns (configured servers, pages, archive entries): a note. Per request
            # the count is the client's to choose; in a loop that never ends it has no bound.
            bounded=not repeats,
            fix="move the loop body into a function (or a func literal called each iteration) so the "
            "defer runs per iteration, or release the resource explicitly at the end of the iteration",
            severity=Severity.NOTE if reason else None,
        )


_LOCK_RELEASES = frozenset({"Unlock", "RUnlock", "Done"})
# Statements that hold the released call as a whole: `f.Close()`, `_ = f.Close()`, `err = f.Close()`,
# `err := f.Close()`, and an if's initialiser (`if err := f.Close(); err != nil`).
_RELEASE_HOLDERS = frozenset({"expression_statement", "assignment_statement", "short_var_declaration"})


def _released_again(ctx: FileContext, defer: Node, call: Node, loop: Node) -> bool:
    """The iteration makes the deferred call itself on every way round (`defer f.Close()`, then
    `f.Close()` once the file is written; `defer tx.Rollback()`, then `tx.Commit()`; or an
    idempotent `release()` closure called before each `continue`): every iteration that goes round has released the resource, and the pending defer
    only repeats the release at the function's end. A way out of the loop or the function holds at
    most the last iteration's resource. Read from the function's control-flow graph."""
    if call.type != "call_expression" or (callee := call.child_by_field_name("function")) is None:
        return False
    if callee.type == "func_literal":
        wanted = _literal_releases(ctx, call, callee)
    elif callee.type in ("selector_expression", "identifier"):
        wanted = {"".join(ctx.source.text(call).split())}
        arguments = call.child_by_field_name("arguments")
        if callee.type == "selector_expression" and ctx.source.text(callee.child_by_field_name("field")) == "Rollback" \
                and arguments is not None and arguments.named_child_count <= 1:
            # `defer tx.Rollback()`, then `tx.Commit()`: a commit ends the transaction as a rollback would
            # (pgx's `tx.Rollback(ctx)` with `tx.Commit(ctx)`)
            wanted.add("".join((ctx.source.text(callee.child_by_field_name("operand")) + ".Commit"
                                + ctx.source.text(arguments)).split()))
    else:
        return False
    drained = _drained_cursors(ctx, call, callee)
    body = loop.child_by_field_name("body")
    if body is None or not (wanted or drained):
        return False
    releases = []
    for found in query_captures("(call_expression) @call", body).get("call", []):
        text = "".join(ctx.source.text(found).split())
        if found.id == call.id or (text not in wanted and not text.startswith(drained)) or \
                within(found, body, ("func_literal",)):
            continue  # another call, or one a function literal makes when it is called
        statement = found.parent.parent if found.parent.type == "expression_list" else found.parent
        if statement is not None and statement.type in _RELEASE_HOLDERS:
            releases.append(statement)  # `f.Close()`, `_ = f.Close()`, `err := f.Close()` (also an if's initialiser)
    function = ctx.model.enclosing_function(defer)
    if not releases or function is None:
        return False
    cfg = function.cfg
    held = {element.id for element in map(cfg.element_of, releases) if element is not None}
    return bool(held) and not cfg.goes_round(defer, loop, lambda element: element.id in held)


# The MongoDB driver's module (v1 and v2): a file that imports any of its packages (`mongo`, or
# only `bson` and `mongo/options` with the cursor from the program's own wrapper) uses its cursors.
_MONGO_DRIVER = LazyPattern(r"go\.mongodb\.org/mongo-driver(?:/v2)?/")


def _drained_cursors(ctx: FileContext, call: Node, callee: Node) -> tuple[str, ...]:
    """In a file that uses the MongoDB driver, `v.All(` for each variable whose `Close` the deferred
    call makes (`defer cur.Close(ctx)`, or a closure's `cur.Close(context.Background())`): a
    cursor's `All` decodes every document and closes the cursor, so an iteration that calls it has
    released what it opened."""
    if not any(_MONGO_DRIVER.match(path) for path in ctx.model.imported_paths):
        return ()
    if callee.type == "func_literal":
        body = callee.child_by_field_name("body")
        calls = query_captures("(call_expression) @call", body).get("call", []) if body is not None else []
    else:
        calls = [call]
    names = set()
    for inner in calls:
        function = inner.child_by_field_name("function")
        if function is not None and function.type == "selector_expression" and \
                ctx.source.text(function.child_by_field_name("field")) == "Close":
            operand = function.child_by_field_name("operand")
            if operand is not None and operand.type == "identifier" and ctx.source.text(operand) not in ctx.model.imports:
                names.add(ctx.source.text(operand))
    return tuple(sorted(f"{name}.All(" for name in names))


def _literal_releases(ctx: FileContext, call: Node, literal: Node) -> set[str]:
    """The releases a deferred closure makes, as the loop would spell them: `v.Close()` for
    `defer func(s *sql.Stmt) { err := s.Close(); … }(v)` (a parameter's method called with no
    arguments, the parameter named by its argument) or `defer func() { v.Close() }()`."""
    params = literal.child_by_field_name("parameters")
    names = [ctx.source.text(n) for decl in (params.named_children if params is not None else [])
             if decl.type == "parameter_declaration" for n in decl.children_by_field_name("name")]
    args = call.child_by_field_name("arguments")
    given = [ctx.source.text(a) for a in (args.named_children if args is not None else [])]
    bound = dict(zip(names, given)) if len(names) == len(given) else {}
    found = set()
    body = literal.child_by_field_name("body")
    for inner in query_captures("(call_expression) @call", body).get("call", []) if body is not None else []:
        function = inner.child_by_field_name("function")
        arguments = inner.child_by_field_name("arguments")
        if function is None or function.type != "selector_expression" or arguments is None or arguments.named_child_count:
            continue
        operand = function.child_by_field_name("operand")
        if operand is None or operand.type != "identifier":
            continue
        name = ctx.source.text(operand)
        if name not in names and name in ctx.model.imports:
            continue  # `log.Println()`: a package's function, not a release
        if name in names and not re.fullmatch(r"[A-Za-z_]\w*", bound.get(name, "")):
            continue  # a parameter given something other than a variable
        method = ctx.source.text(function.child_by_field_name("field"))
        found.add(f"{bound.get(name, name)}.{method}()")
    return found


def _holds_nothing_new(ctx: FileContext, callee: Node | None, made: list[Node]) -> str | None:
    """What the defer releases is not a resource the iteration acquired: nothing the loop made
    (`defer bar.Finish()` of a value from before the loop), or a lock or WaitGroup
    (`defer mu.Unlock()`), whose release at the function's end holds no file, connection or memory
    per iteration. Such a defer may be a mistake, but it is not a pile-up."""
    if callee is not None and callee.type == "selector_expression" and \
            ctx.source.text(callee.child_by_field_name("field")) in _LOCK_RELEASES:
        return "releasing a lock or a WaitGroup at the function's end holds no resource per iteration"
    if not made:
        return "it releases nothing the iteration made"
    return None


def _waits_after(model: FileModel, loop: Node) -> bool:
    """A loop over a collection (not a channel) that the function's own block follows, right after
    or later, with a wait for the end of its work: a bare receive (`<-ctx.Done()`), a `Wait()`, or
    a select of receives only. What each iteration set up is meant to be live through that wait,
    so releasing it at the function's exit is the design; the number held is the collection's."""
    kind, clause = loop_header(loop)
    if kind != RANGE or clause is None:
        return False
    ranged = clause.child_by_field_name("right")
    if ranged is not None and ranged.type == "identifier":
        binding = model.resolve(ranged)
        if is_channel_type(model.declared_type(binding) or ""):
            return False
    parent = loop.parent
    if parent is None or parent.type != "statement_list":
        return False
    text = model.source.text
    for statement in parent.named_children:
        if statement.start_byte <= loop.start_byte:
            continue
        if statement.type == "expression_statement" and statement.named_child_count == 1:
            expr = statement.named_children[0]
            if expr.type == "unary_expression" and text(expr).lstrip().startswith("<-"):
                return True
            callee = expr.child_by_field_name("function") if expr.type == "call_expression" else None
            if callee is not None and callee.type == "selector_expression" and \
                    text(callee.child_by_field_name("field")) == "Wait":
                return True
        if statement.type == "select_statement":
            cases = [c for c in statement.named_children if c.type in ("communication_case", "default_case")]
            if all(c.type == "communication_case" and (communication := c.child_by_field_name("communication"))
                   is not None and communication.type == "receive_statement" for c in cases):
                return True
    return False


def _only_schedules(model: FileModel, defer: Node, loop: Node) -> bool:
    """The loop does nothing but defer the release of each element of a collection made before it
    (`for _, c := range closers { defer c.Close() }`): it acquires nothing, so nothing piles up;
    everything is released when the function returns, which is the point."""
    kind, clause = loop_header(loop)
    body = loop.child_by_field_name("body")
    if kind != RANGE or clause is None or body is None:
        return False
    statements = [c for c in body.named_children if c.type != "comment"]
    if len(statements) == 1 and statements[0].type == "statement_list":
        statements = [c for c in statements[0].named_children if c.type != "comment"]
    if len(statements) != 1 or statements[0].id != defer.id:
        return False
    ranged = clause.child_by_field_name("right")
    if ranged is None or ranged.type != "identifier":
        return False
    binding = model.resolve(ranged)
    if binding.decl is None or _within(binding.decl, loop) or \
            is_channel_type(model.declared_type(binding) or ""):
        return False
    left = clause.child_by_field_name("left")
    value = left.named_children[-1] if left is not None and left.named_child_count else None
    call = defer.named_children[0] if defer.named_children else None
    callee = call.child_by_field_name("function") if call is not None and call.type == "call_expression" else None
    operand = callee.child_by_field_name("operand") if callee is not None and callee.type == "selector_expression" else None
    return value is not None and operand is not None and operand.type == "identifier" and \
        model.source.text(operand) == model.source.text(value)


def _held_by_outer_collection(model: FileModel, call: Node, callee: Node | None, loop: Node) -> bool:
    """The deferred method's receiver, or the deferred function's first argument, is an element of
    a slice, map or array declared outside the loop (`defer readers[i].Close()`, `defer
    windows.CloseHandle(fds[i])`): the loop fills a collection of resources meant to be used
    together after it."""
    if callee is None:
        return False
    element = None
    if callee.type == "selector_expression" and not _package_function(model, callee):
        element = callee.child_by_field_name("operand")
        while element is not None and element.type in ("selector_expression", "parenthesized_expression"):
            element = element.child_by_field_name("operand") if element.type == "selector_expression" else element.named_children[0]
    elif callee.type in ("identifier", "selector_expression"):
        arguments = call.child_by_field_name("arguments")
        element = arguments.named_children[0] if arguments is not None and arguments.named_children else None
    if element is None or element.type != "index_expression":
        return False
    root = element.child_by_field_name("operand")
    if root is None or root.type != "identifier":
        return False
    binding = model.resolve(root)
    return binding.kind in ("param", "receiver", "result", "package") or (
        binding.kind == "local" and binding.decl is not None and not _within(binding.decl, loop))


def _package_function(model: FileModel, callee: Node) -> bool:
    """`pkg.F`: a function of an imported package, not a method."""
    operand = callee.child_by_field_name("operand")
    return operand is not None and operand.type == "identifier" and model.resolve(operand).kind == "import"


def _within(node: Node, outer: Node) -> bool:
    return outer.start_byte <= node.start_byte and node.end_byte <= outer.end_byte


def _made_in_iteration(model: FileModel, call: Node, loop: Node) -> list[Node]:
    """The declarations of the locals the deferred call uses that the loop makes (its range
    variables and the locals of its body), not counting a deferred literal's own."""
    found: dict[int, Node] = {}
    for ident in query_captures(_IDENTIFIERS, call).get("id", []):
        binding = model.resolve(ident)
        decl = binding.decl
        if binding.kind == "local" and decl is not None and _within(decl, loop) and not _within(decl, call):
            found.setdefault(decl.id, decl)
    return list(found.values())


def _reads_result(model: FileModel, literal: Node, function: Function) -> bool:
    """The deferred literal uses a named result of the function (`retErr`): it adjusts what the
    function returns, so it must run at the function's exit."""
    names = {r.name for r in function.results if r.name}
    if not names:
        return False
    for ident in query_captures(_IDENTIFIERS, literal).get("id", []):
        if model.source.text(ident) in names and model.resolve(ident).kind == "result":
            return True
    return False


def _kept_past_iteration(model: FileModel, decl: Node, loop: Node, function: Function, depth: int = 0) -> bool:
    """The value leaves its iteration on purpose: appended or stored into a slice, map or array
    declared outside the loop, or used by a goroutine; or a constructor wraps it (`pool :=
    redis.NewPool(client)`, `m := rs.NewMutex(name)` on a value so made) into a value that does.
    Passing it to an ordinary call does not count: the call returns, and the value is released
    only when the function does."""
    for ref in model.references(decl, within=loop):
        node = ref.parent
        while node is not None and node.id != loop.id:
            if node.type == "go_statement":
                return True
            if node.type == "assignment_statement":
                if _stores_outside(model, node, ref, loop) or _view_stored_outside(model, node, ref, loop):
                    return True
                break
            if node.type in ("function_declaration", "method_declaration"):
                break
            node = node.parent
        wrapper = _wrapped_into(model, ref, loop) if depth < 3 else None
        if wrapper is not None and wrapper.id != decl.id and \
                _kept_past_iteration(model, wrapper, loop, function, depth + 1):
            return True
    return False


_CONSTRUCTOR = LazyPattern(r"New[A-Z0-9_]\w*|New")


def _wrapped_into(model: FileModel, ref: Node, loop: Node) -> Node | None:
    """The declaration of the variable a constructor call given `ref` (as an argument or as its
    receiver) is assigned to in the loop: `pool := goredis.NewPool(client)`, `rs = redsync.New(pool)`,
    `mutex = rs.NewMutex(name)`. What a constructor makes holds what it was given."""
    call = ref.parent
    if call is not None and call.type == "argument_list":
        call = call.parent
    elif call is not None and call.type == "selector_expression" and call.child_by_field_name("operand") == ref:
        call = call.parent
    else:
        return None
    if call is None or call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    name = function.child_by_field_name("field") if function is not None and function.type == "selector_expression" else function
    if name is None or _CONSTRUCTOR.fullmatch(model.source.text(name)) is None:
        return None
    statement = call.parent
    if statement is not None and statement.type == "expression_list":
        statement = statement.parent
    if statement is None or statement.type not in ("short_var_declaration", "assignment_statement") or \
            not _within(statement, loop):
        return None
    left = statement.child_by_field_name("left")
    target = left.named_children[0] if left is not None and left.named_children else None
    if target is None or target.type != "identifier":
        return None
    binding = model.resolve(target)
    return binding.decl if binding.kind == "local" and binding.decl is not None else None


def _stores_outside(model: FileModel, assignment: Node, ref: Node, loop: Node) -> bool:
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    if left is None or right is None or not _within(ref, right):
        return False
    node = ref.parent
    while node is not None and node.id != right.id:
        # The value itself is stored (`append(s, f)`, `T{f: f}`, `&f`), not something a call made from it.
        if node.type == "call_expression" and model.source.text(node.child_by_field_name("function")) != "append":
            return False
        if node.type not in _STORED_AS:
            return False
        node = node.parent
    appended = any(v.type == "call_expression" and model.source.text(v.child_by_field_name("function")) == "append"
                   for v in right.named_children)
    for target in left.named_children:
        # Each iteration's value gets an element of its own: `s[i] = f`, `m[k] = f`, also a field
        # of one (`cmds[i].Env = env`). A plain field (`s.cur = f`) keeps only the last.
        root, indexed = target, False
        while root is not None and root.type in ("index_expression", "selector_expression", "parenthesized_expression"):
            indexed = indexed or root.type == "index_expression"
            root = root.child_by_field_name("operand") if root.type != "parenthesized_expression" else root.named_children[0]
        if root is None or root.type != "identifier":
            continue
        if not indexed and not appended:
            continue
        binding = model.resolve(root)
        if binding.kind in ("param", "receiver", "result", "package") or (
                binding.kind == "local" and binding.decl is not None and not _within(binding.decl, loop)):
            return True
    return False


# A method that hands out a view of its receiver's memory, by Go's naming (`bytes.Buffer.Bytes`, "valid
# only until the next modification"): `ValueBytes`, `Bytes`, `RawBytes`.
_VIEW_METHOD = LazyPattern(r"\w*Bytes")


def _view_stored_outside(model: FileModel, assignment: Node, ref: Node, loop: Node) -> bool:
    """The assignment keeps a view of the value's memory past the iteration: the whole right-hand
    value is a `…Bytes()` method called on it, stored into a variable, or a field of one, declared
    outside the loop (`req.Path = entry.ValueBytes()`). Released before the function is done with
    that view, the bytes would be reused under it: the defer holds the value as long as the view
    is read. A conversion (`string(entry.ValueBytes())`) copies, and is no such view."""
    left, right = assignment.child_by_field_name("left"), assignment.child_by_field_name("right")
    selector = ref.parent
    call = selector.parent if selector is not None and selector.type == "selector_expression" and \
        selector.child_by_field_name("operand") == ref else None
    if call is None or call.type != "call_expression" or left is None or right is None or \
            call.parent is None or call.parent.id != right.id or len(left.named_children) != 1:
        return False
    method = selector.child_by_field_name("field")
    if method is None or _VIEW_METHOD.fullmatch(model.source.text(method)) is None:
        return False
    root = left.named_children[0]
    while root is not None and root.type in ("selector_expression", "index_expression", "parenthesized_expression"):
        root = root.child_by_field_name("operand") if root.type != "parenthesized_expression" else root.named_children[0]
    if root is None or root.type != "identifier":
        return False
    binding = model.resolve(root)
    return binding.kind in ("param", "receiver", "result", "package") or (
        binding.kind == "local" and binding.decl is not None and not _within(binding.decl, loop))


def _note_reason(ctx: FileContext, call: Node, loop: Node) -> str | None:
    """Why this defer is only worth a note: cheap to hold, a small literal loop, or test code
    whose loop is bounded."""
    model = ctx.model
    if ctx.is_test_file and not _repeats_unboundedly(ctx, loop):
        return "a test: the function returns soon"
    callee = call.child_by_field_name("function") if call.type == "call_expression" else None
    if callee is not None and callee.type == "selector_expression" and \
            ctx.source.text(callee.child_by_field_name("field")) == "Finish":
        operand = callee.child_by_field_name("operand")
        source = _initialiser(model, operand) if operand is not None and operand.type == "identifier" else None
        if source is not None and model.qualified(source) in _MOCK_CONTROLLERS:
            return ("a mock controller's `Finish` only checks the expectations set on it, and gomock keeps the "
                    "controller until the test's cleanup anyway")
    holder = callee
    if callee is not None and callee.type == "selector_expression":
        if ctx.source.text(callee.child_by_field_name("field")) != "Stop":
            holder = None
        else:
            holder = callee.child_by_field_name("operand")
    source = _initialiser(model, holder) if holder is not None and holder.type == "identifier" else None
    if source is not None:
        made_by = model.qualified(source)
        cheap = _CHEAP_SOURCES.get(made_by or "")
        if cheap is not None and (callee.type == "identifier") == (cheap == "a context's cancel") \
                and not (in_unbounded_loop(model, call) and not _in_select_case(call, loop)):
            # One each time round a loop that never ends is no longer cheap; one in a select case
            # (a fallback timer's, in a dialer's race) is made when that case fires, not each time.
            return f"{cheap} is cheap to hold"
        if made_by in _TIMERS and callee.type == "selector_expression" and ctx.go_at_least(1, 23):
            return "from Go 1.23 a stopped timer is cheap to hold"
    if _form_file(model, callee, loop) and not _small_form_memory(model, loop):
        return ("the files of one multipart form: the request's size bounds how many, and the form keeps small "
                "ones in memory, not in descriptors")
    drained = _drained_body(ctx, call, loop)
    if drained:
        return f"`{drained}` is read to the end in the iteration, which hands its connection back"
    rows = _rows_read_to_end(ctx, call, loop)
    if rows:
        return (f"`{rows}` is read to the end in the iteration (`for {rows}.Next()`), which closes it and hands "
                "its connection back")
    capped = _capped(model, call, loop)
    if capped is not None and capped[0] <= _SMALL_TABLE:
        return f"the loop stops after {capped[0]} iterations, at `{ctx.source.text(capped[1])}`"
    size = _literal_size(model, loop)
    if size is not None and size <= _SMALL_TABLE:
        return f"the loop runs over {size} literal case{'s' if size != 1 else ''}"
    if callee is not None and not in_unbounded_loop(model, call):
        if model.qualified(call) in ("os.Remove", "os.RemoveAll"):
            return "a deferred delete holds no open file, only the file's disk space until the function returns"
        if callee.type == "selector_expression" and ctx.source.text(callee.child_by_field_name("field")) == "Put" \
                and _buffer_pool(ctx, callee.child_by_field_name("operand")):
            return "a buffer handed back to a pool at the function's end holds only ordinary memory until then"
    return None


# A pool of buffers by its name (`bufPool`, `s.readerPool`, `bytesPool`, `encoderPool`); a pool of
# connections or workers (`connPool`) holds more than memory, so a bare `pool` needs its type.
_BUFFER_POOL = LazyPattern(r"(?i)(?:buf|buffer|bytes?|reader|writer|encoder|decoder|scratch)\w*pool$")


def _buffer_pool(ctx: FileContext, operand: Node | None) -> bool:
    """`Put`'s receiver is a pool of buffers: named so, or a `sync.Pool` the file declares by that
    name (`var pool = sync.Pool{…}`, `pool sync.Pool` in a struct)."""
    if operand is None:
        return False
    text = ctx.source.text(operand)
    if _BUFFER_POOL.search(text):
        return True
    name = text.rsplit(".", 1)[-1].encode()
    if not re.fullmatch(rb"[A-Za-z_]\w*", name):
        return False
    return re.search(rb"\b" + name + rb"\s*(?:=\s*&?sync\.Pool\s*\{|\*?sync\.Pool\b)", ctx.source.data) is not None


# `io.ReadAll(`, `io.Copy(io.Discard, `, `io.Copy(&buf, `, `io.CopyBuffer(f, ` and the body after it: io.Copy
# reads its source to EOF whatever it writes to (a limit around the body, `io.LimitReader(resp.Body,
# n)`, does not start with the body and is not read so)
_DRAINS = LazyPattern(rb"(?:io\.ReadAll|ioutil\.ReadAll|io\.Copy(?:Buffer)?\(\s*[&*]?[A-Za-z_][\w.]*(?:\(\s*\))?\s*,)\(?\s*")


_RESPONSE_BODY = LazyPattern(r"\.(?:Body|RawBody\(\s*\))$")


def _rows_read_to_end(ctx: FileContext, call: Node, loop: Node) -> str | None:
    """`defer rows.Close()` followed in the iteration by `for rows.Next() { … }`: a database/sql
    result set that Next runs to its end closes itself (and its connection goes back to the pool)."""
    callee = call.child_by_field_name("function") if call.type == "call_expression" else None
    if callee is None or callee.type != "selector_expression" or ctx.source.text(callee.child_by_field_name("field")) != "Close":
        return None
    rows = callee.child_by_field_name("operand")
    if rows is None or rows.type != "identifier":
        return None
    name = re.escape(rows.text)
    pattern = re.compile(rb"\bfor\s+" + name + rb"\.Next\(\s*\)\s*\{")
    return ctx.source.text(rows) if pattern.search(ctx.source.data, call.end_byte, loop.end_byte) else None


def _drained_body(ctx: FileContext, call: Node, loop: Node) -> str | None:
    """`defer resp.Body.Close()` where the iteration reads the body to its end (`io.ReadAll(resp.Body)`,
    `io.Copy(io.Discard, resp.Body)`, `io.Copy(&buf, resp.Body)`): an HTTP response read to EOF returns its connection to the
    pool, so what the defer holds until the function returns is a small closed-over struct."""
    callee = call.child_by_field_name("function") if call.type == "call_expression" else None
    if callee is None or callee.type != "selector_expression" or ctx.source.text(callee.child_by_field_name("field")) != "Close":
        return None
    body = callee.child_by_field_name("operand")
    if body is not None and body.type == "identifier":
        # `data := resp.RawBody()` (resty), `b := resp.Body`: the response body under another name
        decl = ctx.model.resolve(body).decl
        value = single_initialiser(decl) if decl is not None else None
        if value is None or not _RESPONSE_BODY.search(ctx.source.text(value)):
            return None
    elif body is None or body.type != "selector_expression" or ctx.source.text(body.child_by_field_name("field")) != "Body":
        return None
    text = ctx.source.text(body).encode()
    data = ctx.source.data
    for match in _DRAINS.finditer(data, loop.start_byte, loop.end_byte):  # before the defer or after it
        if data.startswith(text, match.end()) and data[match.end() + len(text): match.end() + len(text) + 1] in (b")", b" ", b","):
            return ctx.source.text(body)
    return None


def _repeats_unboundedly(ctx: FileContext, loop: Node) -> bool:
    """`for {}`, `for ;; {}`, or a benchmark's `b.N` / `b.Loop()` loop."""
    return loop_header(loop)[0] in (FOREVER, BENCHMARK_LOOP)


_NEXT_PART = frozenset({"NextPart", "NextRawPart"})


def _multipart_part(model: FileModel, callee: Node | None) -> bool:
    """`defer p.Close()` of a part a multipart reader's `NextPart` (or `NextRawPart`) returned: a
    part holds no descriptor, its `Close` only drains what is left of it, and the reader's next
    `NextPart` closes it anyway, so deferring it to the function's end holds nothing."""
    if callee is None or callee.type != "selector_expression" or \
            model.source.text(callee.child_by_field_name("field")) != "Close":
        return False
    operand = callee.child_by_field_name("operand")
    made = _initialiser(model, operand) if operand is not None and operand.type == "identifier" else None
    function = made.child_by_field_name("function") if made is not None else None
    return function is not None and function.type == "selector_expression" and \
        model.source.text(function.child_by_field_name("field")) in _NEXT_PART


def _in_select_case(node: Node, loop: Node) -> bool:
    """`node` sits in a case of a `select` inside the loop."""
    current = node.parent
    while current is not None and current.id != loop.id:
        if current.type == "communication_case":
            return True
        current = current.parent
    return False


def _form_file(model: FileModel, callee: Node | None, loop: Node) -> bool:
    """`defer f.Close()` of a file of a parsed multipart form: `f, _ := h.Open()` of a
    `*multipart.FileHeader` (declared so, or ranged from a form's `File[…]` or a slice declared of
    them), or `f, _, _ := r.FormFile(name)`."""
    if callee is None or callee.type != "selector_expression" or \
            model.source.text(callee.child_by_field_name("field")) != "Close":
        return False
    operand = callee.child_by_field_name("operand")
    made = _initialiser(model, operand) if operand is not None and operand.type == "identifier" else None
    function = made.child_by_field_name("function") if made is not None and made.type == "call_expression" else None
    if function is None or function.type != "selector_expression":
        return False
    method = model.source.text(function.child_by_field_name("field"))
    if method == "FormFile":
        return True
    arguments = made.child_by_field_name("arguments")
    header = function.child_by_field_name("operand")
    if method != "Open" or arguments is None or arguments.named_child_count:
        return False
    if header.type == "index_expression":  # `files[i].Open()` of a slice of them
        base = header.child_by_field_name("operand")
        return base is not None and _file_headers(model, base)
    return header.type == "identifier" and _file_header(model, header)


def _small_form_memory(model: FileModel, loop: Node) -> bool:
    """The function parses its form keeping less than 1 MiB in memory (`r.ParseMultipartForm(200 <<
    10)`): every larger file is a temporary file on disk, and its descriptor is what is held."""
    function = model.enclosing_function(loop)
    if function is None or b"ParseMultipartForm" not in function.node.text:
        return False
    for call in query_captures("(call_expression) @call", function.node).get("call", []):
        callee = call.child_by_field_name("function")
        if callee is None or callee.type != "selector_expression" or \
                model.source.text(callee.child_by_field_name("field")) != "ParseMultipartForm":
            continue
        arguments = call.child_by_field_name("arguments").named_children
        size = int_constant(model, arguments[0]) if arguments else None
        if size is not None and size < 1 << 20:
            return True
    return False


def _file_header(model: FileModel, ident: Node) -> bool:
    """A `*multipart.FileHeader`: declared so, set from `FormFile`, or the value of a range over a
    form's `File[…]` or over a slice declared of them."""
    binding = model.resolve(ident)
    declared = model.declared_type(binding) or ""
    if declared.endswith("multipart.FileHeader"):
        return True
    decl = binding.decl
    clause = decl.parent.parent if decl is not None and decl.parent is not None else None
    if clause is None or clause.type != "range_clause":
        value = _initialiser(model, ident)
        function = value.child_by_field_name("function") if value is not None and value.type == "call_expression" else None
        return function is not None and function.type == "selector_expression" and \
            model.source.text(function.child_by_field_name("field")) == "FormFile"
    ranged = clause.child_by_field_name("right")
    return ranged is not None and _file_headers(model, ranged)


def _file_headers(model: FileModel, node: Node) -> bool:
    """A slice of `*multipart.FileHeader`: a form's `File[…]`, a variable declared as one or set from
    one (`files := form.File["image"]`), or the value of a range over a form's `File` map (`for field,
    files := range r.MultipartForm.File`)."""
    if node.type == "index_expression":
        operand = node.child_by_field_name("operand")
        return operand is not None and operand.type == "selector_expression" and \
            model.source.text(operand.child_by_field_name("field")) == "File"
    if node.type == "identifier":
        binding = model.resolve(node)
        if (model.declared_type(binding) or "").endswith("multipart.FileHeader"):
            return True
        decl = binding.decl
        value = single_initialiser(decl) if decl is not None and binding.kind == "local" else None
        if value is not None and value.type == "index_expression":  # `files := form.File["image"]`
            return _file_headers(model, value)
        names = decl.parent if decl is not None else None
        clause = names.parent if names is not None and names.type == "expression_list" else None
        if clause is None or clause.type != "range_clause" or len(names.named_children) != 2 or \
                names.named_children[1].id != decl.id:
            return False
        ranged = clause.child_by_field_name("right")
        return ranged is not None and ranged.type == "selector_expression" and \
            model.source.text(ranged.child_by_field_name("field")) == "File"
    return False


def _initialiser(model: FileModel, ident: Node) -> Node | None:
    """The call a local was declared from (`c, cancel := context.WithTimeout(…)` gives the call)."""
    binding = model.resolve(ident)
    if binding.kind != "local" or binding.decl is None or binding.decl.parent is None:
        return None
    statement = binding.decl.parent.parent
    if statement is None or statement.type != "short_var_declaration":
        return _assigned_before(model, ident, binding.decl)
    right = statement.child_by_field_name("right")
    if right is None or right.named_child_count != 1:
        return None
    value = right.named_children[0]
    return value if value.type == "call_expression" else None


def _assigned_before(model: FileModel, ident: Node, decl: Node) -> Node | None:
    """The call a local declared without one (`var cancel context.CancelFunc`) was last assigned
    from, among the assignments written before `ident`: `ctx, cancel = context.WithDeadline(…)`."""
    function = model.enclosing_function(decl)
    last = None
    for ref in model.references(decl, within=function.node if function is not None else None):
        left = ref.parent
        statement = left.parent if left is not None and left.type == "expression_list" else None
        if ref.start_byte < ident.start_byte and statement is not None and statement.type == "assignment_statement" \
                and statement.child_by_field_name("left") == left and (last is None or ref.start_byte > last.start_byte):
            last = statement
    right = last.child_by_field_name("right") if last is not None else None
    value = right.named_children[0] if right is not None and right.named_child_count == 1 else None
    return value if value is not None and value.type == "call_expression" else None


def _capped(model: FileModel, node: Node, loop: Node) -> tuple[int, Node] | None:
    """(how many times at most the loop runs the statement that holds `node`, the condition that
    says so) when the loop body first leaves (`break` out of it, or `return`) once its range index
    reaches a constant: `for i := range files { if i > 0 { break } … }` runs once, `if i >= 3 {
    return }` three times."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    left = clause.child_by_field_name("left") if clause is not None else None
    index = left.named_children[0] if left is not None and left.named_child_count else None
    body = loop.child_by_field_name("body")
    if index is None or index.type != "identifier" or index.text == b"_" or body is None:
        return None
    for statement in block_statements(body):
        if statement.start_byte <= node.start_byte < statement.end_byte:
            return None  # reached the statement that holds it: nothing before it caps the loop
        if statement.type != "if_statement" or statement.child_by_field_name("initializer") is not None \
                or statement.child_by_field_name("alternative") is not None \
                or not _leaves(statement.child_by_field_name("consequence"), loop):
            continue
        condition = statement.child_by_field_name("condition")
        if condition is None or condition.type != "binary_expression":
            continue
        first, second = condition.child_by_field_name("left"), condition.child_by_field_name("right")
        operator = model.source.text(condition.child_by_field_name("operator"))
        if second.type == "identifier" and second.text == index.text:  # `0 < i`
            first, second = second, first
            operator = {"<": ">", "<=": ">=", "==": "=="}.get(operator, "")
        if first.type != "identifier" or first.text != index.text:
            continue
        bound = int_constant(model, second)
        count = None if bound is None or bound < 0 else \
            bound + 1 if operator == ">" else bound if operator in (">=", "==") and bound > 0 else None
        if count is not None:
            return count, condition
    return None


def _literal_size(model: FileModel, loop: Node) -> int | None:
    """How many elements the composite literal a range loop runs over has: written in the header,
    or the initialiser of a local or package variable named there."""
    clause = next((c for c in loop.named_children if c.type == "range_clause"), None)
    right = clause.child_by_field_name("right") if clause is not None else None
    if right is not None and right.type == "identifier":
        binding = model.resolve(right)
        value = None
        if binding.kind == "local" and binding.decl is not None and binding.decl.parent is not None:
            statement = binding.decl.parent.parent
            values = statement.child_by_field_name("right") if statement is not None and statement.type == "short_var_declaration" else None
            value = values.named_children[0] if values is not None and values.named_child_count == 1 else None
        elif binding.kind == "package":
            var = model.package_vars.get(model.source.text(right))
            value = var.value if var is not None else None
        right = value
    if right is None or right.type != "composite_literal":
        return None
    body = right.child_by_field_name("body")
    return sum(1 for c in body.named_children if c.type != "comment") if body is not None else 0
