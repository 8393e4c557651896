"""A small reader of Go's binary profiles: gzip'd protobuf in the documented profile.proto format.

Only what goleaklint needs is read: sample types, samples (location ids, values, string labels),
locations with their lines (inlined calls innermost first), functions and the string table. Unknown
fields are skipped, as protobuf readers must. The format is documented in
github.com/google/pprof/proto/profile.proto; the field numbers used are listed beside each message.
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field

from .stacks import Frame


class ProtoError(ValueError):
    pass


@dataclass
class Sample:
    locations: list[int]  # location ids, the leaf first
    values: list[int]
    labels: dict[str, str] = field(default_factory=dict)


@dataclass
class Profile:
    sample_types: list[tuple[str, str]]  # (type, unit), e.g. ("inuse_space", "bytes")
    samples: list[Sample]
    frames_by_location: dict[int, list[Frame]]  # innermost (inlined) first
    period_type: tuple[str, str] = ("", "")
    time_nanos: int = 0
    duration_nanos: int = 0

    def stack(self, sample: Sample) -> list[Frame]:
        frames: list[Frame] = []
        for location in sample.locations:
            frames += self.frames_by_location.get(location, [])
        return frames

    def value_index(self, name: str) -> int | None:
        for i, (kind, _unit) in enumerate(self.sample_types):
            if kind == name:
                return i
        return None


def is_gzip(data: bytes) -> bool:
    return data[:2] == b"\x1f\x8b"


def read_profile(data: bytes) -> Profile:
    try:
        raw = gzip.decompress(data) if is_gzip(data) else data
    except (OSError, EOFError, zlib.error) as exc:
        raise ProtoError(f"not a gzip'd profile: {exc}") from None
    try:
        return _profile(raw)
    except (IndexError, ValueError) as exc:
        raise ProtoError(f"not a profile.proto message: {exc}") from None


def _varint(data: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = data[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7
        if shift > 63:
            raise ValueError("varint too long")


def _fields(data: bytes):
    """(field number, wire type, value) triples; length-delimited values as bytes."""
    i, end = 0, len(data)
    while i < end:
        key, i = _varint(data, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = _varint(data, i)
        elif wire == 1:
            value, i = int.from_bytes(data[i:i + 8], "little"), i + 8
        elif wire == 2:
            length, i = _varint(data, i)
            if i + length > end:
                raise ValueError("truncated field")
            value, i = data[i:i + length], i + length
        elif wire == 5:
            value, i = int.from_bytes(data[i:i + 4], "little"), i + 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def _ints(wire: int, value) -> list[int]:
    """A repeated integer field, packed (wire type 2) or not."""
    if wire != 2:
        return [value]
    out, i = [], 0
    while i < len(value):
        item, i = _varint(value, i)
        out.append(item)
    return out


def _signed(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


def _profile(raw: bytes) -> Profile:
    strings: list[str] = []
    sample_types: list[tuple[int, int]] = []
    samples: list[tuple[list[int], list[int], list[tuple[int, int]]]] = []
    locations: dict[int, list[tuple[int, int]]] = {}  # id -> [(function id, line)]
    functions: dict[int, tuple[int, int]] = {}  # id -> (name index, filename index)
    period_type = (0, 0)
    time_nanos = duration = 0
    for number, wire, value in _fields(raw):
        if number == 1:  # ValueType sample_type: 1 type, 2 unit
            sample_types.append(_value_type(value))
        elif number == 2:  # Sample: 1 location_id, 2 value, 3 label
            locs: list[int] = []
            values: list[int] = []
            labels: list[tuple[int, int]] = []
            for n, w, v in _fields(value):
                if n == 1:
                    locs += _ints(w, v)
                elif n == 2:
                    values += [_signed(x) for x in _ints(w, v)]
                elif n == 3:  # Label: 1 key, 2 str
                    key = text = 0
                    for ln, _lw, lv in _fields(v):
                        if ln == 1:
                            key = lv
                        elif ln == 2:
                            text = lv
                    labels.append((key, text))
            samples.append((locs, values, labels))
        elif number == 4:  # Location: 1 id, 4 line (Line: 1 function_id, 2 line)
            loc_id = 0
            lines: list[tuple[int, int]] = []
            for n, _w, v in _fields(value):
                if n == 1:
                    loc_id = v
                elif n == 4:
                    function_id = line = 0
                    for ln, _lw, lv in _fields(v):
                        if ln == 1:
                            function_id = lv
                        elif ln == 2:
                            line = _signed(lv)
                    lines.append((function_id, line))
            locations[loc_id] = lines
        elif number == 5:  # Function: 1 id, 2 name, 4 filename
            fn_id = name = filename = 0
            for n, _w, v in _fields(value):
                if n == 1:
                    fn_id = v
                elif n == 2:
                    name = v
                elif n == 4:
                    filename = v
            functions[fn_id] = (name, filename)
        elif number == 6:
            strings.append(value.decode("utf-8", "replace"))
        elif number == 9:
            time_nanos = _signed(value)
        elif number == 10:
            duration = _signed(value)
        elif number == 11:
            period_type = _value_type(value)

    def s(index: int) -> str:
        return strings[index] if 0 <= index < len(strings) else ""

    frames_by_location = {
        loc_id: [Frame(s(functions.get(fid, (0, 0))[0]), s(functions.get(fid, (0, 0))[1]), line) for fid, line in lines]
        for loc_id, lines in locations.items()
    }
    return Profile(
        sample_types=[(s(t), s(u)) for t, u in sample_types],
        samples=[Sample(locs, values, {s(k): s(v) for k, v in labels}) for locs, values, labels in samples],
        frames_by_location=frames_by_location,
        period_type=(s(period_type[0]), s(period_type[1])),
        time_nanos=time_nanos,
        duration_nanos=duration,
    )


def _value_type(value: bytes) -> tuple[int, int]:
    kind = unit = 0
    for n, _w, v in _fields(value):
        if n == 1:
            kind = v
        elif n == 2:
            unit = v
    return kind, unit
