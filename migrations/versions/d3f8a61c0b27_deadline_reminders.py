"""Deadline reminders queued (each goes out once), a deadline index, translation tallies

The tallies are kept by triggers on `translations`: every insert, delete and change of
state or language appends −1 for the (language, state) it leaves and +1 for the one it
enters, so the progress page adds up a few rows instead of counting every translation.
On SQLite a later batch migration that rebuilds `translations` drops these triggers: it
must create them again (SQLITE_TRIGGERS below).

Revision ID: d3f8a61c0b27
Revises: d7c0e5a3f912
Create Date: 2026-11-30 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'd3f8a61c0b27'
down_revision = 'd7c0e5a3f912'
branch_labels = None
depends_on = None


SQLITE_TRIGGERS = [
    """CREATE TRIGGER translation_tallies_insert AFTER INSERT ON translations
    BEGIN
        INSERT INTO translation_tallies (language_tag, state, delta)
        VALUES (NEW.language_tag, NEW.state, 1);
    END""",
    """CREATE TRIGGER translation_tallies_delete AFTER DELETE ON translations
    BEGIN
        INSERT INTO translation_tallies (language_tag, state, delta)
        VALUES (OLD.language_tag, OLD.state, -1);
    END""",
    """CREATE TRIGGER translation_tallies_update AFTER UPDATE OF state, language_tag
    ON translations
    WHEN OLD.state IS NOT NEW.state OR OLD.language_tag IS NOT NEW.language_tag
    BEGIN
        INSERT INTO translation_tallies (language_tag, state, delta)
        VALUES (OLD.language_tag, OLD.state, -1), (NEW.language_tag, NEW.state, 1);
    END""",
]

POSTGRESQL_TRIGGERS = [
    """CREATE FUNCTION translation_tallies_count() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            INSERT INTO translation_tallies (language_tag, state, delta)
            VALUES (OLD.language_tag, OLD.state, -1);
        END IF;
        IF TG_OP IN ('UPDATE', 'INSERT') THEN
            INSERT INTO translation_tallies (language_tag, state, delta)
            VALUES (NEW.language_tag, NEW.state, 1);
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER translation_tallies_insert_delete AFTER INSERT OR DELETE
    ON translations FOR EACH ROW EXECUTE FUNCTION translation_tallies_count()""",
    """CREATE TRIGGER translation_tallies_update AFTER UPDATE OF state, language_tag
    ON translations FOR EACH ROW
    WHEN (OLD.state IS DISTINCT FROM NEW.state
          OR OLD.language_tag IS DISTINCT FROM NEW.language_tag)
    EXECUTE FUNCTION translation_tallies_count()""",
]


def upgrade():
    op.create_table('translation_tallies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('language_tag', sa.String(length=35), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('delta', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_translation_tallies'))
    )
    # What exists now, one row per language and state; the triggers keep it from here on.
    op.execute("INSERT INTO translation_tallies (language_tag, state, delta) "
               "SELECT language_tag, state, count(*) FROM translations "
               "GROUP BY language_tag, state")
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_TRIGGERS if dialect == 'sqlite' else POSTGRESQL_TRIGGERS:
        op.execute(statement)
    op.create_table('deadline_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('translation_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('deadline', sa.DateTime(), nullable=False),
    sa.Column('created_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("kind in ('claimant', 'coordinators')", name=op.f('ck_deadline_reminders_known_kind')),
    sa.ForeignKeyConstraint(['translation_id'], ['translations.id'], name=op.f('fk_deadline_reminders_translation_id_translations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_reminders')),
    sa.UniqueConstraint('translation_id', 'kind', 'deadline', name=op.f('uq_deadline_reminders_translation_id_kind_deadline'))
    )
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.create_index('ix_statements_deadline', ['deadline'], unique=False)


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER translation_tallies_{name}')
    else:
        op.execute('DROP TRIGGER translation_tallies_insert_delete ON translations')
        op.execute('DROP TRIGGER translation_tallies_update ON translations')
        op.execute('DROP FUNCTION translation_tallies_count()')
    op.drop_table('translation_tallies')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_deadline')
    op.drop_table('deadline_reminders')
