"""The fault proxy (tests/faultproxy.py) does what the sync tests rely on.

Each fault is checked by what a real client sees over real loopback sockets, and, where it matters, by what the
upstream server saw: a response cut after the server committed, or a request the server never got in full.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import random
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.faultproxy import FaultProxy
from tests.ports import free_port

BODY = bytes(range(256)) * 256  # 64 KiB: big enough to span several TCP reads
DATE = "Thu, 01 Jan 2026 00:00:00 GMT"
RESPONSE_HEAD = (
    "HTTP/1.1 200 OK\r\n"
    "Server: upstream\r\n"
    f"Date: {DATE}\r\n"
    "Content-Type: application/octet-stream\r\n"
    f"Content-Length: {len(BODY)}\r\n"
    "\r\n"
).encode()
RESPONSE = RESPONSE_HEAD + BODY  # byte for byte what the upstream sends for GET_REQUEST
GET_REQUEST = b"GET /body HTTP/1.1\r\nHost: upstream\r\n\r\n"
TIMEOUT = 0.5  # how long a client waits before it decides the network is a black hole


class Upstream(ThreadingHTTPServer):
    """An HTTP/1.1 server that counts what it really handled, so a test can tell "lost" from "never sent"."""

    daemon_threads = True
    request_queue_size = 128  # the default listen backlog of 5 drops SYNs when 20 clients connect at once

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.handled = 0  # complete requests, counted before the response is written ("committed")
        self.incomplete = 0  # POSTs whose body ended before Content-Length

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Cut and reset connections are the point of these tests, so do not print their tracebacks."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    server: Upstream

    def do_GET(self) -> None:
        with self.server.lock:
            self.server.handled += 1
        self._reply(BODY)

    def do_POST(self) -> None:
        length = self.headers.get("Content-Length")
        body = self.rfile.read(int(length)) if length is not None else b""
        if length is None or len(body) < int(length):
            with self.server.lock:
                self.server.incomplete += 1
            self.close_connection = True
            return
        with self.server.lock:
            self.server.handled += 1
        self._reply(body)

    def _reply(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def version_string(self) -> str:
        return "upstream"

    def date_time_string(self, timestamp: float | None = None) -> str:
        return DATE

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _EchoHandler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        while data := self.request.recv(65536):
            self.request.sendall(data)


class EchoServer(socketserver.ThreadingTCPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _EchoHandler)


@contextlib.contextmanager
def _serving(server: socketserver.BaseServer) -> Iterator[None]:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _proxy_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("faultproxy-")]


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    with _serving(server):
        yield server


@pytest.fixture
def echo() -> Iterator[EchoServer]:
    server = EchoServer()
    with _serving(server):
        yield server


@pytest.fixture
def proxy(upstream: Upstream) -> Iterator[FaultProxy]:
    with FaultProxy("127.0.0.1", upstream.server_port) as p:
        yield p
    assert not _proxy_threads()


# ------------------------------------------------------------------------------------------------------ helpers


def connect(proxy: FaultProxy, timeout: float = 2.0) -> socket.socket:
    return socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout)


def recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError(f"EOF after {len(buf)} of {n} bytes")
        buf += chunk
    return bytes(buf)


def fetch(sock: socket.socket) -> bytes:
    """One GET on a keep-alive connection."""
    sock.sendall(GET_REQUEST)
    return recv_exact(sock, len(RESPONSE))


def read_to_end(sock: socket.socket, timeout: float = 2.0) -> tuple[bytes, str]:
    """Everything until the connection ends, and how it ended: "eof" (FIN) or "reset" (RST)."""
    sock.settimeout(timeout)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return b"".join(chunks), "reset"
        if not chunk:
            return b"".join(chunks), "eof"
        chunks.append(chunk)


def wait_until(predicate: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def http_get(conn: http.client.HTTPConnection) -> bytes:
    conn.request("GET", "/body")
    response = conn.getresponse()
    assert response.status == 200
    return response.read()


def post_request(body: bytes) -> tuple[bytes, bytes]:
    head = f"POST /echo HTTP/1.1\r\nHost: upstream\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return head, body


# ------------------------------------------------------------------------------------------------- pass-through


def test_pass_through_forwards_exact_bytes_on_one_keep_alive_connection(upstream: Upstream, proxy: FaultProxy) -> None:
    assert proxy.fault == "pass_through"
    assert proxy.url_for() == f"http://127.0.0.1:{proxy.port}"
    assert proxy.url_for("api/v1") == f"http://127.0.0.1:{proxy.port}/api/v1"
    with connect(proxy) as sock:
        for _ in range(3):
            assert fetch(sock) == RESPONSE
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=2)
    try:
        for _ in range(3):
            assert http_get(conn) == BODY
        conn.request("POST", "/echo", body=b"x" * 1000)
        assert conn.getresponse().read() == b"x" * 1000
    finally:
        conn.close()
    assert upstream.handled == 7
    stats = proxy.stats
    assert stats.accepted == 2  # seven requests, two proxied connections: keep-alive went through
    assert stats.bytes_down >= 6 * len(BODY)
    assert stats.cut == stats.reset == stats.dropped == stats.blackholed_bytes == 0


def test_pass_through_serves_20_concurrent_connections(upstream: Upstream, proxy: FaultProxy) -> None:
    barrier = threading.Barrier(20, timeout=5)

    def client(i: int) -> tuple[bytes, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=5)
        try:
            conn.connect()
            barrier.wait()  # all 20 connections are open at once before anyone sends
            payload = f"client-{i:02d};".encode() * 500
            conn.request("POST", "/echo", body=payload)
            echoed = conn.getresponse().read()
            assert echoed == payload  # no bytes crossed between connections
            return echoed, http_get(conn)
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(client, range(20)))
    assert all(body == BODY for _, body in results)
    assert len({echoed for echoed, _ in results}) == 20
    assert upstream.handled == 40
    assert proxy.stats.accepted == 20


def test_pass_through_is_byte_exact_and_passes_half_close(echo: EchoServer) -> None:
    data = random.Random(7).randbytes(1_000_000)
    with FaultProxy("127.0.0.1", echo.server_address[1]) as proxy, connect(proxy) as sock:

        def send() -> None:
            sock.sendall(data)
            sock.shutdown(socket.SHUT_WR)  # the proxy must pass the FIN on, or the echo server never ends

        sender = threading.Thread(target=send)
        sender.start()
        received, end = read_to_end(sock)
        sender.join()
    assert received == data
    assert end == "eof"
    assert proxy.stats.bytes_up == proxy.stats.bytes_down == len(data)


# ------------------------------------------------------------------------------------------------------ latency


def test_latency_delays_both_directions_on_an_open_connection(proxy: FaultProxy) -> None:
    delay = 0.2
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE
        proxy.latency(delay)
        assert proxy.fault == "latency(0.2)"
        started = time.monotonic()
        assert fetch(sock) == RESPONSE
        slow = time.monotonic() - started
        proxy.pass_through()
        started = time.monotonic()
        assert fetch(sock) == RESPONSE
        fast = time.monotonic() - started
    assert slow >= 0.8 * 2 * delay  # the request waited once and the response once
    assert fast < slow


def test_latency_keeps_byte_order(echo: EchoServer) -> None:
    messages = [f"message {i:03d}|".encode() for i in range(100)]
    with FaultProxy("127.0.0.1", echo.server_address[1]) as proxy, connect(proxy) as sock:
        proxy.latency(0.05)
        for message in messages:  # many small writes while earlier ones are still delayed
            sock.sendall(message)
        sock.shutdown(socket.SHUT_WR)
        received, end = read_to_end(sock)
    assert received == b"".join(messages)
    assert end == "eof"


# ---------------------------------------------------------------------------------------------------- blackhole


def test_blackhole_new_connection_times_out_and_server_sees_nothing(upstream: Upstream, proxy: FaultProxy) -> None:
    proxy.blackhole()
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=TIMEOUT)
    try:
        with pytest.raises(TimeoutError):
            http_get(conn)
    finally:
        conn.close()
    assert upstream.handled == 0
    assert proxy.stats.bytes_up == 0
    assert proxy.stats.blackholed_bytes > 0
    proxy.pass_through()
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE


def test_blackhole_stops_an_open_connection_which_stays_black(upstream: Upstream, proxy: FaultProxy) -> None:
    with connect(proxy, timeout=TIMEOUT) as black, connect(proxy, timeout=TIMEOUT) as idle:
        assert fetch(black) == RESPONSE
        assert fetch(idle) == RESPONSE
        proxy.blackhole()
        with pytest.raises(TimeoutError):
            fetch(black)
        assert upstream.handled == 2
        proxy.pass_through()
        # A keep-alive connection that was idle during the black hole carries on.
        assert fetch(idle) == RESPONSE
        # The one that lost a request stays black: resuming after a gap would corrupt the stream.
        black.settimeout(0.3)
        with pytest.raises(TimeoutError):
            black.recv(1)
    assert upstream.handled == 3


# -------------------------------------------------------------------------------------------------------- reset


def test_reset_sends_rst_to_new_connections(upstream: Upstream, proxy: FaultProxy) -> None:
    proxy.reset()
    # Depending on timing the RST hits connect() (the kernel had completed the handshake), send() or recv().
    with pytest.raises((ConnectionResetError, BrokenPipeError)) as caught, connect(proxy) as sock:
        sock.sendall(GET_REQUEST)
        sock.recv(1)  # returns b"" (no exception) if the proxy closed with FIN instead of RST
    assert not isinstance(caught.value, http.client.RemoteDisconnected)
    assert upstream.handled == 0
    assert proxy.stats.reset == 1


def test_reset_aborts_open_connections(proxy: FaultProxy) -> None:
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE
        proxy.reset()
        assert read_to_end(sock) == (b"", "reset")
    assert proxy.stats.reset == 1
    proxy.pass_through()
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE


# ------------------------------------------------------------------------------------------------- cut_response


def test_cut_response_delivers_n_bytes_after_the_server_committed(upstream: Upstream, proxy: FaultProxy) -> None:
    proxy.cut_response(10)
    for attempt in (1, 2):  # the fault stays for new connections; each one is cut once
        with connect(proxy) as sock:
            sock.sendall(GET_REQUEST)
            assert read_to_end(sock) == (RESPONSE[:10], "eof")
        assert upstream.handled == attempt  # the server did the work; only its answer was lost
    assert proxy.stats.cut == 2


def test_cut_response_counts_from_when_it_is_set_on_an_open_connection(upstream: Upstream, proxy: FaultProxy) -> None:
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE
        proxy.cut_response(10)
        sock.sendall(GET_REQUEST)
        assert read_to_end(sock) == (RESPONSE[:10], "eof")
    assert upstream.handled == 2


def test_cut_response_as_http_client_sees_it(upstream: Upstream, proxy: FaultProxy) -> None:
    proxy.cut_response(len(RESPONSE_HEAD) + 100)
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=2)
    try:
        conn.request("GET", "/body")
        response = conn.getresponse()
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
        assert len(caught.value.partial) == 100
    finally:
        conn.close()
    proxy.cut_response(0)
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=2)
    try:
        conn.request("GET", "/body")
        with pytest.raises(http.client.RemoteDisconnected):
            conn.getresponse()
    finally:
        conn.close()
    assert upstream.handled == 2


# -------------------------------------------------------------------------------------------------- cut_request


def test_cut_request_never_lets_the_server_see_a_whole_request(upstream: Upstream, proxy: FaultProxy) -> None:
    head, body = post_request(b"b" * 1000)
    proxy.cut_request(len(head) + 100)
    with connect(proxy) as sock:
        sock.sendall(head + body)
        data, _end = read_to_end(sock)  # FIN or RST, depending on whether the proxy had read past the cut
    assert data == b""
    assert wait_until(lambda: upstream.incomplete == 1)  # the server got the head and a short body
    assert upstream.handled == 0
    stats = proxy.stats
    assert stats.bytes_up == len(head) + 100
    assert stats.bytes_down == 0
    assert stats.cut == 1


def test_cut_request_as_http_client_sees_it(upstream: Upstream, proxy: FaultProxy) -> None:
    proxy.cut_request(20)  # inside the request line
    conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=2)
    try:
        with pytest.raises((ConnectionResetError, BrokenPipeError)):  # RemoteDisconnected is a ConnectionResetError
            conn.request("POST", "/echo", body=b"x" * 1000)
            conn.getresponse()
    finally:
        conn.close()
    assert upstream.handled == 0
    assert proxy.stats.bytes_up == 20


# ------------------------------------------------------------------------------------------------ down/drop_all


def test_down_refuses_then_up_listens_again_on_the_same_port(proxy: FaultProxy) -> None:
    port = proxy.port
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE
        proxy.down()
        assert read_to_end(sock) == (b"", "eof")  # open connections are closed
    assert proxy.stats.dropped == 1
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    proxy.up()
    assert proxy.port == port
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE
    proxy.down()
    proxy.latency(0.01)  # any other fault also brings the port back
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE


def test_drop_all_closes_live_connections_and_keeps_the_fault(proxy: FaultProxy) -> None:
    proxy.latency(0.01)
    with connect(proxy) as first, connect(proxy) as second:
        assert fetch(first) == RESPONSE
        assert fetch(second) == RESPONSE
        proxy.drop_all()
        assert read_to_end(first) == (b"", "eof")
        assert read_to_end(second) == (b"", "eof")
    assert proxy.fault == "latency(0.01)"
    with connect(proxy) as sock:
        assert fetch(sock) == RESPONSE
    assert proxy.stats.dropped == 2


# ---------------------------------------------------------------------------------------------------- lifecycle


def _fd_count() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_close_joins_the_thread_and_closes_every_socket(upstream: Upstream) -> None:
    threads_before = set(threading.enumerate())
    fds_before = _fd_count()
    proxy = FaultProxy("127.0.0.1", upstream.server_port).start()
    assert len(_proxy_threads()) == 1
    clients = [connect(proxy) for _ in range(5)]
    try:
        for sock in clients:
            assert fetch(sock) == RESPONSE
        proxy.latency(5)  # leave delayed bytes queued inside the proxy at close
        clients[0].sendall(GET_REQUEST)
        proxy.close()
        assert not _proxy_threads()  # joined, not merely told to stop
        for sock in clients:
            assert read_to_end(sock) == (b"", "eof")
    finally:
        for sock in clients:
            sock.close()
    proxy.close()  # idempotent
    with pytest.raises(RuntimeError, match="closed"):
        proxy.pass_through()
    # The upstream's handler threads end once the proxy's upstream sockets are closed. "<=" because threads and
    # sockets left over from earlier tests may finish closing meanwhile.
    assert wait_until(lambda: set(threading.enumerate()) <= threads_before), threading.enumerate()
    assert wait_until(lambda: _fd_count() <= fds_before), (_fd_count(), fds_before)


def test_switching_faults_under_load_never_corrupts_a_completed_response(upstream: Upstream) -> None:
    """A small nemesis: the proxy must survive any fault order, and a response that completes must be exact."""
    rng = random.Random(11)
    faults: list[Callable[[FaultProxy], None]] = [
        FaultProxy.pass_through,
        FaultProxy.pass_through,
        lambda p: p.latency(0.01),
        FaultProxy.blackhole,
        FaultProxy.reset,
        lambda p: p.cut_response(rng.randrange(0, 2 * len(RESPONSE))),
        lambda p: p.cut_request(rng.randrange(0, 2 * len(GET_REQUEST))),
        FaultProxy.down,
        FaultProxy.drop_all,
    ]
    stop = threading.Event()
    completed: list[bytes] = []
    failures: list[BaseException] = []

    def client(proxy: FaultProxy) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=0.2)
        try:
            while not stop.is_set():
                try:
                    completed.append(http_get(conn))
                except (OSError, http.client.HTTPException) as exc:
                    failures.append(exc)
                    conn.close()  # a real client reconnects after any error
        finally:
            conn.close()

    with FaultProxy("127.0.0.1", upstream.server_port) as proxy:
        workers = [threading.Thread(target=client, args=(proxy,)) for _ in range(4)]
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            rng.choice(faults)(proxy)
            time.sleep(rng.uniform(0, 0.03))
        proxy.pass_through()
        stop.set()
        for worker in workers:
            worker.join()
        conn = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=2)
        try:
            assert http_get(conn) == BODY  # healed
        finally:
            conn.close()
    assert completed
    assert failures
    assert all(body == BODY for body in completed)


def test_upstream_refusing_closes_the_client_and_is_counted() -> None:
    with FaultProxy("127.0.0.1", free_port()) as proxy, connect(proxy) as sock:
        sock.sendall(GET_REQUEST)
        data, _end = read_to_end(sock)  # FIN, or RST if the proxy had not read the request yet
        assert data == b""
        assert wait_until(lambda: proxy.stats.upstream_failures == 1)


def test_serves_a_client_in_another_process(upstream: Upstream, proxy: FaultProxy) -> None:
    script = (
        "import sys, urllib.request\n"
        "try:\n"
        "    print(len(urllib.request.urlopen(sys.argv[1], timeout=2).read()))\n"
        "except OSError as exc:\n"
        "    print(type(getattr(exc, 'reason', exc)).__name__)\n"
    )

    def run_client() -> str:
        result = subprocess.run(
            [sys.executable, "-c", script, proxy.url_for("/body")],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
        return result.stdout.strip()

    assert run_client() == str(len(BODY))
    proxy.down()
    assert run_client() == "ConnectionRefusedError"
    assert upstream.handled == 1
