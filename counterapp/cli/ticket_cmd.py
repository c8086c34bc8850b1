"""``counterapp ticket …``: walk-in tickets and every step of a ticket at this counter."""

from __future__ import annotations

import argparse
from typing import Any

from counterapp.cli.client import add_client_options, reading, table, user_id, when, writing
from counterapp.cli.common import print_json
from counterapp.domain.ticket import EventKind, Ticket

STATE_VI = {
    "waiting": "đang chờ",
    "called": "đã gọi",
    "serving": "đang phục vụ",
    "done": "hoàn thành",
    "no_show": "vắng mặt",
    "held": "tạm giữ",
    "cancelled": "đã hủy",
}

# subcommand -> (event, help, extra option: "outcome" | "reason" | None)
ACTIONS: dict[str, tuple[EventKind, str, str | None]] = {
    "recall": (EventKind.RECALLED, "call the ticket again (gọi lại)", None),
    "start": (EventKind.STARTED, "start serving (bắt đầu phục vụ)", None),
    "finish": (EventKind.FINISHED, "finish serving (hoàn thành)", "outcome"),
    "no-show": (EventKind.NO_SHOW, "the citizen did not come (vắng mặt)", None),
    "hold": (EventKind.HELD, "park the ticket (tạm giữ)", "reason"),
    "unhold": (EventKind.UNHELD, "put a parked ticket back in the queue", None),
    "cancel": (EventKind.CANCELLED, "cancel the ticket (hủy)", "reason"),
    "reactivate": (EventKind.REACTIVATED, "put a cancelled or no-show ticket back in the queue", None),
}
AT_COUNTER = "; without NUMBER, the ticket at this counter"


def add_parser(subparsers: Any) -> None:
    p = subparsers.add_parser("ticket", help="queue tickets at this counter (số thứ tự)")
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")

    issue = sub.add_parser("issue", help="issue a walk-in ticket from this device's ticket lease")
    issue.add_argument("--service", required=True, metavar="CODE", help="queue service code, e.g. HTCT")
    issue.add_argument("--priority", metavar="CLASS", help="priority class, e.g. elderly, disabled")
    _finish(issue, run_issue)

    call_next = sub.add_parser("call-next", help="call the next ticket by the centre's priority rule")
    call_next.add_argument(
        "--offline", action="store_true", help="only the tickets dealt to this counter and its walk-ins"
    )
    _finish(call_next, run_call_next)

    call = sub.add_parser("call", help="call a given ticket (also a held one)")
    call.add_argument("number", metavar="NUMBER")
    _finish(call, run_action, event=EventKind.CALLED)

    for name, (event, text, extra) in ACTIONS.items():
        action = sub.add_parser(name, help=text + AT_COUNTER)
        action.add_argument("number", metavar="NUMBER", nargs="?")
        if extra == "outcome":
            action.add_argument("--outcome", metavar="TEXT", help="e.g. dossier_received, advice_only")
        elif extra == "reason":
            action.add_argument("--reason", metavar="TEXT", help="why (no personal data)")
        _finish(action, run_action, event=event)

    transfer = sub.add_parser("transfer", help="move a ticket to another service; it keeps its number")
    transfer.add_argument("number", metavar="NUMBER")
    transfer.add_argument("--to", dest="to_service", required=True, metavar="SERVICE", help="queue service code")
    transfer.add_argument("--reason", metavar="TEXT", help="why (no personal data)")
    _finish(transfer, run_action, event=EventKind.TRANSFERRED)

    listing = sub.add_parser("list", help="today's waiting tickets for this counter, in call order")
    listing.add_argument("--offline", action="store_true", help="only those callable while offline")
    _finish(listing, run_list)


def _finish(parser: argparse.ArgumentParser, run: Any, **defaults: Any) -> None:
    add_client_options(parser)
    parser.set_defaults(run=run, parser=parser, **defaults)


def ticket_to_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "service": ticket.service,
        "priority": ticket.priority,
        "state": ticket.state.value,
        "counter": ticket.counter,
        "recalls": ticket.recalls,
        "issued_at": when(ticket.issued_at),
        "events": [
            {"kind": e.kind.value, "at": when(e.at), "counter": e.counter, "service": e.service,
             "outcome": e.outcome, "reason": e.reason}
            for e in ticket.events
        ],
    }  # fmt: skip


def _labels(session: Any) -> dict[str, str]:
    """The centre's priority classes by code, for the clerk's eyes ("Người cao tuổi", not "elderly")."""
    from counterapp.services.device import priority_policy

    return {c.code: c.name_vi for c in priority_policy(session).classes}


def _row(ticket: Ticket, labels: dict[str, str]) -> list[str]:
    return [
        ticket.number,
        ticket.service,
        STATE_VI.get(ticket.state.value, ticket.state.value),
        f"quầy {ticket.counter}" if ticket.counter else "",
        f"ưu tiên: {labels.get(ticket.priority, ticket.priority)}" if ticket.priority else "",
    ]


def _show(args: argparse.Namespace, ticket: Ticket, labels: dict[str, str]) -> int:
    if args.json:
        print_json(ticket_to_json(ticket))
    else:
        table([_row(ticket, labels)])
    return 0


def run_issue(args: argparse.Namespace) -> int:
    from counterapp.services import queue

    with writing(args) as (session, now):
        ticket = queue.issue_walkin(
            session, service_code=args.service, now=now, user_id=user_id(args), priority=args.priority
        )
        labels = _labels(session)
    return _show(args, ticket, labels)


def run_call_next(args: argparse.Namespace) -> int:
    from counterapp.services import queue

    with writing(args) as (session, now):
        ticket = queue.call_next(session, now=now, user_id=user_id(args), only_hand=args.offline)
        labels = _labels(session)
    return _show(args, ticket, labels)


def run_action(args: argparse.Namespace) -> int:
    from counterapp.services import queue

    with writing(args) as (session, now):
        ticket = queue.act(
            session,
            args.event,
            args.number,
            now=now,
            user_id=user_id(args),
            to_service=getattr(args, "to_service", None),
            outcome=getattr(args, "outcome", None),
            reason=getattr(args, "reason", None),
        )
        labels = _labels(session)
    return _show(args, ticket, labels)


def run_list(args: argparse.Namespace) -> int:
    from counterapp.services import queue

    with reading(args) as (session, now):
        tickets = queue.waiting(session, now=now, only_hand=args.offline)
        labels = _labels(session)
    if args.json:
        print_json({"tickets": [ticket_to_json(t) | {"position": i} for i, t in enumerate(tickets, 1)]})
    elif not tickets:
        print("Không có số nào đang chờ.")
    else:
        rows = [_row(t, labels) for t in tickets]
        table(
            [
                [str(i), *row[:2], f"lấy số {t.issued_at:%H:%M}", row[4]]
                for i, (t, row) in enumerate(zip(tickets, rows, strict=True), 1)
            ]
        )
    return 0
