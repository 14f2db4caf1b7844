"""The long lists, a page at a time: coordinators' statements and progress, the desk queue."""

import re
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import event, select

from portal.caching import forget_state
from portal.models import Organization, Role, Translation, TranslationState, utcnow
from tests.conftest import AuthActions

CSS = Path(__file__).parent.parent / "portal" / "static" / "work.css"  # the desk's styles
EVERY_STATE = list(TranslationState)


# --- helpers ------------------------------------------------------------------------------

def html_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def link(page: str, rel: str) -> str | None:
    """The pagination link `rel` ("next" or "prev"), unescaped, or None."""
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', page)
    return unescape(found.group(1)) if found else None


def listed_statements(page: str) -> list[int]:
    """Statement ids in the order the statements list shows them."""
    return [int(found) for found in re.findall(r'<tr data-statement="(\d+)">', page)]


def matrix_rows(page: str) -> list[int]:
    """Statement ids in the order the matrix shows its rows."""
    return [int(found) for found in re.findall(
        r'<th scope="row" class="sticky-col"><a href="/coordinate/statements/(\d+)/edit"', page)]


def language_rows(page: str) -> list[int]:
    """Statement ids in the order the one-language list shows them."""
    return [int(found) for found in re.findall(r'<li data-statement="(\d+)">', page)]


def matrix_row(page: str, statement_id: int) -> str:
    return re.search(rf'statements/{statement_id}/edit".*?</tr>', page, re.S).group()


def cell(row_html: str, tag: str) -> str:
    return re.search(rf'<td data-language="{re.escape(tag)}">(.*?)</td>', row_html,
                     re.S).group(1)


def plain(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def footer_count(page: str, state: TranslationState, tag: str) -> int:
    footer = page.split("<tfoot>")[1]
    row = re.search(rf'<tr class="count-{state.value}">.*?</tr>', footer, re.S).group()
    return int(cell(row, tag))


def overall_totals(page: str) -> dict[str, int]:
    block = re.search(r'<ul class="state-totals" data-language="">(.*?)</ul>', page, re.S)
    return {state: int(count) for state, count in re.findall(
        r'<li data-state="(\w+)">.*?</span> (\d+)</li>', block.group(1), re.S)}


def queue_rows(page: str) -> list[int]:
    return [int(found) for found in re.findall(r'<tr data-translation="(\d+)">', page)]


def translation_of(db, statement, tag: str) -> Translation:
    return db.session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag))


def set_state(db, translation: Translation, state: TranslationState, claimant=None) -> None:
    translation.state = state
    if state == TranslationState.IN_PROGRESS:
        translation.claimed_by_id = claimant.id
        translation.claim_expires_at = utcnow() + timedelta(hours=5)
    db.session.commit()


@pytest.fixture
def coordinator(make):
    for tag in ("en", "es", "fr", "ar"):
        make.language(tag)
    return make.user(role=Role.COORDINATOR, display_name="Cora Coordinator",
                     email="cora@example.org")


@pytest.fixture
def signed_in(auth, coordinator):
    assert auth.login(coordinator).status_code in (302, 303)
    return coordinator


def statements(make, count: int, **fields) -> list:
    """`count` statements, each a day newer than the one before."""
    return [make.statement(body="One paragraph.", statement_date=date(2025, 1, 1)
                           + timedelta(days=number), **fields) for number in range(count)]


# --- the coordinators' statements list ----------------------------------------------------

def test_the_statements_list_shows_50_a_page_newest_first(client, signed_in, make):
    made = statements(make, 52, targets=["es"])
    newest_first = [statement.id for statement in reversed(made)]
    first = html_of(client.get("/coordinate/"))
    assert listed_statements(first) == newest_first[:50]
    assert "52 statements" in first and "Page 1 of 2" in first
    assert link(first, "prev") is None
    assert link(first, "next") == "/coordinate/?page=2"
    second = html_of(client.get(link(first, "next")))
    assert listed_statements(second) == newest_first[50:]
    assert link(second, "next") is None
    assert link(second, "prev") == "/coordinate/"
    assert client.get("/coordinate/?page=3").status_code == 404
    assert client.get("/coordinate/?page=0").status_code == 404
    assert client.get("/coordinate/?page=two").status_code == 400
    assert client.get("/coordinate/?page=1").status_code == 200


