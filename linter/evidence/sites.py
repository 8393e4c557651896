"""Groups goroutines by the line of the linted tree where they are parked and where they were made.

The parked site of a goroutine is its innermost frame that maps to a linted file: the line of the
project's code that waits (a send, a receive, a `Lock`, a `Sleep`). Its creation site is the
`go` statement debug=2 and goleak print after `created by`. A goroutine none of whose frames map
is parked at its creation site if that maps, else it is outside the tree (the runtime's own, a
dependency's) and only counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from .mapping import FrameMapper, Mapped, Where, split_function
from .stacks import Frame, GoroutineProfile

Site = tuple[str, int]  # (relpath, line)


@dataclass
class GoroutineSite:
    path: str
    line: int
    function: str  # the Go function of the frame ("example.com/app/h.Fetch.func1")
    count: int = 0  # goroutines here: the largest count any one file shows
    states: Counter = field(default_factory=Counter)
    longest_wait: int | None = None  # minutes
    proof: bool = False  # named by the leak profile or goleak
    created_at: Counter = field(default_factory=Counter)  # Site -> goroutines, for parked sites
    sources: list[str] = field(default_factory=list)  # the files that show it
    parked_here: bool = True  # False: a creation site only (its goroutines park outside the tree)

    @property
    def key(self) -> Site:
        return self.path, self.line

    @property
    def state(self) -> str:
        """The most common state, e.g. "chan send"."""
        return self.states.most_common(1)[0][0] if self.states else ""


@dataclass
class GoroutineEvidence:
    parked: dict[Site, GoroutineSite] = field(default_factory=dict)
    created: dict[Site, GoroutineSite] = field(default_factory=dict)
    goroutines: int = 0  # in every file, summed
    outside_tree: int = 0  # goroutines with no frame in the linted tree
    unmatched: Counter = field(default_factory=Counter)  # reason -> distinct frames
    files: list[tuple[str, str, str, int]] = field(default_factory=list)  # (name, kind, format, total)

    def sites_by_count(self) -> list[GoroutineSite]:
        return sorted(self.parked.values(), key=lambda s: (-s.count, s.path, s.line))


_NOT_PARKED = frozenset({"running", "runnable", "syscall"})


def group(profiles: list[tuple[str, GoroutineProfile]], mapper: FrameMapper) -> GoroutineEvidence:
    evidence = GoroutineEvidence()
    unmatched_frames: dict[str, set[Frame]] = {}
    for name, profile in profiles:
        evidence.files.append((name, profile.kind, profile.format, profile.total))
        evidence.goroutines += profile.total
        parked: dict[Site, GoroutineSite] = {}
        created: dict[Site, GoroutineSite] = {}
        for goroutine in profile.goroutines:
            if goroutine.state in _NOT_PARKED:
                continue
            site_frame: tuple[Frame, Mapped] | None = None
            for frame in goroutine.frames:
                mapped = mapper.map(frame)
                if mapped.where is Where.UNMATCHED:
                    unmatched_frames.setdefault(mapped.reason, set()).add(frame)
                elif mapped.where is Where.TREE and site_frame is None:
                    site_frame = (frame, mapped)
            creation: tuple[Frame, Mapped] | None = None
            if goroutine.created_by is not None:
                mapped = mapper.map(goroutine.created_by)
                if mapped.where is Where.TREE:
                    creation = (goroutine.created_by, mapped)
                elif mapped.where is Where.UNMATCHED:
                    unmatched_frames.setdefault(mapped.reason, set()).add(goroutine.created_by)
            if site_frame is None and creation is None:
                evidence.outside_tree += goroutine.count
                continue
            frame, mapped = site_frame or creation
            site = _site(parked, frame, mapped, name, profile.is_proof)
            site.parked_here = site_frame is not None
            if not goroutine.state and site_frame is not None and goroutine.frames and goroutine.frames[0] == frame:
                # Parked in the project's own frame, with the runtime's frames hidden (debug=1):
                # the statement on the line says what it waits for.
                goroutine = replace(goroutine, state=mapper.waiting_statement(mapped.path, mapped.line))
            _add(site, goroutine)
            if creation is not None:
                site.created_at[(creation[1].path, creation[1].line)] += goroutine.count
                made = _site(created, creation[0], creation[1], name, profile.is_proof)
                made.parked_here = False
                _add(made, goroutine)
        _combine(evidence.parked, parked)
        _combine(evidence.created, created)
    evidence.unmatched = Counter({reason: len(frames) for reason, frames in unmatched_frames.items()})
    return evidence


def _site(table: dict[Site, GoroutineSite], frame: Frame, mapped: Mapped, source: str, proof: bool) -> GoroutineSite:
    key = (mapped.path, mapped.line)
    site = table.get(key)
    if site is None:
        site = table[key] = GoroutineSite(mapped.path, mapped.line, frame.function, sources=[source], proof=proof)
    return site


def _add(site: GoroutineSite, goroutine) -> None:
    site.count += goroutine.count
    if goroutine.state:
        site.states[goroutine.state] += goroutine.count
    if goroutine.wait_minutes is not None:
        site.longest_wait = max(site.longest_wait or 0, goroutine.wait_minutes)


def _combine(total: dict[Site, GoroutineSite], one_file: dict[Site, GoroutineSite]) -> None:
    """Several files may show the same goroutines (a dump and a leak profile taken together):
    counts are not added across files; the largest one stands."""
    for key, site in one_file.items():
        known = total.get(key)
        if known is None:
            total[key] = site
            continue
        known.count = max(known.count, site.count)
        known.states.update(site.states)
        if site.longest_wait is not None:
            known.longest_wait = max(known.longest_wait or 0, site.longest_wait)
        known.proof = known.proof or site.proof
        known.parked_here = known.parked_here or site.parked_here
        for made, count in site.created_at.items():
            known.created_at[made] = max(known.created_at[made], count)
        known.sources += [s for s in site.sources if s not in known.sources]


def short_function(function: str) -> str:
    """`example.com/app/h.(*notifier).publish` -> `h.(*notifier).publish`."""
    package, rest = split_function(function)
    return f"{package.rsplit('/', 1)[-1]}.{rest}" if rest else function
