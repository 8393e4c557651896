"""`goleaklint explain FILE:LINE`: how long the function at a line lives, and the call chain that
says so. The same module model the lint uses (linter/lifetime.py), built over the module that
holds FILE, so the answer is the one that decided the levels of that function's findings."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TextIO

from .cache import default_cache_dir
from .callgraph import LITERAL_SUFFIX
from .config import ConfigError, ConfigResolver
from .discover import discover, skip_dir
from .engine import RunOptions, lint, module_model
from .lifetime import (ANY_VERSION, DESCRIBE, PUBLIC_INTERFACE, UNKNOWN, ModuleModel, Node, called_behind_auth,
                       local_libraries, main_rooted, module_owner, module_paths, relative_directory, unimported)
from .registry import all_rules, rules_by_key
from .routes import AUTHENTICATED, BODY_LIMIT, DEVELOPER_SWITCH, MOUNTED
from .switches import names_developer_switch

_USAGE = "goleaklint explain FILE:LINE [--no-cache]"


def explain_command(argv: list[str], out: TextIO) -> int:
    parser = argparse.ArgumentParser(prog="goleaklint explain",
                                     description="Print how often the function at FILE:LINE runs, and why.")
    parser.add_argument("location", metavar="FILE:LINE")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the cache")
    parser.add_argument("--cache-dir", metavar="DIR")
    args = parser.parse_args(argv)
    file_text, sep, line_text = args.location.rpartition(":")
    if not sep or not line_text.isdigit() or not file_text:
        raise ConfigError(f"{args.location}: expected FILE:LINE, e.g. internal/worker/pool.go:42 ({_USAGE})")
    path = Path(file_text)
    if not path.is_file():
        raise ConfigError(f"{file_text}: no such file")
    if path.suffix != ".go":
        raise ConfigError(f"{file_text}: not a Go file")
    root = Path.cwd().resolve()
    resolved = path.resolve()
    modules = module_paths([resolved.parent])
    # The module the file belongs to; in a tree with no go.mod (a GOPATH-era codebase), the tree
    # `goleaklint ./...` would lint from here, so that both see the same packages and lifetimes.
    scope = modules[resolved.parent][0] if resolved.parent in modules else \
        root if resolved.parent.is_relative_to(root) else resolved.parent
    if scope != root and scope.is_relative_to(root) and _taken_from_the_tree(scope, root):
        # A library the tree's programs take unpublished (lifetime.local_libraries), or one that may
        # be a copy nothing builds (lifetime.copied_modules): the tree decides its lifetimes, so the
        # tree is read, as `goleaklint ./...` from here reads it.
        scope = root
    table = {key: rm.rule.id for key, rm in rules_by_key().items()}
    configs = ConfigResolver(table)
    jobs, _ = discover([f"{scope}/..."], configs, root)
    if not any(job.directory == resolved.parent for job in jobs):
        # Excluded or skipped by the walk: explain it all the same, as the only package.
        jobs, _ = discover([str(resolved)], configs, root)
        if not jobs:
            raise ConfigError(f"{file_text}: excluded from linting (see goleaklint --show-settings)")
    cache_dir = None if args.no_cache else str(Path(args.cache_dir).resolve() if args.cache_dir else default_cache_dir())
    # Every rule runs, as in a lint: whether an exported function is dead code is worked out where it
    # could silence a finding (callgraph._reaching), so the findings decide what the model says.
    # Test files are read as a default lint reads them (cli.lints_tests), so that both see the same
    # lifetimes; parsed when the line to explain is in one.
    from .cli import lints_tests

    lint_tests = resolved.name.endswith("_test.go") or \
        lints_tests(all_rules(), configs.for_directory(resolved.parent), None, True, None)
    options = RunOptions(rule_ids=tuple(rm.rule.id for rm in all_rules()), root=str(root), cache_dir=cache_dir,
                         lint_tests=lint_tests)
    result = lint(jobs, options)
    model = result.module or module_model(result, jobs, root)
    try:
        relpath = resolved.relative_to(root).as_posix()
    except ValueError:
        relpath = resolved.as_posix()
    node = model.node_at(relpath, int(line_text))
    if node is None:
        subjects = _subjects_at(result, model, relpath, int(line_text))
        if subjects:
            # A package-level map or slice, or a map field: its finding's level follows the functions
            # that make it grow (Finding.subjects), so those are what to explain.
            rules, found = subjects
            out.write(f"{relpath}:{line_text}: a declaration outside any function; the level of {rules} here "
                      f"follows how often the code that makes it grow runs:\n")
            for index, subject in enumerate(found):
                if index:
                    out.write("\n")
                write_explanation(model, subject, out)
            return 0
        out.write(f"{relpath}:{line_text}: not inside a function: package-level code runs once, when the "
                  f"package is initialised\n")
        return 0
    write_explanation(model, node, out)
    return 0


def _taken_from_the_tree(module_root: Path, root: Path) -> bool:
    """Whether the tree under `root` decides the lifetimes of the module at `module_root`: a module
    of the tree requires it unpublished and replaces it by its directory (lifetime.local_libraries),
    or none replaces it and it may be a copy of another project's library that nothing builds
    (lifetime.copied_modules), which the tree's programs decide."""
    import os

    roots = []
    for directory, names, files in os.walk(root):
        names[:] = sorted(n for n in names if not skip_dir(n))  # as discovery walks
        if "go.mod" in files and Path(directory) != module_root:
            roots.append(Path(directory))
    target = relative_directory(module_root, root)
    taken = local_libraries(roots, root)
    if target not in taken.get(ANY_VERSION, ()) and roots:
        # Nothing replaces it by its directory: a copy of another project's library, if the tree's
        # programs are another owner's (lifetime.copied_modules), which only the tree can say.
        found = module_paths([module_root]).get(module_root)
        if found is not None and module_owner(found[1]) is not None:
            return True
    return any(target in targets for module, targets in taken.items() if module != ANY_VERSION)


