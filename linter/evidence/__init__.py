"""Runtime evidence: goroutine dumps, Go's goroutine leak profile, goleak's failures and heap
profiles, mapped to the lines of the linted tree and merged with the findings of the rules.

The CLI calls `load_evidence` before linting (a bad file fails in a second, not after a full run)
and `merge_evidence` after `lint()`, on the LintResult; nothing here runs inside the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..config import ConfigError
from ..discover import PackageJob
from ..engine import LintResult
from .heap import HeapProfile, parse_heap
from .mapping import FrameMapper
from .merge import RuntimeSummary, apply_evidence
from .profile_proto import ProtoError, is_gzip, read_profile
from .sites import group
from .stacks import Goroutine, GoroutineProfile, ProfileFormatError, parse_goroutines, state_from_frames
from .thresholds import Thresholds

__all__ = ["Evidence", "RuntimeSummary", "Thresholds", "load_evidence", "merge_evidence", "read_goroutines"]


@dataclass
class Evidence:
    goroutines: list[tuple[str, GoroutineProfile]] = field(default_factory=list)  # (file name, profile)
    heap: list[tuple[str, HeapProfile]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.goroutines or self.heap)


def read_goroutines(data: bytes) -> GoroutineProfile:
    """Any goroutine format: the binary profile (gzip'd protobuf) or one of the text formats."""
    if is_gzip(data):
        proto = read_profile(data)
        kind = proto.sample_types[0][0] if proto.sample_types else ""
        if kind not in ("goroutine", "goroutineleak"):
            raise ProfileFormatError(f"a binary profile of {kind or 'unknown'} samples, not of goroutines")
        profile = GoroutineProfile(kind, "proto")
        for sample in proto.samples:
            frames = proto.stack(sample)
            count = sample.values[0] if sample.values else 1
            profile.goroutines.append(Goroutine(frames=frames, count=count, state=state_from_frames(frames),
                                                leaked=kind == "goroutineleak"))
        return profile
    return parse_goroutines(data.decode("utf-8", "replace"))


def load_evidence(goroutine_files: list[str], heap_files: list[str]) -> Evidence:
    """Reads every file; an unreadable or unknown one is a usage error naming it."""
    if heap_files and len(heap_files) < 2:
        raise ConfigError("--heap needs two profiles to compare: --heap BASE --heap LATER")
    evidence = Evidence()
    for name in goroutine_files:
        try:
            evidence.goroutines.append((name, read_goroutines(_read(name))))
        except (ProfileFormatError, ProtoError) as exc:
            raise ConfigError(f"{name}: {exc}") from None
    for name in heap_files:
        try:
            evidence.heap.append((name, parse_heap(_read(name))))
        except (ProfileFormatError, ProtoError) as exc:
            raise ConfigError(f"{name}: {exc}") from None
    return evidence


def _read(name: str) -> bytes:
    try:
        return Path(name).read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {name}: {exc.strerror or exc}") from None


def merge_evidence(result: LintResult, evidence: Evidence, jobs: list[PackageJob], root: Path,
                   rule_ids: set[str], thresholds: Thresholds) -> tuple[LintResult, RuntimeSummary]:
    """The lint result with the evidence merged in, and the summary the reporters show.

    With more than two heap profiles the first and the last are compared.
    """
    mapper = FrameMapper.for_jobs(jobs, root)
    goroutines = group(evidence.goroutines, mapper) if evidence.goroutines else None
    heap = (evidence.heap[0][1], evidence.heap[-1][1]) if len(evidence.heap) >= 2 else None
    return apply_evidence(result, mapper, rule_ids, thresholds, goroutines, heap,
                          [(name, profile.format) for name, profile in evidence.heap])
