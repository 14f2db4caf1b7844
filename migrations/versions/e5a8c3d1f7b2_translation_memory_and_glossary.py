"""Translation memory, glossary, and machine-suggestion marks on drafts and versions

Revision ID: e5a8c3d1f7b2
Revises: d3f8a61c0b27
Create Date: 2026-11-30 01:00:00.000000

The memory is filled from every version a reviewer approved (approved and published work
alike), the newest origin winning when the same pair of texts was approved twice.
"""
from alembic import op
import sqlalchemy as sa


revision = 'e5a8c3d1f7b2'
down_revision = 'd3f8a61c0b27'
branch_labels = None
depends_on = None

APPROVED_SEGMENTS = """
SELECT v.id AS version_id, t.statement_id, s.source_language_tag, t.language_tag,
       src.text AS source_text, vs.text AS target_text
FROM versions v
JOIN translations t ON t.id = v.translation_id
JOIN statements s ON s.id = t.statement_id
JOIN version_segments vs ON vs.version_id = v.id
JOIN source_segments src ON src.revision_id = v.source_revision_id
                        AND src.position = vs.position
WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.version_id = v.id AND r.decision = 'approved')
  AND s.source_language_tag = :source AND t.language_tag = :target
ORDER BY v.id, vs.position
"""
APPROVED_PAIRS = """
SELECT DISTINCT s.source_language_tag, t.language_tag
FROM versions v
JOIN translations t ON t.id = v.translation_id
JOIN statements s ON s.id = t.statement_id
WHERE EXISTS (SELECT 1 FROM reviews r WHERE r.version_id = v.id AND r.decision = 'approved')
"""


def upgrade():
    op.create_table('memory_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_language_tag', sa.String(length=35), nullable=False),
    sa.Column('target_language_tag', sa.String(length=35), nullable=False),
    sa.Column('source_key', sa.String(length=32), nullable=False),
    sa.Column('target_key', sa.String(length=32), nullable=False),
    sa.Column('source_length', sa.Integer(), nullable=False),
    sa.Column('source_text', sa.Text(), nullable=False),
    sa.Column('target_text', sa.Text(), nullable=False),
    sa.Column('statement_id', sa.Integer(), nullable=True),
    sa.Column('version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('source_length > 0', name=op.f('ck_memory_entries_source_not_empty')),
    sa.ForeignKeyConstraint(['source_language_tag'], ['languages.tag'], name=op.f('fk_memory_entries_source_language_tag_languages')),
    sa.ForeignKeyConstraint(['target_language_tag'], ['languages.tag'], name=op.f('fk_memory_entries_target_language_tag_languages')),
    sa.ForeignKeyConstraint(['statement_id'], ['statements.id'], name=op.f('fk_memory_entries_statement_id_statements'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['version_id'], ['versions.id'], name=op.f('fk_memory_entries_version_id_versions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_memory_entries')),
    sa.UniqueConstraint('source_language_tag', 'target_language_tag', 'source_key', 'target_key', name=op.f('uq_memory_entries_source_language_tag_target_language_tag_source_key_target_key'))
    )
    op.create_table('memory_shingles',
    sa.Column('shingle', sa.Integer(), nullable=False),
    sa.Column('entry_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entry_id'], ['memory_entries.id'], name=op.f('fk_memory_shingles_entry_id_memory_entries'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('shingle', 'entry_id', name=op.f('pk_memory_shingles')),
    sqlite_with_rowid=False,
    )
    op.create_table('glossary_terms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_language_tag', sa.String(length=35), nullable=False),
    sa.Column('target_language_tag', sa.String(length=35), nullable=False),
    sa.Column('term', sa.String(length=200), nullable=False),
    sa.Column('term_key', sa.String(length=200), nullable=False),
    sa.Column('translation', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), server_default='', nullable=False),
    sa.Column('part_of_speech', sa.Enum('noun', 'verb', 'adjective', 'adverb', 'properNoun', 'other', name='part_of_speech', native_enum=False, create_constraint=True, length=20), server_default='noun', nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('length(term) > 0 and length(translation) > 0', name=op.f('ck_glossary_terms_term_and_translation')),
    sa.ForeignKeyConstraint(['source_language_tag'], ['languages.tag'], name=op.f('fk_glossary_terms_source_language_tag_languages')),
    sa.ForeignKeyConstraint(['target_language_tag'], ['languages.tag'], name=op.f('fk_glossary_terms_target_language_tag_languages')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_glossary_terms_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_glossary_terms')),
    sa.UniqueConstraint('source_language_tag', 'target_language_tag', 'term_key', name=op.f('uq_glossary_terms_source_language_tag_target_language_tag_term_key'))
    )
    with op.batch_alter_table('draft_segments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('machine', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('version_segments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('machine', sa.Boolean(), server_default=sa.false(), nullable=False))
    _remember_approved_versions()


def _remember_approved_versions():
    """Fill the memory and its shingle index from every approved version, pair by pair."""
    bind = op.get_bind()
    for source_tag, target_tag in bind.execute(sa.text(APPROVED_PAIRS)).all():
        _remember_pair(bind, source_tag, target_tag)


def _remember_pair(bind, source_tag, target_tag):
    from portal.assist.memory import sketch_hashes, text_key
    from portal.content.segments import normalize_whitespace

    entries: dict[tuple, dict] = {}
    for row in bind.execute(sa.text(APPROVED_SEGMENTS),
                            {'source': source_tag, 'target': target_tag}).mappings():
        source, target = normalize_whitespace(row['source_text']), row['target_text'].strip()
        if not source or not target:
            continue
        key = (row['source_language_tag'], row['language_tag'], text_key(source),
               text_key(target))
        # Ordered by version: a later approval of the same texts becomes the origin.
        entries[key] = {'source_language_tag': key[0], 'target_language_tag': key[1],
                        'source_key': key[2], 'target_key': key[3],
                        'source_length': len(source), 'source_text': source,
                        'target_text': target, 'statement_id': row['statement_id'],
                        'version_id': row['version_id']}
    if not entries:
        return
    table = sa.table('memory_entries', *(sa.column(name) for name in (
        'id', 'source_language_tag', 'target_language_tag', 'source_key', 'target_key',
        'source_length', 'source_text', 'target_text', 'statement_id', 'version_id')))
    rows = list(entries.values())
    for start in range(0, len(rows), 5000):
        bind.execute(table.insert(), rows[start:start + 5000])
    shingles = sa.table('memory_shingles', sa.column('shingle'), sa.column('entry_id'))
    postings = []
    for entry_id, text in bind.execute(sa.text(
            'SELECT id, source_text FROM memory_entries WHERE source_language_tag = :source '
            'AND target_language_tag = :target ORDER BY id'),
            {'source': source_tag, 'target': target_tag}).all():
        postings += [(value, entry_id) for value in sketch_hashes(text, source_tag, target_tag)]
        if len(postings) >= 50_000:
            _insert_postings(bind, shingles, postings)
            postings = []
    _insert_postings(bind, shingles, postings)


def _insert_postings(bind, shingles, postings):
    # In key order, chunk by chunk: fewer page splits while the index is built.
    if postings:
        bind.execute(shingles.insert(), [{'shingle': value, 'entry_id': entry_id}
                                         for value, entry_id in sorted(postings)])


def downgrade():
    with op.batch_alter_table('version_segments', schema=None) as batch_op:
        batch_op.drop_column('machine')
    with op.batch_alter_table('draft_segments', schema=None) as batch_op:
        batch_op.drop_column('machine')
    op.drop_table('glossary_terms')
    op.drop_table('memory_shingles')
    op.drop_table('memory_entries')
