"""Which side a refused hello puts behind (``counterapp.sync.versions``), without a server: the sync's
``last_error`` names it, and ``SyncStatus.version_mismatch`` reads it back."""

from __future__ import annotations

import pytest

from counterapp.protocol.client import Refused, Unreachable
from counterapp.protocol.messages import PROTOCOL_MAX, PROTOCOL_MIN
from counterapp.sync import versions


def refused(low: int, high: int) -> Refused:
    body = {"code": versions.UNSUPPORTED, "protocol_min": low, "protocol_max": high}
    return Refused(426, versions.UNSUPPORTED, "This server speaks …; update the app.", body)


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (PROTOCOL_MAX + 1, PROTOCOL_MAX + 3, versions.COUNTER_TOO_OLD),  # the server moved on
        (PROTOCOL_MIN - 1, PROTOCOL_MAX - 1, versions.COUNTER_TOO_NEW),  # the server is behind (max below ours)
    ],
)
def test_a_refused_hello_names_the_side_to_update(low: int, high: int, expected: str):
    error = refused(low, high)
    assert versions.mismatch_of(error) == expected
    recorded = versions.describe(error)
    assert recorded.startswith(f"sync.protocol_unsupported {expected}: the server speaks protocol {low} to {high}")
    assert len(recorded) <= 300
    assert versions.mismatch_in(recorded) == expected


def test_other_failures_are_recorded_as_before_and_name_no_mismatch():
    for error in (Unreachable("no answer from the server (ConnectError)"), Refused(403, "auth.device_revoked", "")):
        assert versions.mismatch_of(error) is None
        assert versions.describe(error) == str(error)
        assert versions.mismatch_in(versions.describe(error)) is None
    assert versions.mismatch_in(None) is None
    assert versions.mismatch_in("sync.protocol_unsupported something_else: …") is None
