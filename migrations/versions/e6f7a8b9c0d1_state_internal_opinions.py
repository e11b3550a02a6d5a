"""the State's internal opinions: its services speak with one voice

Revision ID: e6f7a8b9c0d1
Revises: d5e6f7a8b9c0
Create Date: 2026-12-04 19:40:00.000000

The State's services consulted on a convention give their opinion on their territory's
part, read by the State's services alone; the negotiator gathers them into the State's
one position (circulaire CUS, IV).
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = 'e6f7a8b9c0d1'
down_revision = 'd5e6f7a8b9c0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'state_opinion',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('section_id', sa.Integer(), nullable=True),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('territory', app.models.CleanString(length=200), nullable=False),
        sa.Column('body', app.models.CleanText(), nullable=False),
        sa.Column('created_at', app.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['convention_id'], ['convention.id']),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id']),
        sa.ForeignKeyConstraint(['section_id'], ['section.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('state_opinion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_state_opinion_convention_id'), ['convention_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_state_opinion_section_id'), ['section_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('state_opinion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_state_opinion_section_id'))
        batch_op.drop_index(batch_op.f('ix_state_opinion_convention_id'))
    op.drop_table('state_opinion')
