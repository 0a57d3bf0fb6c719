"""OAuth2 identities of users.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

SEQUENCE = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
#: Each filterable attribute, indexed behind the project and ending in the sequence.
FILTERABLE = (
    "created_at",
    "provider_access_token_expiry",
    "provider_email",
    "provider",
    "provider_uid",
    "updated_at",
)


def upgrade() -> None:
    op.create_table(
        "identities",
        sa.Column("sequence", SEQUENCE, autoincrement=True, nullable=False),
        sa.Column("project_id", sa.String(length=36), nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_sequence", SEQUENCE, nullable=False),
        sa.Column("provider", sa.String(length=128), nullable=False),
        sa.Column("provider_uid", sa.String(length=2048), nullable=False),
        sa.Column("provider_email", sa.String(length=320), nullable=False),
        sa.Column("provider_access_token", sa.Text(), nullable=False),
        sa.Column("provider_access_token_expiry", sa.DateTime(), nullable=True),
        sa.Column("provider_refresh_token", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_identities_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_sequence"],
            ["users.sequence"],
            name=op.f("fk_identities_user_sequence_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("sequence", name=op.f("pk_identities")),
        sa.UniqueConstraint("project_id", "id", name=op.f("uq_identities_project_id_id")),
        sa.UniqueConstraint(
            "project_id",
            "provider",
            "provider_uid",
            name=op.f("uq_identities_project_id_provider_provider_uid"),
        ),
    )
    with op.batch_alter_table("identities", schema=None) as batch_op:
        for column in FILTERABLE:
            batch_op.create_index(
                batch_op.f(f"ix_identities_project_id_{column}_sequence"),
                ["project_id", column, "sequence"],
                unique=False,
            )
        batch_op.create_index(
            batch_op.f("ix_identities_project_id_sequence"),
            ["project_id", "sequence"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_identities_user_sequence_sequence"),
            ["user_sequence", "sequence"],
            unique=False,
        )


def downgrade() -> None:
    op.drop_table("identities")  # its indexes go with it
