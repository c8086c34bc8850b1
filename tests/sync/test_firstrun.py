"""The first start's enrollment (``counterapp.sync.firstrun``) against a real ``counterapp-server`` process:
one plain code for each way it can fail, and what a fresh data directory becomes when it works."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest

from counterapp.protocol import client as protocol_client
from counterapp.services.configured_counter import configured_counter
from counterapp.sync import firstrun
from counterapp.sync.enrollment import credential_path, load_credential
from counterapp.sync.firstrun import FirstRunFailed, enroll_counter, probe_server, transport_problem
from tests.liveserver import LiveServer
from tests.sync.firstrunkit import NOWHERE, make_code, refused_url, silent_server, untrusted_tls_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    made = LiveServer(tmp_path_factory.mktemp("server"))
    made.start()
    yield made
    made.close()


def failure(call: object, *args: object, **kwargs: object) -> FirstRunFailed:
    assert callable(call)
    with pytest.raises(FirstRunFailed) as raised:
        call(*args, **kwargs)
    return raised.value


def test_a_fresh_data_directory_becomes_the_codes_counter(server: LiveServer, tmp_path: Path) -> None:
    # GIVEN a code made for counter 2 of centre A, and no data directory yet
    code = make_code(server, number="2")
    data = tmp_path / "counter"
    # WHEN the first start enrolls with it (the server address typed with a trailing slash)
    enrolled = enroll_counter(data, server.url + "/", code)
    # THEN the directory exists, holds the credential, is this PC's counter, and says what it became
    assert load_credential(data).device_id == enrolled.device_id
    assert configured_counter() == data.resolve()
    assert (enrolled.agency_code, enrolled.counter_number, enrolled.server_url) == ("000.00.01.H26", "2", server.url)
    assert enrolled.centre_name  # the centre's name, from GET /v1/me
    assert enrolled.warnings == ()
    assert enrolled.protocol == (1, 1)


def test_the_installers_counter_differing_from_the_codes_is_said(server: LiveServer, tmp_path: Path) -> None:
    enrolled = enroll_counter(tmp_path / "c", server.url, make_code(server, number="1"), expected_counter="5")
    assert enrolled.counter_number == "1"
    assert firstrun.COUNTER_MISMATCH in enrolled.warnings


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda s: "ZZZZ-ZZZZ-ZZZZ", "enrollment.code_invalid"),
        (lambda s: make_code(s, expired=True), "enrollment.code_expired"),
        (lambda s: make_code(s, number=None, kind="display"), "sync.not_a_counter"),
    ],
    ids=["wrong", "expired", "display"],
)
def test_codes_the_server_refuses(server: LiveServer, tmp_path: Path, make: object, expected: str) -> None:
    assert callable(make)
    data = tmp_path / "counter"
    assert failure(enroll_counter, data, server.url, make(server)).code == expected
    assert not credential_path(data).exists()  # nothing enrolled: the wizard can try another code


def test_a_code_used_already(server: LiveServer, tmp_path: Path) -> None:
    code = make_code(server)
    enroll_counter(tmp_path / "first", server.url, code)
    assert failure(enroll_counter, tmp_path / "second", server.url, code).code == "enrollment.code_used"


def test_server_too_old_for_this_app(server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN an app that speaks only protocol 2 (its hello asks for 2; this server speaks 1 to 1)
    monkeypatch.setattr(protocol_client, "PROTOCOL_MAX", 2)
    monkeypatch.setattr(firstrun, "PROTOCOL_MIN", 2)
    # WHEN it enrolls
    enrolled = enroll_counter(tmp_path / "c", server.url, make_code(server))
    # THEN it is enrolled (the code is spent) and says the server is too old; it works offline meanwhile
    assert enrolled.warnings == (firstrun.SERVER_TOO_OLD,)
    assert credential_path(tmp_path / "c").exists()


def test_server_too_new_for_this_app(server: LiveServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN an app older than the server's min_app_version (0.1.0)
    monkeypatch.setattr(firstrun, "APP_VERSION", "0.0.9")
    enrolled = enroll_counter(tmp_path / "c", server.url, make_code(server))
    assert enrolled.warnings == (firstrun.SERVER_TOO_NEW,)


def test_refused_connection(tmp_path: Path) -> None:
    assert failure(enroll_counter, tmp_path / "c", refused_url(), "AB12-CD34-EF56").code == "connect.refused"
    assert not (tmp_path / "c").exists()  # the probe failed before anything was created


def test_unknown_name() -> None:
    assert failure(probe_server, NOWHERE).code == "connect.dns"


def test_no_answer_in_time() -> None:
    with silent_server() as url:
        assert failure(probe_server, url, timeout=0.5).code == "connect.timeout"


def test_untrusted_certificate(tmp_path: Path) -> None:
    with untrusted_tls_server(tmp_path) as url:
        assert failure(probe_server, url).code == "connect.tls"


def test_https_to_a_plain_http_server(server: LiveServer) -> None:
    assert failure(probe_server, server.url.replace("http://", "https://")).code == "connect.tls"


def test_something_else_answers(server: LiveServer) -> None:
    # the right host, a wrong path: not a counterapp server there
    assert failure(probe_server, server.url + "/v1").code == "connect.not_counterapp"


@pytest.mark.parametrize("text", ["hcc.example", "ftp://hcc.example", "http://", "http://a b", "http://h:port"])
def test_addresses_that_are_not_http(text: str) -> None:
    assert failure(probe_server, text).code == "connect.address"


def test_no_route_to_the_server() -> None:
    # GIVEN a network stack that answers "no route to host" (a cable out, a wrong VLAN): not playable on loopback
    def no_route(request: httpx2.Request) -> httpx2.Response:
        try:
            raise OSError(errno.EHOSTUNREACH, "No route to host")
        except OSError as cause:
            raise httpx2.ConnectError("no route", request=request) from cause

    http = httpx2.Client(transport=httpx2.MockTransport(no_route))
    assert failure(probe_server, "http://10.255.255.1:8765", http=http).code == "connect.no_route"


def test_transport_problem_reads_the_hidden_context() -> None:
    # ``Unreachable`` is raised ``from None``: the socket's error is still its ``__context__``
    try:
        try:
            raise ConnectionRefusedError(errno.ECONNREFUSED, "refused")
        except ConnectionRefusedError:
            raise protocol_client.Unreachable("no answer") from None
    except protocol_client.Unreachable as exc:
        assert transport_problem(exc) == "connect.refused"


def test_protocol_warning_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    assert firstrun.protocol_warning(1, 1, 1, "0.1.0") is None
    assert firstrun.protocol_warning(1, 2, 3) == firstrun.SERVER_TOO_NEW
    monkeypatch.setattr(firstrun, "PROTOCOL_MIN", 3)
    assert firstrun.protocol_warning(3, 1, 2) == firstrun.SERVER_TOO_OLD


def test_too_many_wrong_codes_gives_the_wait() -> None:
    # the server's 429 auth.throttled after five wrong codes from one address (server/services/throttle.py)
    throttled = protocol_client.RetryLater(3.2, "retry", status=429, code="auth.throttled")
    failed = firstrun._enroll_failure(throttled)
    assert failed.code == "auth.throttled" and failed.params["seconds"] == 4


def test_counter_05_is_counter_5() -> None:
    assert firstrun._counter_key("05") == firstrun._counter_key("5") != firstrun._counter_key("50")
    assert firstrun._counter_key("A1") == firstrun._counter_key("a1")
