"""Deadline reminders: which were queued, so that each goes out once; deadline index

Revision ID: d3f8a61c0b27
Revises: c4e9b2a7d1f3
Create Date: 2026-11-30 01:10:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'd3f8a61c0b27'
down_revision = 'c4e9b2a7d1f3'
branch_labels = None
depends_on = None


def upgrade():
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
    with op.batch_alter_table('statements', schema=None) as batch_op:
        batch_op.drop_index('ix_statements_deadline')
    op.drop_table('deadline_reminders')
