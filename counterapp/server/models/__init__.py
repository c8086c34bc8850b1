"""The server's tables. Import every module here so ``Base.metadata`` is complete for Alembic."""

from counterapp.server.models import auth, numbers, org, queue, sync
from counterapp.server.models.base import Base

__all__ = ["Base", "auth", "numbers", "org", "queue", "sync"]
