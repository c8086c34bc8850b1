"""The client commands over a real SQLite data directory: init, leases, tickets, outbox, purge, and how
refused commands exit (status 1, one line, nothing written)."""

from __future__ import annotations

import os
from datetime import datetime, timedelta

from sqlalchemy import update

from counterapp.services.clock import centre_wall_time
from counterapp.store.database import open_store
from counterapp.store.dossier_models import DossierRow
from counterapp.store.sync_models import DeviceMetaRow
from tests.counter import legal_today

from .conftest import AGENCY, APPLICANT, Counter, good_form, run

TODAY = legal_today().isoformat()

# --- init ------------------------------------------------------------------------------------------


def test_init_gives_identity_catalogue_and_queue_services(tmp_path, capsys):
    c = Counter(tmp_path / "d", capsys, tmp_path)
    info = c.json("init", "--agency-code", AGENCY, "--counter", "7")
    assert info["agency_code"] == AGENCY and info["counter_number"] == "7"
    assert info["procedures"] == 42
    assert info["queue_services"] == ["HTCT", "DDXD", "KD", "LDXH", "TKQ"]
    assert c.pending() == 0


def test_init_refuses_an_initialised_directory_and_keeps_its_identity(bare):
    code, out, err = bare.cli("init", "--agency-code", "000.00.02.H26", "--counter", "9")
    assert (code, out) == (1, "")
    assert err == "counterapp: error: device.already_initialised\n"
    store = open_store(bare.data_dir)
    with store.read() as s:
        meta = s.get(DeviceMetaRow, 1)
        assert meta is not None and (meta.agency_code, meta.counter_number) == (AGENCY, "5")
    store.close()


def test_init_with_a_bad_agency_code_or_catalogue_file(tmp_path, capsys):
    c = Counter(tmp_path / "d", capsys, tmp_path)
    code, _, err = c.cli("init", "--agency-code", "H26", "--counter", "1")
    assert code == 1 and err.startswith("counterapp: error: agency_code") and err.count("\n") == 1
    broken = tmp_path / "cat.json"
    broken.write_text("[1, 2", encoding="utf-8")
    code, _, err = c.cli("init", "--agency-code", AGENCY, "--counter", "1", "--catalogue", str(broken))
    assert code == 1 and f"{broken}: invalid JSON" in err
    assert c.ok("init", "--agency-code", AGENCY, "--counter", "1").startswith("Đã khởi tạo thiết bị")


def test_an_uninitialised_directory_is_refused_with_a_hint_and_not_created(tmp_path, capsys):
    c = Counter(tmp_path / "nowhere", capsys, tmp_path)
    for args in (["outbox", "count"], ["ticket", "list"], ["intake", "--from", c.form(good_form())]):
        code, out, err = c.cli(*args)
        assert (code, out) == (1, "")
        assert err.startswith("counterapp: error: device.not_initialised") and "counterapp init" in err
    assert not (tmp_path / "nowhere").exists()


def test_data_dir_and_user_come_from_the_environment(bare, monkeypatch):
    monkeypatch.setenv("COUNTERAPP_DATA_DIR", str(bare.data_dir))
    monkeypatch.setenv("COUNTERAPP_USER", "clerk-07")
    bare.grant_today()
    assert bare.main_without_data_dir("ticket", "issue", "--service", "HTCT") == 0
    ops = bare.json("outbox", "list")["ops"]
    assert ops[-1]["kind"] == "ticket.issue" and ops[-1]["user_id"] == "clerk-07"


# --- leases ----------------------------------------------------------------------------------------


def test_lease_grant_and_list(bare):
    lease = bare.json("lease", "grant", "--kind", "dossier-code", "--date", TODAY, "--from", "11", "--to", "20")
    assert (lease["scope"], lease["from"], lease["to"], lease["remaining"]) == (AGENCY, 11, 20, 10)
    assert lease["source"] == "standalone"
    bare.ok("lease", "grant", "--kind", "ticket", "--date", TODAY, "--from", "1", "--to", "5", "--prefix", "b")
    tomorrow = (legal_today() + timedelta(days=1)).isoformat()
    bare.ok("lease", "grant", "--kind", "ticket", "--date", tomorrow, "--from", "1", "--to", "5", "--prefix", "B")
    bare.ok("ticket", "issue", "--service", "DDXD")
    listed = bare.json("lease", "list", "--date", TODAY)["leases"]
    assert [(x["kind"], x["scope"], x["remaining"]) for x in listed] == [
        ("dossier_code", AGENCY, 10),
        ("ticket", "B", 4),
    ]
    assert len(bare.json("lease", "list")["leases"]) == 3
    text = bare.ok("lease", "list", "--date", TODAY)
    assert "11–20" in text and "còn 4" in text


