"""Users core: projects, API keys, users, labels and the SQLite search index.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

# GIN index over the words of users.search; rosterd.store.search queries the same expression.
POSTGRES_SEARCH = (
    "CREATE INDEX ix_users_search ON users USING gin "
    "(to_tsvector('simple', regexp_replace(search, '[^[:alnum:]]+', ' ', 'g')))"
)

# FTS5 index kept in step with users.search by triggers (external content table).
SQLITE_SEARCH = (
    "CREATE VIRTUAL TABLE users_search USING fts5("
    "search, content='users', content_rowid='sequence', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN "
    "INSERT INTO users_search(rowid, search) VALUES (new.sequence, new.search); END",
    "CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN "
    "INSERT INTO users_search(users_search, rowid, search) "
    "VALUES ('delete', old.sequence, old.search); END",
    "CREATE TRIGGER users_search_update AFTER UPDATE OF search ON users BEGIN "
    "INSERT INTO users_search(users_search, rowid, search) "
    "VALUES ('delete', old.sequence, old.search); "
    "INSERT INTO users_search(rowid, search) VALUES (new.sequence, new.search); END",
)


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("expire", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_api_keys_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("secret_hash", name=op.f("uq_api_keys_secret_hash")),
    )
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_api_keys_project_id"), ["project_id"], unique=False)

    op.create_table(
        "users",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True),
        sa.Column("password", sa.Text(), nullable=True),
        sa.Column("hash", sa.String(length=16), nullable=True),
        sa.Column("hash_options", sa.JSON(), nullable=True),
        sa.Column("password_update", sa.DateTime(), nullable=True),
        sa.Column("password_history", sa.JSON(), nullable=False),
        sa.Column("registration", sa.DateTime(), nullable=False),
        sa.Column("status", sa.Boolean(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("email_verification", sa.Boolean(), nullable=False),
        sa.Column("phone_verification", sa.Boolean(), nullable=False),
        sa.Column("email_canonical", sa.String(length=320), nullable=True),
        sa.Column("email_is_free", sa.Boolean(), nullable=True),
        sa.Column("email_is_disposable", sa.Boolean(), nullable=True),
        sa.Column("email_is_corporate", sa.Boolean(), nullable=True),
        sa.Column("email_is_canonical", sa.Boolean(), nullable=True),
        sa.Column("mfa", sa.Boolean(), nullable=False),
        sa.Column("prefs", sa.JSON(), nullable=False),
        sa.Column("accessed_at", sa.DateTime(), nullable=True),
        sa.Column("impersonator", sa.Boolean(), nullable=False),
        sa.Column("reset", sa.Boolean(), nullable=False),
        sa.Column("search", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_users_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_users")),
        sa.UniqueConstraint("project_id", "email", name=op.f("uq_users_project_id_email")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_users_project_id_id")),
        sa.UniqueConstraint("project_id", "phone", name=op.f("uq_users_project_id_phone")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_users_project_id_accessed_at_sequence"),
            ["project_id", "accessed_at", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_created_at_sequence"),
            ["project_id", "created_at", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_email_sequence"),
            ["project_id", "email", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_email_verification_sequence"),
            ["project_id", "email_verification", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_impersonator_sequence"),
            ["project_id", "impersonator", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_name_sequence"),
            ["project_id", "name", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_password_update_sequence"),
            ["project_id", "password_update", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_phone_sequence"),
            ["project_id", "phone", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_phone_verification_sequence"),
            ["project_id", "phone_verification", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_registration_sequence"),
            ["project_id", "registration", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_status_sequence"),
            ["project_id", "status", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_users_project_id_updated_at_sequence"),
            ["project_id", "updated_at", "sequence"],
            unique=False,
        )

    op.create_table(
        "user_labels",
        sa.Column(
            "user_sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("label", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_sequence"],
            ["users.sequence"],
            name=op.f("fk_user_labels_user_sequence_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_sequence", "label", name=op.f("pk_user_labels")),
    )
    with op.batch_alter_table("user_labels", schema=None) as batch_op:
        batch_op.create_index(
            "ix_user_labels_label_user_sequence", ["label", "user_sequence"], unique=False
        )

    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    else:
        op.execute(POSTGRES_SEARCH)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE users_search")
    else:
        op.execute("DROP INDEX ix_users_search")
    with op.batch_alter_table("user_labels", schema=None) as batch_op:
        batch_op.drop_index("ix_user_labels_label_user_sequence")

    op.drop_table("user_labels")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_project_id_updated_at_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_status_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_registration_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_phone_verification_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_phone_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_password_update_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_name_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_impersonator_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_email_verification_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_email_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_created_at_sequence"))
        batch_op.drop_index(batch_op.f("ix_users_project_id_accessed_at_sequence"))

    op.drop_table("users")
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_api_keys_project_id"))

    op.drop_table("api_keys")
    op.drop_table("projects")
