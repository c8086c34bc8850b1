"""PostgreSQL: a few ticket writes (call-next, ticket issue) at once in one server process, the others
waiting their turn in arrival order.

Why: every call and issue of a centre ends by taking its change feed's clock row (gap-free seq, SYNC.md §3).
With twenty counters calling at once, twenty pool threads held twenty transactions open, each waiting for
the clock's lock or for the GIL, and a thread that held the lock could wait behind the others for the
interpreter: the calls were fair but their tail was long (20 counters racing, one worker: p99 599 ms at
127 calls/s). Let in a few at a time, a transaction runs from its first statement to its commit without
queueing for the interpreter behind the rest, and the waiting requests hold no thread and no connection
(``asyncio.Semaphore`` wakes its waiters first come, first served). SQLite's writer gate already lets one
request at a time at the database.

Measured (``benchmarks/bench_race.py``, PostgreSQL, one worker, quiet machine, interleaved): without the
gate 127–132 calls/s, p99 513–519 ms, shares −32 %…+36 %; two at a time 135–155 calls/s, p99 173–180 ms,
shares ±1 %; four at a time 145 calls/s, p99 169 ms.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Request

__all__ = ["SLOTS", "ticket_writes"]

SLOTS = 2  # ticket writes at once per server process (20 counters racing, one worker, PostgreSQL: see below)


class _Gate:
    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.semaphore = asyncio.Semaphore(SLOTS)


@asynccontextmanager
async def ticket_writes(request: Request) -> AsyncIterator[None]:
    """Wait for a turn among this process's ticket writes (PostgreSQL only)."""
    state = request.app.state
    engine = getattr(state, "engine", None)
    if engine is None or engine.dialect.name != "postgresql":
        yield
        return
    gate: _Gate | None = getattr(state, "ticket_gate", None)
    if gate is None or gate.loop is not asyncio.get_running_loop():  # an app served by a new loop (tests)
        gate = state.ticket_gate = _Gate()
    async with gate.semaphore:
        yield
