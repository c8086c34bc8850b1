from datetime import date

import pytest

from counterapp.domain.errors import ValidationFailed
from counterapp.services import leases
from counterapp.services.errors import LeaseExhausted, LeaseMissing, LeaseOverlap, LeaseWrongDate

from .conftest import NOW

D = leases.LeaseKind.DOSSIER_CODE
DAY = date(2026, 3, 20)


def grant(s, start, end, day=DAY, scope="X"):
    return leases.grant_lease(s, kind=D, scope=scope, day=day, start=start, end=end, now=NOW)


def test_numbers_come_in_order_across_leases_and_never_twice(store):
    with store.write() as s:
        second = grant(s, 20, 21)
        first = grant(s, 10, 11)
        taken = [leases.take_number(s, kind=D, scope="X", day=DAY) for _ in range(4)]
        assert taken == [(first.id, 10), (first.id, 11), (second.id, 20), (second.id, 21)]
        with pytest.raises(LeaseExhausted):
            leases.take_number(s, kind=D, scope="X", day=DAY)
        assert [lease.remaining for lease in leases.leases(s, day=DAY)] == [0, 0]


def test_overlapping_and_invalid_ranges_are_refused(store):
    with store.write() as s:
        grant(s, 10, 20)
        with pytest.raises(LeaseOverlap):
            grant(s, 20, 30)
        grant(s, 10, 20, scope="Y")  # another scope is independent
        grant(s, 10, 20, day=date(2026, 3, 21))  # so is another day
        for start, end in ((0, 5), (5, 4), (9990, 10_000)):
            with pytest.raises(ValidationFailed):
                grant(s, start, end)


def test_missing_and_wrong_date(store):
    with store.write() as s:
        with pytest.raises(LeaseMissing):
            leases.take_number(s, kind=D, scope="X", day=DAY)
        grant(s, 1, 3, day=date(2026, 3, 21))
        with pytest.raises(LeaseWrongDate) as caught:
            leases.take_number(s, kind=D, scope="X", day=DAY)
        assert caught.value.params["lease_days"] == ["2026-03-21"]
