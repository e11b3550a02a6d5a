"""the préfet de département's proposal of signature to the préfet de région

Revision ID: 9d41c7e2b5a3
Revises: 64d028ba3839
Create Date: 2026-12-07 14:45:00.000000

The préfet de région signs a CUS for the State on the proposal of the préfet de
département (circulaire CUS, IV): its date, who proposed and a note, recorded after
the transmission; the State's signature waits for it.
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = '9d41c7e2b5a3'
down_revision = '64d028ba3839'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signature_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('convention_id', sa.Integer(), nullable=False),
        sa.Column('proposed_on', sa.Date(), nullable=False),
        sa.Column('proposer', app.models.CleanString(length=200), nullable=False),
        sa.Column('note', app.models.CleanText(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('by_state', sa.Boolean(), nullable=False),
        sa.Column('created_at', app.models.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['convention_id'], ['convention.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user_account.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('signature_proposal', schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f('ix_signature_proposal_convention_id'), ['convention_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('signature_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signature_proposal_convention_id'))
    op.drop_table('signature_proposal')
