"""Indexes for the paginated lists: progress totals and filters, the queue, newest first

Revision ID: c4e9b2a7d1f3
Revises: 9b7e4d2c1a08
Create Date: 2026-11-30 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'c4e9b2a7d1f3'
down_revision = '9b7e4d2c1a08'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('translations', schema=None) as batch_op:
        batch_op.create_index('ix_translations_language_state',
                              ['language_tag', 'state', 'statement_id'], unique=False)
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_date_id', ['statement_date', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_date_id')
    with op.batch_alter_table('translations', schema=None) as batch_op:
        batch_op.drop_index('ix_translations_language_state')
