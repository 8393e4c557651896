"""GL111 cond-wait-never-signalled."""

from __future__ import annotations

import re
from typing import Iterable

from tree_sitter import Node

from goleaklint.context import FileContext, PackageContext
from goleaklint.goroutines import last_name
from goleaklint.model import enclosing_loop
from goleaklint.patterns import LazyPattern
from goleaklint.rule import Docs, Finding, Rule, Severity
from goleaklint.source import query_captures, without_comments

RULE = Rule(
    id="GL111",
    slug="cond-wait-never-signalled",
    title="a sync.Cond Wait that nothing wakes, or whose loop condition nothing changes",
    severity=Severity.WARNING,
    tags=("goroutine-leak", "deadlock"),
    precision="medium",  # not measured yet: ten held-out judgements set it (docs/ecosystem.md)
    lifetime="repeats",
    docs=Docs(
        what="Finds `c.Wait()` on a `sync.Cond` of the package (a struct field declared `sync.Cond` or "
        "`*sync.Cond`, or a variable or field given `sync.NewCond(…)`), matched by its name across the "
        "package's non-test files, when either nothing in the package calls `Signal` or `Broadcast` on "
        "that name (nor takes them as a method value, `time.AfterFunc(d, c.Broadcast)`) and the "
        "condition variable is never handed on; or the Wait sits directly in a loop `for cond { c.Wait() }` "
        "whose condition reads only names (variables, fields, `len` of them) that nothing in the "
        "package changes: no assignment, increment, element store, `delete`, `copy` or `clear`, method "
        "call on them, `&` or channel send. Reported at the Wait, where the goroutine is parked.",
        why="Wait unlocks `c.L` and parks the goroutine until a Signal or Broadcast wakes it; then it "
        "checks its condition again. With no wake-up, or a condition that can never turn false, the "
        "goroutine is parked for good, holding what it references, and whoever waits for it (a Close, "
        "a WaitGroup) is parked too.",
        example="""type Queue struct {
    mu    sync.Mutex
    cond  *sync.Cond
    items []Item
}

func (q *Queue) Pop() Item {
    q.mu.Lock()
    defer q.mu.Unlock()
    for len(q.items) == 0 {
        q.cond.Wait() // Push appends but never signals: parked for good
    }
    item := q.items[0]
    q.items = q.items[1:]
    return item
}

func (q *Queue) Push(it Item) {
    q.mu.Lock()
    q.items = append(q.items, it)
    q.mu.Unlock()
}""",
        use_instead="""func (q *Queue) Push(it Item) {
    q.mu.Lock()
    q.items = append(q.items, it)
    q.mu.Unlock()
    q.cond.Signal() // wake one waiter: the condition it waits on changed
}""",
        limits="Conditions are matched by name across the package, as GL105 matches channels: any "
        "Signal or Broadcast on a condition variable of the same name counts for every one, and so "
        "does any change of a name the loop condition reads, whatever it belongs to. A condition "
        "variable embedded in a struct (`q.Wait()` on a type that embeds `sync.Cond`), one reached "
        "through an accessor, and a loop condition that calls a function other than `len` or `cap` are "
        "not checked. Whether the wake-up comes while someone waits is not decided.",
        references=("https://pkg.go.dev/sync#Cond", "https://pkg.go.dev/sync#Cond.Wait"),
    ),
)

