"""GL201 unbounded-global-map."""

from __future__ import annotations

from typing import Iterable

from goleaklint.context import PackageContext
from goleaklint.growth import (client_address, client_conditional_deletes, describe_sites, field_map_growth, identity_keyed,
                               package_collections, strongest, subjects, unbounded_growth)
from goleaklint.rule import Docs, Finding, Rule, Severity

RULE = Rule(
    id="GL201",
    slug="unbounded-global-map",
    title="a package-level map (or a map field of a process-lifetime value) is inserted into at run time and never shrinks",
    severity=Severity.WARNING,
    tags=("memory-leak", "unbounded-growth"),
    lifetime="keyed-growth",  # judged by how often the inserting functions run, and by their keys
    precision="low",  # measured on held-out codebases (docs/ecosystem.md)
    # Maps a request handler inserts into read 11 of 21 where the ledger kept the lifetime (batch
    # 95's per-IP limiter among them; six DEBATABLE maps of one bot, keyed by its configured accounts);
    # the rest, 11 of 91, are mostly loops and tables no caller fills. Batch 123 (a course's in-memory
    # user stores, nine DEBATABLE) brought maps a request handler fills to 15 of 36: low like the rule.
    # A map keyed by the client's network address, filled where requests are served: every such
    # finding judged so far was worth a change (7 of 7: per-IP rate limiters and connection
    # counters of five web apps and two gateways, judged before this kind was told apart, so the
    # label was declared on codebases now used for tuning; held-out batches measure it from here).
    # Held out, through batch 230: 6 of 10 (a course's starter, a demo that sends itself thirty
    # requests, a personal media app behind authentication, and a log throttle that never stores a
    # new key, since fixed): medium, shown with `--min-precision medium`.
    precision_by_kind=(("client-address", "medium"),
                       # Keyed by the user's identity (`userID`, `accountId`, `uid`): one entry per
                       # account, which reviewers called DEBATABLE each time (8 of 8, six of one bot).
                       ("identity", "low")),
    docs=Docs(
        what="Finds a package-level map or `sync.Map` that functions of the package insert into "
        "(`m[k] = v`, `m[k]++`, `m[k] += v`, `Store`, `LoadOrStore`, `Swap`) while nothing in the "
        "package (any of its non-test files) deletes from it (`delete`, `clear`, `Delete`, "
        "`LoadAndDelete`, `CompareAndDelete`, `Clear`), reassigns it, or bounds it (a `len(m)` "
        "comparison in the inserting function). Reported once, at the declaration, naming the "
        "inserting functions. It is an error when an insert runs in an HTTP handler (net/http, gin, "
        "echo, fiber) or its key comes from the request: then every new client, path or header value "
        "adds an entry, and anyone on the network can drive the growth. What a framework's request "
        "context hands out for the whole application (fiber's `c.App()`, echo's `c.Echo()`, and what "
        "is read from them, `c.App().Server()`) is not from the request: one entry per application. A `delete` that runs only when "
        "a client comes back with the key and passes a check (in a handler, keyed from the request, "
        "under a condition beyond the entry's presence: a ticket deleted only when redeemed and "
        "valid) is not a bound unless another removal covers the map. Also found: a map field of a "
        "struct type of the package when a process-lifetime value holds the type (a package "
        "variable, a package-level map of them, or a singleton getter that returns a package "
        "variable) and the map is inserted into with a key per client: from the request, through "
        "the callers of the inserting method in a handler (error), or, with no handler in sight, a "
        "key parameter named for a client (`ip`, `addr`, `token`, `session`, `user`…, the short ones as words of their own, so `sid` and `sidKey` but not `side`; not `host`, which names a server or a registry more often; warning). The "
        "per-IP rate limiter `limiters map[string]*rate.Limiter` filled from login attempts and never "
        "swept is the common case. A map keyed by the client's network address (gin's `c.ClientIP()` "
        "or `c.RemoteIP()`, echo's `c.RealIP()`, fiber's `c.IP()`, `r.RemoteAddr`, an `X-Forwarded-For` "
        "or `X-Real-IP` header, a helper of the program's own named for it such as `clientIP(r)`, in "
        "the key or in a local it is made from (its initialiser or a later assignment: a limiter keyed "
        "by the user and, for anonymous requests, by `c.ClientIP()`), or passed so by the callers of the inserting "
        "function) says which address filled it, and is reported by default: such maps were worth a "
        "change wherever they were judged. An address the client sends as data (`c.Param(\"ip\")`), a "
        "request id header or the user an authentication middleware set are keys from the request, "
        "not the client's address. A map whose every key from the request names an account "
        "(`userID`, `accountId`, `uid`, `claims.UserID`, `c.GetString(\"user_id\")`, through "
        "conversions; not a local read from the path, query, form or headers, nor a name a client "
        "types) is kind identity, labelled low, as is a map filled through a key parameter so named "
        "(`allow(userID int64)`) where no handler by its parameters is seen to pass it: it holds one entry per user of the service, and "
        "reviewers found none of those worth a change.",
        why="A package-level map lives as long as the process. Each distinct key stays in it, with "
        "its value and everything the value points to, forever: Go maps never shrink their bucket "
        "array either. Keyed by IP, user, session, URL or request id, it grows with traffic until "
        "the pod is OOM-killed, and restarts only reset the clock.",
        example="""var visits = map[string]int{}

func track(c *gin.Context) {
    visits[c.ClientIP()]++ // one entry per client, forever
}""",
        use_instead="""var (
    mu     sync.Mutex
    visits = map[string]int{}
)

func track(c *gin.Context) {
    mu.Lock()
    defer mu.Unlock()
    if len(visits) >= maxTracked {
        clear(visits) // or evict: an LRU, a TTL cache, a periodic sweep that deletes
    }
    visits[c.ClientIP()]++
}""",
        limits="Levels follow the evidence: error when an insert runs in a handler (or in a "
        "function a handler of the package calls, a few levels up) or its key mentions the request; "
        "warning when the key is new on every call (`time.Now()`, `uuid.New()`, `rand`, "
        "`atomic.Add…`) or the insert sits in a loop of a goroutine; note otherwise, and nothing at "
        "all when, without such evidence, the package is `main` (a command's tables live for one run) "
        "or the inserting function looks the key up first (a memo table, one entry per key of a "
        "domain that is usually small: types, dialects, configured paths). "
        "Not reported either: inserts only in `init`, `main`, package variable initialisers, "
        "callbacks handed over during those (not goroutines, not handlers), functions called only "
        "from those, registration functions (`Register…`, `MustRegister…`, `register…`, hooks such as `OnExit`) and "
        "start-up functions by name (`init…`, `setup…`, `…Main`); unexported functions nobody in the "
        "package calls; an insert under a lookup of the same key that found it (`if v, ok := "
        "m[k]; ok {`, `m.Load(k)` of a sync.Map), or after one whose miss left the function (`v, ok := m[k]; "
        "if !ok { return }`, or `continue`), which replaces an entry and adds none; constant keys (literals, constants, `reflect.TypeOf(x)`, `reflect.Type` "
        "parameters); route patterns as keys (gin's `c.FullPath()`, chi's `RoutePattern()`, gorilla's "
        "`GetPathTemplate()`, `r.Pattern`, a local made from one, a parameter named `pattern` or "
        "`template`: one entry per registered route, not per path a client sends); key types with few values (`bool`, `byte`, `int8`, `reflect.Type`, "
        "`reflect.Kind`); packages that support tests (`mock`, `fake`, `testutil`, `…test…`). A lazy "
        "`if m == nil { m = make(...) }` does not count as a reset. A map handed to other code "
        "(passed to a function other than a known read-only one such as `len` or `fmt.*`, aliased, "
        "returned, its address taken) is not reported, since that code may delete from it. Inserts "
        "into a nested map (`m[a][b] = v`) are not followed, nor calls through methods when looking "
        "for a calling handler. Struct-field maps: only types held by a package variable, map or "
        "getter count (a value a constructor returns to its caller, or one made in `main` and passed "
        "around, is not followed); inserts are seen through the receiver of the type's methods or "
        "the holder itself; callers are followed one method deep; a `delete`, `clear`, reassignment "
        "(outside a function returning the type) or hand-off of a field of that name on a value not "
        "known to be another type counts as a bound; a `delete` kept only for returning clients is "
        "judged for package-level maps only. Variables of a named map type are out of scope. Test files are "
        "ignored on both sides: a `delete` only in a test does not bound production. A `len(m)` "
        "comparison is taken as a bound whatever it guards.",
        references=("https://go.dev/issue/20135",),
    ),
)

