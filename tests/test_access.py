"""The access table as a test: every route, each method it accepts, what each role gets.

TABLE below is the portal's access policy, written as what a mature product should answer,
not as what the code happens to do today. A route added without a row fails the suite, and
so does a row whose route is gone. Besides the answer itself, every GET and every refused
POST must leave the database exactly as it was, and no POST is accepted without the CSRF
token of the sender's own session.

The people and content are built once per module and each person signs in once through the
real login form (scrypt is slow on purpose); every test then runs inside a savepoint that is
rolled back, with a new browser carrying the signed-in session cookie.
"""

import io
import itertools
import json
import re
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from sqlalchemy import select
from sqlalchemy.orm import scoped_session, sessionmaker

from portal.assist.glossary import save_term
from portal.extensions import db as _db
from portal.models import (
    Organization,
    OutboxMessage,
    Publication,
    Role,
    Translation,
    TranslationState,
    User,
)
from portal.models.base import Base
from portal.workflow import (
    claim_translation,
    report_problem,
    save_draft_segment,
    submit_translation,
)
from portal.workflow.accounts import invite_person, request_password_reset
from tests.conftest import AuthActions, Factory, csrf_token

# --- outcomes -----------------------------------------------------------------------------

OK = "OK"                    # 2xx; for a POST also a 303 to a page of the site, no error flashed
REDIRECT = "REDIRECT"        # a GET sent on to another page of the site (not to sign in)
LOGIN = "LOGIN"              # sent to /account/login?next=… to sign in first
FORBIDDEN = "FORBIDDEN"      # 403
BAD_REQUEST = "BAD_REQUEST"  # 400
NOT_FOUND = "NOT_FOUND"      # 404
# Never expected; they name what a wrong answer was, so a failure reads as a diagnosis.
FOUND = "FOUND"              # a POST that worked but answered 302, where 303 is right
REFUSED = "REFUSED"          # a POST refused by a redirect with an error flashed, not a status

_STATUS_SYMBOLS = {400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND}

# The columns of every row, in this order.
ROLES = ("anonymous", "other", "volunteer", "reviewer", "coordinator", "admin")

# --- the table ----------------------------------------------------------------------------
#
# Who is who, for the item each route is called on (see `world` below):
#   other       translates fr only: a volunteer of another language than the item's (es)
#   volunteer   translates es and holds the claim on the es translation being edited
#   reviewer    reviews es (and does not translate it); wrote none of the versions in review
#   coordinator, admin   no languages of their own