def test_an_empty_archive_has_one_page(client, signed_in):
    assert "There are no statements yet." in html_of(client.get("/coordinate/"))
    assert client.get("/coordinate/?page=2").status_code == 404


def test_the_filter_finds_slug_or_title_whatever_the_case_and_stays_on_every_page(
        client, signed_in, make, monkeypatch):
    monkeypatch.setattr("portal.coordinate.routes.STATEMENTS_PER_PAGE", 2)
    by_title = make.statement(title="Stop DEPORTATIONS now", body="One.")
    by_slug = make.statement(slug="deportations-2026", title="Another title", body="One.")
    third = make.statement(title="No more deportations", body="One.")
    make.statement(title="Decent work for all", body="One.")
    first = html_of(client.get("/coordinate/?q=Deportations"))
    assert 'value="Deportations"' in first
    assert "3 statements" in first
    assert listed_statements(first) == [third.id, by_slug.id]
    assert link(first, "next") == "/coordinate/?page=2&q=Deportations"
    second = html_of(client.get(link(first, "next")))
    assert listed_statements(second) == [by_title.id]
    assert link(second, "prev") == "/coordinate/?q=Deportations"
    assert client.get("/coordinate/?q=Deportations&page=3").status_code == 404
    everything = html_of(client.get("/coordinate/"))
    assert "4 statements" in everything and "Show every statement" not in everything


def test_the_filter_takes_wildcards_literally_and_escapes_what_it_shows(client, signed_in,
                                                                        make):
    raise_ = make.statement(title="A 50% raise now", body="One.")
    make.statement(title="A 500 peso raise", body="One.")
    make.statement(slug="rxs-statement", title="Underscore", body="One.")
    assert listed_statements(html_of(client.get("/coordinate/?q=50%25"))) == [raise_.id]
    assert len(listed_statements(html_of(client.get("/coordinate/?q=r_s")))) == 0
    nothing = html_of(client.get("/coordinate/?q=%3Cb%3Ehi"))
    assert "&lt;b&gt;hi" in nothing and "<b>hi" not in nothing
    assert "No statement has" in nothing
    assert client.get("/coordinate/?q=" + "x" * 201).status_code == 400


def test_the_statements_list_counts_states_of_its_page_only_in_one_group_by(
        client, db, signed_in, make, count_queries, monkeypatch):
    monkeypatch.setattr("portal.coordinate.routes.STATEMENTS_PER_PAGE", 2)
    older = make.statement(targets=["es", "fr", "ar"], body="One.",
                           statement_date=date(2024, 1, 1))
    make.approved_version(older, "es")
    newer = statements(make, 2, targets=["fr"])
    with count_queries() as counter:
        first = html_of(client.get("/coordinate/"))
    assert listed_statements(first) == [newer[1].id, newer[0].id]
    assert "Queued: 1" in first and "Approved" not in plain(first.split("<tbody>")[1])
    grouped = [sql for sql in counter.statements if "GROUP BY" in sql]
    assert len(grouped) == 1
    assert "translations.statement_id IN" in grouped[0]
    second = unescape(html_of(client.get("/coordinate/?page=2")))
    assert "Approved: 1" in second and "Queued: 2" in second


# --- the progress matrix ------------------------------------------------------------------

def test_the_matrix_shows_25_statements_a_page_and_keeps_its_filters(client, signed_in, make):
    made = statements(make, 27, targets=["es", "fr"])
    newest_first = [statement.id for statement in reversed(made)]
    first = html_of(client.get("/coordinate/progress"))
    assert matrix_rows(first) == newest_first[:25]
    assert "27 statements" in first and "Page 1 of 2" in first
    assert link(first, "next") == "/coordinate/progress?page=2"
    second = html_of(client.get(link(first, "next")))
    assert matrix_rows(second) == newest_first[25:]
    assert link(second, "prev") == "/coordinate/progress"
    assert client.get("/coordinate/progress?page=3").status_code == 404
    assert client.get("/coordinate/progress?page=0").status_code == 404
    assert client.get("/coordinate/progress?page=x").status_code == 400
    filtered = html_of(client.get("/coordinate/progress?state=queued&deadline=none"))
    assert link(filtered, "next") == "/coordinate/progress?page=2&state=queued&deadline=none"
    again = html_of(client.get(link(filtered, "next")))
    assert link(again, "prev") == "/coordinate/progress?state=queued&deadline=none"
    assert 'value="queued" selected' in again and 'value="none" selected' in again


