"""Reader state: the generation of what readers see, for the page cache

Revision ID: 9b7e4d2c1a08
Revises: 8a3f6c1d2e57
Create Date: 2026-11-29 22:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '9b7e4d2c1a08'
down_revision = '8a3f6c1d2e57'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reader_state',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('generation', sa.Integer(), server_default='0', nullable=False),
    sa.CheckConstraint('id = 1', name=op.f('ck_reader_state_single_row')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reader_state'))
    )
    op.execute("INSERT INTO reader_state (id, generation) VALUES (1, 0)")


def downgrade():
    op.drop_table('reader_state')
