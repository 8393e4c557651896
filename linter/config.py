"""Configuration: `.goleaklint.toml` or `[tool.goleaklint]` in pyproject.toml.

Each linted directory takes the nearest config at or above it (nearest wins, nothing is merged, as
with ruff), so `goleaklint svc/...` from a monorepo root uses `svc/.goleaklint.toml`; `--config FILE`
applies one file everywhere. Every mistake is an error that names the file and line: a typo in a
linter's config that silently does nothing is worse than no config.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .rule import DEFAULT_MIN_PRECISION, PRECISIONS, Severity

if TYPE_CHECKING:
    from .evidence.thresholds import Thresholds

KNOWN_KEYS = ("select", "ignore", "exclude", "tests", "go-version", "fail-on", "severity", "show-notes",
              "require-reason", "min-precision", "runtime")


class ConfigError(Exception):
    """A problem in the user's configuration or command line; exit code 2."""


@dataclass
class Config:
    select: tuple[str, ...] | None = None  # rule ids; None = all rules
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # globs, relative to `base`
    tests: bool = True  # lint _test.go files
    go_version: tuple[int, int] | None = None  # overrides go.mod
    fail_on: Severity = Severity.WARNING
    severity: dict[str, Severity] = field(default_factory=dict)
    show_notes: bool = False  # report findings of level note (fail-on = "note" shows them too)
    require_reason: bool = False  # a suppression without a reason is reported
    # rules measured below this precision report as notes (linter/rule.py PRECISIONS)
    min_precision: str = DEFAULT_MIN_PRECISION
    path: Path | None = None  # the file it came from
    base: Path | None = None  # the directory exclude globs are relative to
    runtime: "Thresholds | None" = None  # [runtime]: how much runtime evidence raises a finding

    def excluded(self, path: Path) -> bool:
        if not self.exclude:
            return False
        base = self.base or Path.cwd()
        try:
            rel = path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        return any(_glob_regex(pattern).search(rel) for pattern in self.exclude)


def _glob_regex(pattern: str) -> re.Pattern[str]:
    """gitignore-like globs: `*` stays within a path element, `**` crosses them, a pattern
    without `/` matches an element anywhere, a pattern naming a directory excludes what is in it."""
    anchored = "/" in pattern.rstrip("/")
    pattern = pattern.strip("/")
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    prefix = "^" if anchored else "(?:^|/)"
    return re.compile(prefix + body + "(?:/|$)")


def parse_go_version(text: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"\s*(?:go)?1\.([0-9]+)(?:\.[0-9]+|rc[0-9]+|beta[0-9]+)?\s*", text)
    return (1, int(match.group(1))) if match else None


def find_config(start: Path) -> Path | None:
    for directory in [start, *start.parents]:
        found = _config_in(directory)
        if found is not None:
            return found
    return None


# The names a config file can have: a directory whose listing holds neither has none, no stat needed.
CONFIG_NAMES = (".goleaklint.toml", "pyproject.toml")


def _config_in(directory: Path, names: "set[str] | None" = None) -> Path | None:
    """The config file of `directory` itself, or None. `names`, when the caller has listed the
    directory already, are its entries: most directories have neither name, and two stats per
    directory were a tenth of a warm run."""
    if names is not None and CONFIG_NAMES[0] not in names and CONFIG_NAMES[1] not in names:
        return None
    candidate = directory / ".goleaklint.toml"
    if candidate.is_file():
        return candidate
    pyproject = directory / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            return None  # an unrelated broken pyproject is not our business unless it is ours
        if "goleaklint" in data.get("tool", {}):
            return pyproject
    return None


class ConfigResolver:
    """The config of each directory: the nearest config file at or above it, or `fixed` for all.

    Each directory is looked at once per run, and each file read once, however many packages
    share it. A directory without a config anywhere above it gets the defaults, with exclude globs
    relative to the working directory."""

    def __init__(self, known_rules: dict[str, str], fixed: Config | None = None, default: Config | None = None):
        self.known_rules = known_rules
        self.fixed = fixed
        self.default = default or Config()
        self._nearest: dict[Path, Path | None] = {}
        self._loaded: dict[Path, Config] = {}

    def config_file(self, directory: Path, names: "set[str] | None" = None) -> Path | None:
        """The nearest config file at or above `directory`; `names` are the entries of `directory`
        when a walk has listed them (see _config_in)."""
        visited = []
        found = None
        candidate = directory
        while True:  # parent by parent: most directories stop at a known one, and `parents` is slow
            if candidate in self._nearest:
                found = self._nearest[candidate]
                break
            visited.append(candidate)
            found = _config_in(candidate, names if candidate is directory else None)
            if found is not None:
                break
            parent = candidate.parent
            if parent == candidate:
                break
            candidate = parent
        for candidate in visited:
            self._nearest[candidate] = found
        return found

    def for_directory(self, directory: Path, names: "set[str] | None" = None) -> Config:
        if self.fixed is not None:
            return self.fixed
        path = self.config_file(directory, names)
        if path is None:
            return self.default
        config = self._loaded.get(path)
        if config is None:
            config = self._loaded[path] = load_config(path, self.known_rules)
        return config