def test_every_cell_links_to_its_translation_and_names_its_state(client, db, signed_in,
                                                                 make):
    first = make.statement(targets=["es", "fr", "ar"], body="One.")
    second = make.statement(source="es", targets=["en", "fr"], body="One.")
    make.publish(first, ["es"])
    make.approved_version(first, "fr")
    set_state(db, translation_of(db, second, "fr"), TranslationState.IN_PROGRESS,
              make.user(translates=["fr"]))
    page = html_of(client.get("/coordinate/progress"))
    expected = {(first, "es"): "Published", (first, "fr"): "Approved",
                (first, "ar"): "Queued", (second, "en"): "Queued",
                (second, "fr"): "In progress"}
    for (statement, tag), title in expected.items():
        found = cell(matrix_row(page, statement.id), tag)
        href = re.search(r'<a class="cell-link" href="([^"]+)">', found).group(1)
        assert href == f"/coordinate/translations/{translation_of(db, statement, tag).id}"
        assert plain(found) == title
        assert client.get(href).status_code == 200  # coordinators read it
    assert plain(cell(matrix_row(page, first.id), "en")) == "source"
    assert "<a" not in cell(matrix_row(page, second.id), "ar")  # not a target: empty
    assert plain(cell(matrix_row(page, second.id), "ar")) == ""


def test_totals_count_every_state_per_language_and_overall(client, db, signed_in, make,
                                                           monkeypatch):
    monkeypatch.setattr("portal.coordinate.routes.PROGRESS_PER_PAGE", 1)
    translator = make.user(translates=["es", "fr", "ar"])
    made = statements(make, 3, targets=["es", "fr", "ar"])
    states = {  # statement → language → state; the rest stay queued
        0: {"es": TranslationState.PUBLISHED, "fr": TranslationState.NEEDS_UPDATE,
            "ar": TranslationState.IN_REVIEW},
        1: {"es": TranslationState.APPROVED, "fr": TranslationState.IN_PROGRESS},
        2: {"es": TranslationState.IN_REVIEW},
    }
    for number, by_language in states.items():
        for tag, state in by_language.items():
            set_state(db, translation_of(db, made[number], tag), state, translator)
    make.language("de", enabled=False)
    hidden = make.statement(targets=["de"], body="One.")  # a disabled language: not counted
    page = html_of(client.get("/coordinate/progress?page=2"))  # one statement of four shown
    assert matrix_rows(page) == [made[2].id]
    assert hidden.id not in matrix_rows(page)
    expected = {
        "es": {TranslationState.PUBLISHED: 1, TranslationState.APPROVED: 1,
               TranslationState.IN_REVIEW: 1},
        "fr": {TranslationState.NEEDS_UPDATE: 1, TranslationState.IN_PROGRESS: 1,
               TranslationState.QUEUED: 1},
        "ar": {TranslationState.IN_REVIEW: 1, TranslationState.QUEUED: 2},
        "en": {},
    }
    for tag, counts in expected.items():
        for state in EVERY_STATE:
            assert footer_count(page, state, tag) == counts.get(state, 0), (tag, state)
    assert overall_totals(page) == {"queued": 3, "in_progress": 1, "in_review": 2,
                                    "approved": 1, "published": 1, "scheduled": 0,
                                    "needs_update": 1}
    footer = page.split("<tfoot>")[1]
    assert all(f'class="state state-{state.value}">{state.title}<' in footer
               for state in EVERY_STATE)
    one = html_of(client.get("/coordinate/progress?language=ar"))
    block = re.search(r'<ul class="state-totals" data-language="ar">(.*?)</ul>', one, re.S)
    assert dict(re.findall(r'<li data-state="(\w+)">.*?</span> (\d+)</li>', block.group(1),
                           re.S)) == {"queued": "2", "in_progress": "0", "in_review": "1",
                                      "approved": "0", "published": "0", "scheduled": "0",
                                      "needs_update": "0"}
    assert overall_totals(one) == overall_totals(page)


