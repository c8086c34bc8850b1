"""Loopback ports for tests: ``free_port()`` whenever a test hands a port number to something that binds it
later (a ``counterapp-server`` subprocess, a printer address, a proxy) or needs a port nobody listens on.

Why not bind port 0 and release it: the number comes from the kernel's ephemeral range
(``net.ipv4.ip_local_port_range``, 32768–60999 on Linux), which every outgoing connection on the machine
draws from too, and under ``pytest -n`` the other workers probe the same range at the same moment. Between
the release and the subprocess's bind, someone else may take the port.

So each pytest process owns a block of ports below the ephemeral range: xdist worker ``gwN`` (from
``PYTEST_XDIST_WORKER``) owns ``FIRST + N*SPAN`` to ``FIRST + (N+1)*SPAN - 1``; a run without xdist owns
block 0. Within a block the ports are handed out in turn (from a random start, so two test runs on the same
machine are unlikely to walk in step), each checked free by binding it, and a port is not handed out again
until the whole block has gone by. Workers of one run can therefore never collide with each other, nor with
outgoing connections. Usage::

    from tests.ports import free_port

    port = free_port()
    subprocess.Popen([*SERVER, "serve", "--port", str(port), ...])

A socket a test binds and keeps listening on itself (``socket.create_server(("127.0.0.1", 0))``) needs no
help: nobody can take a port that is still bound.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import socket
import threading
from collections.abc import Iterator

FIRST = 20_000
SPAN = 1_000
BLOCKS = 12  # 20000–31999: below Linux's default ephemeral range (32768+) and Windows' (49152+)


def worker_index(worker: str | None = None) -> int:
    """0 for ``gw0`` or a run without xdist, N for ``gwN``."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "") if worker is None else worker
    found = re.fullmatch(r"gw(\d+)", worker)
    return int(found.group(1)) if found else 0


def block(worker: str | None = None) -> range:
    """The ports this pytest process (or the named xdist worker) hands out."""
    start = FIRST + (worker_index(worker) % BLOCKS) * SPAN
    return range(start, start + SPAN)


def _walk() -> Iterator[int]:
    ports = block()
    offset = random.randrange(len(ports))
    return itertools.cycle([*ports[offset:], *ports[:offset]])


_lock = threading.Lock()
_next: Iterator[int] | None = None


def free_port() -> int:
    """A loopback port of this process's block that nothing is bound to now, and that no other test of this
    run has been given recently (see the module's docstring)."""
    global _next
    with _lock:
        if _next is None:
            _next = _walk()
        for _ in range(SPAN):
            port = next(_next)
            if _is_free(port):
                return port
    raise RuntimeError(f"no free loopback port in {block()}")  # pragma: no cover - a thousand ports all taken


def _is_free(port: int) -> bool:
    # No SO_REUSEADDR: a port still in TIME_WAIT from an earlier server counts as taken and is skipped.
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True