def test_lease_grant_help_says_it_is_for_a_standalone_counter(bare):
    code, out, _ = bare.cli("lease", "grant", "--help")
    assert code == 0 and "STANDALONE" in out and "server" in out


def test_lease_grant_refusals(bare):
    code, _, err = bare.cli("lease", "grant", "--kind", "ticket", "--date", TODAY, "--from", "1", "--to", "9")
    assert code == 2 and "--prefix" in err  # a usage error
    code, _, err = bare.cli(
        "lease", "grant", "--kind", "ticket", "--date", TODAY, "--from", "1", "--to", "9", "--prefix", "Z"
    )
    assert (code, err) == (1, "counterapp: error: prefix: prefix.unknown\n")
    code, _, err = bare.cli("lease", "grant", "--kind", "dossier-code", "--date", TODAY, "--from", "9", "--to", "1")
    assert (code, err) == (1, "counterapp: error: range: lease.range_invalid\n")
    bare.ok("lease", "grant", "--kind", "dossier-code", "--date", TODAY, "--from", "1", "--to", "10")
    code, _, err = bare.cli("lease", "grant", "--kind", "dossier-code", "--date", TODAY, "--from", "5", "--to", "15")
    assert code == 1 and err.startswith("counterapp: error: lease.overlap")
    assert len(bare.json("lease", "list")["leases"]) == 1


# --- tickets ---------------------------------------------------------------------------------------


def test_ticket_issue_list_and_the_whole_journey(counter):
    assert counter.ok("ticket", "issue", "--service", "HTCT").split()[:3] == ["A001", "HTCT", "đang"]
    elderly = counter.json("ticket", "issue", "--service", "htct", "--priority", "elderly")
    assert (elderly["number"], elderly["priority"], elderly["state"]) == ("A002", "elderly", "waiting")
    counter.ok("ticket", "issue", "--service", "DDXD")
    waiting = counter.json("ticket", "list")["tickets"]
    assert [t["number"] for t in waiting] == ["A002", "A001", "B001"]  # strict priority first
    assert counter.ok("ticket", "list").splitlines()[0].split()[:2] == ["1", "A002"]

    assert counter.json("ticket", "call-next")["number"] == "A002"
    assert counter.json("ticket", "recall")["recalls"] == 1
    assert counter.json("ticket", "start")["state"] == "serving"
    done = counter.json("ticket", "finish", "--outcome", "dossier_received")
    assert (done["state"], done["events"][-1]["outcome"]) == ("done", "dossier_received")

    assert counter.json("ticket", "call", "A001")["state"] == "called"
    assert counter.json("ticket", "no-show", "A001")["state"] == "no_show"
    assert counter.json("ticket", "reactivate", "A001")["state"] == "waiting"
    assert counter.json("ticket", "call-next", "--offline")["number"] == "A001"  # a walk-in is in the hand
    held = counter.json("ticket", "hold", "--reason", "thiếu giấy tờ")
    assert (held["state"], held["events"][-1]["reason"]) == ("held", "thiếu giấy tờ")
    assert counter.json("ticket", "unhold", "A001")["state"] == "waiting"
    moved = counter.json("ticket", "transfer", "A001", "--to", "DDXD", "--reason", "nhầm quầy")
    assert (moved["number"], moved["service"], moved["state"]) == ("A001", "DDXD", "waiting")
    assert counter.json("ticket", "cancel", "B001", "--reason", "về")["state"] == "cancelled"
    assert [t["number"] for t in counter.json("ticket", "list")["tickets"]] == ["A001"]
    assert counter.pending() == 3 + 12  # three issued, twelve steps


def test_an_illegal_transition_exits_1_and_changes_nothing(counter):
    counter.ok("ticket", "issue", "--service", "HTCT")
    before = counter.pending()
    code, out, err = counter.cli("ticket", "finish", "A001")
    assert (code, out) == (1, "")
    assert err.startswith("counterapp: error: ticket.illegal_transition") and "state=waiting" in err
    assert counter.pending() == before
    assert counter.json("ticket", "list")["tickets"][0]["state"] == "waiting"


