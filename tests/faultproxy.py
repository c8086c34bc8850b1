"""A fault-injecting TCP proxy for the sync tests (SYNC.md §3, recipe R2).

Why this exists: the "nothing lost" tests need the network between a client and the server to misbehave on
command: slow, silent, reset, cut mid-request or mid-response, or gone. Toxiproxy is not installable here, so this
module does the same job with the standard library only. The proxy lives in the test process and the test
switches faults at runtime. The server and the clients can be in other processes, because they only see a TCP
port on loopback.

Why one event-loop thread and non-blocking sockets, not one or two threads per connection: every socket is then
owned by a single thread. A fault switch (reset, drop, down) is applied by that thread between two ``select``
calls, so it can never race a ``recv``/``send`` on a socket that another thread is closing, and a file
descriptor number cannot be reused under a thread that still polls it. ``close()`` has exactly one thread to
join. The control methods hand the change to the loop and wait until it has been applied. So when
``proxy.reset()`` returns, the RSTs have been sent, and when ``proxy.down()`` returns, the port refuses
connections.

Semantics follow Toxiproxy's toxics (``Shopify/toxiproxy:README.md``) where one exists: ``latency``,
``timeout`` with timeout 0 (our ``blackhole``), ``reset_peer`` (``reset``), ``limit_data`` (``cut_request`` /
``cut_response``) and a disabled proxy (``down``). There is one fault at a time. Each fault method replaces the
current one, and ``pass_through()`` heals everything (it also re-binds the port after ``down()``).
"""

from __future__ import annotations

import contextlib
import enum
import errno
import selectors
import socket
import struct
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Self

from tests.ports import free_port

__all__ = ["FaultProxy", "ProxyStats"]

_CHUNK = 65536
# Stop reading a side while this much of its data is queued for the other side, so that a peer that does not
# read cannot make the proxy buffer without limit.
_MAX_QUEUED = 4 * 1024 * 1024
# After a cut, queued bytes still get this long to reach their peer, measured after the last delayed chunk is
# due. Then both sides are closed even if a peer does not read.
_CUT_GRACE = 1.0
# How long a control call waits for the loop to apply it. The loop never blocks, so hitting this is a bug.
_CONTROL_TIMEOUT = 5.0
_MAX_SELECT = 1.0
_BACKLOG = 128
_LINGER_RST = struct.pack("ii", 1, 0)
_CONNECT_PENDING = {errno.EINPROGRESS, errno.EAGAIN, errno.EWOULDBLOCK, errno.EALREADY}


class _Mode(enum.Enum):
    PASS_THROUGH = "pass_through"
    LATENCY = "latency"
    BLACKHOLE = "blackhole"
    RESET = "reset"
    CUT_RESPONSE = "cut_response"
    CUT_REQUEST = "cut_request"
    DOWN = "down"


@dataclass(frozen=True)
class _Fault:
    mode: _Mode
    seconds: float = 0.0
    limit: int = 0

    def describe(self) -> str:
        if self.mode is _Mode.LATENCY:
            return f"latency({self.seconds})"
        if self.mode in (_Mode.CUT_RESPONSE, _Mode.CUT_REQUEST):
            return f"{self.mode.value}({self.limit})"
        return str(self.mode.value)


_PASS_THROUGH = _Fault(_Mode.PASS_THROUGH)


@dataclass(frozen=True)
class ProxyStats:
    """A snapshot of the proxy's counters, so a test can check that a fault really happened.

    ``bytes_up`` and ``bytes_down`` count the bytes actually written to the upstream and to the clients. Bytes
    swallowed by a black hole or dropped by a cut are not counted there.
    """

    accepted: int = 0  # client connections accepted, including the ones reset at once
    active: int = 0  # connections open right now
    bytes_up: int = 0  # client -> upstream
    bytes_down: int = 0  # upstream -> client
    cut: int = 0  # connections closed by cut_request / cut_response
    reset: int = 0  # connections aborted with an RST by reset()
    dropped: int = 0  # connections closed by drop_all() or down()
    blackholed_bytes: int = 0  # bytes read and discarded (either direction)
    upstream_failures: int = 0  # the proxy could not connect to the upstream; the client was closed


