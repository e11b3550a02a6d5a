"""the organisme's adoption of the projet, which ends the association

Revision ID: 64d028ba3839
Revises: f7a8b9c0d1e2
Create Date: 2026-12-07 14:45:00.000000

Each adoption of the projet by the organisme's board or directoire, with the
fingerprint of the text adopted and each section's revision then; the latest counts,
the earlier ones stay. A new table only: nothing to carry.
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = '64d028ba3839'
down_revision = 'f7a8b9c0d1e2'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'project_adoption',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('instance', app.models.CleanString(length=40), nullable=False),
        sa.Column('adopted_on', sa.Date(), nullable=False),
        sa.Column('sha256', app.models.CleanString(length=64), nullable=False),
        sa.Column('revisions', sa.JSON(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', app.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['convention_id'], ['convention.id'], name=op.f('fk_project_adoption_convention_id_convention')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_project_adoption_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_project_adoption')),
    )
    with op.batch_alter_table('project_adoption', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_project_adoption_convention_id'), ['convention_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('project_adoption', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_project_adoption_convention_id'))
    op.drop_table('project_adoption')
