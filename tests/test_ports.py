"""``tests.ports.free_port``: each xdist worker's ports are its own, below the kernel's ephemeral range, and
a port is free when handed out and not handed out twice in a row of a block."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

from tests import ports


def test_each_worker_owns_a_block_of_its_own_below_the_ephemeral_range():
    blocks = [set(ports.block(f"gw{n}")) for n in range(ports.BLOCKS)]
    assert all(len(b) == ports.SPAN for b in blocks)
    assert len(set().union(*blocks)) == ports.SPAN * ports.BLOCKS  # pairwise disjoint
    assert ports.block("") == ports.block("gw0") == ports.block("master")
    ephemeral = Path("/proc/sys/net/ipv4/ip_local_port_range")
    if sys.platform == "linux" and ephemeral.exists():
        low = int(ephemeral.read_text().split()[0])
        assert max(max(b) for b in blocks) < low


def test_free_port_comes_from_this_workers_block_and_is_not_repeated(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw3")
    monkeypatch.setattr(ports, "_next", None)  # a fresh walk, as in a new worker
    handed = [ports.free_port() for _ in range(50)]
    assert len(set(handed)) == 50 and set(handed) <= set(ports.block("gw3"))
    for port in handed[:5]:  # each really is free: a server can bind it
        with socket.create_server(("127.0.0.1", port)):
            pass


def test_a_port_someone_listens_on_is_skipped(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PYTEST_XDIST_WORKER", "gw5")
    monkeypatch.setattr(ports, "_next", None)
    first = ports.free_port()
    monkeypatch.setattr(ports, "_next", None)
    monkeypatch.setattr(ports.random, "randrange", lambda _n: first - ports.block()[0])  # the walk starts there
    with socket.create_server(("127.0.0.1", first)):
        given = ports.free_port()
    assert given != first and given in ports.block()
