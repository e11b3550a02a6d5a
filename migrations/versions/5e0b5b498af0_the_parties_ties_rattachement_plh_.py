"""the parties ties: rattachement, PLH, territories, housing

Revision ID: 5e0b5b498af0
Revises: 30289a130e4b
Create Date: 2026-12-07 22:52:30.162475

An office's collectivité de rattachement and an EPCI's or EPT's enforceable PLH on the
organisation; the places organisations cover (organisation_territory) and where an
organisme owns housing (organisme_patrimoine): workflows.ties reads them to propose who
must take part in a CUS.
"""

from alembic import op
import sqlalchemy as sa
import app.models


revision = '5e0b5b498af0'
down_revision = '30289a130e4b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('organisation_territory',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('departement', 'epci', 'commune', name='territory_level', native_enum=False, length=40), nullable=False),
    sa.Column('code', app.models.CleanString(length=9), nullable=False),
    sa.Column('name', app.models.CleanString(length=200), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_organisation_territory_organisation_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation_territory')),
    sa.UniqueConstraint('organisation_id', 'level', 'code', name='uq_organisation_territory')
    )
    with op.batch_alter_table('organisation_territory', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_territory_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('organisme_patrimoine',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisme_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Enum('departement', 'epci', 'commune', name='territory_level', native_enum=False, length=40), nullable=False),
    sa.Column('code', app.models.CleanString(length=9), nullable=False),
    sa.Column('name', app.models.CleanString(length=200), nullable=False),
    sa.Column('logements', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['organisme_id'], ['organisation.id'], name=op.f('fk_organisme_patrimoine_organisme_id_organisation')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisme_patrimoine')),
    sa.UniqueConstraint('organisme_id', 'level', 'code', name='uq_organisme_patrimoine')
    )
    with op.batch_alter_table('organisme_patrimoine', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisme_patrimoine_organisme_id'), ['organisme_id'], unique=False)

    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rattachement_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('plh_executoire', sa.Boolean(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_organisation_rattachement_id_organisation'), 'organisation', ['rattachement_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_organisation_rattachement_id_organisation'), type_='foreignkey')
        batch_op.drop_column('plh_executoire')
        batch_op.drop_column('rattachement_id')

    with op.batch_alter_table('organisme_patrimoine', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisme_patrimoine_organisme_id'))

    op.drop_table('organisme_patrimoine')
    with op.batch_alter_table('organisation_territory', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_territory_organisation_id'))

    op.drop_table('organisation_territory')
