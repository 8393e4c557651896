"""A content-addressed cache of per-package results, so a second run over an unchanged tree does not parse.

A package's findings depend on every file of the package (package rules read siblings; a sibling's
declarations change how names resolve), so the key covers the bytes and relative paths of all of its
files, which of them are reported, the Go version the rules see, the tool version, the rule set (ids
and a hash of the source of the rule modules and of the engine itself, so an edited rule invalidates),
and the severity overrides. Nothing else a finding depends on exists: rules run no code from the
scanned repository and read nothing but the package.

The warm path reads and hashes files but never parses them: hashing bytes runs at memory speed, a
tree-sitter parse at tens of MB/s. It does not even read a package whose files stat as they did when
the run's index recorded them (`stat_key`).

An entry is a checksum line followed by JSON. An entry that is truncated, corrupt, or of another
format is a miss: the package is linted again and the entry rewritten. Entries are written to a
temporary file in the same directory and renamed into place, so a reader never sees half an entry and
concurrent runs (CI shards sharing a cache) never corrupt each other. JSON, not pickle: loading a cache
file must never run code, whoever wrote it.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import lru_cache
from pathlib import Path

from . import __version__
from .rule import Finding, Notification, NotificationKind, Severity

FORMAT = "goleaklint-cache-24"


def default_cache_dir() -> Path:
    """$XDG_CACHE_HOME/goleaklint, else ~/.cache/goleaklint, as other linters do."""
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "goleaklint"


@lru_cache(maxsize=8)
def ruleset_fingerprint(rule_ids: tuple[str, ...]) -> str:
    """The selected rules and the source of every module that decides findings.

    The engine, model and suppression parser change findings as surely as a rule does, so their
    source counts too; it is a few hundred kilobytes, hashed once per process.
    """
    from .registry import all_rules

    digest = hashlib.blake2b(digest_size=16)
    digest.update(FORMAT.encode())
    digest.update(__version__.encode())
    digest.update(",".join(rule_ids).encode())
    digest.update(b"|known:" + ",".join(rm.rule.id for rm in all_rules()).encode())
    modules = [rm.module for rm in all_rules()]
    engine_dir = Path(__file__).parent
    paths = sorted({Path(m.__file__) for m in modules if getattr(m, "__file__", None)})
    paths += sorted(engine_dir.glob("*.py"))
    for path in paths:
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
    return digest.hexdigest()


def package_key(
    files: list[tuple[str, bool, bytes]],
    module: object,
    rule_ids: tuple[str, ...],
    severity: tuple[tuple[str, Severity], ...],
    settings: tuple = (),
    extra: object = None,
) -> str:
    """The key of one package: (relpath, reported, bytes) of every file, sorted by path, what its
    go.mod says (`module`: the Go version and whether the module is a Kubernetes component), and
    the `settings` that change what the engine reports (e.g. require-reason)."""
    # sha256: CPUs with SHA extensions hash it twice as fast as blake2b, and hashing every byte of
    # the tree is most of a warm run.
    digest = hashlib.sha256()
    digest.update(ruleset_fingerprint(rule_ids).encode())
    digest.update(repr((module, [(rule, level.value) for rule, level in severity], settings, extra)).encode())
    for relpath, reported, data in files:
        # Lengths first, so no two different file lists can hash the same byte stream.
        name = relpath.encode("utf-8", "surrogateescape")
        digest.update(b"%d:%d:%d:" % (len(name), reported, len(data)))
        digest.update(name)
        digest.update(data)
    return digest.hexdigest()


# How long a file must have been left alone for its stat to stand for its bytes. A file written
# within the same tick of a coarse file-system clock (2 s on FAT, 1 s on HFS+) could change again
# without its time changing; git calls such an entry "racy" and hashes the file every time.
SETTLED_NS = 3_000_000_000


def stat_key(files: list, reported: set, module, now_ns: int) -> str | None:
    """A key of what `stat` says of every file of a package (path, whether it is reported, size,
    modification and change times, inode), or None when one cannot be stat'ed or changed less than
    SETTLED_NS before `now_ns`. A warm run that finds this key in the run's index (`load_index`)
    takes the package key recorded with it and reads none of the package's files: as git and
    mypy do, a file whose size, times and inode are all unchanged is taken to be unchanged. An
    edit changes the modification time, an edit that restores it (`touch -d`, `cp -p`) the change
    time, and an editor's save-and-rename the inode; any of them is a miss, and the files are read
    and hashed as before."""
    digest = hashlib.sha256(repr(module).encode())
    limit = now_ns - SETTLED_NS
    every = len(reported) == len(files)
    for path in files:
        name = os.fspath(path)
        try:
            st = os.stat(name)
        except OSError:
            return None
        if st.st_mtime_ns >= limit or st.st_ctime_ns >= limit:
            return None
        digest.update(b"%d:%d:%d:%d:%d:%d:" % (len(name), every or path in reported, st.st_size, st.st_mtime_ns,
                                               st.st_ctime_ns, st.st_ino))
        digest.update(name.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _write(path: Path, blob: bytes) -> None:
    """Writes an entry atomically. A cache that cannot be written only costs speed: errors pass."""
    import tempfile  # here: a warm run writes nothing, and the import is 14 ms of shutil, bz2, random

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except OSError:
        pass


class _Writer:
    """Writes entries, on a thread of their own when one process lints. Creating a file can block
    for half a millisecond (0.9 s over the reference corpus with -j 1); on a thread, the file system
    waits while the linter goes on parsing. `flush()` waits for everything submitted."""

    def __init__(self) -> None:
        self._pool = None
        self._pending: list = []
        # Only a single process has a core to spare for it: with one worker per core, the thread
        # would take CPU from the other worker, so workers write in line.
        self.background = False

    def submit(self, path: Path, blob: bytes) -> None:
        if not self.background:
            _write(path, blob)
            return
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="goleaklint-cache")
        self._pending.append(self._pool.submit(_write, path, blob))

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def _forget(self) -> None:
        """In a forked child: the parent's writer thread does not exist here; start afresh."""
        self._pool = None
        self._pending = []
        self.background = False


