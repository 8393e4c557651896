"""Where a server listens, as far as one file spells it: who can reach it.

Two exposure rules ask the same question of an address or a listener: a loopback address, a unix
socket and an in-memory listener are reached only from the same host (or the same process), while
`":8080"`, `"0.0.0.0:8080"` or an address computed at run time may face any client. An address is
followed through constants, single-assignment locals, `net.JoinHostPort`, `fmt.Sprintf` formats and
command-line flags (`flag.String`, `flag.StringVar`, pflag's `…P` forms, cobra's `Flags()`, a flag
read by name with `GetString` that the file defines), whose
default is what runs unless a deployment says otherwise; a listener through `net.Listen`,
`net.ListenUnix`, `tls.Listen`, and in-memory listeners (grpc's bufconn, fasthttp's in-memory
listener, a listener type of the file's own built on `net.Pipe`); a listener type of the file's own fed
connections over a channel hands over what the program accepted elsewhere (`handed`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tree_sitter import Node

from .clients import braced
from .model import FileModel, declared_value, parameter_index
from .patterns import LazyPattern
from .source import query_captures

LOOPBACK = "loopback"
UNIX = "unix"
MEMORY = "memory"
# connections the program accepted elsewhere and hands over in memory (a listener fed over a
# channel): not a socket of its own, but whoever reached the outer one reaches this one too
HANDED = "handed"
NETWORK = "network"
UNKNOWN = "unknown"

_LOOPBACK_HOST = LazyPattern(r"^(localhost|127(\.[0-9]{1,3}){3}|::1|\[::1\]|ip6-localhost)$", re.I)
_LISTEN_FUNCS = {
    # (network argument index or None, address argument index)
    "net.Listen": (0, 1),
    "crypto/tls.Listen": (0, 1),
    "net.ListenTCP": (None, None),
    "net.ListenUnix": (None, None),
}
# Windows named pipes: go-winio's reject remote clients unless asked otherwise; local, as a unix
# socket. And the unix-socket makers of libraries (docker's go-connections).
_PIPE_LISTENERS = frozenset({
    "github.com/Microsoft/go-winio.ListenPipe",
    "gopkg.in/natefinch/npipe.v2.Listen",
    "github.com/docker/go-connections/sockets.NewUnixSocket",
    "github.com/docker/go-connections/sockets.NewUnixSocketWithOpts",
})
_MEMORY_LISTENERS = frozenset({
    "google.golang.org/grpc/test/bufconn.Listen",
    "github.com/valyala/fasthttp/fasthttputil.NewInmemoryListener",
    "net.Pipe",
})
# A flag's default value: the argument index of each flag-defining method, whatever its receiver
# (the flag package, a FlagSet, pflag, cobra's `cmd.Flags()`).
_FLAG_VALUE_INDEX = {"String": 1, "StringP": 2, "StringVar": 2, "StringVarP": 3}
_FLAG_PACKAGES = ("flag", "github.com/spf13/pflag")


@dataclass(frozen=True)
class Reach:
    """Who can connect: `kind` is loopback, unix, memory (same host or process), network, or unknown
    (computed at run time). `address` is the spelled address when known; `flag` is true when it is a
    command-line flag's default, which a deployment may override."""

    kind: str
    address: str | None = None
    flag: bool = False
    # unknown here, but read from this options field (`opt.APIAddr`): the module model knows whether
    # every default the module gives a field of that name is loopback (option_field)
    option: str = ""
    # unknown here, but a parameter of the function that serves (`Name#2`, the function as a
    # finding's context names it, and the argument's index): the module model knows whether every
    # call of it passes a loopback address or listener (passed_args, ModuleModel.parameters)
    parameter: str = ""

    @property
    def local(self) -> bool:
        return self.kind in (LOOPBACK, UNIX, MEMORY)


def is_loopback(address: str) -> bool:
    if address.startswith("[") and "]" in address:
        host = address[1 : address.index("]")]
    elif address.count(":") == 1:
        host = address.rsplit(":", 1)[0]
    else:
        host = address
    return bool(_LOOPBACK_HOST.match(host))


def address_reach(model: FileModel, node: Node, *, flags: bool = True) -> Reach:
    """The reach of a TCP address expression (the `addr` of `ListenAndServe(addr, h)`, an `Addr:` field)."""
    flag_default = flags and _is_flag_value(model, node)
    address = spelled_address(model, node, flags=flags)
    if address is None:
        return Reach(UNKNOWN, option=option_field(model, node) or "", parameter=parameter_of(model, node))
    return Reach(LOOPBACK if is_loopback(address) else NETWORK, address, flag=flag_default)


def spelled_address(model: FileModel, node: Node, depth: int = 0, *, flags: bool = False) -> str | None:
    """The address a literal, a constant or a simple expression spells, or None when it is computed."""
    text = model.source.text
    if node.type in ("interpreted_string_literal", "raw_string_literal"):
        # node.text: a constant declared in a sibling file is a node of that file's tree
        return node.text.decode("utf-8", "replace")[1:-1]
    if depth > 3:
        return None
    if node.type == "parenthesized_expression" and node.named_child_count == 1:
        return spelled_address(model, node.named_children[0], depth + 1, flags=flags)
    if node.type == "binary_expression" and model.source.text(node.child_by_field_name("operator")) == "+":
        # `"127.0.0.1:" + strconv.Itoa(port)`, `host + ":8080"`: the host is what the left spells
        left = spelled_address(model, node.child_by_field_name("left"), depth + 1, flags=flags)
        if left is None:
            return None
        if left.endswith(":"):
            return f"{left}0"
        right = spelled_address(model, node.child_by_field_name("right"), depth + 1, flags=flags)
        if right is None and _LOOPBACK_HOST.match(left):
            # `*address + port` with a loopback host flag and a port kept elsewhere (":8990"): only a
            # port makes the sum an address, so the host is the left's (another host stays unknown:
            # a message would show a port the code does not spell)
            return f"[{left.strip('[]')}]:0" if ":" in left else f"{left}:0"
        return left + right if right is not None and (right.startswith(":") or not left) else None
    if node.type == "unary_expression" and flags and text(node).startswith("*"):
        operand = node.child_by_field_name("operand")
        value = _initialiser(model, operand) if operand is not None and operand.type == "identifier" else None
        if value is not None and value.type == "call_expression":
            return _flag_default(model, value)
        return None
    if node.type == "identifier":
        binding = model.resolve(node)
        decl = binding.decl
        if decl is None:
            return None
        if flags:
            bound = _flag_var_default(model, decl) or _environment_default(model, decl)
            if bound is not None:
                return bound
        if reassigned(model, decl):
            return None
        value = _initialiser(model, node)
        return None if value is None else spelled_address(model, value, depth + 1, flags=flags)
    if node.type == "call_expression":
        name = model.qualified(node)
        args = node.child_by_field_name("arguments").named_children
        if flags and name is None:
            default = named_flag_default(model, node)
            if default is not None:
                return default
        if name is None:
            own = _own_address(model, node, depth, flags)
            if own is not None:
                return own
        if flags and name == "cmp.Or" and len(args) >= 2 and args[-1].type in _STRINGS and \
                all(model.qualified(a) == "os.Getenv" for a in args[:-1] if a.type == "call_expression") and \
                all(a.type == "call_expression" for a in args[:-1]):
            return spelled_address(model, args[-1], depth + 1)  # `cmp.Or(os.Getenv("HOST"), "localhost")`
        if name == "net.JoinHostPort" and len(args) == 2:
            host = spelled_address(model, args[0], depth + 1, flags=flags)
            if host is None:
                return None
            return f"[{host}]:0" if ":" in host else f"{host}:0"
        if name == "fmt.Sprintf" and args:
            fmt = spelled_address(model, args[0], depth + 1)
            if fmt is None:
                return None
            host, _, _ = fmt.rpartition(":")
            if host in ("%s", "%v") and len(args) >= 2:
                host = spelled_address(model, args[1], depth + 1, flags=flags)  # `Sprintf("%s:%d", ip, port)`
                if host is None:
                    return None
            return f"{host}:0" if "%" not in host else None  # `Sprintf(":%d", port)`: every interface
    return None


