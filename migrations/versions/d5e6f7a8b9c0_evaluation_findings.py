"""the two-yearly evaluation: explanations and assessments of shortfalls

Revision ID: d5e6f7a8b9c0
Revises: 1f2e3d4c5b6a
Create Date: 2026-12-04 19:20:00.000000

For each indicator and scope of an evaluation at 2, 4 or 6 years: the organisme's
explanation of a shortfall, then the State's assessment of whether it is the
organisme's doing (circulaire CUS, V). The values stay in indicator_value.
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = 'd5e6f7a8b9c0'
down_revision = '1f2e3d4c5b6a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'evaluation_finding',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('years', sa.Integer(), nullable=False),
        sa.Column('code', app.models.CleanString(length=10), nullable=False),
        sa.Column('scope', app.models.CleanString(length=200), nullable=False),
        sa.Column('explanation', app.models.CleanText(), nullable=False),
        sa.Column('explained_by_id', sa.Integer(), nullable=True),
        sa.Column('explained_at', app.models.UTCDateTime(), nullable=True),
        sa.Column('assessment', app.models.CleanString(length=20), nullable=False),
        sa.Column('assessment_note', app.models.CleanText(), nullable=False),
        sa.Column('assessed_by_id', sa.Integer(), nullable=True),
        sa.Column('assessed_at', app.models.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['assessed_by_id'], ['user_account.id']),
        sa.ForeignKeyConstraint(['convention_id'], ['convention.id']),
        sa.ForeignKeyConstraint(['explained_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('convention_id', 'years', 'code', 'scope', name='uq_evaluation_finding_cell'),
    )
    with op.batch_alter_table('evaluation_finding', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_finding_convention_id'), ['convention_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('evaluation_finding', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_finding_convention_id'))
    op.drop_table('evaluation_finding')
