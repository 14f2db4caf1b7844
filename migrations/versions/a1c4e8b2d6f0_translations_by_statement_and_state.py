"""Index translations by statement and state: a page of statements' published ones

Revision ID: a1c4e8b2d6f0
Revises: f3b8d6a2c415
Create Date: 2026-11-30 04:30:00.000000

"""
from alembic import op


revision = 'a1c4e8b2d6f0'
down_revision = 'f3b8d6a2c415'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_translations_statement_state', 'translations',
                    ['statement_id', 'state'], unique=False)


def downgrade():
    op.drop_index('ix_translations_statement_state', table_name='translations')