def _own_address(model: FileModel, call: Node, depth: int, flags: bool) -> str | None:
    """The address a function of the package returns (`Addr: serverAddress(port)` with
    `return fmt.Sprintf("127.0.0.1:%d", port)`), when every return of every declaration of it
    (build-tagged twins too) spells a loopback address; otherwise None, as for a computed one."""
    found = None
    for owner, value in _returned_values(model, call) or [(model, None)]:
        address = spelled_address(owner, value, depth + 1, flags=flags) if value is not None else None
        if address is None or not is_loopback(address):
            return None
        found = found or address
    return found


def _returned_values(model: FileModel, call: Node) -> list[tuple[FileModel, Node | None]] | None:
    """(declaring file's model, first returned value) of every return of every declaration of the
    package function a call names (build-tagged twins too), None for a bare return of named
    results; None when the call names no function of the package with a body."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "identifier" or model.resolve(function).kind != "package":
        return None
    returned: list[tuple[FileModel, Node | None]] = []
    for owner, name in model.package_declarations(model.source.text(function)):
        declaration = name.parent
        body = declaration.child_by_field_name("body") if declaration.type == "function_declaration" else None
        if body is None:
            return None
        for ret in query_captures(_RETURNS, body).get("return", []):
            enclosing = owner.enclosing_function(ret)
            if enclosing is None or enclosing.node.id != declaration.id:
                continue  # a return of a literal inside it
            values = ret.named_children[0].named_children if ret.named_child_count else []
            returned.append((owner, values[0] if values else None))
    return returned


def listener_reach(model: FileModel, listener: Node) -> Reach:
    """The reach of a `net.Listener` expression: `l, err := net.Listen("tcp", addr)` in the file,
    a unix socket, or an in-memory listener."""
    value = listener
    if listener.type == "selector_expression":
        return _assigned_reach(model, listener)  # `s.unixListener, err = net.Listen("unix", …)`
    if listener.type == "identifier":
        binding = model.resolve(listener)
        if binding.decl is None:
            return Reach(UNKNOWN)
        value = _initialiser(model, listener)
        if value is None:
            reach = _assigned_reach(model, listener)  # `var l net.Listener; l, err = net.ListenUnix(…)`
            if reach.kind == UNKNOWN and binding.kind == "param":
                return Reach(UNKNOWN, parameter=parameter_of(model, listener))
            return reach
        if reassigned(model, binding.decl):
            return Reach(UNKNOWN)
    return _value_reach(model, value)


_ASSIGNMENTS = "(assignment_statement) @assign"


def _assigned_reach(model: FileModel, listener: Node) -> Reach:
    """The reach of a listener variable or field given its value by assignment in the function
    that serves it (the function a serving goroutine's literal is written in, too): local (a unix
    socket, in memory, loopback) only when every assignment there makes the same kind of local
    listener."""
    function = model.enclosing_function(listener)
    while function is not None and function.kind == "literal" and function.parent is not None:
        function = function.parent  # `m.l, err = net.Listen(…)` in Start, `go http.Serve(m.l, h)` in its literal
    if function is None:
        return Reach(UNKNOWN)
    text = model.source.text(listener)
    kinds = set()
    for assign in query_captures(_ASSIGNMENTS, function.node).get("assign", []):
        left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        if left is None or right is None or not left.named_children:
            continue
        names = [model.source.text(n) for n in left.named_children]
        if text not in names:
            continue
        if right.named_child_count == left.named_child_count:
            value = right.named_children[names.index(text)]
        elif right.named_child_count == 1 and names[0] == text:
            value = right.named_children[0]
        else:
            return Reach(UNKNOWN)
        kinds.add(_value_reach(model, value).kind)
    if not kinds and listener.type == "selector_expression":
        # Set elsewhere: in the constructor (`&Server{listener: l}`), or by another method.
        return _field_reach(model, model.source.text(listener.child_by_field_name("field")))
    return Reach(kinds.pop()) if len(kinds) == 1 and kinds <= {UNIX, MEMORY, LOOPBACK, HANDED} else Reach(UNKNOWN)


def _value_reach(model: FileModel, value: Node, depth: int = 0) -> Reach:
    if value.type == "unary_expression" and value.named_child_count == 1:
        value = value.named_children[0]
    if value.type == "identifier":  # `s.listener = ln`, with `ln, err := net.Listen(…)` before it
        decl = model.resolve(value).decl
        made = _initialiser(model, value) if decl is not None and not reassigned(model, decl) else None
        return _value_reach(model, made, depth) if made is not None and made.type != "identifier" else Reach(UNKNOWN)
    if value.type == "call_expression":
        name = model.qualified(value)
        if name in _MEMORY_LISTENERS:
            return Reach(MEMORY)
        if name == "net.ListenUnix" or name in _PIPE_LISTENERS:
            return Reach(UNIX)
        shape = _LISTEN_FUNCS.get(name or "")
        if shape is not None and shape[0] is not None:
            args = value.child_by_field_name("arguments").named_children
            if len(args) < 2:
                return Reach(UNKNOWN)
            network = spelled_address(model, args[shape[0]])
            if network in ("unix", "unixpacket"):
                return Reach(UNIX, spelled_address(model, args[shape[1]]))
            return address_reach(model, args[shape[1]])
        if name is None and _own_pipe_listener(model, value):
            return Reach(MEMORY)
        if (name is None and _handing_listener(model, value)) or _session(model, value, name):
            return Reach(HANDED)
        network = _config_listen(model, value) if name is None else None
        if network in ("unix", "unixpacket"):
            return Reach(UNIX)  # `(&net.ListenConfig{}).Listen(ctx, "unix", path)`, `lc.Listen(ctx, "unix", …)`
        if network in ("tcp", "tcp4", "tcp6"):
            return address_reach(model, value.child_by_field_name("arguments").named_children[2])
        if _memconn_listener(model, value):
            return Reach(MEMORY)
        if _loopback_listener_maker(model, value):
            return Reach(LOOPBACK)
        if name is None and depth < 2:
            return _own_maker_reach(model, value, depth)
        return Reach(UNKNOWN)
    if value.type == "composite_literal" and _own_pipe_listener(model, value):
        return Reach(MEMORY)
    if value.type == "composite_literal" and (_handing_listener(model, value) or _held_connection_listener(model, value)
                                              or _stream_listener(model, value)):
        return Reach(HANDED)
    if value.type == "composite_literal" and depth < 2:
        inner = _wrapped_listener(model, value)
        if inner is not None:
            reach = _value_reach(model, inner, depth + 1)
            if reach.kind in (UNIX, MEMORY, LOOPBACK):
                return reach
    return Reach(UNKNOWN)


def _wrapped_listener(model: FileModel, literal: Node) -> Node | None:
    """The one value a listener type of the file wraps (`&credListener{inner: ln}`), when its
    `Accept` takes connections from a field's `Accept()` (to check or annotate them): it accepts
    nothing the inner listener did not, so it reaches whom that one reaches."""
    type_node = literal.child_by_field_name("type")
    body = literal.child_by_field_name("body")
    if type_node is None or type_node.type != "type_identifier" or body is None or body.named_child_count != 1:
        return None
    data = model.source.data
    accept = re.search(rb"func\s*\(\s*\w+\s+\*?" + re.escape(type_node.text) + rb"\s*\)\s*Accept\s*\(\s*\)", data)
    if accept is None:
        return None
    node = model.source.root.named_descendant_for_byte_range(accept.start(), accept.start())
    while node is not None and node.type != "method_declaration":
        node = node.parent
    if node is None or re.search(rb"\.\w+\.Accept\(\)", node.text) is None:
        return None
    element = body.named_children[0]
    if element.type == "keyed_element":
        element = element.named_children[-1]
    if element.type == "literal_element" and element.named_child_count == 1:
        element = element.named_children[0]
    return element if element.type in ("identifier", "call_expression") else None


# Multiplexers that make one connection a listener of streams: `yamux.Client(conn, cfg)`, `smux.Server(conn, cfg)`.
_MULTIPLEXERS = ("github.com/hashicorp/yamux.", "github.com/xtaci/smux.", "github.com/libp2p/go-yamux/")
_SESSION_MAKER = LazyPattern(r"(?:Make|New|Open)\w*Session")


def _session(model: FileModel, call: Node, name: str | None) -> bool:
    """A multiplexed session over one connection, served as a listener of its streams: a yamux or
    smux session (`yamux.Client(conn, cfg)`), or what a function or method named for making a
    session returns (`m.MakeSession(id)`, `multiplex.NewSession(…)`). The connection was dialled or
    accepted elsewhere."""
    if name is not None:
        function_name = name.rsplit(".", 1)[-1]
        return name.startswith(_MULTIPLEXERS) and function_name in ("Server", "Client") or \
            _SESSION_MAKER.fullmatch(function_name) is not None  # `multiplex.MakeSession(id, cfg)`
    function = call.child_by_field_name("function")
    field = function.child_by_field_name("field") if function is not None and function.type == "selector_expression" else None
    return field is not None and _SESSION_MAKER.fullmatch(model.source.text(field)) is not None


def _stream_listener(model: FileModel, literal: Node) -> bool:
    """A listener type of the package whose `Accept` takes the next stream of a multiplexed session
    (`return l.session.AcceptStream()`), made here around such a session (`&sessionListener{session:
    s}` with `s, err := smux.Server(conn, nil)`): it accepts nothing from the network itself."""
    body = literal.child_by_field_name("body")
    values = [element.child_by_field_name("value") if element.type == "keyed_element" else element
              for element in (body.named_children if body is not None else ())]
    values = [v.named_children[0] if v is not None and v.type == "literal_element" and v.named_child_count else v
              for v in values]
    sessions = [made for v in values if v is not None and v.type == "identifier"
                for made in [_initialiser(model, v)] if made is not None and made.type == "call_expression"
                and _session(model, made, model.qualified(made))]
    accept = _accept_method(model, literal) if sessions else None
    return accept is not None and b".AcceptStream(" in accept.text and b".Accept(" not in accept.text


def _held_connection_listener(model: FileModel, literal: Node) -> bool:
    """A listener type of the package whose `Accept` hands out a connection it was made with
    (`&singleUseListener{conn}`, a once-listener that replays a request already read): it accepts
    nothing from the network itself, neither by a listener's `Accept` nor over a channel, so the
    connection was accepted elsewhere, where slow clients are bounded or not."""
    accept = _accept_method(model, literal)
    if accept is None:
        return False
    body = accept.text
    if b"<-" in body or _ACCEPTS.search(body):
        return False  # `l.inner.Accept()`, `AcceptStream()`, a channel: it accepts
    returns = query_captures(_RETURNS, accept).get("return", [])
    values = [r.named_children[0].named_children[0] for r in returns
              if r.named_child_count and r.named_children[0].named_child_count]
    return bool(values) and all(v.type != "call_expression" for v in values)


def _accept_method(model: FileModel, literal: Node) -> Node | None:
    """The body of the `Accept` method of the package's type a composite literal makes, or None."""
    type_node = literal.child_by_field_name("type")
    if type_node is None or type_node.type != "type_identifier":
        return None
    name = type_node.text.decode("utf-8", "replace")  # the literal may be in a sibling file's tree
    for owner, _declaring in model.package_declarations(name):
        for function in owner.functions:
            if function.kind == "method" and function.name == f"{name}.Accept" and function.body is not None:
                return function.body
    return None


