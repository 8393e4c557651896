"""How far goleaklint is from the floor: reading and tree-sitter-parsing every file, nothing else.

    python benchmarks/bench.py DIR [--jobs 1,2] [--repeat 3]

Measures, in one run and on the same files (those goleaklint discovers under DIR/...):
- the parse floor: read + parse every file, with the same number of processes and the same
  package batches the engine uses;
- goleaklint cold (--no-cache), cold while filling an empty cache, and warm (unchanged tree);
each with 1 and 2 jobs, every one as a fresh process, as a user runs it. Prints seconds, files/s,
MB/s, the ratio to the floor with the same job count, and the peak RSS of the largest process.
Machines shared with other work are noisy: each measurement is the best of --repeat runs, and only
ratios within one run mean anything.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _corpus(directory: Path):
    from goleaklint.config import Config
    from goleaklint.discover import discover

    jobs, _ = discover(["./..."], Config(), directory)
    return jobs


def _parse_batch(paths: list[str]) -> int:
    from goleaklint.source import new_parser

    parser = new_parser()
    size = 0
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        parser.parse(data)  # the tree is dropped at once, as the engine drops a package's trees
        size += len(data)
    return size


def floor_child(directory: Path, processes: int) -> None:
    """The floor, run in its own process like goleaklint is: discovery, then read + parse."""
    from goleaklint.engine import _batches

    jobs = _corpus(directory)
    if processes <= 1:
        _parse_batch([str(p) for job in jobs for p in job.files])
        return
    # The engine's batches in the engine's order (biggest first), so only the work per file differs.
    batches = [[str(p) for job in batch for p in job.files] for batch in _batches(jobs, processes)]
    batches.sort(key=len, reverse=True)
    with ProcessPoolExecutor(max_workers=processes) as pool:
        list(pool.map(_parse_batch, batches))


def _timed(command: list[str], cwd: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of the largest process in the tree (wait4 reports the max
    over the child and the descendants it waited for)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    return elapsed, usage.ru_maxrss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--jobs", default="1,2", help="job counts to measure (default: 1,2)")
    parser.add_argument("--repeat", type=int, default=1, help="best of N runs per measurement (default: 1)")
    parser.add_argument("--floor-child", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    directory = args.directory.resolve()
    if args.floor_child is not None:
        floor_child(directory, args.floor_child)
        return 0

    jobs = _corpus(directory)
    files = [p for job in jobs for p in job.files]
    size = lines = 0
    for path in files:
        data = path.read_bytes()
        size += len(data)
        lines += data.count(b"\n")
    print(f"corpus: {directory}")
    print(f"  {len(jobs)} packages, {len(files)} files, {lines:,} lines, {size / 1e6:.1f} MB")
    print(f"  python {sys.version.split()[0]}, {os.cpu_count()} CPUs")

    python = sys.executable
    lint = [python, "-m", "goleaklint", "--format", "json", "-o", os.devnull, "./..."]
    cache_root = Path(tempfile.mkdtemp(prefix="goleaklint-bench-"))
    rows: list[tuple[str, int, float, int]] = []

    # Every measurement once per round, rounds repeated: on a shared machine speed drifts over
    # minutes, and a floor measured in a slow minute would flatter or punish the runs measured in
    # another. Interleaved, each ratio compares runs made close together; alternating the order
    # keeps any one measurement from always following the same one.
    plan: list[tuple[str, int, list[str], object]] = []
    counts = [int(n) for n in args.jobs.split(",")]
    for n in counts:
        cache = cache_root / f"j{n}"
        plan += [
            ("parse floor", n, [python, str(Path(__file__).resolve()), str(directory), "--floor-child", str(n)], None),
            ("goleaklint cold (--no-cache)", n, [*lint, "-j", str(n), "--no-cache"], None),
            ("goleaklint cold, filling cache", n, [*lint, "-j", str(n), "--cache-dir", str(cache)],
             lambda cache=cache: shutil.rmtree(cache, ignore_errors=True)),
            ("goleaklint warm cache", n, [*lint, "-j", str(n), "--cache-dir", str(cache)], None),
        ]
    best: dict[tuple[str, int], tuple[float, int]] = {}
    try:
        for round_ in range(args.repeat):
            # Odd rounds run the plan backwards: a run that always came right after another heavy
            # one (filling the cache after the cold run) would otherwise always pay for it. Warm
            # runs then use the cache the previous round filled.
            for label, n, command, before in (plan if round_ % 2 == 0 else plan[::-1]):
                if before:
                    before()
                elapsed, rss = _timed(command, directory)
                if (label, n) not in best or elapsed < best[(label, n)][0]:
                    best[(label, n)] = (elapsed, rss)
    finally:
        shutil.rmtree(cache_root, ignore_errors=True)
    for label, n, _, _ in plan:
        rows.append((label, n, *best[(label, n)]))
    floors = {n: elapsed for label, n, elapsed, _ in rows if label == "parse floor"}

    print()
    print(f"{'run':<32} {'jobs':>4} {'seconds':>8} {'files/s':>8} {'MB/s':>7} {'x floor':>8} {'peak RSS':>9}")
    for label, n, elapsed, rss in rows:
        print(f"{label:<32} {n:>4} {elapsed:>8.2f} {len(files) / elapsed:>8.0f} {size / 1e6 / elapsed:>7.2f} "
              f"{elapsed / floors[n]:>8.2f} {rss / 1024:>7.0f}MB")
    by = {(label, n): elapsed for label, n, elapsed, _ in rows}
    if 1 in counts and 2 in counts:
        print()
        for label in ("parse floor", "goleaklint cold (--no-cache)"):
            print(f"speed-up 1 -> 2 jobs, {label}: {by[(label, 1)] / by[(label, 2)]:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
