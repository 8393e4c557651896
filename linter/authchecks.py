"""Calls that check who the client is: `if !s.CheckPerm(r, p) { return }`, `auth.Authenticate(r)`,
`GetCurrentUser(c)`, `c.MustGet("claims")`. GL406 reads a body read after one as behind
authentication; the call graph records which calls a function makes after one (callgraph), so a
function that every caller calls only after checking is behind authentication too (lifetime)."""

from __future__ import annotations

import re

from tree_sitter import Node

from typing import TYPE_CHECKING

from .patterns import LazyPattern
from .source import NAME_BYTES, SourceFile

if TYPE_CHECKING:
    from .model import FileModel, Function

# `checkAdmin(r)`, `s.CheckRequestPerm(r, p)`, `HasPermission(…)`, `RequireAuth(…)`: a check that
# the caller is allowed in.
_CHECK = LazyPattern(r"(?:check|has|require|verify|ensure|validate|is|can|must|authori[sz]e|authenticate)[A-Z_]?\w*"
                    r"(?:perm|auth|admin|role|access|acl|login|token|scope|owner|signature|apikey)\w*"
                    # the verb alone (`auth.Authenticate(r)`, `AuthorizeRequest(r)`), not `AuthenticatedAt`
                    r"|(?:authenticate|authori[sz]e)(?:(?-i:[A-Z_])\w*)?", re.I)
# A predicate on the server's own setting checks no client: `isAPIKeyMode()`, `IsAuthEnabled()`,
# `authRequired()`, asked of nothing the client sent (no argument).
_SETTING_PREDICATE = LazyPattern(r"\w*(?:mode|enabled|disabled|configured|required)", re.I)


def _setting_predicate(call: Node, name: str) -> bool:
    arguments = call.child_by_field_name("arguments")
    return _SETTING_PREDICATE.fullmatch(name) is not None and (arguments is None or not arguments.named_child_count)


# `GetCurrentUser(c)`, `auth.UserFromContext(ctx)`, `ExtractClaims(c)`: who the caller is, which
# only an authentication in front of the handler can say.
_IDENTITY = LazyPattern(r"(?:get|must|mustget)?(?:current|login|logged\w*|auth\w*|session|jwt|token)"
                       r"(?:user|claims|identity|principal|account)\w*"
                       r"|(?:extract|parse|must|get|mustget)(?:jwt|token)?claims\w*|mustget(?:user|identity|principal|account)\w*"
                       r"|(?:user|claims|identity|principal|account)\w*from(?:context|ctx|request|req|token|session|jwt)", re.I)
# gin's and echo's context values an authentication middleware sets: `c.MustGet("claims")`.
_IDENTITY_KEY = LazyPattern(r"(?i)user|claims|identity|principal|uid|account")
_CONTEXT_GETTERS = frozenset({"Get", "MustGet", "GetString", "GetInt", "GetInt64", "GetUint", "GetUint64"})


def auth_check(source: SourceFile, call: Node) -> str | None:
    """The name of the check when `call` checks who the client is (see the patterns above), or
    `MustGet("claims")` for a context value an authentication middleware set; else None."""
    function = call.child_by_field_name("function")
    if function is None:
        return None
    name_node = function.child_by_field_name("field") if function.type == "selector_expression" else function
    if name_node is None or name_node.type not in ("identifier", "field_identifier"):
        return None
    name = source.text(name_node)
    if _CHECK.fullmatch(name) and not _setting_predicate(call, name) or _IDENTITY.fullmatch(name):
        return name
    if name in _CONTEXT_GETTERS:
        args = call.child_by_field_name("arguments")
        first = args.named_children[0] if args is not None and args.named_child_count else None
        if first is not None and first.type == "interpreted_string_literal" and _IDENTITY_KEY.search(source.text(first)):
            return f"{name}({source.text(first)})"
    return None


# A call whose name holds one of the words every name `auth_check` accepts holds, matched in the
# lower-cased text (a case-insensitive pattern, or one that matched the name from its start, cost
# seconds on a large tree), and `Get("…")`-like getters of a framework's context.
_CALL_WORDS = LazyPattern(rb"(?:perm|auth|admin|role|access|acl|login|token|scope|owner|signature|apikey|claims|"
                          rb"user|identity|principal|account|uid|session)\w*[ \t]*\(|\bget\w*[ \t]*\([ \t]*\"")


def check_calls(model: "FileModel", function: "Function") -> list[int]:
    """The first bytes of the calls written in `function` itself (not in a literal of it) that check
    who the client is (auth_check), in source order: found by one search of the function's
    lower-cased text and a node lookup at each hit, not by walking its tree."""
    source = model.source
    data = source.data
    first, last = function.node.start_byte, function.node.end_byte
    text = data[first:last].lower()
    starts: set[int] = set()
    for match in _CALL_WORDS.finditer(text):
        begin = first + match.start()
        while begin > first and data[begin - 1] in NAME_BYTES:
            begin -= 1
        starts.add(begin)
    found = []
    root = source.root
    for at in sorted(starts):
        node = root.named_descendant_for_byte_range(at, at + 1)
        if node is None or node.type not in ("identifier", "field_identifier"):
            continue
        callee = node.parent if node.type == "field_identifier" else node
        call = callee.parent if callee is not None else None
        if call is not None and call.type == "call_expression" and call.child_by_field_name("function") == callee \
                and _result_decides(call) and auth_check(source, call) is not None \
                and model.enclosing_function(call) is function:
            found.append(call.start_byte)
    return found


def _result_decides(call: Node) -> bool:
    """The call's result is tested or kept: it is in an `if`'s condition or initialiser
    (`if !s.checkAuth(r) {`, `if err := auth.Verify(r); err != nil {`), or the value of a
    declaration or assignment (`user, err := CurrentUser(c)`); not an argument of another call
    (`r.Use(CheckPermission())` mounts a check, it checks no client)."""
    node = call
    while node.parent is not None:
        parent = node.parent
        if parent.type in ("argument_list", "func_literal", "block", "composite_literal"):
            return False
        if parent.type == "if_statement":
            return node != parent.child_by_field_name("consequence") and node != parent.child_by_field_name("alternative")
        if parent.type in ("short_var_declaration", "assignment_statement", "var_spec"):
            return True
        if parent.type.endswith("statement") or parent.type == "source_file":
            return False
        node = parent
    return False
