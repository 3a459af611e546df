"""organisation branding: the name shown, the logo and the accent colour

Revision ID: b7e3c1a9d402
Revises: f51b8e0c2a63
Create Date: 2026-12-07 05:35:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b7e3c1a9d402"
down_revision = "f51b8e0c2a63"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organisation_branding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("logo_id", sa.Integer(), nullable=True),
        sa.Column("accent_colour", sa.String(length=7), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["logo_id"],
            ["stored_file.id"],
            name=op.f("fk_organisation_branding_logo_id_stored_file"),
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_organisation_branding_organisation_id_organisation"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation_branding")),
        sa.UniqueConstraint(
            "organisation_id", name=op.f("uq_organisation_branding_organisation_id")
        ),
    )


def downgrade():
    op.drop_table("organisation_branding")
