"""the deliberations of the parties' assemblies on a convention

Revision ID: 30289a130e4b
Revises: 586f20fef5cd
Create Date: 2026-12-07 23:00:00.000000

Each party's assembly deliberating on the convention (the organisme's board, a
collectivité's council): instance, day, decision, the fingerprint of the text it had
before it, who recorded it. A new table only: nothing to carry.
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = '30289a130e4b'
down_revision = '586f20fef5cd'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'deliberation',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('organisation_id', sa.Integer(), nullable=False),
        sa.Column('party', app.models.CleanString(length=200), nullable=False),
        sa.Column('instance', app.models.CleanString(length=40), nullable=False),
        sa.Column('decided_on', sa.Date(), nullable=False),
        sa.Column('decision', app.models.CleanString(length=20), nullable=False),
        sa.Column('note', app.models.CleanText(), nullable=False),
        sa.Column('sha256', app.models.CleanString(length=64), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('created_at', app.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['convention_id'], ['convention.id'], name=op.f('fk_deliberation_convention_id_convention')),
        sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_deliberation_organisation_id_organisation')),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id'], name=op.f('fk_deliberation_recorded_by_id_user_account')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deliberation')),
    )
    with op.batch_alter_table('deliberation', schema=None) as batch_op:
        batch_op.create_index('ix_deliberation_party', ['convention_id', 'organisation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('deliberation', schema=None) as batch_op:
        batch_op.drop_index('ix_deliberation_party')
    op.drop_table('deliberation')
