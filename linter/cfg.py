"""A control-flow graph for one Go function, built from its tree-sitter tree.

Rules that must know "can this function return without doing X?" ask the graph instead of guessing
from source order: a blocked-send leak needs a return path that skips the receive, a lost cancel a
return path that skips every use of the cancel function.

Shape of the graph:
- A `Block` holds an ordered list of *elements*: simple statements (assignments, calls, sends, `go`,
  `defer`, `return`, ...) and the header parts of compound statements (an `if` initialiser and
  condition, a `for` clause's parts, a `range` clause, a switch value and case values, a select
  case's communication). Compound statements themselves are never elements: a predicate such as
  "mentions ch" would otherwise match an `if` because something deep in its body does.
- Edges follow Go's semantics: both arms of an `if`, a loop's back edge and its exit (none for a bare
  `for {}`, which leaves only by break, return or goto), every switch case (and the way past them
  when there is no default), `fallthrough`, labelled `break`/`continue`, `goto`. A `select` without
  a default has no edge past its cases: it blocks until one fires; `select {}` never ends. A case on
  the Done channel of a context nothing can cancel (`ctx := context.Background()`, never assigned
  again) has no edge into it: that channel is nil, and the case never fires (never_done).
- `return` and falling off the end lead to the one `exit` block; the block that does so remembers the
  node responsible (the return statement, or the closing brace of the body). Terminating calls
  (`panic`, `os.Exit`, `log.Fatal*`, `t.Fatal*`, `runtime.Goexit`, ...) end their block with no
  successor: a path that panics never returns normally.
- `defer` statements are elements where they are executed (registered) and are listed in
  `CFG.defers`: they run at every exit reached after them.
- Function literals inside the function are not part of its graph: they are expressions, and run
  when and if they are called. Each gets its own graph.

Construction and every query are iterative: a function of ten thousand statements, or nested a
thousand deep, needs no recursion.
"""

from __future__ import annotations

import heapq
from collections import deque
from typing import TYPE_CHECKING, Callable, Generator, Iterable

from tree_sitter import Node
from .model import assigned_again, single_initialiser
from .patterns import LazyPattern

if TYPE_CHECKING:
    from .model import FileModel

FUNCTION_TYPES = frozenset({"function_declaration", "method_declaration", "func_literal"})

# Calls that never return normally: the one list every rule uses (through `terminating_call`).
# Method names are matched on any receiver and on any package: `t.Fatalf`, `b.FailNow`,
# `logger.Fatal(...)`, `klog.Exitf` (log, logrus, zap, klog, glog all exit or panic there). Treating
# a call as terminating only removes paths, so a rule asking for a path to a return can only get
# quieter from a name matched too widely, never noisier. The value says what ends: the process
# ("exit"), the goroutine unless recovered ("panic"), or the goroutine alone ("goroutine":
# runtime.Goexit, which testing's FailNow and SkipNow call).
_TERMINATING_METHODS: dict[str, str] = {
    **dict.fromkeys("Fatal Fatalf Fatalln Fatalw Exit Exitf Exitln".split(), "exit"),
    **dict.fromkeys("Panic Panicf Panicln Panicw".split(), "panic"),
    **dict.fromkeys("FailNow SkipNow Skip Skipf Goexit".split(), "goroutine"),
}
# The statements a plain `break` leaves.
BREAK_TARGETS = frozenset({"for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"})

_TERMINATING_QUALIFIED: dict[str, str] = {"os.Exit": "exit", "syscall.Exit": "exit", "runtime.Goexit": "goroutine"}
# A package's own helper whose name says it ends things: `exit(code)`, `fatal(err)`, `fatalIfErr(err)`,
# `panicOnError(err)`. Such a helper may return when nothing went wrong, so it never ends a block of
# the graph; it only counts as a way out of a loop (`may_terminate`).
_TERMINATING_NAME = LazyPattern(r"(?i)exit|fatal\w*|panic\w*|goexit")

# How a `for` statement's header bounds it: the one answer the questions about loops start from
# (does it end by itself, does what it does repeat without bound, is it a benchmark's).
FOREVER = "forever"  # `for {}`, `for ;; {}`, `for true {}`: only its body can leave it
BENCHMARK_LOOP = "benchmark"  # over `b.N` or `b.Loop()`: as often as the benchmark likes
WHILE = "while"  # `for cond {}`: until something changes the condition
COUNTED = "counted"  # `for i := 0; i < n; i++`
RANGE = "range"  # `for … range x`: over data, or over a channel until it is closed
_BENCHMARK_HEADER = LazyPattern(r"\b[A-Za-z_]\w*\.N\b|\.Loop\(\s*\)\s*$")