def test_the_totals_are_the_tallies_and_the_cells_those_of_the_page(client, signed_in, make,
                                                                    count_queries):
    statements(make, 30, targets=["es", "fr"])
    with count_queries() as counter:
        html_of(client.get("/coordinate/progress"))
    grouped = [sql for sql in counter.statements if "GROUP BY" in sql]
    # The tallies, never a count over every translation; and the scheduled ones, counted
    # among the statements with a release time ahead only.
    assert len(grouped) == 2
    assert "FROM translation_tallies GROUP BY translation_tallies.language_tag, " \
        "translation_tallies.state" in grouped[0]
    assert "releases.release_at >" in grouped[1]
    cells = [sql for sql in counter.statements
             if "FROM translations" in sql and "GROUP BY" not in sql and "EXISTS" not in sql]
    assert len(cells) == 1 and "translations.statement_id IN" in cells[0]


def test_one_language_is_a_list_with_its_state_linked(client, db, signed_in, make):
    spanish = make.statement(targets=["es", "fr"], body="One.")
    french_only = make.statement(targets=["fr"], body="One.")
    source_es = make.statement(source="es", targets=["en"], body="One.")
    page = html_of(client.get("/coordinate/progress?language=es"))
    assert '<table class="progress matrix">' not in page
    assert language_rows(page) == [spanish.id]
    assert french_only.id not in language_rows(page) and source_es.id not in language_rows(page)
    item = re.search(rf'<li data-statement="{spanish.id}">.*?</li>', page, re.S).group()
    href = f"/coordinate/translations/{translation_of(db, spanish, 'es').id}"
    assert f'<a class="cell-link" href="{href}"><span class="state state-queued">Queued</span>' \
        in item
    assert 'value="es" selected' in page
    assert "Show everything" in page
    matrix = html_of(client.get("/coordinate/progress"))
    assert '<a href="/coordinate/progress?language=es"' in matrix  # headers open one language


def test_filter_by_state_any_language_or_one(client, db, signed_in, make):
    reviewed = make.statement(targets=["es", "fr"], body="One.")
    set_state(db, translation_of(db, reviewed, "fr"), TranslationState.IN_REVIEW)
    other = make.statement(targets=["es", "fr"], body="One.")
    set_state(db, translation_of(db, other, "es"), TranslationState.IN_REVIEW)
    make.statement(targets=["es", "fr"], body="One.")
    in_review = html_of(client.get("/coordinate/progress?state=in_review"))
    assert matrix_rows(in_review) == [other.id, reviewed.id]
    assert plain(cell(matrix_row(in_review, reviewed.id), "es")) == "Queued"  # whole rows
    french = html_of(client.get("/coordinate/progress?state=in_review&language=fr"))
    assert language_rows(french) == [reviewed.id]
    assert "1 statement" in french
    none = html_of(client.get("/coordinate/progress?state=published"))
    assert matrix_rows(none) == [] and "No statement matches." in none


def test_filter_by_deadline(client, db, signed_in, make):
    now = utcnow()
    overdue, this_week, later, undated = statements(make, 4, targets=["es"])
    overdue.deadline = now - timedelta(hours=1)
    this_week.deadline = now + timedelta(days=3)
    later.deadline = now + timedelta(days=30)
    db.session.commit()
    shown = {name: matrix_rows(html_of(client.get(f"/coordinate/progress?deadline={name}")))
             for name in ("overdue", "week", "none")}
    assert shown == {"overdue": [overdue.id], "week": [this_week.id], "none": [undated.id]}
    assert language_rows(html_of(client.get(
        "/coordinate/progress?deadline=week&language=es&state=queued"))) == [this_week.id]


