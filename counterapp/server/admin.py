"""``counterapp-server admin …``: set up centres, services, counters, staff and devices from a shell.

    counterapp-server admin create-centre --agency-code 000.00.01.H26 --name "Trung tâm …"
    counterapp-server admin add-service --centre 000.00.01.H26 --code HTCT --prefix A --name "Hộ tịch, chứng thực"
    counterapp-server admin add-counter --centre 000.00.01.H26 --number 5
    counterapp-server admin assign --centre 000.00.01.H26 --counter 5 --services HTCT,KD
    printf '%s\\n' "$PASSWORD" | counterapp-server admin create-user --username lan.nt --full-name "Nguyễn Thị Lan" \\
        --role clerk --centre 000.00.01.H26 --password-stdin
    counterapp-server admin create-device --centre 000.00.01.H26 --kind counter --counter 5   # prints a one-time code
    counterapp-server admin reissue-code DEVICE_ID | revoke-device DEVICE_ID | list-devices --centre 000.00.01.H26
    counterapp-server admin seed-demo [--force]       # refused where other centres exist, unless --force

Every command takes ``--database-url`` (default ``$COUNTERAPP_SERVER_DATABASE_URL``) and works on a migrated
database only. A refused command prints one line and exits 1; a bad argument exits 2. Passwords are read
from stdin, never from the command line (which other users can see in the process list)."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from counterapp.datafiles.paths import resource
from counterapp.domain.errors import DomainError, ValidationFailed
from counterapp.server.config import DATABASE_URL_ENV, ServerSettings
from counterapp.server.config_file import CONFIG_ENV, settings_from
from counterapp.server.db import make_engine, session_factory
from counterapp.server.models.auth import Device, User
from counterapp.server.models.org import Assignment, Centre, Counter, QueueService
from counterapp.server.permissions import ROLES
from counterapp.server.schema import DatabaseNotMigrated, check_migrated, describe
from counterapp.server.services import devices, numbers, org, users
from counterapp.server.services.errors import NotFound
from counterapp.server.services.users import user_by_username

PROG = "counterapp-server"

DEMO_AGENCY_CODE = "000.00.01.H26"
DEMO_CENTRE_NAME = "Trung tâm Phục vụ hành chính công thành phố Hà Nội – Chi nhánh số 1"
DEMO_COUNTERS: dict[str, tuple[str, ...]] = {
    "1": ("HTCT",),
    "2": ("HTCT",),
    "3": ("DDXD",),
    "4": ("KD",),
    "5": ("LDXH",),
    "6": ("TKQ",),
}
DEMO_USERS = (
    ("demo.clerk", "Cán bộ tiếp nhận (demo)", "clerk"),
    ("demo.lead", "Tổ trưởng (demo)", "lead"),
    ("demo.admin", "Quản trị viên (demo)", "admin"),
)
DEMO_DEVICE_NAME = "Demo counter 1"


@dataclass(frozen=True, slots=True)
class Context:
    now: datetime
    settings: ServerSettings


Handler = Callable[[Session, argparse.Namespace, Context], list[str]]


def _out(lines: list[str]) -> None:
    sys.stdout.write("".join(f"{line}\n" for line in lines))


def _fail(message: str) -> int:
    sys.stderr.write(f"{PROG}: error: {message}\n")
    return 1


def _describe_error(exc: DomainError) -> str:
    if isinstance(exc, ValidationFailed):
        return ", ".join(f"{e.field}: {e.code}" for e in exc.errors)
    message = str(exc)
    return exc.code if message == exc.code else f"{exc.code}: {message}"


def _run(handler: Handler) -> Callable[[argparse.Namespace], int]:
    """A sub-command's ``handler(args) -> exit status``: ``handler`` in one transaction on a migrated
    database; its output is printed only after the commit."""

    def run(args: argparse.Namespace) -> int:
        settings = settings_from(args)
        engine = make_engine(settings.database_url)
        try:
            check_migrated(engine)
            with session_factory(engine).begin() as session:
                lines = handler(session, args, Context(datetime.now(UTC), settings))
        except DatabaseNotMigrated as exc:
            return _fail(str(exc))
        except DomainError as exc:
            return _fail(_describe_error(exc))
        except IntegrityError:  # a concurrent change made the same name first
            return _fail("conflict.exists: it was created concurrently; run the command again")
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or type(exc).__name__).strip().splitlines()
            return _fail(f"cannot use the database at {describe(engine)}: {reason[0] if reason else '?'}")
        finally:
            engine.dispose()
        _out(lines)
        return 0

    return run


def _services_arg(text: str) -> list[str]:
    codes = [part.strip() for part in text.split(",") if part.strip()]
    if not codes:
        raise argparse.ArgumentTypeError("give at least one service code, e.g. HTCT,KD")
    return codes


# --- commands ------------------------------------------------------------------------------------------


def create_centre(session: Session, args: argparse.Namespace, ctx: Context) -> list[str]:
    centre = org.create_centre(session, agency_code=args.agency_code, name=args.name, now=ctx.now)
    return [f"centre {centre.agency_code} created: {centre.name} (id {centre.id})"]


def add_service(session: Session, args: argparse.Namespace, _ctx: Context) -> list[str]:
    centre = org.centre_by_code(session, args.centre)
    service = org.add_service(
        session, centre, code=args.code, prefix=args.prefix, name_vi=args.name, name_en=args.name_en
    )
    return [f"service {service.code} (tickets {service.prefix}…) added to {centre.agency_code}"]


def add_counter(session: Session, args: argparse.Namespace, _ctx: Context) -> list[str]:
    centre = org.centre_by_code(session, args.centre)
    counter = org.add_counter(session, centre, number=args.number, name=args.name)
    return [f"counter {counter.number} added to {centre.agency_code}"]


def assign(session: Session, args: argparse.Namespace, _ctx: Context) -> list[str]:
    centre = org.centre_by_code(session, args.centre)
    counter = org.counter_by_number(session, centre.id, args.counter)
    services = org.services_by_codes(session, centre.id, args.services)
    epoch = org.assign(session, counter, services)
    return [f"counter {counter.number} serves {','.join(s.code for s in services)} (epoch {epoch})"]


def set_priority(session: Session, args: argparse.Namespace, _ctx: Context) -> list[str]:
    centre = org.set_priority_rule(org.centre_by_code(session, args.centre), args.rule, args.every)
    every = ""
    if centre.priority_rule == "interleave":
        every = f", one priority ticket after every {centre.priority_every} regular"
    return [f"{centre.agency_code} calls priority tickets by the {centre.priority_rule} rule{every}"]


def set_number_shares(session: Session, args: argparse.Namespace, _ctx: Context) -> list[str]:
    centre = numbers.set_share_policy(
        org.centre_by_code(session, args.centre),
        multiple=args.multiple,
        floor_dossier=args.dossier_floor,
        ceiling_dossier=args.dossier_ceiling,
        floor_ticket=args.ticket_floor,
        ceiling_ticket=args.ticket_ceiling,
        staff_days=args.staff_days,
    )
    return [
        f"{centre.agency_code}: a device may hold unspent {centre.lease_multiple} × its busiest day of the last "
        f"week, dossier codes {centre.lease_floor_dossier}–{centre.lease_ceiling_dossier}, walk-in numbers "
        f"{centre.lease_floor_ticket}–{centre.lease_ceiling_ticket} per service; without a staff session, only "
        f"if someone signed in on it in the last {centre.lease_staff_days} days"
    ]


def _user(session: Session, username: str) -> User:
    user = user_by_username(session, username)
    if user is None:
        raise NotFound(f"no user {username!r}", code="user.not_found")
    return user


def change_role(session: Session, args: argparse.Namespace, ctx: Context) -> list[str]:
    user = _user(session, args.username)
    users.change_role(session, user, args.role, now=ctx.now)
    return [f"{user.username} is now {args.role} (ops recorded before keep the role they were made under)"]


def deactivate_user(session: Session, args: argparse.Namespace, ctx: Context) -> list[str]:
    user = _user(session, args.username)
    users.deactivate(session, user, now=ctx.now)
    return [f"{user.username} deactivated: sessions ended; ops recorded before now are still accepted"]


def read_password(stream: Any) -> str:
    """The first line of ``stream`` without its line ending (a password may contain spaces)."""
    line: str = stream.readline()
    return line.rstrip("\r\n")


def create_user(session: Session, args: argparse.Namespace, ctx: Context) -> list[str]:
    centre = org.centre_by_code(session, args.centre) if args.centre else None
    password = read_password(sys.stdin)
    user = users.create_user(
        session,
        username=args.username,
        full_name=args.full_name,
        role=args.role,
        password=password,
        centre=centre,
        now=ctx.now,
    )
    where = centre.agency_code if centre is not None else "every centre (city)"
    return [f"user {user.username} ({user.role}, {where}) created (id {user.id})"]


def _code_lines(device: Device, code: str, expires_at: datetime) -> list[str]:
    return [
        f"device_id: {device.id}",
        f"enrollment_code: {code}",
        f"expires_at: {expires_at.isoformat(timespec='seconds')}",
        "The code works once; type it into the device's setup. It is not stored and will not be shown again.",
    ]


def create_device(session: Session, args: argparse.Namespace, ctx: Context) -> list[str]:
    centre = org.centre_by_code(session, args.centre)
    counter = org.counter_by_number(session, centre.id, args.counter) if args.counter else None
    device, code, expires_at = devices.create_device(
        session,
        centre,
        kind=args.kind,
        counter=counter,
        name=args.name,
        now=ctx.now,
        code_ttl=ctx.settings.enrollment_code_ttl,
    )
    return _code_lines(device, code, expires_at)


def reissue_code(session: Session, args: argparse.Namespace, ctx: Context) -> list[str]:
    device = devices.device_by_id(session, args.device_id)
    code, expires_at = devices.reissue_code(session, device, now=ctx.now, code_ttl=ctx.settings.enrollment_code_ttl)
    return _code_lines(device, code, expires_at)


def revoke_device(session: Session, args: argparse.Namespace, ctx: Context) -> list[str]:
    device = devices.device_by_id(session, args.device_id)
    devices.revoke(session, device, now=ctx.now)
    return [f"device {device.id} revoked"]


def list_devices(session: Session, args: argparse.Namespace, _ctx: Context) -> list[str]:
    centre = org.centre_by_code(session, args.centre)
    numbers = dict(session.execute(select(Counter.id, Counter.number).where(Counter.centre_id == centre.id)).all())
    lines = ["id\tkind\tcounter\tstate\tapp_version\tname"]
    for device in devices.list_devices(session, centre.id):
        if device.revoked_at is not None:
            state = "revoked"
        elif device.enrolled_at is not None:
            state = "enrolled"
        else:
            state = "not-enrolled"
        counter = numbers.get(device.counter_id, "-") if device.counter_id else "-"
        lines.append(f"{device.id}\t{device.kind}\t{counter}\t{state}\t{device.app_version or '-'}\t{device.name}")
    return lines


class NotADemoDatabase(DomainError):
    code = "seed.not_demo"


def _refuse_real_centres(session: Session) -> None:
    """``NotADemoDatabase`` when the database holds centres other than the demo one: seeding adds three
    users with a printed password (one an admin of the demo centre) and a device code, which must not
    happen on a production database by a slip of the command line."""
    others = list(session.scalars(select(Centre.agency_code).where(Centre.agency_code != DEMO_AGENCY_CODE).limit(4)))
    if others:
        shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
        raise NotADemoDatabase(
            f"the database holds centres other than the demo ({shown}): seed-demo is for demo databases; "
            "add --force to seed it anyway"
        )


def seed_demo(session: Session, args: argparse.Namespace, ctx: Context) -> list[str]:
    """The demo centre, its services, counters 1–6, three demo users and one counter device; what exists
    already is left as it is, so running it again duplicates nothing. Refused on a database that holds
    other centres, unless ``--force``."""
    if not getattr(args, "force", False):
        _refuse_real_centres(session)
    lines: list[str] = []
    centre = session.scalars(select(Centre).where(Centre.agency_code == DEMO_AGENCY_CODE)).one_or_none()
    if centre is None:
        centre = org.create_centre(session, agency_code=DEMO_AGENCY_CODE, name=DEMO_CENTRE_NAME, now=ctx.now)
        lines.append(f"centre {centre.agency_code} created: {centre.name}")
    else:
        lines.append(f"centre {centre.agency_code} exists")

    data = json.loads(resource("demo/queue-services.json").read_text(encoding="utf-8"))
    existing = set(session.scalars(select(QueueService.code).where(QueueService.centre_id == centre.id)))
    added = []
    for item in data["services"]:
        if item["code"] not in existing:
            org.add_service(
                session,
                centre,
                code=item["code"],
                prefix=item["prefix"],
                name_vi=item["name_vi"],
                name_en=item.get("name_en", ""),
            )
            added.append(item["code"])
    lines.append(f"services added: {', '.join(added) or 'none (all exist)'}")

    created_counters = []
    for number, codes in DEMO_COUNTERS.items():
        exists = session.scalars(
            select(Counter).where(Counter.centre_id == centre.id, Counter.number == number)
        ).one_or_none()
        if exists is not None:
            continue
        counter = org.add_counter(session, centre, number=number)
        has_assignment = session.scalars(select(Assignment).where(Assignment.counter_id == counter.id)).first()
        if has_assignment is None:
            org.assign(session, counter, org.services_by_codes(session, centre.id, codes))
        created_counters.append(f"{number}={'+'.join(codes)}")
    lines.append(f"counters added: {', '.join(created_counters) or 'none (all exist)'}")

    password = "demo-" + secrets.token_urlsafe(9)
    new_users = []
    for username, full_name, role in DEMO_USERS:
        if user_by_username(session, username) is None:
            users.create_user(
                session,
                username=username,
                full_name=full_name,
                role=role,
                password=password,
                centre=centre,
                now=ctx.now,
            )
            new_users.append(username)
    if new_users:
        lines.append(f"users added: {', '.join(new_users)}")
        lines.append(f"DEMO password (for the demo users only, shown once): {password}")
    else:
        lines.append("users added: none (all exist; their password was shown when they were created)")

    device = session.scalars(
        select(Device).where(Device.centre_id == centre.id, Device.name == DEMO_DEVICE_NAME)
    ).first()
    if device is None:
        counter = org.counter_by_number(session, centre.id, "1")
        device, code, expires_at = devices.create_device(
            session,
            centre,
            kind="counter",
            counter=counter,
            name=DEMO_DEVICE_NAME,
            now=ctx.now,
            code_ttl=ctx.settings.enrollment_code_ttl,
        )
        lines.append(f"demo counter device for counter 1: {device.id}")
        lines.extend(_code_lines(device, code, expires_at))
    else:
        lines.append(
            f"demo counter device {device.id} exists; "
            f"for a new enrollment code run: {PROG} admin reissue-code {device.id}"
        )
    return lines


# --- parser --------------------------------------------------------------------------------------------


def add_parser(subparsers: Any) -> None:
    """Add ``admin`` and its sub-commands to ``counterapp-server``'s sub-parsers; each sets
    ``handler(args) -> int``."""
    admin = subparsers.add_parser("admin", help="set up centres, services, counters, staff and devices")
    commands = admin.add_subparsers(dest="admin_command", required=True, metavar="ADMIN_COMMAND")

    def command(name: str, help_text: str, handler: Handler) -> argparse.ArgumentParser:
        # No abbreviations: "--password SECRET" must not be taken for "--password-stdin".
        sub: argparse.ArgumentParser = commands.add_parser(name, help=help_text, allow_abbrev=False)
        sub.add_argument("--config", type=Path, metavar="FILE", help=f"the server's settings (default: ${CONFIG_ENV})")
        sub.add_argument("--database-url", metavar="URL", help=f"default: the config file's, else ${DATABASE_URL_ENV}")
        sub.set_defaults(handler=_run(handler))
        return sub

    sub = command("create-centre", "create a centre", create_centre)
    sub.add_argument("--agency-code", required=True, help="e.g. 000.00.01.H26")
    sub.add_argument("--name", required=True)

    sub = command("add-service", "add a queue service to a centre", add_service)
    sub.add_argument("--centre", required=True, metavar="AGENCY_CODE")
    sub.add_argument("--code", required=True, help="e.g. HTCT")
    sub.add_argument("--prefix", required=True, help="ticket letters, e.g. A")
    sub.add_argument("--name", required=True, help="Vietnamese name")
    sub.add_argument("--name-en", default="", help="English name")

    sub = command("add-counter", "add a counter to a centre", add_counter)
    sub.add_argument("--centre", required=True, metavar="AGENCY_CODE")
    sub.add_argument("--number", required=True, metavar="N")
    sub.add_argument("--name", default="")

    sub = command("assign", "make a counter serve exactly these services (bumps its epoch)", assign)
    sub.add_argument("--centre", required=True, metavar="AGENCY_CODE")
    sub.add_argument("--counter", required=True, metavar="N")
    sub.add_argument("--services", required=True, type=_services_arg, metavar="CODE,CODE")

    sub = command("set-priority", "how call-next orders priority tickets at a centre", set_priority)
    sub.add_argument("--centre", required=True, metavar="AGENCY_CODE")
    sub.add_argument("--rule", required=True, choices=("strict", "interleave"))
    sub.add_argument("--every", type=int, metavar="N", help="interleave: one priority ticket after N regular (1–20)")

    sub = command("set-number-shares", "what one device may hold of a day's offline numbers", set_number_shares)
    sub.add_argument("--centre", required=True, metavar="AGENCY_CODE")
    sub.add_argument("--multiple", type=int, metavar="N", help="× the device's busiest day of the last week (1–10)")
    sub.add_argument("--dossier-floor", type=int, metavar="N", help="dossier codes any device may hold (≥ 1)")
    sub.add_argument("--dossier-ceiling", type=int, metavar="N", help="dossier codes at most (≤ 3000)")
    sub.add_argument("--ticket-floor", type=int, metavar="N", help="walk-in numbers of a service any device may hold")
    sub.add_argument("--ticket-ceiling", type=int, metavar="N", help="walk-in numbers of a service at most (≤ 100)")
    sub.add_argument("--staff-days", type=int, metavar="N", help="a device leases alone only if someone signed in on "
                     "it within N days (1–30)")  # fmt: skip

    sub = command("change-role", "give a staff account another role from now on", change_role)
    sub.add_argument("--username", required=True)
    sub.add_argument("--role", required=True, choices=ROLES)

    sub = command("deactivate-user", "deactivate a staff account (ends its sessions)", deactivate_user)
    sub.add_argument("--username", required=True)

    sub = command("create-user", "create a staff account; the password is read from stdin", create_user)
    sub.add_argument("--username", required=True)
    sub.add_argument("--full-name", required=True)
    sub.add_argument("--role", required=True, choices=ROLES)
    sub.add_argument("--centre", metavar="AGENCY_CODE", help="omit only for a city-wide admin")
    sub.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from the first line of stdin"
    )

    sub = command("create-device", "create a device and print its one-time enrollment code", create_device)
    sub.add_argument("--centre", required=True, metavar="AGENCY_CODE")
    sub.add_argument("--kind", required=True, choices=devices.KINDS)
    sub.add_argument("--counter", metavar="N")
    sub.add_argument("--name", default="")

    sub = command("reissue-code", "print a new enrollment code for a device (the old one stops working)", reissue_code)
    sub.add_argument("device_id", metavar="DEVICE_ID")

    sub = command("revoke-device", "stop a device from authenticating; ends its staff sessions", revoke_device)
    sub.add_argument("device_id", metavar="DEVICE_ID")

    sub = command("list-devices", "list a centre's devices (no secrets)", list_devices)
    sub.add_argument("--centre", required=True, metavar="AGENCY_CODE")

    sub = command("seed-demo", "create the demo centre, services, counters, users and a counter device", seed_demo)
    sub.add_argument(
        "--force", action="store_true", help="seed even a database that holds other (real) centres: not for production"
    )


__all__ = ["add_parser", "read_password", "seed_demo"]
