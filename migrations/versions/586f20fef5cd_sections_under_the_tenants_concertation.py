"""the sections under the concertation with the tenants' representatives

Revision ID: 586f20fef5cd
Revises: 9d41c7e2b5a3
Create Date: 2026-12-07 14:45:00.000000

The tenants' representatives propose and comment on the sections under concertation
only. The law requires it for the classement des immeubles (circulaire CUS, IV): the
existing CUS sections of that title are marked; the organisme widens the scope itself.
"""

from alembic import op
import sqlalchemy as sa


revision = '586f20fef5cd'
down_revision = '9d41c7e2b5a3'
branch_labels = None
depends_on = None

# workflows.conventions.STANDARD_SECTIONS, as it stood when this migration was written.
_CONCERTATION_TITLE = 'Classement des immeubles'


def upgrade() -> None:
    with op.batch_alter_table('section', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('concertation', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    section = sa.table(
        'section',
        sa.column('convention_id', sa.Integer),
        sa.column('title', sa.String),
        sa.column('concertation', sa.Boolean),
    )
    convention = sa.table('convention', sa.column('id', sa.Integer), sa.column('kind', sa.String))
    cus = sa.select(convention.c.id).where(convention.c.kind == 'cus')
    op.execute(
        section.update()
        .where(section.c.title == _CONCERTATION_TITLE, section.c.convention_id.in_(cus))
        .values(concertation=True)
    )


def downgrade() -> None:
    with op.batch_alter_table('section', schema=None) as batch_op:
        batch_op.drop_column('concertation')
