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
    # A plain ADD COLUMN: a batch rebuild of statements on SQLite would drop a table others
    # refer to.
    op.add_column('statements',
                  sa.Column('guidance', sa.Text(), server_default='', nullable=False))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops the column in place: a batch rebuild would drop the statements
        # table, which other tables refer to, and foreign keys are enforced.
        op.execute('ALTER TABLE statements DROP COLUMN guidance')
        return
    op.drop_column('statements', 'guidance')