_RETURNS = "(return_statement) @return"
# A call that accepts or dials (`l.inner.Accept()`, `s.AcceptStream()`, `net.Dial(…)`), not a name
# that merely says so (`errAccepted`).
_ACCEPTS = LazyPattern(rb"\bAccept\w*\s*\(|Dial\w*\s*\(")


def _own_maker_reach(model: FileModel, call: Node, depth: int) -> Reach:
    """The reach of the listener a function of the package returns (`l, err := listener(path)`),
    when every declaration of it in the package (build-tagged twins: `listener_unix.go`,
    `listener_windows.go`) returns the same kind of local (or handing) listener, or nil, on every
    return."""
    returned = _returned_values(model, call)
    if returned is None:
        return Reach(UNKNOWN)
    kinds = set()
    for owner, value in returned:
        if value is None:
            return Reach(UNKNOWN)  # a bare return of named results
        if value.type != "nil":
            kinds.add(_value_reach(owner, value, depth + 1).kind)
    return Reach(kinds.pop()) if len(kinds) == 1 and kinds <= {UNIX, MEMORY, LOOPBACK, HANDED} else Reach(UNKNOWN)


def _field_reach(model: FileModel, field: str) -> Reach:
    """The reach of a listener kept in a struct field that the function serving it does not set:
    local when everything in the file that sets a field of that name (`s.listener = l`,
    `&Server{listener: l}`) sets the same kind of local listener."""
    kinds = set()
    for assign in query_captures(_ASSIGNMENTS, model.source.root).get("assign", []):
        left, right = assign.child_by_field_name("left"), assign.child_by_field_name("right")
        if left is None or right is None:
            continue
        for position, target in enumerate(left.named_children):
            if target.type != "selector_expression" or model.source.text(target.child_by_field_name("field")) != field:
                continue
            if right.named_child_count != left.named_child_count:
                return Reach(UNKNOWN)
            kinds.add(_value_reach(model, right.named_children[position]).kind)
    for element in query_captures(_KEYED, model.source.root).get("element", []):
        key, value = element.child_by_field_name("key"), element.child_by_field_name("value")
        if key is None or value is None or model.source.text(key) != field or value.named_child_count != 1:
            continue
        kinds.add(_value_reach(model, value.named_children[0]).kind)
    return Reach(kinds.pop()) if len(kinds) == 1 and kinds <= {UNIX, MEMORY, LOOPBACK} else Reach(UNKNOWN)


_KEYED = "(keyed_element) @element"


# memconn's in-process networks (`memconn.Listen("memu", name)`, a `memconn.Provider`'s `Listen`).
_MEMCONN_NETWORKS = frozenset({"memu", "memb"})


def _memconn_listener(model: FileModel, call: Node) -> bool:
    """A `Listen(network, name)` call on an in-process network of memconn's, in a file that imports it."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression" or \
            model.source.text(function.child_by_field_name("field")) != "Listen" or b"memconn" not in model.source.data:
        return False
    args = call.child_by_field_name("arguments").named_children
    return len(args) == 2 and spelled_address(model, args[0]) in _MEMCONN_NETWORKS


def _config_listen(model: FileModel, call: Node) -> str | None:
    """The network of a `Listen(ctx, network, address)` method call in a file that imports net: a
    `net.ListenConfig`'s (the only Listen of that shape in common use)."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression" or \
            model.source.text(function.child_by_field_name("field")) != "Listen" or not model.imported("net"):
        return None
    args = call.child_by_field_name("arguments").named_children
    return spelled_address(model, args[1]) if len(args) == 3 else None


# `func (l *chanListener) Accept() (net.Conn, error) {` … `<-l.conns` … `}`: a listener of the file's
# own that hands out connections received from a channel, not accepted from a socket.
_CHANNEL_ACCEPT = LazyPattern(rb"\nfunc \(\w+ \*?\w+\) Accept\(\) \(net\.Conn, error\) \{\n(?P<body>(?:[^\n]*\n)*?)\}\n")


