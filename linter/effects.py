"""What a function of the package does to its parameters, and whether it does slow work.

Rules used to treat a value "passed to any call" as handed on, and a goroutine's work as only what
its own body spells: a response passed to `closeBody(resp)` and one passed to `decode(resp)` looked
the same, and `go func() { r := doHeavyTask(); log.Print(r) }()` looked fast. A summary per
function answers both, for the functions and methods of one package:

- for each parameter and the receiver, its **effects** (`FunctionEffects.params`): it is closed
  (`close(x)`, `x.Close()`, deferred or not), its `Body` is closed (`x.Body.Close()`, as for an
  `*http.Response`), it is called (`x()`: a cancel func), sent on, received from, ranged over,
  `x.Wait()`ed, or **handed on**: stored (in a field, a variable, a map, a slice, a composite
  literal), returned, sent on a channel, its address taken, or passed to a call that cannot be
  resolved. Passed to a function of the package (or a literal called on the spot), it takes that
  function's effects on the parameter it lands in; passed to a known reader of the standard library
  (`io.ReadAll`, `json.NewDecoder`, `fmt.Sprintf`, …) it is only read; read to EOF on every path
  through the function (`io.ReadAll`, `io.Copy`), it is drained. Uses inside function
  literals of the function count as the function's own (`defer func() { x.Body.Close() }()`).
  Flow-insensitive: a close on one path is a close.
- whether the function is **slow** (`FunctionEffects.slow`): it sleeps (`time.Sleep`), does network
  or HTTP I/O (`http.Get`…, `Do`/`Get`/`Post`… of an `*http.Client`, `net.Dial`, `net.DialTCP`, `smtp.SendMail`),
  queries a database (`database/sql`, gorm), runs a command (`exec.Command(…).Run()`), or calls a
  function of the package that is slow. A function that takes a `context.Context` or mentions the
  `context` package answers to that context and is not counted as slow, nor is a call of it: its
  caller chose the deadline. Sleeping ends by itself, and so do a dial given a timeout (`net.DialTimeout`), a request on a client whose total
  `Timeout` the package sets (linter/clients.py) and a query of a database, which ends when it answers;
  everything else may hang (`Slow.may_hang`).

Computed on demand, bottom-up to a fixpoint over the package's own calls: a call that closes a
cycle (recursion) reads what is known so far, and the round repeats until nothing changes; every
effect only grows, so it ends. Only the package's own functions are followed (`f(x)`, `recv.m(x)`
on a receiver or parameter of a package type, `func(p){…}(x)`), and a call through an interface or
a function-valued field whose every implementation or value the package names (linter/dispatch.py:
a value passed to it takes what any of them does to it; their slow work is not counted): a call into
another package, or any other interface method or function value, is a call that cannot be resolved. Rules run per package in
the workers, before the module model joins packages, so effects do not cross packages.

Cheap by construction: a parameter's uses are found by the model's byte search for its name within
the function (`FileModel.references`), each judged by looking a few parents up; slow work by one
small query over the function's body. A summary is built only for a function a rule asks about and
the functions it calls.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tree_sitter import Node

from .clients import client_timeout
from .model import FileModel, Function, single_initialiser
from .patterns import LazyPattern
from .source import query_captures

if TYPE_CHECKING:
    from .context import FileContext, PackageContext
    from .dispatch import PackageDispatch
    from .goroutines import PackageFunctions

# ---- effects on a parameter -----------------------------------------------------------------------

CLOSES = "closes"  # close(x), x.Close()
CLOSES_BODY = "closes-body"  # x.Body.Close()
CALLS = "calls"  # x(): a cancel func, a callback
SENDS = "sends"  # x <- v
RECEIVES = "receives"  # <-x
RANGES = "ranges"  # for … range x
WAITS = "waits"  # x.Wait()
HANDS_ON = "hands-on"  # stored, returned, sent, address taken, passed to a call that cannot be resolved
READS_BODY = "reads-body"  # x.Body given to a reader (io.ReadAll, json.NewDecoder, …)
DRAINS = "drains"  # read to EOF (io.ReadAll(x), io.Copy(w, x)) on every path through the function
DRAINS_BODY = "drains-body"  # x.Body read to EOF on every path through the function

# Functions of the standard library that read what they are given and keep nothing of it once they
# return (or keep it only in what they return, a reader that is read at once): passing a value to
# one of them is a read, not a hand-off. `io.ReadAll(resp.Body)` reads a body; it does not close it.
READERS = frozenset({
    "io.ReadAll", "io/ioutil.ReadAll", "io.Copy", "io.CopyN", "io.CopyBuffer", "io.LimitReader", "io.ReadFull",
    "io.TeeReader", "io.MultiReader", "encoding/json.NewDecoder", "encoding/xml.NewDecoder", "bufio.NewReader",
    "bufio.NewScanner", "bufio.NewReaderSize", "compress/gzip.NewReader", "fmt.Fprint", "fmt.Fscan",
    "net/http.MaxBytesReader", "mime/multipart.NewReader", "encoding/csv.NewReader", "html/template.New",
    "golang.org/x/net/html.Parse", "github.com/PuerkitoBio/goquery.NewDocumentFromReader", "strings.Builder",
})
# Readers that read their argument to EOF, by the index of the argument they read.
DRAINERS = {"io.ReadAll": 0, "io/ioutil.ReadAll": 0, "io.Copy": 1, "io.CopyBuffer": 1,
            # an HTML document parsed whole (`html.Parse` reads to EOF, and goquery parses with it)
            "golang.org/x/net/html.Parse": 0, "github.com/PuerkitoBio/goquery.NewDocumentFromReader": 0}
# Calls that only look at their arguments: printing, formatting, comparing. Passing a value to them
# neither closes it nor hands it on.
_LOOKERS = LazyPattern(r"^(fmt\.(Sprint|Sprintf|Sprintln|Print|Printf|Println|Errorf)|log\.(Print|Printf|Println)"
                      r"|errors\.(Is|As)|reflect\.(TypeOf|ValueOf|DeepEqual)|net/http\.StatusText)$")
_HARMLESS_BUILTINS = frozenset({"len", "cap", "print", "println", "delete", "clear", "min", "max"})


@dataclass(frozen=True)
class Use:
    """One use of a parameter: what it does, where, and whether it is written in the function's own
    body (False: in a literal nested in it, or through a call of another function)."""

    effect: str
    node: Node
    direct: bool


@dataclass(frozen=True)
class Slow:
    """Slow work a function does itself or through the package functions it calls."""

    what: str  # "sleeps (time.Sleep)", "makes an HTTP request (http.Get)"
    may_hang: bool  # False for a sleep or a timer: the delay ends by itself
    via: tuple[str, ...] = ()  # the package functions between the caller and the work: ("doHeavyTask", "fetch")

    def described(self) -> str:
        """`calls doHeavyTask, which sleeps (time.Sleep)` or just `sleeps (time.Sleep)`."""
        if not self.via:
            return self.what
        chain = "".join(f"`{name}`, which calls " for name in self.via[1:])
        return f"calls `{self.via[0]}`, which " + (f"calls {chain[:-len(', which calls ')]}, which " if chain else "") + self.what


@dataclass
class FunctionEffects:
    """What one function does to each parameter (in `Function.params` order) and to its receiver,
    and whether it is slow."""

    name: str
    params: list[frozenset[str]]
    receiver: frozenset[str]
    slow: Slow | None
    # The parameter's uses written in this function (params by index, then the receiver at -1):
    # for rules that need the nodes (the send a goroutine performs), not only the effect.
    uses: dict[int, list[Use]] = field(default_factory=dict)

    def param(self, index: int) -> frozenset[str]:
        """The effects on the parameter an argument at `index` lands in (a variadic last parameter
        takes every argument from its index on)."""
        if not self.params:
            return frozenset()
        return self.params[min(index, len(self.params) - 1)]


# ---- slow calls -----------------------------------------------------------------------------------

SLOW_FUNCTIONS = {
    "time.Sleep": "sleeps (time.Sleep)",
    "net/http.Get": "makes an HTTP request (http.Get)",
    "net/http.Post": "makes an HTTP request (http.Post)",
    "net/http.PostForm": "makes an HTTP request (http.PostForm)",
    "net/http.Head": "makes an HTTP request (http.Head)",
    "net.Dial": "dials the network (net.Dial)",
    "net.DialTimeout": "dials the network with a timeout (net.DialTimeout)",
    "net.DialTCP": "dials the network (net.DialTCP)",
    # not net.DialUDP: a UDP "connection" takes no handshake, it only binds a local socket
    "net/smtp.SendMail": "sends mail (smtp.SendMail)",
}
_ENDS_BY_ITSELF = frozenset({"time.Sleep", "net.DialTimeout"})
_HTTP_CLIENT_METHODS = frozenset({"Do", "Get", "Post", "PostForm", "Head"})
_SQL_TYPES = frozenset(f"*database/sql.{t}" for t in ("DB", "Tx", "Conn", "Stmt"))
_SQL_METHODS = frozenset({"Query", "QueryRow", "Exec", "Ping", "Begin", "Prepare"})
_GORM_TYPES = frozenset({"*gorm.io/gorm.DB", "*github.com/jinzhu/gorm.DB"})
_GORM_METHODS = frozenset(
    {"Create", "CreateInBatches", "Save", "Find", "FindInBatches", "First", "Take", "Last", "Delete",
     "Update", "Updates", "UpdateColumn", "UpdateColumns", "Exec", "Scan", "Count", "Pluck", "Row", "Rows",
     "FirstOrCreate", "FirstOrInit", "Transaction"}
)
_COMMAND_METHODS = frozenset({"Run", "Output", "CombinedOutput"})


def slow_call(model: FileModel, call: Node, functions: "PackageFunctions", *, waits: bool = True) -> tuple[str, bool] | None:
    """(what, may hang) when `call` itself is slow work (see the module's docstring); a `.Wait()`
    with no arguments counts only with `waits`. None otherwise, also for calls of the package's own
    functions (PackageEffects follows those)."""
    qualified = model.qualified(call)
    if qualified in SLOW_FUNCTIONS:
        # A sleep ends by itself, and so does a dial given its timeout: what the connection does
        # next is other calls, counted on their own.
        return SLOW_FUNCTIONS[qualified], qualified not in _ENDS_BY_ITSELF
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return None
    method = model.source.text(function.child_by_field_name("field"))
    operand = function.child_by_field_name("operand")
    if waits and method == "Wait" and call.child_by_field_name("arguments").named_child_count == 0:
        return f"waits ({model.source.text(function)}())", True
    if method in _COMMAND_METHODS and operand is not None and _is_command(model, operand):
        return f"runs a command ({method})", True
    if method in _HTTP_CLIENT_METHODS and operand is not None and model.qualified(operand) == "net/http.DefaultClient":
        return f"makes an HTTP request (http.DefaultClient.{method})", True
    root_type = _root_type(model, operand, functions)
    if root_type is None:
        return None
    direct = operand.type in ("identifier", "selector_expression")
    if root_type == "*net/http.Client" and method in _HTTP_CLIENT_METHODS and direct:
        return f"makes an HTTP request ({model.source.text(operand)}.{method})", True
    if root_type in _SQL_TYPES and method in _SQL_METHODS and direct:
        return f"queries the database ({model.source.text(operand)}.{method})", True
    if root_type in _GORM_TYPES and method in _GORM_METHODS:
        return f"queries the database (gorm {method})", True
    return None


def bounded_slow_call(ctx: "FileContext", call: Node, functions: "PackageFunctions", *,
                      waits: bool = True) -> tuple[str, bool] | None:
    """slow_call, with a request made on an `*http.Client` whose total `Timeout` the package sets
    (linter/clients.py) counted as a delay that ends by itself, like a sleep: when the Timeout
    fires the transport cancels the request. So is a query of the program's own database: it ends
    when the database answers, and a database that stops answering stops the whole service, not
    one goroutine (on the ledger, 1 of 39 detached goroutines whose slow work was a query was worth
    a change, and for another reason)."""
    found = slow_call(ctx.model, call, functions, waits=waits)
    if found is not None and found[1] and found[0].startswith("queries the database ("):
        return f"{found[0][:-1]}, which ends when the database answers)", False
    if found is None or not found[1] or not found[0].startswith("makes an HTTP request ("):
        return found
    timeout = client_timeout(ctx, call)
    if not isinstance(timeout, str):
        return found
    return f"{found[0][:-1]}, bounded by the client's Timeout: {timeout})", False


def _is_command(model: FileModel, operand: Node) -> bool:
    if operand.type == "call_expression":
        return model.qualified(operand) in ("os/exec.Command", "os/exec.CommandContext")
    if operand.type != "identifier":
        return False
    binding = model.resolve(operand)
    if binding.kind != "local" or binding.decl is None:
        return False
    value = single_initialiser(binding.decl)
    return value is not None and value.type == "call_expression" and model.qualified(value) == "os/exec.Command"


def _root_type(model: FileModel, expr: Node | None, functions: "PackageFunctions") -> str | None:
    """The declared type of what a call chain starts from: `db` in `db.Where(…).Find(…)`, the field
    `s.client` in `s.client.Do(req)`."""
    while expr is not None and expr.type in ("call_expression", "selector_expression"):
        if expr.type == "selector_expression":
            found = functions.expression_type(model, expr)
            if found is not None:
                return found
            expr = expr.child_by_field_name("operand")
        else:
            expr = expr.child_by_field_name("function")
    if expr is None or expr.type != "identifier":
        return None
    found = functions.expression_type(model, expr)
    if found is not None:
        return found
    if model.resolve(expr).kind == "package":
        var = model.package_vars.get(model.source.text(expr))
        if var is not None and var.value is not None and var.value.type == "call_expression":
            opener = model.qualified(var.value)
            return {"database/sql.Open": "*database/sql.DB", "gorm.io/gorm.Open": "*gorm.io/gorm.DB"}.get(opener or "")
    return None


# ---- contexts -------------------------------------------------------------------------------------

_NAMES = "[(identifier) (field_identifier)] @name"
CONTEXT_NAME = LazyPattern(r"(?i)^ctx$|ctx$|^context$|Ctx[A-Z0-9_]|^ctx[A-Z0-9_]")
CONTEXT_FIELDS = frozenset({"Context", "Done", "WithContext", "UserContext", "SetUserContext"})


def mentions_context(model: FileModel, node: Node) -> bool:
    """`node` mentions a context: the `context` package, an identifier named like one (`ctx`,
    `reqCtx`), or `.Context()`, `.Done()`, `.WithContext()`."""
    text = model.source.text
    for name_node in query_captures(_NAMES, node).get("name", []):
        name = text(name_node)
        if name_node.type == "field_identifier":
            if name in CONTEXT_FIELDS:
                return True
            continue
        if CONTEXT_NAME.search(name):
            return True
        if model.imports.get(name) == "context" and model.resolve(name_node).kind == "import":
            return True
    return False


# ---- the package's summaries ----------------------------------------------------------------------

_CALLS = "(call_expression) @call"
_LEVELS = {None: 0, False: 1, True: 2}  # no slow work, a sleep, work that may hang

Key = tuple[str, int]  # (relpath, node id of the function)


@dataclass
class _Local:
    """What one function does by itself, before its callees are known."""

    ctx: "FileContext"
    function: Function
    direct: dict[int, set[str]]  # param index (-1: receiver) -> effects of its own uses
    # param index -> [(callee key, argument index, via Body)]: the param passed to a package function
    passed: dict[int, list[tuple[Key, int, bool]]]
    uses: dict[int, list[Use]]
    slow: tuple[str, bool] | None  # its own first slow call
    bounded: bool  # answers to a context: not slow, whatever it calls
    callees: list[Key]  # package functions it calls and waits for, in source order
    reached: list[Key]  # every package function whose summary this one needs


class PackageEffects:
    """The effect summaries of one package's functions, built on demand and kept: ask with
    `effects(ctx, function)` or, for a call site, `callee_effects(ctx, call)`."""

    def __init__(self, pkg: "PackageContext"):
        self.pkg = pkg
        self._local: dict[Key, _Local] = {}
        self._done: dict[Key, FunctionEffects] = {}

    @property
    def functions(self) -> "PackageFunctions":
        return self.pkg.facts.functions

    # -- asking ----------------------------------------------------------------------------------

    def effects(self, ctx: "FileContext", function: Function) -> FunctionEffects:
        key = (ctx.relpath, function.node.id)
        done = self._done.get(key)
        if done is None:
            self._solve(key, ctx, function)
            done = self._done[key]
        return done

    def callee(self, ctx: "FileContext", call: Node) -> tuple["FileContext", Function] | None:
        """The package function a call runs: `f(x)`, `recv.m(x)` on a value of a package type, or a
        function literal called where it is written (`func(p){…}(x)`, `go func(p){…}(x)`)."""
        callee = call.child_by_field_name("function")
        while callee is not None and callee.type == "parenthesized_expression" and callee.named_child_count == 1:
            callee = callee.named_children[0]
        if callee is not None and callee.type == "func_literal":
            function = ctx.model.function_of(callee)
            return (ctx, function) if function is not None else None
        return self.functions.callee(ctx, call)

    def callee_effects(self, ctx: "FileContext", call: Node) -> FunctionEffects | None:
        """The summary of the package function `call` runs; None when it cannot be resolved. A call
        through an interface or a function-valued field that linter/dispatch.py resolves gets the
        union of its targets' effects on each parameter (any of them may run), and no slow work
        (that stays with the calls spelt out)."""
        target = self.callee(ctx, call)
        if target is None:
            targets = self.dispatch.targets(ctx, call)
            if targets is None:
                return None
            summaries = [self.effects(*found) for found in targets]
            count = max(len(summary.params) for summary in summaries)
            return FunctionEffects(
                name=" or ".join(summary.name for summary in summaries),
                params=[frozenset().union(*(summary.param(i) for summary in summaries if summary.params))
                        for i in range(count)],
                receiver=frozenset().union(*(summary.receiver for summary in summaries)),
                slow=None,
            )
        if target[1].body is None:
            return None
        return self.effects(*target)

    @property
    def dispatch(self) -> "PackageDispatch":
        found = self.__dict__.get("_dispatch")
        if found is None:
            from .dispatch import PackageDispatch

            found = self.__dict__["_dispatch"] = PackageDispatch(self.pkg)
        return found

    # -- solving ---------------------------------------------------------------------------------

    def _solve(self, start: Key, ctx: "FileContext", function: Function) -> None:
        """Local facts for `start` and every package function it reaches, then rounds over them,
        callees first, until no summary changes."""
        order: list[Key] = []
        pending = [(start, ctx, function)]
        seen = {start}
        while pending:
            key, fctx, fn = pending.pop()
            local = self._local.get(key)
            if local is None:
                local = self._local[key] = self._local_facts(fctx, fn)
            order.append(key)
            for callee in local.reached:
                if callee not in seen and callee not in self._done:
                    seen.add(callee)
                    found = self._pending_function(callee)
                    if found is not None:
                        pending.append((callee, *found))
        order.reverse()  # callees (found later) first
        params: dict[Key, dict[int, frozenset[str]]] = {k: {} for k in order}
        levels: dict[Key, int] = {k: 0 for k in order}
        changed = True
        while changed:
            changed = False
            for key in order:
                local = self._local[key]
                new_params = {i: frozenset(self._param_effects(local, i, params)) for i in local.direct}
                level = 0 if local.bounded else max(
                    [_LEVELS[local.slow[1]] if local.slow else 0, *(self._level(c, levels) for c in local.callees)])
                if new_params != params[key] or level != levels[key]:
                    params[key], levels[key] = new_params, level
                    changed = True
        for key in order:
            local = self._local[key]
            fn = local.function
            count = len(fn.params)
            self._done[key] = FunctionEffects(
                name=fn.name,
                params=[params[key].get(i, frozenset()) for i in range(count)],
                receiver=params[key].get(-1, frozenset()),
                slow=None,
                uses=local.uses,
            )
        for key in order:
            self._done[key].slow = self._explain(key, levels)
        for key in order:
            self._local.pop(key, None)  # solved: the summary is all anyone asks for now

    def _name(self, key: Key) -> str:
        local = self._local.get(key)
        if local is not None:
            return local.function.name
        done = self._done.get(key)
        return done.name if done is not None else "?"

    def _pending_function(self, key: Key) -> tuple["FileContext", Function] | None:
        return self._functions_by_key.get(key)

    @property
    def _functions_by_key(self) -> dict[Key, tuple["FileContext", Function]]:
        return self.__dict__.setdefault("_by_key", {})

    def _param_effects(self, local: _Local, index: int, params: dict[Key, dict[int, frozenset[str]]]) -> set[str]:
        effects = set(local.direct.get(index, ()))
        for callee, arg, body in local.passed.get(index, ()):
            done = self._done.get(callee)
            if done is not None:
                theirs = done.param(arg) if arg >= 0 else done.receiver
            else:
                known = params.get(callee, {})
                count = len(self._local[callee].function.params) if callee in self._local else 0
                theirs = known.get(-1 if arg < 0 else min(arg, max(count - 1, 0)), frozenset())
            if body:
                # `f(x.Body)`: f closing its parameter closes x's body; f reading it reads the body.
                if theirs & {CLOSES}:
                    effects.add(CLOSES_BODY)
                if HANDS_ON in theirs:
                    effects.add(HANDS_ON)
                if DRAINS in theirs:
                    effects.add(DRAINS_BODY)
                if not theirs & {CLOSES, HANDS_ON}:
                    effects.add(READS_BODY)
            else:
                effects |= theirs
        return effects

    def _level(self, key: Key, levels: dict[Key, int]) -> int:
        done = self._done.get(key)
        if done is not None:
            return 0 if done.slow is None else _LEVELS[done.slow.may_hang]
        return levels.get(key, 0)

    def _explain(self, key: Key, levels: dict[Key, int]) -> Slow | None:
        """The nearest slow work that gives `key` its level: its own call, or the shortest chain of
        package calls to a function whose own call is that slow."""
        target = levels.get(key, 0)
        if target == 0:
            return None
        queue: deque[tuple[Key, tuple[str, ...]]] = deque([(key, ())])
        seen = {key}
        while queue:
            current, via = queue.popleft()
            if current not in levels:  # solved in an earlier round: its own explanation stands
                done = self._done.get(current)
                if done is not None and done.slow is not None and _LEVELS[done.slow.may_hang] == target:
                    return Slow(done.slow.what, done.slow.may_hang, via + done.slow.via)
                continue
            local = self._local.get(current)
            if local is None or local.bounded:
                continue
            if local.slow is not None and _LEVELS[local.slow[1]] == target:
                return Slow(local.slow[0], local.slow[1], via)
            for callee in local.callees:
                if callee not in seen:
                    seen.add(callee)
                    queue.append((callee, via + (self._name(callee),)))
        return None

    # -- one function by itself ------------------------------------------------------------------

    def _local_facts(self, ctx: "FileContext", function: Function) -> _Local:
        model = ctx.model
        direct: dict[int, set[str]] = {}
        passed: dict[int, list[tuple[Key, int, bool]]] = {}
        uses: dict[int, list[Use]] = {}
        declared = [(i, p.node) for i, p in enumerate(function.params)]
        if function.receiver is not None:
            declared.append((-1, function.receiver.node))
        for index, decl in declared:
            direct[index] = set()
            if decl is None or function.body is None or model.source.text(decl) == "_":
                continue
            drains: dict[str, list[Node]] = {}
            for ref in model.references(decl, within=function.body):
                own = model.enclosing_function(ref) is function
                for effect, node, call, arg, body in self._use(ctx, ref):
                    if call is not None:
                        passed.setdefault(index, []).append((call, arg, body))
                        continue
                    if effect in (DRAINS, DRAINS_BODY):
                        if own:
                            drains.setdefault(effect, []).append(node)
                        effect = READS_BODY if effect == DRAINS_BODY else ""
                        if not effect:
                            continue
                    direct[index].add(effect)
                    uses.setdefault(index, []).append(Use(effect, node, own))
            for effect, nodes in drains.items():
                # Read to EOF on every path (or the function panics first, or was given nil): the
                # transport has the connection back whatever the caller does next.
                exits = function.cfg.exits_reachable_from_block(function.cfg.entry, nodes)
                if all(_under_nil_check(exit_node, decl.text) for exit_node in exits):
                    direct[index].add(effect)
                    continue
                # A helper handed a call's error beside its response (`read(resp, err, &v)`) that
                # returns under `if err != nil`: it drains what it is given when that error is
                # the call's own, with no response to read on that path (`drains@1`: the
                # caller's call site decides).
                for position, param in enumerate(function.params):
                    if param.type == "error" and param.name and \
                            all(_under_nil_check(exit_node, decl.text, param.name.encode()) for exit_node in exits):
                        direct[index].add(f"{effect}@{position}")
                        break
        slow = None
        callees: list[Key] = []
        bounded = function.body is None or any(p.type == "context.Context" for p in function.params) \
            or mentions_context(model, function.body)
        if function.body is not None:
            for call in query_captures(_CALLS, function.body).get("call", []):
                owner = model.enclosing_function(call)
                if owner is not function and not _runs_in_place(owner, function):
                    continue  # a literal started or handed on: its work is not this function's
                if call.parent is not None and call.parent.type == "go_statement":
                    continue  # `go f()`: f's work is another goroutine's
                target = self.callee(ctx, call)
                if target is not None and target[1] is not function:
                    if target[1].node.type == "func_literal":
                        continue  # its calls are this function's own, seen by the query
                    key = self._register(*target)
                    if key not in callees:
                        callees.append(key)
                    continue
                if slow is None or not slow[1]:
                    found = bounded_slow_call(ctx, call, self.functions, waits=False)
                    if found is not None and (slow is None or found[1]):
                        slow = found
        reached = list(callees)
        for calls in passed.values():
            for callee, _, _ in calls:
                if callee not in reached:
                    reached.append(callee)
        return _Local(ctx, function, direct, passed, uses, slow, bounded, callees, reached)

    def _register(self, ctx: "FileContext", function: Function) -> Key:
        key = (ctx.relpath, function.node.id)
        self._functions_by_key.setdefault(key, (ctx, function))
        return key

    def _use(self, ctx: "FileContext", ref: Node):
        """What one reference to a parameter does: (effect, node, callee key, argument index, via
        Body) tuples; a callee key means "whatever that function does to that parameter"."""
        model = ctx.model
        node = ref
        parent = node.parent
        while parent is not None and parent.type == "parenthesized_expression":
            node, parent = parent, parent.parent
        if parent is None:
            return [(HANDS_ON, ref, None, 0, False)]
        kind = parent.type
        if kind == "selector_expression" and parent.child_by_field_name("operand") == node:
            field_name = model.source.text(parent.child_by_field_name("field"))
            grand = parent.parent
            if grand is not None and grand.type == "call_expression" and grand.child_by_field_name("function") == parent:
                if field_name == "Close":
                    return [(CLOSES, grand, None, 0, False)]
                if field_name == "Wait" and grand.child_by_field_name("arguments").named_child_count == 0:
                    return [(WAITS, grand, None, 0, False)]
                return []  # another method: a read as far as we can tell
            if field_name == "Body":
                return self._body_use(ctx, parent)
            return []
        if kind == "call_expression" and parent.child_by_field_name("function") == node:
            return [(CALLS, parent, None, 0, False)]
        if kind == "argument_list":
            return self._argument_use(ctx, node, parent, body=False)
        if kind == "send_statement":
            if parent.child_by_field_name("channel") == node:
                return [(SENDS, parent, None, 0, False)]
            return [(HANDS_ON, parent, None, 0, False)]
        if kind == "unary_expression":
            operator = parent.child_by_field_name("operator")
            if operator is not None and operator.type == "<-":
                return [(RECEIVES, parent, None, 0, False)]
            if operator is not None and operator.type == "&":
                return [(HANDS_ON, parent, None, 0, False)]
            return []
        if kind == "range_clause" and parent.child_by_field_name("right") == node:
            return [(RANGES, parent, None, 0, False)]
        if kind == "expression_list":
            statement = parent.parent
            if statement is None:
                return [(HANDS_ON, ref, None, 0, False)]
            if statement.type in ("assignment_statement", "short_var_declaration"):
                left = statement.child_by_field_name("left")
                if left == parent:
                    return []  # written, not used
                if left is not None and all(c.text == b"_" for c in left.named_children):
                    return []  # `_ = x`
            return [(HANDS_ON, ref, None, 0, False)]  # returned, assigned, a var's value
        if kind in ("binary_expression", "expression_statement", "index_expression", "slice_expression",
                    "if_statement", "for_clause", "expression_switch_statement", "type_assertion_expression",
                    "type_switch_statement", "inc_statement", "dec_statement", "comment"):
            return []
        return [(HANDS_ON, ref, None, 0, False)]  # a composite literal's element, a keyed value, …

    def _body_use(self, ctx: "FileContext", body: Node):
        """`x.Body`: closed, given to a reader, passed to a package function, or handed on."""
        parent = body.parent
        if parent is None:
            return [(HANDS_ON, body, None, 0, True)]
        if parent.type == "selector_expression" and parent.child_by_field_name("operand") == body:
            grand = parent.parent
            if ctx.model.source.text(parent.child_by_field_name("field")) == "Close" and grand is not None \
                    and grand.type == "call_expression":
                return [(CLOSES_BODY, grand, None, 0, False)]
            return []
        if parent.type == "argument_list":
            return self._argument_use(ctx, body, parent, body=True)
        if parent.type in ("binary_expression", "expression_statement"):
            return []
        return [(HANDS_ON, body, None, 0, False)]

    def _argument_use(self, ctx: "FileContext", node: Node, arguments: Node, *, body: bool):
        call = arguments.parent
        if call is None or call.type != "call_expression":
            return [(HANDS_ON, node, None, 0, False)]
        model = ctx.model
        callee = call.child_by_field_name("function")
        if callee is not None and callee.type == "identifier" and model.resolve(callee).kind == "builtin":
            name = model.source.text(callee)
            if name == "close" and not body:
                return [(CLOSES, call, None, 0, False)]
            if name in _HARMLESS_BUILTINS:
                return []
            return [(HANDS_ON, node, None, 0, False)]  # append(s, x), copy, …
        qualified = model.qualified(call)
        if qualified in DRAINERS and arguments.named_child_count > DRAINERS[qualified] \
                and arguments.named_children[DRAINERS[qualified]].id == node.id:
            return [(DRAINS_BODY if body else DRAINS, call, None, 0, False)]
        if qualified is not None and qualified in READERS:
            return [(READS_BODY, call, None, 0, False)] if body else []
        if qualified is not None and _LOOKERS.match(qualified):
            return []
        target = self.callee(ctx, call)
        index = next((i for i, arg in enumerate(arguments.named_children) if arg.id == node.id), 0)
        if target is None:
            # An interface method or a function-valued field whose every implementation or value
            # the package names: the value takes what any of them does to it.
            targets = self.dispatch.targets(ctx, call)
            if targets is None:
                return [(HANDS_ON, node, None, 0, False)]
            return [("", call, self._register(*found), index, body) for found in targets]
        if target[1].body is None:
            return [(HANDS_ON, node, None, 0, False)]
        key = self._register(*target)
        return [("", call, key, index, body)]


def _under_nil_check(node: Node, name: bytes, error: bytes = b"") -> bool:
    """`node` sits in the body of `if name == nil { … }`, or of `if error != nil { … }` on the
    call's error the function was given: there is nothing to read or close there."""
    current = node.parent
    while current is not None and current.type not in ("function_declaration", "method_declaration", "func_literal"):
        branch = current.parent
        if current.type == "block" and branch is not None and branch.type == "if_statement" \
                and branch.child_by_field_name("consequence") == current:
            condition = branch.child_by_field_name("condition")
            text = condition.text.replace(b" ", b"") if condition is not None else b""
            if text == name + b"==nil" or error and text == error + b"!=nil":
                return True
        current = branch
    return False


def _runs_in_place(owner: Function | None, function: Function) -> bool:
    """`owner` is a literal nested in `function` that runs as part of it: called where it is written
    (`func(){…}()`) or deferred, as is every literal between them; not one started with `go`,
    stored or handed to a call."""
    while owner is not None and owner is not function:
        node = owner.node
        call = node.parent
        if owner.kind != "literal" or call is None or call.type != "call_expression" \
                or call.child_by_field_name("function") != node:
            return False
        if call.parent is not None and call.parent.type == "go_statement":
            return False
        owner = owner.parent
    return owner is function


def package_effects(ctx: "FileContext") -> PackageEffects:
    """The effect summaries of the package `ctx` belongs to (shared with package rules: pkg.facts)."""
    return ctx.package.facts.effects
