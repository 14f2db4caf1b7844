"""Session generation: signing out, a new password or deactivation end every session

Revision ID: 5e1d2a7c9b40
Revises: 47c033bd50b9
Create Date: 2026-11-29 21:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


revision = '5e1d2a7c9b40'
down_revision = '47c033bd50b9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0',
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
