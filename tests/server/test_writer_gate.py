"""On SQLite each request waits at the app's ``WriterGate`` before it touches the database. Every SQLite
transaction here begins IMMEDIATE, so a request holds the write lock from its device check (on one pool
thread) to its commit (on another): with more requests at once than pool threads, the holder used to wait
for a thread that every other request held while polling for the lock, until SQLite's busy timeout failed
them all with 503."""

from __future__ import annotations

import asyncio

import anyio
import httpx2
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.services import devices, org
from tests.server.authkit import CENTRE_A, Enrolled, enroll, make_centre, now

REQUESTS = 12
POOL_THREADS = 2


def kiosk(client: TestClient, sessions: sessionmaker[Session]) -> Enrolled:
    make_centre(sessions, CENTRE_A)
    with sessions.begin() as session:
        centre = org.centre_by_code(session, CENTRE_A)
        code = devices.create_device(session, centre, kind="kiosk", counter=None, now=now())[1]
    return enroll(client, code)


async def issue_at_once(app: FastAPI, headers: dict[str, str]) -> list[httpx2.Response]:
    anyio.to_thread.current_default_thread_limiter().total_tokens = POOL_THREADS  # this loop's pool
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://server", timeout=60) as http:
        requests = [http.post("/v1/tickets", json={"service": "HTCT"}, headers=headers) for _ in range(REQUESTS)]
        return list(await asyncio.gather(*requests))


def test_more_requests_at_once_than_pool_threads_all_succeed(
    client: TestClient, server_engine: Engine, server_sessions: sessionmaker[Session]
):
    if server_engine.dialect.name != "sqlite":
        pytest.skip("the gate is SQLite's: PostgreSQL locks rows, not the database")
    headers = kiosk(client, server_sessions).headers
    assert isinstance(client.app, FastAPI)
    responses = asyncio.run(issue_at_once(client.app, headers))
    assert [r.status_code for r in responses] == [201] * REQUESTS, [r.text for r in responses if r.status_code != 201]
    numbers = sorted(r.json()["number"] for r in responses)
    assert numbers == [f"A{n:03d}" for n in range(1, REQUESTS + 1)]