def _channel_listener(data: bytes) -> bool:
    """The file declares a listener whose Accept receives its connections from a channel (and
    accepts from nothing itself): connections the program handed over in memory."""
    if b") Accept() (net.Conn, error) {" not in data:
        return False
    for match in _CHANNEL_ACCEPT.finditer(data):
        body = match.group("body")
        if b"<-" in body and b".Accept(" not in body:
            return True
    return False


def _handing_listener(model: FileModel, value: Node) -> bool:
    """A listener of the file's own (a local constructor or type) whose Accept receives its
    connections from a channel: connections the program accepted elsewhere, handed over."""
    return _own_listener(model, value) and model.imported("net") and _channel_listener(model.source.data)


def _own_pipe_listener(model: FileModel, value: Node) -> bool:
    """A listener of the file's own (a local constructor or type) in a file that makes `net.Pipe`s:
    connections handed over in memory, never from the network."""
    return _own_listener(model, value) and b"net.Pipe(" in model.source.data and model.imported("net")


def _own_listener(model: FileModel, value: Node) -> bool:
    """A call of a function of the file's package, or a composite literal of a type named in it."""
    if value.type == "call_expression":
        function = value.child_by_field_name("function")
        return function is not None and function.type == "identifier" and model.resolve(function).kind == "package"
    if value.type == "composite_literal":
        type_node = value.child_by_field_name("type")
        return type_node is not None and type_node.type == "type_identifier"
    return False


# A function of the program's own that makes listeners: `NewListener`, `CreateTLSListener`, `listen`.
_LISTENER_MAKER = LazyPattern(r"(?i)listen(?:er)?$")


def _loopback_listener_maker(model: FileModel, call: Node) -> bool:
    """A listener made by a function of the program's own named for it, given a loopback address
    (`hello.CreateTLSListener("127.0.0.1:")`): it listens where it is told."""
    function = call.child_by_field_name("function")
    if function is not None and function.type == "selector_expression":
        function = function.child_by_field_name("field")
    if function is None or not _LISTENER_MAKER.search(model.source.text(function)):
        return False
    args = call.child_by_field_name("arguments").named_children
    addresses = [spelled_address(model, arg) for arg in args if arg.type in _STRINGS or arg.type == "identifier"]
    addresses = [a for a in addresses if a is not None and (":" in a or is_loopback(a))]
    return bool(addresses) and all(is_loopback(a) for a in addresses)


def _initialiser(model: FileModel, ident: Node) -> Node | None:
    """The value a variable or constant was declared with (model.declared_value)."""
    decl = model.resolve(ident).decl
    return declared_value(decl) if decl is not None else None


def _is_flag_value(model: FileModel, node: Node) -> bool:
    if node.type == "unary_expression" and model.source.text(node).startswith("*"):
        operand = node.child_by_field_name("operand")
        value = _initialiser(model, operand) if operand is not None and operand.type == "identifier" else None
        return value is not None and value.type == "call_expression" and _flag_default(model, value) is not None
    if node.type == "identifier":
        decl = model.resolve(node).decl
        if decl is not None and (_flag_var_default(model, decl) is not None or _environment_default(model, decl) is not None):
            return True
        value = _initialiser(model, node) if decl is not None and not reassigned(model, decl) else None
        return value is not None and value.type == "call_expression" and named_flag_default(model, value) is not None
    if node.type == "call_expression":
        return named_flag_default(model, node) is not None
    return False


def named_flag_default(model: FileModel, call: Node) -> str | None:
    """The default of a flag read by name (`cmd.Flags().GetString("host")`, `viper.GetString("addr")`)
    that the file defines with exactly one default: `…String("host", "127.0.0.1:64210", …)`, the
    `P` and `Var` forms, or `viper.SetDefault("addr", "localhost:8080")`."""
    name = _name_read(model, call)
    if name is None:
        return None
    data = model.source.data
    if name.text not in data[:name.start_byte] and name.text not in data[name.end_byte:]:
        return None  # the name is spelled nowhere else in the file: defined elsewhere
    return _flag_default_by_name(data, name.text[1:-1])


