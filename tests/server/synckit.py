"""Helpers for the sync endpoint tests: a centre with counter devices and a clerk, hand-written ops in the
shape the counter's services write (``counterapp.protocol.payloads``), push and pull through the real API."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import uuid6
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.protocol.messages import START_CURSOR
from counterapp.server.models.auth import Device, StaffSession, User
from counterapp.server.services.common import as_utc
from tests.server.authkit import CENTRE_A, PASSWORD, Enrolled, enroll, login, make_centre, make_device, make_user

CLERK = "clerk.lan"


def local_now() -> datetime:
    return datetime.now(VIETNAM_TZ).replace(microsecond=0)


def naive(at: datetime) -> str:
    """A payload time as the counter writes it: the centre's wall time without an offset."""
    return at.astimezone(VIETNAM_TZ).replace(tzinfo=None).isoformat()


@dataclass
class Counter:
    """A counter device and its outbox sequence."""

    client: TestClient
    device: Enrolled
    number: str
    user: str = CLERK
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def op(self, kind: str, payload: dict[str, Any], *, at: datetime | None = None, **extra: Any) -> dict[str, Any]:
        when = (at or local_now()).isoformat()
        return {
            "op_id": str(uuid6.uuid7()),
            "client_seq": next(self.seq),
            "kind": kind,
            "v": 1,
            "payload": payload,
            "user_id": self.user,
            "wall_time": when,
            "corrected_time": when,
            "epoch": 1,
        } | extra

    def push(self, *ops: dict[str, Any]) -> Any:
        body = {"client_id": self.device.device_id, "ops": list(ops)}
        return self.client.post("/v1/sync/push", json=body, headers=self.device.headers)

    def pushed(self, *ops: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.push(*ops)
        assert response.status_code == 200, response.text
        results: list[dict[str, Any]] = response.json()["results"]
        return results

    def pull(self, cursors: dict[str, str], limit: int = 500) -> Any:
        body = {"client_id": self.device.device_id, "cursors": cursors, "limit": limit}
        return self.client.post("/v1/sync/pull", json=body, headers=self.device.headers)

    def pull_all(self, space: str, cursor: str = START_CURSOR, limit: int = 500) -> tuple[list[dict[str, Any]], str]:
        changes: list[dict[str, Any]] = []
        while True:
            response = self.pull({space: cursor}, limit)
            assert response.status_code == 200, response.text
            body = response.json()
            changes.extend(body["changes"])
            cursor = body["cursors"][space]
            if not body["has_more"]:
                return changes, cursor


def setup_centre(sessions: sessionmaker[Session], counters: tuple[str, ...] = ("1", "2")) -> str:
    centre_id = make_centre(sessions, CENTRE_A, counters)
    make_user(sessions, CLERK, "clerk", CENTRE_A)
    return centre_id


def counter(client: TestClient, sessions: sessionmaker[Session], number: str = "1") -> Counter:
    """Counter ``number`` enrolled, with the clerk signed in on it: the server applies an op only from a
    user who signed in on the device that pushes it (``op_trust``)."""
    device = enroll(client, make_device(sessions, CENTRE_A, number)[1])
    login(client, device, CLERK, PASSWORD)
    return Counter(client, device, number)


def kiosk_ticket(client: TestClient, device: Enrolled, service: str = "HTCT") -> dict[str, Any]:
    """A ticket issued online (a clerk's session on a counter device stands in for the kiosk)."""
    token = login(client, device, CLERK, PASSWORD)
    response = client.post("/v1/tickets", json={"service": service}, headers=device.staff(token))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def ticket_step(ticket_id: str, number: str, event: str, counter: str, at: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "ticket_id": ticket_id,
        "number": number,
        "issued_on": at.date().isoformat(),
        "event": event,
        "at": naive(at),
        "counter": counter,
        "service": None,
        "outcome": None,
        "reason": None,
    } | extra


def applicant(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Nguyễn Thị Ánh Tuyết",
        "id_type": "cccd",
        "id_number": "001190012345",
        "date_of_birth": "1990-05-17",
        "sex": "female",
        "address": "Số 12 ngõ 34 phố Nguyễn Trãi, Thanh Xuân, Hà Nội",
        "phone": "0912345678",
        "email": None,
    } | changes


def dossier(number: int, at: datetime, *, agency: str = CENTRE_A, lease_id: str | None = None) -> dict[str, Any]:
    return {
        "dossier_id": str(uuid.uuid4()),
        "code": f"{agency}-{at:%y%m%d}-{number:04d}",
        "lease_id": lease_id,
        "procedure_code": "1.004873",
        "received_at": naive(at),
        "due_at": naive(at + timedelta(days=1)),
        "duration": {"value": "1", "unit": "working_days"},
        "calendar_version": "vn-holidays@2026-11",
        "sets": 1,
        "channel": "counter",
        "return_mode": "counter",
        "postal_address": None,
        "note": None,
        "register": {"book": f"{at:%Y-%m-%d}", "line": number},
        "counter": "1",
        "ticket_id": None,
        "applicant": applicant(),
        "owner": None,
        "documents": [
            {"code": "TK", "name": "Tờ khai", "originals": 1, "certified_copies": 0, "photocopies": 0},
        ],
    }


def signed_in_earlier(sessions: sessionmaker[Session], device: Enrolled, username: str, at: datetime) -> None:
    """The record an online sign-in of ``username`` on ``device`` at ``at`` leaves (and the device enrolled
    by then): for ops a test stamps before the sign-ins it makes through the API (``op_trust``)."""
    at = as_utc(at)  # stored in UTC, as the server stores every time (SQLite keeps no offset)
    with sessions.begin() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        session.add(StaffSession(token_hash=uuid.uuid4().hex, user_id=user.id, device_id=device.device_id,
                                 created_at=at, expires_at=at + timedelta(hours=12)))  # fmt: skip
        row = session.get_one(Device, device.device_id)
        if row.enrolled_at is None or as_utc(row.enrolled_at) > at:
            row.enrolled_at = at
