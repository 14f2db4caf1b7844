"""Volunteers may consent to be named on the statements they translate or review

Revision ID: f3b8d6a2c415
Revises: e7a1c5f30b92
Create Date: 2026-11-30 01:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = 'f3b8d6a2c415'
down_revision = 'e7a1c5f30b92'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN on both databases: a batch rebuild of users on SQLite would drop
    # the table every other one refers to.
    op.add_column('users', sa.Column('credit_consent', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite drops the column in place: a batch rebuild would drop the users table,
        # which every other table refers to, and foreign keys are enforced.
        op.execute('ALTER TABLE users DROP COLUMN credit_consent')
        return
    op.drop_column('users', 'credit_consent')
