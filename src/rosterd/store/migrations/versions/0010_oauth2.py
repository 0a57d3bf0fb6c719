"""OAuth2 sign-in: projects' platforms and providers, sign-ins under way, token providers.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _project() -> sa.Column[str]:
    return sa.Column("project_id", sa.String(length=36), nullable=False)


def _project_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["project_id"],
        ["projects.id"],
        name=op.f(f"fk_{table}_project_id_projects"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "platforms",
        _project(),
        sa.Column("hostname", sa.String(length=256), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _project_key("platforms"),
        sa.PrimaryKeyConstraint("project_id", "hostname", name=op.f("pk_platforms")),
    )
    op.create_table(
        "oauth_providers",
        _project(),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("client_id", sa.String(length=512), nullable=False),
        sa.Column("client_secret", sa.Text(), nullable=False),
        sa.Column("endpoints", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        _project_key("oauth_providers"),
        sa.PrimaryKeyConstraint("project_id", "provider", name=op.f("pk_oauth_providers")),
    )
    op.create_table(
        "oauth_states",
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        _project(),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("success", sa.Text(), nullable=False),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.Column("token", sa.Boolean(), nullable=False),
        sa.Column("scopes", sa.JSON(), nullable=False),
        sa.Column("code_verifier", sa.Text(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("user_sequence", SEQUENCE, nullable=True),
        sa.Column("expire", sa.DateTime(), nullable=False),
        _project_key("oauth_states"),
        sa.ForeignKeyConstraint(
            ["user_sequence"],
            ["users.sequence"],
            name=op.f("fk_oauth_states_user_sequence_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("state_hash", name=op.f("pk_oauth_states")),
    )
    with op.batch_alter_table("oauth_states", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_oauth_states_expire"), ["expire"], unique=False)
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("provider", sa.String(length=64), nullable=False, server_default="")
        )


def downgrade() -> None:
    with op.batch_alter_table("tokens", schema=None) as batch_op:
        batch_op.drop_column("provider")
    op.drop_table("oauth_states")
    op.drop_table("oauth_providers")
    op.drop_table("platforms")
