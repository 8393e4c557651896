"""Per-function effect summaries (linter/effects.py): what a function does to its parameters, and
whether it does slow work, followed through the package's own calls."""

from __future__ import annotations

from pathlib import Path

from goleaklint.context import FileContext, PackageContext, PackageScope
from goleaklint.effects import (CALLS, CLOSES, CLOSES_BODY, DRAINS, DRAINS_BODY, HANDS_ON, RANGES, READS_BODY, RECEIVES,
                                SENDS, WAITS, FunctionEffects)
from goleaklint.source import SourceFile, new_parser

HEADER = """package svc

import (
	"context"
	"database/sql"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"sync"
	"time"
)

var db *sql.DB
var kept []*http.Response

type Store struct{ client *http.Client }
"""


def _package(files: dict[str, str]) -> PackageContext:
    contexts: list[FileContext] = []
    scope = PackageScope(contexts)
    for relpath, text in files.items():
        contexts.append(FileContext(SourceFile(Path(relpath), relpath, text.encode(), new_parser()), None, scope))
    pkg = PackageContext(".", contexts, frozenset(files), None, scope)
    for ctx in contexts:
        ctx.package = pkg
    return pkg


def _effects(pkg: PackageContext, name: str) -> FunctionEffects:
    found = pkg.facts.functions.function(name)
    assert found is not None, name
    return pkg.facts.effects.effects(*found)


def _one(body: str, name: str) -> FunctionEffects:
    return _effects(_package({"a.go": HEADER + body}), name)


def test_closing_a_body_directly_deferred_or_in_a_deferred_literal():
    pkg = _package({"a.go": HEADER + """
func direct(resp *http.Response) { resp.Body.Close() }
func deferred(resp *http.Response) { defer resp.Body.Close(); io.ReadAll(resp.Body) }
func literal(resp *http.Response) { defer func() { _ = resp.Body.Close() }() }
func closer(c io.Closer) { c.Close() }
"""})
    assert CLOSES_BODY in _effects(pkg, "direct").params[0]
    assert _effects(pkg, "deferred").params[0] == {CLOSES_BODY, READS_BODY, DRAINS_BODY}
    assert CLOSES_BODY in _effects(pkg, "literal").params[0]
    assert _effects(pkg, "closer").params[0] == {CLOSES}


def test_a_reader_reads_the_body_without_closing_or_handing_it_on():
    effects = _one("""
func decode(resp *http.Response, out any) error {
	if resp.StatusCode != http.StatusOK {
		return nil
	}
	log.Printf("status %d", resp.StatusCode)
	return json.NewDecoder(resp.Body).Decode(out)
}
""", "decode")
    assert effects.params[0] == {READS_BODY}
    assert effects.params[1] == {HANDS_ON}  # passed to Decode, a method we cannot see into


def test_handing_on_stored_returned_sent_or_passed_to_an_unknown_call():
    pkg = _package({"a.go": HEADER + """
func store(resp *http.Response) { kept = append(kept, resp) }
func field(s *Store, resp *http.Response) { s.last = resp }
func ret(resp *http.Response) *http.Response { return resp }
func sent(ch chan *http.Response, resp *http.Response) { ch <- resp }
func unknown(resp *http.Response) { other.Take(resp) }
func body(resp *http.Response) io.ReadCloser { return resp.Body }
"""})
    for name in ("store", "field", "ret", "unknown", "body"):
        assert HANDS_ON in _effects(pkg, name).params[-1], name
    sent = _effects(pkg, "sent")
    assert sent.params == [frozenset({SENDS}), frozenset({HANDS_ON})]


def test_effects_follow_package_calls_across_files_and_methods():
    pkg = _package({
        "a.go": HEADER + """
func fetch(s *Store, resp *http.Response) error {
	defer s.finish(resp)
	return nil
}
func viaBody(resp *http.Response) { closeQuietly(resp.Body) }
func viaReader(resp *http.Response) { readAll(resp.Body) }
func viaLiteral(resp *http.Response) { func(r *http.Response) { r.Body.Close() }(resp) }
""",
        "b.go": """package svc

import "io"

func (s *Store) finish(r *http.Response) { closeBody(r) }
func closeBody(r *http.Response) { r.Body.Close() }
func closeQuietly(c io.Closer) { _ = c.Close() }
func readAll(r io.Reader) []byte { b, _ := io.ReadAll(r); return b }
""",
    })
    assert CLOSES_BODY in _effects(pkg, "fetch").params[1]
    assert _effects(pkg, "fetch").params[0] == frozenset()
    assert _effects(pkg, "viaBody").params[0] == {CLOSES_BODY}
    assert _effects(pkg, "viaReader").params[0] == {READS_BODY, DRAINS_BODY}
    assert _effects(pkg, "viaLiteral").params[0] == {CLOSES_BODY}


def test_channels_cancel_funcs_and_waits():
    pkg = _package({"a.go": HEADER + """
func producer(out chan<- int, done chan struct{}) {
	defer close(done)
	out <- 1
}
func consumer(in <-chan int, quit chan bool) {
	for v := range in {
		_ = v
	}
	<-quit
}
func stop(cancel context.CancelFunc, wg *sync.WaitGroup) {
	cancel()
	wg.Wait()
}
func forward(ch chan int) { producer(ch, nil) }
"""})
    producer = _effects(pkg, "producer")
    assert producer.params == [frozenset({SENDS}), frozenset({CLOSES})]
    assert [u.effect for u in producer.uses[0]] == [SENDS] and producer.uses[0][0].direct
    assert _effects(pkg, "consumer").params == [frozenset({RANGES}), frozenset({RECEIVES})]
    assert _effects(pkg, "stop").params == [frozenset({CALLS}), frozenset({WAITS})]
    forward = _effects(pkg, "forward")
    assert forward.params[0] == {SENDS}
    assert 0 not in forward.uses  # sent on by producer, not here: no node of its own


