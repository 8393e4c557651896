"""Facts about one package that several rules ask for, built once per package, on first use.

`pkg.facts` (a `PackageFacts`) is the one place a rule gets them; a rule never builds its own copy,
so a second rule asking costs nothing and every rule sees the same answer:

- `functions`: the package's declared functions and methods by name, the function a call or a
  `go` statement runs, channel names the package closes or declares as struct fields, struct field
  types, and what runs once per process (goroutines.PackageFunctions);
- `calls`: who calls a package function, and so whether its code runs at set-up or per request
  (growth.PackageCalls);
- `field_channels`: channels kept in unexported struct fields, with every send, receive, close
  and hand-off of them in the package (fieldchannels.FieldChannel);
- `effects`: what each function does to its parameters (closes, sends on, hands on…) and whether
  it does slow work, followed through the package's own calls (effects.PackageEffects);
- `drained_channels`: the package's channel variables a loop of its receives from (a consumer);
- `field_clients`: by struct field name (and whether a test file asks), the total timeout of the
  HTTP clients the package stores in fields of that name, filled on first ask of each name (GL405: a scan of every file of the
  package, once per name instead of once per call made on such a field).

File rules reach the same facts through `ctx.package.facts`: one set per package for every rule.

Each is built lazily: a package no rule asks about pays nothing.
"""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from .patterns import LazyPattern
from .source import without_comments

if TYPE_CHECKING:
    from .context import PackageContext
    from .effects import PackageEffects
    from .fieldchannels import FieldChannel
    from .goroutines import PackageFunctions
    from .growth import PackageCalls


class PackageFacts:
    def __init__(self, pkg: "PackageContext"):
        self.pkg = pkg

    @cached_property
    def functions(self) -> "PackageFunctions":
        from .goroutines import PackageFunctions

        return PackageFunctions(self.pkg)

    @cached_property
    def unchanged_vars(self):
        """Whether a package variable keeps the value of its declaration (constants.package_vars_unchanged),
        asked by the timer rules of a duration named by one."""
        from .constants import package_vars_unchanged

        return package_vars_unchanged(self.pkg)

    @cached_property
    def calls(self) -> "PackageCalls":
        from .growth import PackageCalls

        return PackageCalls(self.pkg)

    @cached_property
    def field_channels(self) -> "list[FieldChannel]":
        from .fieldchannels import field_channels

        return field_channels(self.pkg)

    @cached_property
    def effects(self) -> "PackageEffects":
        from .effects import PackageEffects

        return PackageEffects(self.pkg)

    @cached_property
    def answers_cross_origin(self) -> bool:
        """A non-test file of the package configures CORS (sets `Access-Control-Allow-Origin`,
        imports a CORS middleware, calls `CORS(…)`, names `AllowOrigins`), outside comments: its
        servers are called by browsers of other origins."""
        return any(not ctx.is_test_file and _CORS.search(ctx.source.data) is not None
                   and _CORS.search(without_comments(ctx.source.data)) is not None for ctx in self.pkg.files)

    @cached_property
    def cross_origin_local(self) -> bool:
        """The package answers cross-origin requests only from loopback origins: every origin its
        non-test files admit (`AllowOrigins: []string{"http://localhost:5173"}`, `AllowedOrigins(…)`,
        an `Access-Control-Allow-Origin` header, fiber's comma-separated string) is a loopback URL
        written in the code: a front end on the developer's machine, not browsers on other hosts.
        False when any origin is `*`, another host, read from a setting or a variable, or admitted
        by a function or an allow-all option, and when no origin list is found."""
        from .cors import loopback_origins_only

        files = [ctx for ctx in self.pkg.files if not ctx.is_test_file and _CORS.search(ctx.source.data) is not None]
        return bool(files) and all(loopback_origins_only(ctx.model, self.functions) for ctx in files)

    @cached_property
    def drained_channels(self) -> frozenset[str]:
        """The package's channel variables that a loop of its non-test code receives from
        (channels.drained_package_channels): a send on one waits only while that consumer is behind."""
        from .channels import drained_package_channels, package_channel_names

        channels = {name for ctx in self.pkg.files for name in package_channel_names(ctx.source)}
        return frozenset(name for ctx in self.pkg.files if not ctx.is_test_file
                         for name in drained_package_channels(ctx.model, channels))

    @cached_property
    def drained_fields(self) -> frozenset[str]:
        """Channel fields of the package's structs that a loop of its non-test code receives from
        (`for e := range h.events {…}`, `for { e := <-h.events … }`, a `select` case in such a
        loop): a send on one waits only while that consumer is behind, as on a drained channel
        variable. Fields are pooled by name across the package's structs (fieldchannels)."""
        from .fieldchannels import RANGE, RECEIVE
        from .model import enclosing_loop

        return frozenset(channel.name for channel in self.field_channels
                         if any(not use.ctx.is_test_file and (use.kind == RANGE or enclosing_loop(use.node) is not None)
                                for use in channel.of(RANGE, RECEIVE)))

    @cached_property
    def unset_field_channels(self) -> frozenset[str]:
        """Channel fields nothing in the package ever sets (fieldchannels.unset_fields): nil, so a
        receive from one waits forever and a select case on one never fires."""
        from .fieldchannels import unset_fields

        return unset_fields(self.pkg, self.field_channels)

    @cached_property
    def field_clients(self) -> "dict[tuple[bytes, bool], str | tuple[str, ...] | None]":
        return {}


_CORS = LazyPattern(rb"Access-Control-Allow-Origin|/cors\"|\bCORS(?:WithConfig)?\(|\bAllow(?:ed)?Origins\b")
