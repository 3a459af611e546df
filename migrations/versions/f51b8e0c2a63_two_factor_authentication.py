"""two-factor authentication: TOTP secret, recovery codes, obligation for admins

Revision ID: f51b8e0c2a63
Revises: c7da72249aaa
Create Date: 2026-12-07 05:15:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f51b8e0c2a63"
down_revision = "c7da72249aaa"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (not batch mode): on SQLite a batch would rebuild these tables, which
    # fails on a populated database because other tables point at them.
    op.add_column("user_account", sa.Column("totp_secret", sa.String(length=64), nullable=True))
    op.add_column(
        "user_account", sa.Column("totp_enabled_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.add_column("user_account", sa.Column("totp_last_step", sa.BigInteger(), nullable=True))
    op.add_column(
        "organisation",
        sa.Column(
            "admins_need_two_factor", sa.Boolean(), server_default=sa.false(), nullable=False
        ),
    )
    op.create_table(
        "auth_recovery_code",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_auth_recovery_code_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_recovery_code")),
    )
    with op.batch_alter_table("auth_recovery_code", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_auth_recovery_code_user_id"), ["user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("auth_recovery_code", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auth_recovery_code_user_id"))
    op.drop_table("auth_recovery_code")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL) rather than a batch rebuild,
    # which fails on a populated SQLite database (see upgrade).
    op.execute("ALTER TABLE organisation DROP COLUMN admins_need_two_factor")
    for column in ("totp_last_step", "totp_enabled_at", "totp_secret"):
        op.execute(f"ALTER TABLE user_account DROP COLUMN {column}")
