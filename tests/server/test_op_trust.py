"""Who did what is more than one device credential's word (issue 15, points 3 and 4), on SQLite and
PostgreSQL: an op is applied only when its user signed in on the device that pushes it, within the offline
window before the op; a city-wide account authors nothing from a counter; an op's time lies between the
device's enrollment and the server's receipt, and does not go back behind the device's previous op; a late
op of a since-deactivated user is believed only if the device could not have sent it sooner. Every
refused op is kept, answered with its reason, shown to the lead, and never stops the ops behind it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.models.auth import Device, StaffSession, User
from counterapp.server.models.org import Counter as CounterRow
from counterapp.server.models.sync import Conflict, OpLogEntry
from tests.server.authkit import CENTRE_A, PASSWORD, login, make_user
from tests.server.synckit import Counter, counter, local_now, naive, setup_centre

LEAD = "lead.hoa"


def pause(c: Counter, at: Any = None, **extra: Any) -> dict[str, Any]:
    when = at or local_now()
    return c.op("counter.pause", {"counter": c.number, "reason": "Nghỉ trưa", "at": naive(when)}, at=when, **extra)


def resume(c: Counter, at: Any = None, **extra: Any) -> dict[str, Any]:
    when = at or local_now()
    return c.op("counter.resume", {"counter": c.number, "at": naive(when)}, at=when, **extra)


def ready(sessions: sessionmaker[Session], *, users_since_days: int = 30) -> None:
    """The centre's counters open and its accounts made a month ago, so only the rule under test can
    refuse an op (a closed counter keeps a pause as a conflict; an op before its account is unauthorised)."""
    with sessions.begin() as session:
        session.execute(update(CounterRow).values(status="open"))
        session.execute(update(User).values(created_at=datetime.now(UTC) - timedelta(days=users_since_days)))


def an_hour_ago(sessions: sessionmaker[Session]) -> None:
    """Every device enrolled, and every sign-in made, an hour earlier than it was."""
    with sessions.begin() as session:  # in Python: SQLite has no arithmetic on times
        for device in session.scalars(select(Device)):
            device.enrolled_at = device.enrolled_at and device.enrolled_at - timedelta(hours=1)
        for sign_in in session.scalars(select(StaffSession)):
            sign_in.created_at -= timedelta(hours=1)


def flagged(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Conflict.code).order_by(Conflict.created_at)))


def lead_sees(c: Counter, sessions: sessionmaker[Session]) -> list[str]:
    make_user(sessions, LEAD, "lead", CENTRE_A)
    token = login(c.client, c.device, LEAD, PASSWORD)
    response = c.client.get("/v1/centre/conflicts", headers=c.device.staff(token))
    assert response.status_code == 200, response.text
    return [row["code"] for row in response.json()]


def test_an_op_of_a_user_who_never_signed_in_on_the_device_is_kept_and_flagged(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)  # the clerk signed in on counter 1
    make_user(server_sessions, "minh.clerk", "clerk", CENTRE_A)  # a colleague who never came to counter 1
    ready(server_sessions)
    before, stranger, after = pause(c1), pause(c1, user_id="minh.clerk"), resume(c1)
    results = c1.pushed(before, stranger, after)
    # THEN the colleague's op is not applied but answered with why; the clerk's ops on both sides are applied
    assert [r["status"] for r in results] == ["applied", "rejected", "applied"]
    assert "the user never signed in on this device" in results[1]["reason"]
    with server_sessions() as session:
        kept = session.get_one(OpLogEntry, stranger["op_id"])
        assert (kept.status, kept.user_id, kept.payload["reason"]) == ("quarantined", "minh.clerk", "Nghỉ trưa")
    assert "op.user_not_at_device" in lead_sees(c1, server_sessions)
    # AND once the colleague signs in on counter 1, her ops from then on are applied
    login(client, c1.device, "minh.clerk", PASSWORD)
    assert c1.pushed(pause(c1, user_id="minh.clerk"))[0]["status"] == "applied"


def test_a_city_wide_account_authors_no_op_at_a_counter(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    make_user(server_sessions, "admin.city", "admin", None)
    c1 = counter(client, server_sessions)
    ready(server_sessions)
    login(client, c1.device, "admin.city", PASSWORD)  # even signed in on the counter
    [result] = c1.pushed(pause(c1, user_id="admin.city"))
    assert result["status"] == "rejected" and flagged(server_sessions) == ["op.city_account"]


def test_an_op_needs_a_sign_in_within_the_offline_window(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    ready(server_sessions)
    device_id = c1.device.device_id
    with server_sessions.begin() as session:  # the clerk's only sign-in, and the enrollment, 9 days ago
        long_ago = datetime.now(UTC) - timedelta(days=9)
        session.execute(update(StaffSession).where(StaffSession.device_id == device_id).values(created_at=long_ago))
        session.execute(update(Device).where(Device.id == device_id).values(enrolled_at=long_ago))
    six_days_later = local_now() - timedelta(days=3)
    results = c1.pushed(pause(c1, at=six_days_later), resume(c1))  # 6 days after the sign-in, then 9
    assert [r["status"] for r in results] == ["applied", "rejected"]
    assert flagged(server_sessions) == ["op.sign_in_too_old"]


def test_an_op_time_is_bounded_by_receipt_enrollment_and_the_previous_op(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    c1 = counter(client, server_sessions)
    ready(server_sessions)
    an_hour_ago(server_sessions)
    now = local_now()
    future = pause(c1, at=now + timedelta(days=365))  # a clock a year ahead
    before_enrollment = pause(c1, at=now - timedelta(days=2))
    first = pause(c1, at=now)
    back = resume(c1, at=now - timedelta(minutes=30))  # half an hour behind the op before it
    last = resume(c1, at=now + timedelta(seconds=1))
    results = c1.pushed(future, before_enrollment, first, back, last)
    # THEN each bad stamp is kept and flagged alone, and the ops after it are judged on their own time
    assert [r["status"] for r in results] == ["rejected", "rejected", "applied", "rejected", "applied"]
    assert flagged(server_sessions) == ["op.time_future", "op.time_before_enrollment", "op.time_goes_back"]
    # AND the next push is judged against the last believed time, not the year-ahead stamp
    assert c1.pushed(pause(c1, at=now + timedelta(seconds=2)))[0]["status"] == "applied"


def deactivate(sessions: sessionmaker[Session], username: str, at: Any) -> None:
    with sessions.begin() as session:
        session.execute(update(User).where(User.username == username).values(active=False, deactivated_at=at))


def test_a_late_op_of_a_deactivated_user_is_believed_only_if_it_could_have_been_made_offline(
    client: TestClient, server_sessions: sessionmaker[Session]
) -> None:
    setup_centre(server_sessions)
    make_user(server_sessions, "tuan.clerk", "clerk", CENTRE_A)
    c1, c2 = counter(client, server_sessions, "1"), counter(client, server_sessions, "2")
    ready(server_sessions)
    login(client, c2.device, "tuan.clerk", PASSWORD)
    c2.user = "tuan.clerk"
    login(client, c1.device, "tuan.clerk", PASSWORD)
    an_hour_ago(server_sessions)
    made = local_now() - timedelta(minutes=10)
    # counter 1 keeps talking to the server after the op's time (its other user pushes), counter 2 is silent
    c1.pushed(pause(c1, at=made - timedelta(minutes=1)))
    held_1 = pause(c1, at=made, user_id="tuan.clerk")
    with server_sessions.begin() as session:  # counter 1's earlier push reached the server after ``made``
        session.execute(update(OpLogEntry).where(OpLogEntry.device_id == c1.device.device_id)
                        .values(received_at=datetime.now(UTC) - timedelta(minutes=5)))  # fmt: skip
    deactivate(server_sessions, "tuan.clerk", datetime.now(UTC) - timedelta(minutes=2))
    held_2 = pause(c2, at=made)
    # WHEN both push the op stamped 8 minutes before the account was closed
    [late_1] = c1.pushed(held_1)
    [late_2] = c2.pushed(held_2)
    # THEN counter 2, out of touch all along, could have made it offline: applied; counter 1 could not
    assert (late_2["status"], late_1["status"]) == ("applied", "rejected"), (late_2, late_1)
    assert flagged(server_sessions) == ["op.user_inactive_late"]
