"""Reading old ops: per-kind upcasters from one payload version to the next (SYNC.md §2(g)).

The server never refuses an old client's op while it can be read: when a kind's payload changes shape,
its version in ``counterapp.protocol.ops`` is bumped and an upcaster from the previous version is registered
here, kept for at least the maximum offline period. An op that cannot be brought to the current version
(unknown kind, unknown or newer version, a failing upcaster) is :class:`UndecodableOp`: it goes to
quarantine, never into an error loop.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

from counterapp.protocol import ops

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]

# (kind, from_v) -> a function turning a payload of version from_v into version from_v + 1.
# Every kind is at version 1 today, so nothing is registered yet.
UPCASTERS: dict[tuple[str, int], Upcaster] = {}


class UndecodableOp(ValueError):
    """An op the server cannot read: it is quarantined with ``reason``, never retried in a loop."""

    def __init__(self, reason: str, *, kind: str | None = None, v: int | None = None) -> None:
        super().__init__(reason)
        self.reason, self.kind, self.v = reason, kind, v


def current_version(kind: str) -> int:
    known = ops.ALL.get(kind)
    if known is None:
        raise UndecodableOp(f"unknown op kind {kind!r}", kind=kind)
    return known.version


def _version(kind: str, v: object) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise UndecodableOp(f"invalid version {v!r} of {kind}", kind=kind)
    return v


def _object(kind: str, v: int, payload: object) -> dict[str, Any]:
    if not isinstance(payload, Mapping) or not all(isinstance(key, str) for key in payload):
        raise UndecodableOp(f"{kind}@{v}: the payload is not a JSON object", kind=kind, v=v)
    return copy.deepcopy(dict(payload))


def upcast(kind: str, v: int, payload: Mapping[str, Any]) -> tuple[int, dict[str, Any]]:
    """``payload`` of ``kind@v`` brought to the current version, applying the upcasters in order.
    The caller's mapping is never modified (upcasters work on a deep copy; a current payload is returned
    as a shallow copy, read-only by contract)."""
    current = current_version(kind)
    v = _version(kind, v)
    if v > current:
        raise UndecodableOp(f"{kind}@{v} is newer than this server reads (up to @{current})", kind=kind, v=v)
    if v == current:  # the usual case: nothing to rewrite, so no deep copy (callers only read it)
        if not isinstance(payload, Mapping) or not all(isinstance(key, str) for key in payload):
            raise UndecodableOp(f"{kind}@{v}: the payload is not a JSON object", kind=kind, v=v)
        return current, dict(payload)
    data = _object(kind, v, payload)
    for step in range(v, current):
        upcaster = UPCASTERS.get((kind, step))
        if upcaster is None:
            raise UndecodableOp(f"no upcaster from {kind}@{step} (current @{current})", kind=kind, v=v)
        try:
            data = _object(kind, step + 1, upcaster(data))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            if isinstance(exc, UndecodableOp):
                raise
            raise UndecodableOp(f"upcasting {kind}@{step} failed: {type(exc).__name__}", kind=kind, v=v) from exc
    return current, data
