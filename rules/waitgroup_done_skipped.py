"""GL106 waitgroup-done-skipped."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext, PackageContext
from goleaklint.goroutines import PackageFunctions, deferred, go_literal, within
from goleaklint.model import Function
from goleaklint.patterns import LazyPattern
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures, query_matches
from goleaklint.structs import field_type

RULE = Rule(
    id="GL106",
    slug="waitgroup-done-skipped",
    title="a goroutine can return without calling wg.Done, so wg.Wait never returns",
    severity=Severity.WARNING,
    tags=("goroutine-leak", "deadlock"),
    precision="medium",  # not measured yet: ten held-out judgements set it (docs/ecosystem.md)
    lifetime="repeats",
    docs=Docs(
        what="Finds `wg.Add(…)` followed by `go func(){ … wg.Done() … }()` where `wg` is a "
        "`sync.WaitGroup` (a local, or a struct field of the package), `Done` is not deferred, and "
        "the goroutine has a path to a `return` (or to its end) that passes no `Done`: an early "
        "error return, a `continue`-less branch. Reported at the `wg.Wait()` that then never "
        "returns: in the same function for a local WaitGroup, anywhere in the package for a field. "
        "A path through a call of a package function that itself calls some `Done()`, and a "
        "goroutine with a deferred call of a package function, are taken to call `Done`. Paths "
        "ending in `panic`, `os.Exit` or `log.Fatal` are not returns. Also a count that covers a goroutine "
        "never started, for a local WaitGroup the function starts goroutines for: `wg.Add(1)` with a path to "
        "the function's `wg.Wait()` that starts no goroutine and touches the WaitGroup no other way (a "
        "`continue` between the Add and the `go`), and `wg.Add(len(xs))` right before a `for … range xs` "
        "loop that starts the goroutines, when an iteration can end without starting one and without "
        "calling `Done` (`if x == \"\" { continue }`).",
        why="Wait returns when the counter drops to zero. A goroutine that returns without `Done` "
        "leaves it above zero for good: the goroutine calling Wait is parked forever, and so is "
        "whoever waits for it (a Close, a shutdown, a request).",
        example="""var wg sync.WaitGroup
for _, u := range urls {
    wg.Add(1)
    go func() {
        body, err := fetch(u)
        if err != nil {
            return // wg.Done is skipped
        }
        store(body)
        wg.Done()
    }()
}
wg.Wait() // never returns after one failed fetch""",
        use_instead="""    go func() {
        defer wg.Done() // runs on every return
        body, err := fetch(u)
        if err != nil {
            return
        }
        store(body)
    }()""",
        limits="A `Done` inside a loop of the goroutine (a worker that calls it once per item it takes, after `wg.Add(len(items))`) counts items, not goroutines: not reported. "
        "A count that covers a goroutine never started is looked for only with a local WaitGroup, `Add(1)` "
        "or `Add(len(xs))`, and anything that mentions the WaitGroup (a call given `&wg`) is taken to bring "
        "the count down. Only goroutines written as a literal where `Add` is called are followed; a goroutine "
        "running a named function (`go s.worker(&wg)`) is not. The WaitGroup is matched by its text "
        "(`wg`, `s.wg`). Conditions are not evaluated: an early return that cannot happen in "
        "practice is still a path.",
        references=("https://pkg.go.dev/sync#WaitGroup",),
    ),
)

_CALLS = """
(call_expression
  function: (selector_expression operand: (_) @group field: (field_identifier) @method
    (#match? @method "^(Add|Done|Wait)$"))) @call
"""
_ALL_CALLS = "(call_expression function: (_) @callee) @call"
_WAIT_GROUPS = frozenset({"sync.WaitGroup", "*sync.WaitGroup"})


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    functions = pkg.facts.functions
    for ctx in pkg.files:
        if ctx.relpath not in pkg.report_paths or ctx.is_test_file or b".Done()" not in ctx.source.data \
                or b".Add(" not in ctx.source.data:
            continue
        for go in ctx.model.go_statements:
            finding = _check_go(pkg, functions, ctx, go)
            if finding is not None:
                yield finding
        yield from _unmatched_adds(ctx)