def load_config(path: Path, known_rules: dict[str, str]) -> Config:
    """Reads and validates a config file. `known_rules` maps ids and slugs to ids."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        if match:
            where = f"{path}:{match.group(1)}:{match.group(2)}"
        else:  # "(at end of document)": the problem is on the last line
            where = f"{path}:{max(1, len(text.splitlines()))}"
        message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(exc))
        raise ConfigError(f"{where}: invalid TOML: {message}") from None
    table_prefix: tuple[str, ...] = ()
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("goleaklint")
        table_prefix = ("tool", "goleaklint")
        if data is None:
            raise ConfigError(f"{path}: no [tool.goleaklint] table")
    return _validate(data, path, text, table_prefix, known_rules)


def _line_of(text: str, key: str, table: tuple[str, ...]) -> int:
    """Best-effort line of `key` in `table` (tomllib keeps no positions)."""
    lines = text.splitlines()
    in_table = not table
    header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(re.escape(t) for t in table) + r"\s*\]") if table else None
    key_re = re.compile(r"""^\s*(?:"|')?""" + re.escape(key) + r"""(?:"|')?\s*[=.]""")
    for number, line in enumerate(lines, 1):
        if header is not None and header.match(line):
            in_table = True
            continue
        if header is not None and re.match(r"^\s*\[", line):
            in_table = in_table and line.strip().startswith("[" + ".".join(table) + ".")
            continue
        if in_table and key_re.match(line):
            return number
    return 1


def _validate(data: dict, path: Path, text: str, table: tuple[str, ...], known_rules: dict[str, str]) -> Config:
    def fail(key: str, message: str, subtable: tuple[str, ...] = ()) -> ConfigError:
        return ConfigError(f"{path}:{_line_of(text, key, table + subtable)}: {message}")

    for key in data:
        if key not in KNOWN_KEYS:
            raise fail(key, f"unknown key {key!r} (known: {', '.join(KNOWN_KEYS)})")

    def rule_list(key: str) -> tuple[str, ...]:
        value = data[key]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(key, f"{key!r} must be a list of rule ids, e.g. [\"GL401\"]")
        ids = []
        for item in value:
            rule_id = known_rules.get(item) or known_rules.get(item.upper())
            if rule_id is None:
                raise fail(key, f"unknown rule {item!r} in {key!r}")
            ids.append(rule_id)
        return tuple(ids)

    config = Config(path=path, base=path.parent)
    if "select" in data:
        config.select = rule_list("select")
    if "ignore" in data:
        config.ignore = rule_list("ignore")
    if "exclude" in data:
        value = data["exclude"]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise fail("exclude", "'exclude' must be a list of glob strings")
        config.exclude = tuple(value)
    if "tests" in data:
        if not isinstance(data["tests"], bool):
            raise fail("tests", "'tests' must be true or false")
        config.tests = data["tests"]
    if "go-version" in data:
        value = data["go-version"]
        version = parse_go_version(value) if isinstance(value, str) else None
        if version is None:
            raise fail("go-version", f"'go-version' must be a string like \"1.22\", not {value!r}")
        config.go_version = version
    if "fail-on" in data:
        value = data["fail-on"]
        try:
            config.fail_on = Severity.parse(value) if isinstance(value, str) else Severity.parse(repr(value))
        except ValueError as exc:
            raise fail("fail-on", f"'fail-on': {exc}") from None
    for key, attribute in (("show-notes", "show_notes"), ("require-reason", "require_reason")):
        if key in data:
            if not isinstance(data[key], bool):
                raise fail(key, f"{key!r} must be true or false")
            setattr(config, attribute, data[key])
    if "min-precision" in data:
        value = data["min-precision"]
        if value not in PRECISIONS:
            raise fail("min-precision", f"'min-precision' must be one of {', '.join(map(repr, PRECISIONS))}, not {value!r}")
        config.min_precision = value
    if "severity" in data:
        table_value = data["severity"]
        if not isinstance(table_value, dict):
            raise fail("severity", "'severity' must be a table of rule id = level")
        for key, value in table_value.items():
            rule_id = known_rules.get(key) or known_rules.get(key.upper())
            if rule_id is None:
                raise fail(key, f"unknown rule {key!r} in [severity]", ("severity",))
            if not isinstance(value, str):
                raise fail(key, f"severity of {key} must be \"error\", \"warning\" or \"note\"", ("severity",))
            try:
                config.severity[rule_id] = Severity.parse(value)
            except ValueError as exc:
                raise fail(key, f"severity of {key}: {exc}", ("severity",)) from None
    if "runtime" in data:
        from .evidence.thresholds import parse_thresholds

        config.runtime = parse_thresholds(
            data["runtime"], lambda key, message: fail(key, message, () if key == "runtime" else ("runtime",)))
    return config


# The Kubernetes client libraries: a module that requires one is a cluster component (an operator,
# a controller, an agent), whose servers the cluster's own parts reach.
# An indirect requirement only says that a dependency uses the client: not counted.
_KUBERNETES_REQUIRE = re.compile(rb"(?m)^[ \t]*(?:require[ \t]+)?(?:k8s\.io/client-go|sigs\.k8s\.io/controller-runtime)[ \t]+v\S+"
                                 rb"[ \t]*(?!//[ \t]*indirect)(?://.*)?$")


def read_go_mod(go_mod: Path) -> tuple[tuple[int, int] | None, bool]:
    """A go.mod's `go` directive, and whether the module requires the Kubernetes client libraries
    (`k8s.io/client-go` or `sigs.k8s.io/controller-runtime`) directly."""
    try:
        data = go_mod.read_bytes()
    except OSError:
        return None, False
    match = re.search(rb"(?m)^\s*go\s+(\S+)\s*(?://.*)?$", data)
    version = parse_go_version(match.group(1).decode("utf-8", "replace")) if match else None
    return version, _KUBERNETES_REQUIRE.search(data) is not None
