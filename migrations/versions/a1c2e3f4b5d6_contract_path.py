"""the contract's own path: entry into délibérations, yearly follow-up, renewal

Revision ID: a1c2e3f4b5d6
Revises: 5e0b5b498af0
Create Date: 2026-12-07 23:15:00
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = 'a1c2e3f4b5d6'
down_revision = '5e0b5b498af0'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('convention', schema=None) as batch_op:
        # When a contract last entered délibérations: no party signs before.
        batch_op.add_column(sa.Column('deliberations_at', app.models.UTCDateTime(timezone=True), nullable=True))
        # The year of a contract's last yearly follow-up opened.
        batch_op.add_column(sa.Column('followup_year', sa.Integer(), nullable=True))
        # The contract this one renews.
        batch_op.add_column(sa.Column('renews_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_convention_renews_id'), ['renews_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_convention_renews_id_convention'), 'convention', ['renews_id'], ['id'])
    # The contracts (and their avenants) that went through the CUS's stages move to the
    # nearest stage of their own path (workflows/paths.py): the association was part of
    # the negotiation, the text sent to the préfet went in fact to the parties' assemblies,
    # an evaluation is a follow-up.
    contracts = (
        "(kind IN ('contractualisation_cadre', 'convention_application') OR "
        "(kind = 'avenant' AND amends_id IN (SELECT c.id FROM convention c WHERE c.kind IN "
        "('contractualisation_cadre', 'convention_application'))))"
    )
    op.execute(f"UPDATE convention SET state = 'negociation' WHERE state = 'association' AND {contracts}")
    op.execute(
        "UPDATE convention SET state = 'deliberations', deliberations_at = transmitted_at "
        f"WHERE state = 'transmise' AND {contracts}"
    )
    op.execute(
        "UPDATE convention SET state = 'suivi_annuel' "
        f"WHERE state IN ('bilan_2ans', 'bilan_4ans', 'bilan_6ans') AND {contracts}"
    )


def downgrade() -> None:
    with op.batch_alter_table('convention', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_convention_renews_id_convention'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_convention_renews_id'))
        batch_op.drop_column('renews_id')
        batch_op.drop_column('followup_year')
        batch_op.drop_column('deliberations_at')
