"""Domain errors with stable codes.

Every error carries a machine-readable ``code`` (stable across releases, mapped to translated text by
the GUI and printed as-is by the CLI) and, for input errors, the ``field`` it concerns. The English
``str()`` is for logs and developers only and never contains the offending personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from types import MappingProxyType
from typing import Any


class DomainError(Exception):
    """A rule was broken. ``code`` is stable; ``params`` are safe, non-personal details."""

    code: str = "domain.error"

    def __init__(self, message: str = "", *, code: str | None = None, **params: Any) -> None:
        super().__init__(message or self.code)
        if code is not None:
            self.code = code
        self.params: Mapping[str, Any] = MappingProxyType(dict(params))


@dataclass(frozen=True, slots=True)
class FieldError:
    """One problem with one input field, e.g. ``FieldError("applicant.id_number", "cccd.length")``."""

    field: str
    code: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)

    def prefixed(self, prefix: str) -> FieldError:
        return FieldError(f"{prefix}.{self.field}" if prefix else self.field, self.code, self.params)


class ValidationFailed(DomainError):
    """Input was rejected; ``errors`` lists every field at fault, in form order."""

    code = "validation.failed"

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        summary = ", ".join(f"{e.field}: {e.code}" for e in self.errors)
        super().__init__(f"invalid input ({summary})")

    @classmethod
    def single(cls, field_name: str, code: str, **params: Any) -> ValidationFailed:
        return cls([FieldError(field_name, code, params)])

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(e.field for e in self.errors)
