"""A headless counter for the fault tests (SYNC.md §3, R2/R3), run as a process by
``tests/server/test_sync_faults.py``::

    python -m tests.server.sync_worker DATA_DIR --user clerk.lan --seconds 20 --seed 7 --stop-file PATH

It loops until ``--seconds`` have passed or ``--stop-file`` exists: a little random clerk work, each action
committed to the counter's SQLite store (a walk-in, call next / start / finish / no-show of the ticket at
this counter, a dossier intake), then one sync round (``SyncEngine.run_once``) whose network failures
(``SyncError``) are expected and only logged. The test kills it with ``kill -9`` whenever it likes and starts
it again on the same data directory. It exits 0 when it stopped on its own.

``SYNC_FAULT`` names a point at which the worker kills itself (``os._exit(137)``, as ``kill -9`` would),
on the ``SYNC_FAULT_AFTER``-th time it gets there (default 1):

* ``after_local_enqueue`` — an op was added to the outbox, its transaction is not committed yet;
* ``after_push_before_mark`` — the server answered a push, its results are not recorded yet;
* ``mid_pull_page`` — a pulled page is applied to the cache, its transaction (with the cursor) not committed;
* ``mid_batch_drain`` — the first batch of a round is answered and recorded, the next is about to be sent.

Each line of the log (stdout) is the wall time and one event: ``work <kind>``, ``sync ok``, ``sync failed
<error>``, ``fault <point>``, ``stopped``.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from counterapp.domain.errors import DomainError
from counterapp.domain.ticket import EventKind
from counterapp.protocol.client import ServerClient, SyncError
from counterapp.services import intake, queue
from counterapp.store import outbox
from counterapp.store.database import Store, open_store
from counterapp.sync import mirror
from counterapp.sync.engine import SyncEngine, local_now
from counterapp.sync.enrollment import load_credential
from tests.counter import intake_form

POINTS = ("after_local_enqueue", "after_push_before_mark", "mid_pull_page", "mid_batch_drain")
KILLED = 137  # what a shell reports for a process killed by SIGKILL
CLIENT_TIMEOUT_S = 2.0
PUSH_BATCH = 5  # small, so an outage leaves more than one batch to drain


def say(line: str) -> None:
    now = time.time()
    sys.stdout.write(f"{time.strftime('%H:%M:%S', time.localtime(now))}.{int(now * 1000) % 1000:03d} {line}\n")
    sys.stdout.flush()


class FaultPoint:
    """Dies at the named point on its ``after``-th visit."""

    def __init__(self, name: str | None, after: int) -> None:
        if name is not None and name not in POINTS:
            raise SystemExit(f"unknown SYNC_FAULT {name!r}; known: {', '.join(POINTS)}")
        self.name, self.left = name, after

    def reached(self, name: str) -> None:
        if name != self.name:
            return
        self.left -= 1
        if self.left <= 0:
            say(f"fault {name}")
            os._exit(KILLED)


def install(point: FaultPoint, client: ServerClient) -> None:
    """Wrap the enqueue, push, hello and page-apply calls with the fault point's checks."""
    enqueue: Callable[..., Any] = outbox.enqueue

    def enqueue_then_check(*args: Any, **kwargs: Any) -> Any:
        row = enqueue(*args, **kwargs)
        args[0].flush()  # the op row is really written to the (uncommitted) transaction
        point.reached("after_local_enqueue")
        return row

    outbox.enqueue = enqueue_then_check

    apply_changes: Callable[..., int] = mirror.apply_changes

    def apply_then_check(session: Any, changes: Any, *rest: Any) -> int:
        applied = apply_changes(session, changes, *rest)
        if changes:
            point.reached("mid_pull_page")
        return applied

    mirror.apply_changes = apply_then_check

    pushes_this_round = 0
    hello, push = client.hello, client.push

    def hello_then_reset(*args: Any, **kwargs: Any) -> Any:
        nonlocal pushes_this_round
        pushes_this_round = 0
        return hello(*args, **kwargs)

    def push_with_checks(request: Any) -> Any:
        nonlocal pushes_this_round
        pushes_this_round += 1
        if pushes_this_round >= 2:  # the engine recorded the previous batch's results before asking again
            point.reached("mid_batch_drain")
        answer = push(request)
        point.reached("after_push_before_mark")
        return answer

    client.hello = hello_then_reset  # type: ignore[method-assign]
    client.push = push_with_checks  # type: ignore[method-assign]


def work(store: Store, rng: random.Random, user: str) -> None:
    """One to four clerk actions, each in its own local transaction."""
    for _ in range(rng.randint(1, 4)):
        action = rng.choices(["walkin", "queue", "intake"], weights=[4, 4, 2])[0]
        now = local_now()
        try:
            with store.write() as s:
                if action == "walkin":
                    queue.issue_walkin(s, service_code="HTCT", now=now, user_id=user)
                elif action == "intake":
                    intake.receive_dossier(s, intake_form(), now=now, user_id=user)
                else:
                    current = queue.current_ticket(s, now=now)
                    if current is None:
                        action = "call"
                        queue.call_next(s, now=now, user_id=user)
                    elif current.state.value == "called":
                        action = rng.choice(["start", "start", "start", "no_show"])
                        kind = EventKind.STARTED if action == "start" else EventKind.NO_SHOW
                        queue.act(s, kind, None, now=now, user_id=user)
                    else:
                        action = "finish"
                        queue.act(s, EventKind.FINISHED, None, now=now, user_id=user)
        except DomainError as exc:  # no lease yet, nobody waiting, …: the clerk does something else
            say(f"work {action} refused {exc.code}")
            continue
        say(f"work {action}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sync_worker")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--user", required=True, help="the clerk's username the ops carry")
    parser.add_argument("--stop-file", type=Path)
    parser.add_argument("--pause", type=float, default=0.1, help="the longest pause between rounds")
    args = parser.parse_args(argv)
    point = FaultPoint(os.environ.get("SYNC_FAULT") or None, int(os.environ.get("SYNC_FAULT_AFTER", "1")))
    rng = random.Random(args.seed)
    credential = load_credential(args.data_dir)
    store = open_store(args.data_dir)
    client = ServerClient(credential.server_url, credential.device_id, credential.credential, timeout=CLIENT_TIMEOUT_S)
    install(point, client)
    engine = SyncEngine(store, client, centre_id=credential.centre_id, batch=PUSH_BATCH, rng=rng)
    say(f"started pid {os.getpid()} fault {point.name} after {point.left}")
    deadline = time.monotonic() + args.seconds
    try:
        while time.monotonic() < deadline and not (args.stop_file and args.stop_file.exists()):
            work(store, rng, args.user)
            try:
                report = engine.run_once()
            except SyncError as exc:
                say(f"sync failed {type(exc).__name__}: {exc}")
                time.sleep(rng.uniform(args.pause, 3 * args.pause))  # a short backoff: keep the faults coming
            else:
                say(f"sync ok pushed {report.pushed} pulled {report.pulled} rejected {report.rejected}")
                time.sleep(rng.uniform(0, args.pause))
    finally:
        client.close()
        store.close()
    say("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
