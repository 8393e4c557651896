"""The control-flow graph: one small function per construct, asked the questions rules ask."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from goleaklint.model import FileModel
from goleaklint.source import SourceFile, new_parser


class Func:
    """A parsed function and its graph, with nodes found by their text."""

    def __init__(self, body: str, header: str = "func f(t *testing.T, ch chan int, ctx context.Context) int", extra: str = ""):
        self.text = f'package p\n\nimport (\n\t"log"\n\t"os"\n\t"runtime"\n)\n\n{extra}{header} {{\n{body}\n}}\n'
        self.source = SourceFile(Path("p.go"), "p.go", self.text.encode(), new_parser())
        self.model = FileModel(self.source)
        self.function = next(fn for fn in self.model.functions if fn.kind != "literal" and fn.name == "f")
        self.cfg = self.function.cfg

    def node(self, snippet: str, nth: int = 0):
        data = self.source.data
        start = -1
        for _ in range(nth + 1):
            start = data.index(snippet.encode(), start + 1)
        return self.source.root.named_descendant_for_byte_range(start, start + len(snippet.encode()))

    def line(self, node) -> int:
        return node.start_point[0] + 1 if node is not None else None

    def exit_text(self, start: str, avoid: list[str] = ()):
        node = self.cfg.path_to_exit_avoiding(self.node(start), [self.node(a) for a in avoid])
        if node is None:
            return None
        return self.source.text(node)

    def exits(self, start: str, avoid: list[str] = ()) -> list[str]:
        return [self.source.text(n) for n in self.cfg.exits_reachable_avoiding(self.node(start), [self.node(a) for a in avoid])]


def test_straight_line_falls_off_the_closing_brace():
    f = Func("\ta := 1\n\tuse(a)", header="func f()")
    assert f.exit_text("a := 1") == "}"
    assert f.exit_text("a := 1", avoid=["use(a)"]) is None
    assert [f.source.text(n) for n in f.cfg.exit_nodes] == ["}"]


def test_if_without_else_has_a_path_around_the_branch():
    f = Func("\ta := 1\n\tif a > 0 {\n\t\tuse(a)\n\t}\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(a)"]) == "return 0"


def test_if_else_both_using_blocks_every_path():
    f = Func("\ta := 1\n\tif a > 0 {\n\t\tuse(a)\n\t} else {\n\t\tuse2(a)\n\t}\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(a)", "use2(a)"]) is None
    assert f.exit_text("a := 1", avoid=["use(a)"]) == "return 0"


def test_else_if_chain_and_early_return():
    f = Func("\ta := 1\n\tif a > 0 {\n\t\treturn 1\n\t} else if a < 0 {\n\t\treturn 2\n\t}\n\tuse(a)\n\treturn 3")
    assert f.exits("a := 1", avoid=["use(a)"]) == ["return 1", "return 2"]
    assert f.exits("a := 1") == ["return 1", "return 2", "return 3"]


def test_if_condition_and_initialiser_are_elements():
    f = Func("\tif err := use(ch); err != nil {\n\t\treturn 1\n\t}\n\treturn 2")
    assert f.cfg.element_of(f.node("use(ch)")).type == "short_var_declaration"
    assert f.exit_text("err != nil") == "return 1"


def test_for_clause_may_run_zero_times_and_loops_back():
    f = Func("\ta := 1\n\tfor i := 0; i < 3; i++ {\n\t\tuse(a)\n\t}\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(a)"]) == "return 0"
    # From inside the body, the back edge goes through the update and the condition.
    assert f.cfg.reaches(f.node("use(a)"), f.node("i++"))
    assert f.cfg.reaches(f.node("use(a)"), f.node("use(a)"))
    assert not f.cfg.reaches(f.node("use(a)"), f.node("use(a)"), avoid=[f.node("i < 3")])


def test_goes_round_unless_every_way_to_the_next_iteration_passes_the_avoided_element():
    body = ("\tfor _, n := range ns {\n\t\tdefer done(n)\n\t\tif n > 1 {\n\t\t\tclose1(n)\n\t\t\tcontinue\n\t\t}\n"
            "\t\tif n > 2 {\n\t\t\treturn\n\t\t}\n\t\tclose2(n)\n\t}")
    f = Func(body, header="func f(ns []int)")
    loop = f.node("for _, n := range ns")
    while loop.type != "for_statement":
        loop = loop.parent
    defer = f.node("defer done(n)")
    assert f.cfg.goes_round(defer, loop)
    assert f.cfg.goes_round(defer, loop, avoid=[f.node("close1(n)")])  # the way past the first if
    assert not f.cfg.goes_round(defer, loop, avoid=[f.node("close1(n)"), f.node("close2(n)")])  # a return leaves


def test_bare_for_leaves_only_by_break_or_return():
    f = Func("\ta := 1\n\tfor {\n\t\tuse(a)\n\t}\n\treturn 0")
    assert f.exit_text("a := 1") is None  # loops forever
    g = Func("\ta := 1\n\tfor {\n\t\tif x() {\n\t\t\tbreak\n\t\t}\n\t\tuse(a)\n\t}\n\treturn 0")
    assert g.exit_text("a := 1", avoid=["use(a)"]) == "return 0"  # breaks out before the use


def test_for_with_condition_only():
    f = Func("\ta := 1\n\tfor a < 10 {\n\t\tuse(a)\n\t}\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(a)"]) == "return 0"
    assert f.exit_text("a := 1", avoid=["a < 10"]) is None


@pytest.mark.parametrize("clause", ["for range 10", "for i := range n", "for x := range seq", "for k, v := range m"])
def test_range_forms_may_run_zero_times(clause):
    f = Func(f"\ta := 1\n\t{clause} {{\n\t\tuse(a)\n\t}}\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(a)"]) == "return 0"
    loop = f.cfg.loop(f.node(clause).parent if f.node(clause).type != "for_statement" else f.node(clause))
    assert loop is not None and loop.header.elements[0].type == "range_clause"


def test_labelled_break_and_continue_leave_the_outer_loop():
    body = (
        "\ta := 1\nouter:\n\tfor i := 0; i < 3; i++ {\n\t\tfor {\n\t\t\tif x() {\n\t\t\t\tbreak outer\n\t\t\t}\n"
        "\t\t\tif y() {\n\t\t\t\tcontinue outer\n\t\t\t}\n\t\t\tuse(a)\n\t\t}\n\t}\n\treturn 0"
    )
    f = Func(body)
    # Without the labels the inner `for {}` could never be left; with them there is a way out.
    assert f.exit_text("a := 1", avoid=["use(a)"]) == "return 0"
    assert f.cfg.reaches(f.node("continue outer"), f.node("i++"))
    assert not f.cfg.reaches(f.node("break outer"), f.node("i++"))


def test_unlabelled_break_in_switch_leaves_only_the_switch():
    f = Func("\tfor {\n\t\tswitch x() {\n\t\tcase 1:\n\t\t\tbreak\n\t\t}\n\t\tuse(ch)\n\t}\n\treturn 0")
    assert f.cfg.reaches(f.node("break"), f.node("use(ch)"))
    assert f.exit_text("x()") is None


def test_break_in_select_inside_loop_stays_in_the_loop():
    f = Func("\tfor {\n\t\tselect {\n\t\tcase <-ch:\n\t\t\tbreak\n\t\t}\n\t}\n\treturn 0")
    assert f.exit_text("<-ch") is None


def test_goto_forward_and_backward():
    f = Func("\ta := 1\n\tif a > 0 {\n\t\tgoto done\n\t}\n\tuse(a)\ndone:\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(a)"]) == "return 0"
    g = Func("again:\n\ta := x()\n\tif a > 0 {\n\t\tgoto again\n\t}\n\treturn 0")
    assert g.cfg.reaches(g.node("goto again"), g.node("a := x()"))


def test_switch_without_default_can_skip_every_case():
    f = Func("\ta := 1\n\tswitch a {\n\tcase 1:\n\t\tuse(a)\n\tcase 2:\n\t\tuse2(a)\n\t}\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(a)", "use2(a)"]) == "return 0"
    g = Func("\ta := 1\n\tswitch a {\n\tcase 1:\n\t\tuse(a)\n\tdefault:\n\t\tuse2(a)\n\t}\n\treturn 0")
    assert g.exit_text("a := 1", avoid=["use(a)", "use2(a)"]) is None


def test_fallthrough_enters_the_next_case():
    f = Func("\ta := 1\n\tswitch {\n\tcase a > 0:\n\t\tprep()\n\t\tfallthrough\n\tcase a > 1:\n\t\tuse(a)\n\tdefault:\n\t\tuse(a)\n\t}\n\treturn 0")
    assert f.exit_text("prep()", avoid=["use(a)"]) is None
    g = Func("\ta := 1\n\tswitch {\n\tcase a > 0:\n\t\tprep()\n\tcase a > 1:\n\t\tuse(a)\n\t}\n\treturn 0")
    assert g.exit_text("prep()", avoid=["use(a)"]) == "return 0"


def test_type_switch_cases():
    f = Func("\tvar v any = ch\n\tswitch x := v.(type) {\n\tcase int:\n\t\treturn x\n\tcase string:\n\t\tuse(x)\n\t}\n\treturn 0")
    assert f.exits("var v any = ch") == ["return x", "return 0"]
    assert f.exits("var v any = ch", avoid=["use(x)", "return x"]) == ["return 0"]
    assert f.cfg.block_of(f.node("x :=")) is not None


def test_select_without_default_waits_for_a_case():
    f = Func("\tgo work(ch)\n\tselect {\n\tcase v := <-ch:\n\t\treturn v\n\tcase <-ctx.Done():\n\t\treturn -1\n\t}")
    assert f.exits("go work(ch)") == ["return v", "return -1"]
    assert f.exits("go work(ch)", avoid=["v := <-ch"]) == ["return -1"]
    # The communication is the first element of its case.
    assert f.cfg.element_of(f.node("<-ctx.Done()")).type == "receive_statement"


def test_select_with_default_and_empty_select():
    f = Func("\tselect {\n\tcase v := <-ch:\n\t\tuse(v)\n\tdefault:\n\t}\n\treturn 0")
    assert f.exit_text("select", avoid=["use(v)"]) == "return 0"
    g = Func("\tstart()\n\tselect {}\n\treturn 0")
    assert g.exit_text("start()") is None
    assert [n.type for n in g.cfg.terminators] == ["select_statement"]


@pytest.mark.parametrize("call", ['panic("x")', "os.Exit(1)", 'log.Fatal("x")', 'log.Fatalf("x")', 'log.Fatalln("x")',
                                  'log.Panicf("x")', 't.Fatal("x")', 't.Fatalf("x")', "t.FailNow()", 't.Skip("x")',
                                  "runtime.Goexit()", 'sugar.Fatalw("x")', 'klog.Exitf("x")', "logger.Exit(1)",
                                  "(os.Exit)(1)"])
def test_terminating_calls_do_not_reach_the_exit(call):
    f = Func(f"\ta := 1\n\tif a > 0 {{\n\t\t{call}\n\t}}\n\tuse(a)\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(a)"]) is None
    assert len(f.cfg.terminators) == 1


def test_a_shadowed_panic_is_an_ordinary_call():
    f = Func("\tpanic := func(string) {}\n\tif ch != nil {\n\t\tpanic(\"x\")\n\t\treturn 1\n\t}\n\treturn 0")
    assert f.exits("panic :=") == ["return 1", "return 0"]
    g = Func("\tif ch != nil {\n\t\tpanic(\"x\")\n\t\treturn 1\n\t}\n\treturn 0")
    assert g.exits("ch != nil") == ["return 0"]


@pytest.mark.parametrize("call, ends", [
    ('panic("x")', "panic"), ("os.Exit(1)", "exit"), ('log.Fatalf("x")', "exit"), ('zap.Fatalw("x")', "exit"),
    ('log.Panicln("x")', "panic"), ("runtime.Goexit()", "goroutine"), ("t.FailNow()", "goroutine"),
    ('t.Skip("x")', "goroutine"), ('log.Printf("x")', None), ("exit(1)", None), ("fatalIfErr(err)", None),
])
def test_terminating_call_says_what_ends(call, ends):
    from goleaklint.cfg import may_terminate, terminating_call

    f = Func(f"\t{call}\n\treturn 0")
    node = f.node(call)
    while node.type != "call_expression":
        node = node.parent
    assert terminating_call(f.model, node) == ends
    # A helper named for what it does may end things (a way out of a loop) but may also return.
    assert may_terminate(f.model, node) == (ends is not None or call.startswith(("exit", "fatal")))
    assert (len(f.cfg.terminators) == 1) == (ends is not None)


def test_a_log_print_is_not_terminating():
    f = Func('\tif ch != nil {\n\t\tlog.Printf("x")\n\t\treturn 1\n\t}\n\treturn 0')
    assert f.cfg.terminators == []


def test_defers_are_recorded_where_they_are_registered():
    f = Func("\tdefer cleanup()\n\tif x() {\n\t\tdefer other()\n\t\treturn 1\n\t}\n\treturn 0")
    assert [f.source.text(d) for d in f.cfg.defers] == ["defer cleanup()", "defer other()"]
    assert f.exit_text("defer cleanup()", avoid=["defer other()"]) == "return 0"


def test_defers_at_each_exit_are_those_registered_on_every_path_to_it():
    f = Func("\tdefer cleanup()\n\tif x() {\n\t\tdefer other()\n\t\treturn 1\n\t}\n\tif y() {\n\t\tdefer third()\n\t}\n\treturn 0")
    at = {f.source.text(e): [f.source.text(d) for d in f.cfg.defers_at(e)] for e in f.cfg.exit_nodes}
    # `defer third()` runs at `return 0` only when y() held: not on every path, so not listed.
    assert at == {"return 1": ["defer cleanup()", "defer other()"], "return 0": ["defer cleanup()"]}
    g = Func("\tdefer cleanup()\n\tuse(ch)", header="func f()")
    assert [g.source.text(d) for d in g.cfg.defers_at(g.cfg.exit_nodes[0])] == ["defer cleanup()"]
    assert g.source.text(g.cfg.exit_nodes[0]) == "}"


def test_deferred_closure_is_one_element_where_it_is_registered():
    f = Func("\tdefer func() {\n\t\tuse(ch)\n\t}()\n\treturn 0")
    assert f.cfg.element_of(f.node("use(ch)")).type == "defer_statement"
    assert [f.source.text(d).split("\n")[0] for d in f.cfg.defers_at(f.node("return 0"))] == ["defer func() {"]


def test_labelled_break_out_of_select_and_switch_inside_a_loop():
    f = Func("loop:\n\tfor {\n\t\tselect {\n\t\tcase <-ch:\n\t\t\tbreak loop\n\t\tcase <-ctx.Done():\n\t\t}\n\t}\n\treturn 0")
    assert f.exit_text("<-ch") == "return 0"
    # The other case only goes round the loop again: the way out is through `<-ch`.
    assert f.exit_text("<-ctx.Done()", avoid=["<-ch"]) is None
    g = Func("loop:\n\tfor {\n\t\tswitch x() {\n\t\tcase 1:\n\t\t\tbreak loop\n\t\tcase 2:\n\t\t\tcontinue loop\n\t\t}\n\t\tuse(ch)\n\t}\n\treturn 0")
    assert g.exit_text("x()", avoid=["use(ch)"]) == "return 0"
    assert not g.cfg.reaches(g.node("continue loop"), g.node("use(ch)"), avoid=[g.node("x()")])


def test_select_send_case_and_switch_initialiser_are_elements():
    f = Func("\tswitch v := x(); v {\n\tcase 1:\n\t\treturn 1\n\t}\n\tselect {\n\tcase ch <- 1:\n\t\treturn 2\n\tdefault:\n\t}\n\treturn 0")
    assert f.cfg.element_of(f.node("v := x()")).type == "short_var_declaration"
    assert f.cfg.element_of(f.node("ch <- 1")).type == "send_statement"
    assert f.exits("v := x()", avoid=["ch <- 1"]) == ["return 1", "return 0"]


def test_nested_func_literal_is_not_part_of_the_graph():
    f = Func("\tdone := func() int {\n\t\treturn 5\n\t}\n\tgo func() {\n\t\tfor {\n\t\t}\n\t}()\n\tuse(done)\n\treturn 0")
    assert [f.source.text(n) for n in f.cfg.exit_nodes] == ["return 0"]
    # A node inside a literal is located at the statement that creates the literal.
    assert f.cfg.element_of(f.node("return 5")).type == "short_var_declaration"
    literal = next(fn for fn in f.model.functions if fn.kind == "literal")
    assert [f.source.text(n) for n in literal.cfg.exit_nodes] == ["return 5"]


def test_function_cfg_is_built_once():
    f = Func("\treturn 0")
    assert f.function.cfg is f.cfg


def test_dominators():
    f = Func("\ta := 1\n\tif a > 0 {\n\t\tb := 2\n\t\treturn b\n\t}\n\tc := 3\n\treturn c")
    dominating = [f.source.text(n) for n in f.cfg.dominating_elements(f.node("return b"))]
    assert dominating == ["a := 1", "a > 0", "b := 2"]
    assert f.cfg.dominates(f.node("a := 1"), f.node("return c"))
    assert not f.cfg.dominates(f.node("b := 2"), f.node("return c"))
    assert not f.cfg.dominates(f.node("return c"), f.node("c := 3"))


def test_loop_header_dominates_its_body_not_what_follows_a_break():
    f = Func("\tfor i := 0; i < 3; i++ {\n\t\tuse(i)\n\t}\n\treturn 0")
    assert f.cfg.dominates(f.node("i < 3"), f.node("use(i)"))
    assert not f.cfg.dominates(f.node("use(i)"), f.node("return 0"))


def test_cheapest_exit_counts_elements_on_the_way():
    f = Func("\tgo a()\n\tr := <-ch\n\tif r > 0 {\n\t\treturn 1\n\t}\n\ts := <-ch\n\treturn s")
    receive = lambda node: 1 if "<-ch" in f.source.text(node) else 0
    cost, node = f.cfg.cheapest_exit(f.node("go a()"), receive)
    assert (cost, f.source.text(node)) == (1, "return 1")
    blocked = lambda node: None if f.source.text(node) == "s := <-ch" else receive(node)
    assert f.source.text(f.cfg.cheapest_exit(f.node("go a()"), blocked)[1]) == "return 1"


def test_ten_thousand_statements_and_deep_nesting():
    body = "\n".join(f"\tx{i} := use({i})" for i in range(10_000)) + "\n\treturn 0"
    start = time.perf_counter()
    f = Func(body)
    assert f.exit_text("x0 :=") == "return 0"
    assert f.cfg.dominates(f.node("x0 :="), f.node("return 0"))
    assert time.perf_counter() - start < 5
    depth = 1500
    nested = "".join("\t" + "if x() {\n" for _ in range(depth)) + "\tuse(ch)\n\treturn 1\n" + "}\n" * depth + "\treturn 0"
    g = Func("\ta := 1\n" + nested)
    assert g.exits("a := 1") == ["return 1", "return 0"]
    assert g.exits("a := 1", avoid=["use(ch)"]) == ["return 0"]
    assert len(g.cfg.dominating_elements(g.node("return 1"))) == depth + 2


def test_deep_loops_switches_and_selects_need_no_recursion():
    depth = 1200  # past Python's default recursion limit of 1000
    opening = ["for {\n", "switch x() {\ncase 1:\n", "select {\ncase <-ch:\n"]
    closing = ["}\n", "}\n", "}\n"]
    body = "".join(opening[i % 3] for i in range(depth))
    body += "if y() {\nbreak outer\n}\nuse(ch)\n"
    body += "".join(closing[i % 3] for i in reversed(range(depth)))
    f = Func("\ta := 1\nouter:\n\tfor {\n" + body + "\t}\n\treturn 0")
    assert f.exit_text("a := 1", avoid=["use(ch)"]) == "return 0"
    assert f.exit_text("a := 1", avoid=["break outer"]) is None
    assert f.cfg.dominates(f.node("a := 1"), f.node("use(ch)"))


@pytest.mark.parametrize("loop, endless, leaves", [
    ("for {\n\t\twork()\n\t}", True, False),
    ("for ;; {\n\t\twork()\n\t}", True, False),
    ("for range time.Tick(d) {\n\t\twork()\n\t}", True, False),
    ("for range tk.C {\n\t\twork()\n\t}", True, False),  # declared *time.Ticker
    ("for range ch {\n\t\twork()\n\t}", False, False),  # ends when ch is closed
    ("for ok() {\n\t\twork()\n\t}", False, False),
    ("for {\n\t\tif ok() {\n\t\t\tbreak\n\t\t}\n\t}", True, True),
    ("for {\n\t\tif ok() {\n\t\t\treturn 1\n\t\t}\n\t}", True, True),
    ("for {\n\t\tif ok() {\n\t\t\tlog.Fatal(1)\n\t\t}\n\t}", True, True),
    ("for {\n\t\tselect {\n\t\tcase <-ch:\n\t\t\tbreak\n\t\t}\n\t}", True, False),  # leaves the select only
    ("L:\n\tfor {\n\t\tselect {\n\t\tcase <-ch:\n\t\t\tbreak L\n\t\t}\n\t}", True, True),
    ("for {\n\t\tgo func() {\n\t\t\treturn\n\t\t}()\n\t}", True, False),  # the literal's return
    ("for {\n\t\tif ok() {\n\t\t\tgoto done\n\t\t}\n\t}\ndone:\n\treturn 0", True, True),
    ("again:\n\tfor {\n\t\tif ok() {\n\t\t\tgoto again\n\t\t}\n\t}", True, False),  # starts the loop over
])
def test_how_a_loop_is_left(loop, endless, leaves):
    f = Func(f"\t{loop}\n\treturn 0", header="func f(ch chan int, d time.Duration, tk *time.Ticker) int",
             extra='import "time"\n\n')
    node = f.node("for ")
    cfg = f.cfg
    assert cfg.loop(node).endless is endless
    assert cfg.can_leave(node) is leaves
    assert cfg.runs_forever(node) is (endless and not leaves)


@pytest.mark.parametrize("loop, kind", [
    ("for {\n}", "forever"),
    ("for ;; {\n}", "forever"),
    ("for i := 0; i < 3; i++ {\n}", "counted"),
    ("for i := 0; i < b.N; i++ {\n}", "benchmark"),
    ("for b.Loop() {\n}", "benchmark"),
    ("for range b.N {\n}", "benchmark"),
    ("for running {\n}", "while"),
    ("for v := range ch {\n\t_ = v\n}", "range"),
    ("for _, n := range []int{1, 2} {\n\t_ = n\n}", "range"),
])
def test_loop_header_kinds(loop, kind):
    from goleaklint.cfg import loop_header

    fn = Func(f"\tvar running bool\n\tvar b struct{{ N int; Loop func() bool }}\n\t{loop}\n\treturn 0")
    statement = fn.node("for ")
    while statement.type != "for_statement":
        statement = statement.parent
    assert loop_header(statement)[0] == kind