def loop_header(loop: Node) -> tuple[str, Node | None]:
    """The kind of a `for` statement (FOREVER, BENCHMARK_LOOP, WHILE, COUNTED, RANGE) and the
    node that bounds it: the condition, or the range clause."""
    body = loop.child_by_field_name("body")
    for child in loop.named_children:
        if child.type == "for_clause":
            condition = child.child_by_field_name("condition")
            if condition is None or condition.type == "true":  # `for ;; {}`, `for ; true; <-t.C {}`
                return FOREVER, None
            return (BENCHMARK_LOOP if _BENCHMARK_HEADER.search(condition.text.decode("utf-8", "replace")) else COUNTED), condition
        if child.type == "range_clause":
            right = child.child_by_field_name("right")
            ranged = right.text.decode("utf-8", "replace") if right is not None else ""
            return (BENCHMARK_LOOP if _BENCHMARK_HEADER.search(ranged) else RANGE), child
        if child.type == "true":
            return FOREVER, None  # `for true {}`
        if child.type not in ("block", "comment") and (body is None or child.id != body.id):
            return (BENCHMARK_LOOP if _BENCHMARK_HEADER.search(child.text.decode("utf-8", "replace")) else WHILE), child
    return FOREVER, None

Avoid = Callable[[Node], bool] | Iterable[Node] | None


class Block:
    __slots__ = ("index", "kind", "elements", "succs", "preds", "exit_node", "terminal")

    def __init__(self, index: int, kind: str):
        self.index = index
        self.kind = kind  # what made it, for debugging and tests: "entry", "if.then", "for.header", ...
        self.elements: list[Node] = []
        self.succs: list[Block] = []
        self.preds: list[Block] = []
        # Set when this block leaves the function normally: the return statement, or the body's
        # closing brace when control falls off the end.
        self.exit_node: Node | None = None
        # Set when this block ends in a call that never returns (panic, os.Exit, t.Fatal, select {}).
        self.terminal: Node | None = None

    def __repr__(self) -> str:
        return f"Block({self.index}, {self.kind}, {len(self.elements)} elements, succs={[b.index for b in self.succs]})"


class Loop:
    """Where a `for` statement's parts live in the graph."""

    __slots__ = ("node", "header", "body", "after", "continue_to", "endless")

    def __init__(self, node: Node, header: Block, body: Block, after: Block, continue_to: Block, endless: bool):
        self.node = node
        self.header = header  # holds the condition or range clause; the back edge comes here
        self.body = body  # the first block of the body
        self.after = after  # where the loop exits to (normally or by break)
        self.continue_to = continue_to  # the update block, or the header
        # The header never ends the loop: `for {}`, `for ;; {}`, or a range over a channel nothing
        # closes (a ticker's). Only a way out of the body (see CFG.can_leave) does.
        self.endless = endless


