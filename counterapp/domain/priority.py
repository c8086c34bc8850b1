"""Who is called next: priority classes and the centre's ordering rule.

Two rules, chosen per centre:

* ``strict`` — any waiting priority ticket goes first (by class rank, then issue time);
* ``interleave`` — after every N regular calls, one priority ticket is called if one is waiting;
  priority tickets are also called whenever no regular ticket waits. ``regular_streak`` (regular
  calls since the last priority call) is the only state, kept by the caller.

Within a group, earlier issue time goes first; ties break on the ticket number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from counterapp.domain.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class PriorityClass:
    code: str
    name_vi: str
    name_en: str
    rank: int = 0  # lower is called first under the strict rule


# The groups Vietnamese law and centre rules commonly give precedence; configurable per centre.
DEFAULT_PRIORITY_CLASSES: tuple[PriorityClass, ...] = (
    PriorityClass("merit", "Người có công với cách mạng", "Person of merit to the revolution", 0),
    PriorityClass("disabled", "Người khuyết tật", "Person with a disability", 0),
    PriorityClass("elderly", "Người cao tuổi", "Elderly person", 0),
    PriorityClass("pregnant", "Phụ nữ mang thai", "Pregnant woman", 0),
    PriorityClass("small_child", "Người đi cùng trẻ dưới 36 tháng", "With a child under 36 months", 0),
)


UNKNOWN_CLASS_RANK = 1_000  # a class the centre has not configured is still priority, after the known ones


class OrderingRule(StrEnum):
    STRICT = "strict"
    INTERLEAVE = "interleave"


class Queued(Protocol):
    @property
    def number(self) -> str: ...
    @property
    def priority(self) -> str | None: ...
    @property
    def issued_at(self) -> datetime: ...


T = TypeVar("T", bound=Queued)


@dataclass(frozen=True, slots=True)
class PriorityPolicy:
    rule: OrderingRule = OrderingRule.STRICT
    every: int = 3  # interleave: one priority ticket after this many regular ones
    classes: tuple[PriorityClass, ...] = DEFAULT_PRIORITY_CLASSES

    def __post_init__(self) -> None:
        if self.rule is OrderingRule.INTERLEAVE and self.every < 1:
            raise ValidationFailed.single("priority.every", "priority.every_invalid")

    def rank(self, code: str) -> int:
        for cls in self.classes:
            if cls.code == code:
                return cls.rank
        return UNKNOWN_CLASS_RANK

    def _priority_key(self, t: Queued) -> tuple[int, datetime, str]:
        return (self.rank(t.priority or ""), t.issued_at, t.number)


def _fifo_key(t: Queued) -> tuple[datetime, str]:
    return (t.issued_at, t.number)


def choose_next(waiting: Sequence[T], policy: PriorityPolicy, regular_streak: int = 0) -> tuple[T | None, int]:
    """The ticket to call and the new regular streak (0 after a priority call)."""
    regular = [t for t in waiting if t.priority is None]
    priority = [t for t in waiting if t.priority is not None]
    first_priority = min(priority, key=policy._priority_key) if priority else None
    first_regular = min(regular, key=_fifo_key) if regular else None
    if first_priority is None:
        return first_regular, regular_streak + (first_regular is not None)
    if first_regular is None:
        return first_priority, 0
    if policy.rule is OrderingRule.STRICT or regular_streak >= policy.every:
        return first_priority, 0
    return first_regular, regular_streak + 1


def call_order(waiting: Sequence[T], policy: PriorityPolicy, regular_streak: int = 0) -> list[T]:
    """The order the waiting tickets will be called in if no one else arrives (for the board)."""
    regular = sorted((t for t in waiting if t.priority is None), key=_fifo_key)
    priority = sorted((t for t in waiting if t.priority is not None), key=policy._priority_key)
    ordered: list[T] = []
    r = p = 0
    streak = regular_streak
    while r < len(regular) or p < len(priority):
        take_priority = p < len(priority) and (
            r == len(regular) or policy.rule is OrderingRule.STRICT or streak >= policy.every
        )
        if take_priority:
            ordered.append(priority[p])
            p, streak = p + 1, 0
        else:
            ordered.append(regular[r])
            r, streak = r + 1, streak + 1
    return ordered