def _unmatched_adds(ctx: FileContext) -> Iterable[Finding]:
    """`wg.Add(1)` with a path to the function's `wg.Wait()` that starts no goroutine and calls no
    `Done` (a `continue` between the Add and the `go`), and `wg.Add(len(xs))` before a `range xs`
    loop whose body can finish an iteration without starting one: the count never drops to zero."""
    model = ctx.model
    text = ctx.source.text
    reported: set[int] = set()
    by_function: dict[int, tuple[Function, list[tuple[Node, Node, str]]]] = {}
    for call, group, method in sorted(_group_calls(ctx.source.root), key=lambda found: found[0].start_byte):
        function = model.enclosing_function(call)
        if function is not None and function.body is not None:
            by_function.setdefault(function.node.id, (function, []))[1].append((call, group, text(method)))
    for function, calls in by_function.values():
        for add, group, method in calls:
            if method != "Add" or group.type != "identifier" or model.resolve(group).kind != "local" \
                    or not _is_wait_group(model, group):
                continue  # a field's count may be brought down by methods out of this function
            name = text(group)
            # the goroutines it counts: `go` statements of the function that mention the group
            mention = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
            starts = [go for go in model.go_statements if model.enclosing_function(go) is function
                      and mention.search(ctx.source.data[go.start_byte:go.end_byte])]
            if not starts:
                continue  # counted items that workers take (`wg.Add(len(jobs))`, then sends): not goroutines
            waits = [c for c, g, m in calls if m == "Wait" and text(g) == name and c.start_byte > add.end_byte
                     and not deferred(c, function.node)]
            if not waits or waits[0].id in reported:
                continue
            args = add.child_by_field_name("arguments")
            count = args.named_children[0] if args is not None and args.named_child_count == 1 else None
            if count is None:
                continue
            avoided = _hands_on(ctx, name)
            cfg = function.cfg
            wait = waits[0]
            skipped = None
            if count.type == "int_literal" and count.text == b"1":
                if any(cfg.reaches(add, go) for go in starts) and cfg.reaches(add, wait, avoided):
                    skipped = f"a path from it reaches `{name}.Wait()` without starting the goroutine it counts"
            elif count.type == "call_expression" and text(count.child_by_field_name("function")) == "len":
                loop = _ranging_loop(model, function, add, count)
                if loop is not None and any(loop.start_byte < go.start_byte < loop.end_byte for go in starts) \
                        and _iteration_skips(cfg, loop, avoided):
                    skipped = (f"an iteration of the loop at line {ctx.source.line_of(loop.start_byte)} can end "
                               "without starting the goroutine that would call `Done` for its item")
            if skipped is None:
                continue
            reported.add(wait.id)
            yield ctx.finding(
                RULE, wait,
                f"`{text(wait.child_by_field_name('function'))}()` can block forever: `{text(add)}` at line "
                f"{ctx.source.line_of(add.start_byte)} counts goroutines, and {skipped}, so the count never drops to zero",
                fix=f"call `{name}.Add(1)` right before each `go` statement it counts, on the same path")


def _hands_on(ctx: FileContext, name: str):
    """An element that starts a goroutine or calls anything that mentions the WaitGroup other
    than its own `Add` and `Wait` (`go func() { defer wg.Done() … }()`, `wg.Done()`, `work(&wg)`):
    whatever it does may bring the count down."""
    pattern = re.compile(rb"\b" + re.escape(name.encode()) + rb"\b")
    own = re.compile(rb"\b" + re.escape(name.encode()) + rb"\s*\.\s*(?:Add|Wait)\(")

    def avoided(element: Node) -> bool:
        data = own.sub(b"", ctx.source.data[element.start_byte:element.end_byte])
        return pattern.search(data) is not None
    return avoided


