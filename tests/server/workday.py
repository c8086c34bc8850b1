"""A counter's working day done offline (SYNC.md §3 R5), through the real services: dossiers received,
some corrected, results returned, and walk-in tickets called, started and finished. Shared by the R5
test and ``benchmarks/bench_sync.py``."""

from __future__ import annotations

from datetime import datetime, timedelta

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.ticket import EventKind
from counterapp.services import dossiers, intake, leases, queue
from counterapp.store.database import Store
from counterapp.store.outbox import device_meta
from counterapp.sync.engine import SyncEngine
from tests.counter import intake_form

MAX_LEASE = 300  # the server's largest block


def lease_for_the_day(
    engine: SyncEngine, day: datetime, *, dossier_codes: int, tickets: int, prefix: str = "A"
) -> None:
    """What a counter would have leased before the network dropped: enough numbers for the whole day."""
    with engine.store.read() as s:
        agency = device_meta(s).agency_code
    wanted = [
        (leases.LeaseKind.DOSSIER_CODE, "dossier", agency, dossier_codes),
        (leases.LeaseKind.TICKET, "ticket", prefix, tickets),
    ]
    for kind, server_kind, scope, total in wanted:
        while total > 0:
            block = engine.client.lease(server_kind, scope, day.date().isoformat(), min(total, MAX_LEASE))
            with engine.store.write() as s:
                leases.grant_lease(s, kind=kind, scope=scope, day=day.date(), start=block["start"], end=block["end"],
                                   now=day, lease_id=block["lease_id"])  # fmt: skip
            total -= block["end"] - block["start"] + 1


def earlier_today(steps: int) -> tuple[datetime, timedelta]:
    """A start (naive, the centre's local time) and a step for ``steps`` moments of work that all lie
    earlier today and before now: the server believes no op stamped after it received it, nor before the
    device's enrollment (``op_trust``), and offline numbers are leased for today."""
    now = datetime.now(VIETNAM_TZ).replace(tzinfo=None)
    end = now - timedelta(seconds=30)
    start = max(now.replace(hour=0, minute=0, second=0, microsecond=0), end - timedelta(seconds=20 * steps))
    return start, max(timedelta(microseconds=1), (end - start) / (steps + 1))  # just after midnight: tiny steps


def working_day(
    store: Store,
    start: datetime,
    user: str,
    *,
    dossiers_n: int,
    walkins: int,
    amends: int,
    step: timedelta = timedelta(seconds=20),
) -> int:
    """Record the day, one dossier every ``step`` from ``start``; returns how many ops it wrote (dossiers × 2 +
    amendments + walk-ins × 4)."""
    at = start
    codes: list[str] = []
    for n in range(dossiers_n):
        at += step
        with store.write() as s:
            codes.append(intake.receive_dossier(s, intake_form(), now=at, user_id=user).dossier.code)
        if n < walkins:
            with store.write() as s:
                queue.issue_walkin(s, service_code="HTCT", now=at, user_id=user)
            for kind in (EventKind.CALLED, EventKind.STARTED, EventKind.FINISHED):
                with store.write() as s:
                    if kind is EventKind.CALLED:
                        queue.call_next(s, now=at, user_id=user)
                    else:
                        queue.act(s, kind, None, now=at, user_id=user)
    for code in codes[:amends]:
        with store.write() as s:
            intake.amend_dossier(s, code, intake_form(note="bổ sung bản sao"), now=at, user_id=user)
    for code in codes:
        with store.write() as s:
            dossiers.return_result(s, code, collected_by="Nguyễn Văn An", now=at, user_id=user)
    return dossiers_n * 2 + amends + walkins * 4
