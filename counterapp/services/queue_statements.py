"""The statements of a counter's ticket steps (call-next above all), built once as Core constructs with
bound parameters and run on the session's connection.

Built per call, the ORM versions spent most of a call-next in Python: building the expressions, their
cache keys, the ORM's loading and its unit of work (benchmarks/README.md, "Local store"). A statement
object made once keeps its cache key, so SQLAlchemy's compiled cache is hit at once; Core rows are
read without the ORM's loading. ORM objects of the same rows that a session already holds are kept
true by :func:`counterapp.store.base.sync_identity`, so ORM code running later in the same transaction sees the change.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Select,
    Table,
    bindparam,
    case,
    func,
    insert,
    or_,
    select,
    union_all,
    update,
)

from counterapp.domain.priority import UNKNOWN_CLASS_RANK, PriorityPolicy
from counterapp.domain.ticket import TicketState
from counterapp.store.queue_models import TicketEventRow, TicketRow
from counterapp.store.reference_models import AssignmentRow, CounterRow, SettingRow
from counterapp.store.sync_models import DeviceMetaRow

_TICKETS = cast(Table, TicketRow.__table__)
_EVENTS = cast(Table, TicketEventRow.__table__)
_META = cast(Table, DeviceMetaRow.__table__)

# The device row, the counter's assignment epoch, its services and the centre settings in one statement.
CONTEXT = select(
    _META.c.counter_number,
    _META.c.regular_streak,
    _META.c.last_client_seq,
    _META.c.clock_offset_ms,
    select(CounterRow.epoch).where(CounterRow.number == _META.c.counter_number).scalar_subquery(),
    select(func.json_group_array(AssignmentRow.service_code))
    .where(AssignmentRow.counter_number == _META.c.counter_number)
    .scalar_subquery(),
    select(func.json_group_object(SettingRow.key, func.json(SettingRow.value))).scalar_subquery(),
).where(_META.c.id == 1)

# What a step needs of a ticket: the state machine's fields, the op's and the event's.
TICKET_COLUMNS = (
    _TICKETS.c.id,
    _TICKETS.c.number,
    _TICKETS.c.service_code,
    _TICKETS.c.priority,
    _TICKETS.c.issued_on,
    _TICKETS.c.issued_at,
    _TICKETS.c.state,
    _TICKETS.c.counter_number,
    _TICKETS.c.recalls,
)

HISTORY = (
    select(
        _EVENTS.c.kind,
        _EVENTS.c.at,
        _EVENTS.c.counter_number,
        _EVENTS.c.service_code,
        _EVENTS.c.priority,
        _EVENTS.c.outcome,
        _EVENTS.c.reason,
    )
    .where(_EVENTS.c.ticket_id == bindparam("ticket_id"))
    .order_by(_EVENTS.c.position)
)

SET_SEQUENCE = (
    update(_META).where(_META.c.id == 1).values(last_client_seq=bindparam("seq"), regular_streak=bindparam("streak"))
)
SET_TICKET = (
    update(_TICKETS)
    .where(_TICKETS.c.id == bindparam("ticket_id"))
    .values(
        state=bindparam("state"),
        counter_number=bindparam("counter"),
        recalls=bindparam("recalls"),
        service_code=bindparam("service"),
        sync_state="pending",
    )
)
ADD_EVENT = insert(_EVENTS)


def waiting_conditions(*, services: bool, only_hand: bool) -> list[ColumnElement[bool]]:
    """Today's waiting tickets this counter may call, with the parameters ``day`` (a date), ``now``,
    ``counter`` and, if ``services``, the list ``services``."""
    now: BindParameter[Any] = bindparam("now")
    counter: BindParameter[Any] = bindparam("counter")
    conditions = [_TICKETS.c.state == TicketState.WAITING.value, _TICKETS.c.issued_on == bindparam("day")]
    if services:
        conditions.append(_TICKETS.c.service_code.in_(bindparam("services", expanding=True)))
    # never a ticket held in another counter's unexpired hand: the server would refuse the call
    dealt_to, dealt_until = _TICKETS.c.dealt_to, _TICKETS.c.dealt_until
    conditions.append(or_(dealt_to.is_(None), dealt_to == counter, dealt_until <= now))
    if only_hand:  # offline: the tickets dealt to this counter (lease still valid) and walk-ins
        conditions.append(or_(_TICKETS.c.origin == "walkin", (dealt_to == counter) & (dealt_until > now)))
    return conditions


_CANDIDATES: dict[tuple[bool, bool, tuple[tuple[str, int], ...]], CompoundSelect[Any]] = {}


def candidates(*, services: bool, only_hand: bool, policy: PriorityPolicy) -> CompoundSelect[Any]:
    """The earliest regular ticket and the first priority ticket by the policy's class ranks, in one
    statement; built once per kind of counter and set of classes."""
    ranks = tuple((c.code, c.rank) for c in policy.classes)
    key = (services, only_hand, ranks)
    statement = _CANDIDATES.get(key)
    if statement is None:
        statement = _CANDIDATES[key] = _candidates(services=services, only_hand=only_hand, ranks=ranks)
    return statement


def _candidates(*, services: bool, only_hand: bool, ranks: tuple[tuple[str, int], ...]) -> CompoundSelect[Any]:
    conditions = waiting_conditions(services=services, only_hand=only_hand)
    order = (_TICKETS.c.issued_at, _TICKETS.c.number)
    regular = select(*TICKET_COLUMNS).where(*conditions, _TICKETS.c.priority.is_(None)).order_by(*order).limit(1)
    priority: Select[Any] = select(*TICKET_COLUMNS).where(*conditions, _TICKETS.c.priority.is_not(None))
    if len({rank for _, rank in ranks}) > 1:  # ranked classes: order by rank first (a small sort)
        rank = case(dict(ranks), value=_TICKETS.c.priority, else_=UNKNOWN_CLASS_RANK)
        priority = priority.order_by(rank)
    else:  # one rank for all (the default): an unknown class still goes after the known ones
        priority = priority.order_by(_TICKETS.c.priority.not_in([code for code, _ in ranks]))
    priority = priority.order_by(*order).limit(1)
    # each LIMIT 1 read walks ix_tickets_waiting in issue order; as subqueries they share one round trip
    return union_all(select(regular.subquery()), select(priority.subquery()))