def _ranging_loop(model, function: Function, add: Node, count: Node) -> Node | None:
    """The `for … range xs` statement right after `wg.Add(len(xs))` in the same block."""
    args = count.child_by_field_name("arguments")
    if args is None or args.named_child_count != 1:
        return None
    counted = args.named_children[0].text
    statement = add.parent
    while statement is not None and statement.type != "expression_statement":
        statement = statement.parent
    after = statement.next_named_sibling if statement is not None else None
    while after is not None and after.type == "comment":
        after = after.next_named_sibling
    if after is None or after.type != "for_statement":
        return None
    clause = next((c for c in after.named_children if c.type == "range_clause"), None)
    right = clause.child_by_field_name("right") if clause is not None else None
    return after if right is not None and right.text == counted else None


def _iteration_skips(cfg, loop_node: Node, avoided) -> bool:
    """Whether an iteration of the loop can go round (or leave by `break`) from the top of its
    body without passing an element `avoided` matches."""
    loop = cfg.loops.get(loop_node.id)
    if loop is None:
        return False
    entered: set[int] = set()
    queue = [loop.body]
    while queue:
        block = queue.pop()
        if block is loop.continue_to or block is loop.after:
            return True
        if block.index in entered:
            continue
        entered.add(block.index)
        if any(avoided(element) for element in block.elements):
            continue
        queue.extend(block.succs)
    return False


def _check_go(pkg: PackageContext, functions: PackageFunctions, ctx: FileContext, go: Node) -> Finding | None:
    literal_node = go_literal(go)
    if literal_node is None:
        return None
    model = ctx.model
    literal = model.function_of(literal_node)
    owner = model.enclosing_function(go)
    if literal is None or owner is None or literal.body is None:
        return None
    text = ctx.source.text
    dones: dict[str, list[Node]] = {}
    for call, group, method in _group_calls(literal.node):
        if text(method) == "Done":
            dones.setdefault(text(group), []).append(call)
    for name, calls in dones.items():
        if any(deferred(call, literal.node) for call in calls):
            continue
        if any(model.enclosing_function(call) is not literal for call in calls):
            continue  # a Done in a nested closure runs who knows when
        if any(within(call, literal.node, ("for_statement",)) for call in calls):
            continue  # a Done per item a worker takes: the count is of items, not of goroutines
        group = calls[0].child_by_field_name("function").child_by_field_name("operand")
        if not _is_wait_group(model, group):
            continue
        if not _added_before(ctx, owner, go, name):
            continue
        if _has_unknown_defer(ctx, functions, literal):
            continue
        exits = literal.cfg.exits_reachable_from_block(literal.cfg.entry, _passes_done(ctx, functions, name))
        if not exits:
            continue
        exit_node = exits[0]
        wait = _wait(pkg, functions, ctx, owner, go, group, name)
        if wait is None:
            continue
        wait_ctx, wait_call = wait
        if wait_ctx.relpath not in pkg.report_paths or wait_ctx.is_test_file:
            continue
        how = f"returns at line {ctx.source.line_of(exit_node.start_byte)}" if exit_node.type == "return_statement" \
            else f"can reach its end (line {ctx.source.line_of(exit_node.start_byte)})"
        where = "" if wait_ctx is ctx else f"{ctx.relpath}:"
        return wait_ctx.finding(
            RULE, wait_call,
            f"`{text(wait_call.child_by_field_name('function'))}()` can block forever: the goroutine started at "
            f"{where}line {ctx.source.line_of(go.start_byte)} {how} without calling `{name}.Done()`",
            fix=f"call `defer {name}.Done()` as the goroutine's first statement instead of `{name}.Done()` at its end",
        )
    return None


def _group_calls(node: Node) -> list[tuple[Node, Node, Node]]:
    captures = query_matches(_CALLS, node)
    found = []
    for match in captures:
        call, group, method = match.get("call"), match.get("group"), match.get("method")
        if call and group and method:
            found.append((call[0], group[0], method[0]))
    return found


