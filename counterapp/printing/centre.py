"""The centre's own names and texts printed on every form: configuration, never hard-coded."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from counterapp.datafiles.jsonfile import read_json_object
from counterapp.datafiles.paths import resource
from counterapp.domain.errors import FieldError, ValidationFailed
from counterapp.domain.text import clean

DEMO_CENTRE = "demo/centre.json"


@dataclass(frozen=True, slots=True)
class CentreProfile:
    governing_body: str  # "ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI" (header, left, first line)
    centre_name: str  # "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG" (header, left, second line)
    receiving_unit: str  # B1: "Bộ phận tiếp nhận và trả kết quả: …"
    place_name: str  # "Hà Nội, ngày … tháng … năm …"
    branch_name: str = ""
    hotline: str = ""
    lookup_url: str = ""  # the dossier code is appended for the QR code on the receipt
    note: str = ""  # N: the legal note under the signatures
    footer: str = ""  # X: local footer

    def lookup_link(self, code: str) -> str:
        if not self.lookup_url:
            return code
        joiner = "&" if "?" in self.lookup_url else "?"
        return f"{self.lookup_url}{joiner}ma={code}"


REQUIRED = ("governing_body", "centre_name", "receiving_unit", "place_name")


def centre_from_mapping(raw: Mapping[str, Any]) -> CentreProfile:
    known = {f.name for f in fields(CentreProfile)}
    values = {k: clean(str(v)) for k, v in raw.items() if k in known and v is not None}
    missing = [FieldError(f"centre.{k}", "centre.required") for k in REQUIRED if not values.get(k)]
    if missing:
        raise ValidationFailed(missing)
    return CentreProfile(**values)


def demo_centre() -> CentreProfile:
    return centre_from_mapping(read_json_object(resource(DEMO_CENTRE)))
