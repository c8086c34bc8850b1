"""The sync engine's wait between failed tries: "Sync now" (Ctrl+R in the window) ends it at once, while the
clerk's own writes during an outage do not (they would turn every intake into a retry storm), and the
longest wait is short enough that a counter notices the server is back within seconds."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from counterapp.protocol.client import ServerClient, Unreachable
from counterapp.sync import engine as sync_engine
from counterapp.sync.engine import MAX_BACKOFF_S, SyncEngine
from tests.counter import counter_store
from tests.ports import free_port


@pytest.fixture
def failing_engine(tmp_path: Path):
    store = counter_store(tmp_path / "counter")
    device = "0195f3a2-7c4e-7b21-9d3a-4f1c2b8e6a10"
    client = ServerClient(f"http://127.0.0.1:{free_port()}", device, "secret", timeout=1)  # nobody listens
    engine = SyncEngine(store, client, centre_id="centre-1")
    attempts: list[float] = []
    real_run_once = engine.run_once

    def counted() -> sync_engine.SyncReport:
        attempts.append(time.monotonic())
        return real_run_once()  # really tries the closed port: Unreachable

    engine.run_once = counted  # type: ignore[method-assign]
    engine.backoff = lambda failures: 30.0  # type: ignore[method-assign]  # a long wait, to be cut short
    thread = threading.Thread(target=engine.run_forever, daemon=True)
    yield engine, attempts, thread
    engine.stop()
    thread.join(5)
    client.close()
    store.close()


def wait_for(condition, seconds: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_sync_now_ends_the_wait_and_a_write_does_not(failing_engine):
    engine, attempts, thread = failing_engine
    thread.start()
    assert wait_for(lambda: len(attempts) == 1)
    with pytest.raises(Unreachable):  # the port really is closed
        engine.client.hello("x", 0)
    # WHEN the clerk writes something (the after-write hook pokes the engine) THEN no new try
    engine.poke()
    time.sleep(0.6)
    assert len(attempts) == 1
    # WHEN the clerk presses "Sync now" THEN it tries at once
    engine.retry_now()
    assert wait_for(lambda: len(attempts) == 2, 3.0)
    # WHEN the engine is stopped during a wait THEN it returns at once
    engine.stop()
    thread.join(3)
    assert not thread.is_alive()


def test_the_longest_wait_is_short():
    engine = SyncEngine.__new__(SyncEngine)
    engine._rng = type("Top", (), {"uniform": staticmethod(lambda a, b: b)})()  # type: ignore[attr-defined]
    assert [round(engine.backoff(n), 1) for n in (1, 2, 3, 4, 5, 10, 30)] == [1.0, 2.0, 4.0, 8.0, 15.0, 15.0, 15.0]
    assert MAX_BACKOFF_S <= 15
