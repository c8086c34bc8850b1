"""Upcasters: old op versions stay readable (SYNC.md §2(g)); unknown or newer versions never pass silently."""

from __future__ import annotations

from typing import Any

import pytest

from counterapp.protocol import ops, upcast
from counterapp.protocol.payloads import DossierReturnV1, decode_payload
from counterapp.protocol.upcast import UPCASTERS, UndecodableOp

FAKE = ops.OpKind("test.fake", 3, fact=True)


@pytest.fixture
def fake_kind(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """A kind at version 3 with upcasters 1→2 and 2→3 that leave a trace of the order they ran in."""
    monkeypatch.setitem(ops.ALL, FAKE.name, FAKE)
    ran: list[str] = []

    def one_to_two(p: dict[str, Any]) -> dict[str, Any]:
        ran.append("1→2")
        return {"name": p.pop("nom"), **p}

    def two_to_three(p: dict[str, Any]) -> dict[str, Any]:
        ran.append("2→3")
        return p | {"tags": p.get("tags", [])}

    monkeypatch.setitem(UPCASTERS, (FAKE.name, 1), one_to_two)
    monkeypatch.setitem(UPCASTERS, (FAKE.name, 2), two_to_three)
    return ran


def test_upcasters_chain_in_order(fake_kind: list[str]) -> None:
    old = {"nom": "x"}
    assert upcast.upcast("test.fake", 1, old) == (3, {"name": "x", "tags": []})
    assert fake_kind == ["1→2", "2→3"]
    assert old == {"nom": "x"}  # the caller's payload is untouched
    assert upcast.upcast("test.fake", 2, {"name": "y", "tags": ["a"]}) == (3, {"name": "y", "tags": ["a"]})
    assert fake_kind == ["1→2", "2→3", "2→3"]
    assert upcast.upcast("test.fake", 3, {"anything": 1}) == (3, {"anything": 1})
    assert fake_kind == ["1→2", "2→3", "2→3"]  # the current version runs no upcaster


def test_missing_upcasters_and_newer_versions_are_undecodable(fake_kind: list[str]) -> None:
    with pytest.raises(UndecodableOp, match=r"no upcaster from test\.fake@0"):
        upcast.upcast("test.fake", 0, {})
    with pytest.raises(UndecodableOp, match=r"test\.fake@4 is newer"):
        upcast.upcast("test.fake", 4, {})
    with pytest.raises(UndecodableOp, match=r"upcasting test\.fake@1 failed: KeyError"):
        upcast.upcast("test.fake", 1, {"name": "already renamed"})
    assert fake_kind == ["1→2"]


def test_an_upcaster_must_return_an_object(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ops.ALL, FAKE.name, ops.OpKind("test.fake", 2, fact=True))
    monkeypatch.setitem(UPCASTERS, (FAKE.name, 1), lambda p: [p])
    with pytest.raises(UndecodableOp, match="not a JSON object"):
        upcast.upcast("test.fake", 1, {})


def test_a_real_kind_reads_an_older_shape_through_its_upcaster(monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a hypothetical dossier.return@0 that named the collector "receiver" and had no note
    def zero_to_one(p: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in p.items() if k != "receiver"} | {"collected_by": p["receiver"], "note": None}

    old = {"dossier_id": "0195f3a2-7c4e-7b21-9d3a-4f1c2b8e6a10", "code": "000.00.01.H26-260316-9001",
           "returned_at": "2026-03-19T16:00:00", "receiver": "Trần Văn Nam"}  # fmt: skip
    with pytest.raises(UndecodableOp, match=r"no upcaster from dossier\.return@0"):
        decode_payload("dossier.return", 0, old)
    # WHEN the server registers the upcaster, THEN the old op decodes to the current model
    monkeypatch.setitem(UPCASTERS, ("dossier.return", 0), zero_to_one)
    decoded = decode_payload("dossier.return", 0, old)
    assert isinstance(decoded, DossierReturnV1) and decoded.collected_by == "Trần Văn Nam"


def test_a_kind_bumped_without_a_model_is_undecodable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ops.ALL, "dossier.return", ops.OpKind("dossier.return", 2, fact=True))
    monkeypatch.setitem(UPCASTERS, ("dossier.return", 1), dict)
    with pytest.raises(UndecodableOp, match=r"no payload model for dossier\.return@2"):
        decode_payload("dossier.return", 1, {})


def test_nothing_is_registered_while_every_kind_is_at_version_1() -> None:
    assert {kind.version for kind in ops.ALL.values()} == {1}
    assert UPCASTERS == {}
