"""An initialised counter's data directory for tests: demo catalogue, demo queue services, leases."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.datafiles.paths import resource
from counterapp.services import catalogue, device, leases
from counterapp.store.database import Store, open_store

AGENCY = "000.00.01.H26"
# Mon 16/3/2026 09:00 — a plain working week, inside the demo catalogue's validity
NOW = datetime(2026, 3, 16, 9, 0)
DEMO_SERVICES = json.loads(resource("demo/queue-services.json").read_text(encoding="utf-8"))["services"]


def legal_today() -> date:
    """Today as the counter dates its work: the centre's (Vietnamese) calendar day, not this machine's.
    On a machine set to UTC the two differ from 17:00 to midnight, and a lease granted for the machine's
    date is then "for another day" to the counter."""
    from counterapp.services.clock import centre_wall_time

    return centre_wall_time().date()


def counter_store(path: Path, *, code_range: tuple[int, int] = (9001, 9030)) -> Store:
    """Counter 5 of agency ``AGENCY``, with today's dossier-code lease and a ticket lease per service."""
    opened = open_store(path)
    with opened.write() as s:
        device.init_device(s, agency_code=AGENCY, counter_number="5", now=NOW, services=DEMO_SERVICES)
        catalogue.replace_catalogue(s, demo_catalogue())
        leases.grant_lease(s, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=NOW.date(),
                           start=code_range[0], end=code_range[1], now=NOW)  # fmt: skip
        for service in DEMO_SERVICES:
            leases.grant_lease(s, kind=leases.LeaseKind.TICKET, scope=service["prefix"], day=NOW.date(), start=1,
                               end=999, now=NOW)  # fmt: skip
    return opened


def intake_form(procedure_code: str = "1.004873", **overrides: Any) -> dict[str, Any]:
    """A complete, valid intake form for ``procedure_code`` (every required document, one original)."""
    procedure = demo_catalogue().get(procedure_code)
    form: dict[str, Any] = {
        "procedure_code": procedure_code,
        "applicant": {
            "name": "Nguyễn Thị Tuyến",
            "id_number": "001190012345",
            "date_of_birth": "1990-05-17",
            "sex": "female",
            "address": "Số 12 ngõ 34 phố Hàng Bông, phường Hoàn Kiếm, Hà Nội",
            "phone": "0912345678",
        },
        "documents": [{"code": c.code, "originals": 1} for c in procedure.components if c.required],
        "sets": 1,
    }
    form.update(overrides)
    return form


def received_code(store: Store, procedure_code: str = "1.004873") -> str:
    """One dossier received at ``NOW`` as the print tests know it (applicant Lê Văn Ửng, the required
    documents, one original each); its code."""
    from counterapp.services import intake

    procedure = demo_catalogue().get(procedure_code)
    form = {
        "procedure_code": procedure.code,
        "applicant": {"name": "Lê Văn Ửng", "id_number": "001090012345", "address": "Hà Nội", "phone": "0912345678"},
        "documents": [{"code": c.code, "originals": 1} for c in procedure.components if c.required],
    }
    with store.write() as s:
        return intake.receive_dossier(s, form, now=NOW, user_id="clerk-1").dossier.code
