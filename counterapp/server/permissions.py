"""Who may do what, as a small table. Pure: the HTTP layer and op authorisation "at the op's time"
(SYNC.md §4 Auth) both read it, so a role means the same thing online and in a pushed op."""

from __future__ import annotations

from types import MappingProxyType

ROLES = ("clerk", "lead", "admin")

_CLERK = frozenset(
    {
        "queue.call",  # call next, recall, no-show, finish at one's own counter
        "queue.transfer",
        "ticket.issue",  # walk-in tickets made at a counter
        "dossier.intake",
        "dossier.amend",
        "dossier.return",
        "dossier.search",
        "receipt.print",
    }
)
_LEAD = _CLERK | {"counters.assign", "counters.open_close", "tickets.move", "reports.view"}
_ADMIN = _LEAD | {"users.manage", "devices.manage", "centre.configure"}

PERMISSIONS: MappingProxyType[str, frozenset[str]] = MappingProxyType(
    {"clerk": _CLERK, "lead": frozenset(_LEAD), "admin": frozenset(_ADMIN)}
)


def role_allows(role: str, action: str) -> bool:
    """Whether ``role`` may perform ``action``; an unknown role or action is refused."""
    return action in PERMISSIONS.get(role, frozenset())