@dataclass
class _Counters:
    accepted: int = 0
    active: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    cut: int = 0
    reset: int = 0
    dropped: int = 0
    blackholed_bytes: int = 0
    upstream_failures: int = 0

    def snapshot(self) -> ProxyStats:
        return ProxyStats(
            accepted=self.accepted,
            active=self.active,
            bytes_up=self.bytes_up,
            bytes_down=self.bytes_down,
            cut=self.cut,
            reset=self.reset,
            dropped=self.dropped,
            blackholed_bytes=self.blackholed_bytes,
            upstream_failures=self.upstream_failures,
        )


class _Direction:
    """One direction of a proxied connection.

    Chunks wait in ``delayed`` until their latency has passed, in arrival order, so latency never reorders
    bytes. Then they move to ``ready`` to be sent.
    """

    __slots__ = ("budget", "delayed", "eof", "queued", "ready", "shut")

    def __init__(self) -> None:
        self.delayed: deque[tuple[float, bytes]] = deque()
        self.ready = bytearray()
        self.queued = 0  # bytes in delayed + ready
        self.eof = False  # the source side sent FIN
        self.shut = False  # that FIN was passed on to the destination side
        self.budget: int | None = None  # bytes still allowed through before a cut; None: no cut armed

    def empty(self) -> bool:
        return self.queued == 0

    def discard(self) -> int:
        dropped = self.queued
        self.delayed.clear()
        self.ready.clear()
        self.queued = 0
        return dropped

    def release(self, now: float) -> None:
        while self.delayed and self.delayed[0][0] <= now:
            self.ready += self.delayed.popleft()[1]

    def last_due(self) -> float | None:
        return self.delayed[-1][0] if self.delayed else None


class _Conn:
    """One client connection and its upstream connection. Owned by the loop thread."""

    def __init__(self, client: socket.socket, upstream: socket.socket | None, *, connecting: bool) -> None:
        self.client = client
        self.upstream = upstream
        self.connecting = connecting
        self.up = _Direction()  # client -> upstream
        self.down = _Direction()  # upstream -> client
        # A black connection swallows everything until it is closed. It either began inside a black hole (so
        # it has no upstream) or lost bytes to one. Forwarding again after a gap would corrupt the stream,
        # which is a different fault from the one asked for.
        self.black = upstream is None
        self.cut_deadline: float | None = None  # set when a cut fires: flush what is queued, then close
        self.closed = False
        self.on_client: Callable[[int], None] = lambda _mask: None
        self.on_upstream: Callable[[int], None] = lambda _mask: None


class _Command:
    """A control request handed to the loop thread. The caller waits on ``done``."""

    def __init__(self, fault: _Fault | None, drop_all: bool) -> None:
        self.fault = fault
        self.drop_all = drop_all
        self.done = threading.Event()
        self.error: BaseException | None = None


