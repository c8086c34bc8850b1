"""Errors of the local cache that callers handle (kept free of SQLAlchemy so the CLI starts fast)."""

from counterapp.domain.errors import DomainError


class DeviceNotInitialised(DomainError):
    """The data directory has no device identity yet (``counterapp init``)."""

    code = "device.not_initialised"