def test_ticket_refusals_name_their_code(counter):
    assert counter.cli("ticket", "call-next")[:2] == (1, "")
    assert counter.cli("ticket", "call-next")[2].startswith("counterapp: error: queue.empty")
    assert counter.cli("ticket", "start")[2].startswith("counterapp: error: not_found (field=ticket)")
    assert counter.cli("ticket", "call", "A1")[2] == "counterapp: error: ticket: ticket.format\n"
    assert counter.cli("ticket", "issue", "--service", "XX")[2].startswith("counterapp: error: not_found")
    assert counter.cli("ticket", "issue", "--service", "KD")[2].startswith("counterapp: error: lease.missing")
    assert counter.pending() == 0


# --- outbox and purge ------------------------------------------------------------------------------


def test_outbox_lists_ops_without_personal_data(counter):
    counter.ok("intake", "--from", counter.form(good_form(owner={"name": "Trần Văn Bình"})))
    counter.ok("ticket", "issue", "--service", "HTCT")
    text = counter.ok("outbox", "list")
    as_json = counter.ok("outbox", "list", "--json")
    for secret in (APPLICANT["name"], APPLICANT["id_number"], APPLICANT["phone"], "Tràng Tiền", "Trần Văn Bình"):
        assert secret not in text and secret not in as_json
    assert [line.split()[0] for line in text.splitlines()] == ["1", "2"]
    assert "dossier.create@1" in text and "pending" in text
    assert counter.json("outbox", "list", "--limit", "1")["ops"][0]["kind"] == "ticket.issue"
    assert counter.json("outbox", "list", "--status", "applied")["ops"] == []
    assert counter.json("outbox", "count") == {"pending": 2}


def test_purge_clears_only_synced_dossiers_past_retention(counter):
    old = counter.json("intake", "--from", counter.form(good_form()))["code"]
    fresh = counter.json("intake", "--from", counter.form(good_form()))["code"]
    store = open_store(counter.data_dir)
    with store.write() as s:  # as if the first had reached the server three days ago
        s.execute(
            update(DossierRow)
            .where(DossierRow.code == old)
            .values(sync_state="synced", received_at=datetime.now() - timedelta(days=3))
        )
    store.close()
    report = counter.json("purge", "--older-than-days", "1")
    assert (report["dossiers"], report["forms"]) == (1, 0)
    shown = counter.json("dossier", "show", old)
    assert shown["purged"] and shown["applicant"]["name"] is None and shown["applicant"]["id_number"] is None
    assert counter.json("dossier", "show", fresh)["applicant"]["name"] == APPLICANT["name"]
    assert "0 hồ sơ" in counter.ok("purge", "--older-than-days", "1")
    code, _, err = counter.cli("purge", "--older-than-days", "-1")
    assert (code, err) == (1, "counterapp: error: older_than_days: retention.days_invalid\n")


# --- the corrected clock ---------------------------------------------------------------------------


def test_now_is_the_local_clock_plus_the_measured_offset(counter):
    store = open_store(counter.data_dir)
    with store.write() as s:
        s.execute(update(DeviceMetaRow).values(clock_offset_ms=4 * 60_000))  # the server is 4 minutes ahead
    store.close()
    before = centre_wall_time()  # the PC's clock read in Vietnamese time, whatever zone this machine has
    ahead = (before + timedelta(minutes=5)).date().isoformat()  # in the last minutes before midnight, tomorrow
    if ahead != before.date().isoformat():
        counter.ok("lease", "grant", "--kind", "dossier-code", "--date", ahead, "--from", "1", "--to", "50")
    received = counter.json("intake", "--from", counter.form(good_form()))
    at = datetime.fromisoformat(received["received_at"])
    assert before + timedelta(minutes=4) - timedelta(seconds=2) <= at <= centre_wall_time() + timedelta(minutes=4)
    # a clock a day off is no clock to date a legal receipt with: codes stop until it is fixed
    store = open_store(counter.data_dir)
    with store.write() as s:
        s.execute(update(DeviceMetaRow).values(clock_offset_ms=86_400_000))
    store.close()
    code, _, err = counter.cli("intake", "--from", counter.form(good_form()))
    assert code == 1 and err.startswith("counterapp: error: clock.skewed")


# --- real processes --------------------------------------------------------------------------------


def test_real_process_exit_codes_and_no_traceback(counter, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("COUNTERAPP_")}
    bad = counter.form(good_form(applicant={"name": "Lê Văn A", "id_number": "0011"}))
    result = run("intake", "--from", bad, "--data-dir", str(counter.data_dir), env=env)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "applicant.id_number: cccd.length" in result.stderr

    result = run("ticket", "list", "--data-dir", str(tmp_path / "empty"), env=env)
    assert result.returncode == 1 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("counterapp: error: device.not_initialised")