_WRITER = _Writer()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_WRITER._forget)


def write_in_background(enabled: bool) -> None:
    """Whether stores go to the writer thread (one process linting) or are written at once."""
    _WRITER.background = enabled


def flush_writes() -> None:
    """Wait until every entry stored so far is on disk (or given up on)."""
    _WRITER.flush()


# Looked up once: `getattr(os, "O_BINARY", 0)` in read_bytes raised and caught an AttributeError
# for every file read (on POSIX), 1% of a warm run's instructions.
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0)


def read_bytes(name: str) -> bytes:
    """A whole file by os calls, in a third of the time `open().read()` takes for small files: a
    warm run reads one cache entry per package, a cold one every Go file. Here rather than with the
    sources, so that a warm run need not import the parser to use it."""
    fd = os.open(name, _READ_FLAGS)
    try:
        parts = [os.read(fd, os.fstat(fd).st_size + 1)]
        while parts[-1]:  # the file may have grown since fstat
            parts.append(os.read(fd, 1 << 20))
        return b"".join(parts)
    finally:
        os.close(fd)


def entry_checksum(payload: bytes) -> bytes:
    """The first line of an entry, which a truncated or corrupt entry fails. A warm run checks every
    entry, 15 MB on the benchmark corpus, most of it summaries: sha256 runs in hardware on most CPUs,
    and took 12 ms there where blake2b took 30 ms."""
    return hashlib.sha256(payload).hexdigest()[:32].encode()


class ResultCache:
    # Made once per package looked up: a plain string, since a Path was a twentieth of a warm lookup.
    def __init__(self, directory: Path | str):
        self._root = os.fspath(directory)

    @property
    def directory(self) -> Path:
        return Path(self._root)

    def _path(self, key: str) -> Path:
        return Path(self._root, key[:2], key)

    def load(self, key: str):
        """The cached LintResult for `key`, or None when absent or not trustworthy."""
        found = self._read(key, tail=True)
        if found is None:
            return None
        data, summaries = found
        # The package's summary stays JSON bytes until the module model needs it: a warm run whose
        # lifetimes are cached never decodes it.
        return _result(data, summary_blobs=[summaries] if summaries != b"[]" else [], keys=[key])

    def store(self, key: str, result) -> None:
        """Queues the entry to be written atomically on the writer thread; `flush_writes()` waits
        for it. A cache that cannot be written only costs speed: errors pass."""
        payload = _result_data(key, result)
        # The summaries (most of an entry) follow the JSON on a line of their own, as JSON, so a
        # warm run neither scans nor unescapes them: json.dumps escapes no newline into a line.
        summaries = json.dumps([summary.to_json() for summary in result.all_summaries()], separators=(",", ":"))
        self._blob(key, payload + b"\n" + summaries.encode())

    def _blob(self, key: str, payload: bytes) -> None:
        checksum = entry_checksum(payload)
        _WRITER.submit(self._path(key), checksum + b"\n" + payload)

    def _read(self, key: str, tail: bool = False):
        """The entry's JSON, or None; with `tail`, (JSON, the bytes of the line after it), or
        None when there is no such line."""
        try:
            blob = read_bytes(os.path.join(self._root, key[:2], key))
        except OSError:
            return None
        # Offsets and a memoryview rather than partitions: each partition copied the entry.
        start = blob.find(b"\n") + 1
        if not start or entry_checksum(memoryview(blob)[start:]) != blob[:start - 1]:
            return None
        rest = b""
        if tail:
            end = blob.find(b"\n", start)
            if end == -1:
                return None
            payload, rest = blob[start:end], blob[end + 1:]
        else:
            payload = blob[start:]
        try:
            data = json.loads(payload)
        except ValueError:
            return None
        if not (isinstance(data, dict) and data.get("format") == FORMAT and data.get("key") == key):
            return None
        return (data, rest) if tail else data

    def load_index(self, name: str) -> dict[str, str]:
        """The stat index of a run (see `stat_key`): each package's stat key -> its key. Empty when
        absent or not trustworthy."""
        data = self._read("i" + name)
        index = data.get("index") if data is not None else None
        if not isinstance(index, dict) or not all(isinstance(v, str) for v in index.values()):
            return {}
        return index

    def store_index(self, name: str, index: dict[str, str]) -> None:
        """Writes the index now (not on the writer thread: the run is ending)."""
        payload = json.dumps({"format": FORMAT, "key": "i" + name, "index": index}, sort_keys=True,
                             separators=(",", ":")).encode()
        _write(self._path("i" + name), entry_checksum(payload) + b"\n" + payload)

    def load_run(self, key: str):
        """The whole result of a run over a tree whose every file stats as it did (`stat_key`), with
        the same packages, rules and options: findings at the levels lifetimes and precision gave
        them, and what they silenced. None when absent or not trustworthy."""
        data = self._read("r" + key)
        return _result(data, silenced=True) if data is not None else None

    def store_run(self, key: str, result) -> None:
        payload = _result_data("r" + key, result, silenced=True)
        _write(self._path("r" + key), entry_checksum(payload) + b"\n" + payload)

    def load_table(self, run_key: str):
        """The lifetimes of a whole run (linter/lifetime.py), keyed by every package's key."""
        from .lifetime import LifetimeTable

        data = self._read("t" + run_key)
        if data is None:
            return None
        try:
            return LifetimeTable.from_json(data["table"])
        except (KeyError, TypeError, ValueError):
            return None

    def store_table(self, run_key: str, table) -> None:
        payload = json.dumps({"format": FORMAT, "key": "t" + run_key, "table": table.to_json()},
                             separators=(",", ":")).encode()
        self._blob("t" + run_key, payload)


