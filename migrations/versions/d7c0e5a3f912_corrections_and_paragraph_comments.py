"""Corrections of published translations, paragraph comments in reviews

Revision ID: d7c0e5a3f912
Revises: d5f8a1c3e7b9
Create Date: 2026-11-30 01:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'd7c0e5a3f912'
down_revision = 'd5f8a1c3e7b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('corrections_need_release', sa.Boolean(),
                                      server_default=sa.false(), nullable=False))
    op.create_table(
        'corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('translation_id', sa.Integer(), nullable=False),
        sa.Column('opened_by_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', sa.DateTime(), server_default=sa.text('(CURRENT_TIMESTAMP)'),
                  nullable=False),
        sa.Column('published_version_id', sa.Integer(), nullable=True),
        sa.Column('segment_key', sa.String(length=32), nullable=True),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('fixed_version_id', sa.Integer(), nullable=True),
        sa.Column('closed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['fixed_version_id'], ['versions.id'],
                                name=op.f('fk_corrections_fixed_version_id_versions')),
        sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'],
                                name=op.f('fk_corrections_opened_by_id_users')),
        sa.ForeignKeyConstraint(['published_version_id'], ['versions.id'],
                                name=op.f('fk_corrections_published_version_id_versions')),
        sa.ForeignKeyConstraint(['translation_id'], ['translations.id'],
                                name=op.f('fk_corrections_translation_id_translations'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_corrections')),
    )
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_corrections_translation_id'), ['translation_id'],
                              unique=False)
    op.create_table(
        'paragraph_comments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('segment_key', sa.String(length=32), nullable=False),
        sa.Column('comment', sa.Text(), nullable=False),
        sa.CheckConstraint('length(comment) > 0',
                           name=op.f('ck_paragraph_comments_comment_not_empty')),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'],
                                name=op.f('fk_paragraph_comments_review_id_reviews'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_paragraph_comments')),
        sa.UniqueConstraint('review_id', 'position',
                            name=op.f('uq_paragraph_comments_review_id_position')),
    )
    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('correction_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_problem_reports_correction_id'),
                              ['correction_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_problem_reports_correction_id_corrections'),
                                    'corrections', ['correction_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('problem_reports', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_problem_reports_correction_id_corrections'),
                                 type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_problem_reports_correction_id'))
        batch_op.drop_column('correction_id')
    op.drop_table('paragraph_comments')
    with op.batch_alter_table('corrections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_corrections_translation_id'))
    op.drop_table('corrections')
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_column('corrections_need_release')
