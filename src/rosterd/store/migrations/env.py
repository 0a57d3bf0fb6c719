"""Alembic environment: runs on the connection that `Database.migrate()` passes in."""

from __future__ import annotations

from alembic import context

from rosterd.store.tables import metadata


def described(name: str | None, _kind: str, _parent: object) -> bool:
    """Full-text structures exist only in the migrations; autogenerate leaves them alone."""
    indexes = ("users_search", "teams_search", "memberships_search")
    return not (name or "").startswith(indexes + tuple("ix_" + index for index in indexes))


connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=True,
    include_name=described,
)
with context.begin_transaction():
    context.run_migrations()
