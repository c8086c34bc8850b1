"""The counter's sync worker (SYNC.md §4 "Client loop"): hello → push until empty → pull until no more →
top up leases → wait for a poke; on failure, back off exponentially with jitter (capped at 60 s) or as
long as the server's ``Retry-After`` asks. Qt-free and blocking: the GUI runs ``run_forever`` in its own
thread and calls ``poke()`` after each local write; the CLI runs ``run_once``.

What makes "nothing lost" true here:

* the outbox is only ever *marked* (applied, duplicate, rejected, conflict) from the server's answer,
  never deleted; a batch whose answer was lost is simply sent again (the server answers from its log);
* a pull page and its cursors are applied in one local transaction (``counterapp.sync.mirror``), and a
  local row with an unanswered op is never overwritten;
* ``sync.client_regressed`` (this data directory is older than what the server has) stops pushing and
  says so — the outbox is kept for IT to export (``counterapp outbox export``) and re-import;
* a gap (the server lost ops it had acknowledged: restored from a backup) re-sends from where it asks.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeGuard

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from counterapp.domain.calendar import CalendarNotCovered
from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.migrating import current_revision
from counterapp.protocol.client import ClientRegressed, Gap, Refused, RetryLater, ServerClient, SyncError, Unreachable
from counterapp.protocol.messages import (
    CITY,
    MAX_PUSH_OPS,
    START_CURSOR,
    Change,
    Op,
    PullRequest,
    PushRequest,
    decode_cursor,
    encode_cursor,
)
from counterapp.services.clock import centre_wall_time, skewed
from counterapp.services.device import work_calendar
from counterapp.services.leases import LeaseKind, grant_lease
from counterapp.store.database import Store
from counterapp.store.outbox import device_meta
from counterapp.store.reference_models import CounterRow, QueueServiceRow
from counterapp.store.sync_models import NumberLeaseRow, OutboxRow, SyncConflictRow, SyncCursorRow
from counterapp.sync import mirror, versions
from counterapp.sync.enrollment import ensure_device_key

log = logging.getLogger(__name__)

# The longest wait between tries while the server does not answer: a counter notices it is back within
# this (half of it on average, full jitter), and 1,500 counters of a city retrying cost ~100 requests/s.
MAX_BACKOFF_S = 15.0
MAX_RETRY_AFTER_S = 60.0  # a busy server's own Retry-After is honoured up to this
WAIT_S = 25.0
# A server that refuses this counter's protocol is asked again this often (plus jitter), not every 15 s:
# a centre's counters would otherwise keep it busy until IT updates them. "Sync now" still asks at once.
VERSION_RETRY_S = 300.0
# Refill a lease kind when fewer numbers than LEASE_LOW are left for the day. Walk-in tickets come from a
# small reserved range shared by every counter of the centre (900–999 per prefix), so their blocks are small.
LEASE_LOW = {LeaseKind.DOSSIER_CODE: 10, LeaseKind.TICKET: 2}
LEASE_SIZE = {LeaseKind.DOSSIER_CODE: 50, LeaseKind.TICKET: 5}
# From mid-afternoon, also lease the next working day's numbers (a counter may stay offline overnight or
# over a weekend). The server leases nothing later than that day (issue 15 point 2).
NEXT_DAY_FROM_HOUR = 15
# The server's refusal when nobody has signed in on this counter recently: no numbers until a clerk does.
STAFF_REQUIRED = "lease.staff_required"
HAND_SIZE, HAND_MINUTES = 3, 15  # tickets held for an open counter, so it can call them if the network drops


def local_now() -> datetime:
    """The device's wall clock as the cache stores times: naive, the centre's local time."""
    return centre_wall_time()


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    leased: int = 0
    rejected: int = 0
    conflicts: int = 0


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and ``counterapp status`` show."""

    online: bool
    pending_ops: int
    oldest_pending_at: datetime | None
    last_sync_at: datetime | None
    last_error: str | None
    clock_offset_ms: int
    codes_blocked: bool  # the clock is too far off to issue dossier codes and receipts
    blocked: str | None  # why pushing stopped and needs IT (sync.client_regressed)
    leases_left: dict[str, int] = field(default_factory=dict)
    open_conflicts: int = 0
    leases_refused: str | None = None  # why the server gave no offline numbers (lease.staff_required)
    # counter_too_old | counter_too_new: the server refused this counter's protocol (counterapp.sync.versions)
    version_mismatch: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "online": self.online,
            "pending_ops": self.pending_ops,
            "oldest_pending_at": self.oldest_pending_at.isoformat() if self.oldest_pending_at else None,
            "last_sync_at": self.last_sync_at.isoformat() if self.last_sync_at else None,
            "last_error": self.last_error,
            "clock_offset_ms": self.clock_offset_ms,
            "codes_blocked": self.codes_blocked,
            "blocked": self.blocked,
            "leases_left": self.leases_left,
            "open_conflicts": self.open_conflicts,
            "leases_refused": self.leases_refused,
            "version_mismatch": self.version_mismatch,
        }


