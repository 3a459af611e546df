"""proposal list indexes end with the id, for keyset (cursor) pagination

A page sought by cursor reads the rows after (sort key, id) in one index range: the id must
be the index's last column, after the consultation, the status and the sort key.

Revision ID: d2f6a8b4c1e9
Revises: b7e3c1a9d402
Create Date: 2026-12-07 08:10:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "d2f6a8b4c1e9"
down_revision = "b7e3c1a9d402"
branch_labels = None
depends_on = None

TABLE = "participation_proposal"


def _replace(name: str, columns: list[str]) -> None:
    op.drop_index(name, table_name=TABLE)
    op.create_index(name, TABLE, columns, unique=False)


def upgrade():
    _replace("ix_participation_proposal_list", ["consultation_id", "status", "created_at", "id"])
    _replace(
        "ix_participation_proposal_supported",
        ["consultation_id", "status", "support_count", "id"],
    )


def downgrade():
    _replace("ix_participation_proposal_list", ["consultation_id", "status", "created_at"])
    _replace("ix_participation_proposal_supported", ["consultation_id", "status", "support_count"])