# `cond *sync.Cond` in a struct; `c := sync.NewCond(&mu)`, `s.cond = sync.NewCond(…)`, `cond: sync.NewCond(…)`.
_DECLARED = LazyPattern(rb"(?m)^\s*(\w+)\s+\*?sync\.Cond\b")
_MADE = LazyPattern(rb"([\w.]+)\s*(?::?=|:)\s*(?:&\s*)?sync\.NewCond\(")
_WAITS = """
(call_expression
  function: (selector_expression operand: (_) @cond field: (field_identifier) @m (#eq? @m "Wait"))
  arguments: (argument_list) @_args) @call
"""
_CHANGES = """
(assignment_statement left: (expression_list (_) @target))
(short_var_declaration left: (expression_list (_) @target))
(inc_statement (_) @target)
(dec_statement (_) @target)
(unary_expression operator: "&" operand: (_) @target)
(send_statement channel: (_) @target)
(call_expression function: (selector_expression operand: (_) @target))
(call_expression function: (identifier) @_f (#match? @_f "^(delete|copy|clear)$")
  arguments: (argument_list . (_) @target))
(range_clause left: (expression_list (_) @target))
"""
_CONDITION_CALLS = frozenset({"len", "cap"})


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    files = [ctx for ctx in pkg.files if not ctx.is_test_file]
    if not any(b".Wait()" in ctx.source.data and b"sync." in ctx.source.data for ctx in files):
        return
    names: set[bytes] = set()
    for ctx in files:
        data = ctx.source.data
        if b"sync.Cond" in data:
            names.update(m.group(1) for m in _DECLARED.finditer(data))
        if b"NewCond" in data:
            names.update(m.group(1).rsplit(b".", 1)[-1] for m in _MADE.finditer(data))
    if not names:
        return
    changed: set[str] | None = None  # names something in the package changes, worked out on first need
    for ctx in files:
        if ctx.relpath not in pkg.report_paths or b".Wait()" not in ctx.source.data:
            continue
        for call in query_captures(_WAITS, ctx.source.root).get("call", []):
            operand = call.child_by_field_name("function").child_by_field_name("operand")
            name = last_name(ctx.model, operand)
            if name is None or name.encode() not in names:
                continue
            shown = ctx.source.text(operand)
            if not _woken(files, name.encode()):
                if _handed_on(files, name.encode()):
                    continue
                yield ctx.finding(
                    RULE, call,
                    f"nothing in the package calls Signal or Broadcast on `{shown}`, and it is never handed on: "
                    "this Wait never returns",
                    fix=f"call `{shown}.Signal()` (or `Broadcast()`) where the condition it waits for changes, "
                    "after changing it under the lock")
                continue
            loop = enclosing_loop(call)
            condition = _condition(loop) if loop is not None and _directly_in(call, loop) else None
            if condition is None:
                continue
            read = _read_names(ctx, condition)
            if not read:
                continue
            if changed is None:
                changed = _changed_names(files)
            if read & changed:
                continue
            listed = ", ".join(f"`{n}`" for n in sorted(read))
            yield ctx.finding(
                RULE, call,
                f"the loop around this Wait runs while `{' '.join(ctx.source.text(condition).split())}`, which reads "
                f"only {listed}, and nothing in the package changes {'it' if len(read) == 1 else 'them'}: a Signal "
                "or Broadcast wakes the Wait, but the loop waits again, for good",
                fix="change what the condition reads (under the lock) where the awaited event happens, then signal")


def _woken(files: list[FileContext], name: bytes) -> bool:
    """A Signal or Broadcast on a condition of this name, called or taken as a method value."""
    pattern = re.compile(rb"\b" + re.escape(name) + rb"\s*\.\s*(?:Signal|Broadcast)\b")
    return any(pattern.search(ctx.source.data) for ctx in files)


def _handed_on(files: list[FileContext], name: bytes) -> bool:
    """The name appears other than as `c.Wait()`, `c.L`, its declaration or its NewCond
    assignment (passed to a call, returned, stored elsewhere, or another value of that name), so
    someone we cannot see may wake it."""
    pattern = re.compile(rb"\b" + re.escape(name) + rb"\b(?!\s*\.\s*(?:Wait|L)\b)(?!\s+\*?sync\.Cond\b)"
                         rb"(?!\s*(?::?=|:)\s*(?:&\s*)?sync\.NewCond\()")
    return any(pattern.search(without_comments(ctx.source.data)) for ctx in files)


def _directly_in(call: Node, loop: Node) -> bool:
    """The Wait is a statement of the loop's own body (not inside a nested function literal)."""
    node = call.parent
    while node is not None and node.id != loop.id:
        if node.type == "func_literal":
            return False
        node = node.parent
    return node is not None


def _condition(loop: Node) -> Node | None:
    """The condition of `for cond {`, or of a for clause (`for ; cond; {`)."""
    for child in loop.named_children:
        if child.type == "for_clause":
            return child.child_by_field_name("condition")
        if child.type not in ("block", "range_clause", "comment"):
            return child
    return None


def _read_names(ctx: FileContext, condition: Node) -> set[str]:
    """The last names the condition reads (`ready` of `!q.ready`, `items` of `len(q.items) == 0`),
    or nothing when it calls a function (which may read anything) or receives from a channel."""
    names: set[str] = set()
    stack = [condition]
    while stack:
        node = stack.pop()
        if node.type == "call_expression":
            function = node.child_by_field_name("function")
            if function is None or function.type != "identifier" or function.text.decode() not in _CONDITION_CALLS:
                return set()
            arguments = node.child_by_field_name("arguments")
            stack.extend(arguments.named_children if arguments is not None else [])
            continue
        if node.type == "unary_expression" and node.child_by_field_name("operator") is not None \
                and node.child_by_field_name("operator").text == b"<-":
            return set()
        if node.type in ("identifier", "selector_expression"):
            name = last_name(ctx.model, node)
            if name is not None and name not in ("nil", "true", "false"):
                names.add(name)
            continue
        if node.type == "index_expression":
            operand = node.child_by_field_name("operand")
            if operand is not None:
                stack.append(operand)
            continue
        stack.extend(node.named_children)
    return names


def _changed_names(files: list[FileContext]) -> set[str]:
    """Every last name something in the package's non-test files may change."""
    changed: set[str] = set()
    for ctx in files:
        for target in query_captures(_CHANGES, ctx.source.root).get("target", []):
            while target.type in ("index_expression", "parenthesized_expression", "unary_expression"):
                inner = target.child_by_field_name("operand") or (target.named_children[0] if target.named_children else None)
                if inner is None:
                    break
                target = inner
            name = last_name(ctx.model, target)
            if name is not None:
                changed.add(name)
    return changed