def _name_read(model: FileModel, call: Node) -> Node | None:
    """The string literal naming what `x.GetString("name")` reads (a flag, a viper key), or None."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression" or \
            model.source.text(function.child_by_field_name("field")) != "GetString":
        return None
    args = call.child_by_field_name("arguments").named_children
    return args[0] if len(args) == 1 and args[0].type == "interpreted_string_literal" else None


def _flag_default_by_name(data: bytes, flag: bytes) -> str | None:
    """The one default the file gives the flag named `flag` (`…String("host", "127.0.0.1:64210", …)`,
    the `P` and `Var` forms, viper's `SetDefault`), or None."""
    name = re.escape(flag)
    found = set()
    for pattern in (rb'\.String\(\s*"' + name + rb'"\s*,\s*"([^"\n]*)"',
                    rb'\.StringP\(\s*"' + name + rb'"\s*,\s*"[^"\n]*"\s*,\s*"([^"\n]*)"',
                    rb'\.StringVar\(\s*&[\w.]+\s*,\s*"' + name + rb'"\s*,\s*"([^"\n]*)"',
                    rb'\.StringVarP\(\s*&[\w.]+\s*,\s*"' + name + rb'"\s*,\s*"[^"\n]*"\s*,\s*"([^"\n]*)"',
                    rb'\bSetDefault\(\s*"' + name + rb'"\s*,\s*"([^"\n]*)"'):
        found.update(match.group(1) for match in re.finditer(pattern, data))
    return found.pop().decode("utf-8", "replace") if len(found) == 1 else None


# `HttpAddr: conf.GetString("http"),` in an options literal: the field takes the flag's default.
_FIELD_FROM_FLAG = LazyPattern(rb'\b([A-Za-z_]\w*)\s*:\s*[A-Za-z_][\w.()]*\.GetString\(\s*"([^"\n]+)"\s*\)')

# urfave/cli's flag literals: `&cli.StringFlag{Name: "serve-host", Value: "127.0.0.1", Destination:
# &opts.ServeHost}` gives the field `ServeHost` its default.
_STRING_FLAG = LazyPattern(rb"\bStringFlag\s*\{")
_FLAG_VALUE = LazyPattern(rb'\bValue\s*:\s*"([^"\n]*)"')
_FLAG_DESTINATION = LazyPattern(rb"\bDestination\s*:\s*&(?:[A-Za-z_]\w*\.)+([A-Za-z_]\w*)\s*(?:[,}\n]|$)")

# `PagesEndpoint: *pagesEndpoint` (a flag pointer) or `PagesEndpoint: pagesEndpoint` (a variable a flag
# is bound to), keyed in a literal: the field takes the flag's default.
_FIELD_FROM_FLAG_VARIABLE = LazyPattern(rb'(?m)[{,\s]([A-Z]\w*)\s*:\s*(\*?)([A-Za-z_]\w*)\s*(?:,|}|$)')
_FLAG_POINTER = LazyPattern(rb'\.String\(\s*"[^"\n]*"\s*,\s*"([^"\n]*)"')
_ASSIGNED_FROM = LazyPattern(rb'(?<![\w.])([A-Za-z_]\w*)\s*:?=\s*[A-Za-z_]\w*$')


def _flag_variables(data: bytes) -> dict[tuple[bool, bytes], set[bytes]]:
    """The file's flag variables and their defaults: (True, v) for `v = flag.String("n", "d", …)`,
    (False, v) for `flag.StringVar(&v, "n", "d", …)` (and pflag's `StringVarP`)."""
    found: dict[tuple[bool, bytes], set[bytes]] = {}
    if b'.String("' in data:
        for match in _FLAG_POINTER.finditer(data):
            line = data.rfind(b"\n", 0, match.start()) + 1
            assigned = _ASSIGNED_FROM.search(data, line, match.start())
            if assigned is not None:
                found.setdefault((True, assigned.group(1)), set()).add(match.group(1))
    if b"StringVar" in data:
        for match in _FLAG_FIELD.finditer(data):
            if data[match.start(2) - 1:match.start(2)] == b"&":  # a variable, not a field: `&addr`
                found.setdefault((False, match.group(2)), set()).add(match.group(3))
    return found


def _flag_default(model: FileModel, call: Node) -> str | None:
    """The default of `flag.String("addr", "localhost:6060", "…")` and its pflag/cobra relatives,
    and of a kingpin flag, `app.Flag("listen", "…").Default("127.0.0.1:8080").String()`."""
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return None
    method = model.source.text(function.child_by_field_name("field"))
    if method in _CHAINED_VALUES and not call.child_by_field_name("arguments").named_children:
        return _chained_default(model, function)
    index = _FLAG_VALUE_INDEX.get(method)
    if index is None or method.endswith(("Var", "VarP")):
        return None
    if not _flag_receiver(model, function):
        return None
    args = call.child_by_field_name("arguments").named_children
    return spelled_address(model, args[index]) if len(args) > index else None


# The methods that end a kingpin flag's chain and give its value (`….Default("…").String()`), and
# the ones that bind it to a variable (`….Default("…").StringVar(&addr)`).
_CHAINED_VALUES = frozenset({"String", "TCP", "URL"})
_CHAINED_VARS = frozenset({"StringVar", "TCPVar", "URLVar"})


def _chained_default(model: FileModel, function: Node) -> str | None:
    """The address `….Default(value)` spells in a kingpin flag's chain that starts with `.Flag(…)`
    or `.Arg(…)` (`.Envar`, `.Short`, `.Required` between them are passed over)."""
    default = None
    operand = function.child_by_field_name("operand")
    for _ in range(8):
        if operand is None or operand.type != "call_expression":
            return None
        selector = operand.child_by_field_name("function")
        if selector is None or selector.type != "selector_expression":
            return None
        name = model.source.text(selector.child_by_field_name("field"))
        args = operand.child_by_field_name("arguments").named_children
        if name == "Default" and default is None and len(args) == 1:
            default = args[0]
        elif name in ("Flag", "Arg") and args and args[0].type == "interpreted_string_literal":
            return spelled_address(model, default) if default is not None else None
        operand = selector.child_by_field_name("operand")
    return None


def _flag_var_default(model: FileModel, decl: Node) -> str | None:
    """The default of a variable bound with `flag.StringVar(&addr, "addr", "localhost:6060", "…")`,
    when that is the only way it is written."""
    function = model.enclosing_function(decl)
    found = None
    for ref in model.references(decl, within=None if function is None else function.node):
        parent = ref.parent
        if parent is None or parent.type != "unary_expression" or not model.source.text(parent).startswith("&"):
            continue
        args = parent.parent
        call = args.parent if args is not None and args.type == "argument_list" else None
        function_node = call.child_by_field_name("function") if call is not None else None
        if function_node is None or function_node.type != "selector_expression" or args.named_children[0] != parent:
            return None
        if args.named_child_count == 1 and model.source.text(function_node.child_by_field_name("field")) in _CHAINED_VARS:
            if found is not None:
                return None  # bound twice
            found = _chained_default(model, function_node)
            if found is None:
                return None
            continue
        index = _FLAG_VALUE_INDEX.get(model.source.text(function_node.child_by_field_name("field")))
        if index is None or len(args.named_children) <= index or \
                not (_flag_receiver(model, function_node) or _flag_shaped(args.named_children, index)):
            return None
        if found is not None:
            return None  # bound twice
        found = spelled_address(model, args.named_children[index])
        if found is None:
            return None
    if found is None:
        return None
    return None if _assigned(model, decl, function) else found


def _flag_receiver(model: FileModel, function: Node) -> bool:
    """`flag.X`, `pflag.X`, or a method of something else (a FlagSet, `cmd.Flags()`) in a file that
    imports a flag package or cobra."""
    qualified = model.qualified(function)
    if qualified is not None:
        return qualified.rsplit(".", 1)[0] in _FLAG_PACKAGES
    return any(model.imported(p) for p in (*_FLAG_PACKAGES, "github.com/spf13/cobra"))


_STRINGS = ("interpreted_string_literal", "raw_string_literal")


def _flag_shaped(args: list[Node], index: int) -> bool:
    """`x.StringVar(&v, "name", "default", "usage")` as a flag set of any package writes it (a
    FlagSet kept in a field of a command, in a file that does not import the flag package): a
    literal name, the default, then a usage text and nothing else."""
    return len(args) == index + 2 and args[1].type in _STRINGS and args[index + 1].type in (*_STRINGS, "binary_expression")


def _environment_default(model: FileModel, decl: Node) -> str | None:
    """The literal a local read from the environment falls back to when the variable is unset
    (`host := os.Getenv("HOST")`, then `if host == "" { host = "localhost" }`): what runs unless
    the operator sets it, like a flag's default. Every other assignment must be that fallback, and
    nothing takes the local's address."""
    value = declared_value(decl)
    function = model.enclosing_function(decl)
    if value is None or value.type != "call_expression" or model.qualified(value) != "os.Getenv" or function is None:
        return None
    name = model.source.text(decl)
    found = None
    for ref in model.references(decl, within=function.node):
        parent = ref.parent
        if parent is not None and parent.type == "unary_expression" and model.source.text(parent).startswith("&"):
            return None
        if parent is None or parent.type != "expression_list" or parent.parent is None \
                or parent.parent.type != "assignment_statement" or parent.parent.child_by_field_name("left") != parent:
            continue
        assignment = parent.parent
        right = assignment.child_by_field_name("right")
        fallback = right.named_children[0] if right is not None and right.named_child_count == 1 else None
        block = assignment.parent.parent if assignment.parent is not None and assignment.parent.type == "statement_list" else None
        guard = block.parent if block is not None and block.type == "block" else None
        condition = guard.child_by_field_name("condition") if guard is not None and guard.type == "if_statement" else None
        if fallback is None or fallback.type not in _STRINGS or parent.named_child_count != 1 or condition is None \
                or model.source.text(assignment).split("=", 1)[0].strip() != name \
                or model.source.text(condition).replace(" ", "") not in (f'{name}==""', f'""=={name}', f"len({name})==0"):
            return None
        if found is not None:
            return None
        found = fallback.text.decode("utf-8", "replace")[1:-1]
    return found


def _assigned(model: FileModel, decl: Node, function) -> bool:
    for ref in model.references(decl, within=None if function is None else function.node):
        parent = ref.parent
        if parent is not None and parent.type == "expression_list" and parent.parent is not None \
                and parent.parent.type == "assignment_statement" and parent.parent.child_by_field_name("left") == parent:
            return True
    return False


def reassigned(model: FileModel, decl: Node) -> bool:
    """A variable assigned again, or whose address is taken (`flag.StringVar(&addr, …)`): its
    initial value is not necessarily the address."""
    function = model.enclosing_function(decl)
    if _assigned(model, decl, function):
        return True
    scope = function.node if function is not None else None
    for ref in model.references(decl, within=scope):
        parent = ref.parent
        if parent is not None and parent.type == "unary_expression" and model.source.text(parent).startswith("&"):
            return True
    return False


# ---- addresses and listeners the callers pass -------------------------------------------------------

def parameter_of(model: FileModel, node: Node, depth: int = 0) -> str:
    """`Name#i` when an address or listener is the i-th parameter of the named function it is
    used in (`func serve(l net.Listener)`, `func Run(host string, port int)` serving
    `net.JoinHostPort(host, port)`, or a local set once from one of those); "" otherwise. A
    parameter of a function literal is not followed: its calls are not the module's to list."""
    if depth > 3 or node is None:
        return ""
    if node.type == "identifier":
        binding = model.resolve(node)
        if binding.kind == "param":
            function = binding.function
            if function is None or function.kind == "literal" or reassigned(model, binding.decl) or \
                    binding.decl.parent.type == "variadic_parameter_declaration":
                return ""
            index = parameter_index(binding.decl)
            return f"{function.name}#{index}" if index is not None else ""
        if binding.kind != "local" or binding.decl is None or reassigned(model, binding.decl):
            return ""
        value = _initialiser(model, node)
        return parameter_of(model, value, depth + 1) if value is not None else ""
    if node.type == "call_expression":
        host = _host_argument(model, node, depth)
        return parameter_of(model, host, depth + 1) if host is not None else ""
    return ""


def _host_argument(model: FileModel, call: Node, depth: int) -> Node | None:
    """The argument that gives the host of `net.JoinHostPort(host, port)` or of `fmt.Sprintf("%s:%d",
    host, port)`, or None."""
    name = model.qualified(call)
    args = call.child_by_field_name("arguments").named_children
    if name == "net.JoinHostPort" and len(args) == 2:
        return args[0]
    if name == "fmt.Sprintf" and len(args) >= 2:
        fmt = spelled_address(model, args[0], depth + 1)
        if fmt is not None and fmt.rpartition(":")[0] in ("%s", "%v"):
            return args[1]
    return None


# A loopback host in a string literal: the files whose calls may pass one (or a listener made on one).
_LOOPBACK_LITERAL = LazyPattern(rb'"(?:localhost|127\.|\[?::1\]?[:"])')


# `name := …`, `a, b = …`, `const name = …` (in a block too) on a line that spells a loopback
# literal or makes a listener: the only names whose value loopback_positions looks into.
_CANDIDATE_LINE = LazyPattern(
    rb'^[ \t]*(?:(?:const|var)[ \t]+)?(?P<names>[A-Za-z_]\w*(?:[ \t]*,[ \t]*[A-Za-z_]\w*)*)[ \t]*'
    rb'(?:[A-Za-z_*\[\]][\w.*\[\]]*[ \t]*)?:?=[^=\n][^\n]*(?:"(?:localhost|127\.|\[?::1)|Listen|Pipe\()', re.M)
_WORD = LazyPattern(rb"[A-Za-z_]\w*")


def _candidate_names(model: FileModel) -> frozenset[bytes]:
    """Names the file declares or assigns on a line that spells a loopback literal or makes a
    listener, or binds to a flag with a loopback default (worked out once per file): an argument of
    another name is not looked into."""
    key = ("loopback_names", 0)
    found = model.facts.get(key)
    if found is None:
        names = set()
        for match in _CANDIDATE_LINE.finditer(model.source.data):
            names.update(name.strip() for name in match.group("names").split(b","))
        # A variable a flag binds with a loopback default (`cmd.Flags().StringVar(&host, "host",
        # "127.0.0.1", …)`): its value is looked into too (_flag_var_default).
        names.update(name for (pointer, name), defaults in _flag_variables(model.source.data).items()
                     if not pointer and any(is_loopback(d.decode("utf-8", "replace")) for d in defaults))
        found = model.facts[key] = frozenset(names)
    return found


def loopback_positions(model: FileModel, call: Node) -> list[int]:
    """The indices of a call's arguments that only the same host can reach: a loopback address
    (spelled, or a constant, a local or a flag default), or a listener on loopback, a unix socket
    or in memory, made in the calling function. Only arguments that spell a loopback literal or
    name something declared on a line that does are looked into."""
    args = call.child_by_field_name("arguments")
    if args is None or not args.named_child_count:
        return []
    data = model.source.data
    candidates = _candidate_names(model)
    positions = []
    for index, arg in enumerate(args.named_children):
        text = data[arg.start_byte:arg.end_byte]
        if arg.type == "identifier":
            if text not in candidates:
                continue
            binding = model.resolve(arg)
            if binding.kind not in ("local", "package") or binding.decl is None:
                continue
            address = spelled_address(model, arg, flags=True)
            if address is not None:
                if is_loopback(address):
                    positions.append(index)
            elif binding.kind == "local" and listener_reach(model, arg).local:
                positions.append(index)
        elif arg.type in ("interpreted_string_literal", "raw_string_literal", "call_expression", "binary_expression",
                          "unary_expression"):
            if _LOOPBACK_LITERAL.search(text) is None and not any(w in candidates for w in _WORD.findall(text)):
                continue
            address = spelled_address(model, arg, flags=True)
            if address is not None and is_loopback(address):
                positions.append(index)
    return positions


def loopback_mentions(model: FileModel) -> list[int]:
    """Offsets of the file's loopback literals and of its uses of names declared on a line that
    spells one or makes a listener (_candidate_names): where a call may pass such a value."""
    data = model.source.data
    offsets = [m.start() for m in _LOOPBACK_LITERAL.finditer(data)]
    candidates = _candidate_names(model)
    if candidates:
        names = re.compile(rb"(?<![\w.])(?:" + b"|".join(re.escape(n) for n in sorted(candidates)) + rb")\b")
        offsets += [m.start() for m in names.finditer(data)]
    return offsets


def may_pass_loopback(data: bytes) -> bool:
    return _LOOPBACK_LITERAL.search(data) is not None


# ---- options whose default address is set elsewhere in the module -----------------------------------

def option_field(model: FileModel, node: Node, depth: int = 0) -> str | None:
    """The field of an options struct an address comes from, when no default is spelled in the
    file: `opt.APIAddr`, `fmt.Sprintf("%s:%d", o.Host, o.Port)`, `net.JoinHostPort(c.Bind, p)`,
    `o.Host + ":" + port`, or a local set once from one of those. The module model knows the defaults that flags, struct
    tags and literals give fields of that name (option_defaults), in any file or package."""
    if depth > 3 or node is None:
        return None
    if node.type == "selector_expression":
        field = node.child_by_field_name("field")
        return model.source.text(field) if field is not None else None
    if node.type == "identifier":
        decl = model.resolve(node).decl
        if decl is None or reassigned(model, decl):
            return None
        value = _initialiser(model, node)
        return option_field(model, value, depth + 1) if value is not None else None
    if node.type == "call_expression":
        key = _setting_key(model, node)
        if key is not None:
            return key
        host = _host_argument(model, node, depth)
        if host is not None:
            return option_field(model, host, depth + 1)
        return _setting_function(model, node)
    if node.type == "binary_expression" and model.source.text(node.child_by_field_name("operator")) == "+":
        # `s.Host + ":" + strconv.Itoa(s.Port)`, `c.Bind + ":8080"`: the host is the leftmost operand,
        # followed by a string that begins the port
        inner = node
        while (left := inner.child_by_field_name("left")) is not None and left.type == "binary_expression" \
                and model.source.text(left.child_by_field_name("operator")) == "+":
            inner = left
        right = inner.child_by_field_name("right")
        if right is not None and right.type == "interpreted_string_literal" and right.text.startswith(b'":'):
            return option_field(model, inner.child_by_field_name("left"), depth + 1)
    return None


def _setting_function(model: FileModel, call: Node) -> str | None:
    """`BindAddress()` for a call with no arguments of a function (not a method) of the package
    or of an imported one, `env.BindAddress()`: a setting's getter, whose fallback return may be
    the default (option_defaults reads `func BindAddress() string { …; return "127.0.0.1:9898" }`)."""
    args = call.child_by_field_name("arguments")
    function = call.child_by_field_name("function")
    if args is None or args.named_child_count or function is None:
        return None
    if function.type == "identifier":  # a function of the package, not a local closure
        return model.source.text(function) + "()" if model.resolve(function).kind != "local" else None
    if function.type == "selector_expression":
        operand = function.child_by_field_name("operand")
        if operand is not None and operand.type == "identifier" and \
                model.imports.get(model.source.text(operand)) is not None and model.resolve(operand).decl is None:
            return model.source.text(function.child_by_field_name("field")) + "()"
    return None


def _setting_key(model: FileModel, call: Node) -> str | None:
    """A setting read by name (`config.GetString("web.listen")`, `cmd.Flags().GetString("host")`) as
    an option: `"web.listen"`, quoted so that it never meets a struct field's name. Its defaults are
    the module's `SetDefault` calls and flag definitions of that name (option_defaults); viper's keys
    are case-insensitive, so the name is lowered."""
    name = _name_read(model, call)
    if name is None or len(name.text) < 3:
        return None
    return '"' + name.text[1:-1].decode("utf-8", "replace").lower() + '"'


_HOST_BUILDERS = """
(call_expression function: (selector_expression
  field: (field_identifier) @name (#match? @name "^(JoinHostPort|Sprintf)$"))) @call
"""
# An option field passed as it is, named for a host or an address: `Start(c.config.RPCHost, …)`.
# It begins with the dot (what stands before it is looked behind at): a pattern that begins with a
# character class is tried at every byte, four times slower over a file.
_ADDRESS_FIELD_ARGUMENT = LazyPattern(rb"\.(?<=[\w)\]]\.)([A-Za-z_]\w*(?:Host|Addr|Address|Listen|Bind)\w*)[ \t]*[,)]")


def may_pass_options(data: bytes) -> bool:
    """Whether a file may pass an option's address to a call (option_arguments): a field named for
    a host or an address, or an address built with `net.JoinHostPort` or `fmt.Sprintf("%s:…")`."""
    return b"JoinHostPort(" in data or b'Sprintf("%s:' in data or _ADDRESS_FIELD_ARGUMENT.search(data) is not None


def option_arguments(model: FileModel) -> list[tuple[Node, int, str]]:
    """(call, argument index, option field) for every argument of a call that is an option field
    named for a host or an address (`Start(c.config.RPCHost, port)`), or an address built from an
    option field with `net.JoinHostPort` or `fmt.Sprintf("%s:…")`
    (`serve(net.JoinHostPort(c.conf.HTTPAddress, c.conf.HTTPPort))`): the callee's parameter
    takes that option's defaults (linter/lifetime.py)."""
    found = []
    data = model.source.data
    root = model.source.root
    for match in _ADDRESS_FIELD_ARGUMENT.finditer(data):  # `c.rpc.Start(c.config.RPCHost, port)`
        field = root.descendant_for_byte_range(match.start(1), match.end(1))
        selector = field.parent if field is not None else None
        args = selector.parent if selector is not None and selector.type == "selector_expression" else None
        if args is None or args.type != "argument_list" or args.parent is None or args.parent.type != "call_expression":
            continue
        index = next(i for i, arg in enumerate(args.named_children) if arg.id == selector.id)
        found.append((args.parent, index, match.group(1).decode("utf-8", "replace")))
    if b"JoinHostPort(" not in data and b'Sprintf("%s:' not in data:
        return found
    for builder in query_captures(_HOST_BUILDERS, model.source.root).get("call", []):
        args = builder.parent
        if args is None or args.type != "argument_list" or args.parent is None or args.parent.type != "call_expression":
            continue
        if model.qualified(builder) not in ("net.JoinHostPort", "fmt.Sprintf"):
            continue
        host = _host_argument(model, builder, 0)
        option = option_field(model, host) if host is not None and host.type == "selector_expression" else None
        if option is not None:
            index = next(i for i, arg in enumerate(args.named_children) if arg.id == builder.id)
            found.append((args.parent, index, option))
    return found


# `fs.StringVar(&opt.APIAddr, "api-addr", "localhost:2381", …)`, `StringVarP(&o.Bind, "bind", "b", "127.0.0.1", …)`
_FLAG_FIELD = LazyPattern(
    rb"""\.StringVar(P?)\(\s*&(?:[A-Za-z_]\w*\.)*([A-Za-z_]\w*)\s*,\s*(?:"[^"\n]*"|[A-Za-z_][\w.]*)\s*,\s*(?:"[^"\n]*"\s*,\s*)?"([^"\n]*)"\s*,""")
# a struct field's tag default (go-flags, kong, envconfig, env): `Host string `long:"bind" default:"localhost"``
_TAG_DEFAULT = LazyPattern(rb"""^\s*([A-Za-z_]\w*)\s+\*?string\s+`[^`\n]*\b(?:default|envDefault):"([^"\n]*)"[^`\n]*`""", re.M)
_ADDRESS_LIKE = LazyPattern(r"^(?:\[[0-9a-fA-F:.]*\]|[A-Za-z0-9.\-]*)(?::[0-9]{1,5})?$")


def _address_like(text: str) -> bool:
    """A host, host:port or :port: what a default of an address option looks like."""
    if not text or not _ADDRESS_LIKE.match(text):
        return False
    host = text.rsplit(":", 1)[0] if text.count(":") == 1 else text
    return ":" in text or bool(_LOOPBACK_HOST.match(host)) or host in ("0.0.0.0", "::") or \
        bool(re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,3}){3}", host))


