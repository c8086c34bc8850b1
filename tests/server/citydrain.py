"""The clients of a city-wide reconnect, over asyncio with keep-alive connections: counters draining their
outboxes as the counter's sync engine does (batches in order, ``Retry-After`` honoured, with jitter),
counters that stayed online calling and issuing, and boards on the event stream. Shared by the drain test
and ``benchmarks/bench_city.py``."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx2

from tests.server.citykit import CounterSpec

MAX_RETRY_AFTER_S = 60.0  # as the counter's engine (counterapp.sync.engine)


@dataclass
class DrainStats:
    """What one counter saw while draining (times from ``time.time()``)."""

    device_id: str
    started: float = 0.0  # its first push was sent
    done: float = 0.0  # its last batch was answered
    pushes: int = 0  # answered 200
    refused: int = 0  # 429/503 answers (waited and sent again)
    timeouts: int = 0  # no answer within the counter's timeout (sent again: the server answers from its log)
    max_gap: float = 0.0  # the longest time between two of its answered pushes (or the start and the first)
    statuses: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


async def drain(
    http: httpx2.AsyncClient, spec: CounterSpec, bodies: list[bytes], *, at: float, rng: random.Random
) -> DrainStats:
    """Reconnect at ``at`` and push ``bodies`` in order until the outbox is empty."""
    stats = DrainStats(spec.device_id)
    headers = {**spec.headers, "Content-Type": "application/json"}
    await asyncio.sleep(max(0.0, at - time.time()))
    stats.started = last = time.time()
    for body in bodies:
        while True:
            try:
                response = await http.post("/v1/sync/push", content=body, headers=headers)
            except httpx2.TransportError:  # the engine backs off and sends the batch again
                stats.timeouts += 1
                await asyncio.sleep(rng.uniform(0.5, 2.0))
                continue
            if response.status_code == 200:
                break
            if response.status_code in (429, 503):
                stats.refused += 1
                wait = min(MAX_RETRY_AFTER_S, float(response.headers.get("Retry-After", "1")))
                await asyncio.sleep(wait * rng.uniform(0.8, 1.2))
                continue
            stats.errors.append(f"{response.status_code}: {response.text[:200]}")
            return stats
        now = time.time()
        stats.max_gap = max(stats.max_gap, now - last)
        last = now
        stats.pushes += 1
        for result in response.json()["results"]:
            stats.statuses[result["status"]] = stats.statuses.get(result["status"], 0) + 1
    stats.done = time.time()
    return stats


@dataclass
class Timed:
    """Latencies (ms) of requests, with when each was sent (``time.time()``)."""

    samples: list[tuple[float, str, float, int]] = field(default_factory=list)  # (sent at, what, ms, status)

    async def run(self, what: str, request: Callable[[], Any]) -> Any:
        sent, begun = time.time(), time.perf_counter()
        response = await request()
        self.samples.append((sent, what, (time.perf_counter() - begun) * 1000, response.status_code))
        return response


async def online_counter(
    http: httpx2.AsyncClient,
    spec: CounterSpec,
    timed: Timed,
    *,
    every: float,
    until: Callable[[], bool],
    rng: random.Random,
) -> None:
    """A counter that stayed online: a ticket issued for its service, then a call of the next one, every
    ``every`` seconds; and a bare round trip (``/healthz``) as the floor of the same moment."""
    await asyncio.sleep(rng.uniform(0, every))
    while not until():
        begun = time.time()
        await timed.run("floor", lambda: http.get("/healthz"))
        await timed.run("issue", lambda: http.post("/v1/tickets", json={"service": "HTCT"}, headers=spec.staff_headers))
        await timed.run("call", lambda: http.post("/v1/queue/call-next", headers=spec.staff_headers))
        await asyncio.sleep(max(0.0, every - (time.time() - begun)) * rng.uniform(0.8, 1.2))


async def board(http: httpx2.AsyncClient, spec: CounterSpec, heard: dict[str, int], until: Callable[[], bool]) -> None:
    """A display on the centre's event stream: counts the events it hears until ``until()``."""
    try:
        async with http.stream("GET", "/v1/events", headers=spec.headers, timeout=None) as stream:
            heard["connected"] = heard.get("connected", 0) + (stream.status_code == 200)
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    kind = json.loads(line[6:]).get("kind", "?")
                    heard[kind] = heard.get(kind, 0) + 1
                if until():
                    return
    except (httpx2.TransportError, asyncio.CancelledError):
        return


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]