TABLE = {
    # Readers, the API, feeds and the sitemap are public, signed in or not.
    #            anonymous   other       volunteer   reviewer    coordinator admin
    "reader.home": {
        "GET":  (REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    },
    "reader.choose_language": {
        "GET":  (REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    },
    "reader.statements": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.statement": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.report_problem": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
        "POST": (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.feed": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.search": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.sitemap": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.languages_sitemap": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.statements_sitemap_block": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.robots": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "reader.favicon": {
        "GET":  (REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
    },
    "api.languages": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "api.statements": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "api.statement": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "api.statement_text": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "api.openapi": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
    },
    # Accounts: links in e-mails work for whoever holds them; the profile is one's own.
    #            anonymous   other       volunteer   reviewer    coordinator admin
    "auth.login": {
        # Someone already signed in goes straight on to the desk.
        "GET":  (OK,         REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT,   REDIRECT),
        "POST": (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "auth.logout": {
        "POST": (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "auth.accept_invitation": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
        "POST": (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "auth.forgot_password": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
        "POST": (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "auth.reset_password": {
        "GET":  (OK,         OK,         OK,         OK,         OK,         OK),
        "POST": (OK,         OK,         OK,         OK,         OK,         OK),
    },
    "auth.profile": {
        "GET":  (LOGIN,      OK,         OK,         OK,         OK,         OK),
        "POST": (LOGIN,      OK,         OK,         OK,         OK,         OK),
    },
    # The desk needs sign-in; work on an item is for the people of its language.
    #            anonymous   other       volunteer   reviewer    coordinator admin
    "desk.home": {
        "GET":  (LOGIN,      OK,         OK,         OK,         OK,         OK),
    },
    "desk.queue": {
        "GET":  (LOGIN,      OK,         OK,         OK,         OK,         OK),
    },
    "desk.claim": {  # an open es translation: only its translators may take it
        "GET":  (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
        "POST": (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.release_claim": {  # the volunteer's claim: only the claimant gives it back
        "GET":  (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
        "POST": (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.editor": {  # the claimant edits; reviewers of es and coordinators read
        "GET":  (LOGIN,      FORBIDDEN,  OK,         OK,         OK,         OK),
    },
    "desk.save_segment": {
        "POST": (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.save_all": {
        "POST": (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.submit": {
        "POST": (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    # Translating offline: only the claimant downloads the work and uploads it back.
    "desk.download_offline": {
        "GET":  (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.upload_offline": {
        "POST": (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.resolve_offline": {
        "POST": (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.review": {  # a version the volunteer wrote, waiting for an es reviewer: its
        # author, es reviewers and coordinators read it; only a reviewer may decide
        "GET":  (LOGIN,      FORBIDDEN,  OK,         OK,         OK,         OK),
    },
    "desk.decide": {
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN),
    },
    "desk.resolve_report": {  # a reader's report on the es text: for es reviewers
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN),
    },
    "desk.open_correction": {  # the published es text: for es reviewers and its last
        # translator (the volunteer translates es but did not write it)
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN),
    },
    # The translator's aids: the claimant's editor; no machine server is configured here.
    #            anonymous   other       volunteer   reviewer    coordinator admin
    "desk.fill_exact": {
        "POST": (LOGIN,      FORBIDDEN,  OK,         FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.machine_suggestion": {
        "POST": (LOGIN,      FORBIDDEN,  NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    "desk.use_machine": {
        "POST": (LOGIN,      FORBIDDEN,  NOT_FOUND,  FORBIDDEN,  FORBIDDEN,  FORBIDDEN),
    },
    # Glossaries (en → es): read by its translators and reviewers, kept by its reviewers
    # and coordinators; memories imported by coordinators.
    "desk.glossaries": {
        "GET":  (LOGIN,      OK,         OK,         OK,         OK,         OK),
    },
    "desk.glossary": {
        "GET":  (LOGIN,      FORBIDDEN,  OK,         OK,         OK,         OK),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  OK,         OK,         OK),
    },
    "desk.delete_term": {
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  OK,         OK,         OK),
    },
    "desk.export_glossary": {
        "GET":  (LOGIN,      FORBIDDEN,  OK,         OK,         OK,         OK),
    },
    "desk.import_glossary": {
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  OK,         OK,         OK),
    },
    "desk.export_memory": {
        "GET":  (LOGIN,      FORBIDDEN,  OK,         OK,         OK,         OK),
    },
    "desk.import_memory": {
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    # Coordination is for coordinators and administrators only.
    #            anonymous   other       volunteer   reviewer    coordinator admin
    "coordinate.statements": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.new_statement": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.edit_statement": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.release": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.unpublish": {
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.corrections": {  # how corrections of a statement go live
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.progress": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.translation": {  # one cell of the matrix: state, claimant, versions
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.organizations": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.new_organization": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.edit_organization": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.people": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.invite": {  # as a translator
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.edit_person": {  # a translator's languages
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.deactivate_person": {  # a translator
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.reactivate_person": {  # a deactivated translator
        "POST": (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
    "coordinate.audit": {
        "GET":  (LOGIN,      FORBIDDEN,  FORBIDDEN,  FORBIDDEN,  OK,         OK),
    },
}

# Rules one row per route cannot show: the same route called on another item. A role to give
# that the sender's form does not offer (a coordinator's lists volunteer roles only) is
# invalid input, 400, as a forged choice of any select field is.
SPECIAL_CASES = {
    # (endpoint, method, item):  (anonymous, other, volunteer, reviewer, coordinator, admin)
    # The fr translation of the statement being edited: now `other` is of its language.
    ("desk.claim", "GET", "fr_translation"):
        (LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    ("desk.claim", "POST", "fr_translation"):
        (LOGIN, OK, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # A version the reviewer wrote: nobody may review their own work.
    ("desk.decide", "POST", "own_version"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    # Another administrator: coordinators may not edit, demote, (de)activate admins.
    ("coordinate.edit_person", "GET", "an_admin"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("coordinate.edit_person", "POST", "an_admins_languages"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("coordinate.edit_person", "POST", "demote_an_admin"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("coordinate.deactivate_person", "POST", "an_admin"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    ("coordinate.reactivate_person", "POST", "deactivated_admin"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, OK),
    # Only administrators give the coordinator or administrator role.
    ("coordinate.edit_person", "POST", "grant_coordinator"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, BAD_REQUEST, OK),
    ("coordinate.edit_person", "POST", "grant_admin"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, BAD_REQUEST, OK),
    ("coordinate.invite", "POST", "as_coordinator"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, BAD_REQUEST, OK),
    ("coordinate.invite", "POST", "as_admin"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, BAD_REQUEST, OK),
    # One's own role: a coordinator may not change it at all; an administrator is stopped
    # from locking themselves out (another administrator must do it).
    ("coordinate.edit_person", "POST", "own_role"):
        (LOGIN, FORBIDDEN, FORBIDDEN, FORBIDDEN, FORBIDDEN, BAD_REQUEST),
}


# --- what each route is called with -------------------------------------------------------

@dataclass(frozen=True)
class Json:
    """A JSON body, sent the way the editor's script sends it (token in X-CSRFToken)."""

    payload: dict


# URL values per endpoint, from the objects of `world`; routes without arguments need none.
URLS = {
    "reader.choose_language": lambda w: {"lang": "es", "next": "/es/"},
    "reader.statements": lambda w: {"lang": "es"},
    "reader.statement": lambda w: {"lang": "es", "slug": w.published_slug},
    "reader.report_problem": lambda w: {"lang": "es", "slug": w.published_slug},
    "reader.feed": lambda w: {"lang": "es"},
    "reader.search": lambda w: {"lang": "es", "q": "migrant"},
    "reader.statements_sitemap_block": lambda w: {"block": 1},
    "api.statements": lambda w: {"lang": "es"},
    "api.statement": lambda w: {"slug": w.published_slug},
    "api.statement_text": lambda w: {"slug": w.published_slug, "lang": "es"},
    "auth.accept_invitation": lambda w: {"token": w.invitation_token},
    "auth.reset_password": lambda w: {"token": w.reset_token},
    "desk.claim": lambda w: {"translation_id": w.open_es},
    "desk.release_claim": lambda w: {"translation_id": w.work_es},
    "desk.editor": lambda w: {"translation_id": w.work_es},
    "desk.save_segment": lambda w: {"translation_id": w.work_es, "key": w.work_keys[0]},
    "desk.save_all": lambda w: {"translation_id": w.work_es},
    "desk.submit": lambda w: {"translation_id": w.work_es},
    "desk.download_offline": lambda w: {"translation_id": w.work_es, "fmt": "xliff12"},
    "desk.upload_offline": lambda w: {"translation_id": w.work_es},
    "desk.resolve_offline": lambda w: {"translation_id": w.work_es},
    "desk.review": lambda w: {"version_id": w.review_version},
    "desk.decide": lambda w: {"version_id": w.review_version},
    "desk.resolve_report": lambda w: {"report_id": w.report},
    "desk.open_correction": lambda w: {"translation_id": w.published_es},
    "coordinate.corrections": lambda w: {"statement_id": w.published},
    "desk.fill_exact": lambda w: {"translation_id": w.work_es},
    "desk.machine_suggestion": lambda w: {"translation_id": w.work_es, "key": w.work_keys[0]},
    "desk.use_machine": lambda w: {"translation_id": w.work_es, "key": w.work_keys[0]},
    "desk.glossary": lambda w: {"source": "en", "target": "es"},
    "desk.delete_term": lambda w: {"source": "en", "target": "es", "term_id": w.term},
    "desk.export_glossary": lambda w: {"source": "en", "target": "es", "fmt": "csv"},
    "desk.import_glossary": lambda w: {"source": "en", "target": "es"},
    "desk.export_memory": lambda w: {"source": "en", "target": "es"},
    "desk.import_memory": lambda w: {"source": "en", "target": "es"},
    "coordinate.edit_statement": lambda w: {"statement_id": w.work},
    "coordinate.translation": lambda w: {"translation_id": w.work_es},
    "coordinate.release": lambda w: {"statement_id": w.approved},
    "coordinate.unpublish": lambda w: {"statement_id": w.published},
    "coordinate.edit_organization": lambda w: {"organization_id": w.organization},
    "coordinate.edit_person": lambda w: {"user_id": w.person},
    "coordinate.deactivate_person": lambda w: {"user_id": w.person},
    "coordinate.reactivate_person": lambda w: {"user_id": w.former},
}

NEW_PASSWORD = {"password": "a long new password", "password_again": "a long new password"}

# What each POST sends: a body that succeeds for a role allowed to use it, so that a refusal
# can only come from who is asking (the CSRF token is added apart).
FORMS = {
    "reader.report_problem": lambda w: {
        "paragraph": "0", "message": "The first paragraph has a typo.", "email": ""},
    "auth.login": lambda w: {"email": w.emails["volunteer"], "password": Factory.PASSWORD,
                             "next": ""},
    "auth.logout": lambda w: {},
    "auth.accept_invitation": lambda w: {"display_name": "Ina Invitee", **NEW_PASSWORD},
    "auth.forgot_password": lambda w: {"email": w.emails["person"]},
    "auth.reset_password": lambda w: dict(NEW_PASSWORD),
    "auth.profile": lambda w: {"display_name": "A New Name", "interface_language": "",
                               "time_zone": "UTC"},
    "desk.claim": lambda w: {},
    "desk.release_claim": lambda w: {"reason": ""},
    # Over the draft's saved revision 1, so the save is current, not stale.
    "desk.save_segment": lambda w: Json({"text": "[es] changed", "revision": 1}),
    "desk.save_all": lambda w: {f"text-{w.work_keys[0]}": "[es] changed",
                                f"revision-{w.work_keys[0]}": "1"},
    "desk.submit": lambda w: {},  # every paragraph already has its draft
    # A PO file that translates the first paragraph over its saved revision 1.
    "desk.upload_offline": lambda w: {"file": (io.BytesIO(
        f'msgctxt "{w.work_keys[0]}.1"\nmsgid "x"\nmsgstr "[es] from a file"\n'.encode()),
        "work.po")},
    # Taking a file's text for the first paragraph, over its saved revision 1.
    "desk.resolve_offline": lambda w: {"key": w.work_keys[0],
                                       f"choice-{w.work_keys[0]}": "file",
                                       f"text-{w.work_keys[0]}": "[es] from a file",
                                       f"revision-{w.work_keys[0]}": "1"},
    "desk.decide": lambda w: {"decision": "approve", "comment": ""},
    "desk.resolve_report": lambda w: {},
    "desk.open_correction": lambda w: {"segment": "", "note": "A typo."},
    "coordinate.corrections": lambda w: {"corrections": "release"},
    "desk.fill_exact": lambda w: {f"revision-{w.work_keys[0]}": "1"},
    "desk.machine_suggestion": lambda w: {},
    "desk.use_machine": lambda w: {f"machine-text-{w.work_keys[0]}": "MT",
                                   f"revision-{w.work_keys[0]}": "1"},
    "desk.glossary": lambda w: {"term": "wage theft", "translation": "robo de salario",
                                "part_of_speech": "noun", "note": ""},
    "desk.delete_term": lambda w: {},
    "desk.import_glossary": lambda w: {
        "file": (io.BytesIO(b"term,translation\nstrike,huelga\n"), "terms.csv")},
    "desk.import_memory": lambda w: {"file": (io.BytesIO(
        b'<tmx version="1.4"><header srclang="en"/><body><tu><tuv xml:lang="en"><seg>One.'
        b'</seg></tuv><tuv xml:lang="es"><seg>Uno.</seg></tuv></tu></body></tmx>'),
        "memory.tmx")},
    "coordinate.new_statement": lambda w: {
        "title": "A new statement", "summary": "Its summary.", "body": "One paragraph.",
        "source_language": "en", "statement_date": "2026-12-18",
        "target_languages": ["es", "fr"], "deadline": "", "slug": "a-new-statement"},
    "coordinate.edit_statement": lambda w: {**w.work_fields, "title": "An edited title"},
    "coordinate.release": lambda w: {"versions": [str(w.approved_version)], "when": "now",
                                     "release_at": "", "note": ""},
    "coordinate.unpublish": lambda w: {"language": "es", "reason": "A correction is coming."},
    "coordinate.new_organization": lambda w: {"name": "Another Alliance", "country": "CL",
                                              "languages": ["es"], "contact_email": ""},
    "coordinate.edit_organization": lambda w: {"name": "Renamed Alliance", "country": "PH",
                                               "languages": ["fr"], "contact_email": ""},
    "coordinate.invite": lambda w: {"email": "new.person@example.org", "role": "translator",
                                    "translates": ["es"], "reviews": []},
    "coordinate.edit_person": lambda w: {"role": "translator", "translates": ["es", "fr"],
                                         "reviews": ["es"]},
    "coordinate.deactivate_person": lambda w: {},
    "coordinate.reactivate_person": lambda w: {},
}

# URL values and bodies of SPECIAL_CASES; these take the role too (for "own role").
SPECIAL_REQUESTS = {
    "fr_translation": (lambda w, role: {"translation_id": w.work_fr}, lambda w: {}),
    "own_version": (lambda w, role: {"version_id": w.own_version},
                    lambda w: {"decision": "approve", "comment": ""}),
    "an_admin": (lambda w, role: {"user_id": w.admin2}, lambda w: {}),
    "deactivated_admin": (lambda w, role: {"user_id": w.former_admin}, lambda w: {}),
    "an_admins_languages": (lambda w, role: {"user_id": w.admin2},
                            lambda w: {"role": "admin", "translates": ["es"], "reviews": []}),
    "demote_an_admin": (lambda w, role: {"user_id": w.admin2},
                        lambda w: {"role": "translator", "translates": [], "reviews": []}),
    "grant_coordinator": (lambda w, role: {"user_id": w.person},
                          lambda w: {"role": "coordinator", "translates": ["es"],
                                     "reviews": []}),
    "grant_admin": (lambda w, role: {"user_id": w.person},
                    lambda w: {"role": "admin", "translates": ["es"], "reviews": []}),
    "as_coordinator": (lambda w, role: {},
                       lambda w: {"email": "new.coordinator@example.org",
                                  "role": "coordinator", "translates": [], "reviews": []}),
    "as_admin": (lambda w, role: {},
                 lambda w: {"email": "new.admin@example.org", "role": "admin",
                            "translates": [], "reviews": []}),
    # Anonymous has no account of its own: it is sent at the coordinator's.
    "own_role": (lambda w, role: {"user_id": w.ids.get(role, w.ids["coordinator"])},
                 lambda w: {"role": "translator", "translates": [], "reviews": []}),
}


# --- the world: people and content, built once per module ----------------------------------

_addresses = itertools.count(1)


def _new_address() -> str:
    # Rate limits count per address; a range of its own keeps other modules' counts apart.
    number = next(_addresses)
    return f"10.77.{number // 250}.{number % 250 + 1}"


def _translation(session, statement, tag: str) -> Translation:
    """The statement's translation into `tag`."""
    return session.scalar(select(Translation).where(
        Translation.statement_id == statement.id, Translation.language_tag == tag))


def _claim_and_draft(session, volunteer: User, statement) -> Translation:
    """The volunteer claims the es translation and drafts every paragraph (revision 1)."""
    translation = _translation(session, statement, "es")
    claim_translation(volunteer, translation)
    for key in dict.fromkeys(segment.key for segment in statement.current_revision.segments):
        save_draft_segment(volunteer, translation, key, f"[es] draft of {key}", 0)
    session.commit()
    return translation


def _build(session) -> SimpleNamespace:
    """The people and content the table's routes are called on; ids, not live objects."""
    make = Factory(session)
    for tag in ("en", "es", "fr"):
        make.language(tag)
    people = {
        "other": make.user(translates=["fr"], display_name="Olga Other"),
        "volunteer": make.user(translates=["es"], display_name="Vera Volunteer"),
        "reviewer": make.user(role=Role.REVIEWER, reviews=["es"], display_name="Rita Reviewer"),
        "coordinator": make.user(role=Role.COORDINATOR, display_name="Cora Coordinator"),
        "admin": make.user(role=Role.ADMIN, display_name="Ada Admin"),
        "person": make.user(translates=["es"], display_name="Pat Person"),
        "former": make.user(translates=["es"], display_name="Fay Former", active=False),
        "admin2": make.user(role=Role.ADMIN, display_name="Abe Admin"),
        "former_admin": make.user(role=Role.ADMIN, display_name="Fox Admin", active=False),
    }
    volunteer = people["volunteer"]

    # The statement being translated: es claimed and drafted by the volunteer, fr open.
    work = make.statement(slug="work", targets=["es", "fr"])
    work_es = _claim_and_draft(session, volunteer, work)
    # A version the volunteer wrote, waiting for review.
    in_review = make.statement(slug="in-review", targets=["es"])
    review_translation = _claim_and_draft(session, volunteer, in_review)
    review_version = submit_translation(volunteer, review_translation)
    session.commit()
    # A version the reviewer wrote (imported, say), waiting for review by someone else.
    own = make.statement(slug="own-version", targets=["es"])
    own_version = make.approved_version(own, "es", author=people["reviewer"])
    for review in list(own_version.reviews):
        session.delete(review)
    _translation(session, own, "es").state = TranslationState.IN_REVIEW
    session.commit()

    open_ = make.statement(slug="open", targets=["es"])
    published = make.statement(slug="published", targets=["es"])
    make.publish(published, languages=["es"])
    approved = make.statement(slug="approved", targets=["es"])
    approved_version = make.approved_version(approved, "es")

    publication = session.scalar(select(Publication).where(
        Publication.statement_id == published.id, Publication.language_tag == "es"))
    report = report_problem(publication, paragraph=publication.body.split("\n\n")[0],
                            message="This word is wrong.")
    organization = Organization(name="Access Alliance", country="PH")
    session.add(organization)
    term, _created = save_term(people["reviewer"], "en", "es", "solidarity", "solidaridad")
    _invitation, invitation_token = invite_person(
        people["coordinator"], email="invitee@example.org", role=Role.TRANSLATOR,
        translates=["es"], reviews=[])
    request_password_reset(people["person"].email)
    session.commit()
    reset_mail = session.scalar(select(OutboxMessage).where(
        OutboxMessage.kind == "password_reset", OutboxMessage.recipient == people["person"].email))
    reset_token = re.search(r"/account/password/reset/(\S+)", reset_mail.body).group(1)

    revision = work.current_revision
    return SimpleNamespace(
        people=people,
        ids={role: user.id for role, user in people.items()},
        emails={role: user.email for role, user in people.items()},
        person=people["person"].id, former=people["former"].id,
        admin2=people["admin2"].id, former_admin=people["former_admin"].id,
        work=work.id, work_es=work_es.id, work_fr=_translation(session, work, "fr").id,
        work_keys=[segment.key for segment in revision.segments],
        work_fields={"title": revision.title, "summary": revision.summary,
                     "body": revision.body, "statement_date": work.statement_date.isoformat(),
                     "deadline": "", "target_languages": ["es", "fr"]},
        review_version=review_version.id, own_version=own_version.id,
        open_es=_translation(session, open_, "es").id,
        published=published.id, published_slug=published.slug,
        published_es=_translation(session, published, "es").id,
        approved=approved.id, approved_version=approved_version.id,
        report=report.id, organization=organization.id, term=term.id,
        invitation_token=invitation_token, reset_token=reset_token,
    )


@dataclass(frozen=True)
class SignedIn:
    """A browser session to start each test from: its cookie and its CSRF token."""

    cookie: object
    token: str


def _sign_in(app, world) -> None:
    """Each role signs in once through the login form; tests reuse the session cookie."""
    world.sessions = {}
    for role in ROLES:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = _new_address()
        if role == "anonymous":
            token = csrf_token(client, "/account/login")
        else:
            response = AuthActions(client).login(world.people[role])
            assert response.status_code in (302, 303), f"{role} could not sign in"
            token = csrf_token(client, "/account/profile")
        cookie = client.get_cookie("session", domain=app.config["SERVER_NAME"])
        world.sessions[role] = SignedIn(cookie, token)
    # A token that is genuine, but for another browser's session: what a forged form holds.
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = _new_address()
    world.foreign_token = csrf_token(stranger, "/account/login")


@pytest.fixture(scope="module")
def world(app):
    """The module's people and content, in a transaction rolled back after the module."""
    with app.app_context():
        connection = _db.engine.connect()
    outer = connection.begin()
    # As conftest's `db`, but for the whole module: the sign-ins outlive each test.
    session = scoped_session(sessionmaker(bind=connection, expire_on_commit=False,
                                          join_transaction_mode="create_savepoint"))
    original, _db.session = _db.session, session
    try:
        with app.app_context():
            built = _build(session)
        session.remove()
        built.connection, built.session = connection, session
        _sign_in(app, built)
        # Every test starts from this state (its savepoint is rolled back), so one snapshot
        # taken now is each test's "before".
        built.baseline = snapshot(connection)
        yield built
    finally:
        session.remove()
        _db.session = original
        outer.rollback()
        connection.close()


@pytest.fixture
def w(world):
    """The world inside a savepoint: whatever a test's requests write is rolled back."""
    savepoint = world.connection.begin_nested()
    try:
        yield world
    finally:
        world.session.remove()
        if savepoint.is_active:
            savepoint.rollback()


# --- requests and their outcomes ----------------------------------------------------------

def _browser(app, world, role: str):
    """A new browser with the role's signed-in session (or the anonymous one)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = _new_address()
    cookie = world.sessions[role].cookie
    client.set_cookie(cookie.key, cookie.value, domain=cookie.domain,
                      origin_only=cookie.origin_only, path=cookie.path)
    return client


def _url(app, endpoint: str, values: dict) -> str:
    """The path of `endpoint`; values that are no URL argument become the query string."""
    with app.test_request_context():
        return url_for(endpoint, **values)


def _send(client, method: str, url: str, body, token: str | None):
    """GET, or POST the body with `token` as a form field or header (None: no token at all)."""
    if method == "GET":
        return client.get(url)
    if isinstance(body, Json):
        headers = {"Accept": "application/json"}
        if token is not None:
            headers["X-CSRFToken"] = token
        return client.post(url, data=json.dumps(body.payload), headers=headers,
                           content_type="application/json")
    data = dict(body)
    if token is not None:
        data["csrf_token"] = token
    return client.post(url, data=data)


def _error_flashed(client) -> bool:
    """An error message waits in the session: the app's way to refuse with a redirect."""
    with client.session_transaction() as session:
        return any(category == "error" for category, _message in session.get("_flashes", []))


def outcome(client, method: str, response) -> str:
    """The table's symbol for a response."""
    status = response.status_code
    if 300 <= status < 400:
        target = urlsplit(response.location)
        if target.netloc not in ("", client.application.config["SERVER_NAME"]):
            return f"OFF_SITE({response.location})"
        # The sign-in gate carries `next`; a page that merely ends on sign-in does not.
        if target.path == "/account/login" and "next" in parse_qs(target.query):
            return LOGIN
        if method == "GET":
            return REDIRECT
        if _error_flashed(client):
            return REFUSED
        return OK if status == 303 else FOUND
    if 200 <= status < 300:
        return OK
    return _STATUS_SYMBOLS.get(status, f"HTTP_{status}")


def snapshot(connection) -> dict[str, list]:
    """Every row of every table, in key order: nothing can change unseen."""
    return {table.name: connection.execute(
        select(table).order_by(*table.primary_key.columns)).all()
        for table in Base.metadata.sorted_tables}


def _changed_tables(before: dict, after: dict) -> list[str]:
    """Names of the tables whose rows differ between two snapshots."""
    return [name for name in before if before[name] != after[name]]


def _check(app, world, role: str, endpoint: str, method: str, values: dict, body, expected):
    """Send the request as `role`; compare with the table; refusals and GETs write nothing."""
    url = _url(app, endpoint, values)
    client = _browser(app, world, role)
    response = _send(client, method, url, body, world.sessions[role].token)
    got = outcome(client, method, response)
    problems = []
    if got != expected:
        problems.append(f"{method} {url} as {role}: expected {expected}, got {got} "
                        f"({response.status_code} {response.location or ''})".rstrip())
    if method == "GET" or response.status_code >= 400 or got in (LOGIN, REFUSED):
        changed = _changed_tables(world.baseline, snapshot(world.connection))
        if changed:
            problems.append(f"{method} {url} as {role} ({got}) changed: {', '.join(changed)}")
    assert not problems, "\n".join(problems)


# --- the tests ----------------------------------------------------------------------------

def _routes(app) -> set[tuple[str, str]]:
    # HEAD and OPTIONS are Flask's own answers, derived from GET; only the views' methods count.
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" for method in rule.methods - {"HEAD", "OPTIONS"}}


def _table_keys() -> set[tuple[str, str]]:
    return {(endpoint, method) for endpoint, row in TABLE.items() for method in row}


def test_every_route_has_a_row_in_the_table(app):
    """A route added without a row in TABLE fails here."""
    missing = sorted(_routes(app) - _table_keys())
    assert not missing, f"routes without a row in TABLE: {missing}"


def test_every_row_of_the_table_is_a_route(app):
    """A row left behind by a removed or renamed route fails here."""
    stale = sorted(_table_keys() - _routes(app))
    stale += sorted((endpoint, method) for endpoint, method, _case in SPECIAL_CASES
                    if (endpoint, method) not in _routes(app))
    assert not stale, f"rows of TABLE or SPECIAL_CASES that are no route: {stale}"


def test_every_row_says_how_to_call_its_route(app):
    """Each route with URL arguments has URL values; each POST has a body to send."""
    needs_values = {rule.endpoint for rule in app.url_map.iter_rules()
                    if rule.arguments and rule.endpoint != "static"}
    posts = {endpoint for endpoint, method in _table_keys() if method == "POST"}
    special = {case for _endpoint, _method, case in SPECIAL_CASES}
    assert not needs_values - set(URLS), "routes with arguments but no entry in URLS"
    assert not posts - set(FORMS), "POST routes without a body in FORMS"
    assert not special - set(SPECIAL_REQUESTS), "special cases without SPECIAL_REQUESTS"
    assert all(len(row) == len(ROLES) for methods in TABLE.values() for row in methods.values())
    assert all(len(row) == len(ROLES) for row in SPECIAL_CASES.values())


_CELLS = [
    pytest.param(endpoint, method, role, expected, id=f"{endpoint}-{method}-{role}")
    for endpoint, methods in TABLE.items()
    for method, row in methods.items()
    for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("endpoint", "method", "role", "expected"), _CELLS)
def test_access(app, w, endpoint, method, role, expected):
    """The role gets what TABLE says for this route and method."""
    values = URLS.get(endpoint, lambda _w: {})(w)
    body = FORMS[endpoint](w) if method == "POST" else None
    _check(app, w, role, endpoint, method, values, body, expected)


_SPECIAL_CELLS = [
    pytest.param(endpoint, method, case, role, expected,
                 id=f"{endpoint}-{method}-{case}-{role}")
    for (endpoint, method, case), row in SPECIAL_CASES.items()
    for role, expected in zip(ROLES, row, strict=True)
]


@pytest.mark.parametrize(("endpoint", "method", "case", "role", "expected"), _SPECIAL_CELLS)
def test_access_special_case(app, w, endpoint, method, case, role, expected):
    """The role gets what SPECIAL_CASES says for this route called on this item."""
    values, body = SPECIAL_REQUESTS[case]
    _check(app, w, role, endpoint, method, values(w, role),
           body(w) if method == "POST" else None, expected)


_CSRF_CELLS = [
    pytest.param(endpoint, role, token, id=f"{endpoint}-POST-{role}-{token}")
    for endpoint, methods in TABLE.items() if "POST" in methods
    for role in ROLES
    for token in ("no_token", "foreign_token")
]


@pytest.mark.parametrize(("endpoint", "role", "token"), _CSRF_CELLS)
def test_post_without_its_own_csrf_token_is_refused(app, w, endpoint, role, token):
    """A POST with no CSRF token, or another session's, gets 400 and writes nothing."""
    url = _url(app, endpoint, URLS.get(endpoint, lambda _w: {})(w))
    client = _browser(app, w, role)
    # The same body that succeeds with the right token: only the token is wrong.
    response = _send(client, "POST", url, FORMS[endpoint](w),
                     None if token == "no_token" else w.foreign_token)
    changed = _changed_tables(w.baseline, snapshot(w.connection))
    assert (response.status_code, changed) == (400, []), f"POST {url} as {role} with {token}"
