"""Indexes: a version's reviews, and a statement's editions covering their release time

Revision ID: d5f8a1c3e7b9
Revises: c4e9b2a7d1f3
Create Date: 2026-11-30 01:00:00.000000

"""
from alembic import op


revision = 'd5f8a1c3e7b9'
down_revision = 'c4e9b2a7d1f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index('ix_reviews_version', ['version_id', 'id'], unique=False)
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_index('ix_editions_statement')
        batch_op.create_index('ix_editions_statement',
                              ['statement_id', 'language_tag', 'visible_from'], unique=False)


def downgrade():
    with op.batch_alter_table('editions', schema=None) as batch_op:
        batch_op.drop_index('ix_editions_statement')
        batch_op.create_index('ix_editions_statement', ['statement_id', 'language_tag'],
                              unique=False)
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_reviews_version')
