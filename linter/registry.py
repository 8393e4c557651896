"""Finds the rules, every module of `goleaklint.rules` that defines `RULE`, and checks what each declares.

A rule module declares itself to the engine with module-level names (see docs/writing-rules.md):

- `RULE`: the `Rule` record (id, slug, level, docs);
- `check(ctx, captures)` for a rule that looks at one file, and/or `check_package(pkg)` for one that
  needs every file of a package;
- optionally, for `check` only: `QUERY` (a tree-sitter query whose captures `check` receives),
  `METHOD_CALLS` (method names `Name` whose `x.Name(...)` calls `check` receives as `captures["call"]`)
  and `REQUIRES_IMPORTS` (import paths: a file importing none of them is skipped without a look).

The engine trusts these to turn fast paths on: a misspelt `REQUIRE_IMPORTS` would silently lint every
file, a `METHOD_CALLS = "Stop"` would ask for the calls `S`, `t`, `o` and `p`. So every declaration is
read once, here, into the typed `RuleModule`, and anything the engine would not understand fails at
start-up with the module's name: an unknown upper-case name, a value of the wrong type, an import path
Go would reject, a method name that is not an identifier, a query capture the module never reads, a
fast path declared by a rule that has no `check` to use it.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from types import CodeType, FunctionType, ModuleType

from .rule import Docs, Rule, Severity

_RULE_ID = re.compile(r"GL[0-9]{3}")
_SLUG = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Go's rule for import paths (golang.org/x/mod/module.CheckImportPath): elements of ASCII letters,
# digits and `-._~+`, none empty, none starting or ending with a dot.
_PATH_ELEMENT = re.compile(r"[A-Za-z0-9_~+-]([A-Za-z0-9._~+-]*[A-Za-z0-9_~+-])?")
_CAPTURE = re.compile(r"@([A-Za-z_][\w.-]*)")
_PREDICATE = re.compile(r'\(#[\w-]+[?!]?(?:\s+(?:"(?:[^"\\]|\\.)*"|[^\s()"]+))*\s*\)')
_UPPER_NAME = re.compile(r"[A-Z][A-Z0-9_]*")

DECLARATIONS = ("RULE", "QUERY", "METHOD_CALLS", "REQUIRES_IMPORTS")
ENTRY_POINTS = ("check", "check_package")


class RuleDeclarationError(RuntimeError):
    """A rule module declares something the engine would misread. The message names the module."""


@dataclass(frozen=True)
class RuleModule:
    """A rule as the engine sees it: its record and what it declared, read and checked once.

    Built from the module (`RuleModule(module.RULE, module)`); the declarations are not given
    separately, so they cannot disagree with the module. `check` and `check_package` stay lookups
    on the module, so a test can patch a rule's function.
    """

    rule: Rule
    module: ModuleType
    query: str | None = field(init=False)
    method_calls: frozenset[str] = field(init=False)  # `Name` of the `x.Name(...)` calls wanted as captures["call"]
    requires_imports: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        query, method_calls, requires_imports = _declarations(self.rule, self.module)
        object.__setattr__(self, "query", query)
        object.__setattr__(self, "method_calls", method_calls)
        object.__setattr__(self, "requires_imports", requires_imports)

    @property
    def check(self) -> Callable | None:
        return getattr(self.module, "check", None)

    @property
    def check_package(self) -> Callable | None:
        return getattr(self.module, "check_package", None)


def _fail(module: ModuleType, message: str) -> RuleDeclarationError:
    return RuleDeclarationError(f"{module.__name__}: {message}")


def _declarations(rule: Rule, module: ModuleType) -> tuple[str | None, frozenset[str], frozenset[str]]:
    """What the module declares, checked: (QUERY, METHOD_CALLS, REQUIRES_IMPORTS)."""
    names = vars(module)
    _check_rule(rule, module)
    for name, value in names.items():
        if _UPPER_NAME.fullmatch(name) and name not in DECLARATIONS and not _imported(name, value):
            import difflib  # only to word the error

            close = difflib.get_close_matches(name, DECLARATIONS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else " (private names start with `_`)"
            raise _fail(module, f"unknown declaration {name}{hint}; a rule declares only {', '.join(DECLARATIONS)}")
    for name, value in names.items():
        # A public function of the module's own that the engine will never call is a misspelt entry point.
        if isinstance(value, FunctionType) and value.__module__ == module.__name__ and not name.startswith("_") \
                and name not in ENTRY_POINTS:
            import difflib  # only to word the error

            close = difflib.get_close_matches(name, ENTRY_POINTS, n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise _fail(module, f"public function {name} is not an entry point{hint}; name helpers with a leading `_`")

    check, check_package = names.get("check"), names.get("check_package")
    if check is None and check_package is None:
        raise _fail(module, "defines neither check nor check_package")
    _check_entry_point(module, "check", check, 2, "check(ctx, captures)")
    _check_entry_point(module, "check_package", check_package, 1, "check_package(pkg)")

    query = names.get("QUERY")
    if query is not None and (not isinstance(query, str) or not query.strip()):
        raise _fail(module, f"QUERY must be a non-empty str of tree-sitter patterns, not {type(query).__name__}")
    method_calls = _names(module, "METHOD_CALLS", names.get("METHOD_CALLS"))
    for method in method_calls:
        if not _IDENTIFIER.fullmatch(method):
            raise _fail(module, f"METHOD_CALLS holds {method!r}, which is not a Go identifier (write the method "
                                "name alone: \"Stop\", not \"t.Stop\" or \"Stop()\")")
    requires_imports = _names(module, "REQUIRES_IMPORTS", names.get("REQUIRES_IMPORTS"))
    for path in requires_imports:
        if not all(_PATH_ELEMENT.fullmatch(element) for element in path.split("/")):
            raise _fail(module, f"REQUIRES_IMPORTS holds {path!r}, which is not a Go import path "
                                "(write it as in the import spec, without quotes: \"net/http\")")
    if check is None:
        declared = [name for name in ("QUERY", "METHOD_CALLS", "REQUIRES_IMPORTS") if name in names]
        if declared:
            raise _fail(module, f"{', '.join(declared)} only serve check(ctx, captures), which the module does not "
                                "define; check_package(pkg) sees every file of the package")
    wanted = _captures(query) if query is not None else set()
    if method_calls:
        wanted.add("call")  # where the engine puts the calls METHOD_CALLS asks for
    unread = sorted(wanted - _strings_in(module, check)) if wanted else []
    if unread:
        raise _fail(module, f"check never reads the capture(s) {', '.join(unread)} it asks for "
                            "(as captures[\"name\"] or captures.get(\"name\")); read them, or name a capture "
                            "that only anchors a pattern `@_name`")
    return query, method_calls, requires_imports


def _imported(name: str, value: object) -> bool:
    """The name is one of the shared modules' own (`from goleaklint.model import FUNCTION_TYPES`)."""
    for module_name, shared in list(sys.modules.items()):
        if module_name.startswith("goleaklint.") and not module_name.startswith("goleaklint.rules."):
            if getattr(shared, name, _MISSING) is value:
                return True
    return False


