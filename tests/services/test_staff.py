"""Staff sign-in against a real server process, then offline once that process is stopped."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import timedelta

import pytest

from counterapp.protocol.client import ServerClient
from counterapp.services import staff
from counterapp.services.device import setting
from counterapp.store.reference_models import SettingRow
from tests.liveserver import CLERK, PASSWORD, Counter, LiveServer


def test_online_sign_in_caches_a_verifier_then_works_offline(
    live_server: LiveServer, counter: Counter, client_of: Callable[[Counter], ServerClient]
):
    client = client_of(counter)
    # GIVEN a reachable server  WHEN the clerk signs in
    result = staff.sign_in(counter.workspace, client, CLERK, PASSWORD)
    # THEN the server's session and user come back, and the counter keeps a verifier, not the password
    assert result.token and not result.user.offline
    assert (result.user.username, result.user.full_name, result.user.role) == (CLERK, "Nguyễn Thị Lan", "clerk")
    with counter.workspace.reading() as (session, _now):
        row = session.get(SettingRow, staff.VERIFIERS_KEY)
        assert row is not None
        stored = str(row.value)
    assert PASSWORD not in stored and PASSWORD.encode().hex() not in stored
    # AND the receipt will print the clerk's name under "Người tiếp nhận hồ sơ", not the user id
    with counter.workspace.reading() as (session, _now):
        assert setting(session, "staff_names")[result.user.user_id] == "Nguyễn Thị Lan"
    # WHEN the server goes away
    live_server.stop()
    offline = staff.sign_in(counter.workspace, client, CLERK, PASSWORD)
    # THEN the same clerk signs in offline, as the same user
    assert offline.user.offline and offline.token is None
    assert offline.user.user_id == result.user.user_id
    # a password typed in decomposed form (NFD) is the same password
    assert staff.sign_in(counter.workspace, client, CLERK, unicodedata.normalize("NFD", PASSWORD)).user.offline
    # a wrong password offline is refused, naming the field
    with pytest.raises(staff.SignInFailed) as wrong:
        staff.sign_in(counter.workspace, client, CLERK, "not the password")
    assert (wrong.value.code, wrong.value.field) == ("staff.wrong_password", "password")
    # someone who never signed in online on this counter cannot sign in offline
    with pytest.raises(staff.SignInFailed) as unknown:
        staff.sign_in(counter.workspace, client, "someone.else", PASSWORD)
    assert (unknown.value.code, unknown.value.field) == ("staff.offline_unknown", "username")


def test_a_wrong_password_online_names_the_field_and_never_falls_back(
    counter: Counter, client_of: Callable[[Counter], ServerClient]
):
    client = client_of(counter)
    staff.sign_in(counter.workspace, client, CLERK, PASSWORD)  # a verifier is cached
    with pytest.raises(staff.SignInFailed) as wrong:
        staff.sign_in(counter.workspace, client, CLERK, "wrong password 123")
    assert (wrong.value.code, wrong.value.field) == ("auth.invalid_credentials", "password")
    with pytest.raises(staff.SignInFailed) as empty:
        staff.sign_in(counter.workspace, client, "  ", PASSWORD)
    assert (empty.value.code, empty.value.field) == ("staff.username_required", "username")


def test_the_offline_verifier_expires(
    live_server: LiveServer, counter: Counter, client_of: Callable[[Counter], ServerClient]
):
    client = client_of(counter)
    with counter.workspace.writing() as (session, _now):
        session.add(SettingRow(key=staff.OFFLINE_DAYS_KEY, value=1))
    staff.sign_in(counter.workspace, client, CLERK, PASSWORD)
    live_server.stop()
    with counter.workspace.reading() as (session, now):
        assert staff.verify_offline(session, CLERK, PASSWORD, now=now + timedelta(hours=23)).offline
        with pytest.raises(staff.SignInFailed) as expired:
            staff.verify_offline(session, CLERK, PASSWORD, now=now + timedelta(days=1, minutes=1))
    assert (expired.value.code, expired.value.field) == ("staff.offline_expired", "username")


def test_a_throttled_sign_in_says_how_long_to_wait_and_never_falls_back_offline(
    counter: Counter, client_of: Callable[[Counter], ServerClient]
):
    client = client_of(counter)
    staff.sign_in(counter.workspace, client, CLERK, PASSWORD)  # a verifier is cached: offline would accept it
    # GIVEN ten wrong passwords on this counter (her own, used lately: the device's limit, not the account's 5)
    for _ in range(10):
        with pytest.raises(staff.SignInFailed) as wrong:
            staff.sign_in(counter.workspace, client, CLERK, "wrong password 123")
        assert wrong.value.code == "auth.invalid_credentials"
    # WHEN the right one is typed at once
    with pytest.raises(staff.SignInFailed) as throttled:
        staff.sign_in(counter.workspace, client, CLERK, PASSWORD)
    # THEN the clerk is told to try again in N seconds (the server's Retry-After), not signed in offline
    assert (throttled.value.code, throttled.value.field) == ("auth.throttled", None)
    assert throttled.value.params["seconds"] == 2