def test_recursion_reaches_a_fixpoint():
    pkg = _package({"a.go": HEADER + """
func even(n int, resp *http.Response) {
	if n == 0 {
		resp.Body.Close()
		return
	}
	odd(n-1, resp)
}
func odd(n int, resp *http.Response) { even(n-1, resp) }
func self(n int, ch chan int) {
	if n > 0 {
		self(n-1, ch)
	}
	ch <- n
}
"""})
    assert _effects(pkg, "odd").params[1] == {CLOSES_BODY}
    assert _effects(pkg, "even").params[1] == {CLOSES_BODY}
    assert _effects(pkg, "self").params[1] == {SENDS}


def test_slow_work_is_followed_through_package_calls():
    pkg = _package({"a.go": HEADER + """
func doHeavyTask() string {
	time.Sleep(5 * time.Second)
	return "done"
}
func report() { doHeavyTask() }
func lookup(id string) { db.Query("SELECT 1"); http.Get("http://x/" + id) }
func query() { db.Query("SELECT 1") }
func sync2() { report(); lookup("x") }
func fast(a, b int) int { return a + b }
func callsFast() int { return fast(1, 2) }
func bounded(ctx context.Context) { time.Sleep(time.Second); http.Get("http://x") }
func callsBounded() { bounded(context.Background()) }
func spawns() { go doHeavyTask() }
func later() { go func() { lookup("y") }() }
func loopA(n int) { if n > 0 { loopB(n - 1) } }
func loopB(n int) { loopA(n); time.Sleep(time.Millisecond) }
"""})
    heavy = _effects(pkg, "doHeavyTask").slow
    assert heavy is not None and not heavy.may_hang and heavy.via == ()
    report = _effects(pkg, "report").slow
    assert report is not None and report.via == ("doHeavyTask",)
    assert report.described() == "calls `doHeavyTask`, which sleeps (time.Sleep)"
    both = _effects(pkg, "sync2").slow
    assert both is not None and both.may_hang and both.via == ("lookup",)  # a request may hang; a sleep ends
    assert "makes an HTTP request (http.Get)" in both.described()
    query = _effects(pkg, "query").slow  # a query ends when the database answers, as a sleep ends
    assert query is not None and not query.may_hang and "queries the database (db.Query" in query.described()
    for name in ("fast", "callsFast", "bounded", "callsBounded", "spawns", "later"):
        assert _effects(pkg, name).slow is None, name
    loop = _effects(pkg, "loopA").slow
    assert loop is not None and loop.via == ("loopB",)


def test_a_chain_of_calls_is_named_in_order():
    pkg = _package({"a.go": HEADER + """
func a() { b() }
func b() { c() }
func c() { http.Get("http://example.com") }
"""})
    slow = _effects(pkg, "a").slow
    assert slow is not None and slow.via == ("b", "c")
    assert slow.described() == "calls `b`, which calls `c`, which makes an HTTP request (http.Get)"


def test_summaries_are_built_once_and_only_for_what_is_asked(monkeypatch):
    from goleaklint import effects as module

    built: list[str] = []
    original = module.PackageEffects._local_facts

    def counting(self, ctx, function):
        built.append(function.name)
        return original(self, ctx, function)

    monkeypatch.setattr(module.PackageEffects, "_local_facts", counting)
    pkg = _package({"a.go": HEADER + """
func a(resp *http.Response) { b(resp) }
func b(resp *http.Response) { resp.Body.Close() }
func unrelated() { time.Sleep(time.Second) }
"""})
    _effects(pkg, "a")
    _effects(pkg, "b")
    _effects(pkg, "a")
    assert sorted(built) == ["a", "b"]


def test_uses_in_a_nested_literal_count_but_are_not_direct():
    pkg = _package({"a.go": HEADER + """
func later(ch chan int) {
	go func() { ch <- 1 }()
}
func keepBody(resp *http.Response) { stash(resp.Body) }
func stash(r io.Reader) { readers = append(readers, r) }
var readers []io.Reader
"""})
    later = _effects(pkg, "later")
    assert later.params[0] == {SENDS}
    assert [u.direct for u in later.uses[0]] == [False]
    assert _effects(pkg, "keepBody").params[0] == {HANDS_ON}


def test_a_body_read_to_the_end_on_every_path_is_drained():
    pkg = _package({"a.go": HEADER + """
func all(resp *http.Response) []byte { b, _ := io.ReadAll(resp.Body); return b }
func copyAll(r io.Reader) { io.Copy(io.Discard, r) }
func onlyWhenOK(resp *http.Response) []byte {
	if resp.StatusCode != 200 {
		return nil
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}
func viaHelper(resp *http.Response) { copyAll(resp.Body) }
func nilFirst(resp *http.Response) []byte {
	if resp == nil {
		return nil
	}
	b, _ := io.ReadAll(resp.Body)
	return b
}
"""})
    assert _effects(pkg, "all").params[0] == {READS_BODY, DRAINS_BODY}
    assert _effects(pkg, "copyAll").params[0] == {DRAINS}
    assert _effects(pkg, "onlyWhenOK").params[0] == {READS_BODY}
    assert _effects(pkg, "viaHelper").params[0] == {READS_BODY, DRAINS_BODY}
    assert _effects(pkg, "nilFirst").params[0] == {READS_BODY, DRAINS_BODY}  # given nil, there is no body
