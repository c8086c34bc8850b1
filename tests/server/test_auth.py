"""Devices, staff sessions and roles over the API, on SQLite and PostgreSQL: enrollment works once, sessions
end, the centre comes from the device, roles are enforced, and no secret is logged or stored in plain."""

from __future__ import annotations

import logging
import re
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.domain.errors import ValidationFailed
from counterapp.server import security
from counterapp.server.auth import role_allows, same_centre
from counterapp.server.db import make_engine
from counterapp.server.errors import ApiError
from counterapp.server.models.auth import Device, EnrollmentCode, StaffSession, User, UserRole
from counterapp.server.models.org import Counter
from counterapp.server.schema import migrate
from counterapp.server.services import devices, org, sessions, users
from counterapp.server.services.authorise import authorise_op
from counterapp.server.services.common import as_utc
from counterapp.server.services.errors import (
    AlreadyExists,
    DeviceInvalid,
    DeviceRevoked,
    Forbidden,
    SessionExpired,
    UserInactive,
    WrongCentre,
)
from tests.conftest import PRODUCTION_HASHER
from tests.server.authkit import (
    CENTRE_A,
    CENTRE_B,
    PASSWORD,
    Enrolled,
    enrolled_device,
    login,
    make_centre,
    make_device,
    make_user,
    now,
    problem,
)

# --- enrollment ----------------------------------------------------------------------------------------


