"""Alembic environment for the counter's local cache. Run by ``database.migrate`` with a connection."""

from alembic import context

from counterapp.store.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
