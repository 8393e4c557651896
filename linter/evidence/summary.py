"""The runtime evidence as each output format shows it, besides the findings that carry it:
the text report's table of sites by count, and the same data for JSON and SARIF."""

from __future__ import annotations

from .merge import RuntimeSummary, human_bytes, human_count


def summary_data(summary: RuntimeSummary) -> dict:
    """Plain data, for JSON and SARIF run properties."""
    data: dict = {"attached_to_findings": summary.attached, "runtime_findings": summary.runtime_only}
    goroutines = summary.goroutines
    if goroutines is not None:
        data["goroutines"] = {
            "files": [{"file": name, "kind": kind, "format": fmt, "goroutines": total}
                      for name, kind, fmt, total in goroutines.files],
            "total": goroutines.goroutines,
            "outside_tree": goroutines.outside_tree,
            "unmatched_frames": sum(goroutines.unmatched.values()),
            "unmatched_reasons": dict(sorted(goroutines.unmatched.items())),
            "sites": [
                {
                    "path": site.path, "line": site.line, "function": site.function, "goroutines": site.count,
                    "states": dict(sorted(site.states.items())), "longest_wait_minutes": site.longest_wait,
                    "leak_profile": site.proof, "parked_here": site.parked_here,
                    "created_at": [f"{p}:{l}" for (p, l), _ in sorted(site.created_at.items())],
                }
                for site in goroutines.sites_by_count()
            ],
        }
    if summary.heap_files:
        data["heap"] = {
            "files": [{"file": name, "format": fmt} for name, fmt in summary.heap_files],
            "unmatched_frames": sum(summary.heap_unmatched.values()),
            "sites": [
                {"path": s.path, "line": s.line, "function": s.function,
                 "inuse_bytes_growth": round(s.growth_bytes), "inuse_objects_growth": round(s.growth_objects)}
                for s in summary.heap_sites
            ],
        }
    return data


def text_lines(summary: RuntimeSummary) -> list[tuple[str, list[tuple[str, ...]], tuple[str, ...]]]:
    """(heading, rows, column names) for the text report: sites by count, growth by size."""
    blocks = []
    goroutines = summary.goroutines
    if goroutines is not None:
        unmatched = sum(goroutines.unmatched.values())
        sites = goroutines.sites_by_count()
        in_tree = sum(s.count for s in sites)
        heading = (f"Runtime evidence: {goroutines.goroutines} goroutine{'s' if goroutines.goroutines != 1 else ''} in "
                   f"{len(goroutines.files)} file{'s' if len(goroutines.files) != 1 else ''}; {in_tree} at "
                   f"{len(sites)} site{'s' if len(sites) != 1 else ''} of the tree, {goroutines.outside_tree} "
                   f"outside it, {unmatched} frame{'s' if unmatched != 1 else ''} matched no linted file.")
        rows = [(str(s.count), s.state or "?", f"{s.longest_wait} min" if s.longest_wait else "",
                 f"{s.path}:{s.line}", "leak" if s.proof else "dump") for s in sites]
        blocks.append((heading, rows, ("goroutines", "state", "longest wait", "parked at", "evidence")))
    if summary.heap_files:
        unmatched = sum(summary.heap_unmatched.values())
        heading = (f"Heap growth between {summary.heap_files[0][0]} and {summary.heap_files[-1][0]}: "
                   f"{len(summary.heap_sites)} growing allocation site{'s' if len(summary.heap_sites) != 1 else ''} "
                   f"in the tree, {unmatched} frame{'s' if unmatched != 1 else ''} matched no linted file.")
        rows = [(human_bytes(s.growth_bytes), human_count(s.growth_objects), f"{s.path}:{s.line}")
                for s in summary.heap_sites]
        blocks.append((heading, rows, ("in use", "objects", "allocated at")))
    return blocks
