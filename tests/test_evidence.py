"""Runtime evidence from real runs of the two fixture services, in every format, with and without
-trimpath: mapped to the right lines with their counts, grouped, levelled and merged with findings.

The captures under tests/fixtures/GL60*/profiles/ come from tests/fixtures/tools/capture_profiles.py
(build paths rewritten to /home/runner/work/…, GOROOT to /usr/local/go); goleak's output under
tests/fixtures/GL601_runtime-parked-goroutines/profiles/goleak/ from `go test` of the same handlers.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from goleaklint.cli import main
from goleaklint.config import Config
from goleaklint.discover import discover
from goleaklint.evidence import Thresholds, load_evidence, merge_evidence
from goleaklint.evidence.mapping import FrameMapper
from goleaklint.evidence.sites import group
from goleaklint.rule import Severity

from .conftest import FIXTURES, run_lint

LEAKY = FIXTURES / "GL601_runtime-parked-goroutines"
GROWTH = FIXTURES / "GL602_runtime-heap-growth"
HANDLERS = "handlers/handlers.go"

# handlers.go lines: where the service's goroutines park, and the `go` statements that start them.
FETCH_SEND, FETCH_GO = 30, 29
STREAM_RANGE, STREAM_GO = 45, 44
NOTIFY_SEND, NOTIFY_GO = 62, 68
AUDIT_SLEEP, AUDIT_GO = 76, 75
LOCK_WAIT, LOCK_GO = 104, 103

LEAKED = {FETCH_SEND: (7, "chan send"), STREAM_RANGE: (5, "chan receive"), NOTIFY_SEND: (3, "chan send"),
          LOCK_WAIT: (4, "sync.Mutex.Lock")}
DUMPED = {**LEAKED, AUDIT_SLEEP: (12, "sleep")}

BUILDS = ["local", "trimpath"]
DUMPS = ["goroutine-debug1.txt", "goroutine-debug2.txt", "goroutine.pb.gz"]


def _jobs(root: Path):
    jobs, _ = discover(["./..."], Config(), root)
    return jobs


def _sites(root: Path, *files: str):
    evidence = load_evidence([str(root / "profiles" / f) for f in files], [])
    return group(evidence.goroutines, FrameMapper.for_jobs(_jobs(root), root))


def _merged(root: Path, goroutines=(), heap=(), thresholds=Thresholds(), select=None):
    result = run_lint(["./..."], root, select=select)
    evidence = load_evidence([str(root / "profiles" / f) for f in goroutines], [str(root / "profiles" / f) for f in heap])
    rule_ids = set(select) if select else {f"GL{n}" for n in (101, 102, 103, 104, 201, 202, 203, 501, 502, 601, 602)}
    return merge_evidence(result, evidence, _jobs(root), root, rule_ids, thresholds)


def _at(findings, line, path=HANDLERS):
    return [f for f in findings if f.path == path and f.line == line]


@pytest.mark.parametrize("build", BUILDS)
def test_the_leak_profile_maps_each_leaked_goroutine_to_its_line(build):
    sites = _sites(LEAKY, f"{build}/goroutineleak-debug1.txt")
    got = {site.line: (site.count, site.state) for site in sites.sites_by_count() if site.path == HANDLERS}
    assert got == LEAKED
    assert all(site.proof for site in sites.parked.values())
    assert sites.outside_tree == 0 and not sites.unmatched


@pytest.mark.parametrize("build", BUILDS)
@pytest.mark.parametrize("name", DUMPS)
def test_every_dump_format_maps_to_the_same_sites(build, name):
    sites = _sites(LEAKY, f"{build}/{name}")
    got = {site.line: (site.count, site.state) for site in sites.parked.values() if site.path == HANDLERS}
    assert got == DUMPED
    # The main goroutine waits in Accept under ListenAndServe: in the tree, on main's line.
    assert [(s.path, s.line, s.state) for s in sites.parked.values() if s.path == "main.go"] == [("main.go", 20, "IO wait")]
    assert not sites.unmatched
    assert not any(site.proof for site in sites.parked.values())
    # Sorted by count for the summary.
    assert [s.count for s in sites.sites_by_count()] == sorted((s.count for s in sites.parked.values()), reverse=True)


@pytest.mark.parametrize("build", BUILDS)
def test_debug2_gives_creation_sites_and_waits(build):
    sites = _sites(LEAKY, f"{build}/goroutine-debug2.txt")
    expected = {FETCH_SEND: FETCH_GO, STREAM_RANGE: STREAM_GO, NOTIFY_SEND: NOTIFY_GO, AUDIT_SLEEP: AUDIT_GO,
                LOCK_WAIT: LOCK_GO}
    for parked, made in expected.items():
        site = sites.parked[(HANDLERS, parked)]
        assert dict(site.created_at) == {(HANDLERS, made): DUMPED[parked][0]}
        assert sites.created[(HANDLERS, made)].count == DUMPED[parked][0]
    # Captured after more than two minutes, with a GC early on so the runtime noted the waits.
    assert sites.parked[(HANDLERS, FETCH_SEND)].longest_wait >= 2
    assert sites.parked[(HANDLERS, LOCK_WAIT)].longest_wait >= 2


def test_several_files_showing_the_same_goroutines_are_not_added_up():
    sites = _sites(LEAKY, "local/goroutine-debug2.txt", "local/goroutineleak-debug1.txt", "trimpath/goroutine.pb.gz")
    fetch = sites.parked[(HANDLERS, FETCH_SEND)]
    assert fetch.count == 7 and fetch.proof  # the leak profile's word stands
    assert sites.parked[(HANDLERS, AUDIT_SLEEP)].proof is False  # only the dumps show the sleepers


@pytest.mark.parametrize("name", ["verifynone.txt", "verifynone-trimpath.txt", "testmain.txt"])
def test_goleak_output_maps_to_the_leaking_lines(name):
    sites = _sites(LEAKY, f"goleak/{name}")
    got = {site.line: site.state for site in sites.parked.values()}
    if name == "testmain.txt":  # TestLockAndAudit: two Lock requests and one Notify
        assert got == {LOCK_WAIT: "sync.Mutex.Lock", NOTIFY_SEND: "chan send"}
        assert sites.parked[(HANDLERS, LOCK_WAIT)].count == 2
    else:  # TestFetchAndNotify: three Fetch, one Notify, one Stream
        assert got == {FETCH_SEND: "chan send", NOTIFY_SEND: "chan send", STREAM_RANGE: "chan receive"}
        assert sites.parked[(HANDLERS, FETCH_SEND)].count == 3
        assert dict(sites.parked[(HANDLERS, FETCH_SEND)].created_at) == {(HANDLERS, FETCH_GO): 3}
    assert all(site.proof for site in sites.parked.values())


def test_static_findings_at_parked_and_starting_sites_carry_the_evidence_and_become_errors():
    merged, summary = _merged(LEAKY, goroutines=["trimpath/goroutineleak-debug1.txt", "local/goroutine-debug2.txt"])
    (send,) = _at(merged.findings, FETCH_SEND)
    assert send.rule_id == "GL101" and send.severity is Severity.ERROR
    assert "in production: 7 goroutines parked here (chan send) in Go's goroutine leak profile, the longest for" in send.message
    props = dict(send.properties)["goroutines"]
    assert props["goroutines"] == 7 and props["leakProfile"] is True and props["createdAt"] == [f"{HANDLERS}:{FETCH_GO}"]
    (receive,) = _at(merged.findings, STREAM_RANGE)
    assert receive.rule_id == "GL102" and receive.severity is Severity.ERROR
    # GL104 reports the `go` statement of Audit's sleepers: their creation site. Twelve sleepers in a
    # plain dump are below the warning thresholds: carried, but the level stays.
    (detached,) = _at(merged.findings, AUDIT_GO)
    assert detached.rule_id == "GL104" and detached.severity is Severity.NOTE
    assert "12 goroutines started here (sleep) in the goroutine dump, the longest for 2 minutes" in detached.message
    assert not _at(merged.findings, AUDIT_SLEEP)  # covered through its creation site
    # GL105 follows the struct field channel nothing receives from: the leak profile's site there
    # is covered statically now, and its evidence makes the finding an error.
    (field_send,) = _at(merged.findings, NOTIFY_SEND)
    assert field_send.rule_id == "GL105" and field_send.severity is Severity.ERROR
    assert summary.attached == 4
    merged, _ = _merged(LEAKY, goroutines=["local/goroutine-debug2.txt"], thresholds=Thresholds(warning_count=12))
    assert _at(merged.findings, AUDIT_GO)[0].severity is Severity.ERROR


# The rules that do not cover the notifier's field channel (GL105 does): with them alone, its parked
# send is a site no static finding covers.
_WITHOUT_FIELD_CHANNELS = ["GL101", "GL102", "GL103", "GL104", "GL201", "GL202", "GL203", "GL501", "GL502", "GL601", "GL602"]


def test_uncovered_parked_sites_become_gl601_findings_naming_the_rule_that_missed_them():
    merged, summary = _merged(LEAKY, goroutines=["trimpath/goroutineleak-debug1.txt"], select=_WITHOUT_FIELD_CHANNELS)
    (notify,) = _at(merged.findings, NOTIFY_SEND)
    assert notify.rule_id == "GL601" and notify.severity is Severity.ERROR
    assert notify.message.startswith("3 goroutines parked here (chan send) in Go's goroutine leak profile")
    assert "GL101 goroutine-blocked-send looks for this shape but does not report this line" in notify.message
    assert (notify.column, notify.end_column) == (2, 17)  # `n.events <- msg`, without the comment
    assert notify.context == "notifier.publish"
    (lock,) = _at(merged.findings, LOCK_WAIT)
    assert lock.rule_id == "GL601" and "no static rule looks for a lock that is never released" in lock.message
    assert dict(lock.fingerprints)  # fingerprinted like every finding, for baselines and SARIF
    assert [f.line for f in merged.findings if f.rule_id == "GL601"] == [NOTIFY_SEND, LOCK_WAIT]
    assert summary.runtime_only == 2


def test_a_rule_that_did_not_run_is_named_as_such():
    merged, _ = _merged(LEAKY, goroutines=["local/goroutineleak-debug1.txt"], select=["GL601"])
    (send,) = _at(merged.findings, FETCH_SEND)
    assert send.rule_id == "GL601" and "GL101 goroutine-blocked-send looks for this shape but did not run" in send.message


def test_dump_levels_follow_the_thresholds():
    def levels(thresholds):
        merged, _ = _merged(LEAKY, goroutines=["local/goroutine-debug2.txt"], thresholds=thresholds, select=["GL601"])
        return {(f.path, f.line): f.severity.value for f in merged.findings}

    default = levels(Thresholds())
    # 12 goroutines at most, waiting 2 minutes: notes. The main goroutine in its accept loop is one
    # goroutine that records no wait: no finding, only a row in the summary.
    assert default == {(HANDLERS, line): "note" for line in DUMPED}
    by_count = levels(Thresholds(warning_count=12))
    assert by_count[(HANDLERS, AUDIT_SLEEP)] == "warning" and by_count[(HANDLERS, FETCH_SEND)] == "note"
    by_wait = levels(Thresholds(warning_minutes=2))
    assert {by_wait[(HANDLERS, line)] for line in DUMPED} == {"warning"}
    assert levels(Thresholds(min_count=1))[("main.go", 20)] == "note"


def test_a_suppressed_line_stays_suppressed(tmp_path):
    import shutil

    shutil.copytree(LEAKY, tmp_path / "svc")
    root = tmp_path / "svc"
    path = root / HANDLERS
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[LOCK_WAIT - 1] = lines[LOCK_WAIT - 1].split(" //")[0] + " //nolint:goleaklint:GL601 // the cache is per request"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    merged, _ = _merged(root, goroutines=["local/goroutineleak-debug1.txt"])
    assert not _at(merged.findings, LOCK_WAIT)
    assert [f.rule_id for f in _at(merged.suppressed, LOCK_WAIT)] == ["GL601"]


HEAPS = [("local", "txt"), ("local", "pb.gz"), ("trimpath", "txt"), ("trimpath", "pb.gz")]
STORE = "store/store.go"


@pytest.mark.parametrize("build, ext", HEAPS)
def test_heap_growth_attaches_to_growth_findings_and_reports_the_rest(build, ext):
    merged, summary = _merged(GROWTH, heap=[f"{build}/heap-base.{ext}", f"{build}/heap-later.{ext}"],
                              thresholds=Thresholds(heap_growth_bytes=16 << 10))
    growing = {(s.path, s.line): s for s in summary.heap_sites}
    # The payloads, the map buckets that hold them, the middleware's slice; Echo keeps nothing.
    assert set(growing) == {(STORE, 23), (STORE, 25), (STORE, 39), (STORE, 45), (STORE, 54)}
    assert 9_500_000 < growing[(STORE, 23)].growth_bytes < 10_500_000  # 600 sessions of 16 KiB
    assert 4_700_000 < growing[(STORE, 45)].growth_bytes < 5_200_000  # 600 documents of 8 KiB
    # GL201 (the sessions map) gets what Login allocated and keeps in it.
    (sessions,) = _at(merged.findings, 17, STORE)
    assert sessions.rule_id == "GL201" and sessions.severity is Severity.ERROR
    assert "in production: +" in sessions.message and "store.go:23" in sessions.message
    assert dict(sessions.properties)["heap"]["inuseBytesGrowth"] > 5_000_000
    (seen,) = _at(merged.findings, 54, STORE)
    assert seen.rule_id == "GL202" and "in production: +" in seen.message
    # The struct-field map no rule follows: a runtime finding at warning.
    (ingest,) = _at(merged.findings, 45, STORE)
    assert ingest.rule_id == "GL602" and ingest.severity is Severity.WARNING
    assert "allocated here by store.Ingest" in ingest.message and "no static rule reports it" in ingest.message
    (add,) = _at(merged.findings, 39, STORE)
    assert add.rule_id == "GL602" and "store.(*index).add" in add.message
    # Login's allocations and its map insert are GL201's, which names both lines.
    assert not _at(merged.findings, 23, STORE) and not _at(merged.findings, 25, STORE)
    assert "store.go:23, store.go:25" in sessions.message


def test_the_default_heap_threshold_keeps_small_growth_quiet():
    merged, summary = _merged(GROWTH, heap=["local/heap-base.txt", "local/heap-later.txt"])
    assert all(s.growth_bytes >= 1 << 20 for s in summary.heap_sites)
    assert (STORE, 54) not in {(s.path, s.line) for s in summary.heap_sites}


def _cli(args, cwd, monkeypatch, capsys):
    # A copy outside this repository, whose own config excludes tests/fixtures.
    import shutil
    import tempfile

    with tempfile.TemporaryDirectory(prefix="goleaklint-evidence-") as parent:
        copy = Path(parent) / Path(cwd).name
        shutil.copytree(cwd, copy)
        with monkeypatch.context() as patch:
            patch.chdir(copy)
            code = main(["--no-cache", *args])
        out, err = capsys.readouterr()
    return code, out, err


def test_cli_text_report_lists_sites_by_count(monkeypatch, capsys):
    code, out, _ = _cli(["--goroutines", "profiles/local/goroutine-debug2.txt", "./..."], LEAKY, monkeypatch, capsys)
    assert code == 1
    summary = out[out.index("Runtime evidence:"):]
    assert "34 goroutines in 1 file" in summary
    rows = [line.split() for line in summary.splitlines()[2:] if line.strip()]
    assert [row[0] for row in rows] == ["12", "7", "5", "4", "3", "1"]
    assert rows[0][-2] == f"{HANDLERS}:{AUDIT_SLEEP}"


def test_cli_json_and_sarif_carry_the_evidence(monkeypatch, capsys):
    args = ["--goroutines", "profiles/trimpath/goroutineleak-debug1.txt", "./..."]
    code, out, _ = _cli(["--format", "json", *args], LEAKY, monkeypatch, capsys)
    document = json.loads(out)
    runtime = document["runtime"]["goroutines"]
    assert [(s["path"], s["line"], s["goroutines"]) for s in runtime["sites"]][:2] == [
        (HANDLERS, FETCH_SEND, 7), (HANDLERS, STREAM_RANGE, 5)]
    send = next(f for f in document["findings"] if f["line"] == FETCH_SEND)
    assert send["severity"] == "error" and send["runtime"]["goroutines"]["goroutines"] == 7
    code, out, _ = _cli(["--format", "sarif", *args], LEAKY, monkeypatch, capsys)
    run = json.loads(out)["runs"][0]
    gl601 = [r for r in run["results"] if r["ruleId"] == "GL601"]
    assert {r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in gl601} == {LOCK_WAIT}
    (notify,) = [r for r in run["results"] if r["locations"][0]["physicalLocation"]["region"]["startLine"] == NOTIFY_SEND]
    assert notify["ruleId"] == "GL105" and notify["level"] == "error"
    assert all(r["properties"]["goleaklint/runtime"]["goroutines"]["leakProfile"] for r in gl601)
    assert run["properties"]["goleaklint/runtime"]["goroutines"]["total"] == 19
    assert "GL601" in {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    code, out, _ = _cli(["--format", "github", *args], LEAKY, monkeypatch, capsys)
    assert f"::error file={HANDLERS},line={NOTIFY_SEND}" in out


def test_cli_rejects_bad_evidence_before_linting(monkeypatch, capsys, tmp_path):
    (tmp_path / "x.txt").write_text("hello\n", encoding="utf-8")
    code, _, err = _cli(["--goroutines", str(tmp_path / "x.txt")], LEAKY, monkeypatch, capsys)
    assert code == 2 and "not a goroutine profile" in err
    code, _, err = _cli(["--heap", "profiles/local/heap-base.txt"], GROWTH, monkeypatch, capsys)
    assert code == 2 and "--heap BASE --heap LATER" in err
    code, _, err = _cli(["--goroutines", str(tmp_path / "missing.txt")], LEAKY, monkeypatch, capsys)
    assert code == 2 and "cannot read" in err


def test_runtime_thresholds_are_read_from_the_config(tmp_path):
    from goleaklint.config import ConfigError, load_config

    path = tmp_path / ".goleaklint.toml"
    path.write_text("[runtime]\nwarning-count = 20\nheap-growth-bytes = 4096\n", encoding="utf-8")
    config = load_config(path, {})
    assert config.runtime == Thresholds(warning_count=20, warning_minutes=10, heap_growth_bytes=4096)
    path.write_text("[runtime]\nwarning-count = 20\nwarning-hours = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\.goleaklint\.toml:3: unknown key 'warning-hours' in \[runtime\]"):
        load_config(path, {})
    path.write_text("[runtime]\nwarning-count = 0\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="at least 1"):
        load_config(path, {})


def _sarif_with_evidence(monkeypatch, capsys, tmp_path) -> Path:
    out = tmp_path / "out.sarif"
    _cli(["--format", "sarif", "-o", str(out), "--goroutines", "profiles/trimpath/goroutineleak-debug1.txt",
          "--goroutines", "profiles/local/goroutine-debug2.txt", "./..."], LEAKY, monkeypatch, capsys)
    return out


def test_sarif_with_evidence_validates_against_the_official_schema(monkeypatch, capsys, tmp_path):
    from .sarif_tools import schema_errors

    out = _sarif_with_evidence(monkeypatch, capsys, tmp_path)
    assert schema_errors(json.loads(out.read_text(encoding="utf-8"))) == []


@pytest.mark.slow
def test_sarif_with_evidence_passes_the_multitool(monkeypatch, capsys, tmp_path):
    from .sarif_tools import multitool_problems

    out = _sarif_with_evidence(monkeypatch, capsys, tmp_path)
    assert multitool_problems(out, tmp_path) == []


def test_frames_of_a_build_that_differs_from_the_tree_are_counted_not_guessed(tmp_path):
    text = (LEAKY / "profiles/local/goroutine-debug2.txt").read_text(encoding="utf-8")
    # Fetch renamed since the build: its frames name a function the file no longer declares.
    (tmp_path / "dump.txt").write_text(text.replace("handlers.Fetch", "handlers.FetchOld"), encoding="utf-8")
    evidence = load_evidence([str(tmp_path / "dump.txt")], [])
    sites = group(evidence.goroutines, FrameMapper.for_jobs(_jobs(LEAKY), LEAKY))
    assert (HANDLERS, FETCH_SEND) not in sites.parked
    assert sites.unmatched == {"FetchOld is not declared in handlers/handlers.go: the build was of other code": 2}
    assert sites.outside_tree == 7  # the seven senders, now placed nowhere
    assert (HANDLERS, STREAM_RANGE) in sites.parked  # the rest still maps


def test_text_formats_survive_windows_line_endings_and_interleaved_test_output():
    from goleaklint.evidence import read_goroutines

    dump = (LEAKY / "profiles/trimpath/goroutine-debug2.txt").read_bytes().replace(b"\n", b"\r\n")
    assert read_goroutines(dump).total == read_goroutines(dump.replace(b"\r\n", b"\n")).total
    goleak = (LEAKY / "profiles/goleak/verifynone.txt").read_text(encoding="utf-8")
    noisy = "=== RUN   TestFetchAndNotify\n" + goleak.replace("--- FAIL", "some log line\n--- FAIL")
    profile = read_goroutines(noisy.encode())
    assert profile.kind == "goleak" and profile.total == 5


@pytest.mark.parametrize("data, message", [
    (b"\x1f\x8b\x08\x00garbage", "not a gzip'd profile"),
    (b"", "not a goroutine profile"),
    (b"goroutine profile: total", "not a goroutine profile"),
])
def test_unknown_or_broken_files_are_usage_errors(tmp_path, data, message):
    from goleaklint.config import ConfigError

    (tmp_path / "p").write_bytes(data)
    with pytest.raises(ConfigError, match=message):
        load_evidence([str(tmp_path / "p")], [])


def test_a_heap_profile_is_not_taken_for_goroutines_nor_the_other_way_round():
    from goleaklint.config import ConfigError

    with pytest.raises(ConfigError, match="not of goroutines"):
        load_evidence([str(GROWTH / "profiles/local/heap-base.pb.gz")], [])
    with pytest.raises(ConfigError, match="not a heap profile"):
        load_evidence([], [str(LEAKY / "profiles/local/goroutine-debug1.txt")] * 2)
    with pytest.raises(ConfigError, match="without inuse_space"):
        load_evidence([], [str(LEAKY / "profiles/local/goroutine.pb.gz")] * 2)
