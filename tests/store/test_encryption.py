"""The cache encrypted at rest: a copied ``counter.sqlite3`` (with its ``-wal`` and ``-shm``) shows no name,
CCCD number, phone or address, while the same intake in a plain SQLite file shows them all — so the check
can fail. A cache made before encryption is encrypted once, nothing lost, its plaintext gone."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from counterapp.services import intake, search
from counterapp.store import cache_key
from counterapp.store.database import DB_FILENAME, Store, open_store
from counterapp.store.dossier_models import DossierRow
from tests.store.crash_worker import DAY, PROCEDURE, prepare

APPLICANT = {
    "name": "Nguyễn Thị Tuyết Nhung",
    "id_number": "001190054321",
    "phone": "0912354321",
    "address": "Số 47 ngõ Tràng Tiền, Hoàn Kiếm",
}
# each field whole, and single words of the name and the address (UTF-8, NFC)
NEEDLES = [value.encode("utf-8") for value in [*APPLICANT.values(), "Tuyết", "Tràng Tiền"]]


def _receive(store: Store, applicant: dict[str, str], minute: int = 0) -> str:
    with store.write() as s:
        from counterapp.services import catalogue

        documents = [{"code": c.code, "originals": 1} for c in catalogue.get_procedure(s, PROCEDURE).components]
        raw = {"procedure_code": PROCEDURE, "applicant": applicant, "documents": documents}
        result = intake.receive_dossier(s, raw, now=datetime.combine(DAY, time(9, minute)), user_id="clerk5")
        return str(result.dossier.code)


def _found(data_dir: Path) -> set[bytes]:
    """The needles found in the raw bytes of the cache, its WAL and its shared-memory index."""
    raw = b"".join(path.read_bytes() for path in data_dir.glob(f"{DB_FILENAME}*") if path.is_file())
    return {needle for needle in NEEDLES if needle in raw}


@pytest.mark.parametrize("encrypt", [True, False], ids=["encrypted", "plain"])
def test_a_copied_cache_reveals_no_personal_data(tmp_path: Path, encrypt: bool) -> None:
    prepare(tmp_path, encrypt=encrypt)
    store = open_store(tmp_path, encrypt=encrypt)
    try:
        code = _receive(store, APPLICANT)
        with store.read() as s:  # what the counter reads back is whole
            assert [hit.code for hit in search.search_dossiers(s, "nguyen thi tuyet nhung").items] == [code]
        open_files = _found(tmp_path)  # while the window runs: the newest rows are in the WAL
    finally:
        store.close()
    closed_files = _found(tmp_path)  # after it quit: checkpointed into the main file
    if encrypt:
        assert open_files == set() and closed_files == set()
    else:  # the same check finds everything in a plain SQLite file
        assert open_files == closed_files == set(NEEDLES)


def test_a_plaintext_cache_is_encrypted_once_with_nothing_lost(tmp_path: Path) -> None:
    prepare(tmp_path, encrypt=False)  # a data directory of the release before encryption
    store = open_store(tmp_path, encrypt=False)
    try:
        codes = [_receive(store, APPLICANT | {"id_number": f"00119005432{i}"}, minute=i) for i in range(5)]
        with store.read() as s:
            before = s.scalars(select(DossierRow.code).order_by(DossierRow.code)).all()
        assert _found(tmp_path)  # the plaintext, some of it still in its WAL
    finally:
        store.close()
    assert cache_key.is_plaintext(tmp_path / DB_FILENAME)

    store = open_store(tmp_path)  # the new release opens it
    try:
        assert not cache_key.is_plaintext(store.path)
        assert _found(tmp_path) == set()
        leftovers = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(DB_FILENAME))
        assert leftovers == [DB_FILENAME, f"{DB_FILENAME}-shm", f"{DB_FILENAME}-wal"], leftovers
        with store.read() as s:
            assert s.scalars(select(DossierRow.code).order_by(DossierRow.code)).all() == before == sorted(codes)
            assert [hit.code for hit in search.search_dossiers(s, "001190054323").items] == [codes[3]]
        _receive(store, APPLICANT, minute=30)  # and it goes on working
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(DossierRow)) == 6
    finally:
        store.close()
    assert _found(tmp_path) == set()


def test_an_interrupted_encryption_is_finished_or_undone(tmp_path: Path) -> None:
    prepare(tmp_path, encrypt=False)
    path = tmp_path / DB_FILENAME
    aside = path.with_name(path.name + cache_key.ASIDE_SUFFIX)
    path.rename(aside)  # stopped between the two renames: only the plaintext, aside
    store = open_store(tmp_path)
    try:
        assert not aside.exists() and not cache_key.is_plaintext(path)
        with store.read() as s:
            assert s.scalar(select(func.count()).select_from(DossierRow)) == 0
    finally:
        store.close()
    aside.write_bytes(b"SQLite format 3\x00" + b"Nguyen" * 100)  # stopped before the plaintext was shredded
    cache_key.finish_interrupted(path)
    assert not aside.exists() and not cache_key.is_plaintext(path)
