"""A broken data file gives one error naming the file and what is wrong, never a traceback deep inside."""

import json

import pytest

from counterapp.datafiles.calendar import read_calendar, read_override
from counterapp.datafiles.catalogue import load_catalogue
from counterapp.datafiles.jsonfile import DataFileError


def test_missing_file(tmp_path):
    with pytest.raises(DataFileError, match=r"missing\.json: file not found"):
        read_calendar(tmp_path / "missing.json")


def test_invalid_json_names_line_and_column(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text('{\n  "schema": 1,\n  oops\n}', encoding="utf-8")
    with pytest.raises(DataFileError, match=r"cal\.json: invalid JSON at line 3 column 3"):
        read_calendar(path)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"name": "H\xe0 N\xf4i"}')  # Latin-1 bytes, not UTF-8
    with pytest.raises(DataFileError, match="cannot read"):
        read_override(path)


def test_top_level_must_be_an_object(tmp_path):
    path = tmp_path / "list.json"
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(DataFileError, match="expected a JSON object"):
        load_catalogue(path)


def test_bad_calendar_and_override_content(tmp_path):
    path = tmp_path / "cal.json"
    path.write_text(json.dumps({"schema": 1, "version": "x", "years": "2025", "days": []}), encoding="utf-8")
    with pytest.raises(DataFileError, match="'years' must be a list"):
        read_calendar(path)
    path.write_text(json.dumps({"schema": 1, "version": "o", "remove": ["2025-02-30"]}), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"remove\[0\]: bad date"):
        read_override(path)


def test_bad_catalogue_content_names_the_procedure_and_field(tmp_path):
    path = tmp_path / "cat.json"
    path.write_text(json.dumps({"schema": 1, "procedures": [{"code": "1.001193"}]}), encoding="utf-8")
    with pytest.raises(DataFileError) as caught:
        load_catalogue(path)
    assert "procedures[0].name: procedure.name_required" in str(caught.value)
    assert "procedures[0].components: procedure.components_required" in str(caught.value)
