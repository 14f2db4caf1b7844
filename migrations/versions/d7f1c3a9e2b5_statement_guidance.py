"""Guidance for translators on each statement

Revision ID: d7f1c3a9e2b5
Revises: e5a8c3d1f7b2
Create Date: 2026-11-30 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'd7f1c3a9e2b5'
down_revision = 'e5a8c3d1f7b2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guidance', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_column('guidance')
