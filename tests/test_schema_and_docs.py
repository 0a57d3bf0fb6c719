"""The migrations create exactly the tables the code describes; docs match the code."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from rosterd.settings import configuration_markdown
from rosterd.store.database import Database
from rosterd.store.tables import metadata

ROOT = Path(__file__).resolve().parent.parent


def _ours(name: str | None, kind: str, _parent: object) -> bool:
    return not (kind == "table" and name is not None and name.startswith("users_search"))


def test_migrations_match_tables(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'schema.db'}")
    database.migrate()
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_name": _ours})
        assert compare_metadata(context, metadata) == []
    database.dispose()


def test_configuration_doc_is_generated() -> None:
    assert (ROOT / "docs" / "configuration.md").read_text() == configuration_markdown()
