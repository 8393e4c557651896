"""Heap profiles: `/debug/pprof/heap?debug=1` text, or the binary profile, as in-use bytes and
objects per stack, scaled the way pprof scales them.

debug=1 prints raw sample counts: `inuse_objects: inuse_bytes [alloc_objects: alloc_bytes] @ pcs`,
under a header `heap profile: … @ heap/<2*MemProfileRate>`. A sampled allocation of average size s
stands for 1/(1-exp(-s/rate)) allocations (runtime/pprof's scaleHeapSample), so the numbers are
scaled by that factor, as `go tool pprof` shows them. The binary profile is scaled already.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from .profile_proto import is_gzip, read_profile
from .stacks import Frame, ProfileFormatError

_HEADER = re.compile(r"^heap profile: \d+: \d+ \[\s*\d+: \d+\] @ heap/(\d+)\s*$", re.M)
_RECORD = re.compile(r"^(\d+): (\d+) \[(\d+): (\d+)\] @(?: 0x[0-9a-f]+)*\s*$")
_FRAME = re.compile(r"^#\s+0x[0-9a-f]+\s+(\S+?)(?:\+0x[0-9a-f]+)?\s+(.+):(\d+)\s*$")


@dataclass
class HeapRecord:
    frames: list[Frame]  # innermost first
    inuse_objects: float
    inuse_bytes: float


@dataclass
class HeapProfile:
    format: str  # "debug=1" or "proto"
    records: list[HeapRecord] = field(default_factory=list)
    time_nanos: int = 0  # when the binary profile was taken; 0 for text


def parse_heap(data: bytes) -> HeapProfile:
    if is_gzip(data):
        return _from_proto(data)
    text = data.decode("utf-8", "replace")
    header = _HEADER.search(text)
    if header is None:
        raise ProfileFormatError("not a heap profile: expected the text of /debug/pprof/heap?debug=1 or the binary profile")
    rate = int(header.group(1)) // 2
    profile = HeapProfile("debug=1")
    current: HeapRecord | None = None
    for line in text[header.end():].splitlines():
        if line.startswith("# runtime.MemStats"):
            break
        record = _RECORD.match(line)
        if record:
            objects, size = _scale(int(record.group(1)), int(record.group(2)), rate)
            current = HeapRecord([], objects, size)
            profile.records.append(current)
            continue
        frame = _FRAME.match(line)
        if frame and current is not None:
            current.frames.append(Frame(frame.group(1), frame.group(2), int(frame.group(3))))
    return profile


def _scale(count: int, size: int, rate: int) -> tuple[float, float]:
    if count == 0 or size == 0:
        return 0.0, 0.0
    if rate <= 1:
        return float(count), float(size)
    average = size / count
    scale = 1 / (1 - math.exp(-average / rate))
    return count * scale, size * scale


def _from_proto(data: bytes) -> HeapProfile:
    proto = read_profile(data)
    objects = proto.value_index("inuse_objects")
    space = proto.value_index("inuse_space")
    if objects is None or space is None:
        raise ProfileFormatError("a binary profile without inuse_space: not a heap profile")
    profile = HeapProfile("proto", time_nanos=proto.time_nanos)
    for sample in proto.samples:
        profile.records.append(HeapRecord(proto.stack(sample), float(sample.values[objects]), float(sample.values[space])))
    return profile