class CFG:
    def __init__(self, function: Node):
        self.function = function
        self.blocks: list[Block] = []
        self.entry = self._new("entry")
        self.exit = self._new("exit")
        self.defers: list[Node] = []
        self.terminators: list[Node] = []
        self.loops: dict[int, Loop] = {}
        # node id -> (block, index of the element). Compound statements are located at the position
        # where their first part runs (index may equal len(elements) of a block still being filled).
        self._where: dict[int, tuple[Block, int]] = {}
        self._idom: dict[int, Block | None] | None = None
        self._reached: frozenset[int] | None = None  # indexes of the blocks the entry reaches

    def _new(self, kind: str) -> Block:
        block = Block(len(self.blocks), kind)
        self.blocks.append(block)
        return block

    # ---- locating nodes -------------------------------------------------------------------------

    def locate(self, node: Node) -> tuple[Block, int] | None:
        """The block and element index of `node` or of the innermost element around it.

        A node inside a nested function literal is located at the statement holding the literal:
        that is where the literal is created (and, for `defer func(){...}()`, registered).
        """
        current: Node | None = node
        while current is not None:
            where = self._where.get(current.id)
            if where is not None:
                return where
            if current.id == self.function.id:
                return None
            current = current.parent
        return None

    def block_of(self, node: Node) -> Block | None:
        where = self.locate(node)
        return where[0] if where is not None else None

    def element_of(self, node: Node) -> Node | None:
        """The element (statement or header part) that holds `node`."""
        where = self.locate(node)
        if where is None:
            return None
        block, index = where
        return block.elements[index] if index < len(block.elements) else None

    def loop(self, for_statement: Node) -> Loop | None:
        return self.loops.get(for_statement.id)

    def can_leave(self, for_statement: Node) -> bool:
        """Whether control can leave the loop from its body, other than by its header ending it
        (a condition turning false, a range running out): a `break` or `goto` out of it (labelled
        or not), a `return`, a `continue` of an outer loop, or a call that never returns, reached
        without passing the header again. The one answer to "does this loop have a way out"."""
        loop = self.loops.get(for_statement.id)
        if loop is None:
            return True  # not a loop of this function: nothing known, claim nothing
        seen = {loop.header.index}
        stack = [loop.body]
        while stack:
            block = stack.pop()
            if block.index in seen:
                continue
            seen.add(block.index)
            if block is loop.after or block.terminal is not None or block.exit_node is not None:
                return True
            stack.extend(block.succs)
        return False

    def runs_forever(self, for_statement: Node) -> bool:
        """An endless loop (see Loop.endless) with no way out of its body."""
        loop = self.loops.get(for_statement.id)
        return loop is not None and loop.endless and not self.can_leave(for_statement)

    # ---- queries --------------------------------------------------------------------------------

    @property
    def exit_nodes(self) -> list[Node]:
        """Every return statement and (if reachable by falling off the end) the closing brace."""
        nodes = [b.exit_node for b in self.blocks if b.exit_node is not None]
        return sorted(nodes, key=lambda n: n.start_byte)

    def _avoided(self, avoid: Avoid) -> Callable[[Node], bool]:
        if avoid is None:
            return lambda node: False
        if callable(avoid):
            return avoid
        ids: set[int] = set()
        for node in avoid:
            element = self.element_of(node)
            if element is not None:
                ids.add(element.id)
        return lambda node: node.id in ids

    def exits_reachable_avoiding(self, start: Node, avoid: Avoid = None) -> list[Node]:
        """Exit nodes (return statements, the closing brace) reachable from just after `start`
        along a path that passes no element matching `avoid` (a predicate on elements, or a
        collection of nodes, each standing for the element that holds it). Sorted by position."""
        where = self.locate(start)
        if where is None:
            return []
        block, index = where
        return self._exits_from([(block, index + 1)], self._avoided(avoid))

    def exits_reachable_from_block(self, block: Block, avoid: Avoid = None) -> list[Node]:
        return self._exits_from([(block, 0)], self._avoided(avoid))

    def path_to_exit_avoiding(self, start: Node, avoid: Avoid = None) -> Node | None:
        """The first (in source order) return statement, or the body's closing brace, that control
        can reach from just after `start` without passing an element matching `avoid`; None when
        every path passes one, loops forever, or terminates (panic, os.Exit, ...)."""
        exits = self.exits_reachable_avoiding(start, avoid)
        return exits[0] if exits else None

    def _exits_from(self, starts: list[tuple[Block, int]], avoided: Callable[[Node], bool]) -> list[Node]:
        found: dict[int, Node] = {}
        entered: set[int] = set()
        queue: deque[tuple[Block, int]] = deque(starts)
        while queue:
            block, index = queue.popleft()
            if index == 0:
                if block.index in entered:
                    continue
                entered.add(block.index)
            if any(avoided(element) for element in block.elements[index:]):
                continue
            if block.exit_node is not None:
                found[block.exit_node.id] = block.exit_node
            for succ in block.succs:
                if succ.index not in entered:
                    queue.append((succ, 0))
        return sorted(found.values(), key=lambda n: n.start_byte)

    def reaches(self, start: Node, target: Node, avoid: Avoid = None) -> bool:
        """Whether control can get from just after `start` to the element holding `target`
        without passing an element matching `avoid` (the target itself is not tested)."""
        where, goal = self.locate(start), self.locate(target)
        if where is None or goal is None:
            return False
        avoided = self._avoided(avoid)
        goal_block, goal_index = goal
        entered: set[int] = set()
        queue: deque[tuple[Block, int]] = deque([(where[0], where[1] + 1)])
        while queue:
            block, index = queue.popleft()
            if index == 0:
                if block.index in entered:
                    continue
                entered.add(block.index)
            if block is goal_block and index <= goal_index:
                if not any(avoided(element) for element in block.elements[index:goal_index]):
                    return True
                continue
            if any(avoided(element) for element in block.elements[index:]):
                continue
            for succ in block.succs:
                if succ.index not in entered:
                    queue.append((succ, 0))
        return False

    def goes_round(self, start: Node, for_statement: Node, avoid: Avoid = None) -> bool:
        """Whether control can get from just after `start`, in the body of `for_statement`, to the
        loop's next iteration (its update or header) without passing an element matching `avoid`."""
        where, loop = self.locate(start), self.loops.get(for_statement.id)
        if where is None or loop is None:
            return False
        avoided = self._avoided(avoid)
        goal = loop.continue_to
        entered: set[int] = set()
        queue: deque[tuple[Block, int]] = deque([(where[0], where[1] + 1)])
        while queue:
            block, index = queue.popleft()
            if index == 0:
                if block is goal:
                    return True
                if block.index in entered:
                    continue
                entered.add(block.index)
            if any(avoided(element) for element in block.elements[index:]):
                continue
            queue.extend((succ, 0) for succ in block.succs if succ is goal or succ.index not in entered)
        return False

    def cheapest_exit(
        self,
        start: Node,
        cost: Callable[[Node], int | None],
        edge_cost: Callable[[Block, Block], int | None] | None = None,
    ) -> tuple[int, Node] | None:
        """The least total `cost` of the elements (and edges) passed from just after `start` to an
        exit, and the first exit (in source order) reached at that cost. An element or edge costing
        None blocks the path. None when no exit is reachable."""
        where = self.locate(start)
        if where is None:
            return None
        start_block, start_index = where

        def block_cost(block: Block, index: int) -> int | None:
            total = 0
            for element in block.elements[index:]:
                c = cost(element)
                if c is None:
                    return None
                total += c
            return total

        best: dict[int, int] = {}  # block index -> least cost on entering it
        exits: list[tuple[int, int, Node]] = []
        first = block_cost(start_block, start_index)
        heap: list[tuple[int, int, int]] = []  # (cost so far after the block, block index, tie)
        if first is not None:
            heap.append((first, start_block.index, 0))
        done: set[int] = set()
        is_start = True
        while heap:
            so_far, index, _ = heapq.heappop(heap)
            block = self.blocks[index]
            if not is_start:
                if index in done:
                    continue
                done.add(index)
            is_start = False
            if block.exit_node is not None:
                exits.append((so_far, block.exit_node.start_byte, block.exit_node))
            for succ in block.succs:
                if succ.index in done:
                    continue
                e = edge_cost(block, succ) if edge_cost is not None else 0
                if e is None:
                    continue
                c = block_cost(succ, 0)
                if c is None:
                    continue
                total = so_far + e + c
                if total < best.get(succ.index, total + 1):
                    best[succ.index] = total
                    heapq.heappush(heap, (total, succ.index, 0))
        if not exits:
            return None
        cost_value, _, node = min(exits, key=lambda e: (e[0], e[1]))
        return cost_value, node

    # ---- dominators -----------------------------------------------------------------------------

    def reachable(self, node: Node) -> bool:
        """Some path from the entry reaches `node` (one after `log.Fatal(…)`, `os.Exit` or a return
        in its block does not); a node the graph does not place counts as reachable."""
        block = self.block_of(node)
        if block is None:
            return True
        if self._reached is None:
            self._reached = frozenset(reached.index for reached in self.reverse_postorder())
        return block.index in self._reached

    def reverse_postorder(self) -> list[Block]:
        """Blocks reachable from the entry, in reverse postorder (iterative depth-first search)."""
        order: list[Block] = []
        seen = {self.entry.index}
        stack: list[tuple[Block, int]] = [(self.entry, 0)]
        while stack:
            block, next_succ = stack[-1]
            if next_succ < len(block.succs):
                stack[-1] = (block, next_succ + 1)
                succ = block.succs[next_succ]
                if succ.index not in seen:
                    seen.add(succ.index)
                    stack.append((succ, 0))
            else:
                stack.pop()
                order.append(block)
        order.reverse()
        return order

    def _dominator_tree(self) -> dict[int, Block | None]:
        """Immediate dominators (Cooper, Harvey and Kennedy's iterative algorithm)."""
        if self._idom is not None:
            return self._idom
        order = self.reverse_postorder()
        number = {block.index: i for i, block in enumerate(order)}
        idom: dict[int, Block] = {self.entry.index: self.entry}

        def intersect(a: Block, b: Block) -> Block:
            while a is not b:
                while number[a.index] > number[b.index]:
                    a = idom[a.index]
                while number[b.index] > number[a.index]:
                    b = idom[b.index]
            return a

        changed = True
        while changed:
            changed = False
            for block in order[1:]:
                new: Block | None = None
                for pred in block.preds:
                    if pred.index not in idom:
                        continue
                    new = pred if new is None else intersect(pred, new)
                if new is not None and idom.get(block.index) is not new:
                    idom[block.index] = new
                    changed = True
        result: dict[int, Block | None] = {index: dom for index, dom in idom.items()}
        result[self.entry.index] = None
        self._idom = result
        return result

    def idom(self, block: Block) -> Block | None:
        return self._dominator_tree().get(block.index)

    def block_dominates(self, a: Block, b: Block) -> bool:
        """Every path from the entry to `b` passes `a` (False when `b` is unreachable)."""
        tree = self._dominator_tree()
        if b.index not in tree:
            return False
        current: Block | None = b
        while current is not None:
            if current is a:
                return True
            current = tree.get(current.index)
        return False

    def dominates(self, a: Node, b: Node) -> bool:
        """The element holding `a` runs before `b` on every path from the function's entry."""
        wa, wb = self.locate(a), self.locate(b)
        if wa is None or wb is None:
            return False
        if wa[0] is wb[0]:
            return wa[1] < wb[1]
        return self.block_dominates(wa[0], wb[0])

    def dominating_elements(self, node: Node) -> list[Node]:
        """Elements that run before `node` on every path from the entry, in source order."""
        where = self.locate(node)
        if where is None:
            return []
        block, index = where
        tree = self._dominator_tree()
        if block.index not in tree:
            return []
        elements = list(block.elements[:index])
        current = tree.get(block.index)
        while current is not None:
            elements.extend(current.elements)
            current = tree.get(current.index)
        return sorted(elements, key=lambda n: n.start_byte)

    def defers_at(self, exit_node: Node) -> list[Node]:
        """The `defer` statements registered on every path that reaches `exit_node` (a return
        statement, or the body's closing brace): their calls run when the function leaves there.
        In source order."""
        block = next((b for b in self.blocks if b.exit_node is not None and b.exit_node.id == exit_node.id), None)
        tree = self._dominator_tree()
        if block is None or block.index not in tree:
            return []
        ids = {node.id for node in self.defers}
        # The exit ends its block, so every element of the block runs before it.
        found = [e for e in block.elements if e.id in ids]
        current = tree.get(block.index)
        while current is not None:
            found.extend(e for e in current.elements if e.id in ids)
            current = tree.get(current.index)
        return sorted(found, key=lambda n: n.start_byte)