@pytest.mark.parametrize("query", ["language=xx", "language=de", "state=lost",
                                   "deadline=tomorrow", "state=QUEUED"])
def test_filters_not_offered_are_refused(client, signed_in, make, query):
    make.language("de", enabled=False)
    assert client.get(f"/coordinate/progress?{query}").status_code == 400


def test_the_matrix_keeps_its_header_and_statement_column_in_view(client, signed_in, make):
    statements(make, 2, targets=["es", "fr", "ar"])
    page = html_of(client.get("/coordinate/progress"))
    assert '<thead class="sticky-head">' in page
    assert '<th scope="col" class="sticky-col">' in page
    # Two statements, the totals' heading and a row of totals per state, and "Scheduled".
    assert len(re.findall(r'<th scope="row" class="sticky-col">', page)) == \
        3 + len(EVERY_STATE) + 1
    assert 'class="table-scroll matrix-scroll"' in page
    # The CSP allows neither inline style nor inline script (script files are fine).
    assert " style=" not in page and not re.search(r"<script(?![^>]*\bsrc=)", page)
    css = CSS.read_text()
    for selector in (".matrix .sticky-head th", ".matrix .sticky-col"):
        rule = re.search(re.escape(selector) + r" \{([^}]*)\}", css).group(1)
        assert "position: sticky" in rule, selector
    assert re.search(r"\.matrix-scroll \{[^}]*overflow: auto", css)


# --- the desk queue -----------------------------------------------------------------------

@pytest.fixture
def busy_queue(db, make):
    """30 statements, es and fil open in each; the newer the statement, the sooner it is due.

    Filipino is needed by two organizations, Spanish by one: fil comes first on a tie.
    """
    for number, tags in enumerate((["fil"], ["fil", "es"])):
        db.session.add(Organization(name=f"Org {number}", country="PH",
                                    languages=[make.language(tag) for tag in tags]))
    made = statements(make, 30, targets=["es", "fil", "fr"])
    due = datetime(2026, 6, 1, tzinfo=UTC)
    for number, statement in enumerate(made):
        statement.deadline = due - timedelta(days=number)
    db.session.commit()
    return [translation_of(db, statement, tag).id
            for statement in reversed(made) for tag in ("fil", "es")]


def test_the_queue_shows_25_a_page_most_urgent_first(client, db, make, auth, busy_queue):
    volunteer = make.user(translates=["es", "fil"])
    auth.login(volunteer)
    seen, url, pages = [], "/desk/queue", []
    while url:
        page = html_of(client.get(url))
        pages.append(page)
        seen.append(queue_rows(page))
        url = link(page, "next")
    assert [len(rows) for rows in seen] == [25, 25, 10]
    assert sum(seen, []) == busy_queue
    assert "60 translations waiting" in pages[0] and "Page 3 of 3" in pages[2]
    assert all("You hold 0 of 3 claims." in page for page in pages)
    assert link(pages[2], "prev") == "/desk/queue?page=2"
    assert client.get("/desk/queue?page=4").status_code == 404
    assert client.get("/desk/queue?page=0").status_code == 404
    assert client.get("/desk/queue?page=-").status_code == 400


def test_the_queue_filters_by_one_of_my_languages(client, db, make, auth, busy_queue):
    volunteer = make.user(translates=["es", "fil"])
    auth.login(volunteer)
    everything = html_of(client.get("/desk/queue"))
    assert '<a href="/desk/queue?language=fil">' in everything
    assert 'language=fr' not in everything  # not one of mine
    first = html_of(client.get("/desk/queue?language=fil"))
    assert "30 translations waiting" in first
    assert "→ Español" not in first and first.count("→ Filipino") == 25
    assert link(first, "next") == "/desk/queue?page=2&language=fil"
    second = html_of(client.get(link(first, "next")))
    assert queue_rows(first) + queue_rows(second) == busy_queue[0::2]
    assert link(second, "prev") == "/desk/queue?language=fil"
    assert 'href="/desk/queue?language=fil" aria-current="page"' in second
    assert client.get("/desk/queue?language=xx-forged").status_code == 400
    assert client.get("/desk/queue?language=fil&page=3").status_code == 404