def _subjects_at(result, model: ModuleModel, relpath: str, line: int) -> tuple[str, list[Node]] | None:
    """The findings reported at a line outside any function whose level the lifetimes of named
    functions decide (a GL201 map's inserting functions), and those functions' nodes in the file's
    package."""
    at = [f for f in result.findings + result.suppressed if f.path == relpath and f.line == line and f.subjects]
    if not at:
        return None
    directory = relpath.rpartition("/")[0]
    names = {name for f in at for name in f.subjects}
    found = sorted((n for n in model.nodes if n.name in names and n.relpath.rpartition("/")[0] == directory),
                   key=lambda n: (n.name, n.relpath, n.line))
    if not found:
        return None
    return " and ".join(sorted({f.rule_id for f in at})), found


_REPEATER_CALL = re.compile(r"\b(wait\.(?:Until|Forever|JitterUntil|NonSlidingUntil|BackoffUntil)(?:WithContext)?|"
                            r"[\w.]*(?:InLoop|Forever))\(")


def _repeater_on_line(relpath: str | None, line: int | None) -> str | None:
    """The repeating call (`wait.Until`) written on a call site's line, which is why the callee runs
    in a loop though no loop is written there (linter/callgraph.py _handed_to_repeater)."""
    if not relpath or not line:
        return None
    try:
        with open(relpath, encoding="utf-8", errors="replace") as handle:
            text = next((t for n, t in enumerate(handle, 1) if n == line), "")
    except OSError:
        return None
    match = _REPEATER_CALL.search(text)
    return match.group(1) if match else None


def _shown(name: str) -> str:
    """A function's name as the user reads it: a block that runs once (callgraph._once_blocks) is
    named by its function and its first line."""
    function, marker, line = name.rpartition(".once@")
    return f"{function}, the block at line {line}" if marker else name


