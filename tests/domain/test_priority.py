from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterapp.domain.errors import ValidationFailed
from counterapp.domain.priority import (
    OrderingRule,
    PriorityClass,
    PriorityPolicy,
    call_order,
    choose_next,
)

T0 = datetime(2025, 3, 17, 8)


@dataclass(frozen=True)
class Q:
    number: str
    priority: str | None
    issued_at: datetime


def q(number: str, minute: int, priority: str | None = None) -> Q:
    return Q(number, priority, T0 + timedelta(minutes=minute))


QUEUE = [
    q("A001", 0),
    q("A002", 1),
    q("A003", 2, "elderly"),
    q("A004", 3),
    q("A005", 4),
    q("A006", 5, "pregnant"),
]


def numbers(tickets):
    return [t.number for t in tickets]


def test_strict_priority_serves_priority_tickets_first_in_issue_order():
    policy = PriorityPolicy(OrderingRule.STRICT)
    assert numbers(call_order(QUEUE, policy)) == ["A003", "A006", "A001", "A002", "A004", "A005"]
    chosen, streak = choose_next(QUEUE, policy)
    assert chosen.number == "A003" and streak == 0


def test_one_priority_ticket_every_n():
    policy = PriorityPolicy(OrderingRule.INTERLEAVE, every=2)
    # two regular, one priority, two regular, one priority
    assert numbers(call_order(QUEUE, policy)) == ["A001", "A002", "A003", "A004", "A005", "A006"]
    # a streak carried over from earlier calls is honoured
    assert numbers(call_order(QUEUE, policy, regular_streak=2))[:2] == ["A003", "A001"]


def test_priority_is_served_when_no_regular_ticket_waits():
    policy = PriorityPolicy(OrderingRule.INTERLEAVE, every=5)
    only_priority = [q("A010", 0, "disabled")]
    assert choose_next(only_priority, policy, regular_streak=0) == (only_priority[0], 0)
    assert choose_next([], policy, 3) == (None, 3)


def test_class_rank_orders_priority_tickets_under_strict():
    policy = PriorityPolicy(
        OrderingRule.STRICT,
        classes=(
            PriorityClass("merit", "Người có công", "Merit", 0),
            PriorityClass("elderly", "Cao tuổi", "Elderly", 1),
        ),
    )
    waiting = [q("A001", 0, "elderly"), q("A002", 5, "merit"), q("A003", 1, "unknown")]
    assert numbers(call_order(waiting, policy)) == ["A002", "A001", "A003"]


def test_every_must_be_positive():
    with pytest.raises(ValidationFailed):
        PriorityPolicy(OrderingRule.INTERLEAVE, every=0)


queues = st.lists(
    st.tuples(st.integers(0, 500), st.sampled_from([None, None, "elderly", "disabled"])), max_size=40
).map(lambda xs: [q(f"A{i + 1:03d}", m, p) for i, (m, p) in enumerate(xs)])


@given(
    queues,
    st.sampled_from([OrderingRule.STRICT, OrderingRule.INTERLEAVE]),
    st.integers(1, 4),
    st.integers(0, 5),
)
def test_call_order_is_repeated_choose_next(waiting, rule, every, streak):
    policy = PriorityPolicy(rule, every=every)
    expected, remaining, current = [], list(waiting), streak
    while remaining:
        chosen, current = choose_next(remaining, policy, current)
        expected.append(chosen)
        remaining.remove(chosen)
    assert numbers(call_order(waiting, policy, regular_streak=streak)) == numbers(expected)
    assert sorted(numbers(expected)) == sorted(numbers(waiting))


@given(queues, st.integers(1, 4))
def test_interleave_never_passes_over_a_waiting_priority_ticket_more_than_n_times(waiting, every):
    order = call_order(waiting, PriorityPolicy(OrderingRule.INTERLEAVE, every=every))
    regular_run = 0
    for i, t in enumerate(order):
        if t.priority is None:
            regular_run += 1
            if any(u.priority for u in order[i + 1 :]):
                assert regular_run <= every
        else:
            regular_run = 0
