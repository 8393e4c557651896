"""Goroutine stacks as Go prints them, read from every text format the runtime and goleak write.

- `/debug/pprof/goroutine?debug=1` and `/debug/pprof/goroutineleak?debug=1`: one record per distinct
  stack, `N @ 0x… 0x…` followed by `#\t0xPC\tfunction+0xOFF\tfile:line` lines. No state, no wait:
  the state is read from the runtime frame the goroutine is parked in.
- `/debug/pprof/goroutine?debug=2` (and a crash or SIGQUIT dump): one block per goroutine,
  `goroutine 7 [chan send, 43 minutes]:`, then `function(args)` / `\tfile:line +0xOFF` pairs, then
  `created by function in goroutine 6` and its `file:line`.
- goleak's failure: `found unexpected goroutines:` and `[Goroutine 7 in state chan send, with … on
  top of the stack:` wrappers around debug=2 blocks, indented by `go test`.

Everything here is plain text processing; nothing is mapped to files yet (see `mapping`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Frame:
    function: str  # "example.com/app/handlers.(*notifier).run.func1"
    file: str  # as the binary recorded it: absolute, Windows, or a -trimpath module path
    line: int


@dataclass
class Goroutine:
    """One goroutine (debug=2, goleak) or one group of goroutines with the same stack (debug=1)."""

    frames: list[Frame]  # innermost first
    count: int = 1
    state: str = ""  # "chan send", "select", "sync.Mutex.Lock", … ("" when the format has none)
    wait_minutes: int | None = None  # debug=2 prints the wait once it passes a minute
    created_by: Frame | None = None
    leaked: bool = False  # reported by the leak profile or by goleak: nothing can wake it


@dataclass
class GoroutineProfile:
    kind: str  # "goroutineleak", "goroutine", "goleak"
    format: str  # "debug=1", "debug=2", "proto", "goleak"
    goroutines: list[Goroutine] = field(default_factory=list)

    @property
    def is_proof(self) -> bool:
        """The leak profile and goleak report goroutines nothing can ever wake: proof, not a hint."""
        return self.kind in ("goroutineleak", "goleak")

    @property
    def total(self) -> int:
        return sum(g.count for g in self.goroutines)


class ProfileFormatError(ValueError):
    """The file is none of the formats we read."""


_DEBUG1_HEADER = re.compile(r"^(goroutine|goroutineleak) profile: total (\d+)\s*$", re.M)
_DEBUG1_RECORD = re.compile(r"^(\d+) @(?: 0x[0-9a-f]+)*\s*$")
_DEBUG1_FRAME = re.compile(r"^#\s+0x[0-9a-f]+\s+(\S+?)(?:\+0x[0-9a-f]+)?\s+(.+):(\d+)\s*$")
_DEBUG2_HEADER = re.compile(r"^goroutine (\d+)(?: gp=\S+)?(?: m=\S+)?(?: mp=\S+)? \[([^\]]*)\]:\s*$")
_CALL = re.compile(r"^(\S.*?)\(([^()]*)\)$")
_FILE_LINE = re.compile(r"^\t(.+):(\d+)(?: \+0x[0-9a-f]+)?\s*$")
_CREATED_BY = re.compile(r"^created by (\S+?)(?: in goroutine \d+)?\s*$")
_GOLEAK_START = re.compile(r"found unexpected goroutines:")
_GOLEAK_ITEM = re.compile(r"^\[?Goroutine (\d+) in state (.*?), with \S+ on top of the stack:\s*$")
_MINUTES = re.compile(r"^(\d+) minutes?$")
_TEST_INDENT = re.compile(r"^ {4,}(?=\S|\t)")


def parse_goroutines(text: str) -> GoroutineProfile:
    """Reads any of the text formats; the format is told by its first telling line."""
    if _GOLEAK_START.search(text):
        return _parse_goleak(text)
    header = _DEBUG1_HEADER.search(text)
    if header:
        profile = GoroutineProfile(header.group(1), "debug=1")
        profile.goroutines = _parse_debug1(text[header.end():], leaked=header.group(1) == "goroutineleak")
        return profile
    if re.search(r"^goroutine \d+.*\[[^\]]*\]:\s*$", text, re.M):
        goroutines = _parse_debug2(text.splitlines())
        profile = GoroutineProfile("goroutine", "debug=2", goroutines)
        # A leak profile asked for with debug=2 marks each goroutine "(leaked)".
        if goroutines and all(g.leaked for g in goroutines):
            profile.kind = "goroutineleak"
        return profile
    raise ProfileFormatError(
        "not a goroutine profile: expected the text of /debug/pprof/goroutine or goroutineleak "
        "(debug=1 or debug=2), goleak's output, or the binary profile")


def _parse_debug1(text: str, leaked: bool) -> list[Goroutine]:
    goroutines: list[Goroutine] = []
    current: Goroutine | None = None
    for line in text.splitlines():
        record = _DEBUG1_RECORD.match(line)
        if record:
            current = Goroutine(frames=[], count=int(record.group(1)), leaked=leaked)
            goroutines.append(current)
            continue
        frame = _DEBUG1_FRAME.match(line)
        if frame and current is not None:
            current.frames.append(Frame(frame.group(1), frame.group(2), int(frame.group(3))))
    for goroutine in goroutines:
        goroutine.state = state_from_frames(goroutine.frames)
    return goroutines


def _parse_debug2(lines: list[str]) -> list[Goroutine]:
    goroutines: list[Goroutine] = []
    current: Goroutine | None = None
    pending: str | None = None  # a function line waiting for its file:line
    creating = False
    for line in lines:
        header = _DEBUG2_HEADER.match(line)
        if header:
            current = Goroutine(frames=[])
            current.state, current.wait_minutes, current.leaked = _state(header.group(2))
            goroutines.append(current)
            pending, creating = None, False
            continue
        if current is None:
            continue
        if not line.strip():
            pending, creating = None, False
            continue
        where = _FILE_LINE.match(line)
        if where and pending is not None:
            frame = Frame(pending, where.group(1), int(where.group(2)))
            if creating:
                current.created_by = frame
            else:
                current.frames.append(frame)
            pending, creating = None, False
            continue
        created = _CREATED_BY.match(line)
        if created:
            pending, creating = created.group(1), True
            continue
        call = _CALL.match(line)
        if call:
            pending, creating = call.group(1), False
    for goroutine in goroutines:
        if not goroutine.state:
            goroutine.state = state_from_frames(goroutine.frames)
    return goroutines


def _state(text: str) -> tuple[str, int | None, bool]:
    """`chan send, 43 minutes, locked to thread` -> ("chan send", 43, False)."""
    state, wait, leaked = "", None, False
    for i, part in enumerate(p.strip() for p in text.split(",")):
        minutes = _MINUTES.match(part)
        if minutes:
            wait = int(minutes.group(1))
        elif i == 0:
            state = part
    if state.endswith("(leaked)"):
        state, leaked = state[: -len("(leaked)")].strip(), True
    return state, wait, leaked


def _parse_goleak(text: str) -> GoroutineProfile:
    """goleak prints each goroutine as `[Goroutine 7 in state chan send, with F on top of the stack:`
    (the first) or ` Goroutine 8 in state …` (the others), then its debug=2 frames without their
    `goroutine N [...]:` line, and a closing `]`. `go test` indents the continuation lines of a
    test's error with spaces, while the file lines of a stack start with a tab, so leading spaces
    are dropped and tabs kept; the goleak headers become debug=2 headers.
    """
    lines = []
    for raw in text[_GOLEAK_START.search(text).end():].splitlines():
        line = _TEST_INDENT.sub("", raw).lstrip(" ")
        item = _GOLEAK_ITEM.match(line)
        if item:
            lines.append(f"goroutine {item.group(1)} [{item.group(2)}]:")
        elif line.strip() in ("]", "FAIL") or line.startswith(("--- FAIL", "FAIL\t", "goleak: ")):
            lines.append("")  # a block boundary
        else:
            lines.append(line)
    goroutines = _parse_debug2(lines)
    for goroutine in goroutines:
        goroutine.leaked = True
    return GoroutineProfile("goleak", "goleak", goroutines)


# Where a goroutine waits, read from the runtime or sync frame it is parked in, for the formats
# that print no state (debug=1 and the binary profile). Innermost match wins.
_STATE_BY_FUNCTION = (
    ("runtime.chansend", "chan send"),
    ("runtime.chanrecv", "chan receive"),
    ("runtime.selectgo", "select"),
    ("runtime.block", "select (no cases)"),
    ("time.Sleep", "sleep"),
    ("sync.(*Mutex).Lock", "sync.Mutex.Lock"),
    ("internal/sync.(*Mutex).Lock", "sync.Mutex.Lock"),
    ("sync.(*RWMutex).RLock", "sync.RWMutex.RLock"),
    ("sync.(*RWMutex).Lock", "sync.RWMutex.Lock"),
    ("sync.(*WaitGroup).Wait", "sync.WaitGroup.Wait"),
    ("sync.(*Cond).Wait", "sync.Cond.Wait"),
    ("internal/poll.runtime_pollWait", "IO wait"),
    ("runtime.semacquire", "semacquire"),
    ("sync.runtime_Semacquire", "semacquire"),
)


def state_from_frames(frames: list[Frame]) -> str:
    # By the table's order, not the stack's: `sync.(*Mutex).Lock` is what the code called, the
    # semaphore beneath it only how the runtime waits.
    for prefix, state in _STATE_BY_FUNCTION:
        for frame in frames:
            # `runtime.chanrecv1`, `runtime.chanrecv2`: the name or the name and a digit.
            if frame.function == prefix or (frame.function.startswith(prefix) and frame.function[len(prefix):].isdigit()):
                return state
    return ""
