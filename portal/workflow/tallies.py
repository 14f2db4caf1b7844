"""How many translations each language has in each state, without counting them all.

The database's triggers append a +1/−1 row to `translation_tallies` at every change (see
portal.models.translations.TranslationTally); reading the totals adds those rows up, and
compacting folds them into one row per language and state.
"""

from collections import Counter

from sqlalchemy import delete, func, select

from portal.extensions import db
from portal.models import TranslationState, TranslationTally


def state_totals() -> dict[str, Counter]:
    """Translations per language and state, from the tallies: one small GROUP BY."""
    totals: dict[str, Counter] = {}
    for tag, state, count in db.session.execute(
            select(TranslationTally.language_tag, TranslationTally.state,
                   func.sum(TranslationTally.delta))
            .group_by(TranslationTally.language_tag, TranslationTally.state)):
        if count:
            totals.setdefault(tag, Counter())[TranslationState(state)] += int(count)
    return totals


def compact_tallies() -> int:
    """Fold the tally rows into one per language and state; how many rows were folded.

    The rows are deleted and summed in one statement, so rows that concurrent
    transactions append meanwhile are left for the next run, never counted twice.
    """
    folded = db.session.execute(
        delete(TranslationTally).returning(TranslationTally.language_tag,
                                           TranslationTally.state, TranslationTally.delta)
    ).all()
    sums: Counter = Counter()
    for tag, state, delta in folded:
        sums[(tag, state)] += delta
    db.session.add_all(TranslationTally(language_tag=tag, state=state, delta=count)
                       for (tag, state), count in sorted(sums.items()) if count)
    db.session.flush()
    return len(folded)
