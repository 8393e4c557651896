"""Lint snapshots of real codebases and compare the findings with a ledger of judged findings.

    python benchmarks/ecosystem/check.py --snapshots DIR [--set heldout] [--repo NAME]
                                         [--write-stubs FILE] [--format text|json]

For every codebase in repos.toml whose snapshot is DIR/<name>, runs goleaklint (JSON, every level, an
empty config, no cache) and matches each finding against ledger.jsonl by repo, rule, path, function
and the text of the finding's source line (stripped), so findings that merely moved keep their verdict.
Prints, per rule, the precision at warning and error (TRUE / judged; DEBATABLE is not TRUE), the
findings no ledger entry matches (appeared, unjudged), and the ledger entries no finding matches
(vanished; a vanished TRUE, or a TRUE judged at warning or error and now only a note, is a
regression). Exit code 1 when there is a
regression, 2 on an error (no snapshot found, goleaklint failed, a malformed ledger or repos file).
The workflow, the ledger format and how to fetch the snapshots: docs/ecosystem.md.

    python benchmarks/ecosystem/check.py --totals FIRST-LAST

lints nothing: it prints the ledger's held-out precision over batches FIRST..LAST under the labels
goleaklint declares today, as shipped, with `--min-precision medium` and at the rules' own levels.
"""

from __future__ import annotations

import argparse
import json
import random
import shlex
import subprocess
import sys
import tempfile
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERDICTS = ("TRUE", "FALSE", "DEBATABLE", "UNJUDGED")
LEVELS = ("error", "warning", "note")
SETS = ("tuning", "heldout")
SHOWN = ("error", "warning")  # the levels precision is measured at
# The order of a ledger entry's keys; `line` (where it was when judged) and `shape` (the general shape
# of a false positive) are optional and never used for matching.
LEDGER_KEYS = ("repo", "rule", "path", "function", "text", "level", "verdict", "reason", "shape", "line", "tuning",
               "lifetime", "kind")
REQUIRED_KEYS = ("repo", "rule", "path", "function", "text", "level", "verdict", "reason")


class InputError(Exception):
    """A repos file, ledger or goleaklint run that cannot be used; exit code 2."""


@dataclass(frozen=True)
class Repo:
    name: str
    url: str
    commit: str
    set: str
    kind: str = ""
    paths: tuple[str, ...] = ("./...",)
    batch: int = 1


@dataclass(frozen=True)
class Finding:
    """One finding of this run, with the text of its first source line."""

    repo: str
    rule: str
    path: str
    function: str
    text: str
    level: str
    line: int
    message: str = ""
    lifetime: str = ""  # how long the finding's code lives, as the run decided (for analysis)
    kind: str = ""  # the kind of finding its rule measures apart (goleaklint's `kind`), or ""

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.repo, self.rule, self.path, self.function, self.text)


@dataclass(frozen=True)
class Entry:
    """One judged (or not yet judged) finding of the ledger."""

    repo: str
    rule: str
    path: str
    function: str
    text: str
    level: str
    verdict: str
    reason: str
    shape: str = ""
    line: int = 0
    tuning: bool = False  # judged after its codebase became tuning: not a held-out measurement
    lifetime: str = ""  # the lifetime of the finding's code when judged (informational, like `line`)
    kind: str = ""  # the kind of finding its rule measured apart when it was stubbed (labels by kind)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.repo, self.rule, self.path, self.function, self.text)

    def to_json(self) -> str:
        data = {name: getattr(self, name) for name in LEDGER_KEYS}
        if not data["shape"]:
            del data["shape"]
        if not data["line"]:
            del data["line"]
        if not data["tuning"]:
            del data["tuning"]
        if not data["lifetime"]:
            del data["lifetime"]
        if not data["kind"]:
            del data["kind"]
        return json.dumps(data, ensure_ascii=False)


@dataclass
class Comparison:
    """The findings of a run set against the ledger entries of the same repositories."""

    matched: list[tuple[Finding, Entry]] = field(default_factory=list)
    appeared: list[Finding] = field(default_factory=list)  # no ledger entry
    vanished: list[Entry] = field(default_factory=list)  # no finding

    @property
    def regressions(self) -> list[tuple[Entry, Finding | None]]:
        """A TRUE that vanished, or that was judged at warning or error and is now only a note (hidden
        from users)."""
        lost: list[tuple[Entry, Finding | None]] = [(e, None) for e in self.vanished if e.verdict == "TRUE"]
        lost += [(e, f) for f, e in self.matched
                 if e.verdict == "TRUE" and e.level in SHOWN and f.level not in SHOWN]
        return lost

    @property
    def true_notes(self) -> list[tuple[Finding, Entry]]:
        """TRUE findings that were notes when judged and still are: leaks users do not see, recall a
        rule could gain by raising its level (not a regression: it never was shown)."""
        return [(f, e) for f, e in self.matched if e.verdict == "TRUE" and e.level not in SHOWN and f.level not in SHOWN]


