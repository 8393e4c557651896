"""What a rule sees: one file (FileContext) or one package (PackageContext)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tree_sitter import Node

from .model import FileModel, display_name
from .rule import Finding, Rule, Severity
from .source import SourceFile, cached_property

if TYPE_CHECKING:
    from .packagefacts import PackageFacts


class FileContext:
    def __init__(
        self,
        source: SourceFile,
        go_version: tuple[int, int] | None,
        package_scope: Mapping[str, tuple[str, Node]] | None = None,
        severity_overrides: dict[str, Severity] | None = None,
        *,
        kubernetes: bool = False,
    ):
        self.source = source
        self.go_version = go_version
        # The module requires the Kubernetes client libraries (go.mod): a cluster component.
        self.kubernetes = kubernetes
        self._package_scope = package_scope
        self._severity_overrides = severity_overrides or {}
        # The engine's combined query also finds what the module model's summary needs.
        self.summary_captures: dict[str, list[Node]] | None = None
        # The package the file belongs to, set by the engine before any rule runs: a file rule
        # asks `ctx.package.facts` for what the package knows (a helper in a sibling file).
        self._package: "PackageContext | None" = None

    @property
    def package(self) -> "PackageContext":
        """The file's package, whose `facts` file rules and package rules share; a package of this
        file alone when the file was made outside the engine."""
        if self._package is None:
            self._package = PackageContext(".", [self], frozenset({self.relpath}), self.go_version,
                                           self._package_scope or {})
        return self._package

    @package.setter
    def package(self, pkg: "PackageContext | None") -> None:
        self._package = pkg

    @cached_property
    def model(self) -> FileModel:
        return FileModel(self.source, self._package_scope)

    @property
    def relpath(self) -> str:
        return self.source.relpath

    def declaring_file(self, name: str) -> "FileContext | None":
        """The sibling file of the package that declares the package-level `name`, when it is not
        this file (None for this file, or a name the package does not declare)."""
        entry = self._package_scope.get(name) if self._package_scope is not None else None
        if entry is None or entry[0] == self.relpath:
            return None
        return self.package.file(entry[0])

    @property
    def is_test_file(self) -> bool:
        return self.source.relpath.endswith("_test.go")

    def go_at_least(self, major: int, minor: int) -> bool:
        """True only when the module's Go version is known and at least major.minor."""
        return self.go_version is not None and self.go_version >= (major, minor)

    def finding(
        self,
        rule: Rule,
        node: Node,
        message: str,
        *,
        fix: str | None = None,
        severity: Severity | None = None,
        end: Node | None = None,
        subjects: tuple[str, ...] = (),
        repeats: str = "",
        bounded: bool = False,
        address: str = "",
        makers: tuple[str, ...] = (),
        drains: tuple[str, ...] = (),
        handoffs: tuple[str, ...] = (),
        requests: tuple[str, ...] = (),
        fields: tuple[str, ...] = (),
        parameter: str = "",
        unexposed: str = "",
        kind: str = "",
        opt_in: str = "",
    ) -> Finding:
        """A finding spanning `node` (to the end of `end` if given).

        A span that runs over several lines is cut to the end of its first line: a code frame or a
        SARIF region that covers a whole function says less than one that points at the line.
        """
        source = self.source
        start = node.start_byte
        stop = (end or node).end_byte
        line, column, column16 = source.position(start)
        line_end = source.line_starts[line] - 1 if line < len(source.line_starts) else len(source.data)
        if stop > line_end:
            stop = line_end - 1 if line_end > start and source.data[line_end - 1 : line_end] == b"\r" else line_end
        end_line, end_column, end_column16 = source.position(max(stop, start))
        function = self.model.enclosing_function(node)
        if node.type in ("function_declaration", "method_declaration", "func_literal"):
            function = self.model.function_of(node)
        level = self._severity_overrides.get(rule.id) or severity or rule.severity
        return Finding(
            path=source.relpath,
            line=line,
            column=column,
            end_line=end_line,
            end_column=end_column,
            rule_id=rule.id,
            message=message,
            severity=level,
            fix=fix,
            column_utf16=column16,
            end_column_utf16=end_column16,
            byte_start=start,
            byte_end=stop,
            context=_outermost_name(function),
            source_line=source.line_text(line),
            subjects=subjects,
            repeats=repeats,
            bounded=bounded,
            address=address,
            makers=makers,
            drains=drains,
            handoffs=handoffs,
            requests=requests,
            fields=fields,
            parameter=parameter,
            unexposed=unexposed,
            opt_in=opt_in,
            kind=kind,
        )


