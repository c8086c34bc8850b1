"""A city on one server, set up in bulk, and the outboxes its counters hold after an outage: shared by the
drain test (``test_sync_drain_live``) and ``benchmarks/bench_city.py``.

Centres, services and counters go through the server's own ``org`` services; devices, clerks and their
sign-ins are inserted as rows (what enrollment and an online sign-in leave behind), so 900 counters are
ready in seconds instead of 900 enrollments and 900 password hashes.

The city: Hanoi's one-stop centre runs 30 branches and 126 commune units (issue 16). Branches hold about
2.7× the counters of a commune unit; ``split`` spreads any number of counters over that shape.
"""

from __future__ import annotations

import itertools
import json
import random
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import uuid6
from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.protocol.messages import MAX_PUSH_OPS
from counterapp.server import security
from counterapp.server.models.auth import Device, StaffSession, User, UserRole
from counterapp.server.models.queue import Ticket, TicketEventRow
from counterapp.server.services import org
from tests.server.authkit import PASSWORD
from tests.server.synckit import dossier, naive, ticket_step

BRANCHES, COMMUNES = 30, 126
BRANCH_WEIGHT, COMMUNE_WEIGHT = 12, 4.4  # counters per branch and per commune unit at 900 counters
HAND = 3  # tickets dealt to each counter before the network dropped (the counter's offline hand)
MAX_DOSSIERS_PER_COUNTER = 700  # codes: counter slot × 700 + n stays within the 4-digit daily number


@dataclass(frozen=True)
class CounterSpec:
    """One enrolled counter device with its clerk signed in on it."""

    device_id: str
    credential: str
    centre_id: str
    agency: str
    number: str
    slot: int  # the counter's place in its centre (0, 1, …): its range of dossier codes
    user: str  # the clerk's username
    staff_token: str  # the clerk's staff session on this device (for the online routes)
    hand: tuple[tuple[str, str], ...]  # (ticket id, number) dealt to this counter

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Device {self.device_id}.{self.credential}"}

    @property
    def staff_headers(self) -> dict[str, str]:
        return {**self.headers, "X-Staff-Session": self.staff_token}


@dataclass(frozen=True)
class City:
    counters: list[CounterSpec]  # the counters that go offline and drain
    online: list[CounterSpec]  # counters that stay online, calling and issuing
    displays: list[CounterSpec]  # display devices (event-stream subscribers); staff fields empty
    centres: int


def split(counters: int, centres: int | None = None) -> list[int]:
    """Counters per centre: ``centres`` (default: 156 at 900 counters, fewer in proportion) of which one in
    5.2 is a branch with ~2.7× a commune unit's counters; every centre has at least one."""
    total = centres or max(1, round((BRANCHES + COMMUNES) * counters / 900))
    branches = max(1 if total > 1 else 0, round(total * BRANCHES / (BRANCHES + COMMUNES)))
    weights = [BRANCH_WEIGHT] * branches + [COMMUNE_WEIGHT] * (total - branches)
    scale = counters / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    for i in itertools.cycle(range(total)):  # hand out what rounding left, branches first
        if sum(sizes) >= counters:
            break
        sizes[i] += 1
    while sum(sizes) > counters:  # only when counters < centres: drop the smallest centres' last
        sizes[sizes.index(max(sizes))] -= 1
    return [size for size in sizes if size > 0]


def agency_code(index: int) -> str:
    return f"000.{index // 100:02d}.{index % 100:02d}.H26"


def _device_row(
    device_id: str, credential: str, centre_id: str, counter_id: str | None, kind: str, name: str, enrolled: datetime
) -> dict[str, object]:
    """An enrolled device's row, inserted in bulk with the others."""
    return {"id": device_id, "centre_id": centre_id, "counter_id": counter_id, "kind": kind, "name": name,
            "secret_hash": security.digest(credential), "enrolled_at": enrolled, "last_client_seq": 0,
            "applied_epoch": 0, "app_version": "0.9.0", "created_at": enrolled}  # fmt: skip


