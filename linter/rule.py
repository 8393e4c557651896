"""The vocabulary every rule and reporter shares: rules, their docs, findings, notifications.

These are plain, picklable values: workers build them and send them back to the parent process,
reporters read them. Nothing here knows about trees.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field


class Severity(str, enum.Enum):
    """Levels, named as SARIF names them so reporters need no mapping table."""

    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "note": 1}[self.value]

    @classmethod
    def parse(cls, text: str) -> "Severity":
        try:
            return cls(text.lower())
        except ValueError:
            raise ValueError(f"unknown severity {text!r} (expected error, warning or note)") from None


@dataclass(frozen=True)
class Docs:
    """A rule's documentation, in the sections ruff uses, plus the limits we know of."""

    what: str
    why: str
    example: str
    use_instead: str
    limits: str
    references: tuple[str, ...] = ()


# How often a rule's warnings were judged worth a change on codebases nobody tuned it on
# (docs/ecosystem.md), lowest first. A rule below the run's `min-precision` (default "high")
# reports its findings as notes, which are hidden unless asked for: fewer than four in five of its
# findings were worth a change, and a check shown by default that is wrong one time in three costs
# the trust that the rest earn (CodeQL's default code-scanning suite keeps to high and very-high
# precision queries for the same reason). `--min-precision medium` shows the rules right at least half
# the time, `low` every rule at its own levels.
_WAIVED_CHECK = re.compile(r"[a-z][a-z0-9-]*(?::[A-Za-z0-9]+)?")

PRECISIONS = ("low", "medium", "high", "very-high")
DEFAULT_MIN_PRECISION = "high"


def below(precision: str, minimum: str) -> bool:
    """Whether a rule of `precision` is below the run's `minimum`."""
    return PRECISIONS.index(precision) < PRECISIONS.index(minimum)


def lowered(level: Severity) -> Severity:
    """One level lower: error to warning, warning to note."""
    return Severity.WARNING if level is Severity.ERROR else Severity.NOTE


# The lifetimes a finding's code can have (linter/lifetime.py, linter/callgraph.py spell them).
LIFETIMES = ("per-request", "loop", "api", "unknown", "once", "test")
# Where code of each lifetime runs, in words that follow "in" or stand after a label ("low in …").
LIFETIME_PLACES = {"per-request": "code run per request", "loop": "code run in an unbounded loop",
                   "api": "library functions", "unknown": "code with no caller seen in the module",
                   "once": "code run once", "test": "test code"}
# How a rule's findings take their level from the lifetime of their code (linter/lifetime.py).
LIFETIME_POLICIES = ("repeats", "per-call", "growth", "keyed-growth", "exposure", "ignores", "public")


