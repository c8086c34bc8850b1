"""Re-enrolling a counter PC (``counterapp.sync.reenroll``) against a real server process: unsent work is
pushed first, or exported to a signed file when the server cannot be reached, and re-enrolling is refused
while any op is neither; the new identity gets a new data directory and the old one is left untouched."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx2
import pytest

from counterapp.printing.printers import PrinterKind
from counterapp.protocol import ops
from counterapp.protocol.client import Unreachable
from counterapp.services import printing
from counterapp.services.configured_counter import configured_counter
from counterapp.store import outbox
from counterapp.sync.enrollment import load_credential
from counterapp.sync.firstrun import FirstRunFailed
from counterapp.sync.outbox_export import export_pending
from counterapp.sync.reenroll import UnsentWork, new_data_dir, push_unsent, reenroll, unsent
from tests.keystores import MemoryKeyring
from tests.liveserver import Counter, LiveServer, enrolled_counter
from tests.sync.firstrunkit import make_code


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    made = LiveServer(tmp_path_factory.mktemp("server"))
    made.start()
    yield made
    made.close()


@pytest.fixture
def old(server: LiveServer, tmp_path: Path) -> Iterator[Counter]:
    """Counter 1 in use, with a printer and two ops not yet sent."""
    made = enrolled_counter(server, tmp_path / "counter", "1")
    with made.workspace.writing() as (session, now):
        printing.save_printer(session, {"name": "receipt", "kind": PrinterKind.PDF_FOLDER, "folder": str(tmp_path)})
        for number in range(2):
            payload = {"job_id": f"j{number}", "document": "ticket", "reference": f"A00{number}", "printer": "receipt",
                       "reprint_of": None, "printed_at": now.isoformat()}  # fmt: skip
            outbox.enqueue(session, ops.RECEIPT_PRINTED, payload, now=now, user_id=None)
    yield made
    made.workspace.close()


def unreachable() -> httpx2.Client:
    def refuse(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("refused", request=request)

    return httpx2.Client(transport=httpx2.MockTransport(refuse))


def test_pushed_then_enrolled_in_a_new_directory(server: LiveServer, old: Counter) -> None:
    store = old.workspace.store
    assert unsent(store).count == 2
    # WHEN the admin re-enrolls: the unsent work is pushed first
    assert push_unsent(store, old.path).count == 0
    # and the PC is enrolled as counter 2 with a new device's code
    before = load_credential(old.path)
    target, enrolled = reenroll(store, old.path, server.url, make_code(server, number="2"))
    # THEN a new directory beside the old one is this PC's counter, with the printers
    assert target.parent == old.path.resolve().parent and target.name.startswith("counter-")
    assert configured_counter() == target
    assert enrolled.counter_number == "2" and load_credential(target).device_id == enrolled.device_id
    assert enrolled.device_id != before.device_id
    from counterapp.services.workspace import open_workspace

    new = open_workspace(target)
    try:
        with new.reading() as (session, _now):
            assert set(printing.printers(session)) == {"receipt"}
    finally:
        new.close()
    # and the old directory is exactly as it was
    assert load_credential(old.path) == before


def test_unreachable_server_then_export_then_enrolled(server: LiveServer, old: Counter, tmp_path: Path) -> None:
    store = old.workspace.store
    # GIVEN the server cannot be reached from the old identity's address
    with pytest.raises(Unreachable):
        push_unsent(store, old.path, http=unreachable())
    # THEN re-enrolling is refused while the two ops are neither sent nor exported
    code = make_code(server, number="2")
    with pytest.raises(UnsentWork) as refused:
        reenroll(store, old.path, server.url, code)
    assert refused.value.params["count"] == 2
    assert configured_counter() != old.path  # nothing was enrolled
    # WHEN they are exported to a signed file
    exported = export_pending(store, old.path, tmp_path / "unsent.json")
    assert exported.count == 2
    document = json.loads((tmp_path / "unsent.json").read_text(encoding="utf-8"))
    assert {op["op_id"] for op in document["body"]["ops"]} == exported.op_ids
    # THEN the PC can be re-enrolled, and the old directory still holds the ops
    target, _enrolled = reenroll(store, old.path, server.url, code, exported=exported)
    assert configured_counter() == target
    assert unsent(store).count == 2


def test_a_wrong_code_leaves_no_new_directory(server: LiveServer, old: Counter) -> None:
    push_unsent(old.workspace.store, old.path)
    with pytest.raises(FirstRunFailed) as failed:
        reenroll(old.workspace.store, old.path, server.url, "ZZZZ-ZZZZ-ZZZZ")
    assert failed.value.code == "enrollment.code_invalid"
    assert sorted(p.name for p in old.path.parent.iterdir() if p.name.startswith("counter")) == ["counter"]


def test_a_failed_enrollment_leaves_no_key_behind(server: LiveServer, old: Counter, os_keystore: MemoryKeyring) -> None:
    """The new directory's store is opened (and its cache key made) before the server refuses the code: the
    key goes again, from the keystore as well as the disk."""
    push_unsent(old.workspace.store, old.path)
    before = dict(os_keystore.entries)
    target = new_data_dir(old.path, datetime(2026, 12, 8, 9, 30))
    with pytest.raises(FirstRunFailed):
        reenroll(old.workspace.store, old.path, server.url, "ZZZZ-ZZZZ-ZZZZ", now=datetime(2026, 12, 8, 9, 30))
    assert not target.exists()
    assert os_keystore.entries == before


def test_new_directory_names(tmp_path: Path) -> None:
    at = datetime(2026, 12, 8, 9, 30)
    assert new_data_dir(tmp_path / "counter", at) == tmp_path / "counter-20261208-0930"
    (tmp_path / "counter-20261208-0930").mkdir()
    assert new_data_dir(tmp_path / "counter", at) == tmp_path / "counter-20261208-0930-2"