# `conf.AdminHost = "127.0.0.1"` on a line of its own, before the file decodes a config into conf
# (`toml.DecodeFile(path, conf)`, `yaml.Unmarshal(data, &conf)`): a preset the file may override.
_PRESET_FIELD = LazyPattern(rb'^[ \t]*([A-Za-z_]\w*)\.([A-Za-z_]\w*)[ \t]*=[ \t]*"([^"\n]*)"[ \t]*(?://[^\n]*)?$', re.M)
# A package's default settings spelled as a literal: `var DefaultConfig = Config{RPCHost: "127.0.0.1", …}`,
# `func DefaultConfig() *Config { return &Config{…} }`, `func defaultOptions() Options { return Options{…} }`.
_DEFAULTS_LITERAL = LazyPattern(
    rb"(?m)^(?:var[ \t]+[Dd]efault\w*(?:[ \t]+[\w.*]+)?[ \t]*=[ \t]*&?[\w.]+[ \t]*\{|"
    rb"func[ \t]+[Dd]efault\w*\([^)\n]*\)[ \t]*\*?[\w.]+[ \t]*\{\s*return[ \t]+&?[\w.]+[ \t]*\{)")
_KEYED_STRING = LazyPattern(rb'(?m)^[ \t]*([A-Za-z_]\w*)[ \t]*:[ \t]*"([^"\n]*)"[ \t]*,')
# Field names too common to stand for one option: a client's `Addr: "localhost:6379"` in some default
# would speak for every server's `Addr` of the module.
_GENERIC_FIELD = LazyPattern(rb"(?i)addr|address|host|hostname|url|uri|endpoint|server|bind|listen|target|dsn")


