"""Sessions, and the counters behind abuse limits.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=512), nullable=False),
        sa.Column("window", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", "window", name=op.f("pk_rate_limits")),
    )
    op.create_table(
        "sessions",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "user_sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("expire", sa.DateTime(), nullable=False),
        sa.Column("provider", sa.String(length=128), nullable=False),
        sa.Column("provider_uid", sa.String(length=2048), nullable=False),
        sa.Column("provider_access_token", sa.Text(), nullable=False),
        sa.Column("provider_access_token_expiry", sa.DateTime(), nullable=True),
        sa.Column("provider_refresh_token", sa.Text(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("user_agent", sa.Text(), nullable=False),
        sa.Column("device", sa.JSON(), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("factors", sa.JSON(), nullable=False),
        sa.Column("mfa_updated_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_sequence"],
            ["users.sequence"],
            name=op.f("fk_sessions_user_sequence_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_sessions")),
        sa.UniqueConstraint("id", name=op.f("uq_sessions_id")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index("ix_sessions_secret_hash", ["secret_hash"], unique=False)
        batch_op.create_index(
            "ix_sessions_user_sequence_sequence", ["user_sequence", "sequence"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_user_sequence_sequence")
        batch_op.drop_index("ix_sessions_secret_hash")

    op.drop_table("sessions")
    op.drop_table("rate_limits")
