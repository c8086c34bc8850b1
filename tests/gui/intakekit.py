"""A real counter data directory for the intake-panel tests, initialised as tests/services do but with
today's dossier-code lease: the panel takes the legal time from the workspace, i.e. the real clock."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.services import catalogue, device, leases
from counterapp.services.workspace import SignedIn, Workspace, open_workspace
from tests.counter import AGENCY, DEMO_SERVICES, NOW, legal_today

CLERK = SignedIn(user_id="clerk-1", username="clerk1", full_name="Nguyễn Văn Cán", role="clerk")
CODE_PATTERN = r"^{agency}-\d{{6}}-\d{{4}}$"


def make_workspace(data_dir: Path) -> Workspace:
    workspace = open_workspace(data_dir)
    with workspace.store.write() as s:
        device.init_device(s, agency_code=AGENCY, counter_number="5", now=NOW, services=DEMO_SERVICES)
        catalogue.replace_catalogue(s, demo_catalogue())
        for day in (legal_today(), legal_today() + timedelta(days=1)):  # a run across midnight still has numbers
            leases.grant_lease(s, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=day, start=1, end=500, now=NOW)
    workspace.user = CLERK
    return workspace


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(path.read_bytes())).pages)