# `cfg.ListenOnHost = DefaultListenOnHost`: a field set, in code, to a constant named as its default.
_FIELD_SET_TO_DEFAULT = LazyPattern(rb"\.\s*([A-Za-z_]\w*)\s*=\s*([Dd]efault[A-Z_]\w*)\s*(?:\n|//|;)")


def _string_constant(data: bytes, name: bytes) -> bytes | None:
    """The value of a string constant the file declares (`const DefaultHost = "127.0.0.1"`, also in a
    `const (…)` block), or None."""
    match = re.search(rb"(?m)^\s*(?:const\s+)?" + re.escape(name) + rb'\s*(?:string\s*)?=\s*"([^"\n]*)"', data)
    return match.group(1) if match is not None else None


# The default a setting read by name gets (`"web.listen"`, _setting_key): viper's `SetDefault`, and
# flags defined by name (the `Var` and `P` forms anywhere, plain `String` only on a flag set, since
# `zap.String("addr", …)` is a log field).
# Each with the bytes it cannot match without, and written to begin with a literal: a pattern that
# begins with `\b` or an alternation is tried at every byte of the file.
# The third of each: what must stand right before the match (`.String(` defines a flag only on a
# flag set), or None.
_FLAG_SET_BEFORE = LazyPattern(rb"\b(?:flag|pflag|[fF]lags\(\)|[fF]lag[sS]et|fs|flags)\Z")
_SETTING_DEFAULTS = (
    (b"SetDefault(", LazyPattern(rb'(?<!\w)SetDefault\(\s*"([^"\n]+)"\s*,\s*"([^"\n]*)"'), None),
    (b".String(", LazyPattern(rb'\.String\(\s*"([^"\n]+)"\s*,\s*"([^"\n]*)"'), _FLAG_SET_BEFORE),
    (b".StringP(", LazyPattern(rb'\.StringP\(\s*"([^"\n]+)"\s*,\s*"[^"\n]*"\s*,\s*"([^"\n]*)"'), None),
    (b".StringVar(", LazyPattern(rb'\.StringVar\(\s*&[\w.]+\s*,\s*"([^"\n]+)"\s*,\s*"([^"\n]*)"'), None),
    (b".StringVarP(", LazyPattern(rb'\.StringVarP\(\s*&[\w.]+\s*,\s*"([^"\n]+)"\s*,\s*"[^"\n]*"\s*,\s*"([^"\n]*)"'), None),
)