_CLIENT_TEXT = ": every address that sends a request adds an entry for good, and anyone can send from many"

_IDENTITY_TEXT = ("; its keys name accounts, so it holds one entry per user the service ever served: bounded by "
                  "its users, not by what a client sends")

_FIX = ("delete entries once they are done with (or `clear` the map), cap it with a `len` check and "
        "evict, or use a bounded cache (LRU or TTL)")


def check_package(pkg: PackageContext) -> Iterable[Finding]:
    for collection in package_collections(pkg, frozenset({"map", "sync.Map"})):
        sites = unbounded_growth(pkg, collection)
        if not sites:
            continue
        what = "sync.Map" if collection.kind == "sync.Map" else "map"
        deletes = client_conditional_deletes(pkg, collection)
        if deletes:
            owners = sorted({_function_name(use) for use in deletes})
            bound = (f"deleted only in {', '.join(owners)}, when a client comes back with the key and passes a "
                     f"check: keys that never get there stay forever, and nothing sweeps, expires or caps them")
        else:
            bound = "nothing in the package deletes from it, clears it or replaces it"
        client = client_address(sites)
        identity = not client and identity_keyed(sites)
        yield collection.decl_ctx.finding(
            RULE,
            collection.decl.node,
            f"package-level {what} `{collection.name}` only grows: inserted into by {describe_sites(sites)}, "
            f"and {bound}" + (_CLIENT_TEXT if client else _IDENTITY_TEXT if identity else ""),
            fix=_FIX,
            severity=strongest(sites),
            subjects=subjects(sites),
            kind="client-address" if client else "identity" if identity else "",
        )
    for field_map in field_map_growth(pkg):
        yield field_map.decl_ctx.finding(
            RULE,
            field_map.node,
            f"map field `{field_map.type_name}.{field_map.field}` of a value the package keeps for the life of the "
            f"process (`{field_map.holder}`) only grows: inserted into by {describe_sites(field_map.sites)}, with a "
            + ("key per client" if any(site.in_handler or site.request_key or site.client_address
                                       for site in field_map.sites)
               else "key whose parameter is named for a client, though no handler is seen to pass it")
            + ", and nothing in the package deletes from it, clears it or replaces it"
            + (_CLIENT_TEXT if client_address(field_map.sites) else _IDENTITY_TEXT if identity_keyed(field_map.sites) else ""),
            fix=_FIX,
            severity=strongest(field_map.sites),
            subjects=subjects(field_map.sites),
            kind="client-address" if client_address(field_map.sites) else "identity" if identity_keyed(field_map.sites) else "",
        )


def _function_name(use) -> str:
    function = use.ctx.model.enclosing_function(use.site)
    while function is not None and function.kind == "literal" and function.parent is not None:
        function = function.parent
    return function.name if function is not None else "a package initialiser"
