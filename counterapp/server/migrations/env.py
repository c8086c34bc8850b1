"""Alembic environment for the server's database. Run by ``counterapp.server.schema.migrate`` with a
connection (``config.attributes["connection"]``); works on PostgreSQL and SQLite (batch mode)."""

from alembic import context

from counterapp.server.models import Base

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