def _result_data(key: str, result, silenced: bool = False) -> bytes:
    """An entry's JSON: a package's result, or a whole run's (with what lifetimes silenced)."""
    data = {
        "format": FORMAT,
        "key": key,
        "findings": [_finding_data(f) for f in result.findings],
        "suppressed": [_finding_data(f) for f in result.suppressed],
        "notifications": [_notification_data(n) for n in result.notifications],
        "files_scanned": result.files_scanned,
    }
    if silenced:
        data["silenced"] = [_finding_data(f) for f in result.silenced]
    return json.dumps(data, separators=(",", ":")).encode()


def _result(data: dict, silenced: bool = False, **more):
    """The LintResult of an entry's JSON (`_result_data`), or None when it does not hold one."""
    from .engine import LintResult

    try:
        return LintResult(
            findings=[_finding(item) for item in data["findings"]],
            suppressed=[_finding(item) for item in data["suppressed"]],
            notifications=[_notification(item) for item in data["notifications"]],
            files_scanned=int(data["files_scanned"]),
            silenced=[_finding(item) for item in data["silenced"]] if silenced else [],
            **more,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


_FINDING_FIELDS = (
    "path", "line", "column", "end_line", "end_column", "rule_id", "message", "fix", "column_utf16",
    "end_column_utf16", "byte_start", "byte_end", "context", "source_line", "suppressed", "repeats", "bounded",
    "address", "parameter", "unexposed", "lowered", "kind", "opt_in",
)


def _finding_data(finding: Finding) -> dict:
    data = {name: getattr(finding, name) for name in _FINDING_FIELDS}
    data["severity"] = finding.severity.value
    data["fingerprints"] = [list(pair) for pair in finding.fingerprints]
    data["subjects"] = list(finding.subjects)
    data["makers"] = list(finding.makers)
    data["drains"] = list(finding.drains)
    data["handoffs"] = list(finding.handoffs)
    data["requests"] = list(finding.requests)
    data["fields"] = list(finding.fields)
    data["lifetime"] = finding.lifetime  # None until lifetimes are applied (whole-run entries have it)
    return data


def _finding(data: dict) -> Finding:
    values = {name: data[name] for name in _FINDING_FIELDS}
    return Finding(
        severity=Severity(data["severity"]),
        fingerprints=tuple((str(a), str(b)) for a, b in data["fingerprints"]),
        subjects=tuple(str(s) for s in data["subjects"]),
        makers=tuple(str(m) for m in data["makers"]),
        drains=tuple(str(c) for c in data.get("drains", ())),
        handoffs=tuple(str(h) for h in data.get("handoffs", ())),
        requests=tuple(str(r) for r in data.get("requests", ())),
        fields=tuple(str(f) for f in data.get("fields", ())),
        lifetime=data["lifetime"],
        **values,
    )


def _notification_data(note: Notification) -> dict:
    return {"path": note.path, "line": note.line, "kind": note.kind.value, "message": note.message,
            "rule_id": note.rule_id}


def _notification(data: dict) -> Notification:
    return Notification(data["path"], int(data["line"]), NotificationKind(data["kind"]), data["message"],
                        data["rule_id"])