def test_help_translate_into_a_language_i_do_not_translate(client, make, auth, busy_queue):
    """A reader page's "help translate it" link, followed by a volunteer of other languages."""
    make.language("ar")
    forget_state()  # a language added behind the portal's back (the workflow would say so)
    auth.login(make.user(translates=["es", "fil"]))
    response = client.get("/desk/queue?language=ar")
    assert response.status_code == 303 and response.headers["Location"] == "/desk/queue"
    page = html_of(client.get("/desk/queue"))
    assert "You do not translate العربية yet: a coordinator can add it" in page
    assert "60 translations waiting" in page  # the work in the languages they translate


def test_one_language_needs_no_filter(client, make, auth, busy_queue):
    auth.login(make.user(translates=["es"]))
    page = html_of(client.get("/desk/queue"))
    assert "All my languages" not in page
    assert len(queue_rows(page)) == 25


# --- a fixed number of queries ------------------------------------------------------------

def test_the_lists_run_the_same_queries_for_3_and_30_statements(app, client, db, make,
                                                                 coordinator, count_queries):
    translator = make.user(translates=["es", "fil", "ar"])
    desk = app.test_client()
    AuthActions(client).login(coordinator)
    AuthActions(desk).login(translator)
    urls = {
        client: ["/coordinate/", "/coordinate/?q=statement", "/coordinate/progress",
                 "/coordinate/progress?language=es",
                 "/coordinate/progress?language=ar&state=queued",
                 "/coordinate/progress?state=in_review&deadline=none"],
        desk: ["/desk/queue", "/desk/queue?language=fil"],
    }

    def add(count: int) -> None:
        for statement in statements(make, count, targets=["es", "fil", "ar", "fr"]):
            make.approved_version(statement, "es")
            set_state(db, translation_of(db, statement, "ar"), TranslationState.IN_REVIEW)

    def counts() -> dict[str, int]:
        result = {}
        for browser, paths in urls.items():
            for url in paths:
                db.session.remove()  # cold, like a request: nothing cached from the set-up
                with count_queries() as counter:
                    assert browser.get(url).status_code == 200, url
                result[url] = counter.count
        return result

    add(3)
    with_3 = counts()
    add(27)
    with_30 = counts()
    assert with_3 == with_30
    assert max(with_3.values()) <= 9, with_3  # with the readers' state read afresh


def test_the_lists_find_translations_by_their_statements(client, db, db_connection,
                                                         signed_in, make):
    """The page's translations come from its statements, never from a walk of every
    translation in one state: SQLite, with no statistics, preferred the state index for
    "published ones of these 18 statements" (75 ms at 10,000 statements), and the index of
    each language for the matrix's cells (50 ms)."""
    for statement in statements(make, 3, targets=["es", "fr"]):
        make.publish(statement, ["es"])
    run = []

    def record(_conn, _cursor, statement, parameters, *_args):
        if statement.lstrip().upper().startswith("SELECT"):
            run.append((statement, parameters))

    event.listen(db_connection, "before_cursor_execute", record)
    try:
        for url in ("/coordinate/", "/coordinate/progress"):
            assert "Published" in html_of(client.get(url))
    finally:
        event.remove(db_connection, "before_cursor_execute", record)
    counts = [sql for sql, _ in run if "count(statements.id)" in sql]
    assert len(counts) == 2 and not any("source_revisions" in sql for sql in counts), counts
    if db_connection.dialect.name != "sqlite":
        return  # PostgreSQL plans with statistics; at 10,000: bench/run.py --explain
    plans = [" / ".join(step[-1] for step in db_connection.exec_driver_sql(
        "EXPLAIN QUERY PLAN " + sql, parameters).all())
        for sql, parameters in run if "FROM translations" in sql]
    assert len(plans) >= 3
    assert not any("USING INDEX ix_translations_state (" in plan for plan in plans), plans
    # Nor every translation of each language in turn, for the matrix's cells.
    assert not any("ix_translations_language_state (language_tag=?)" in plan
                   for plan in plans), plans
