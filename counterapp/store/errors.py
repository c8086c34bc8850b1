"""Errors of the local cache that callers handle (kept free of SQLAlchemy so the CLI starts fast)."""

from counterapp.domain.errors import DomainError


class DeviceNotInitialised(DomainError):
    """The data directory has no device identity yet (``counterapp init``)."""

    code = "device.not_initialised"


class DataDirectoryTooNew(DomainError):
    """The data directory's schema is newer than this build's migrations know: it was written by a newer
    counterapp. Opening it could lose data, so nothing touches it; ``str()`` is the one line to show."""

    code = "store.data_dir_too_new"

    def __init__(self, schema: str, need: str | None) -> None:
        number = int(schema) if schema.isdigit() else schema
        wanted = f"install version ≥ {need}" if need else "install the newer version again"
        super().__init__(
            f"this data directory was written by a newer counterapp (schema {number}); {wanted}",
            schema=schema,
            need=need,
        )
        self.schema, self.need = schema, need