_MISSING = object()


def _check_rule(rule: Rule, module: ModuleType) -> None:
    if not isinstance(rule, Rule):
        raise _fail(module, f"RULE must be a Rule, not {type(rule).__name__}")
    if not isinstance(rule.id, str) or not _RULE_ID.fullmatch(rule.id):
        raise _fail(module, f"rule id {rule.id!r} is not of the form GLnnn")
    if not isinstance(rule.slug, str) or not _SLUG.fullmatch(rule.slug):
        raise _fail(module, f"rule slug {rule.slug!r} is not lower-case words joined by hyphens")
    if not isinstance(rule.severity, Severity):
        raise _fail(module, f"rule severity must be a Severity, not {rule.severity!r}")
    if not isinstance(rule.docs, Docs):
        raise _fail(module, "rule docs must be a Docs record")
    if not isinstance(rule.tags, tuple) or not all(isinstance(tag, str) for tag in rule.tags):
        raise _fail(module, "rule tags must be a tuple of str")


def _check_entry_point(module: ModuleType, name: str, function: object, arity: int, shape: str) -> None:
    if function is None:
        return
    code = getattr(function, "__code__", None)
    if not callable(function) or code is None:
        raise _fail(module, f"{name} must be a function {shape}")
    if code.co_argcount != arity and not code.co_flags & 0x04:  # 0x04: takes *args
        raise _fail(module, f"{name} takes {code.co_argcount} argument(s); the engine calls {shape}")


def _names(module: ModuleType, declaration: str, value: object) -> frozenset[str]:
    """A collection of strings. A bare str is refused: iterating it would give its letters."""
    if value is None:
        return frozenset()
    if isinstance(value, (str, bytes)) or not isinstance(value, (frozenset, set, tuple, list)):
        raise _fail(module, f"{declaration} must be a frozenset of str, not {type(value).__name__} {value!r}")
    if not value or not all(isinstance(item, str) for item in value):
        raise _fail(module, f"{declaration} must be a non-empty frozenset of str")
    return frozenset(value)


def _captures(query: str) -> set[str]:
    """Capture names a rule receives: not `@_private` ones, nor those named in predicates
    (`(#eq? @fn "make")` names a capture that exists to be tested, not read)."""
    tested = {name for predicate in _PREDICATE.findall(query) for name in _CAPTURE.findall(predicate)}
    return {name for name in _CAPTURE.findall(query) if not name.startswith("_") and name not in tested}


def _strings_in(module: ModuleType, check: object) -> set[str]:
    """String constants of the module's own code: `captures["x"]` and `captures.get("x")` put "x" there.
    Reads code objects, which are already compiled: no source is parsed."""
    found: set[str] = set()
    stack: list[CodeType] = []
    for value in (*vars(module).values(), check):
        code = getattr(value, "__code__", None)
        if isinstance(code, CodeType) and (value is check or getattr(value, "__module__", None) == module.__name__):
            stack.append(code)
    seen: set[int] = set()
    while stack:
        code = stack.pop()
        if id(code) in seen:
            continue
        seen.add(id(code))
        for const in code.co_consts:
            if isinstance(const, str):
                found.add(const)
            elif isinstance(const, CodeType):
                stack.append(const)
    return found


@lru_cache(maxsize=None)
def all_rules() -> tuple[RuleModule, ...]:
    return _load()


def _load() -> tuple[RuleModule, ...]:
    import goleaklint.rules as package

    found: dict[str, RuleModule] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if rule is None:
            if any(name in vars(module) for name in (*DECLARATIONS, *ENTRY_POINTS)):
                raise _fail(module, "declares a rule's parts but no RULE")
            continue  # a helper module that is not a rule
        rm = RuleModule(rule, module)
        if rule.id in found:
            raise _fail(module, f"rule id {rule.id} is already used by {found[rule.id].module.__name__}")
        if rule.slug.replace("-", "_") != info.name:
            raise _fail(module, f"a rule module is named after its slug ({rule.slug})")
        found[rule.id] = rm
    return tuple(found[rule_id] for rule_id in sorted(found))


def rules_by_key() -> dict[str, RuleModule]:
    """Rules by id and by slug, both of which users may type."""
    table: dict[str, RuleModule] = {}
    for rm in all_rules():
        table[rm.rule.id] = rm
        table[rm.rule.slug] = rm
    return table