def build_cfg(function: Node, model: "FileModel") -> CFG:
    return _Builder(function, model).build()


def terminating_call(model: "FileModel", call: Node) -> str | None:
    """What a call that never returns normally ends: "exit" (the process: `os.Exit`, `log.Fatal`,
    `logger.Fatalw`), "panic" (the builtin, `log.Panicf`), "goroutine" (`runtime.Goexit`,
    `t.FailNow`, `t.Skip`); None for any other call. The one list of such calls: rules ask here."""
    if call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    while function is not None and function.type == "parenthesized_expression" and function.named_child_count == 1:
        function = function.named_children[0]
    if function is None:
        return None
    if function.type == "identifier":
        if model.source.text(function) == "panic" and model.resolve(function).kind == "builtin":
            return "panic"
        return None
    if function.type != "selector_expression":
        return None
    qualified = model.qualified(function)
    if qualified is not None and qualified in _TERMINATING_QUALIFIED:
        return _TERMINATING_QUALIFIED[qualified]
    field = function.child_by_field_name("field")
    return _TERMINATING_METHODS.get(model.source.text(field)) if field is not None else None


def may_terminate(model: "FileModel", call: Node) -> bool:
    """A terminating call, or a call of a helper whose name says it ends things (`exit(code)`,
    `fatalIfErr(err)`, `s.panicOnError(err)`): enough to count as a way out of a loop, though
    the helper may return when nothing went wrong."""
    if terminating_call(model, call) is not None:
        return True
    function = call.child_by_field_name("function") if call.type == "call_expression" else None
    if function is not None and function.type == "selector_expression":
        function = function.child_by_field_name("field")
    return function is not None and function.type in ("identifier", "field_identifier") \
        and _TERMINATING_NAME.fullmatch(model.source.text(function)) is not None


