"""Finds the rules: every module of `goleaklint.rules` that defines `RULE`."""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from types import ModuleType

from .rule import Rule

_RULE_ID = re.compile(r"GL[0-9]{3}")


@dataclass(frozen=True)
class RuleModule:
    rule: Rule
    module: ModuleType

    # Cached: the engine asks these for every file, and a property rebuilt the frozenset each time.
    # `check` stays a lookup, so a test can patch a rule module's function.
    @cached_property
    def query(self) -> str | None:
        return getattr(self.module, "QUERY", None)

    @cached_property
    def method_calls(self) -> frozenset[str]:
        """Names `Name` of the `x.Name(...)` calls the rule wants as `captures["call"]`."""
        return frozenset(getattr(self.module, "METHOD_CALLS", ()))

    @cached_property
    def requires_imports(self) -> frozenset[str]:
        return frozenset(getattr(self.module, "REQUIRES_IMPORTS", ()))

    @property
    def check(self):
        return getattr(self.module, "check", None)

    @property
    def check_package(self):
        return getattr(self.module, "check_package", None)


@lru_cache(maxsize=None)
def all_rules() -> tuple[RuleModule, ...]:
    return _load()


def _load() -> tuple[RuleModule, ...]:
    import goleaklint.rules as package

    found: dict[str, RuleModule] = {}
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        rule = getattr(module, "RULE", None)
        if not isinstance(rule, Rule):
            continue
        if not _RULE_ID.fullmatch(rule.id):
            raise RuntimeError(f"{module.__name__}: rule id {rule.id!r} is not of the form GLnnn")
        if rule.id in found:
            raise RuntimeError(f"{module.__name__}: rule id {rule.id} is already used by {found[rule.id].module.__name__}")
        if rule.slug.replace("-", "_") != info.name:
            raise RuntimeError(f"{module.__name__}: a rule module is named after its slug ({rule.slug})")
        if not (hasattr(module, "check") or hasattr(module, "check_package")):
            raise RuntimeError(f"{module.__name__}: defines neither check nor check_package")
        found[rule.id] = RuleModule(rule, module)
    return tuple(found[rule_id] for rule_id in sorted(found))


def rules_by_key() -> dict[str, RuleModule]:
    """Rules by id and by slug, both of which users may type."""
    table: dict[str, RuleModule] = {}
    for rm in all_rules():
        table[rm.rule.id] = rm
        table[rm.rule.slug] = rm
    return table