def setup_city(
    sessions: sessionmaker[Session],
    counters: int,
    *,
    online: int = 0,
    displays: int = 0,
    signed_in_at: datetime,
    centres: int | None = None,
) -> City:
    """Centres per ``split`` with services HTCT and KD, ``counters`` counter devices (plus ``online`` more
    that stay online, in the first centres) each with its centre's clerk signed in at ``signed_in_at`` and
    ``HAND`` waiting tickets dealt to it, and ``displays`` display devices spread over the centres."""
    sizes = split(counters, centres)
    for i in range(online):
        sizes[i % len(sizes)] += 1
    first_online = {
        i: sizes[i] - (online // len(sizes) + (1 if i < online % len(sizes) else 0)) for i in range(len(sizes))
    }
    enrolled = signed_in_at - timedelta(days=1)
    day = signed_in_at.astimezone(VIETNAM_TZ).date()
    drained: list[CounterSpec] = []
    staying: list[CounterSpec] = []
    boards: list[CounterSpec] = []
    with sessions.begin() as session:
        password_hash = security.hash_password(PASSWORD)  # one hash for every clerk: set-up in seconds
        device_rows: list[dict[str, object]] = []
        user_rows: list[dict[str, object]] = []
        role_rows: list[dict[str, object]] = []
        sign_ins: list[dict[str, object]] = []
        tickets: list[dict[str, object]] = []
        events: list[dict[str, object]] = []
        for index, size in enumerate(sizes):
            agency = agency_code(index + 1)
            centre = org.create_centre(session, agency_code=agency, name=f"Bộ phận một cửa {index + 1}", now=enrolled)
            htct = org.add_service(session, centre, code="HTCT", prefix="A", name_vi="Hộ tịch, chứng thực")
            org.add_service(session, centre, code="KD", prefix="C", name_vi="Đăng ký kinh doanh")
            user_id, username = str(uuid.uuid4()), f"clerk.{index + 1}"
            user_rows.append(
                {
                    "id": user_id,
                    "centre_id": centre.id,
                    "username": username,
                    "full_name": "Trần Văn Bình",
                    "role": "clerk",
                    "password_hash": password_hash,
                    "active": True,
                    "created_at": enrolled,
                }
            )
            role_rows.append({"id": str(uuid.uuid4()), "user_id": user_id, "role": "clerk", "valid_from": enrolled})
            for slot in range(size):
                counter = org.add_counter(session, centre, number=str(slot + 1))
                org.assign(session, counter, [htct])
                device_id, credential, token = str(uuid.uuid4()), secrets.token_urlsafe(24), secrets.token_urlsafe(24)
                device_rows.append(_device_row(device_id, credential, centre.id, counter.id, "counter", "", enrolled))
                sign_ins.append(
                    {
                        "token_hash": security.digest(token),
                        "user_id": user_id,
                        "device_id": device_id,
                        "created_at": signed_in_at,
                        "expires_at": signed_in_at + timedelta(days=2),
                    }
                )
                hand = []
                for n in range(HAND):
                    # numbers of their own: the online sequence (A001, A002, …) must not meet them
                    ticket_id, number = str(uuid6.uuid7()), f"H{slot + 1}-{n + 1}"
                    hand.append((ticket_id, number))
                    tickets.append(
                        {
                            "id": ticket_id,
                            "centre_id": centre.id,
                            "service_id": htct.id,
                            "number": number,
                            "day": day,
                            "priority": None,
                            "state": "waiting",
                            "counter_id": None,
                            "issued_at": signed_in_at,
                            "called_at": None,
                            "recalls": 0,
                            "dealt_to": counter.id,
                            "dealt_until": signed_in_at + timedelta(minutes=15),
                            "version": 0,
                        }
                    )
                    events.append(
                        {
                            "id": str(uuid.uuid4()),
                            "ticket_id": ticket_id,
                            "position": 0,
                            "kind": "issued",
                            "at": signed_in_at,
                            "counter_id": None,
                            "device_id": None,
                            "user_id": None,
                        }
                    )
                spec = CounterSpec(
                    device_id, credential, centre.id, agency, str(slot + 1), slot, username, token, tuple(hand)
                )
                (staying if slot >= first_online[index] else drained).append(spec)
        for n in range(displays):
            index = n % len(sizes)
            owner = next(s for s in drained + staying if s.agency == agency_code(index + 1))
            device_id, credential = str(uuid.uuid4()), secrets.token_urlsafe(24)
            device_rows.append(
                _device_row(device_id, credential, owner.centre_id, None, "display", f"board {n + 1}", enrolled)
            )
            boards.append(CounterSpec(device_id, credential, owner.centre_id, owner.agency, "", 0, "", "", ()))
        session.flush()
        for model, rows in (
            (User, user_rows),
            (UserRole, role_rows),
            (Device, device_rows),
            (StaffSession, sign_ins),
            (Ticket, tickets),
            (TicketEventRow, events),
        ):
            for start in range(0, len(rows), 2000):
                session.execute(insert(model), rows[start : start + 2000])
    return City(drained, staying, boards, len(sizes))


# --- the outbox after an outage -------------------------------------------------------------------------


def mix(ops: int) -> tuple[int, int]:
    """(walk-ins, dossiers) for about ``ops`` ops: the hand's 3 × 3 steps, walk-ins issued, called, started and
    finished (4 ops each, ~60 % of the ops), and dossiers received (one op each)."""
    walkins = max(0, (ops - HAND * 3) * 3 // 20)
    return walkins, max(0, ops - HAND * 3 - walkins * 4)


def _op(spec: CounterSpec, seq: int, kind: str, payload: dict[str, object], at: datetime) -> dict[str, object]:
    when = at.isoformat()
    return {
        "op_id": str(uuid6.uuid7()),
        "client_seq": seq,
        "kind": kind,
        "v": 1,
        "payload": payload,
        "user_id": spec.user,
        "wall_time": when,
        "corrected_time": when,
        "epoch": 1,
    }


def outbox(
    spec: CounterSpec,
    ops: int,
    start: datetime,
    end: datetime,
    *,
    first_seq: int = 1,
    first_dossier: int = 0,
    rng: random.Random | None = None,
) -> list[dict[str, object]]:
    """The counter's outbox for work done offline between ``start`` and ``end`` (aware times), in the shape
    its services write: the hand called, started and finished, walk-ins issued and served, dossiers received
    with codes from the counter's own range, interleaved as the day went, each op later than the one before."""
    rng = rng or random.Random(spec.device_id)
    walkins, dossiers = mix(ops)
    if first_dossier + dossiers > MAX_DOSSIERS_PER_COUNTER:
        raise ValueError(f"at most {MAX_DOSSIERS_PER_COUNTER} dossiers per counter")
    actions: list[tuple[str, int]] = (
        [("hand", n) for n in range(len(spec.hand))]
        + [("walkin", n) for n in range(walkins)]
        + [("dossier", n) for n in range(dossiers)]
    )
    rng.shuffle(actions)
    total = sum(3 if a == "hand" else 4 if a == "walkin" else 1 for a, _ in actions)
    step = (end - start) / max(1, total)
    at, seq, out = start, first_seq, []
    local_counter = spec.number

    def add(kind: str, payload: dict[str, object], when: datetime) -> None:
        nonlocal seq
        out.append(_op(spec, seq, kind, payload, when))
        seq += 1

    for action, n in actions:
        at += step
        local = at.astimezone(VIETNAM_TZ)
        if action == "dossier":
            form = dossier(spec.slot * MAX_DOSSIERS_PER_COUNTER + first_dossier + n + 1, local, agency=spec.agency)
            form["counter"] = local_counter
            add("dossier.create", form, at)
            continue
        if action == "hand":
            ticket_id, number = spec.hand[n]
        else:
            ticket_id, number = str(uuid6.uuid7()), f"W{spec.slot + 1}-{n + 1}"
            add(
                "ticket.issue",
                {
                    "ticket_id": ticket_id,
                    "number": number,
                    "service": "HTCT",
                    "priority": None,
                    "issued_on": local.date().isoformat(),
                    "issued_at": naive(local),
                    "lease_id": "walkin",
                    "counter": local_counter,
                },
                at,
            )
            at += step
        issued_on = local.date().isoformat()
        for event, kind in (("called", "ticket.call"), ("started", "ticket.start"), ("finished", "ticket.finish")):
            payload = ticket_step(ticket_id, number, event, local_counter, at.astimezone(VIETNAM_TZ))
            add(kind, payload | {"issued_on": issued_on}, at)
            if event != "finished":
                at += step
    return out


def batches(spec: CounterSpec, ops: list[dict[str, object]], size: int = MAX_PUSH_OPS) -> list[bytes]:
    """The push bodies the counter's sync engine sends for ``ops``, encoded once (the client's own cost is
    not what is measured)."""
    return [
        json.dumps({"client_id": spec.device_id, "ops": ops[i : i + size]}, ensure_ascii=False).encode()
        for i in range(0, len(ops), size)
    ]