def never_closed(model: "FileModel", channel: Node | None) -> bool:
    """A ticker's channel, which nothing ever closes, so a range over it never ends: `time.Tick(d)`,
    `time.NewTicker(d).C`, `t.C` for a variable declared a `*time.Ticker` (a parameter, a local
    set from `time.NewTicker`), `s.ticker.C`, `heartbeatTicker.C` (a name that says tick), and a
    local that holds one of these and is never given another value (`c := time.Tick(d)`). Any
    other channel may be closed by someone."""
    while channel is not None and channel.type == "parenthesized_expression" and channel.named_child_count == 1:
        channel = channel.named_children[0]
    if channel is None:
        return False
    if channel.type == "identifier":
        binding = model.resolve(channel)
        if binding.kind != "local" or binding.decl is None or binding.function is None:
            return False
        value = single_initialiser(binding.decl)
        return value is not None and value.type != "identifier" and \
            not assigned_again(model, binding.decl, binding.function.node) and never_closed(model, value)
    if channel.type == "call_expression":
        return model.qualified(channel) == "time.Tick"
    if channel.type != "selector_expression":
        return False
    field, operand = channel.child_by_field_name("field"), channel.child_by_field_name("operand")
    if field is None or operand is None or model.source.text(field) != "C":
        return False
    if operand.type == "call_expression":
        return model.qualified(operand) == "time.NewTicker"
    name = operand.child_by_field_name("field") if operand.type == "selector_expression" else operand
    if name is None or name.type not in ("identifier", "field_identifier"):
        return False
    if _TICKER_NAME.search(model.source.text(name)):
        return True
    return operand.type == "identifier" and model.declared_type(model.resolve(operand)) == "*time.Ticker"


_TICKER_NAME = LazyPattern(r"(?i)tick")
# The contexts nothing can cancel: their Done channel is nil.
UNCANCELLABLE = frozenset({"context.Background", "context.TODO"})


