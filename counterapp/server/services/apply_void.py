"""Applying the two corrections a counter pushes (wired into the push by ``apply.dossier_void`` and
``apply.code_void``, which turn the verdicts here into outcomes).

* ``dossier.void`` is a *claim*: a clerk withdraws a dossier received by mistake (the wrong procedure,
  with a receipt already printed), on the day it was received, at the device that received it. Codes are
  final, so the dossier is not deleted: its status becomes ``withdrawn``, the reason goes into its form
  (``void``) and a new revision, and the change reaches the feed like any dossier change. It holds only
  while the server's dossier is still ``received``; once the back office has moved it on (returned, …)
  the void is refused with ``dossier.void_too_late`` and the counter gets the server's dossier back.
* ``code.void`` is a *fact*: numbers ``/v1/codes/next`` handed out that no dossier got, which the counter
  could not report online at the time (``numbers.record_void``, the same rules as ``/v1/codes/voids``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from counterapp.domain.duedate import VIETNAM_TZ
from counterapp.protocol.payloads import CodeVoidV1, DossierVoidV1
from counterapp.server.models.auth import Device
from counterapp.server.models.sync import Dossier, DossierRevision
from counterapp.server.services import numbers
from counterapp.server.services.common import as_utc

__all__ = ["Refusal", "record_code_void", "void_dossier"]

RECEIVED, WITHDRAWN = "received", "withdrawn"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a void was not applied: a stable code and a reason naming the dossier's code, no person."""

    code: str
    reason: str


def _stored_day(value: datetime) -> date:
    """The centre's date of a stored time (aware, or naive UTC from SQLite)."""
    return as_utc(value).astimezone(VIETNAM_TZ).date()


def _payload_day(value: datetime) -> date:
    """The centre's date of a payload time (the counter's local wall time, or with an offset)."""
    return value.date() if value.tzinfo is None else value.astimezone(VIETNAM_TZ).date()


def void_dossier(
    session: Session, dossier: Dossier | None, device: Device, p: DossierVoidV1, user_id: str, op_id: str
) -> Refusal | None:
    """Withdraw ``dossier`` (locked by the caller) as ``p`` asks, or say why not. Voiding a dossier already
    withdrawn changes nothing and is not refused: the claim holds (a retried push, a second clerk)."""
    if dossier is None or dossier.centre_id != device.centre_id:
        return Refusal("dossier.not_found", f"dossier {p.code} is unknown here")
    if dossier.device_id != device.id:
        return Refusal("dossier.void_other_counter", f"dossier {p.code} was received at another counter")
    if dossier.status == WITHDRAWN:
        return None
    if dossier.status != RECEIVED:
        return Refusal("dossier.void_too_late", f"dossier {p.code} is {dossier.status} on the server: not voided")
    if _stored_day(dossier.received_at) != _payload_day(p.voided_at):
        return Refusal("dossier.void_not_today", f"dossier {p.code} was not received on the day of the void")
    voided = {"voided_at": p.voided_at.isoformat(), "reason": p.reason, "user_id": user_id}
    dossier.status = WITHDRAWN
    dossier.data = {**dossier.data, "void": voided}
    dossier.version += 1
    session.add(DossierRevision(dossier_id=dossier.id, version=dossier.version, data=dossier.data, op_id=op_id))
    return None


def record_code_void(session: Session, device: Device, p: CodeVoidV1, now: datetime) -> None:
    """Record the numbers as gaps; ``ValidationFailed`` (a number never handed out to this centre or
    device) makes the push record the op as rejected."""
    numbers.record_void(session, device, p.kind, p.scope, p.day, p.numbers, p.reason, now)