# What a line must hold for _PRESET_FIELD (`= "`, spaced or not) and for the default patterns.
_PRESET_MARK = LazyPattern(rb'=[ \t]*"')
_DEFAULT_WORD = LazyPattern(rb"efault")


def _lines_matching(data: bytes, mark: re.Pattern, pattern: re.Pattern, search: bool = False):
    """What `pattern.finditer(data)` finds, when every match holds `mark` on its first line (or,
    `search`, on its first two): the pattern is tried only on the lines `mark` is found on, found
    in C, instead of at every byte of the file. A pattern anchored at line starts cost a tenth of
    the summary's time over a corpus where one line in a thousand can match."""
    done = 0  # where the last match ended: matches do not overlap, as finditer's
    tried = -1
    for hit in mark.finditer(data):
        start = data.rfind(b"\n", 0, hit.start()) + 1
        if start <= tried:
            continue
        tried = start
        if search:
            start = data.rfind(b"\n", 0, max(start - 1, 0)) + 1 if start else 0
            end = data.find(b"\n", hit.end())
            end = len(data) if end == -1 else end + 1
            for match in pattern.finditer(data, max(start, done), end):
                done = match.end()
                yield match
            tried = end - 1
        elif start >= done:
            match = pattern.match(data, start)
            if match is not None:
                done = match.end()
                yield match


# A function (not a method) returning a string whose body ends by returning a literal, its fallback
# when no setting gives another (`func BindAddress() string { if *flagBind != "" { return … };
# return "127.0.0.1:9898" }`): gofmt's layout, the closing brace at the start of a line.
_FALLBACK_RETURN = LazyPattern(rb'\nfunc ([A-Za-z_]\w*)\(\) string \{\n(?:(?!\}\n)[^\n]*\n){0,40}?\treturn "([^"\n]*)"\n\}\n')


def option_defaults(data: bytes) -> list[list[str]]:
    """[field, default] for every address-like default the file gives an option field: a flag bound
    to the field, a struct tag default, a flag the file defines read into the field by name
    (`HttpAddr: conf.GetString("http")`), urfave/cli's flag literal with a `Destination` field
    (`&cli.StringFlag{Value: "127.0.0.1", Destination: &o.ServeHost}`), a flag's variable keyed into a literal (`PagesEndpoint:
    *pagesEndpoint` after `pagesEndpoint = flag.String("pages_endpoint", "localhost:8181", …)`; names
    as common as `Addr` aside), or a constant of the file named as a default assigned to
    the field (`cfg.ListenOnHost = DefaultListenOnHost`, in a settings constructor), a value preset
    before the file decodes a config into the variable (`conf.AdminHost = "127.0.0.1"` then
    `toml.DecodeFile(path, conf)`), a keyed string of a package's default-settings literal (`var
    DefaultConfig = Config{RPCHost: "127.0.0.1"}`, or one a `Default…` function returns; names as
    common as `Addr` aside), and the defaults of
    settings read by name (`"web.listen"`: viper's `SetDefault`, flags of that name; _setting_key). The model keeps the fields whose every such default in
    the module is loopback. A keyed literal (`Addr: "127.0.0.1:0"`) is not taken for a default: a
    field name as common as `Addr` is set in clients' and tests' literals too."""
    found = []
    if b"StringVar" in data:
        for match in _FLAG_FIELD.finditer(data):
            found.append((match.group(2), match.group(3)))
    if b'efault:"' in data:  # a line-anchored pattern is slow over a file: only the lines that write one
        at = data.find(b'efault:"')
        while at != -1:
            start = data.rfind(b"\n", 0, at) + 1
            end = data.find(b"\n", at)
            end = len(data) if end == -1 else end
            match = _TAG_DEFAULT.match(data, start, end)
            if match is not None:
                found.append((match.group(1), match.group(2)))
            at = data.find(b'efault:"', end)
    if b".GetString(" in data:
        for match in _FIELD_FROM_FLAG.finditer(data):
            default = _flag_default_by_name(data, match.group(2))
            if default is not None:
                found.append((match.group(1), default.encode()))
    if b"StringFlag{" in data:
        for match in _STRING_FLAG.finditer(data):
            body = braced(data, match.end() - 1)
            value, destination = _FLAG_VALUE.search(body), _FLAG_DESTINATION.search(body)
            if value is not None and destination is not None:
                found.append((destination.group(1), value.group(1)))
    variables = _flag_variables(data)
    if variables:
        for match in _FIELD_FROM_FLAG_VARIABLE.finditer(data):
            defaults = variables.get((match.group(2) == b"*", match.group(3)))
            if defaults is not None and len(defaults) == 1 and not _GENERIC_FIELD.fullmatch(match.group(1)):
                found.append((match.group(1), next(iter(defaults))))
    for needle, pattern, before in _SETTING_DEFAULTS:
        if needle in data:
            for m in pattern.finditer(data):
                if before is not None and before.search(data, max(0, m.start() - 16), m.start()) is None:
                    continue
                found.append((b'"' + m.group(1).lower() + b'"', m.group(2)))
    if b"Decode" in data or b"Unmarshal" in data:
        for match in _lines_matching(data, _PRESET_MARK, _PRESET_FIELD):
            decode = re.compile(rb"(?:Decode|Unmarshal)\w*\([^\n]*(?<![\w.])" + re.escape(match.group(1)) + rb"\b")
            if decode.search(data, match.end()) is not None:
                found.append((match.group(2), match.group(3)))
    if b"efault" in data:
        for match in _lines_matching(data, _DEFAULT_WORD, _DEFAULTS_LITERAL):
            for field in _KEYED_STRING.finditer(braced(data, match.end() - 1)):
                if not _GENERIC_FIELD.fullmatch(field.group(1)):
                    found.append((field.group(1), field.group(2)))
        for match in _lines_matching(data, _DEFAULT_WORD, _FIELD_SET_TO_DEFAULT, search=True):
            value = _string_constant(data, match.group(2))
            if value is not None:
                found.append((match.group(1), value))
    if b"\nfunc " in data and b"return \"" in data:
        for match in _FALLBACK_RETURN.finditer(data):
            found.append((match.group(1) + b"()", match.group(2)))
    out = []
    for name, value in found:
        text = value.decode("utf-8", "replace")
        if _address_like(text):
            out.append([name.decode("utf-8", "replace"), text])
    return out