def status(store: Store, now: datetime | None = None) -> SyncStatus:
    """The sync state as recorded in the cache (readable while the worker runs in another thread)."""
    today = (now or local_now()).date()
    with store.read() as s:
        meta = device_meta(s)
        pending = s.execute(
            select(func.count(), func.min(OutboxRow.wall_time)).where(OutboxRow.status == "pending")
        ).one()
        left: dict[str, int] = {}
        for kind, scope, remaining in s.execute(
            select(
                NumberLeaseRow.kind,
                NumberLeaseRow.scope,
                func.sum(NumberLeaseRow.range_end - NumberLeaseRow.next_value + 1),
            )
            .where(NumberLeaseRow.day == today)
            .group_by(NumberLeaseRow.kind, NumberLeaseRow.scope)
        ):
            left[f"{kind}:{scope}"] = max(0, int(remaining or 0))
        conflicts = s.scalar(select(func.count()).select_from(SyncConflictRow).where(SyncConflictRow.seen_at.is_(None)))
        online = meta.last_attempt_at is not None and meta.last_error is None
        return SyncStatus(
            online=online,
            pending_ops=int(pending[0]),
            oldest_pending_at=pending[1],
            last_sync_at=meta.last_sync_at,
            last_error=meta.last_error,
            clock_offset_ms=meta.clock_offset_ms,
            codes_blocked=skewed(meta.clock_offset_ms),
            blocked=meta.sync_blocked,
            leases_left=left,
            open_conflicts=int(conflicts or 0),
            leases_refused=meta.lease_refused,
            version_mismatch=versions.mismatch_in(meta.last_error),
        )


def _aware(value: datetime) -> datetime:
    return value.replace(tzinfo=VIETNAM_TZ) if value.tzinfo is None else value


