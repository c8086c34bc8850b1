"""Dossier codes from the server while it answers, the offline lease only when it does not (SYNC.md §2 (b)).

Online, each dossier takes the next number of the day's dense range (``POST /v1/codes/next``: 0001, 0002,
…), so the day's register reads 1, 2, 3 like a paper one; the lease's reserved numbers (7000–9999) are
for a counter cut off from the server. ``OnlineCodes`` makes that choice for one signed-in clerk (the
route needs their staff session as well as the device credential):

* no answer, or "ask later" → ``None``: the caller takes a lease number, the clerk does not wait (the
  request has a short timeout);
* a refusal the lease is made for (the day's online range used up, the clerk's session expired or gone,
  a date the server does not call today around midnight) → ``None`` as well;
* any other refusal (a revoked device, a role without intake) → ``CodeRefused``: the lease must not hide
  it, the push of the dossier would be refused for the same reason.

A number the server handed out that no dossier got (the write failed after it was taken) is reported as
a gap with ``void``. When the server cannot be told at once, the report becomes a ``code.void`` op in
the outbox: the outbox already survives crashes and retries until the server answers, and a push is
authorised by the op's user at its time, so it needs no staff session — which a separate table flushed
by the sync worker would (``/v1/codes/voids`` requires one) and the worker never has.

Qt-free and blocking: the GUI calls it on a pool thread, outside any database transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal

from sqlalchemy.orm import Session

from counterapp.domain.errors import DomainError
from counterapp.domain.text import clean
from counterapp.protocol import ops
from counterapp.protocol.client import Refused, ServerClient, SyncError
from counterapp.services.workspace import Workspace
from counterapp.store import outbox
from counterapp.store.sync_models import OutboxRow

__all__ = ["FALLBACK_CODES", "CodeRefused", "OnlineCodes", "VoidOutcome", "enqueue_void"]

log = logging.getLogger(__name__)

DOSSIER: Literal["dossier"] = "dossier"
MAX_VOID_REASON = 200  # what the server keeps of a void's reason
# The clerk's staff session is missing, unknown or expired: the device still syncs, ops are authorised by
# user at their time, so work goes on with the lease (and a void goes through the outbox).
SESSION_CODES = frozenset({"auth.session_required", "auth.session_invalid", "auth.session_expired"})
# Server refusals that mean "use the offline lease" rather than "stop".
FALLBACK_CODES = SESSION_CODES | {"code.sequence_exhausted", "code.day_not_today"}

VoidOutcome = Literal["server", "outbox", "refused", "lost"]


class CodeRefused(DomainError):
    """The server refused a dossier code for a reason the offline lease must not hide; ``code`` is the
    server's own (``auth.device_revoked``, ``auth.forbidden``, …), so the window can say which."""

    code = "code.refused"


class OnlineCodes:
    """Online dossier numbers for the clerk whose staff session is ``staff_token``, on this device."""

    def __init__(self, client: ServerClient, staff_token: str) -> None:
        self.client = client
        self.staff_token = staff_token

    def next_dossier_number(self, day: date) -> int | None:
        """The next number of ``day``'s online range, or ``None`` when the offline lease must be used
        (see the module docstring); raises ``CodeRefused`` for a refusal that must be seen."""
        try:
            answer = self.client.next_code(DOSSIER, staff_token=self.staff_token, day=day.isoformat())
        except Refused as exc:
            if exc.code in FALLBACK_CODES:
                log.warning("the server gave no online dossier code (%s): the offline lease is used", exc.code)
                return None
            raise CodeRefused(f"the server refused a dossier code ({exc.status} {exc.code})", code=exc.code) from None
        except SyncError as exc:  # Unreachable, RetryLater: no answer in time
            log.info("no online dossier code (%s): the offline lease is used", exc)
            return None
        return int(answer["number"])

    def void(
        self, day: date, numbers: Sequence[int], reason: str, *, workspace: Workspace | None = None
    ) -> VoidOutcome:
        """Report ``numbers`` of ``day`` as handed out but unused. Best effort and never raises (it runs
        while another error is on its way to the clerk): recorded by the server (``"server"``), else
        queued as a ``code.void`` op in ``workspace``'s outbox (``"outbox"``); ``"refused"`` when the
        server refused the report itself, ``"lost"`` (logged as an error, with the numbers) when neither
        could take it."""
        wanted = sorted(set(numbers))
        try:
            self.client.void_codes(DOSSIER, day.isoformat(), wanted, reason, staff_token=self.staff_token)
        except Refused as exc:
            if exc.code not in SESSION_CODES:  # e.g. void.not_issued: the outbox would be refused the same
                log.error("the server refused to record dossier numbers %s of %s as unused (%s)", wanted, day, exc.code)
                return "refused"
        except SyncError as exc:
            log.info("could not report unused dossier numbers to the server (%s): queued for the next sync", exc)
        else:
            log.info("dossier numbers %s of %s recorded as unused", wanted, day)
            return "server"
        if workspace is None:
            log.error("dossier numbers %s of %s were not used and could not be reported", wanted, day)
            return "lost"
        try:
            with workspace.writing() as (session, now):
                enqueue_void(session, day=day, numbers=wanted, reason=reason, now=now, user_id=workspace.user_id)
        except Exception:  # the database may be the very thing that failed the intake
            log.exception("dossier numbers %s of %s were not used and could not be queued for the server", wanted, day)
            return "lost"
        return "outbox"


def enqueue_void(
    session: Session,
    *,
    day: date,
    numbers: Sequence[int],
    reason: str,
    now: datetime,
    user_id: str | None,
    kind: Literal["dossier", "ticket"] = DOSSIER,
) -> OutboxRow:
    """Queue the report of unused online ``numbers`` of ``day`` (the server records them as gaps when the
    op is pushed). The caller owns the transaction."""
    text = clean(reason)[:MAX_VOID_REASON] or "unused"
    payload = {"kind": kind, "scope": None, "day": day.isoformat(), "numbers": sorted(set(numbers)),
               "reason": text, "voided_at": now.isoformat()}  # fmt: skip
    return outbox.enqueue(session, ops.CODE_VOID, payload, now=now, user_id=user_id)
