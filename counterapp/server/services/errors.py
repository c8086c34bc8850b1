"""Errors of the server's use cases, each with a stable ``code``. The HTTP layer maps them to status codes
(``counterapp.server.auth.http_error``); messages never contain a secret or personal data."""

from __future__ import annotations

from counterapp.domain.errors import DomainError


class NotFound(DomainError):
    code = "not_found"


class AlreadyExists(DomainError):
    code = "conflict.exists"


# Devices and enrollment
class EnrollmentCodeInvalid(DomainError):
    code = "enrollment.code_invalid"


class EnrollmentCodeUsed(DomainError):
    code = "enrollment.code_used"


class EnrollmentCodeExpired(DomainError):
    code = "enrollment.code_expired"


class DeviceInvalid(DomainError):
    """Unknown device, wrong credential, or a device that was never enrolled: all look the same."""

    code = "auth.device_invalid"


class SequenceTaken(DomainError):
    """A data directory that already holds ops would push them under sequence numbers the device's earlier
    directory already used (a reissued code): the server would refuse them (``sync.client_regressed``)."""

    code = "enrollment.sequence_taken"


class DeviceRevoked(DomainError):
    code = "auth.device_revoked"


class DeviceKeyExists(DomainError):
    """The device already registered another public key (only re-enrollment replaces it)."""

    code = "device.key_exists"


class Throttled(DomainError):
    """Too many failed attempts from this source: wait ``seconds`` (answered 429 with ``Retry-After``)."""

    code = "auth.throttled"

    def __init__(self, seconds: int) -> None:
        super().__init__(f"too many failed attempts: try again in {seconds} s", seconds=seconds)
        self.seconds = seconds


# Staff
class InvalidCredentials(DomainError):
    """Unknown username or wrong password: the same answer, so usernames cannot be probed."""

    code = "auth.invalid_credentials"


class UserInactive(DomainError):
    code = "auth.user_inactive"


class WrongCentre(DomainError):
    code = "auth.wrong_centre"


class SessionInvalid(DomainError):
    code = "auth.session_invalid"


class SessionExpired(DomainError):
    code = "auth.session_expired"


class Forbidden(DomainError):
    code = "auth.forbidden"