class SyncEngine:
    """One counter's sync with the server. ``clock`` gives the device's wall time (tests shift it)."""

    def __init__(
        self,
        store: Store,
        client: ServerClient,
        *,
        centre_id: str,
        clock: Callable[[], datetime] = local_now,
        batch: int = MAX_PUSH_OPS,
        rng: random.Random | None = None,
    ) -> None:
        self.store, self.client, self.centre_id, self.clock = store, client, centre_id, clock
        self.batch = batch
        self.spaces = [str(CITY), f"centre:{centre_id}", f"device:{client.device_id}"]
        self._poke = threading.Event()
        self._retry = threading.Event()  # "Sync now": ends a wait between failed tries (a write does not)
        self._stop = threading.Event()
        self._rng = rng or random.Random()

    # --- one round ---

    def hello(self) -> int:
        """Say hello; measure and store the clock offset (server − device, at the request's midpoint)."""
        with self.store.read() as s:
            counter_epoch = _counter_epoch(s)
        sent = self.clock()
        started = time.monotonic()
        answer, raw = self.client.hello(current_revision(self.store.write_engine) or "0", counter_epoch)
        elapsed = timedelta(seconds=time.monotonic() - started)
        if "device_key" in raw:  # a server that knows device keys: make sure it holds this counter's
            ensure_device_key(self.store.path.parent, self.client, raw["device_key"])
        server_local = answer.server_time.astimezone(VIETNAM_TZ).replace(tzinfo=None)
        offset_ms = int((server_local - (sent + elapsed / 2)).total_seconds() * 1000)
        with self.store.write() as s:
            meta = device_meta(s)
            meta.clock_offset_ms = offset_ms
            meta.server_epoch = answer.server_epoch
        return offset_ms

    def push_all(self) -> SyncReport:
        """Push the outbox in ``client_seq`` order until nothing is pending; results are recorded."""
        report = SyncReport()
        while True:
            with self.store.read() as s:
                rows = list(
                    s.scalars(
                        select(OutboxRow)
                        .where(OutboxRow.status == "pending")
                        .order_by(OutboxRow.client_seq)
                        .limit(self.batch)
                    )
                )
                blocked = device_meta(s).sync_blocked
            if not rows or blocked:
                return report
            wire = [
                Op(op_id=r.op_id, client_seq=r.client_seq, kind=r.kind, v=r.v, payload=r.payload,
                   user_id=r.user_id, wall_time=_aware(r.wall_time), corrected_time=_aware(r.corrected_time),
                   epoch=r.epoch)
                for r in rows
            ]  # fmt: skip
            try:
                answer = self.client.push(PushRequest(client_id=self.client.device_id, ops=wire))
            except Gap as gap:
                self._resend_from(gap.expected_seq, rows[0].client_seq)
                continue
            except ClientRegressed:
                with self.store.write() as s:
                    device_meta(s).sync_blocked = "sync.client_regressed"
                log.error("the server holds newer ops of this device: pushing stopped; export the outbox")
                return report
            if not answer.results:
                return report
            acked_at = self.clock()
            mine = {r.client_seq: r.op_id for r in rows}
            marks = [
                {
                    "client_seq": r.client_seq,
                    "status": r.status,
                    "result": r.model_dump(mode="json"),
                    "acked_at": acked_at,
                }
                for r in answer.results
                if mine.get(r.client_seq) == r.op_id  # only answers about the ops this batch sent
            ]
            with self.store.write() as s:  # one executemany for the batch's answers (ORM bulk by primary key)
                s.execute(update(OutboxRow), marks)
                for result in answer.results:  # a refused call: the server's ticket replaces the local guess
                    if _server_ticket(result.canonical) and not mirror.has_pending(s, "ticket", result.canonical["id"]):
                        mirror.apply_ticket(s, result.canonical)
                    elif (  # a refused void: the server's dossier (still received, or returned) comes back
                        result.status == "rejected"
                        and _server_dossier(result.canonical)
                        and not mirror.has_pending(s, "dossier", result.canonical["id"])
                    ):
                        mirror.apply_dossier(s, result.canonical)
            report.pushed += len(marks)
            report.rejected += sum(r.status == "rejected" for r in answer.results)
            report.conflicts += sum(r.status == "conflict" for r in answer.results)

    def _resend_from(self, expected: int, first_pending: int) -> None:
        """The server expects an earlier op than our first pending one: it lost ops it had acknowledged
        (restored from a backup). Mark them pending again — the outbox still holds every op."""
        if expected >= first_pending:
            raise Refused(
                409, "sync.gap", f"the server expects op {expected} after {first_pending}"
            )  # pragma: no cover
        with self.store.write() as s:
            s.execute(update(OutboxRow).where(OutboxRow.client_seq >= expected).values(status="pending"))
        log.warning("the server asked for ops from %s again; re-sending", expected)

    def pull_all(self) -> int:
        """Pull every space to its head, one page and its cursors per local transaction."""
        pulled = 0
        while True:
            with self.store.read() as s:
                stored = {row.space: row.cursor for row in s.scalars(select(SyncCursorRow))}
            cursors = {space: stored.get(space, START_CURSOR) for space in self.spaces}
            page = self.client.pull(PullRequest(client_id=self.client.device_id, cursors=cursors))
            held: dict[str, int] = {}
            with self.store.write() as s:
                pulled += mirror.apply_changes(s, list(page.changes), held)
                for space, cursor in page.cursors.items():
                    if space in held:  # not past a change kept back for an unanswered op
                        cursor = encode_cursor(max(decode_cursor(cursors[space]), held[space] - 1))
                    row = s.get(SyncCursorRow, space)
                    if row is None:
                        s.add(SyncCursorRow(space=space, cursor=cursor))
                    else:
                        row.cursor = cursor
            for space in page.reset_required:
                pulled += self._reset(space)
            stuck = held and all(
                decode_cursor(cursors[space]) >= held[space] - 1 for space in held
            )  # a whole page held back: come back after the next push
            if not page.has_more or stuck:
                return pulled

    def _reset(self, space: str) -> int:
        """Re-read a space from a snapshot (its cursor can no longer continue), then pull from there."""
        applied, page = 0, None
        as_of = START_CURSOR
        while True:
            body = self.client.snapshot(space, page)
            as_of = body["as_of"]
            changes = [
                Change(
                    space=space,
                    seq=1,
                    entity=r["entity"],
                    id=r["id"],
                    op="upsert",
                    version=r["version"],
                    data=r["data"],
                )
                for r in body["rows"]
                if r["data"] is not None
            ]
            with self.store.write() as s:
                applied += mirror.apply_changes(s, changes)
            page = body.get("next_page")
            if not page:
                break
        with self.store.write() as s:
            row = s.get(SyncCursorRow, space)
            if row is None:
                s.add(SyncCursorRow(space=space, cursor=as_of))
            else:
                row.cursor = as_of
        return applied

    def refill_leases(self) -> int:
        """Keep today's (and, late in the day, the next working day's) dossier-code and ticket-number leases
        above their ``LEASE_LOW``, so the counter can keep issuing when the network drops.

        The server cuts a block to this device's fair share, and refuses one (403 ``lease.staff_required``)
        when nobody has signed in on this counter recently: that refusal is recorded for the status bar and
        ``counterapp status`` (``SyncStatus.leases_refused``) and logged — the counter must not run out of
        numbers silently — and the round asks no more. A share already held (409 ``lease.cap_reached``) is
        normal: the counter uses what it has first."""
        now = self.clock()
        days = [now.date()] + ([self._next_working_day(now.date())] if now.hour >= NEXT_DAY_FROM_HOUR else [])
        self.adopt_leases(now)
        with self.store.read() as s:
            meta = device_meta(s)
            wanted = [(LeaseKind.DOSSIER_CODE, meta.agency_code)]
            wanted += [(LeaseKind.TICKET, prefix) for prefix in s.scalars(select(QueueServiceRow.prefix))]
        granted, refused = 0, None
        for day, (kind, scope) in ((d, w) for d in days for w in wanted):
            if self._left(kind, scope, day) >= LEASE_LOW[kind]:
                continue
            server_kind = "dossier" if kind is LeaseKind.DOSSIER_CODE else "ticket"
            try:
                block = self.client.lease(server_kind, scope, day.isoformat(), LEASE_SIZE[kind])
            except Refused as exc:
                if exc.code == STAFF_REQUIRED:  # every other request would get the same answer
                    refused = exc.code
                    break
                # the share already held (normal), the day's reserved range used up: say so, keep going
                level = logging.INFO if exc.code == "lease.cap_reached" else logging.WARNING
                log.log(level, "no %s lease for %s on %s (%s)", server_kind, scope, day, exc.code)
                continue
            with self.store.write() as s:
                grant_lease(s, kind=kind, scope=scope, day=date.fromisoformat(block["day"]), start=block["start"],
                            end=block["end"], now=now, source="server", lease_id=block["lease_id"])  # fmt: skip
            granted += 1
        self._note_refusal(refused)
        return granted

    def _next_working_day(self, today: date) -> date:
        """The next working day by this counter's calendar (the bundled one and its overrides); the next
        calendar day for a year the calendar does not cover."""
        with self.store.read() as s:
            calendar = work_calendar(s)
        try:
            return calendar.next_working_day(today)
        except CalendarNotCovered:
            return today + timedelta(days=1)

    def _note_refusal(self, refused: str | None) -> None:
        with self.store.write() as s:
            meta = device_meta(s)
            if refused and meta.lease_refused != refused:
                log.warning("the server gives this counter no offline numbers (%s): a clerk must sign in", refused)
            elif not refused and meta.lease_refused:
                log.info("the server gives this counter offline numbers again")
            meta.lease_refused = refused

    def adopt_leases(self, now: datetime) -> int:
        """Record every block the server granted this device that the cache lacks (the answer to a lease
        request was lost on the network): those numbers are this counter's to use, not a silent gap."""
        granted = self.client.leases(now.date().isoformat())
        with self.store.read() as s:
            held = set(s.scalars(select(NumberLeaseRow.id)))
        adopted = 0
        for block in granted:
            if block["lease_id"] in held:
                continue
            kind = LeaseKind.DOSSIER_CODE if block["kind"] == "dossier" else LeaseKind.TICKET
            with self.store.write() as s:
                grant_lease(s, kind=kind, scope=block["scope"], day=date.fromisoformat(block["day"]),
                            start=block["start"], end=block["end"], now=now, source="server",
                            lease_id=block["lease_id"])  # fmt: skip
            adopted += 1
            log.info("adopted a %s lease for %s whose answer had been lost", block["kind"], block["day"])
        return adopted

    def refresh_hand(self) -> int:
        """Ask the server to hold the next few tickets for this counter while it is open (SYNC.md §2 (a));
        the dealt tickets arrive by the next pull. Returns how many are held."""
        with self.store.read() as s:
            counter = s.get(CounterRow, device_meta(s).counter_number)
            open_now = counter is not None and counter.status == "open"
        if not open_now:
            return 0
        try:
            return len(self.client.deal_hand(HAND_SIZE, HAND_MINUTES)["tickets"])
        except Refused as exc:  # e.g. the device has no counter any more: calling needs the server then
            log.warning("no hand dealt (%s)", exc.code)
            return 0

    def _left(self, kind: LeaseKind, scope: str, day: date) -> int:
        with self.store.read() as s:
            left = s.scalar(
                select(func.sum(NumberLeaseRow.range_end - NumberLeaseRow.next_value + 1)).where(
                    NumberLeaseRow.kind == kind.value, NumberLeaseRow.scope == scope, NumberLeaseRow.day == day
                )
            )
        return int(left or 0)

    def run_once(self) -> SyncReport:
        """One complete round; raises ``SyncError`` subclasses when the server cannot be reached."""
        with self.store.write() as s:
            device_meta(s).last_attempt_at = self.clock()
        try:
            self.hello()
            report = self.push_all()
            report.pulled = self.pull_all()
            report.leased = self.refill_leases()
            if self.refresh_hand():
                report.pulled += self.pull_all()  # the hand's tickets, marked as held for this counter
            more = self.push_all()  # what the clerk did meanwhile
            report.pushed += more.pushed
        except SyncError as exc:
            with self.store.write() as s:
                device_meta(s).last_error = versions.describe(exc)
            raise
        with self.store.write() as s:
            meta = device_meta(s)
            meta.last_sync_at, meta.last_error = self.clock(), None
        return report

    # --- forever ---

    def poke(self) -> None:
        """Something was written locally: push now instead of waiting."""
        self._poke.set()

    def retry_now(self) -> None:
        """The clerk asked to sync now: push at once, and after a failure do not wait for the next try."""
        self._retry.set()
        self._poke.set()

    def stop(self) -> None:
        self._stop.set()
        self._retry.set()
        self._poke.set()

    def backoff(self, failures: int) -> float:
        """Full jitter (AWS architecture blog): uniform in [0, min(cap, 0.5 s · 2^failures)]."""
        return self._rng.uniform(0, min(MAX_BACKOFF_S, 0.5 * 2 ** min(failures, 10)))

    def run_forever(self, *, wait_s: float = WAIT_S) -> None:
        failures = 0
        while not self._stop.is_set():
            self._poke.clear()
            self._retry.clear()
            try:
                self.run_once()
                failures = 0
                with self.store.read() as s:
                    cursors = {row.space: row.cursor for row in s.scalars(select(SyncCursorRow))}
                if not self._poke.is_set():
                    self._wait(cursors, wait_s)
            except RetryLater as exc:
                failures += 1
                self._poke.wait(min(MAX_RETRY_AFTER_S, exc.seconds + self._rng.uniform(0, 1)))
            except (Unreachable, Refused) as exc:
                failures += 1
                delay = self.backoff(failures)
                if versions.mismatch_of(exc):  # no answer will change until someone installs a version
                    delay = VERSION_RETRY_S + self._rng.uniform(0, 30)
                log.info("sync failed (%s); next try in %.1f s", exc, delay)
                # "Sync now" tries again at once; a write waits (a clerk working offline writes all day)
                self._retry.wait(delay)

    def _wait(self, cursors: dict[str, str], wait_s: float) -> None:
        """Long-poll for a change, but come back at once when the clerk writes something (poke)."""
        done = threading.Event()

        def long_poll() -> None:
            try:
                self.client.wait({s: c for s, c in cursors.items() if s in self.spaces}, wait_s)
            except SyncError:
                pass
            except RuntimeError:  # the engine was stopped and its client closed while this poll waited
                pass
            finally:
                done.set()
                self._poke.set()

        threading.Thread(target=long_poll, name="counterapp-sync-wait", daemon=True).start()
        self._poke.wait(wait_s + 5)


def _server_ticket(canonical: dict[str, Any] | None) -> TypeGuard[dict[str, Any]]:
    """Whether a result's ``canonical`` is the server's ticket (refused calls and steps carry it)."""
    return canonical is not None and {"id", "number", "state", "service", "day"} <= canonical.keys()


def _server_dossier(canonical: dict[str, Any] | None) -> TypeGuard[dict[str, Any]]:
    """Whether a result's ``canonical`` is the server's dossier (a refused ``dossier.void`` carries it)."""
    return canonical is not None and {"id", "code", "status", "version", "received_at", "form"} <= canonical.keys()


def _counter_epoch(session: Session) -> int:
    meta = device_meta(session)
    counter = session.get(CounterRow, meta.counter_number)
    return int(counter.epoch) if counter else 0