# --- inputs ---------------------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """A source line as the ledger keeps it: surrounding blanks removed, inner runs of blanks as one
    space, so re-indentation or alignment by gofmt does not lose a verdict."""
    return " ".join(text.split())


def load_repos(path: Path) -> list[Repo]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"{path}: {exc}") from exc
    repos = []
    for index, item in enumerate(data.get("repo", [])):
        where = f"{path}: repo #{index + 1}"
        for key in ("name", "url", "commit", "set"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise InputError(f"{where}: '{key}' is missing or not a string")
        unknown = set(item) - {"name", "url", "commit", "set", "kind", "paths", "batch"}
        if unknown:
            raise InputError(f"{where} ({item['name']}): unknown keys {sorted(unknown)}")
        if item["set"] not in SETS:
            raise InputError(f"{where} ({item['name']}): set must be one of {', '.join(SETS)}")
        paths = item.get("paths", ["./..."])
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths) or not paths:
            raise InputError(f"{where} ({item['name']}): 'paths' must be a list of strings")
        batch = item.get("batch", 1)
        if type(batch) is not int or batch < 1:
            raise InputError(f"{where} ({item['name']}): 'batch' must be a positive integer")
        repos.append(Repo(item["name"], item["url"], item["commit"], item["set"], item.get("kind", ""), tuple(paths),
                          batch))
    names = Counter(r.name for r in repos)
    twice = sorted(n for n, c in names.items() if c > 1)
    if twice:
        raise InputError(f"{path}: repo names listed twice: {', '.join(twice)}")
    return repos


def load_ledger(path: Path) -> list[Entry]:
    if not path.exists():
        return []
    entries = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"{where}: not JSON: {exc}") from exc
        if not isinstance(data, dict):
            raise InputError(f"{where}: not a JSON object")
        missing = [k for k in REQUIRED_KEYS if k not in data]
        if missing:
            raise InputError(f"{where}: missing {', '.join(missing)}")
        unknown = set(data) - set(LEDGER_KEYS)
        if unknown:
            raise InputError(f"{where}: unknown keys {sorted(unknown)}")
        if data["verdict"] not in VERDICTS:
            raise InputError(f"{where}: verdict must be one of {', '.join(VERDICTS)}, not {data['verdict']!r}")
        if data["level"] not in LEVELS:
            raise InputError(f"{where}: level must be one of {', '.join(LEVELS)}")
        if data["verdict"] != "UNJUDGED" and not str(data["reason"]).strip():
            raise InputError(f"{where}: a {data['verdict']} verdict needs a reason")
        entries.append(Entry(
            repo=data["repo"], rule=data["rule"], path=data["path"], function=data["function"],
            text=normalise_text(data["text"]), level=data["level"], verdict=data["verdict"],
            reason=data["reason"], shape=data.get("shape", ""), line=int(data.get("line", 0)),
            tuning=data.get("tuning") is True, lifetime=str(data.get("lifetime", "")), kind=str(data.get("kind", "")),
        ))
    return entries


def findings_from_report(repo: str, report: dict, root: Path) -> list[Finding]:
    """The findings of one goleaklint JSON report (version 1), each with its source line read from
    the snapshot (the report's paths are relative to the directory goleaklint ran in)."""
    if report.get("version") != 1:
        raise InputError(f"{repo}: goleaklint JSON version {report.get('version')!r}, expected 1")
    lines: dict[str, list[str]] = {}
    found = []
    for item in report.get("findings", []):
        path = item["path"]
        if path not in lines:
            try:
                lines[path] = (root / path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                lines[path] = []
        source = lines[path]
        line = int(item["line"])
        text = source[line - 1] if 0 < line <= len(source) else ""
        found.append(Finding(repo=repo, rule=item["rule"], path=path, function=item.get("function", ""),
                             text=normalise_text(text), level=item["severity"], line=line,
                             message=item.get("message", ""), lifetime=item.get("lifetime", ""),
                             kind=item.get("kind", "")))
    return found


def _supports(command: list[str], flag: str) -> bool:
    result = subprocess.run([*command, "--help"], capture_output=True, text=True)
    return flag in result.stdout


def lint(repo: Repo, root: Path, command: list[str], jobs: int) -> list[Finding]:
    """Run goleaklint on one snapshot as a user would, but with every level shown and an empty
    config, so a stray .goleaklint.toml above the snapshots cannot change what is measured."""
    with tempfile.TemporaryDirectory(prefix="goleaklint-eco-") as scratch:
        config = Path(scratch) / "empty.toml"
        config.write_text("", encoding="utf-8")
        args = [*command, "--format", "json", "--exit-zero", "--no-cache", "-j", str(jobs),
                "--config", str(config), "--no-color"]
        if _supports(command, "--show-notes"):
            args.append("--show-notes")
        if _supports(command, "--min-precision"):
            # every rule at its own levels: a rule shown one level lower by default is still measured
            args += ["--min-precision", "low"]
        result = subprocess.run([*args, *repo.paths], cwd=root, capture_output=True, text=True)
    if result.returncode == 2 and "nothing to lint" in result.stderr:
        # Every Go file is generated or excluded (a generated SDK): linted, with nothing to find.
        print(f"ecosystem check: {repo.name}: {result.stderr.strip().removeprefix('goleaklint: error: ')}",
              file=sys.stderr)
        return []
    if result.returncode != 0:
        raise InputError(f"{repo.name}: goleaklint exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        raise InputError(f"{repo.name}: goleaklint wrote no JSON report: {exc}") from exc
    return findings_from_report(repo.name, report, root)


# --- comparison -----------------------------------------------------------------------------------


def compare(findings: list[Finding], ledger: list[Entry], repos: set[str]) -> Comparison:
    """Pair findings with ledger entries of the linted repositories. Entries and findings that share
    a key (the same line text twice in one function) pair up in line order; the rest are appeared or
    vanished."""
    waiting: dict[tuple, list[Entry]] = defaultdict(list)
    for entry in sorted((e for e in ledger if e.repo in repos), key=lambda e: e.line):
        waiting[entry.key].append(entry)
    result = Comparison()
    ordered = sorted(findings, key=lambda f: (f.repo, f.path, f.line, f.rule))
    # A finding on the line its entry recorded takes that entry first: the same text three times in
    # one function (notes, which the ledger does not record, and a judged warning) must not hand the
    # warning's verdict to the first note.
    exact: dict[int, Entry] = {}
    for finding in ordered:
        queue = waiting.get(finding.key)
        entry = next((e for e in queue if e.line == finding.line), None) if queue else None
        if entry is not None:
            queue.remove(entry)
            exact[id(finding)] = entry
    for finding in ordered:
        if id(finding) in exact:
            result.matched.append((finding, exact[id(finding)]))
            continue
        queue = waiting.get(finding.key)
        if queue:
            result.matched.append((finding, queue.pop(0)))
        else:
            result.appeared.append(finding)
    result.vanished = sorted((e for queue in waiting.values() for e in queue),
                             key=lambda e: (e.repo, e.path, e.line, e.rule))
    return result


@dataclass
class RuleStats:
    findings: int = 0  # at warning or error in this run
    true: int = 0
    false: int = 0
    debatable: int = 0
    unjudged: int = 0  # no entry, or an UNJUDGED one

    @property
    def judged(self) -> int:
        return self.true + self.false + self.debatable

    @property
    def precision(self) -> float | None:
        return self.true / self.judged if self.judged else None


def precision_by_rule(comparison: Comparison) -> dict[str, RuleStats]:
    """Per rule, over this run's findings at warning and error: how their verdicts split. A finding
    judged at one level and now at another counts at its level now: a FALSE now a note no longer
    costs precision, which is the point of demoting it."""
    stats: dict[str, RuleStats] = defaultdict(RuleStats)
    pairs = [(f, e) for f, e in comparison.matched] + [(f, None) for f in comparison.appeared]
    for finding, entry in pairs:
        if finding.level not in SHOWN:
            continue
        row = stats[finding.rule]
        row.findings += 1
        verdict = entry.verdict if entry else "UNJUDGED"
        if verdict == "TRUE":
            row.true += 1
        elif verdict == "FALSE":
            row.false += 1
        elif verdict == "DEBATABLE":
            row.debatable += 1
        else:
            row.unjudged += 1
    return dict(sorted(stats.items()))


# A rule's precision label (goleaklint's `Rule.precision`, which decides whether its warnings are
# shown by default) follows from the ledger: the warnings and errors judged while their codebases
# were held out (every batch after the first, which the rules were written on), once there are
# enough of them to mean something.
LABEL_MINIMUM = 10


def label_for(true: int, judged: int) -> str | None:
    """"high" from 80% TRUE, "medium" from 50%, else "low"; None with fewer than LABEL_MINIMUM judged,
    except that five or more judged with fewer than a quarter TRUE is already "low": evidence that
    bad is enough to stop showing a rule's warnings by default, though not to raise a label."""
    if judged < LABEL_MINIMUM:
        return "low" if judged >= 5 and true / judged < 0.25 else None
    share = true / judged
    return "high" if share >= 0.8 else "medium" if share >= 0.5 else "low"


def measured_labels(ledger: list[Entry], repos: list[Repo], key=lambda entry: entry.rule) -> dict:
    """Per `key` of an entry (the rule, by default; None leaves the entry out): (label or None, TRUE,
    judged) over held-out judgements at warning and error."""
    held_out = {repo.name for repo in repos if repo.batch > 1}
    counts: dict = defaultdict(lambda: [0, 0])
    for entry in ledger:
        if entry.repo not in held_out or entry.tuning or entry.level not in SHOWN or entry.verdict == "UNJUDGED":
            continue
        found = key(entry)
        if found is None:
            continue
        row = counts[found]
        row[1] += 1
        row[0] += entry.verdict == "TRUE"
    return {found: (label_for(true, judged), true, judged) for found, (true, judged) in sorted(counts.items())}


def measured_lifetime_labels(ledger: list[Entry], repos: list[Repo]) -> dict[tuple[str, str], tuple[str | None, int, int]]:
    """Per (rule, lifetime): as measured_labels, over the held-out judgements that recorded the
    lifetime of the finding's code (stubs keep it since the labels by lifetime were introduced)."""
    return measured_labels(ledger, repos, key=lambda entry: (entry.rule, entry.lifetime) if entry.lifetime else None)


def measured_kind_labels(ledger: list[Entry], repos: list[Repo]) -> dict[tuple[str, str], tuple[str | None, int, int]]:
    """Per (rule, kind): as measured_labels, over the held-out judgements of findings stubbed with a
    kind (a kind of finding the rule measures apart, `precision_by_kind`)."""
    return measured_labels(ledger, repos, key=lambda entry: (entry.rule, entry.kind) if entry.kind else None)


def declared_rule_labels(command: list[str]) -> dict[str, tuple[str, dict[str, str], dict[str, str]]]:
    """Each rule's label, its labels by lifetime (`precision_by_lifetime`) and by kind
    (`precision_by_kind`), as declared."""
    result = subprocess.run([*command, "--list-rules", "--format", "json"], capture_output=True, text=True)
    try:
        rules = json.loads(result.stdout)["rules"]
    except (json.JSONDecodeError, KeyError):
        return {}
    return {rule["id"]: (rule["precision"], dict(rule.get("precision_by_lifetime", {})), dict(rule.get("precision_by_kind", {})))
            for rule in rules if "precision" in rule}


# goleaklint's default `min-precision` (linter/rule.py; tests/test_ecosystem.py checks they agree) and
# the order of the labels, lowest first.
DEFAULT_MIN_PRECISION = "high"
PRECISIONS = ("low", "medium", "high", "very-high")


def as_shipped(comparison: Comparison, labels: dict[str, str],
               by_lifetime: dict[str, dict[str, str]] | None = None,
               minimum: str = DEFAULT_MIN_PRECISION, by_kind: dict[str, dict[str, str]] | None = None) -> Comparison:
    """The comparison with the levels a user sees by default: the findings of rules labelled below
    `minimum` (goleaklint's default `min-precision`) are notes, and so are those of code of a lifetime
    where their rule is labelled below it; a label for the finding's kind wins over both."""
    by_lifetime = by_lifetime or {}
    by_kind = by_kind or {}

    def shipped(f: Finding) -> Finding:
        label = by_kind.get(f.rule, {}).get(f.kind) if f.kind else None
        label = label or by_lifetime.get(f.rule, {}).get(f.lifetime, labels.get(f.rule))
        weak = label in PRECISIONS and PRECISIONS.index(label) < PRECISIONS.index(minimum)
        return replace(f, level="note") if weak else f

    return Comparison(matched=[(shipped(f), e) for f, e in comparison.matched],
                      appeared=[shipped(f) for f in comparison.appeared], vanished=comparison.vanished)


def stub(finding: Finding) -> Entry:
    return Entry(repo=finding.repo, rule=finding.rule, path=finding.path, function=finding.function,
                 text=finding.text, level=finding.level, verdict="UNJUDGED", reason="", line=finding.line,
                 lifetime=finding.lifetime, kind=finding.kind)


def sample_stubs(findings: list[Finding], per_rule: int | None, seed: int) -> list[Entry]:
    """Stubs for judging: every finding, or where a rule has more than `per_rule`, a random sample of
    that many (reproducible from the seed), then the rest, whose reason says they were left out, so
    that they stay in the ledger as known but UNJUDGED instead of appearing on every run."""
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(findings, key=lambda f: (f.repo, f.path, f.line, f.rule)):
        by_rule[finding.rule].append(finding)
    chosen: list[Entry] = []
    rest: list[Entry] = []
    for rule in sorted(by_rule):
        items = by_rule[rule]
        if per_rule is not None and len(items) > per_rule:
            picked = set(random.Random(f"{seed}:{rule}").sample(range(len(items)), per_rule))
            note = f"outside the random sample of {per_rule} (seed {seed})"
            rest.extend(replace(stub(f), reason=note) for i, f in enumerate(items) if i not in picked)
            items = [f for i, f in enumerate(items) if i in picked]
        chosen.extend(stub(f) for f in items)
    return chosen + rest


# --- output ---------------------------------------------------------------------------------------


def _percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def _label_rows(out: list[str], rows: dict | None, title: str, name) -> None:
    """A section of declared labels beside measured ones, one row per key as `name` spells it; a
    measured label that differs from the declared one is flagged for the next author to weigh."""
    if not rows:
        return
    out.append("")
    out.append(title)
    for key, (declared, measured, true, judged) in rows.items():
        flag = "" if measured is None or measured == declared else "   <- differs"
        out.append(f"  {name(key)} {declared:<7} {measured or 'too few':<8} {true}/{judged}{flag}")


def render_text(repos: list[Repo], linted: dict[str, int], missing: list[str], comparison: Comparison,
                stats: dict[str, RuleStats], show_notes: bool, shipped: dict[str, RuleStats] | None = None,
                labels: dict[str, tuple[str, str | None, int, int]] | None = None,
                lifetime_labels: dict[tuple[str, str], tuple[str, str | None, int, int]] | None = None,
                shipped_medium: dict[str, RuleStats] | None = None,
                kind_labels: dict[tuple[str, str], tuple[str, str | None, int, int]] | None = None) -> str:
    out = []
    for repo in repos:
        state = f"{linted[repo.name]} findings" if repo.name in linted else "no snapshot, skipped"
        out.append(f"{repo.name:<24} {repo.set:<8} {state}")
    out.append("")
    out.append("precision at warning and error (TRUE / judged; DEBATABLE is not TRUE)")
    out.append(f"{'rule':<7} {'findings':>8} {'judged':>6} {'TRUE':>5} {'FALSE':>5} {'DEBAT':>5} "
               f"{'unjudged':>8} {'precision':>9}")
    total = RuleStats()
    for rule, row in stats.items():
        out.append(f"{rule:<7} {row.findings:>8} {row.judged:>6} {row.true:>5} {row.false:>5} "
                   f"{row.debatable:>5} {row.unjudged:>8} {_percent(row.precision):>9}")
        for name in ("findings", "true", "false", "debatable", "unjudged"):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    out.append(f"{'all':<7} {total.findings:>8} {total.judged:>6} {total.true:>5} {total.false:>5} "
               f"{total.debatable:>5} {total.unjudged:>8} {_percent(total.precision):>9}")
    if shipped is not None:
        true = sum(row.true for row in shipped.values())
        judged = sum(row.judged for row in shipped.values())
        out.append(f"as shipped (rules labelled below {DEFAULT_MIN_PRECISION} as notes, the default min-precision): "
                   f"{true} / {judged} TRUE ({_percent(true / judged if judged else None)}), "
                   f"{sum(row.findings for row in shipped.values())} findings at warning and error")
    if shipped_medium is not None:
        true = sum(row.true for row in shipped_medium.values())
        judged = sum(row.judged for row in shipped_medium.values())
        out.append(f"with --min-precision medium: {true} / {judged} TRUE ({_percent(true / judged if judged else None)}), "
                   f"{sum(row.findings for row in shipped_medium.values())} findings at warning and error")
    _label_rows(out, labels, "precision labels: declared by the rule, and measured by the whole ledger's held-out "
                "judgements", lambda rule: f"{rule:<7}")
    _label_rows(out, lifetime_labels, "by lifetime: the label a rule declares for code of one lifetime (else its own), "
                "and what the held-out entries that recorded a lifetime measure", lambda key: f"{key[0]:<7} {key[1]:<12}")
    _label_rows(out, kind_labels, "by kind: the label a rule declares for a kind of finding it measures apart, and "
                "what the held-out entries stubbed with that kind measure", lambda key: f"{key[0]:<7} {key[1]:<16}")

    appeared = [f for f in comparison.appeared if show_notes or f.level in SHOWN]
    hidden = len(comparison.appeared) - len(appeared)
    out.append("")
    out.append(f"appeared, not in the ledger: {len(appeared)}" + (f" (+{hidden} notes, --notes lists them)" if hidden else ""))
    for f in appeared:
        out.append(f"  {f.repo}:{f.path}:{f.line}: {f.rule} {f.level} in {f.function or '(top level)'}: {f.text}")
    unjudged = [f for f, e in comparison.matched if e.verdict == "UNJUDGED" and (show_notes or f.level in SHOWN)]
    if unjudged:
        out.append(f"in the ledger but not judged yet: {len(unjudged)}")
    out.append("")
    judged_vanished = [e for e in comparison.vanished if e.verdict != "UNJUDGED"]
    counts = Counter(e.verdict for e in judged_vanished)
    out.append(f"vanished from the ledger: {len(judged_vanished)} judged "
               f"({', '.join(f'{counts[v]} {v}' for v in VERDICTS[:3] if counts[v]) or 'none'})"
               f", {len(comparison.vanished) - len(judged_vanished)} unjudged")
    for e in judged_vanished:
        out.append(f"  {e.verdict:<9} {e.repo}:{e.path}:{e.line}: {e.rule} in {e.function or '(top level)'}: {e.text}")
    changed = [(f, e) for f, e in comparison.matched if f.level != e.level and e.verdict != "UNJUDGED"]
    if changed:
        out.append("")
        out.append(f"level changed since judged: {len(changed)}")
        for f, e in changed:
            out.append(f"  {e.verdict:<9} {e.level} -> {f.level} {f.repo}:{f.path}:{f.line}: {f.rule}: {f.text}")
    true_notes = comparison.true_notes
    if true_notes:
        out.append("")
        out.append(f"TRUE but only a note (leaks users do not see): {len(true_notes)}")
        for f, e in true_notes:
            out.append(f"  {f.repo}:{f.path}:{f.line}: {f.rule} in {f.function or '(top level)'}: {f.text} ({e.reason})")
    regressions = comparison.regressions
    out.append("")
    if regressions:
        out.append(f"REGRESSIONS: {len(regressions)} TRUE findings lost or only a note now")
        for e, f in regressions:
            now = "vanished" if f is None else f"now a {f.level}"
            out.append(f"  {now}: {e.repo}:{e.path}:{e.line}: {e.rule}: {e.text} ({e.reason})")
    else:
        out.append("no regressions: every TRUE finding in the ledger is still reported at warning or error")
    if missing:
        out.append("")
        out.append(f"no snapshot for {len(missing)} codebases (not compared): {', '.join(missing)}")
    return "\n".join(out) + "\n"


def render_json(repos: list[Repo], linted: dict[str, int], missing: list[str], comparison: Comparison,
                stats: dict[str, RuleStats]) -> str:
    def finding(f: Finding) -> dict:
        return {"repo": f.repo, "rule": f.rule, "path": f.path, "line": f.line, "function": f.function,
                "text": f.text, "level": f.level, "message": f.message, "lifetime": f.lifetime, "kind": f.kind}

    def entry(e: Entry) -> dict:
        return json.loads(e.to_json())

    document = {
        "version": 1,
        "repos": [{"name": r.name, "set": r.set, "batch": r.batch, "commit": r.commit, "linted": r.name in linted,
                   "findings": linted.get(r.name, 0)} for r in repos],
        "missing_snapshots": missing,
        "rules": {rule: {"findings": s.findings, "judged": s.judged, "true": s.true, "false": s.false,
                         "debatable": s.debatable, "unjudged": s.unjudged, "precision": s.precision}
                  for rule, s in stats.items()},
        "appeared": [finding(f) for f in comparison.appeared],
        "vanished": [entry(e) for e in comparison.vanished],
        "level_changed": [{"finding": finding(f), "entry": entry(e)} for f, e in comparison.matched if f.level != e.level],
        "regressions": [{"entry": entry(e), "now": None if f is None else f.level} for e, f in comparison.regressions],
        "true_notes": [finding(f) for f, e in comparison.true_notes],
        # every finding the ledger judges, with its verdict: two runs' lifetimes and kinds, which
        # decide what is shown by default, compare here (a shift leaves the level as it was)
        "judged": [{"finding": finding(f), "verdict": e.verdict} for f, e in comparison.matched],
    }
    return json.dumps(document, indent=1, ensure_ascii=False) + "\n"


# --- totals over the ledger ------------------------------------------------------------------------


def shown_label(entry: Entry, labels: dict[str, str], by_lifetime: dict[str, dict[str, str]],
                by_kind: dict[str, dict[str, str]]) -> str:
    """The precision label an entry's finding carries, as as_shipped reads a finding's: its kind's,
    else its lifetime's, else its rule's."""
    label = by_kind.get(entry.rule, {}).get(entry.kind) if entry.kind else None
    return label or by_lifetime.get(entry.rule, {}).get(entry.lifetime, labels.get(entry.rule, "low"))


def render_totals(ledger: list[Entry], repos: list[Repo], first: int, last: int,
                  declared: dict[str, tuple[str, dict[str, str], dict[str, str]]]) -> str:
    """TRUE / judged over the held-out judgements at warning and error of batches `first`..`last`,
    under today's labels (`declared`): as shipped (labels from the default min-precision up), with
    `--min-precision medium` and at the rules' own levels; and each rule's findings shown from
    medium but not by default, by the kind or lifetime that labels them."""
    labels = {rule: label for rule, (label, _, _) in declared.items()}
    by_lifetime = {rule: where for rule, (_, where, _) in declared.items() if where}
    by_kind = {rule: kinds for rule, (_, _, kinds) in declared.items() if kinds}
    batches = {repo.name: repo.batch for repo in repos}
    codebases = sum(1 for repo in repos if first <= repo.batch <= last)
    entries = [entry for entry in ledger if first <= batches.get(entry.repo, 0) <= last and not entry.tuning
               and entry.level in SHOWN and entry.verdict != "UNJUDGED"]
    out = [f"held-out judgements at warning and error, batches {first}-{last} ({codebases:,} codebases), "
           "under today's labels (TRUE / judged; DEBATABLE is not TRUE)"]
    groups: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for name, minimum in (("as shipped", DEFAULT_MIN_PRECISION), ("--min-precision medium", "medium"),
                          ("the rules' own levels", "low")):
        shown = [e for e in entries if PRECISIONS.index(shown_label(e, labels, by_lifetime, by_kind)) >= PRECISIONS.index(minimum)]
        true = sum(e.verdict == "TRUE" for e in shown)
        out.append(f"  {name + ':':<24} {true:>5} / {len(shown):<5} {_percent(true / len(shown) if shown else None)}")
    for entry in entries:
        label = shown_label(entry, labels, by_lifetime, by_kind)
        if PRECISIONS.index("medium") <= PRECISIONS.index(label) < PRECISIONS.index(DEFAULT_MIN_PRECISION):
            row = groups[(entry.rule, entry.kind or entry.lifetime or "-")]
            row[0] += entry.verdict == "TRUE"
            row[1] += 1
    if groups:
        out.append("shown from --min-precision medium, not by default, by rule and kind or lifetime:")
        for (rule, where), (true, judged) in sorted(groups.items()):
            out.append(f"  {rule}  {where:<16} {true:>5} / {judged}")
    return "\n".join(out) + "\n"


def _batch_range(text: str) -> tuple[int, int]:
    first, _, last = text.partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not FIRST-LAST (batch numbers)") from None
    if low < 1 or high < low:
        raise argparse.ArgumentTypeError(f"{text!r}: FIRST-LAST with 1 <= FIRST <= LAST")
    return low, high


# --- command line ---------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--snapshots", type=Path, help="directory holding one snapshot per repo name")
    parser.add_argument("--totals", type=_batch_range, metavar="FIRST-LAST",
                        help="lint nothing: print the ledger's held-out precision over these batches, by what is "
                             "shown as shipped, with --min-precision medium and at the rules' own levels")
    parser.add_argument("--repos", type=Path, default=HERE / "repos.toml")
    parser.add_argument("--ledger", type=Path, default=HERE / "ledger.jsonl")
    parser.add_argument("--set", choices=SETS, help="only the codebases of this set")
    parser.add_argument("--repo", action="append", default=[], metavar="NAME", help="only this codebase (repeatable)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("-o", "--output", type=Path, help="write the report here instead of stdout")
    parser.add_argument("--notes", action="store_true", help="also list notes that appeared")
    parser.add_argument("-j", "--jobs", type=int, default=1, help="goleaklint worker processes (default 1)")
    parser.add_argument("--goleaklint", default=f"{shlex.quote(sys.executable)} -m goleaklint",
                        help="how to run goleaklint (default: this Python's goleaklint module)")
    parser.add_argument("--write-stubs", type=Path, metavar="FILE",
                        help="write the findings that appeared as UNJUDGED ledger entries, for judging")
    parser.add_argument("--stub-levels", default="error,warning",
                        help="levels to write stubs for (default error,warning)")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="with --write-stubs: per rule, N random findings first, the rest after them")
    parser.add_argument("--seed", type=int, default=14, help="seed of --sample (default 14)")
    args = parser.parse_args(argv)
    if args.totals is None and args.snapshots is None:
        parser.error("--snapshots is required (or --totals FIRST-LAST, which lints nothing)")

    if args.totals is not None:
        try:
            repos, ledger = load_repos(args.repos), load_ledger(args.ledger)
        except InputError as exc:
            print(f"ecosystem check: {exc}", file=sys.stderr)
            return 2
        declared = declared_rule_labels(shlex.split(args.goleaklint))
        if not declared:
            print(f"ecosystem check: {args.goleaklint} --list-rules gave no labels", file=sys.stderr)
            return 2
        text = render_totals(ledger, repos, *args.totals, declared)
        if args.output:
            args.output.write_text(text, encoding="utf-8")
        else:
            sys.stdout.write(text)
        return 0

    try:
        repos = load_repos(args.repos)
        ledger = load_ledger(args.ledger)
        chosen = [r for r in repos if (args.set is None or r.set == args.set) and (not args.repo or r.name in args.repo)]
        unknown = sorted(set(args.repo) - {r.name for r in repos})
        if unknown:
            raise InputError(f"not in {args.repos}: {', '.join(unknown)}")
        command = shlex.split(args.goleaklint)
        findings: list[Finding] = []
        linted: dict[str, int] = {}
        missing = []
        for repo in chosen:
            root = args.snapshots / repo.name
            if not root.is_dir():
                missing.append(repo.name)
                continue
            print(f"linting {repo.name} ...", file=sys.stderr, flush=True)
            found = lint(repo, root, command, args.jobs)
            linted[repo.name] = len(found)
            findings.extend(found)
        if not linted:
            raise InputError(f"no snapshot of {len(chosen)} codebases under {args.snapshots} (docs/ecosystem.md says how to make them)")
    except InputError as exc:
        print(f"ecosystem check: {exc}", file=sys.stderr)
        return 2

    comparison = compare(findings, ledger, set(linted))
    stats = precision_by_rule(comparison)
    declared_both = declared_rule_labels(command)
    declared = {rule: label for rule, (label, _, _) in declared_both.items()}
    by_lifetime = {rule: where for rule, (_, where, _) in declared_both.items() if where}
    by_kind = {rule: kinds for rule, (_, _, kinds) in declared_both.items() if kinds}
    shipped = precision_by_rule(as_shipped(comparison, declared, by_lifetime, by_kind=by_kind)) if declared else None
    shipped_medium = precision_by_rule(as_shipped(comparison, declared, by_lifetime, minimum="medium",
                                                  by_kind=by_kind)) if declared else None
    measured = measured_labels(ledger, repos)
    labels = {rule: (declared[rule], *measured.get(rule, (None, 0, 0))) for rule in sorted(declared)}
    lifetime_labels = {key: (by_lifetime.get(key[0], {}).get(key[1], declared.get(key[0], "?")), *value)
                       for key, value in measured_lifetime_labels(ledger, repos).items() if key[0] in declared}
    kind_measured = measured_kind_labels(ledger, repos)
    kind_labels = {(rule, kind): (label, *kind_measured.get((rule, kind), (None, 0, 0)))
                   for rule, kinds in sorted(by_kind.items()) for kind, label in sorted(kinds.items())}
    if args.format == "json":
        text = render_json(chosen, linted, missing, comparison, stats)
    else:
        text = render_text(chosen, linted, missing, comparison, stats, args.notes, shipped, labels, lifetime_labels,
                           shipped_medium, kind_labels)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    if args.write_stubs:
        levels = set(args.stub_levels.split(","))
        new = [f for f in comparison.appeared if f.level in levels]
        stubs = sample_stubs(new, args.sample, args.seed)
        args.write_stubs.write_text("".join(s.to_json() + "\n" for s in stubs), encoding="utf-8")
        print(f"wrote {len(stubs)} stubs to {args.write_stubs}", file=sys.stderr)
    return 1 if comparison.regressions else 0


if __name__ == "__main__":
    sys.exit(main())