class FaultProxy:
    """A TCP proxy in front of ``upstream_host:upstream_port`` whose faults can be switched at runtime.

    Use it as a context manager (``with FaultProxy("127.0.0.1", port) as proxy:``) and point clients at
    ``proxy.url_for()``. All public methods are thread-safe. Fault methods apply to new connections and, where it
    makes sense, to open ones too, and they return only once the loop has applied them.
    """

    def __init__(
        self,
        upstream_host: str,
        upstream_port: int,
        listen_host: str = "127.0.0.1",
        listen_port: int = 0,
    ) -> None:
        self._upstream_host = upstream_host
        self._upstream_port = upstream_port
        self._listen_host = listen_host
        self._listen_port = listen_port
        self._lock = threading.Lock()
        self._fault = _PASS_THROUGH  # what callers asked for; the loop applies it (guarded by _lock)
        self._counters = _Counters()  # guarded by _lock
        self._commands: deque[_Command] = deque()  # guarded by _lock
        self._running = False  # the loop accepts commands (guarded by _lock)
        self._stopping = False  # guarded by _lock
        self._started = False
        self._crash: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._port: int | None = None
        # Owned by the loop thread once it runs:
        self._selector: selectors.BaseSelector | None = None
        self._interest: dict[socket.socket, int] = {}
        self._listener: socket.socket | None = None
        self._conns: set[_Conn] = set()
        self._active = _PASS_THROUGH
        self._upstream_addr: tuple[socket.AddressFamily, tuple[object, ...]] | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None

    # ----------------------------------------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Bind the listening port and start the loop thread. A proxy can only be started once."""
        with self._lock:
            if self._started:
                raise RuntimeError("FaultProxy.start() called twice")
            self._started = True
            preset = self._fault
            self._fault = _PASS_THROUGH
        infos = socket.getaddrinfo(self._upstream_host, self._upstream_port, type=socket.SOCK_STREAM)
        family, _type, _proto, _name, sockaddr = infos[0]
        self._upstream_addr = (family, tuple(sockaddr))
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        try:
            self._listener = self._bind()
        except BaseException:
            self._close_wake()
            self._selector.close()
            raise
        self._port = self._listener.getsockname()[1]
        self._set_interest(self._listener, selectors.EVENT_READ, self._on_accept)
        self._set_interest(self._wake_r, selectors.EVENT_READ, self._on_wake)
        with self._lock:
            self._running = True
            if preset != _PASS_THROUGH:  # a fault chosen before start() applies from the first connection
                self._commands.append(_Command(preset, drop_all=False))
        self._thread = threading.Thread(target=self._run, name=f"faultproxy-{self._port}", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop the loop, close every socket and join the thread. Idempotent.

        Re-raises (as RuntimeError) a crash of the loop thread, so a proxy bug fails the test that used it
        instead of showing up only as a strange client error.
        """
        with self._lock:
            thread = self._thread
            if thread is None or self._stopping:
                return
            self._stopping = True
            self._wake_locked()
        thread.join(timeout=10)
        if thread.is_alive():
            raise RuntimeError("FaultProxy loop thread did not stop")
        with self._lock:
            self._close_wake()
        if self._crash is not None:
            raise RuntimeError("FaultProxy loop crashed") from self._crash

    def __enter__(self) -> Self:
        if not self._started:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------------------------------------- addresses

    @property
    def host(self) -> str:
        return self._listen_host

    @property
    def port(self) -> int:
        """The listening port. It stays the same across ``down()``/``up()``, so clients keep their URL."""
        if self._port is None:
            raise RuntimeError("FaultProxy is not started")
        return self._port

    def url_for(self, path_prefix: str = "") -> str:
        """``http://host:port`` plus an optional path prefix, for clients configured with a base URL."""
        host = f"[{self._listen_host}]" if ":" in self._listen_host else self._listen_host
        if path_prefix and not path_prefix.startswith("/"):
            path_prefix = "/" + path_prefix
        return f"http://{host}:{self.port}{path_prefix}"

    @property
    def stats(self) -> ProxyStats:
        with self._lock:
            return self._counters.snapshot()

    @property
    def fault(self) -> str:
        """The current fault, e.g. ``"pass_through"`` or ``"cut_response(10)"``, for logs and assertions."""
        with self._lock:
            return self._fault.describe()

    def __repr__(self) -> str:
        port = self._port if self._port is not None else "?"
        return f"FaultProxy({self._listen_host}:{port} -> {self._upstream_host}:{self._upstream_port}, {self.fault})"

    # -------------------------------------------------------------------------------------------------- faults

    def pass_through(self) -> None:
        """Forward bytes unchanged in both directions. This heals every fault and re-binds the port after down().

        Connections that lost bytes to a black hole stay black: see ``blackhole()``.
        """
        self._control(_PASS_THROUGH)

    def up(self) -> None:
        """Listen again on the same port after ``down()``. Same as ``pass_through()``; named for readability."""
        self._control(_PASS_THROUGH)

    def latency(self, seconds: float) -> None:
        """Delay every chunk read from now on by ``seconds`` before forwarding it, in both directions.

        Order is kept. A request/response round trip therefore costs at least ``2 * seconds``.
        """
        if seconds < 0:
            raise ValueError("latency must be >= 0")
        self._control(_Fault(_Mode.LATENCY, seconds=float(seconds)))

    def blackhole(self) -> None:
        """Keep accepting and reading, but never forward anything and never answer. Clients time out.

        This is Toxiproxy's ``timeout`` toxic with timeout 0. Open connections stop forwarding too, and bytes
        queued but not yet sent are dropped. A connection that lost bytes, or was accepted during the black
        hole, stays black until it is closed, even after the fault is lifted. Resuming after a gap would hand
        the peer a corrupt stream, and real clients close a timed-out connection anyway. Idle keep-alive
        connections resume normally. If a black connection's client closes, the proxy closes it too.
        """
        self._control(_Fault(_Mode.BLACKHOLE))

    def reset(self) -> None:
        """Abort open connections with a TCP RST on both sides, and RST every new connection at once.

        RST means SO_LINGER 0 before close. Clients see ``ConnectionResetError`` (or ``BrokenPipeError`` if
        they were writing).
        """
        self._control(_Fault(_Mode.RESET))

    def cut_response(self, after_bytes: int) -> None:
        """Forward requests, but close both sides once ``after_bytes`` of response have reached the client.

        This is the "server committed, response lost" case (Toxiproxy ``limit_data`` on the downstream). It is
        counted per connection, from the moment the connection is first under this fault. Each connection is
        cut once, because the cut closes it. The fault stays for new connections until it is changed.
        """
        if after_bytes < 0:
            raise ValueError("after_bytes must be >= 0")
        self._control(_Fault(_Mode.CUT_RESPONSE, limit=after_bytes))

    def cut_request(self, after_bytes: int) -> None:
        """Forward only ``after_bytes`` of what the client sends, then close both sides.

        This is the "request lost before the server saw all of it" case. Counting works as in
        ``cut_response``. If the budget is used up exactly, the cut still fires then (Toxiproxy semantics),
        so choose ``after_bytes`` smaller than the request to be sure the server sees an incomplete request.
        """
        if after_bytes < 0:
            raise ValueError("after_bytes must be >= 0")
        self._control(_Fault(_Mode.CUT_REQUEST, limit=after_bytes))

    def down(self) -> None:
        """Stop listening (clients get ECONNREFUSED) and close open connections. ``up()`` re-binds the same port.

        There is a small window in which another process could take the port while it is unbound. On a test
        machine this does not happen in practice, and ``up()`` raises OSError if it does.
        """
        self._control(_Fault(_Mode.DOWN))

    def drop_all(self) -> None:
        """Close every open connection now, on both sides, without changing the fault."""
        self._control(None, drop_all=True)

    # ------------------------------------------------------------------------------------------------- control

    def _control(self, fault: _Fault | None, *, drop_all: bool = False) -> None:
        cmd = _Command(fault, drop_all)
        with self._lock:
            if self._crash is not None:
                raise RuntimeError("FaultProxy loop crashed") from self._crash
            if not self._running:
                if self._started:
                    raise RuntimeError("FaultProxy is closed")
                if fault is not None:  # not started yet: remember it, start() applies it
                    self._fault = fault
                return
            self._commands.append(cmd)
            self._wake_locked()
        if not cmd.done.wait(_CONTROL_TIMEOUT):
            raise RuntimeError("FaultProxy loop did not apply a control command in time")
        if cmd.error is not None:
            raise cmd.error

    def _wake_locked(self) -> None:
        if self._wake_w is None:
            return
        with contextlib.suppress(BlockingIOError, InterruptedError):  # full pipe: a wake-up is already pending
            self._wake_w.send(b"\0")

    def _close_wake(self) -> None:
        for sock in (self._wake_r, self._wake_w):
            if sock is not None:
                sock.close()
        self._wake_r = self._wake_w = None

    # ---------------------------------------------------------------------------------------------------- loop

    def _run(self) -> None:
        assert self._selector is not None
        try:
            while True:
                self._process_commands()
                with self._lock:
                    if self._stopping:
                        break
                timeout = self._tick(time.monotonic())
                for key, mask in self._selector.select(timeout):
                    handler: Callable[[int], None] = key.data
                    handler(mask)
        except BaseException as exc:  # surfaced by close() and by the next control call
            with self._lock:
                self._crash = exc
        finally:
            self._teardown()

    def _teardown(self) -> None:
        for conn in list(self._conns):
            self._close_conn(conn, rst=False)
        self._close_listener()
        if self._wake_r is not None:
            self._set_interest(self._wake_r, 0, self._on_wake)
        if self._selector is not None:
            self._selector.close()
        with self._lock:
            self._running = False
            pending = list(self._commands)
            self._commands.clear()
        for cmd in pending:
            cmd.error = RuntimeError("FaultProxy is closed")
            cmd.done.set()

    def _process_commands(self) -> None:
        with self._lock:
            pending = list(self._commands)
            self._commands.clear()
        for cmd in pending:
            try:
                if cmd.fault is not None:
                    self._apply(cmd.fault)
                if cmd.drop_all:
                    self._drop_all()
            except Exception as exc:
                cmd.error = exc
            finally:
                cmd.done.set()

    def _apply(self, fault: _Fault) -> None:
        """Switch the fault and apply it to open connections."""
        self._active = fault
        with self._lock:
            self._fault = fault
        if fault.mode is _Mode.DOWN:
            self._close_listener()
            self._drop_all()
        elif self._listener is None:
            try:
                self._listener = self._bind()
            except OSError:
                self._active = _Fault(_Mode.DOWN)
                with self._lock:
                    self._fault = self._active
                raise
            self._set_interest(self._listener, selectors.EVENT_READ, self._on_accept)
        for conn in list(self._conns):
            if fault.mode is _Mode.RESET:
                self._close_conn(conn, rst=True, count="reset")
                continue
            if fault.mode is _Mode.BLACKHOLE:
                lost = conn.up.discard() + conn.down.discard()
                if lost:
                    conn.black = True
                    self._count(blackholed_bytes=lost)
            self._arm_cuts(conn)

    def _drop_all(self) -> None:
        for conn in list(self._conns):
            self._close_conn(conn, rst=False, count="dropped")

    def _arm_cuts(self, conn: _Conn) -> None:
        mode, limit = self._active.mode, self._active.limit
        conn.up.budget = limit if mode is _Mode.CUT_REQUEST else None
        conn.down.budget = limit if mode is _Mode.CUT_RESPONSE else None

    def _tick(self, now: float) -> float:
        """Release delayed chunks, send what can be sent, finish cuts and closes; return the select timeout."""
        deadline = now + _MAX_SELECT
        for conn in list(self._conns):
            self._pump(conn, now)
            if conn.closed:
                continue
            for direction in (conn.up, conn.down):
                if direction.delayed:
                    deadline = min(deadline, direction.delayed[0][0])
            if conn.cut_deadline is not None:
                deadline = min(deadline, conn.cut_deadline)
            self._update_interest(conn)
        return max(0.0, deadline - now)

    def _pump(self, conn: _Conn, now: float) -> None:
        conn.up.release(now)
        conn.down.release(now)
        if conn.upstream is not None and not conn.connecting:
            if not self._send(conn, conn.up, conn.upstream, upstream=True):
                return
            if conn.up.eof and conn.up.empty() and not conn.up.shut:
                if not self._shutdown_write(conn, conn.upstream):
                    return
                conn.up.shut = True
        if not self._send(conn, conn.down, conn.client, upstream=False):
            return
        if conn.down.eof and conn.down.empty() and not conn.down.shut and not conn.black:
            if not self._shutdown_write(conn, conn.client):
                return
            conn.down.shut = True
        if conn.cut_deadline is not None:
            if (conn.up.empty() and conn.down.empty()) or now >= conn.cut_deadline:
                self._close_conn(conn, rst=False)
            return
        if conn.up.shut and conn.down.shut:
            self._close_conn(conn, rst=False)

    def _send(self, conn: _Conn, direction: _Direction, sock: socket.socket, *, upstream: bool) -> bool:
        """Write as much of ``direction.ready`` as the socket takes. False if the connection had to be closed."""
        while direction.ready:
            try:
                # Send and count under the lock, so that a reader of ``stats`` who has already received the
                # bytes also sees them counted.
                with self._lock:
                    sent = sock.send(direction.ready)
                    if upstream:
                        self._counters.bytes_up += sent
                    else:
                        self._counters.bytes_down += sent
            except (BlockingIOError, InterruptedError):
                return True
            except OSError:
                self._close_conn(conn, rst=True)
                return False
            del direction.ready[:sent]
            direction.queued -= sent
        return True

    def _shutdown_write(self, conn: _Conn, sock: socket.socket) -> bool:
        try:
            sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._close_conn(conn, rst=True)
            return False
        return True

    def _update_interest(self, conn: _Conn) -> None:
        reading = conn.cut_deadline is None
        events = 0
        if reading and not conn.up.eof and conn.up.queued < _MAX_QUEUED:
            events |= selectors.EVENT_READ
        if conn.down.ready:
            events |= selectors.EVENT_WRITE
        self._set_interest(conn.client, events, conn.on_client)
        if conn.upstream is None:
            return
        events = 0
        if conn.connecting:
            events = selectors.EVENT_WRITE
        else:
            if reading and not conn.down.eof and conn.down.queued < _MAX_QUEUED:
                events |= selectors.EVENT_READ
            if conn.up.ready:
                events |= selectors.EVENT_WRITE
        self._set_interest(conn.upstream, events, conn.on_upstream)

    # ------------------------------------------------------------------------------------------------ handlers

    def _on_wake(self, _mask: int) -> None:
        assert self._wake_r is not None
        while True:
            try:
                if not self._wake_r.recv(4096):
                    return
            except (BlockingIOError, InterruptedError):
                return

    def _on_accept(self, _mask: int) -> None:
        for _ in range(_BACKLOG):
            if self._listener is None:
                return
            try:
                client, _addr = self._listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                if exc.errno == errno.ECONNABORTED:  # the client gave up while queued
                    continue
                return  # e.g. EMFILE: try again on the next event instead of spinning here
            self._count(accepted=1)
            try:
                client.setblocking(False)
                client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:  # the client is already gone
                self._close_sock(client, rst=False)
                continue
            mode = self._active.mode
            if mode is _Mode.RESET:
                self._count(reset=1)  # before the RST, so a client that saw it also sees the count
                self._close_sock(client, rst=True)
                continue
            if mode is _Mode.BLACKHOLE:
                self._add_conn(_Conn(client, None, connecting=False))
                continue
            upstream = self._connect_upstream()
            if upstream is None:
                self._count(upstream_failures=1)
                self._close_sock(client, rst=False)
                continue
            sock, connecting = upstream
            self._add_conn(_Conn(client, sock, connecting=connecting))

    def _connect_upstream(self) -> tuple[socket.socket, bool] | None:
        assert self._upstream_addr is not None
        family, addr = self._upstream_addr
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rc = sock.connect_ex(addr)
        if rc == 0:
            return sock, False
        if rc in _CONNECT_PENDING:
            return sock, True
        sock.close()
        return None

    def _add_conn(self, conn: _Conn) -> None:
        conn.on_client = lambda mask: self._on_client(conn, mask)
        conn.on_upstream = lambda mask: self._on_upstream(conn, mask)
        self._arm_cuts(conn)
        self._conns.add(conn)
        self._count(active=1)
        self._update_interest(conn)

    def _on_client(self, conn: _Conn, mask: int) -> None:
        if not conn.closed and mask & selectors.EVENT_READ:
            self._read(conn, from_client=True)
        # Writes happen in _tick, which runs right after this batch of events.

    def _on_upstream(self, conn: _Conn, mask: int) -> None:
        if conn.closed or conn.upstream is None:
            return
        if conn.connecting:
            if mask & selectors.EVENT_WRITE:
                if conn.upstream.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR):
                    self._close_conn(conn, rst=False, count="upstream_failures")
                else:
                    conn.connecting = False
            return
        if mask & selectors.EVENT_READ:
            self._read(conn, from_client=False)

    def _read(self, conn: _Conn, *, from_client: bool) -> None:
        sock = conn.client if from_client else conn.upstream
        direction = conn.up if from_client else conn.down
        assert sock is not None
        try:
            data = sock.recv(_CHUNK)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._close_conn(conn, rst=True)
            return
        if not data:
            direction.eof = True
            if conn.black:
                # Nothing flows through a black connection, so there is no FIN to pass on. If the client left,
                # close everything. If the upstream left, keep the client waiting for an answer that never
                # comes.
                if from_client:
                    self._close_conn(conn, rst=False)
                elif conn.upstream is not None:
                    self._close_sock(conn.upstream, rst=False)
                    conn.upstream = None
            return
        self._ingest(conn, direction, data)

    def _ingest(self, conn: _Conn, direction: _Direction, data: bytes) -> None:
        now = time.monotonic()
        if conn.black or self._active.mode is _Mode.BLACKHOLE:
            conn.black = True
            self._count(blackholed_bytes=len(data) + conn.up.discard() + conn.down.discard())
            return
        if direction.budget is not None:
            data = data[: direction.budget]
            direction.budget -= len(data)
            if direction.budget == 0:
                # Let the bytes that are already queued arrive, then close. A cut is a clean end of the
                # stream, not an abort.
                dues = [d for d in (conn.up.last_due(), conn.down.last_due()) if d is not None]
                conn.cut_deadline = max([now, *dues]) + _CUT_GRACE
                self._count(cut=1)
        if not data:
            return
        due = now + self._active.seconds if self._active.mode is _Mode.LATENCY else now
        direction.queued += len(data)
        if direction.delayed or due > now:
            direction.delayed.append((due, data))
        else:
            direction.ready += data

    # ------------------------------------------------------------------------------------------------- sockets

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self._listen_host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        try:
            # SO_REUSEADDR lets up() re-bind the same port while connections closed by down() sit in TIME_WAIT.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            # Port 0 means one of this test process's own (tests.ports): up() re-binds it after down(), and
            # meanwhile no other worker or outgoing connection can be handed it as an ephemeral port.
            port = self._port if self._port is not None else (self._listen_port or free_port())
            sock.bind((self._listen_host, port))
            sock.listen(_BACKLOG)
            sock.setblocking(False)
        except BaseException:
            sock.close()
            raise
        return sock

    def _close_listener(self) -> None:
        if self._listener is not None:
            self._close_sock(self._listener, rst=False)
            self._listener = None

    def _close_conn(self, conn: _Conn, *, rst: bool, count: str | None = None) -> None:
        """Close both sides. ``count`` names the counter to bump, before the close so clients cannot outrun it."""
        if conn.closed:
            return
        conn.closed = True
        self._count(active=-1, **({count: 1} if count else {}))
        self._close_sock(conn.client, rst=rst)
        if conn.upstream is not None:
            self._close_sock(conn.upstream, rst=rst)
        self._conns.discard(conn)

    def _close_sock(self, sock: socket.socket, *, rst: bool) -> None:
        self._set_interest(sock, 0, None)
        if rst:
            with contextlib.suppress(OSError):  # already dead: close() below is all that is left to do
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RST)
        sock.close()

    def _set_interest(self, sock: socket.socket, events: int, handler: Callable[[int], None] | None) -> None:
        assert self._selector is not None
        current = self._interest.get(sock, 0)
        if events == current:
            return
        if events == 0:
            self._selector.unregister(sock)
            del self._interest[sock]
            return
        if current == 0:
            self._selector.register(sock, events, handler)
        else:
            self._selector.modify(sock, events, handler)
        self._interest[sock] = events

    def _count(self, **deltas: int) -> None:
        with self._lock:
            for name, delta in deltas.items():
                setattr(self._counters, name, getattr(self._counters, name) + delta)
