"""Live events for boards and counters (DESIGN.md §3 rule 5): a poke within a second; pull stays the truth.

A use case records an event on its session; it is published only if and after that transaction commits:

    publish_after_commit(session, centre_id, "ticket.called", {"ticket_id": t.id, "number": "A012",
                                                               "service": "HTCT", "counter": "5"})
    session.commit()  # now it is published; after a rollback it never is

Kinds: ``ticket.issued``, ``ticket.called`` (with ``counter``), ``ticket.recalled``, ``assignment.changed``,
and ``space.advanced`` (``space``, ``seq``: the change feed moved on; ``counterapp.server.feed``).
Events never carry personal data: ``data`` may only hold the keys of ``DATA_KEYS`` (ticket id and number,
service, counter, epoch, status) and times (keys ending in ``_at``), as strings, numbers, booleans, null
or lists of those; anything else raises ``ValueError`` at the call.

Each published event is ``{id, centre_id, kind, at, data}`` (``Event``). The ``EventHub`` of each server
process fans events out to its subscribers (bounded queues; a subscriber that falls behind is dropped,
never waited for), each subscriber receiving only its own centre's events, and only while the device (and
staff session) that opened it may still listen: the hub checks that before each batch and twice a second,
and ends the others at once (``counterapp.server.event_guard``). Where the events travel
depends on the database:

* SQLite (single process): in-process, straight from the committing thread to the hub's event loop.
* PostgreSQL: ``NOTIFY counterapp_events, '<json>'`` on the transaction's own connection just before its
  commit (``send_pending``, called last by the session factory's ``before_commit`` hook): PostgreSQL
  delivers a ``NOTIFY`` only when its transaction commits and drops it on rollback, and a request never
  needs a second pooled connection (fifty requests committing at once, each holding one connection and
  waiting for another, would deadlock the pool). Every worker process keeps one ``LISTEN`` connection (a
  background task of its hub) and fans out to its own subscribers, so a subscriber on any worker gets
  every event.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import threading
import weakref
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import psycopg
from sqlalchemy import Engine, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from counterapp.server.event_guard import SWEEP_S, Holder, ended
from counterapp.server.services.common import new_id

__all__ = [
    "CHANNEL",
    "DATA_KEYS",
    "KINDS",
    "Event",
    "EventHub",
    "Subscription",
    "SubscriptionDropped",
    "hub_for",
    "publish_after_commit",
    "send_pending",
]

log = logging.getLogger(__name__)

CHANNEL = "counterapp_events"
KINDS = frozenset({"ticket.issued", "ticket.called", "ticket.recalled", "assignment.changed", "space.advanced"})
DATA_KEYS = frozenset(
    {
        "ticket_id",
        "number",
        "service",
        "services",
        "counter",
        "counter_id",
        "epoch",
        "status",
        "previous_counter",
        "space",
        "seq",
    }
)
# every event of one commit in one statement, in order
NOTIFY_ALL = text(
    "SELECT pg_notify(:channel, p) FROM unnest(CAST(:payloads AS text[])) WITH ORDINALITY AS t(p, n) ORDER BY n"
)
MAX_PAYLOAD_BYTES = 4000  # PostgreSQL's NOTIFY payload limit is 8000 bytes
QUEUE_SIZE = 256  # events a subscriber may fall behind before it is dropped
_PENDING = "counterapp.events.pending"
_HOOKED = "counterapp.events.hooked"


@dataclass(frozen=True)
class Event:
    id: str
    centre_id: str
    kind: str
    at: str  # ISO 8601, UTC
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> str:
        body = {"id": self.id, "centre_id": self.centre_id, "kind": self.kind, "at": self.at, "data": self.data}
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, payload: str) -> Event:
        body = json.loads(payload)
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise ValueError("not an event")
        return cls(str(body["id"]), str(body["centre_id"]), str(body["kind"]), str(body["at"]), body["data"])


def _check_value(key: str, value: Any) -> None:
    scalar = (str, int, float, bool, type(None))
    if isinstance(value, scalar) or (isinstance(value, list) and all(isinstance(v, scalar) for v in value)):
        return
    raise ValueError(f"event data {key!r}: only strings, numbers, booleans, null or lists of those")


def make_event(centre_id: str, kind: str, data: Mapping[str, Any], *, at: datetime | None = None) -> Event:
    """A new event after checking that ``kind`` is known and ``data`` holds no personal data."""
    if kind not in KINDS:
        raise ValueError(f"unknown event kind {kind!r}")
    for key, value in data.items():
        if key not in DATA_KEYS and not key.endswith("_at"):
            raise ValueError(f"event data may not hold {key!r} (no personal data: see counterapp.server.events)")
        _check_value(key, value.isoformat() if isinstance(value, datetime) else value)
    clean = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()}
    stamp = (at or datetime.now(UTC)).astimezone(UTC).isoformat()
    event = Event(id=new_id(), centre_id=centre_id, kind=kind, at=stamp, data=clean)
    if len(event.to_json().encode()) > MAX_PAYLOAD_BYTES:
        raise ValueError("event too large")
    return event


def publish_after_commit(session: Session, centre_id: str, kind: str, data: dict[str, Any]) -> None:
    """Publish this event if and once ``session``'s current transaction commits; forget it on rollback,
    including the rollback of a SAVEPOINT it was recorded in (a push applies each op in one).
    Raises ``ValueError`` at once for an unknown kind or a ``data`` key that is not allowed."""
    pending: list[tuple[Event, SessionTransaction | None]] = session.info.setdefault(_PENDING, [])
    pending.append((make_event(centre_id, kind, data), session.get_nested_transaction()))
    if not session.info.get(_HOOKED):  # a session of a factory without ``install``
        session.info[_HOOKED] = True
        _listen(session)


def install(factory: sessionmaker[Session]) -> None:
    """Hook the commit and rollback listeners on the factory once, instead of on each session that
    publishes (three listeners a request cost about 0.2 ms)."""
    _listen(factory)
    factory.configure(info={**factory.kw.get("info", {}), _HOOKED: True})


def _listen(target: Session | sessionmaker[Session]) -> None:
    sa_event.listen(target, "after_commit", _after_commit)
    sa_event.listen(target, "after_rollback", _after_rollback)
    sa_event.listen(target, "after_soft_rollback", _after_soft_rollback)


def take_payloads(session: Session) -> list[str]:
    """The pending events as ``NOTIFY`` payloads, no longer pending: on PostgreSQL the caller sends them in
    the committing transaction (``send_pending``, or the change feed's own last statement)."""
    return [item.to_json() for item, _savepoint in session.info.pop(_PENDING, [])]


def notifying(session: Session) -> bool:
    """Whether ``send_pending`` would send now: the outermost transaction, on PostgreSQL."""
    return not session.in_nested_transaction() and session.get_bind().dialect.name == "postgresql"


def send_pending(session: Session) -> None:
    """On PostgreSQL, ``NOTIFY`` the events recorded so far on the session's own connection, inside the
    transaction that is about to commit (delivered at its commit, dropped if it rolls back). Elsewhere
    nothing: the in-process hub is told after the commit. Called by the ``before_commit`` hook of the
    server's session factory after the change feed has recorded its own events."""
    if not notifying(session):
        return
    payloads = take_payloads(session)
    if payloads:
        session.connection().execute(NOTIFY_ALL, {"channel": CHANNEL, "payloads": payloads})


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a SAVEPOINT released: the real commit is still to come
        return
    events = [item for item, _savepoint in session.info.pop(_PENDING, [])]
    if not events:  # on PostgreSQL ``send_pending`` normally sent them with the commit
        return
    try:
        bind = session.get_bind()
        engine = bind if isinstance(bind, Engine) else bind.engine
        dispatch(engine, events)
    except Exception as exc:  # the transaction is committed: never fail the request for a poke
        log.warning("live events not published (%s); clients catch up by pull", type(exc).__qualname__)


def _after_rollback(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


def _inside(transaction: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is outer:
            return True
        transaction = transaction.parent
    return False


def _after_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    """A SAVEPOINT rolled back: forget the events recorded inside it, keep the others."""
    if previous.nested and _PENDING in session.info:
        session.info[_PENDING] = [(e, sp) for e, sp in session.info[_PENDING] if not _inside(sp, previous)]


# --- dispatch ------------------------------------------------------------------------------------------

_HUBS: weakref.WeakKeyDictionary[Engine, EventHub] = weakref.WeakKeyDictionary()
_HUBS_LOCK = threading.Lock()


def hub_for(engine: Engine) -> EventHub | None:
    """The started hub of this process for ``engine``, if any."""
    with _HUBS_LOCK:
        return _HUBS.get(engine)


def dispatch(engine: Engine, events: list[Event]) -> None:
    """Publish committed events: ``NOTIFY`` on PostgreSQL (every worker's hub hears it), else straight to
    this process's hub (nobody to tell when there is none, e.g. a CLI command on SQLite)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:  # one round trip for the whole commit's events, in order
            connection.execute(
                NOTIFY_ALL,
                {"channel": CHANNEL, "payloads": [item.to_json() for item in events]},
            )
            connection.commit()
        return
    hub = hub_for(engine)
    if hub is not None:
        for item in events:
            hub.publish_local(item)


# --- hub -----------------------------------------------------------------------------------------------


class SubscriptionDropped(Exception):
    """The subscriber fell too far behind (or the hub stopped): reconnect and pull."""


class Subscription:
    """One listener's queue. ``holder`` (``event_guard.Holder``) is who opened it, checked before each batch
    and every ``event_guard.SWEEP_S``; ``None`` for an in-process listener with nothing to revoke.
    ``ended_by`` is the code of why the hub ended it for its holder (``auth.device_revoked``…), if it did."""

    def __init__(self, centre_id: str, size: int, holder: Holder | None = None) -> None:
        self.centre_id = centre_id
        self.holder = holder
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue(maxsize=size)  # None: wake up, look at dropped
        self.dropped = False
        self.ended_by: str | None = None

    async def get(self, timeout: float | None = None) -> Event:
        """The next event; ``TimeoutError`` after ``timeout`` seconds without one; ``SubscriptionDropped``
        once dropped and drained."""
        while True:
            if self.dropped and self.queue.empty():
                raise SubscriptionDropped
            item = self.queue.get_nowait() if self.dropped else await asyncio.wait_for(self.queue.get(), timeout)
            if item is not None:
                return item

    def end(self) -> None:
        """Drop this subscription and wake its reader (which drains what is queued, then ends)."""
        self.dropped = True
        with suppress(asyncio.QueueFull):
            self.queue.put_nowait(None)

    def revoke(self, reason: str) -> None:
        """End this subscription at once, its queue discarded: its holder may no longer listen."""
        self.ended_by = reason
        while not self.queue.empty():
            self.queue.get_nowait()
        self.end()


class EventHub:
    """Fan-out of one server process. ``await start()`` on app startup, ``await stop()`` on shutdown."""

    def __init__(self, engine: Engine, *, queue_size: int = QUEUE_SIZE, sweep_s: float = SWEEP_S) -> None:
        self.engine = engine
        self.queue_size = queue_size
        self.sweep_s = sweep_s
        self.backend = "postgresql" if engine.dialect.name == "postgresql" else "memory"
        self._subscribers: dict[str, set[Subscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Task[None] | None = None
        self._inbox: asyncio.Queue[Event] = asyncio.Queue()
        self._deliverer: asyncio.Task[None] | None = None
        self._guard_failing = False
        self._listening = asyncio.Event()
        self._tried = asyncio.Event()
        self._signals: dict[int, Any] = {}

    # lifecycle

    async def start(self, *, listen_timeout: float = 10.0, end_streams_on_exit_signals: bool = False) -> None:
        """Serve subscribers; on PostgreSQL, LISTEN first. With ``end_streams_on_exit_signals`` (a real
        server process), SIGTERM/SIGINT also end every subscription before the server's own handler runs:
        uvicorn waits for open responses to finish before shutting down, and an event stream never would."""
        self._loop = asyncio.get_running_loop()
        if end_streams_on_exit_signals and threading.current_thread() is threading.main_thread():
            self._chain_signals()
        self._listening = asyncio.Event()
        self._tried = asyncio.Event()
        self._inbox = asyncio.Queue()
        self._deliverer = asyncio.create_task(self._deliver(), name="counterapp-events-deliver")
        with _HUBS_LOCK:
            _HUBS[self.engine] = self
        if self.backend == "postgresql":
            self._listener = asyncio.create_task(self._listen(), name="counterapp-events-listen")
            # Wait for the first attempt only: if it failed, the task keeps trying; clients catch up by pull.
            with suppress(TimeoutError):
                await asyncio.wait_for(self._tried.wait(), listen_timeout)

    async def stop(self) -> None:
        for number, previous in self._signals.items():
            signal.signal(number, previous)
        self._signals.clear()
        with _HUBS_LOCK:
            if _HUBS.get(self.engine) is self:
                del _HUBS[self.engine]
        for task in (self._listener, self._deliverer):
            if task is not None:
                task.cancel()
                with suppress(asyncio.CancelledError, Exception):
                    await task
        self._listener = self._deliverer = None
        self.end_all()
        self._loop = None

    def end_all(self) -> None:
        """End every subscription (their streams finish, clients reconnect elsewhere or later)."""
        for subscribers in list(self._subscribers.values()):
            for subscription in list(subscribers):
                self._drop(subscription)

    def _chain_signals(self) -> None:
        loop = self._loop
        assert loop is not None
        for number in (signal.SIGINT, signal.SIGTERM):
            previous = signal.getsignal(number)
            self._signals[number] = previous

            def handler(signum: int, frame: Any, previous: Any = previous) -> None:
                if not loop.is_closed():
                    loop.call_soon_threadsafe(self.end_all)
                if callable(previous):
                    previous(signum, frame)

            signal.signal(number, handler)

    @property
    def listening(self) -> bool:
        return self.backend == "memory" or self._listening.is_set()

    # subscribers

    @contextmanager
    def subscribe(self, centre_id: str, holder: Holder | None = None) -> Iterator[Subscription]:
        """A subscription to ``centre_id``'s events (from this process's event loop), ended on exit, and
        by the hub as soon as ``holder`` may no longer listen (``event_guard``)."""
        subscription = Subscription(centre_id, self.queue_size, holder)
        self._subscribers.setdefault(centre_id, set()).add(subscription)
        try:
            yield subscription
        finally:
            self._remove(subscription)

    def subscriber_count(self, centre_id: str | None = None) -> int:
        if centre_id is not None:
            return len(self._subscribers.get(centre_id, ()))
        return sum(len(s) for s in self._subscribers.values())

    def _remove(self, subscription: Subscription) -> None:
        subscribers = self._subscribers.get(subscription.centre_id)
        if subscribers is not None:
            subscribers.discard(subscription)
            if not subscribers:
                del self._subscribers[subscription.centre_id]

    def _drop(self, subscription: Subscription) -> None:
        subscription.end()
        self._remove(subscription)

    # publishing

    def publish_local(self, event: Event) -> None:
        """Hand ``event`` to this process's subscribers; safe from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._inbox.put_nowait(event)
        else:
            loop.call_soon_threadsafe(self._inbox.put_nowait, event)

    async def _deliver(self) -> None:
        """Hand out events in arrival order, each batch after checking that the holders of its centres'
        subscriptions may still listen; check every holder every ``sweep_s`` too (``event_guard``)."""
        loop = asyncio.get_running_loop()
        next_sweep = loop.time() + self.sweep_s
        while True:
            if loop.time() >= next_sweep:
                await self._check(self._held())
                next_sweep = loop.time() + self.sweep_s
            try:
                first = await asyncio.wait_for(self._inbox.get(), max(0.0, next_sweep - loop.time()))
            except TimeoutError:
                continue
            batch = [first]
            while not self._inbox.empty():
                batch.append(self._inbox.get_nowait())
            try:
                await self._check(self._held({event.centre_id for event in batch}))
                for event in batch:
                    self._fan_out(event)
            except Exception:  # never stop delivering for one bad batch: clients catch up by pull
                log.exception("live events: a batch of %d events was not delivered", len(batch))

    def _held(self, centres: set[str] | None = None) -> list[Subscription]:
        chosen = self._subscribers if centres is None else {c: self._subscribers.get(c, set()) for c in centres}
        return [s for subscribers in chosen.values() for s in subscribers if s.holder is not None]

    async def _check(self, subscriptions: list[Subscription]) -> None:
        """End the subscriptions whose holder may no longer listen. If the database cannot be asked, the
        events still go out (they carry no personal data, and a revocation needs the database too)."""
        if not subscriptions:
            return
        holders = {s.holder for s in subscriptions if s.holder is not None}
        try:
            gone = await asyncio.to_thread(ended, self.engine, holders, datetime.now(UTC))
        except Exception as exc:
            if not self._guard_failing:
                log.warning("live events: cannot check revocations (%s); retrying", type(exc).__qualname__)
            self._guard_failing = True
            return
        self._guard_failing = False
        for subscription in subscriptions:
            holder = subscription.holder
            reason = gone.get(holder) if holder is not None and not subscription.dropped else None
            if holder is not None and reason is not None:
                log.info("live events: a subscription of device %s ended (%s)", holder.device_id, reason)
                subscription.revoke(reason)
                self._remove(subscription)

    def _fan_out(self, event: Event) -> None:
        for subscription in list(self._subscribers.get(event.centre_id, ())):
            try:
                subscription.queue.put_nowait(event)
            except asyncio.QueueFull:
                log.warning("a live-event subscriber fell behind and was dropped")
                self._drop(subscription)

    # PostgreSQL

    def _conninfo(self) -> str:
        return self.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    async def _listen(self) -> None:
        delay = 0.5
        while True:
            try:
                connection = await psycopg.AsyncConnection.connect(
                    self._conninfo(), autocommit=True, connect_timeout=10
                )
                async with connection:
                    await connection.execute(f"LISTEN {CHANNEL}")
                    self._listening.set()
                    self._tried.set()
                    delay = 0.5
                    async for notify in connection.notifies():
                        self._on_notify(notify.payload)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("live events: no LISTEN connection (%s); retrying", type(exc).__qualname__)
            self._listening.clear()
            self._tried.set()
            await asyncio.sleep(delay)
            delay = min(delay * 2, 30.0)

    def _on_notify(self, payload: str) -> None:
        try:
            event = Event.from_json(payload)
        except (ValueError, KeyError, TypeError):
            log.warning("live events: an unreadable notification was ignored")
            return
        self._inbox.put_nowait(event)
