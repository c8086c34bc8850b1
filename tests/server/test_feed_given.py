"""The change feed given a row's state by the transaction that wrote it (``feed.touch(…, data=…)``): what it
publishes must be exactly what it would have read back, and its version exact under concurrent writers."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server import feed
from counterapp.server.events import CHANNEL, Event
from counterapp.server.models.org import Centre
from counterapp.server.models.queue import Ticket
from counterapp.server.models.sync import ChangeRow, SyncEntity
from counterapp.server.services import org, queue
from tests.server.authkit import CENTRE_A, make_centre

T1 = datetime(2025, 3, 14, 2, 0, tzinfo=UTC)  # 09:00 in Hà Nội


def _changes(session: Session, space: str, ticket_id: str) -> list[ChangeRow]:
    query = select(ChangeRow).where(ChangeRow.space == space, ChangeRow.entity_id == ticket_id)
    return list(session.scalars(query.order_by(ChangeRow.seq)))


def test_a_called_ticket_is_published_as_it_reads_back(server_sessions: sessionmaker[Session]):
    """Call-next gives the feed the claimed row (``RETURNING``); the published data must equal what the
    feed would have read, on both databases and for a call by number too."""
    centre_id = make_centre(server_sessions, CENTRE_A, ("1", "2"))
    with server_sessions.begin() as session:
        centre = session.get_one(Centre, centre_id)
        service = queue.service_by_code(session, centre, "HTCT")
        ids = [queue.issue_ticket(session, centre, service, None, T1).id for _ in range(2)]
    with server_sessions.begin() as session:
        first = queue.call_next(session, org.counter_by_number(session, centre_id, "2"), None, None, T1)
    with server_sessions.begin() as session:
        second = queue.call_ticket(session, org.counter_by_number(session, centre_id, "1"), "A002", T1)
    assert [first.id, second.id] == ids
    space = feed.centre_space(centre_id)
    with server_sessions() as session:
        for ticket_id, holder in zip(ids, ("2", "1"), strict=True):
            changes = _changes(session, space, ticket_id)
            assert [c.version for c in changes] == [1, 2]
            assert changes[-1].data == feed.ticket_data(session, ticket_id)
            assert changes[-1].data is not None and changes[-1].data["counter"] == holder
            assert changes[-1].data["state"] == "called" and changes[-1].data["version"] == 1


def test_given_data_is_forgotten_by_a_later_touch(server_sessions: sessionmaker[Session]):
    centre_id = make_centre(server_sessions, CENTRE_A, ("1",))
    with server_sessions.begin() as session:
        centre = session.get_one(Centre, centre_id)
        ticket = queue.issue_ticket(session, centre, queue.service_by_code(session, centre, "HTCT"), None, T1)
    space = feed.centre_space(centre_id)
    with server_sessions.begin() as session:
        feed.touch(session, space, "ticket", ticket.id, data={"stale": True})
        feed.touch(session, space, "ticket", ticket.id)
        session.get_one(Ticket, ticket.id).recalls = 3
    with server_sessions() as session:
        data = _changes(session, space, ticket.id)[-1].data
        assert data == feed.ticket_data(session, ticket.id) and data is not None and data["recalls"] == 3


@pytest.mark.parametrize("server_db", ["postgresql"], indirect=True)
def test_given_data_waiting_for_the_clock_takes_the_version_committed_meanwhile(
    server_sessions: sessionmaker[Session],
):
    """On PostgreSQL the clock's lock and the stored versions are read in one statement, whose snapshot
    predates any wait for the lock. A writer that waited while another committed a change of the same
    entity must still publish the next version (3 here), not the one its snapshot suggests (2 again)."""
    centre_id = make_centre(server_sessions, CENTRE_A, ("1",))
    with server_sessions.begin() as session:
        centre = session.get_one(Centre, centre_id)
        ticket_id = queue.issue_ticket(session, centre, queue.service_by_code(session, centre, "HTCT"), None, T1).id
    space = feed.centre_space(centre_id)
    holder = server_sessions()
    holder.begin()
    feed.touch(holder, space, "ticket", ticket_id, data={"by": "first"})
    assert feed.publish(holder)  # version 2; the clock stays locked until the commit
    errors: list[BaseException] = []

    def second_writer() -> None:
        try:
            with server_sessions.begin() as session:
                feed.touch(session, space, "ticket", ticket_id, data={"by": "second"})
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    writer = threading.Thread(target=second_writer)
    writer.start()
    name = holder.scalar(text("SELECT current_setting('application_name')"))
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE application_name = :name AND wait_event_type = 'Lock'"
    deadline = time.monotonic() + 20
    while not holder.scalar(text(waiting), {"name": name}) and time.monotonic() < deadline:
        time.sleep(0.02)  # until the second writer's statement waits for the clock
    holder.commit()
    holder.close()
    writer.join(timeout=20)
    assert not errors and not writer.is_alive()
    with server_sessions() as session:
        changes = _changes(session, space, ticket_id)
        assert [(c.version, c.data) for c in changes[1:]] == [(2, {"by": "first"}), (3, {"by": "second"})]
        stored = session.scalars(select(SyncEntity).where(SyncEntity.entity_id == ticket_id)).one()
        assert (stored.version, stored.seq) == (3, changes[-1].seq)


@pytest.mark.parametrize("server_db", ["postgresql"], indirect=True)
def test_the_one_statement_write_notifies_the_events_then_the_poke_with_the_new_seq(
    server_engine: Engine, server_sessions: sessionmaker[Session]
):
    centre_id = make_centre(server_sessions, CENTRE_A, ("1",))
    with server_engine.connect().execution_options(isolation_level="AUTOCOMMIT") as listener:
        listener.execute(text(f"LISTEN {CHANNEL}"))
        with server_sessions.begin() as session:
            centre = session.get_one(Centre, centre_id)
            ticket = queue.issue_ticket(session, centre, queue.service_by_code(session, centre, "HTCT"), None, T1)
        raw = listener.connection.driver_connection
        assert raw is not None
        heard = [Event.from_json(n.payload) for n in raw.notifies(timeout=3, stop_after=50)]
    ours = [e for e in heard if e.centre_id == centre_id]  # other databases' tests share the channel
    with server_sessions() as session:
        seq = session.scalar(select(ChangeRow.seq).where(ChangeRow.entity_id == ticket.id))
    assert [e.kind for e in ours] == ["ticket.issued", "space.advanced"]
    assert ours[1].data == {"space": feed.centre_space(centre_id), "seq": seq}
