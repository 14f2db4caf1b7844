"""The migrations build the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from portal.database import include_in_migrations
from portal.extensions import db as _db


def test_models_and_migrations_agree(app):
    """Autogenerate, run against the migrated database, finds nothing to add or drop."""
    with app.app_context(), _db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": include_in_migrations}
        )
        assert compare_metadata(context, _db.metadata) == []


def test_upgrade_built_every_table(app):
    with app.app_context():
        tables = set(inspect(_db.engine).get_table_names())
    assert set(_db.metadata.tables) <= tables
    assert "alembic_version" in tables
