"""Users in their default order: an index on (project_id, sequence), so that a list
without filters, and a cursor page anywhere in it, reads only the rows it returns
instead of sorting the project's users.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index("ix_users_project_id_sequence", ["project_id", "sequence"])


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index("ix_users_project_id_sequence")
