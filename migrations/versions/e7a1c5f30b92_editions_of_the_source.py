"""Editions know whether they are the source text: listings show untranslated statements

Revision ID: e7a1c5f30b92
Revises: d7f1c3a9e2b5
Create Date: 2026-11-30 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'e7a1c5f30b92'
down_revision = 'd7f1c3a9e2b5'
branch_labels = None
depends_on = None

FILL_IS_SOURCE = """
UPDATE editions SET is_source = (language_tag = (
  SELECT s.source_language_tag FROM statements s WHERE s.id = editions.statement_id))
"""


def upgrade():
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_source', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.execute(FILL_IS_SOURCE)
    op.create_index('ix_editions_sources', 'editions',
                    ['is_source', 'statement_date', 'visible_from', 'statement_id'],
                    unique=False,
                    postgresql_include=['visible_until', 'statement_from', 'publication_id'])


def downgrade():
    op.drop_index('ix_editions_sources', table_name='editions')
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_column('is_source')
