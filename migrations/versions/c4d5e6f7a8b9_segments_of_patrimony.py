"""segments of patrimony: name, département, dwellings

Revision ID: c4d5e6f7a8b9
Revises: 95815e153501
Create Date: 2026-12-04 19:10:00.000000

The engagements page warns of a segment too large or holding all of the organisme's
stock in a département (workflows/segments.py): each segment needs its département and
its number of dwellings.
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = 'c4d5e6f7a8b9'
down_revision = '95815e153501'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('patrimony_segment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('convention_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('departement', sa.String(length=3), nullable=False),
    sa.Column('dwellings', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['convention_id'], ['convention.id'], name=op.f('fk_patrimony_segment_convention_id_convention'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_patrimony_segment_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patrimony_segment')),
    sa.UniqueConstraint('convention_id', 'name', name='uq_patrimony_segment_name')
    )
    with op.batch_alter_table('patrimony_segment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patrimony_segment_convention_id'), ['convention_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('patrimony_segment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_patrimony_segment_convention_id'))
    op.drop_table('patrimony_segment')
