"""when a convention was transmitted to the préfet, who signed for each party

Revision ID: b3c1d2e4f5a6
Revises: 090124966560
Create Date: 2026-12-03 14:05:00.000000

A signature may not be dated before the transmission: the moment is kept on the
convention. Conventions already transmitted (or signed) take it from their journal: the
last transition event into « Transmise au préfet » (none found: it stays unknown, and
only the future is refused for their signatures).

Each signature names who signed for the party; those recorded before were recorded by
the signatory's own user or from the paper copy: the recording user's name stands.
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = 'b3c1d2e4f5a6'
down_revision = '090124966560'
branch_labels = None
depends_on = None

_TRANSMITTED = ('transmise', 'signee', 'bilan_2ans', 'bilan_4ans', 'bilan_6ans')


def upgrade() -> None:
    with op.batch_alter_table('convention', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transmitted_at', app.models.UTCDateTime(), nullable=True))

    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('signer', app.models.CleanString(length=200), nullable=False, server_default='')
        )
    signature = sa.table(
        'signature',
        sa.column('recorded_by_id', sa.Integer),
        sa.column('signer', sa.String),
    )
    user_account = sa.table('user_account', sa.column('id', sa.Integer), sa.column('name', sa.String))
    op.execute(
        signature.update().values(
            signer=sa.select(user_account.c.name)
            .where(user_account.c.id == signature.c.recorded_by_id)
            .scalar_subquery()
        )
    )

    convention = sa.table(
        'convention',
        sa.column('id', sa.Integer),
        sa.column('state', sa.String),
        sa.column('transmitted_at', app.models.UTCDateTime()),
    )
    event = sa.table(
        'event',
        sa.column('convention_id', sa.Integer),
        sa.column('action', sa.String),
        sa.column('summary', sa.String),
        sa.column('created_at', app.models.UTCDateTime()),
    )
    last_transmission = (
        sa.select(sa.func.max(event.c.created_at))
        .where(
            event.c.convention_id == convention.c.id,
            event.c.action == 'transition',
            event.c.summary.like('%→ « Transmise au préfet »%'),
        )
        .scalar_subquery()
    )
    op.execute(
        convention.update()
        .where(convention.c.state.in_(_TRANSMITTED))
        .values(transmitted_at=last_transmission)
    )


def downgrade() -> None:
    with op.batch_alter_table('signature', schema=None) as batch_op:
        batch_op.drop_column('signer')
    with op.batch_alter_table('convention', schema=None) as batch_op:
        batch_op.drop_column('transmitted_at')
