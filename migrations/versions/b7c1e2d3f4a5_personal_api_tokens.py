"""personal API tokens

Revision ID: b7c1e2d3f4a5
Revises: 73a6d8e17495
Create Date: 2026-12-07 04:40:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7c1e2d3f4a5"
down_revision = "73a6d8e17495"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "opendata_api_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_opendata_api_token_user_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_opendata_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_opendata_api_token_token_hash")),
    )
    with op.batch_alter_table("opendata_api_token", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_opendata_api_token_user_id"), ["user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("opendata_api_token", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_opendata_api_token_user_id"))
    op.drop_table("opendata_api_token")