def _outermost_name(function) -> str:
    return display_name(function.name) if function is not None else ""


class PackageScope(Mapping[str, tuple[str, Node]]):
    """The package-level names of a package's files: name -> (relpath, declaring identifier), the
    first file in path order winning (build-tagged twins declare a name twice).

    Looked up name by name rather than built up front: a file that has not been parsed (context
    only, such as generated code) is parsed for a name only if the name's bytes occur in it."""

    def __init__(self, files: list[FileContext]):
        self._files = files
        self._found: dict[str, tuple[str, Node] | None] = {}

    def _lookup(self, name: str) -> tuple[str, Node] | None:
        if name in self._found:
            return self._found[name]
        key = name.encode("utf-8", "surrogateescape")
        exact = "\ufffd" not in name  # a name decoded from invalid UTF-8 has no bytes to look for
        found = None
        for ctx in self._files:
            if exact and not ctx.source.parsed and key not in ctx.source.data:
                continue  # a file not parsed yet cannot declare a name its bytes lack
            node = ctx.model.top_level_names.get(name)
            if node is not None:
                found = (ctx.relpath, node)
                break
        self._found[name] = found
        return found

    def declarations(self, name: str) -> list:
        """(file model, declaring identifier) in every file of the package that declares `name`
        at package level: build-tagged twins (`listen_unix.go`, `listen_windows.go`) each count."""
        key = name.encode("utf-8", "surrogateescape")
        found = []
        for ctx in self._files:
            if not ctx.source.parsed and key not in ctx.source.data:
                continue  # as _lookup: a parsed file's names are a table away, the bytes a scan
            node = ctx.model.top_level_names.get(name)
            if node is not None:
                found.append((ctx.model, node))
        return found

    def release(self) -> None:
        """Forget the files and what was found in them (which holds their trees)."""
        self._files = []
        self._found.clear()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._lookup(name) is not None

    def __getitem__(self, name: str) -> tuple[str, Node]:
        found = self._lookup(name)
        if found is None:
            raise KeyError(name)
        return found

    def __iter__(self) -> Iterator[str]:
        seen: set[str] = set()
        for ctx in self._files:
            for name in ctx.model.top_level_names:
                if name not in seen:
                    seen.add(name)
                    yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)


@dataclass
class PackageContext:
    directory: str  # posix, relative to the report root ("." for the root)
    files: list[FileContext]  # every non-excluded Go file of the package, sorted by path
    report_paths: frozenset[str]  # the files whose findings are reported
    go_version: tuple[int, int] | None = None
    package_scope: Mapping[str, tuple[str, Node]] = field(default_factory=dict)

    @cached_property
    def facts(self) -> "PackageFacts":
        """What several rules ask about the package (its functions, who calls them), built once on
        first use and shared by every rule: see linter/packagefacts.py."""
        from .packagefacts import PackageFacts

        return PackageFacts(self)

    def release(self) -> None:
        """Drop the facts, which refer back to this package, and the files' links to it: the trees
        go as soon as it is done."""
        self.__dict__.pop("facts", None)
        for ctx in self.files:
            if ctx._package is self:
                ctx._package = None

    def file(self, relpath: str) -> FileContext | None:
        for ctx in self.files:
            if ctx.relpath == relpath:
                return ctx
        return None
