"""Alembic environment: always run with a connection handed in by runcoach.db.engine."""

from alembic import context

from runcoach.db.tables import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through runcoach (runcoach.db.engine.upgrade), not the alembic CLI")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