def never_done(model: "FileModel", channel: Node | None) -> bool:
    """The Done channel of a context nothing can cancel, which is nil: a receive from it never
    fires. `context.Background().Done()`, `context.TODO().Done()`, or `ctx.Done()` of a local set
    from one of them where it is declared (`ctx := context.Background()`) and never assigned again.
    A context derived from one (`WithCancel`, `WithTimeout`) or handed in is not known never to end."""
    channel = _unparenthesised(channel)
    function = channel.child_by_field_name("function") if channel is not None and channel.type == "call_expression" else None
    arguments = channel.child_by_field_name("arguments") if function is not None else None
    if function is None or function.type != "selector_expression" or arguments is None or arguments.named_child_count:
        return False
    field, operand = function.child_by_field_name("field"), function.child_by_field_name("operand")
    if field is None or operand is None or model.source.text(field) != "Done":
        return False
    if operand.type == "call_expression":
        return model.qualified(operand) in UNCANCELLABLE
    return model.qualified(_kept_call(model, operand)) in UNCANCELLABLE


# Contexts that end only when the program does, or never: the ones nothing cancels and one that
# drops its parent's cancellation (`context.WithoutCancel`); held in a local, also a signal's
# (`ctx, stop := signal.NotifyContext(…)`).
_PROGRAM_CONTEXTS = UNCANCELLABLE | {"context.WithoutCancel"}
_PROGRAM_CONTEXT_LOCALS = _PROGRAM_CONTEXTS | {"os/signal.NotifyContext"}
# cobra's `cmd.Context()`: the context the program gave `ExecuteContext`, or Background.
_COBRA_COMMAND = "*github.com/spf13/cobra.Command"
# fiber v2's `c.Context()` is the request's *fasthttp.RequestCtx, whose Done is the server's: it
# is closed when the server shuts down, not when the request ends.
_FIBER_V2_CTX = "*github.com/gofiber/fiber/v2.Ctx"
_FASTHTTP_REQUEST_CTX = "*github.com/valyala/fasthttp.RequestCtx"
_ENDLESS_CONTEXT_OWNERS = frozenset({_COBRA_COMMAND, _FIBER_V2_CTX})


def program_context(model: "FileModel", expr: Node | None) -> bool:
    """A context that ends only when the program does, or never: `context.Background()`,
    `context.TODO()`, `context.WithoutCancel(…)`, cobra's `cmd.Context()`, a fasthttp request
    context (fiber v2's `c.Context()`, a `*fasthttp.RequestCtx`: its Done is the server's), or a
    local set from one of those or from `signal.NotifyContext(…)` where it is declared and never
    assigned again (`ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)`). A
    context derived with a cancel, a timeout or a deadline ends sooner, and one handed in is not
    known here."""
    expr = _unparenthesised(expr)
    if expr is None:
        return False
    if expr.type == "identifier":
        return model.qualified(_kept_call(model, expr)) in _PROGRAM_CONTEXT_LOCALS or \
            model.declared_type(model.resolve(expr)) == _FASTHTTP_REQUEST_CTX
    if expr.type != "call_expression":
        return False
    if model.qualified(expr) in _PROGRAM_CONTEXTS:
        return True
    function = expr.child_by_field_name("function")
    arguments = expr.child_by_field_name("arguments")
    if function is None or function.type != "selector_expression" or arguments is None or arguments.named_child_count:
        return False
    operand = function.child_by_field_name("operand")
    return model.source.text(function.child_by_field_name("field")) == "Context" and operand.type == "identifier" \
        and model.declared_type(model.resolve(operand)) in _ENDLESS_CONTEXT_OWNERS


def _unparenthesised(node: Node | None) -> Node | None:
    while node is not None and node.type == "parenthesized_expression" and node.named_child_count == 1:
        node = node.named_children[0]
    return node


def _kept_call(model: "FileModel", ident: Node) -> Node | None:
    """The call a local is declared with (`ctx := f()`, `ctx, stop := f()`), when it is never
    assigned again in its function; None otherwise (a parameter, a package variable, a local
    that may hold another value by the time it is read)."""
    from .model import assigned_again, declared_value

    if ident.type != "identifier":
        return None
    binding = model.resolve(ident)
    if binding.kind != "local" or binding.decl is None or binding.function is None:
        return None
    value = declared_value(binding.decl)
    if value is None or value.type != "call_expression" or assigned_again(model, binding.decl, binding.function.node):
        return None
    return value


def terminating_statement(model: "FileModel", statement: Node) -> bool:
    """An expression statement calling something that never returns normally."""
    if statement.type != "expression_statement" or statement.named_child_count != 1:
        return False
    return terminating_call(model, statement.named_children[0]) is not None


# ---- construction --------------------------------------------------------------------------------