def write_explanation(model: ModuleModel, node: Node, out: TextIO) -> None:
    out.write(f"{node.relpath}:{node.line}: {_shown(node.name)}\n")
    if node.dead:
        written_in = LITERAL_SUFFIX.sub("", node.name)
        why = node.reason if written_in == node.name else f"written in {written_in}, which never runs: {node.reason}"
        out.write(f"lifetime: never runs (judged as test-only code)\nbecause: {why}\n")
        return
    chain = model.chain(node)
    public = node.lifetime == UNKNOWN and chain[0][0].reason.startswith(PUBLIC_INTERFACE)
    out.write("lifetime: unknown (an implementation of a library's public interface: other modules call it)\n"
              if public else f"lifetime: {DESCRIBE[node.lifetime]}\n")
    root = chain[0][0]
    if root.forced and root is node:
        out.write(f"because: {root.reason}, whatever calls it\n")
        return
    out.write("because:\n")
    rows = []
    for index, (step, site_path, site_line) in enumerate(chain):
        if index == 0:
            note = f"root: {step.reason}" if step.reason else f"root: {DESCRIBE[step.lifetime]}"
        else:
            edge = (model.nodes.index(chain[index - 1][0]), model.nodes.index(step))
            interface, made = model.through.get(edge), model.per_value.get(edge)
            note = f"called through interface `{interface}` at {site_path}:{site_line}" if interface else \
                f"runs once per `{made}` (a guard on its own field), as often as {chain[index - 1][0].name} makes one" \
                if made else f"called at {site_path}:{site_line}"
            table = model.memo.get(edge)
            if table is not None:
                note += f", once per key of `{table}`, which keeps what it makes and never deletes (a memo)"
            if chain[index - 1][0].lifetime != step.lifetime and step.lifetime == "loop":
                repeater = _repeater_on_line(site_path, site_line)
                note += f", handed to `{repeater}`, which runs it again and again" if repeater else \
                    ", in a loop that never ends"
        rows.append((f"{step.relpath}:{step.line}", _shown(step.name), note))
    width = [max(len(row[i]) for row in rows) for i in (0, 1)]
    for where, name, note in rows:
        out.write(f"  {where.ljust(width[0])}  {name.ljust(width[1])}  {note}\n")
    index = model.nodes.index(node)
    if node.lifetime == UNKNOWN and model.packages[node.package].summary.name != "main" and \
            (model.packages[node.package].summary.directory, node.name) in main_rooted(model):
        out.write("only functions of main packages that nothing in the module calls reach it (commands, callbacks): "
                  "nothing outside the binary calls it, so its findings are notes\n")
    elif model.packages[node.package].summary.directory in unimported(model):
        out.write("no program of its module uses its package (nothing in the module imports it, or only packages no "
                  "program uses do), though the module builds programs: its code runs only if another module imports "
                  "it, so its findings are notes\n")
    flags = model.route_auth.get(index)
    if flags:
        out.write(f"routes: {_routes_text(flags)}\n")
    elif index in called_behind_auth(model):
        out.write("routes: none registers it; every function that calls it is behind authentication (a handler "
                  "whose every route has it in front, or a caller that checks who the client is first)\n")
    switch = model.switched.get(index)
    if switch is not None:
        condition, _, where = switch.rpartition("@")
        developer = names_developer_switch(condition)
        out.write(f"switched: every call in the module that leads here is made only when a setting turns it on "
                  f"(`{condition}`, at {where}): profiling it starts is a note (GL501)"
                  + (", and so is a body it reads whole, since the switch is for developers (GL406)" if developer else "")
                  + "\n")
    callers = sum(1 for edges in model.edges for callee, *_ in edges if model.nodes[callee] is node)
    if callers > 1:
        out.write(f"{callers} calls in the module reach it; the most repeated one decides.\n")
    if model.unresolved:
        calls = "1 call" if model.unresolved == 1 else f"{model.unresolved} calls"
        out.write(f"({calls} in the module could not be resolved without types and are not counted.)\n")


def _routes_text(flags: list[int]) -> str:
    """What stands in front of a handler's routes (linter/routes.py), for the public-policy rules."""
    mounts = sum(1 for f in flags if f & MOUNTED)
    routes = len(flags) - mounts
    said = [("1 route" if routes == 1 else f"{routes} routes") if routes else "",
            ("1 `Use`" if mounts == 1 else f"{mounts} `Use` calls") if mounts else ""]
    count = " and ".join(part for part in said if part) + (" registers it" if len(flags) == 1 else " register it")
    guards = []
    for bit, word in ((AUTHENTICATED, "authentication"), (DEVELOPER_SWITCH, "a developer switch"),
                      (BODY_LIMIT, "a body-size limit")):
        covered = sum(1 for f in flags if f & bit)
        if covered:
            guards.append(f"{word} in front of {'all' if covered == len(flags) else covered} of them")
    return count + ("; " + ", ".join(guards) if guards else "; nothing in front of any: public")


def main(argv: list[str]) -> int:  # pragma: no cover - through cli.main
    return explain_command(argv, sys.stdout)
