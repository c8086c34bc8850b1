"""The kinds of operation a device pushes, with their versions (SYNC.md §4).

*Facts* are accepted by the server whatever its state (a dossier was received, a citizen was served);
*claims* are compare-and-set and may be rejected (calling a ticket, transferring it). Bump ``version``
when a payload changes shape; the server keeps upcasters for older versions.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OpKind:
    name: str
    version: int
    fact: bool


TICKET_ISSUE = OpKind("ticket.issue", 1, fact=True)  # a walk-in ticket from this device's lease
TICKET_CALL = OpKind("ticket.call", 1, fact=False)
TICKET_RECALL = OpKind("ticket.recall", 1, fact=True)
TICKET_START = OpKind("ticket.start", 1, fact=True)
TICKET_FINISH = OpKind("ticket.finish", 1, fact=True)
TICKET_NO_SHOW = OpKind("ticket.no_show", 1, fact=True)
TICKET_HOLD = OpKind("ticket.hold", 1, fact=True)
TICKET_UNHOLD = OpKind("ticket.unhold", 1, fact=True)
TICKET_TRANSFER = OpKind("ticket.transfer", 1, fact=False)
TICKET_CANCEL = OpKind("ticket.cancel", 1, fact=False)
TICKET_REACTIVATE = OpKind("ticket.reactivate", 1, fact=False)
DOSSIER_CREATE = OpKind("dossier.create", 1, fact=True)
DOSSIER_AMEND = OpKind("dossier.amend", 1, fact=False)
DOSSIER_RETURN = OpKind("dossier.return", 1, fact=True)
# a dossier received by mistake, voided the same day by its counter: only while the server has it "received"
DOSSIER_VOID = OpKind("dossier.void", 1, fact=False)
CODE_VOID = OpKind("code.void", 1, fact=True)  # numbers from /v1/codes/next never used: recorded gaps
SUPPLEMENT_CREATE = OpKind("supplement.create", 1, fact=True)
REFUSAL_CREATE = OpKind("refusal.create", 1, fact=True)
RECEIPT_PRINTED = OpKind("receipt.printed", 1, fact=True)
# a clerk stopped (or went back to) calling at their counter: facts, recorded whatever the counter's state
COUNTER_PAUSE = OpKind("counter.pause", 1, fact=True)
COUNTER_RESUME = OpKind("counter.resume", 1, fact=True)

ALL: dict[str, OpKind] = {
    k.name: k
    for k in (
        TICKET_ISSUE, TICKET_CALL, TICKET_RECALL, TICKET_START, TICKET_FINISH, TICKET_NO_SHOW,
        TICKET_HOLD, TICKET_UNHOLD, TICKET_TRANSFER, TICKET_CANCEL, TICKET_REACTIVATE,
        DOSSIER_CREATE, DOSSIER_AMEND, DOSSIER_RETURN, DOSSIER_VOID, CODE_VOID, SUPPLEMENT_CREATE, REFUSAL_CREATE,
        RECEIPT_PRINTED, COUNTER_PAUSE, COUNTER_RESUME,
    )
}  # fmt: skip
