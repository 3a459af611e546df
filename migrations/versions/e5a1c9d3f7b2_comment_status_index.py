"""comments indexed by status, for the moderation queue and the menu's badge

Counting the comments awaiting moderation scanned every comment of the EPCI (20,000 at metro
scale) through the (proposal, status) index; with (status, proposal) it reads the pending ones.

The two tables are analysed again afterwards: the proposal list indexes were recreated by the
previous revision, which dropped their statistics, and without them SQLite counted the pending
comments by walking every proposal (17 ms instead of 0.1 ms at metro scale).

Revision ID: e5a1c9d3f7b2
Revises: d2f6a8b4c1e9
Create Date: 2026-12-07 08:20:00.000000

"""

from alembic import op

# revision identifiers, used by Alembic.
revision = "e5a1c9d3f7b2"
down_revision = "d2f6a8b4c1e9"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_participation_comment_status",
        "participation_comment",
        ["status", "proposal_id"],
        unique=False,
    )
    for table in ("participation_proposal", "participation_comment"):
        op.execute(f"ANALYZE {table}")


def downgrade():
    op.drop_index("ix_participation_comment_status", table_name="participation_comment")
