"""Helpers for the auth and admin tests: set up centres, staff and devices through the real services, and
talk to the API as an enrolled device with a staff session."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import httpx2
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from counterapp.server.services import devices, numbers, org, users

PASSWORD = "mật khẩu đủ dài 2025"  # ≥ 10 characters, with Vietnamese letters
CENTRE_A = "000.00.01.H26"
CENTRE_B = "000.00.02.H26"


def now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Enrolled:
    device_id: str
    credential: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Device {self.device_id}.{self.credential}"}

    def staff(self, token: str) -> dict[str, str]:
        return {**self.headers, "X-Staff-Session": token}


def make_centre(sessions: sessionmaker[Session], agency_code: str, counters: tuple[str, ...] = ("1", "2")) -> str:
    """A centre with services HTCT (A) and KD (C), and counters each serving HTCT."""
    with sessions.begin() as session:
        centre = org.create_centre(session, agency_code=agency_code, name=f"Trung tâm {agency_code}", now=now())
        htct = org.add_service(session, centre, code="HTCT", prefix="A", name_vi="Hộ tịch, chứng thực")
        org.add_service(session, centre, code="KD", prefix="C", name_vi="Đăng ký kinh doanh")
        for number in counters:
            org.assign(session, org.add_counter(session, centre, number=number), [htct])
        return centre.id


def generous_shares(sessions: sessionmaker[Session], agency_code: str) -> None:
    """Let any one device of the centre lease a whole day's reserved range (each kind's floor and ceiling at
    its range's size): for tests of the ranges themselves, or of a counter leasing a whole day at once."""
    with sessions.begin() as session:
        centre = org.centre_by_code(session, agency_code)
        numbers.set_share_policy(
            centre,
            floor_dossier=numbers.range_size(numbers.DOSSIER),
            ceiling_dossier=numbers.range_size(numbers.DOSSIER),
            floor_ticket=numbers.range_size(numbers.TICKET),
            ceiling_ticket=numbers.range_size(numbers.TICKET),
        )


def make_user(
    sessions: sessionmaker[Session], username: str, role: str, agency_code: str | None, password: str = PASSWORD
) -> str:
    with sessions.begin() as session:
        centre = org.centre_by_code(session, agency_code) if agency_code else None
        user = users.create_user(
            session,
            username=username,
            full_name="Nguyễn Thị Lan",
            role=role,
            password=password,
            centre=centre,
            now=now(),
        )
        return user.id


def make_device(sessions: sessionmaker[Session], agency_code: str, counter: str | None = "1") -> tuple[str, str]:
    """A new counter device of the centre: (device id, one-time enrollment code)."""
    with sessions.begin() as session:
        centre = org.centre_by_code(session, agency_code)
        row = org.counter_by_number(session, centre.id, counter) if counter else None
        device, code, _expires = devices.create_device(session, centre, kind="counter", counter=row, now=now())
        return device.id, code


def enroll(client: TestClient, code: str) -> Enrolled:
    response = client.post("/v1/devices/enroll", json={"code": code, "app_version": "0.9.0"})
    assert response.status_code == 200, response.text
    body = response.json()
    return Enrolled(body["device_id"], body["credential"])


def enrolled_device(client: TestClient, sessions: sessionmaker[Session], agency_code: str) -> Enrolled:
    return enroll(client, make_device(sessions, agency_code)[1])


def login(client: TestClient, device: Enrolled, username: str, password: str = PASSWORD) -> str:
    response = client.post("/v1/sessions", json={"username": username, "password": password}, headers=device.headers)
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def problem(response: httpx2.Response) -> tuple[int, str]:
    """(status, code) of a problem+json answer; fails if the answer is not problem+json."""
    assert response.headers["content-type"] == "application/problem+json", response.text
    code: str = response.json()["code"]
    return response.status_code, code
