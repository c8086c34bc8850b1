"""A real counter with a few dossiers received the way the intake service receives them, for the
dossiers panel's tests. Kept apart from ``conftest.py`` (owned by the counter window's tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from counterapp.services import intake
from counterapp.services.workspace import SignedIn, Workspace, open_workspace
from tests.counter import NOW, counter_store, intake_form

__all__ = ["CLERK", "NOW", "PEOPLE", "Counter", "make_counter"]

CLERK = SignedIn(user_id="clerk-7", username="lan", full_name="Phạm Thị Lan", role="clerk")

# name, CCCD, phone: diacritics of every kind, one name matched by "nguyen thi" and one that is not
PEOPLE = [
    ("Nguyễn Thị Hồng Nhung", "001195012347", "0868123456"),
    ("Trần Văn Bình", "079085123456", "0326789012"),
    ("Đặng Hữu Phước", "001090012346", "0987654321"),
]


@dataclass
class Counter:
    workspace: Workspace
    codes: dict[str, str]  # applicant name → dossier code


def make_counter(path: Path) -> Counter:
    """Counter 5 with the demo catalogue and ``PEOPLE`` received one minute apart from ``NOW``."""
    counter_store(path).close()
    workspace = open_workspace(path)
    workspace.user = CLERK
    codes: dict[str, str] = {}
    for minute, (name, id_number, phone) in enumerate(PEOPLE):
        form = intake_form()
        form["applicant"] = form["applicant"] | {"name": name, "id_number": id_number, "phone": phone,
                                                 "date_of_birth": None, "sex": None}  # fmt: skip
        with workspace.store.write() as session:
            received = intake.receive_dossier(session, form, now=NOW + timedelta(minutes=minute), user_id="clerk-1")
        codes[name] = received.dossier.code
    return Counter(workspace, codes)
