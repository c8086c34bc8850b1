"""The command line as users run it: real processes for exit codes and output, in-process for the rest."""

import json
import subprocess
import sys

import pytest

from counterapp.cli.main import main


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "counterapp", *args], capture_output=True, text=True, timeout=60, check=False
    )


def call(capsys, *args: str) -> tuple[int, str, str]:
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse exits on bad arguments
        code = exc.code
    out, err = capsys.readouterr()
    return code, out, err


# --- due-date --------------------------------------------------------------------------------------


def test_due_date_prints_the_appointment_and_nothing_else():
    result = run("due-date", "--received", "2025-03-14T15:30", "--duration", "5", "--unit", "working-days")
    assert (result.returncode, result.stdout, result.stderr) == (0, "2025-03-21T17:00\n", "")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--received", "2025-03-14T15:30", "--duration", "5", "--cutoff", "15:00"], "2025-03-24T17:00"),
        (["--received", "2025-04-25T15:30", "--duration", "5"], "2025-05-06T17:00"),
        (["--received", "2025-03-18T10:00", "--duration", "4", "--unit", "hours"], "2025-03-18T15:00"),
        (["--received", "2025-03-18T15:30", "--duration", "0.5", "--unit", "hours"], "2025-03-18T16:00"),
        (["--received", "2025-04-25T10:00", "--duration", "5", "--unit", "calendar-days"],
         "2025-05-05T17:00"),
        (["--received", "2025-03-17 15:10", "--procedure", "2.000635"], "2025-03-18T17:00"),
        (["--received", "2025-03-18T10:00", "--duration", "4", "--unit", "hours",
          "--office-hours", "07:00-11:30,13:30-17:00"], "2025-03-18T16:00"),
    ],
)  # fmt: skip
def test_due_date_variants(capsys, args, expected):
    code, out, err = call(capsys, "due-date", *args)
    assert (code, out, err) == (0, expected + "\n", "")


def test_due_date_json_explains_the_computation(capsys):
    code, out, _ = call(capsys, "due-date", "--received", "2025-04-25T15:30", "--duration", "5", "--json")
    details = json.loads(out)
    assert code == 0
    assert details["due_at"] == "2025-05-06T17:00"
    assert details["calendar_version"]
    assert details["duration"] == {"value": "5", "unit": "working_days"}
    skipped = {s["date"]: s["reason"] for s in details["skipped"]}
    assert skipped["2025-04-30"] == "holiday" and skipped["2025-05-02"] == "swap"
    assert skipped["2025-04-27"] == "weekend"
    assert [m["date"] for m in details["makeup_days"]] == ["2025-04-26"]
    assert all(m["basis"] for m in details["makeup_days"])


