"""A counter process for the crash and concurrency tests, run with ``sys.executable`` on a real data directory.

``prepare DIR`` initialises a data directory (device, demo catalogue, dossier-code and ticket leases).
``loop DIR`` works it in a tight loop until it is killed: an intake, a walk-in ticket, then the counter's
next step (call next → start → finish), each in its own ``store.write()`` transaction; it prints
``running`` once the store is open and ``committed`` after its first whole round of work.
``burst DIR N TAG`` prints ``ready``, waits for a line on stdin, then does N intakes and N walk-in tickets
and prints one JSON line with its start and end times.

Times are a fixed working day plus one second per op already in the outbox, so a restarted worker
goes on from where the killed one stopped.
"""

from __future__ import annotations

import json
import sys
import time as clock
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from counterapp.datafiles.catalogue import demo_catalogue
from counterapp.domain.ticket import EventKind, TicketState
from counterapp.services import catalogue, device, intake, leases, queue
from counterapp.services.errors import QueueEmpty
from counterapp.store.database import Store, open_store
from counterapp.store.outbox import device_meta

DAY = date(2025, 8, 29)
AGENCY = "000.00.01.H26"
PROCEDURE = "1.004873"
SERVICES = [
    {"code": "HTCT", "prefix": "A", "name_vi": "Hộ tịch, chứng thực", "name_en": "Civil status, certification"},
    {"code": "DDXD", "prefix": "B", "name_vi": "Đất đai, xây dựng", "name_en": "Land, construction"},
]
NAMES = ["Nguyễn Thị Tuyến", "Trần Văn Bình", "Lê Thị Hoa", "Phạm Minh Đức", "Đặng Thị Hồng", "Hoàng Văn Long"]


def _say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def prepare(data_dir: Path, *, encrypt: bool = True) -> None:
    store = open_store(data_dir, encrypt=encrypt)
    try:
        now = datetime.combine(DAY, time(7, 30))
        with store.write() as s:
            device.init_device(s, agency_code=AGENCY, counter_number="5", now=now, services=SERVICES)
            catalogue.replace_catalogue(s, demo_catalogue())
            leases.grant_lease(s, kind=leases.LeaseKind.DOSSIER_CODE, scope=AGENCY, day=DAY, start=1, end=9999,
                               now=now, source="standalone")  # fmt: skip
            for service in SERVICES:
                leases.grant_lease(s, kind=leases.LeaseKind.TICKET, scope=service["prefix"], day=DAY, start=1,
                                   end=999, now=now, source="standalone")  # fmt: skip
    finally:
        store.close()


def intake_form(session: Session, i: int) -> dict[str, Any]:
    procedure = catalogue.get_procedure(session, PROCEDURE)
    return {
        "procedure_code": PROCEDURE,
        "applicant": {
            "name": NAMES[i % len(NAMES)],
            "id_number": f"0011900{i % 100_000:05d}",
            "address": "Số 12 phố Hàng Bông, Hoàn Kiếm, Hà Nội",
            "phone": f"09123{i % 100_000:05d}",
        },
        "documents": [{"code": c.code, "originals": 1} for c in procedure.components],
    }


class Counter:
    """The worker's clock and step counter, continuing from what the data directory already holds."""

    def __init__(self, store: Store, tag: int = 0) -> None:
        self.store = store
        with store.read() as s:
            self.seq = device_meta(s).last_client_seq
        self.i = self.seq * 10 + tag

    def now(self) -> datetime:
        self.seq += 1
        return datetime.combine(DAY, time(8)) + timedelta(seconds=self.seq)

    def receive(self) -> None:
        self.i += 1
        with self.store.write() as s:
            intake.receive_dossier(s, intake_form(s, self.i), now=self.now(), user_id="clerk5")

    def issue(self) -> None:
        with self.store.write() as s:
            service = SERVICES[self.i % 2]["code"]
            priority = "elderly" if self.i % 7 == 0 else None
            queue.issue_walkin(s, service_code=service, now=self.now(), user_id="clerk5", priority=priority)

    def step(self) -> bool:
        """The counter's next move for its current ticket; False when nothing is waiting."""
        with self.store.write() as s:
            now = self.now()
            current = queue.current_ticket(s, now=now)
            if current is None:
                try:
                    queue.call_next(s, now=now, user_id="clerk5")
                except QueueEmpty:
                    return False
            elif current.state is TicketState.CALLED:
                queue.act(s, EventKind.STARTED, None, now=now, user_id="clerk5")
            else:
                queue.act(s, EventKind.FINISHED, None, now=now, user_id="clerk5", outcome="dossier_received")
            return True


def loop(data_dir: Path) -> None:
    store = open_store(data_dir)
    counter = Counter(store)
    _say("running")
    first = True
    while True:
        counter.receive()
        counter.issue()
        for _ in range(3):
            counter.step()
        if first:  # the test kills only after this: each round has work to lose, however loaded the machine
            _say("committed")
            first = False


def burst(data_dir: Path, n: int, tag: int) -> None:
    store = open_store(data_dir)
    counter = Counter(store, tag)
    _say("ready")
    sys.stdin.readline()
    start = clock.time()
    for _ in range(n):
        counter.receive()
        counter.issue()
    _say(json.dumps({"start": start, "end": clock.time()}))
    store.close()


def main(argv: list[str]) -> None:
    mode, data_dir = argv[0], Path(argv[1])
    if mode == "prepare":
        prepare(data_dir)
    elif mode == "loop":
        loop(data_dir)
    elif mode == "burst":
        burst(data_dir, int(argv[2]), int(argv[3]))
    else:
        raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
