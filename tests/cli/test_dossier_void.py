"""``counterapp dossier void CODE --reason TEXT``: withdrawing a dossier received by mistake today."""

from __future__ import annotations

from .conftest import Counter, good_form, today_code


def test_void_withdraws_the_dossier_and_keeps_the_reason(counter: Counter) -> None:
    received = str(counter.json("intake", "--from", counter.form(good_form()))["code"])
    # WHEN the clerk voids it
    out = counter.ok("dossier", "void", received, "--reason", "  Nhận nhầm   thủ tục ", "--user", "clerk-9")
    # THEN one line says it is withdrawn, and the dossier, its history and the register show it
    assert out.startswith(f"{received}\tđã rút\t")
    shown = counter.json("dossier", "show", received)
    assert shown["status"] == "withdrawn"
    assert (shown["history"][-1]["note"], shown["history"][-1]["user_id"]) == ("Nhận nhầm thủ tục", "clerk-9")
    [line] = counter.json("register", "--date", shown["received_at"][:10])["lines"]
    assert (line["code"], line["line"], line["status"]) == (received, 1, "withdrawn")
    assert counter.pending() == 2  # dossier.create and dossier.void
    # and the next intake takes the next number: a code is never reused
    assert counter.json("intake", "--from", counter.form(good_form()))["code"] == today_code(2)


def test_a_refused_void_prints_one_line_exits_1_and_writes_nothing(counter: Counter) -> None:
    received = str(counter.json("intake", "--from", counter.form(good_form()))["code"])
    before = counter.pending()
    assert counter.cli("dossier", "void", received, "--reason", " ") == (
        1,
        "",
        "counterapp: error: reason: reason.required\n",
    )
    code, _, err = counter.cli("dossier", "void", today_code(9), "--reason", "nhầm")
    assert code == 1 and err.startswith("counterapp: error: not_found") and err.count("\n") == 1
    counter.ok("dossier", "void", received, "--reason", "nhầm")
    code, _, err = counter.cli("dossier", "void", received, "--reason", "nhầm")
    assert (code, err) == (1, "counterapp: error: dossier.already_withdrawn (field=code)\n")
    assert counter.pending() == before + 1
    code, _, err = counter.cli("dossier", "void", received)  # --reason is required
    assert code == 2 and "--reason" in err