def test_an_override_file_changes_the_calendar_and_its_version(capsys, tmp_path):
    override = tmp_path / "local.json"
    override.write_text(
        json.dumps(
            {
                "schema": 1,
                "version": "local-1",
                "add": [
                    {"date": "2025-03-17", "kind": "off", "category": "local",
                     "name_vi": "Nghỉ đột xuất", "name_en": "Closure", "basis": "Quyết định của Giám đốc"}
                ],
            }
        ),
        encoding="utf-8",
    )  # fmt: skip
    args = [
        "due-date",
        "--received",
        "2025-03-14T10:00",
        "--duration",
        "1",
        "--calendar-override",
        str(override),
    ]
    code, out, _ = call(capsys, *args, "--json")
    assert code == 0
    assert json.loads(out)["due_at"] == "2025-03-18T17:00"
    assert json.loads(out)["calendar_version"].endswith("+local-1")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--received", "yesterday", "--duration", "5"], "--received"),
        (["--received", "2025-03-14T15:30", "--duration", "-1"], "--duration"),
        (["--received", "2025-03-14T15:30", "--duration", "five"], "--duration"),
        (["--received", "2025-03-14T15:30", "--duration", "5", "--unit", "weeks"], "--unit"),
        (["--received", "2025-03-14T15:30", "--duration", "5", "--cutoff", "25:00"], "--cutoff"),
        (["--duration", "5"], "--received"),
        (["--received", "2025-03-14T15:30"], "--duration"),
        (["--received", "2025-03-14T15:30", "--duration", "1.5"], "duration.whole_days_required"),
        (["--received", "2031-03-14T15:30", "--duration", "5"], "calendar.not_covered"),
        (["--received", "2025-03-14T15:30", "--procedure", "9.999999"], "procedure.not_found"),
        (["--received", "2025-03-14T15:30", "--duration", "5", "--office-hours", "8-12"], "--office-hours"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(capsys, args, fragment):
    code, out, err = call(capsys, "due-date", *args)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("counterapp: error:")
    assert fragment in err


def test_a_broken_override_file_is_named_never_a_traceback(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    result = run("due-date", "--received", "2025-03-14T10:00", "--duration", "1", "--calendar-override", str(broken))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"counterapp: error: {broken}: invalid JSON at line 1 column 2"


def test_no_command_is_a_usage_error():
    result = run()
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


# --- calendar ----------------------------------------------------------------------------------


def test_calendar_lists_weekdays_off_and_makeup_days(capsys):
    code, out, _ = call(capsys, "calendar", "--year", "2026")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Lịch làm việc năm 2026")
    by_date = {line[:10]: line for line in lines[1:]}
    assert "làm bù" in by_date["2026-08-22"] and "Thứ Bảy" in by_date["2026-08-22"]
    assert "nghỉ" in by_date["2026-08-31"]
    assert "Tết Nguyên đán" in by_date["2026-02-17"]
    assert "2026-04-26" not in by_date  # Giỗ Tổ on a Sunday is not a weekday off ...
    assert "nghỉ" in by_date["2026-04-27"]  # ... its compensatory Monday is
    assert all(" — " in line for line in lines[1:])  # every line gives its legal basis


def test_calendar_in_english_and_json(capsys):
    code, out, _ = call(capsys, "calendar", "--year", "2025", "--lang", "en")
    assert code == 0 and "2025-04-26  Sat       working" in out
    code, out, _ = call(capsys, "calendar", "--year", "2025", "--json")
    days = {d["date"]: d for d in json.loads(out)["days"]}
    assert days["2025-04-26"]["working"] is True and days["2025-05-02"]["category"] == "swap"


def test_calendar_for_an_uncovered_year(capsys):
    code, _, err = call(capsys, "calendar", "--year", "2031")
    assert code == 2 and "calendar.not_covered" in err


# --- procedures and validate -------------------------------------------------------------------


def test_procedures_list_search_and_show(capsys):
    code, out, _ = call(capsys, "procedures", "list")
    assert code == 0 and len(out.splitlines()) >= 30
    code, out, _ = call(capsys, "procedures", "list", "--search", "khai sinh")
    assert code == 0 and all("khai sinh" in line.lower() for line in out.splitlines())
    code, out, _ = call(capsys, "procedures", "show", "1.001193")
    assert code == 0 and "Đăng ký khai sinh" in out and "Thành phần hồ sơ" in out
    code, out, _ = call(capsys, "procedures", "show", "1.001193", "--json")
    assert json.loads(out)["cutoff"] == "15:00"
    code, _, err = call(capsys, "procedures", "show", "0.000000")
    assert code == 2 and "procedure.not_found" in err


@pytest.mark.parametrize(
    ("kind", "value", "code", "output"),
    [
        ("cccd", "001090012345", 0, "ok"),
        ("cccd", "00109001234", 1, "cccd.length"),
        ("cccd", "003090012345", 1, "cccd.province_unknown"),
        ("cmnd", "012345678", 0, "ok"),
        ("phone", "0912 345 678", 0, "ok"),
        ("phone", "0112345678", 1, "phone.prefix_unknown"),
        ("dossier-code", "000.00.01.H26-250314-0012", 0, "ok"),
        ("dossier-code", "000.00.01.H26-250314-12", 1, "dossier_code.format"),
        ("ticket", "A015", 0, "ok"),
    ],
)
def test_validate(capsys, kind, value, code, output):
    assert call(capsys, "validate", kind, value)[:2] == (code, output + "\n")


def test_validate_exit_status_in_a_real_process():
    assert run("validate", "phone", "0912345678").returncode == 0
    bad = run("validate", "cccd", "12")
    assert (bad.returncode, bad.stdout) == (1, "cccd.length\n")