def test_a_code_enrolls_once_and_its_credential_then_authenticates(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    # GIVEN a new counter device of centre A with its one-time code
    make_centre(server_sessions, CENTRE_A)
    device_id, code = make_device(server_sessions, CENTRE_A, counter="2")
    # WHEN the installer types it (lower case, without dashes)
    response = client.post("/v1/devices/enroll", json={"code": code.replace("-", "").lower(), "app_version": "1.2"})
    # THEN the device gets its credential, its centre and its counter
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert body["device_id"] == device_id
    assert body["centre"]["agency_code"] == CENTRE_A
    assert body["counter"]["number"] == "2"
    assert len(body["credential"]) >= 40
    device = Enrolled(device_id, body["credential"])
    me = client.get("/v1/me", headers=device.headers)
    assert me.status_code == 200
    assert me.json()["device"]["id"] == device_id
    assert me.json()["staff"] is None
    # AND the same code does not work a second time
    assert problem(client.post("/v1/devices/enroll", json={"code": code})) == (401, "enrollment.code_used")
    # AND the first credential still works (the failed second attempt changed nothing)
    assert client.get("/v1/me", headers=device.headers).status_code == 200


def test_an_expired_or_unknown_code_is_refused(client: TestClient, server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    device_id, code = make_device(server_sessions, CENTRE_A)
    with server_sessions.begin() as session:
        session.execute(update(EnrollmentCode).values(expires_at=now() - timedelta(seconds=1)))
    assert problem(client.post("/v1/devices/enroll", json={"code": code})) == (401, "enrollment.code_expired")
    other = "2222-3333-4444" if code != "2222-3333-4444" else "5555-6666-7777"
    assert problem(client.post("/v1/devices/enroll", json={"code": other})) == (401, "enrollment.code_invalid")
    assert problem(client.post("/v1/devices/enroll", json={"code": "O0O0-I1I1"})) == (401, "enrollment.code_invalid")
    with server_sessions() as session:
        device = session.get(Device, device_id)
        assert device is not None
        assert device.secret_hash is None  # still not enrolled


def test_a_wrong_missing_or_malformed_device_credential_is_refused(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    never_enrolled, _code = make_device(server_sessions, CENTRE_A)
    wrong = Enrolled(
        device.device_id, device.credential[:-2] + ("AA" if not device.credential.endswith("AA") else "BB")
    )
    for headers, code in [
        ({}, "auth.device_required"),
        (wrong.headers, "auth.device_invalid"),
        (Enrolled(never_enrolled, device.credential).headers, "auth.device_invalid"),
        (Enrolled("no-such-device", device.credential).headers, "auth.device_invalid"),
        ({"Authorization": f"Bearer {device.credential}"}, "auth.device_invalid"),
        ({"Authorization": f"Device {device.device_id}"}, "auth.device_invalid"),
    ]:
        response = client.get("/v1/me", headers=headers)
        assert problem(response) == (401, code), headers
        assert response.headers["www-authenticate"] == "Device"
    assert client.get("/v1/me", headers=device.headers).status_code == 200


def test_enrollment_codes_are_typable_and_forgiving():
    codes = {security.new_enrollment_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", code), code
        assert not set(code) & set("01OILU")
        assert security.normalise_enrollment_code(f" {code.lower().replace('-', ' ')} ") == code
    assert security.normalise_enrollment_code("K7QX-M2PD-9HT") is None
    assert security.normalise_enrollment_code("K7QX-M2PD-9HT0") is None


# --- staff sessions ------------------------------------------------------------------------------------


def test_login_on_a_device_of_the_users_centre_works(client: TestClient, server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    user_id = make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    response = client.post("/v1/sessions", json={"username": "Lan.NT", "password": PASSWORD}, headers=device.headers)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["user"] == {"id": user_id, "username": "lan.nt", "full_name": "Nguyễn Thị Lan", "role": "clerk"}
    me = client.get("/v1/me", headers=device.staff(body["token"])).json()
    assert me["staff"]["user"]["id"] == user_id
    assert me["device"]["centre"]["agency_code"] == CENTRE_A
    # the expiry is an RFC 3339 time with its offset, as login gave it (SQLite returns it naive)
    assert datetime.fromisoformat(me["staff"]["session_expires_at"]) == datetime.fromisoformat(body["expires_at"])


def test_a_wrong_password_an_unknown_or_inactive_user_and_another_centre_are_refused(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    make_centre(server_sessions, CENTRE_B)
    make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    gone = make_user(server_sessions, "old.clerk", "clerk", CENTRE_A)
    make_user(server_sessions, "b.lead", "lead", CENTRE_B)
    make_user(server_sessions, "city.admin", "admin", None)
    with server_sessions.begin() as session:
        user = session.get(User, gone)
        assert user is not None
        users.deactivate(session, user, now=now())
    device = enrolled_device(client, server_sessions, CENTRE_A)

    def attempt(username: str, password: str = PASSWORD) -> tuple[int, str]:
        response = client.post(
            "/v1/sessions", json={"username": username, "password": password}, headers=device.headers
        )
        return problem(response)

    assert attempt("lan.nt", PASSWORD + "x") == (401, "auth.invalid_credentials")
    assert attempt("nobody") == (401, "auth.invalid_credentials")
    assert attempt("old.clerk") == (403, "auth.user_inactive")
    assert attempt("b.lead") == (403, "auth.wrong_centre")
    # no session was created by any refused attempt
    with server_sessions() as session:
        assert session.scalars(select(StaffSession)).all() == []
    # while a city admin (no centre) may log in anywhere, and the right password works
    login(client, device, "city.admin")
    login(client, device, "lan.nt")
    # and a login needs the device: without it, no session
    assert problem(client.post("/v1/sessions", json={"username": "lan.nt", "password": PASSWORD})) == (
        401,
        "auth.device_required",
    )


def test_an_expired_session_is_401_session_expired(client: TestClient, server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    token = login(client, device, "lan.nt")
    assert client.get("/v1/centre/counters", headers=device.staff(token)).status_code == 200
    with server_sessions.begin() as session:
        session.execute(update(StaffSession).values(expires_at=now() - timedelta(seconds=1)))
    assert problem(client.get("/v1/centre/counters", headers=device.staff(token))) == (401, "auth.session_expired")
    assert problem(client.get("/v1/centre/counters", headers=device.headers)) == (401, "auth.session_required")


def test_logout_revokes_the_session_and_a_token_works_only_on_its_device(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    other_device = enrolled_device(client, server_sessions, CENTRE_A)
    token = login(client, device, "lan.nt")
    # a token taken to another device of the same centre does not work there
    assert problem(client.get("/v1/me", headers=other_device.staff(token))) == (401, "auth.session_invalid")
    assert client.delete("/v1/sessions/current", headers=device.staff(token)).status_code == 204
    assert problem(client.get("/v1/centre/counters", headers=device.staff(token))) == (401, "auth.session_invalid")
    with server_sessions() as session:
        row = session.scalars(select(StaffSession)).one()
        assert row.revoked_at is not None


def test_deactivating_a_user_or_changing_the_password_ends_their_sessions(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A)
    clerk = make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    lead = make_user(server_sessions, "minh.lead", "lead", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    clerk_token, lead_token = login(client, device, "lan.nt"), login(client, device, "minh.lead")
    with server_sessions.begin() as session:
        users.deactivate(session, session.get_one(User, clerk), now=now())
        users.change_password(session, session.get_one(User, lead), "một mật khẩu mới khác", now=now())
    assert problem(client.get("/v1/me", headers=device.staff(clerk_token))) == (401, "auth.session_invalid")
    assert problem(client.get("/v1/me", headers=device.staff(lead_token))) == (401, "auth.session_invalid")
    with server_sessions() as session:  # ended in the table too, not only refused because of the user's state
        ended = session.scalars(select(StaffSession.revoked_at)).all()
        assert len(ended) == 2 and None not in ended
    login(client, device, "minh.lead", "một mật khẩu mới khác")
    response = client.post("/v1/sessions", json={"username": "minh.lead", "password": PASSWORD}, headers=device.headers)
    assert problem(response) == (401, "auth.invalid_credentials")


# --- authorisation -------------------------------------------------------------------------------------


def counter_row(sessions: sessionmaker[Session], centre_id: str, number: str) -> Counter:
    with sessions() as session:
        return session.scalars(select(Counter).where(Counter.centre_id == centre_id, Counter.number == number)).one()


def test_a_clerk_cannot_reassign_counters_a_lead_can_and_the_epoch_bumps(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    centre = make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    make_user(server_sessions, "minh.lead", "lead", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    before = counter_row(server_sessions, centre, "2").epoch
    body = {"services": ["KD", "HTCT"]}

    clerk = device.staff(login(client, device, "lan.nt"))
    assert problem(client.put("/v1/centre/counters/2/services", json=body, headers=clerk)) == (403, "auth.forbidden")
    assert counter_row(server_sessions, centre, "2").epoch == before
    listed = client.get("/v1/centre/counters", headers=clerk).json()
    assert [s["code"] for s in next(c for c in listed if c["number"] == "2")["services"]] == ["HTCT"]

    lead = device.staff(login(client, device, "minh.lead"))
    response = client.put("/v1/centre/counters/2/services", json=body, headers=lead)
    assert response.status_code == 200, response.text
    assert response.json()["epoch"] == before + 1
    assert [s["code"] for s in response.json()["services"]] == ["HTCT", "KD"]
    assert counter_row(server_sessions, centre, "2").epoch == before + 1
    listed = client.get("/v1/centre/counters", headers=clerk).json()
    assert [c["number"] for c in listed] == ["1", "2"]
    assert [s["code"] for s in listed[1]["services"]] == ["HTCT", "KD"]
    # an unknown service code is an input error naming the field, and changes nothing
    response = client.put("/v1/centre/counters/2/services", json={"services": ["NOPE"]}, headers=lead)
    assert problem(response) == (422, "validation.failed")
    assert response.json()["errors"] == [{"field": "services", "code": "service.not_found"}]
    assert counter_row(server_sessions, centre, "2").epoch == before + 1


def test_a_device_of_centre_a_cannot_read_or_write_centre_bs_counters(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    make_centre(server_sessions, CENTRE_A, counters=("1", "2"))
    centre_b = make_centre(server_sessions, CENTRE_B, counters=("9",))
    make_user(server_sessions, "city.admin", "admin", None)  # may log in anywhere, still bound to the device's centre
    device_a = enrolled_device(client, server_sessions, CENTRE_A)
    headers = device_a.staff(login(client, device_a, "city.admin"))
    epoch_b = counter_row(server_sessions, centre_b, "9").epoch

    listed = client.get("/v1/centre/counters", headers=headers).json()
    assert [c["number"] for c in listed] == ["1", "2"]
    assert counter_row(server_sessions, centre_b, "9").id not in {c["id"] for c in listed}
    response = client.put("/v1/centre/counters/9/services", json={"services": ["HTCT"]}, headers=headers)
    assert problem(response) == (404, "counter.not_found")
    assert counter_row(server_sessions, centre_b, "9").epoch == epoch_b


def test_same_centre_answers_404_for_another_centres_objects(server_sessions: sessionmaker[Session]):
    centre_a = make_centre(server_sessions, CENTRE_A)
    centre_b = make_centre(server_sessions, CENTRE_B)
    device_id, _code = make_device(server_sessions, CENTRE_A)
    with server_sessions() as session:
        device = session.get_one(Device, device_id)
    same_centre(device, centre_a)  # no error
    with pytest.raises(ApiError) as caught:
        same_centre(device, centre_b)
    assert (caught.value.status, caught.value.code) == (404, "not_found")


def test_a_revoked_device_is_refused_with_403_problem_json(client: TestClient, server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    token = login(client, device, "lan.nt")
    pending_id, pending_code = make_device(server_sessions, CENTRE_A)
    with server_sessions.begin() as session:
        devices.revoke(session, session.get_one(Device, device.device_id), now=now())
        devices.revoke(session, session.get_one(Device, pending_id), now=now())
    assert problem(client.get("/v1/me", headers=device.headers)) == (403, "auth.device_revoked")
    assert problem(client.get("/v1/centre/counters", headers=device.staff(token))) == (403, "auth.device_revoked")
    response = client.post("/v1/sessions", json={"username": "lan.nt", "password": PASSWORD}, headers=device.headers)
    assert problem(response) == (403, "auth.device_revoked")
    # a revoked device's pending code no longer enrolls it
    assert problem(client.post("/v1/devices/enroll", json={"code": pending_code})) == (401, "enrollment.code_expired")
    with server_sessions() as session:
        assert session.get_one(Device, pending_id).secret_hash is None
        assert session.scalars(select(StaffSession.revoked_at)).one() is not None
        # the service says the same thing the API does
        with pytest.raises(DeviceRevoked):
            devices.authenticate_device(session, device.device_id, device.credential)
        with pytest.raises(DeviceInvalid):
            devices.authenticate_device(session, device.device_id, "wrong")


# --- offline ops: authorised by role at the op's time, not by a token ----------------------------------


def test_role_allows_follows_the_permission_table():
    assert role_allows("clerk", "queue.call") and role_allows("clerk", "dossier.intake")
    assert not role_allows("clerk", "counters.assign")
    assert not role_allows("clerk", "tickets.move")
    assert role_allows("lead", "counters.assign") and role_allows("lead", "tickets.move")
    assert role_allows("lead", "queue.call")
    assert not role_allows("lead", "users.manage")
    assert role_allows("admin", "users.manage") and role_allows("admin", "devices.manage")
    assert role_allows("admin", "counters.assign")
    assert not role_allows("admin", "no.such_action")
    assert not role_allows("superuser", "queue.call")
    assert not role_allows("", "queue.call")


def test_an_expired_staff_token_does_not_lose_already_recorded_offline_ops(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    # GIVEN a clerk who logged in, then worked offline while the session expired
    make_centre(server_sessions, CENTRE_A)
    make_centre(server_sessions, CENTRE_B)
    clerk = make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    device_b = enrolled_device(client, server_sessions, CENTRE_B)
    token = login(client, device, "lan.nt")
    op_time = now()
    with server_sessions.begin() as session:
        session.execute(update(StaffSession).values(expires_at=op_time + timedelta(minutes=1)))
    later = op_time + timedelta(hours=3)
    with server_sessions() as session:
        row = session.get_one(Device, device.device_id)
        # the token is of no use any more …
        with pytest.raises(SessionExpired):
            sessions.resolve(session, token, row, now=later)
        # … WHEN the op recorded while it was valid is authorised THEN it is accepted on the user's role
        assert authorise_op(session, clerk, row, "dossier.intake", op_time).id == clerk
        assert authorise_op(session, clerk, row, "queue.call", op_time).id == clerk
        # AND the role still limits it, and the centre is the device's
        with pytest.raises(Forbidden):
            authorise_op(session, clerk, row, "counters.assign", op_time)
        with pytest.raises(WrongCentre):
            authorise_op(session, clerk, session.get_one(Device, device_b.device_id), "dossier.intake", op_time)
        with pytest.raises(Forbidden):
            authorise_op(session, "no-such-user", row, "dossier.intake", op_time)
        with pytest.raises(Forbidden):  # an op dated long before the account existed is not its own
            authorise_op(session, clerk, row, "dossier.intake", op_time - timedelta(days=2))
    # AND deactivating the account later keeps the work done before it, but not after
    with server_sessions.begin() as session:
        users.deactivate(session, session.get_one(User, clerk), now=later)
    with server_sessions() as session:
        row = session.get_one(Device, device.device_id)
        assert authorise_op(session, clerk, row, "dossier.intake", op_time).id == clerk
        with pytest.raises(UserInactive):
            authorise_op(session, clerk, row, "dossier.intake", later + timedelta(seconds=1))


# --- secrets -------------------------------------------------------------------------------------------


def every_stored_value(engine: Engine) -> str:
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return "\n".join(
            repr(tuple(row)) for table in metadata.sorted_tables for row in connection.execute(table.select())
        )


def test_no_secret_is_logged_returned_again_or_stored_in_plain(
    client: TestClient,
    server_sessions: sessionmaker[Session],
    server_engine: Engine,
    caplog: pytest.LogCaptureFixture,
):
    caplog.set_level(logging.DEBUG)
    make_centre(server_sessions, CENTRE_A)
    make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    make_user(server_sessions, "minh.lead", "lead", CENTRE_A)
    device_id, code = make_device(server_sessions, CENTRE_A)
    enrolled = client.post("/v1/devices/enroll", json={"code": code})
    device = Enrolled(device_id, enrolled.json()["credential"])
    login_response = client.post(
        "/v1/sessions", json={"username": "lan.nt", "password": PASSWORD}, headers=device.headers
    )
    token = login_response.json()["token"]
    lead_token = login(client, device, "minh.lead")
    later = [
        client.get("/v1/me", headers=device.staff(token)),
        client.get("/v1/centre/counters", headers=device.staff(token)),
        client.put("/v1/centre/counters/1/services", json={"services": ["KD"]}, headers=device.staff(lead_token)),
        client.post(
            "/v1/sessions", json={"username": "lan.nt", "password": "wrong " + PASSWORD}, headers=device.headers
        ),
        client.get("/v1/me", headers=Enrolled(device_id, "x" + device.credential).headers),
        client.post("/v1/devices/enroll", json={"code": code}),
        client.delete("/v1/sessions/current", headers=device.staff(token)),
    ]
    secrets_ = [PASSWORD, code, code.replace("-", ""), device.credential, token, lead_token]
    assert caplog.records, "the flow logs something, so the check below has something to look at"
    for secret in secrets_:
        assert secret not in caplog.text
        assert secret not in login_response.text or secret == token
        assert secret not in enrolled.text or secret == device.credential
        for response in later:
            assert secret not in response.text
    # stored: only hashes
    stored = every_stored_value(server_engine)
    for secret in secrets_:
        assert secret not in stored
    with server_sessions() as session:
        assert session.get_one(Device, device_id).secret_hash == security.digest(device.credential)
        assert session.get_one(EnrollmentCode, security.digest(code)).used_at is not None
        assert session.get(StaffSession, security.digest(token)) is not None
        for user in session.scalars(select(User)):
            assert user.password_hash.startswith("$argon2id$")
            assert security.verify_password(user.password_hash, PASSWORD)


# --- security primitives -------------------------------------------------------------------------------


def test_the_server_hashes_passwords_with_argon2s_recommended_parameters():
    # The tests hash at the lowest cost (tests/conftest.py); the server itself must not.
    production, recommended = PRODUCTION_HASHER, PasswordHasher()
    assert security._HASHER is not production  # the tests' cheap hasher is in place, so this is the real one
    assert (production.type, production.time_cost, production.memory_cost, production.parallelism) == (
        recommended.type,
        recommended.time_cost,
        recommended.memory_cost,
        recommended.parallelism,
    )
    assert recommended.memory_cost >= 19 * 1024  # at least OWASP's minimum for argon2id (19 MiB)


def test_passwords_are_argon2id_nfc_insensitive_and_rehashed_when_outdated(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    hashed = security.hash_password("Mật khẩu tiếng Việt")
    assert hashed.startswith("$argon2id$")
    assert security.verify_password(hashed, "Mật khẩu tiếng Việt")
    assert security.verify_password(hashed, unicodedata.normalize("NFD", "Mật khẩu tiếng Việt"))
    assert not security.verify_password(hashed, "Mat khau tieng Viet")
    assert not security.verify_password("not a hash", "x")
    assert not security.password_needs_rehash(hashed)
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    assert security.password_needs_rehash(weak)
    assert security.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert security.same("a", "a") and not security.same("a", "b")
    # WHEN a user with an outdated hash logs in THEN the hash is upgraded
    make_centre(server_sessions, CENTRE_A)
    user_id = make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    with server_sessions.begin() as session:
        session.get_one(User, user_id).password_hash = weak
    login(client, enrolled_device(client, server_sessions, CENTRE_A), "lan.nt")
    with server_sessions() as session:
        upgraded = session.get_one(User, user_id).password_hash
    assert upgraded != weak
    assert not security.password_needs_rehash(upgraded)
    assert security.verify_password(upgraded, PASSWORD)


def test_the_user_rules(server_sessions: sessionmaker[Session]):
    make_centre(server_sessions, CENTRE_A)
    with server_sessions() as session, pytest.raises(ValidationFailed) as caught:
        users.create_user(session, username="x", full_name=" ", role="boss", password="short", centre=None, now=now())
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("username", "user.username_invalid"),
        ("full_name", "text.required"),
        ("role", "user.role_invalid"),
        ("password", "password.too_short"),
    }
    with server_sessions() as session, pytest.raises(ValidationFailed) as caught:
        users.create_user(
            session, username="lan.nt", full_name="Lan", role="clerk", password=PASSWORD, centre=None, now=now()
        )
    assert caught.value.fields == ("centre",)
    make_user(server_sessions, "lan.nt", "clerk", CENTRE_A)
    with pytest.raises(AlreadyExists):
        make_user(server_sessions, "LAN.NT", "clerk", CENTRE_A)
    make_user(server_sessions, "ten.chars.", "clerk", CENTRE_A, password="0123456789")  # exactly 10 is enough


# --- authorisation at the op's time --------------------------------------------------------------------

DAY = datetime(2025, 3, 14, tzinfo=VIETNAM_TZ)


def at(hour: int, minute: int = 0) -> datetime:
    """A time of ``DAY`` in Hà Nội, as UTC."""
    return DAY.replace(hour=hour, minute=minute).astimezone(UTC)


def test_ops_are_judged_by_the_account_as_it_was_at_the_op_time(
    client: TestClient, server_sessions: sessionmaker[Session]
):
    # GIVEN a clerk and a lead-to-be whose accounts exist since 08:00, on a counter device of their centre
    make_centre(server_sessions, CENTRE_A)
    device = enrolled_device(client, server_sessions, CENTRE_A)
    with server_sessions.begin() as session:
        centre = org.centre_by_code(session, CENTRE_A)
        clerk, hoa = (
            users.create_user(
                session,
                username=name,
                full_name="Nguyễn Thị Lan",
                role="clerk",
                password=PASSWORD,
                centre=centre,
                now=at(8),
            ).id
            for name in ("lan.nt", "hoa.pt")
        )
    # WHEN the clerk is deactivated at 10:00 and the other promoted to lead at 11:00
    with server_sessions.begin() as session:
        users.deactivate(session, session.get_one(User, clerk), now=at(10))
        users.change_role(session, session.get_one(User, hoa), "lead", now=at(11))
    with server_sessions() as session:
        row = session.get_one(Device, device.device_id)
        # THEN the clerk's offline work from before the deactivation is kept, and nothing after it
        assert authorise_op(session, clerk, row, "queue.call", at(9, 30)).id == clerk
        with pytest.raises(UserInactive):
            authorise_op(session, clerk, row, "queue.call", at(10, 30))
        with pytest.raises(UserInactive):
            authorise_op(session, clerk, row, "queue.call", at(10))  # deactivated_at must be later than the op
        # AND a reassignment is a lead's only from the promotion on; clerk's work stays allowed throughout
        with pytest.raises(Forbidden):
            authorise_op(session, hoa, row, "counters.assign", at(10, 59))
        assert authorise_op(session, hoa, row, "counters.assign", at(11, 1)).id == hoa
        assert authorise_op(session, hoa, row, "queue.call", at(10, 59)).id == hoa
        # AND the history has one open period per user, equal to the current role
        history = users.role_history(session, hoa)
        assert [(p.role, p.valid_to is None) for p in history] == [("clerk", False), ("lead", True)]
        assert session.get_one(User, hoa).role == "lead"
        assert session.get_one(User, clerk).active is False
    # AND a role change is checked like a new account's role, and setting the same role changes nothing
    with server_sessions.begin() as session:
        user = session.get_one(User, hoa)
        with pytest.raises(ValidationFailed):
            users.change_role(session, user, "boss", now=at(12))
        users.change_role(session, user, "lead", now=at(12))
        assert len(users.role_history(session, hoa)) == 2
        with pytest.raises(ValueError):  # history cannot be rewritten backwards
            users.change_role(session, user, "clerk", now=at(10))


def test_the_migration_fills_the_role_history_of_existing_users(server_db: str):
    # GIVEN a database at revision 0003 with an active clerk and a deactivated lead
    engine = make_engine(server_db)
    try:
        migrate(engine, "0003")
        created = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
        with engine.begin() as connection:
            connection.execute(
                text("INSERT INTO centres (id, agency_code, name, created_at) VALUES ('c1', :code, 'Trung tâm', :at)"),
                {"code": CENTRE_A, "at": created},
            )
            for uid, role, active in (("u1", "clerk", True), ("u2", "lead", False)):
                connection.execute(
                    text(
                        "INSERT INTO users (id, centre_id, username, full_name, role, password_hash, active, "
                        "created_at) VALUES (:id, 'c1', :id, 'Lan', :role, 'x', :active, :at)"
                    ),
                    {"id": uid, "role": role, "active": active, "at": created},
                )
        # WHEN it is migrated to the head
        migrate(engine)
        # THEN each user's current role holds since the account's creation, and the deactivated account's
        # deactivation counts from its creation (its time is unknown: its ops stay refused, as before)
        with Session(engine) as session:
            rows = session.scalars(select(UserRole).order_by(UserRole.user_id)).all()
            assert [(r.user_id, r.role, as_utc(r.valid_from), r.valid_to) for r in rows] == [
                ("u1", "clerk", created, None),
                ("u2", "lead", created, None),
            ]
            assert session.get_one(User, "u1").deactivated_at is None
            lead = session.get_one(User, "u2")
            assert lead.deactivated_at is not None and as_utc(lead.deactivated_at) == created
            assert users.role_at(session, lead, created + timedelta(days=1)) == "lead"
    finally:
        engine.dispose()