# A statement handler is a generator: it yields (statement, current block) to have a nested statement
# built, receives the block control falls out of (None when it does not), and finally returns its
# own fall-out block. The driver runs them on an explicit stack, so depth costs no recursion.
Handler = Generator[tuple[Node, "Block | None"], "Block | None", "Block | None"]


class _Target:
    __slots__ = ("label", "node", "break_to", "continue_to")

    def __init__(self, label: str | None, node: Node, break_to: Block, continue_to: Block | None):
        self.label = label
        self.node = node
        self.break_to = break_to
        self.continue_to = continue_to  # None for switch and select


class _Builder:
    def __init__(self, function: Node, model: "FileModel"):
        self.function = function
        self.model = model
        self.text = model.source.text
        self.cfg = CFG(function)
        self.targets: list[_Target] = []
        self.labels: dict[str, Block] = {}
        self.gotos: list[tuple[Block, str]] = []
        self.pending_label: str | None = None

    def build(self) -> CFG:
        cfg = self.cfg
        body = self.function.child_by_field_name("body")
        if body is None:
            return cfg
        end = self._run(body, cfg.entry)
        if end is not None:
            brace = body.children[-1] if body.children else body
            end.exit_node = brace
            self._edge(end, cfg.exit)
        for block, label in self.gotos:
            target = self.labels.get(label)
            if target is not None:
                self._edge(block, target)
        return cfg

    # ---- plumbing

    def _run(self, node: Node, block: Block | None) -> Block | None:
        stack: list[Handler] = [self._statement(node, block)]
        value: Block | None = None
        while stack:
            try:
                child, current = stack[-1].send(value)
            except StopIteration as done:
                stack.pop()
                value = done.value
                continue
            stack.append(self._statement(child, current))
            value = None
        return value

    def _edge(self, a: Block | None, b: Block) -> None:
        if a is None:
            return
        if b not in a.succs:
            a.succs.append(b)
            b.preds.append(a)

    def _ensure(self, block: Block | None, kind: str = "unreachable") -> Block:
        return block if block is not None else self.cfg._new(kind)

    def _add(self, block: Block, node: Node | None) -> None:
        if node is None:
            return
        self.cfg._where[node.id] = (block, len(block.elements))
        block.elements.append(node)

    def _locate_compound(self, node: Node, block: Block) -> None:
        self.cfg._where.setdefault(node.id, (block, len(block.elements)))

    def _take_label(self) -> str | None:
        label, self.pending_label = self.pending_label, None
        return label

    @staticmethod
    def _statements(node: Node) -> list[Node]:
        """The statements of a block, a case clause or a statement list."""
        out: list[Node] = []
        for child in node.named_children:
            if child.type == "statement_list":
                out.extend(c for c in child.named_children if c.type != "comment")
        return out

    # ---- statements

    def _statement(self, node: Node, block: Block | None) -> Handler:
        kind = node.type
        if kind == "comment":
            return block
        if kind in ("block", "statement_list"):
            statements = self._statements(node) if kind == "block" else [c for c in node.named_children if c.type != "comment"]
            if block is not None:
                self._locate_compound(node, block)
            for statement in statements:
                block = yield statement, block
            return block
        if kind == "if_statement":
            return (yield from self._if(node, block))
        if kind == "for_statement":
            return (yield from self._for(node, block))
        if kind in ("expression_switch_statement", "type_switch_statement"):
            return (yield from self._switch(node, block))
        if kind == "select_statement":
            return (yield from self._select(node, block))
        if kind == "labeled_statement":
            return (yield from self._labeled(node, block))
        block = self._ensure(block)
        self._add(block, node)
        if kind == "return_statement":
            block.exit_node = node
            self._edge(block, self.cfg.exit)
            return None
        if kind in ("break_statement", "continue_statement"):
            target = self._target(node, kind == "continue_statement")
            if target is not None:
                self._edge(block, target)
            return None
        if kind == "goto_statement":
            label = self._label_name(node)
            if label is not None:
                self.gotos.append((block, label))
            return None
        if kind == "defer_statement":
            self.cfg.defers.append(node)
        elif kind == "expression_statement" and terminating_statement(self.model, node):
            block.terminal = node
            self.cfg.terminators.append(node)
            return None
        return block
        yield  # a generator, even for simple statements

    def _label_name(self, node: Node) -> str | None:
        for child in node.named_children:
            if child.type == "label_name":
                return self.text(child)
        return None

    def _target(self, node: Node, is_continue: bool) -> Block | None:
        label = self._label_name(node)
        for target in reversed(self.targets):
            if is_continue and target.continue_to is None:
                continue
            if label is not None and target.label != label:
                continue
            return target.continue_to if is_continue else target.break_to
        return None

    def _labeled(self, node: Node, block: Block | None) -> Handler:
        label = self._label_name(node)
        target = self.cfg._new("label")
        self._edge(block, target)
        if label is not None:
            self.labels[label] = target
        inner = [c for c in node.named_children if c.type not in ("label_name", "comment")]
        self._locate_compound(node, target)
        if not inner:
            return target
        if inner[0].type in ("for_statement", "expression_switch_statement", "type_switch_statement", "select_statement"):
            self.pending_label = label
        return (yield inner[0], target)

    def _if(self, node: Node, block: Block | None) -> Handler:
        block = self._ensure(block)
        self._locate_compound(node, block)
        self._add(block, node.child_by_field_name("initializer"))
        self._add(block, node.child_by_field_name("condition"))
        after = self.cfg._new("if.done")
        then = self.cfg._new("if.then")
        self._edge(block, then)
        consequence = node.child_by_field_name("consequence")
        then_end = (yield consequence, then) if consequence is not None else then
        self._edge(then_end, after)
        alternative = node.child_by_field_name("alternative")
        if alternative is not None:
            other = self.cfg._new("if.else")
            self._edge(block, other)
            other_end = yield alternative, other
            self._edge(other_end, after)
        else:
            self._edge(block, after)
        return after if after.preds else None

    def _for(self, node: Node, block: Block | None) -> Handler:
        label = self._take_label()
        block = self._ensure(block)
        self._locate_compound(node, block)
        update = None
        body = node.child_by_field_name("body")
        kind, condition = loop_header(node)
        for child in node.named_children:
            if child.type == "for_clause":
                self._add(block, child.child_by_field_name("initializer"))
                update = child.child_by_field_name("update")
        header = self.cfg._new("for.header")
        self._edge(block, header)
        self._add(header, condition)
        entry = self.cfg._new("for.body")
        self._edge(header, entry)
        after = self.cfg._new("for.done")
        endless = kind == FOREVER or (kind == RANGE and never_closed(self.model, condition.child_by_field_name("right")))
        if not endless:
            self._edge(header, after)
        continue_to = header
        if update is not None:
            continue_to = self.cfg._new("for.post")
            self._add(continue_to, update)
            self._edge(continue_to, header)
        self.cfg.loops[node.id] = Loop(node, header, entry, after, continue_to, endless)
        self.targets.append(_Target(label, node, after, continue_to))
        end = (yield body, entry) if body is not None else entry
        self.targets.pop()
        self._edge(end, continue_to)
        return after if after.preds else None

    def _switch(self, node: Node, block: Block | None) -> Handler:
        label = self._take_label()
        block = self._ensure(block)
        self._locate_compound(node, block)
        self._add(block, node.child_by_field_name("initializer"))
        self._add(block, node.child_by_field_name("value"))
        cases = [c for c in node.named_children if c.type in ("expression_case", "type_case", "default_case")]
        after = self.cfg._new("switch.done")
        entries = []
        for case in cases:
            entry = self.cfg._new("switch.case")
            self._edge(block, entry)
            self._locate_compound(case, entry)
            value = case.child_by_field_name("value")
            if value is not None:
                # Case expressions are evaluated in the switch, before a case is chosen.
                self._add(block, value)
            entries.append(entry)
        if not any(c.type == "default_case" for c in cases):
            self._edge(block, after)
        self.targets.append(_Target(label, node, after, None))
        for i, case in enumerate(cases):
            statements = self._statements(case)
            end: Block | None = entries[i]
            for statement in statements:
                end = yield statement, end
            if statements and statements[-1].type == "fallthrough_statement" and i + 1 < len(entries):
                self._edge(end, entries[i + 1])
            else:
                self._edge(end, after)
        self.targets.pop()
        return after if after.preds else None

    def _select(self, node: Node, block: Block | None) -> Handler:
        label = self._take_label()
        block = self._ensure(block)
        self._locate_compound(node, block)
        cases = [c for c in node.named_children if c.type in ("communication_case", "default_case")]
        if not cases:
            # `select {}` blocks forever.
            block.terminal = node
            self.cfg.terminators.append(node)
            return None
        after = self.cfg._new("select.done")
        self.targets.append(_Target(label, node, after, None))
        for case in cases:
            entry = self.cfg._new("select.case")
            communication = case.child_by_field_name("communication")
            received = communication.child_by_field_name("right") if communication is not None and \
                communication.type == "receive_statement" else communication
            if not (received is not None and received.type == "unary_expression"
                    and never_done(self.model, received.child_by_field_name("operand"))):
                self._edge(block, entry)  # a case on a Done channel that is nil never fires: no way in
            self._locate_compound(case, entry)
            self._add(entry, case.child_by_field_name("communication"))
            end: Block | None = entry
            for statement in self._statements(case):
                end = yield statement, end
            self._edge(end, after)
        self.targets.pop()
        return after if after.preds else None
