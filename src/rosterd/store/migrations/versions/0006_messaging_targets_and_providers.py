"""Messaging targets of users, and the providers they may name.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "providers",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("provider", sa.String(length=32), nullable=False),
        sa.Column("type", sa.String(length=8), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_providers_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_providers")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_providers_project_id_id")),
    )
    op.create_table(
        "targets",
        sa.Column(
            "sequence",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column(
            "user_sequence", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("name", sa.String(length=128), nullable=True),
        sa.Column("provider_id", sa.String(length=36), nullable=True),
        sa.Column("provider_type", sa.String(length=8), nullable=False),
        sa.Column("identifier", sa.String(length=255), nullable=False),
        sa.Column("expired", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_sequence"],
            ["users.sequence"],
            name=op.f("fk_targets_user_sequence_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_targets")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_targets_project_id_id")),
        sa.UniqueConstraint(
            "project_id", "identifier", name=op.f("uq_targets_project_id_identifier")
        ),
    )
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.create_index(
            "ix_targets_user_sequence_sequence", ["user_sequence", "sequence"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("targets", schema=None) as batch_op:
        batch_op.drop_index("ix_targets_user_sequence_sequence")

    op.drop_table("targets")
    op.drop_table("providers")
