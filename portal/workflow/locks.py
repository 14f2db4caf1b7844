"""Row locks that make each transition take effect once under concurrency.

A transition first re-reads the row it changes with `SELECT … FOR UPDATE` (PostgreSQL),
so of two concurrent requests the second waits for the first to commit and then sees the
new state. On SQLite every writing request already holds the database's write lock from
its first statement (`BEGIN IMMEDIATE`, see portal.database), and FOR UPDATE is omitted.
"""

import zlib

from sqlalchemy import func, select

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


def run_alone(task: str) -> None:
    """Hold `task` for this transaction: a second process running it waits, then sees the
    first one's commit (PostgreSQL's advisory lock; SQLite already writes one at a time)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(zlib.crc32(task.encode()))))
