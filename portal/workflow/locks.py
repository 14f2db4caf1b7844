"""Row locks that make each transition take effect once under concurrency.

A transition first re-reads the row it changes with `SELECT … FOR UPDATE` (PostgreSQL),
so of two concurrent requests the second waits for the first to commit and then sees the
new state. On SQLite every writing request already holds the database's write lock from
its first statement (`BEGIN IMMEDIATE`, see portal.database), and FOR UPDATE is omitted.
"""

from sqlalchemy import select

from portal.extensions import db


def lock(instance):
    """Lock `instance`'s row for this transaction and reload it with what others committed."""
    model = type(instance)
    db.session.flush()
    # Expire first: collections loaded before the lock (versions, reviews) are reloaded too.
    db.session.expire(instance)
    db.session.execute(
        select(model).where(model.id == instance.id).with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    return instance
