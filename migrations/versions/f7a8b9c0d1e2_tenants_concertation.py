"""the concertation with the tenants' representatives on the classement des immeubles

Revision ID: f7a8b9c0d1e2
Revises: 54a075a44176
Create Date: 2026-12-04 20:10:00.000000

Recorded in the register of the association: its date, its participants by kind, or
the "formalité impossible" with its reason (circulaire CUS, IV).
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = 'f7a8b9c0d1e2'
down_revision = '54a075a44176'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'tenant_concertation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.Date(), nullable=False),
        sa.Column('subject', app.models.CleanString(length=200), nullable=False),
        sa.Column('participants', sa.JSON(), nullable=False),
        sa.Column('impossible', sa.Boolean(), nullable=False),
        sa.Column('reason', app.models.CleanText(), nullable=False),
        sa.Column('minutes', app.models.CleanText(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', app.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['convention_id'], ['convention.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('tenant_concertation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tenant_concertation_convention_id'), ['convention_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('tenant_concertation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tenant_concertation_convention_id'))
    op.drop_table('tenant_concertation')
