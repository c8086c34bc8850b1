"""Errors raised by use cases; each has a stable ``code`` the GUI maps to translated text."""

from __future__ import annotations

from counterapp.domain.errors import DomainError
from counterapp.store.errors import DeviceNotInitialised

NotInitialised = DeviceNotInitialised  # raised by any service used on an uninitialised data directory


class AlreadyInitialised(DomainError):
    code = "device.already_initialised"


class NotFound(DomainError):
    code = "not_found"


class QueueEmpty(DomainError):
    code = "queue.empty"


class LeaseMissing(DomainError):
    code = "lease.missing"


class LeaseWrongDate(DomainError):
    code = "lease.wrong_date"


class LeaseExhausted(DomainError):
    code = "lease.exhausted"


class LeaseOverlap(DomainError):
    code = "lease.overlap"


class AlreadySynced(DomainError):
    code = "dossier.already_synced"


class InvalidState(DomainError):
    code = "state.invalid"
