"""Import every table module so ``Base.metadata`` is complete (for migrations and tests)."""

from counterapp.store import dossier_models, queue_models, reference_models, sync_models
from counterapp.store.base import Base

__all__ = ["Base", "dossier_models", "queue_models", "reference_models", "sync_models"]
