"""Editions: what readers see, indexed; stored search vectors on PostgreSQL

Revision ID: 8a3f6c1d2e57
Revises: 5e1d2a7c9b40
Create Date: 2026-11-29 22:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '8a3f6c1d2e57'
down_revision = '5e1d2a7c9b40'
branch_labels = None
depends_on = None

# portal.reader.search.POSTGRESQL_CONFIGS, as SQL.
SEARCH_CONFIG_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_search_config(tag text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE split_part(lower(tag), '-', 1)
    WHEN 'ar' THEN 'arabic' WHEN 'ca' THEN 'catalan' WHEN 'da' THEN 'danish'
    WHEN 'de' THEN 'german' WHEN 'el' THEN 'greek' WHEN 'en' THEN 'english'
    WHEN 'es' THEN 'spanish' WHEN 'eu' THEN 'basque' WHEN 'fi' THEN 'finnish'
    WHEN 'fr' THEN 'french' WHEN 'ga' THEN 'irish' WHEN 'hi' THEN 'hindi'
    WHEN 'hu' THEN 'hungarian' WHEN 'hy' THEN 'armenian' WHEN 'id' THEN 'indonesian'
    WHEN 'it' THEN 'italian' WHEN 'lt' THEN 'lithuanian' WHEN 'nb' THEN 'norwegian'
    WHEN 'ne' THEN 'nepali' WHEN 'nl' THEN 'dutch' WHEN 'no' THEN 'norwegian'
    WHEN 'pt' THEN 'portuguese' WHEN 'ro' THEN 'romanian' WHEN 'ru' THEN 'russian'
    WHEN 'sr' THEN 'serbian' WHEN 'sv' THEN 'swedish' WHEN 'ta' THEN 'tamil'
    WHEN 'tr' THEN 'turkish' WHEN 'yi' THEN 'yiddish' ELSE 'simple' END)::regconfig
$$
"""

# portal.visibility.refresh_editions, for the publications that exist already.
FILL_EDITIONS = """
INSERT INTO editions (publication_id, statement_id, language_tag, statement_date,
                      source_revision_id, visible_from, visible_until)
SELECT p.id, p.statement_id, p.language_tag, s.statement_date, p.source_revision_id,
       r.release_at,
       lead(r.release_at) OVER (PARTITION BY p.statement_id, p.language_tag
                                ORDER BY r.release_at, p.id)
FROM publications p
JOIN releases r ON r.id = p.release_id
JOIN statements s ON s.id = p.statement_id
WHERE p.withdrawn_at IS NULL
"""
FILL_STATEMENT_FROM = """
UPDATE editions SET statement_from = (
  SELECT min(source.visible_from) FROM editions source
  JOIN statements s ON s.id = source.statement_id
  WHERE source.statement_id = editions.statement_id
    AND source.language_tag = s.source_language_tag)
"""


def upgrade():
    op.create_table('editions',
    sa.Column('publication_id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=False),
    sa.Column('language_tag', sa.String(length=35), nullable=False),
    sa.Column('statement_date', sa.Date(), nullable=False),
    sa.Column('source_revision_id', sa.Integer(), nullable=False),
    sa.Column('visible_from', sa.DateTime(), nullable=False),
    sa.Column('visible_until', sa.DateTime(), nullable=True),
    sa.Column('statement_from', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['language_tag'], ['languages.tag'], name=op.f('fk_editions_language_tag_languages')),
    sa.ForeignKeyConstraint(['publication_id'], ['publications.id'], name=op.f('fk_editions_publication_id_publications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_revision_id'], ['source_revisions.id'], name=op.f('fk_editions_source_revision_id_source_revisions')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_editions_statement_id_statements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('publication_id', name=op.f('pk_editions'))
    )
    op.create_index('ix_editions_listing', 'editions',
                    ['language_tag', 'statement_date', 'visible_from', 'statement_id'],
                    unique=False,
                    postgresql_include=['visible_until', 'statement_from', 'publication_id'])
    # Covering for FILL_STATEMENT_FROM's subquery: without it SQLite (no statistics yet)
    # scans every edition of the source language per edition, quadratic in the archive.
    # d5f8a1c3e7b9 brings databases migrated before this index was widened up to date.
    op.create_index('ix_editions_statement', 'editions',
                    ['statement_id', 'language_tag', 'visible_from'], unique=False)
    op.execute(FILL_EDITIONS)
    op.execute(FILL_STATEMENT_FROM)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(SEARCH_CONFIG_FUNCTION)
        op.execute("ALTER TABLE publications ADD COLUMN search_vector tsvector GENERATED "
                   "ALWAYS AS (to_tsvector(portal_search_config(language_tag), "
                   "title || ' ' || summary || ' ' || body)) STORED")
        op.execute("CREATE INDEX ix_publications_search_vector ON publications "
                   "USING gin (search_vector)")


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP INDEX ix_publications_search_vector")
        op.execute("ALTER TABLE publications DROP COLUMN search_vector")
        op.execute("DROP FUNCTION portal_search_config(text)")
    op.drop_index('ix_editions_statement', table_name='editions')
    op.drop_index('ix_editions_listing', table_name='editions')
    op.drop_table('editions')
