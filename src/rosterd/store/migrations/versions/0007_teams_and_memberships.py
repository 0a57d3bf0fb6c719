"""Teams and memberships, with their full-text search indexes.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def _search_statements(table: str) -> tuple[str, ...]:
    """As for users (0001): an FTS5 index over `<table>.search` kept in step by triggers."""
    index = f"{table}_search"
    return (
        f"CREATE VIRTUAL TABLE {index} USING fts5(search, content='{table}', "
        "content_rowid='sequence', tokenize='unicode61 remove_diacritics 0')",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {index}(rowid, search) VALUES (new.sequence, new.search); END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {index}({index}, rowid, search) "
        "VALUES ('delete', old.sequence, old.search); END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF search ON {table} BEGIN "
        f"INSERT INTO {index}({index}, rowid, search) "
        "VALUES ('delete', old.sequence, old.search); "
        f"INSERT INTO {index}(rowid, search) VALUES (new.sequence, new.search); END",
    )


def _postgres_search(table: str) -> str:
    """As for users (0001): a GIN index over the words of `<table>.search`."""
    return (
        f"CREATE INDEX ix_{table}_search ON {table} USING gin "
        "(to_tsvector('simple', regexp_replace(search, '[^[:alnum:]]+', ' ', 'g')))"
    )


SEARCHED = ("teams", "memberships")


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("prefs", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_teams_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_teams")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_teams_project_id_id")),
    )
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_teams_project_id_created_at_sequence"),
            ["project_id", "created_at", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_teams_project_id_name_sequence"),
            ["project_id", "name", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_teams_project_id_total_sequence"),
            ["project_id", "total", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_teams_project_id_updated_at_sequence"),
            ["project_id", "updated_at", "sequence"],
            unique=False,
        )

    op.create_table(
        "memberships",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column(
            "team_sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "user_sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("invited", sa.DateTime(), nullable=False),
        sa.Column("joined", sa.DateTime(), nullable=True),
        sa.Column("confirm", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["team_sequence"],
            ["teams.sequence"],
            name=op.f("fk_memberships_team_sequence_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_sequence"],
            ["users.sequence"],
            name=op.f("fk_memberships_user_sequence_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_memberships")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_memberships_project_id_id")),
        sa.UniqueConstraint(
            "team_sequence",
            "user_sequence",
            name=op.f("uq_memberships_team_sequence_user_sequence"),
        ),
    )
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_memberships_team_sequence_confirm_sequence"),
            ["team_sequence", "confirm", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_team_sequence_created_at_sequence"),
            ["team_sequence", "created_at", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_team_sequence_invited_sequence"),
            ["team_sequence", "invited", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_team_sequence_joined_sequence"),
            ["team_sequence", "joined", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_team_sequence_sequence"),
            ["team_sequence", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_team_sequence_updated_at_sequence"),
            ["team_sequence", "updated_at", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_memberships_user_sequence_sequence"),
            ["user_sequence", "sequence"],
            unique=False,
        )

    op.create_table(
        "membership_roles",
        sa.Column(
            "membership_sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("role", sa.String(length=81), nullable=False),
        sa.ForeignKeyConstraint(
            ["membership_sequence"],
            ["memberships.sequence"],
            name=op.f("fk_membership_roles_membership_sequence_memberships"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("membership_sequence", "role", name=op.f("pk_membership_roles")),
    )
    with op.batch_alter_table("membership_roles", schema=None) as batch_op:
        batch_op.create_index(
            "ix_membership_roles_role_membership_sequence",
            ["role", "membership_sequence"],
            unique=False,
        )

    for table in SEARCHED:
        if op.get_bind().dialect.name == "sqlite":
            for statement in _search_statements(table):
                op.execute(statement)
        else:
            op.execute(_postgres_search(table))


def downgrade() -> None:
    for table in SEARCHED:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"DROP TABLE {table}_search")
        else:
            op.execute(f"DROP INDEX ix_{table}_search")
    with op.batch_alter_table("membership_roles", schema=None) as batch_op:
        batch_op.drop_index("ix_membership_roles_role_membership_sequence")

    op.drop_table("membership_roles")
    with op.batch_alter_table("memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_memberships_user_sequence_sequence"))
        batch_op.drop_index(batch_op.f("ix_memberships_team_sequence_updated_at_sequence"))
        batch_op.drop_index(batch_op.f("ix_memberships_team_sequence_sequence"))
        batch_op.drop_index(batch_op.f("ix_memberships_team_sequence_joined_sequence"))
        batch_op.drop_index(batch_op.f("ix_memberships_team_sequence_invited_sequence"))
        batch_op.drop_index(batch_op.f("ix_memberships_team_sequence_created_at_sequence"))
        batch_op.drop_index(batch_op.f("ix_memberships_team_sequence_confirm_sequence"))

    op.drop_table("memberships")
    with op.batch_alter_table("teams", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_teams_project_id_updated_at_sequence"))
        batch_op.drop_index(batch_op.f("ix_teams_project_id_total_sequence"))
        batch_op.drop_index(batch_op.f("ix_teams_project_id_name_sequence"))
        batch_op.drop_index(batch_op.f("ix_teams_project_id_created_at_sequence"))

    op.drop_table("teams")