def _is_wait_group(model, group: Node) -> bool:
    if group.type == "identifier":
        kind = model.declared_type(model.resolve(group))
    elif group.type == "selector_expression":
        kind = field_type(model, group)
    elif group.type == "unary_expression" and group.named_child_count == 1:
        return _is_wait_group(model, group.named_children[0])
    else:
        return False
    return kind in _WAIT_GROUPS


def _added_before(ctx: FileContext, owner: Function, go: Node, name: str) -> bool:
    """`name.Add(…)` in the function that starts the goroutine, before the `go` statement."""
    for call, group, method in _group_calls(owner.body):
        if ctx.source.text(method) == "Add" and ctx.source.text(group) == name and call.start_byte < go.start_byte \
                and ctx.model.enclosing_function(call) is owner:
            return True
    return False


# `<-ctx.Done()`: a receive from a context, not a WaitGroup's Done.
_CONTEXT_DONE = LazyPattern(rb"<-\s*[\w.()\[\]]*?\.Done\(\)")


def _mentions_done(data: bytes) -> bool:
    return b".Done()" in data and b".Done()" in _CONTEXT_DONE.sub(b"", data)


def _calls_done(functions: PackageFunctions, ctx: FileContext, element: Node) -> bool:
    """The element calls a package function whose body calls some `Done()`."""
    for call in query_captures(_ALL_CALLS, element).get("call", []):
        callee = functions.callee(ctx, call)
        if callee is not None and _mentions_done(callee[0].source.data[callee[1].node.start_byte:callee[1].node.end_byte]):
            return True
    return False


def _passes_done(ctx: FileContext, functions: PackageFunctions, name: str):
    own = f"{name}.Done()".encode()

    def avoided(element: Node) -> bool:
        data = ctx.source.data[element.start_byte:element.end_byte]
        return own in data or _calls_done(functions, ctx, element)
    return avoided


def _has_unknown_defer(ctx: FileContext, functions: PackageFunctions, literal: Function) -> bool:
    """A deferred call of the package's own code (`defer s.finish()`), which may call Done."""
    for defer in literal.cfg.defers:
        if _calls_done(functions, ctx, defer):
            return True
        call = next((c for c in defer.named_children if c.type == "call_expression"), None)
        callee = call.child_by_field_name("function") if call is not None else None
        if callee is not None and callee.type == "func_literal":
            return True
    return False


def _wait(pkg: PackageContext, functions: PackageFunctions, ctx: FileContext, owner: Function, go: Node,
          group: Node, name: str) -> tuple[FileContext, Node] | None:
    """The `Wait` that the goroutine's Done releases: after the `go` in the same function (or a
    defer there); for a struct field, any `x.field.Wait()` of the package."""
    text = ctx.source.text
    for call, other, method in _group_calls(owner.body):
        if text(method) == "Wait" and text(other) == name and ctx.model.enclosing_function(call) is owner \
                and (call.start_byte > go.end_byte or deferred(call, owner.node)):
            return ctx, call
    if group.type != "selector_expression":
        return None
    field = text(group.child_by_field_name("field"))
    owner_type = _operand_type(functions, ctx, group)
    if owner_type is None:
        return None
    for other_ctx, node in functions.occurrences(field):
        selector = node.parent
        outer = selector.parent if selector is not None and selector.type == "selector_expression" else None
        call = outer.parent if outer is not None and outer.type == "selector_expression" else None
        if call is None or call.type != "call_expression" or outer.child_by_field_name("operand") != selector \
                or other_ctx.source.text(outer.child_by_field_name("field")) != "Wait":
            continue
        if _operand_type(functions, other_ctx, selector) == owner_type:
            return other_ctx, call
    return None


def _operand_type(functions: PackageFunctions, ctx: FileContext, selector: Node) -> str | None:
    """The package struct `x` is declared with, in `x.wg`."""
    operand = selector.child_by_field_name("operand")
    if operand is None or operand.type != "identifier":
        return None
    return functions.value_type(ctx.model, ctx.model.resolve(operand))