@dataclass(frozen=True)
class Rule:
    id: str  # "GL401": stable forever
    slug: str  # "lost-cancel": what users read
    title: str  # one line, shown in rule lists and SARIF shortDescription
    severity: Severity
    docs: Docs
    tags: tuple[str, ...] = ()  # e.g. ("goroutine-leak",), ("security", "external/cwe/cwe-400")
    precision: str = "high"  # SARIF/GitHub precision: very-high, high, medium, low
    security_severity: str | None = None  # GitHub "security-severity", only for security rules
    since: str = "0.1.0"
    # How the lifetime of the code a finding sits in changes its level (linter/lifetime.py):
    # "repeats" (the leak multiplies with how often the code runs), "exposure" (how a server is
    # set up: only test and example code silence it) or "ignores".
    lifetime: str = "repeats"
    # Checks of other linters that this rule repeats, as `linter` or `linter:CHECK` ("gosec:G112",
    # "bodyclose"). A finding on a line whose `//nolint:linter` or `// #nosec CHECK` waives one of them
    # is a note: the authors looked at this very code for the same problem and decided (linter/suppress.py).
    waived_by: tuple[str, ...] = ()
    # The measured precision of the rule's findings in code of one lifetime, where it differs from
    # `precision`: (("unknown", "low"),) makes the findings of code no caller in the module reaches
    # notes by default, as a low label does for a whole rule; (("per-request", "medium"),) on a low
    # rule would show those at its own level (docs/ecosystem.md).
    precision_by_lifetime: tuple[tuple[str, str], ...] = ()
    # The measured precision of findings of one kind the rule names on them (`Finding.kind`), where
    # it differs: (("client-address", "high"),) on GL201 shows maps keyed by the client's address by
    # default, whatever the lifetime of their code. A kind's label wins over a lifetime's.
    precision_by_kind: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.precision not in PRECISIONS:
            raise ValueError(f"{self.id}: precision {self.precision!r} is not one of {', '.join(PRECISIONS)}")
        for lifetime, precision in self.precision_by_lifetime:
            if lifetime not in LIFETIMES:
                raise ValueError(f"{self.id}: precision_by_lifetime names {lifetime!r}, not one of {', '.join(LIFETIMES)}")
            if precision not in PRECISIONS:
                raise ValueError(f"{self.id}: precision {precision!r} for {lifetime!r} is not one of {', '.join(PRECISIONS)}")
        for kind, precision in self.precision_by_kind:
            if not re.fullmatch(r"[a-z][a-z-]*", kind) or precision not in PRECISIONS:
                raise ValueError(f"{self.id}: precision_by_kind ({kind!r}, {precision!r}) is not (kebab-case kind, one of {', '.join(PRECISIONS)})")
        if self.lifetime not in LIFETIME_POLICIES:
            raise ValueError(f"{self.id}: lifetime {self.lifetime!r} is not one of {', '.join(LIFETIME_POLICIES)}")
        for check in self.waived_by:
            if not _WAIVED_CHECK.fullmatch(check):
                raise ValueError(f"{self.id}: waived_by {check!r} is not `linter` or `linter:CHECK`")

    def precision_for(self, lifetime: str | None, kind: str = "") -> str:
        """The precision of a finding of `kind` ("" for none) in code of `lifetime` (None: no
        function holds it)."""
        for name, precision in self.precision_by_kind:
            if kind and name == kind:
                return precision
        for name, precision in self.precision_by_lifetime:
            if name == lifetime:
                return precision
        return self.precision

    @property
    def help_uri(self) -> str:
        return f"https://github.com/goleaklint/goleaklint/blob/main/docs/rules.md#{self.id.lower()}-{self.slug}"


OPT_IN_SETTING = "setting"
OPT_IN_DEVELOPER = "developer"


