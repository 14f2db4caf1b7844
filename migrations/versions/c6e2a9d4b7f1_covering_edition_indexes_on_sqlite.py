"""Edition indexes cover what readers see on SQLite too: counting reads the index only

Revision ID: c6e2a9d4b7f1
Revises: a1c4e8b2d6f0
Create Date: 2026-11-30 05:00:00.000000

"""
from alembic import op


revision = 'c6e2a9d4b7f1'
down_revision = 'a1c4e8b2d6f0'
branch_labels = None
depends_on = None

KEYS = {'ix_editions_listing': ['language_tag', 'statement_date', 'visible_from',
                                'statement_id'],
        'ix_editions_sources': ['is_source', 'statement_date', 'visible_from', 'statement_id']}
# Once PostgreSQL-only INCLUDE columns, now trailing key columns, which SQLite has too.
COVERED = ['visible_until', 'statement_from', 'publication_id']


# A statement's edition in one language, covering too: otherwise SQLite, without
# statistics, prefers a covering listing index that only knows the language.
STATEMENT_KEYS = ['statement_id', 'language_tag', 'visible_from']
STATEMENT_COVERED = ['visible_until', 'statement_from']


def upgrade():
    for name, keys in KEYS.items():
        op.drop_index(name, table_name='editions')
        op.create_index(name, 'editions', keys + COVERED, unique=False)
    op.drop_index('ix_editions_statement', table_name='editions')
    op.create_index('ix_editions_statement', 'editions', STATEMENT_KEYS + STATEMENT_COVERED,
                    unique=False)


def downgrade():
    op.drop_index('ix_editions_statement', table_name='editions')
    op.create_index('ix_editions_statement', 'editions', STATEMENT_KEYS, unique=False)
    for name, keys in KEYS.items():
        op.drop_index(name, table_name='editions')
        op.create_index(name, 'editions', keys, unique=False, postgresql_include=COVERED)
