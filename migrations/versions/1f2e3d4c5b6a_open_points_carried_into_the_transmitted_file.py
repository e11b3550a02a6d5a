"""open points (reserves, disagreements, discussions) carried into the transmitted file

Revision ID: 1f2e3d4c5b6a
Revises: b3c1d2e4f5a6
Create Date: 2026-12-04 19:10:00.000000

A disagreement cannot stop the transmission to the préfet: the organisme carries each
reserve, disagreement or open discussion into the transmitted file with a note. Nothing
existing is carried: conventions already transmitted were sent under the former rule.
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = '1f2e3d4c5b6a'
down_revision = 'b3c1d2e4f5a6'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'carried_point',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('position_id', sa.Integer(), nullable=True),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('note', app.models.CleanText(), nullable=False),
        sa.Column('carried_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', app.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['carried_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['convention_id'], ['convention.id']),
        sa.ForeignKeyConstraint(['position_id'], ['review_position.id']),
        sa.ForeignKeyConstraint(['thread_id'], ['comment_thread.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('position_id'),
        sa.UniqueConstraint('thread_id'),
    )
    with op.batch_alter_table('carried_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_carried_point_convention_id'), ['convention_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('carried_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_carried_point_convention_id'))
    op.drop_table('carried_point')