@dataclass(frozen=True, order=True)
class Finding:
    """One report. Sorted by path, then position, then rule: that order is the output order.

    Positions: lines are 1-based. ``column``/``end_column`` are 1-based and count Unicode code
    points (what an editor shows); ``column_utf16``/``end_column_utf16`` count UTF-16 code units
    (what SARIF and LSP want); ``byte_start``/``byte_end`` are offsets into the file's bytes.
    ``end_column`` is exclusive, as in SARIF.
    """

    path: str  # posix, relative to the report root ("pkg/x.go", never "./pkg/x.go")
    line: int
    column: int
    end_line: int
    end_column: int
    rule_id: str
    message: str
    severity: Severity = field(compare=False)
    fix: str | None = field(default=None, compare=False)
    column_utf16: int = field(default=0, compare=False)
    end_column_utf16: int = field(default=0, compare=False)
    byte_start: int = field(default=0, compare=False)
    byte_end: int = field(default=0, compare=False)
    # The enclosing function ("Server.handle", "main", or "" at package level): a key that
    # survives edits above the finding, used by baselines and fingerprints.
    context: str = field(default="", compare=False)
    source_line: str = field(default="", compare=False)  # the text of `line`, without newline
    fingerprints: tuple[tuple[str, str], ...] = field(default=(), compare=False)
    suppressed: str | None = field(default=None, compare=False)  # justification when suppressed
    # The functions (names as `context` writes them, in the finding's package) whose lifetime decides
    # the level, when not the enclosing one: the inserting functions of a package-level map.
    subjects: tuple[str, ...] = field(default=(), compare=False)
    # The leak repeats within one run of its function: "loop" (a loop that never ends: it leaks even
    # in code that runs once per process) or "benchmark" (a benchmark's b.N loop: even in tests).
    repeats: str = field(default="", compare=False)
    # The leak is bounded by data the code walks (a range over a slice or map), or to one per start of
    # a server (a goroutine that sends when its server stops): worth a change where the code runs per
    # request, a note elsewhere.
    bounded: bool = field(default=False, compare=False)
    # The option field a server's address comes from when the file spells no default (`opt.APIAddr`):
    # a default set elsewhere in the module by a flag or a struct tag decides its reach (linter/lifetime.py).
    address: str = field(default="", compare=False)
    # The functions of other packages ("import/path.Name") that made the client of a GL405 finding:
    # when every one of them sets a total Timeout (linter/clients.py), the finding is a note.
    makers: tuple[str, ...] = field(default=(), compare=False)
    # The channel variables of other packages ("import/path.Name") whose sends are all that may
    # block a GL104 goroutine: when a loop of their package drains every one of them
    # (linter/channels.py drained_package_channels), the finding is a note.
    drains: tuple[str, ...] = field(default=(), compare=False)
    # The parameters (`function#index`) or captured values (`literal#name`) of the finding's package
    # through which a goroutine gets the request context it is reported for (GL301): when nothing
    # in the module reads the value at any of them (linter/ignores.py), the finding is a note.
    handoffs: tuple[str, ...] = field(default=(), compare=False)
    # the URL paths of the requests whose response a GL405 finding leaves open (`/healthz`): when
    # every route of the module they reach writes no body, the response is empty (a note)
    requests: tuple[str, ...] = field(default=(), compare=False)
    # Exported fields of the finding's package that a GL302 store writes the request into and that
    # no non-test file of the package reads: when no other package of the run writes `.Name` after a
    # dot either, in a program's module, nothing reads what the store keeps (a note, linter/lifetime.py).
    fields: tuple[str, ...] = field(default=(), compare=False)
    # The parameter a server's address or listener comes from (`serve#0`: the function as `context`
    # names it, and the argument's index): when every call in the module passes a loopback address
    # or a same-host listener there, the finding is a note (linter/lifetime.py).
    parameter: str = field(default="", compare=False)
    # Words for a note, when nothing in the code says that untrusted clients reach the server
    # directly (GL502): applied after the module's own reasons for a note, which say more
    # (linter/lifetime.py).
    unexposed: str = field(default="", compare=False)
    # A setting that turns the code on makes this finding a note: when every call in the module
    # that leads to its function is made under one (linter/lifetime.py `switched`), a default
    # deployment does not run it. OPT_IN_SETTING: any named switch (GL501, profiling an operator
    # switches on); OPT_IN_DEVELOPER: only a switch for developers (GL406, a debug or demo route).
    opt_in: str = field(default="", compare=False)
    # The precision label ("medium", "low") below the run's `min-precision` that made this finding a
    # note (linter/engine.py `by_precision`): counted in the summary, so that a user sees what a lower
    # bar would show.
    lowered: str = field(default="", compare=False)
    # How often the code runs, from the module model: per-request, loop, api, unknown, once, test.
    lifetime: str | None = field(default=None, compare=False)
    # A kind of finding the rule measures apart (`Rule.precision_by_kind`): "client-address" for a
    # GL201 map keyed by the client's address. "" for none.
    kind: str = field(default="", compare=False)
    # Runtime evidence merged in after the rules ran (linter/evidence): ((kind, JSON-able value), …),
    # carried to SARIF result properties and JSON.
    properties: tuple[tuple[str, object], ...] = field(default=(), compare=False)


class NotificationKind(str, enum.Enum):
    INTERNAL_ERROR = "internal-error"  # a rule raised: exit 2 at the end
    IO_ERROR = "io-error"  # unreadable or vanished file: exit 2 at the end
    SYNTAX = "syntax"  # the file did not parse cleanly; linted as far as the tree allows
    DIRECTIVE = "directive"  # a malformed or unknown suppression directive


@dataclass(frozen=True, order=True)
class Notification:
    path: str
    line: int
    kind: NotificationKind
    message: str
    rule_id: str | None = None

    @property
    def is_error(self) -> bool:
        return self.kind in (NotificationKind.INTERNAL_ERROR, NotificationKind.IO_ERROR)

    @property
    def level(self) -> str:
        return "error" if self.is_error else "warning" if self.kind is NotificationKind.DIRECTIVE else "note"
