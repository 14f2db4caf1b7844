"""Reader views: thin — load or 404, then render."""

import math

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _

from portal import workflow
from portal.caching import public
from portal.content import paragraphs_of
from portal.extensions import db, limiter
from portal.inputs import page_number
from portal.limits import REPORT_LIMIT
from portal.models import Publication, utcnow
from portal.reader import bp
from portal.reader.forms import ProblemReportForm
from portal.reader.negotiation import (
    COOKIE_MAX_AGE,
    LANGUAGE_COOKIE,
    negotiate_reader_language,
    resolve_url_language,
    safe_next,
)
from portal.reader.search import search_publications
from portal.reader.sitemaps import (
    listings_sitemap,
    sitemap_blocks,
    sitemap_index,
    statements_sitemap,
)
from portal.visibility import (
    languages_with_content,
    publication_with_credits,
    statement_availability,
    statement_listing,
)

FEED_SIZE = 30
MAX_QUERY_LENGTH = 200


@bp.url_value_preprocessor
def _pull_language(endpoint, values):
    if values and "lang" in values:
        resolve_url_language(endpoint, values)


@bp.url_defaults
def _add_language(endpoint, values):
    if "lang" not in values and getattr(g, "language", None):
        if current_app.url_map.is_endpoint_expecting(endpoint, "lang"):
            values["lang"] = g.language


@bp.get("/")
def home():
    """Send the reader to their language: chosen before, else the browser's, else default."""
    response = redirect(url_for(".statements", lang=negotiate_reader_language(utcnow())))
    response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/choose/<lang:lang>")
def choose_language(lang):
    """Remember a reader's explicit choice of language, then go on to `next`."""
    response = redirect(safe_next(request.args.get("next"), url_for(".statements", lang=lang)))
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=COOKIE_MAX_AGE, samesite="Lax",
                        httponly=True, secure=request.is_secure)
    return response


@bp.get("/<lang:lang>/")
@public
def statements(lang):
    """Statements readable in `lang`, newest first."""
    page = page_number()
    if page < 1:
        abort(404)
    now = utcnow()
    per_page = current_app.config["STATEMENTS_PER_PAGE"]
    rows, total = statement_listing(lang, now, page, per_page)
    if page > 1 and not rows:
        abort(404)
    return render_template(
        "reader/index.html", rows=rows, page=page, pages=max(1, math.ceil(total / per_page)),
        available=languages_with_content(now),
    )


@bp.get("/<lang:lang>/statements/<slug>")
@public
def statement(lang, slug):
    """One statement in `lang`, or in its source language with a notice when missing."""
    found, available = statement_availability(slug, utcnow())
    if found is None:
        abort(404)
    shown = available.get(lang) or available[found.source_language_tag]
    publication, credits = publication_with_credits(shown.publication_id)
    return render_template(
        "reader/statement.html",
        statement=found,
        publication=publication,
        credits=credits,
        shown=shown,
        available=sorted(available),
        is_fallback=lang not in available,
        source_changed=shown.source_revision_id != shown.current_source_revision_id,
    )


@bp.route("/<lang:lang>/statements/<slug>/report", methods=["GET", "POST"])
@limiter.limit(REPORT_LIMIT, methods=["POST"])
def report_problem(lang, slug):
    """Tell the reviewers of `lang` about a problem in this translation."""
    found, available = statement_availability(slug, utcnow())
    if found is None or lang not in available or lang == found.source_language_tag:
        abort(404)
    publication = db.session.get(Publication, available[lang].publication_id)
    paragraphs = paragraphs_of(publication)
    form = ProblemReportForm()
    form.paragraph.choices = [(index, excerpt) for index, (excerpt, _text) in
                              enumerate(paragraphs)]
    # Coming from the link beside a paragraph: that paragraph, quoted, is the one reported.
    chosen = request.args.get("paragraph", type=int)
    if chosen is not None and not 0 <= chosen < len(paragraphs):
        chosen = None
    if chosen is not None and not form.is_submitted():
        form.paragraph.data = chosen
    if form.validate_on_submit():
        workflow.report_problem(publication, paragraph=paragraphs[form.paragraph.data][1],
                                message=form.message.data, reporter_email=form.email.data)
        db.session.commit()
        flash(_("Thank you. The reviewers of this translation will look at your report."),
              "success")
        return redirect(url_for(".statement", lang=lang, slug=slug), 303)
    quoted = paragraphs[chosen][1] if chosen is not None else None
    return render_template("reader/report.html", statement=found, publication=publication,
                           form=form, chosen=chosen, quoted=quoted), \
        400 if form.is_submitted() else 200


@bp.get("/<lang:lang>/feed.atom")
@public
def feed(lang):
    """An Atom feed of the newest statements in `lang`."""
    rows, _total = statement_listing(lang, utcnow(), 1, FEED_SIZE, with_body=True)
    response = make_response(render_template("reader/feed.atom.xml", rows=rows))
    response.mimetype = "application/atom+xml"
    return response


@bp.get("/<lang:lang>/search")
@public
def search(lang):
    """Search the statements published in `lang`."""
    query = request.args.get("q", "").strip()[:MAX_QUERY_LENGTH]
    now = utcnow()
    hits = search_publications(lang, query, now) if query else []
    return render_template("reader/search.html", query=query, hits=hits,
                           available=languages_with_content(now))


@bp.get("/sitemap.xml")
@public
def sitemap():
    """The sitemap index: one sitemap of listings, then one per block of statements."""
    return _streamed_xml(sitemap_index(sitemap_blocks(utcnow())))


@bp.get("/sitemaps/statements-<int:block>.xml")
@public
def statements_sitemap_block(block: int):
    """Readable statement pages of one block of statements, each with its alternates."""
    now = utcnow()
    if block not in sitemap_blocks(now):
        abort(404)
    return _streamed_xml(statements_sitemap(block, now))


@bp.get("/sitemaps/languages.xml")
@public
def languages_sitemap():
    """The listing page of every language with content, each with its alternates."""
    return _streamed_xml(listings_sitemap(languages_with_content(utcnow())))


def _streamed_xml(chunks):
    """Sitemaps are written out as they are made: memory stays bounded by one batch."""
    return Response(stream_with_context(chunks), mimetype="application/xml")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico on a first visit: send them to the portal's icon."""
    # Permanent, to the fingerprinted file: browsers remember it and ask no more.
    return redirect(url_for("static", filename="favicon.svg"), 301)


# Where crawlers are not wanted: sign-in, the volunteers' desk and coordination.
ROBOTS_DISALLOWED = ("/desk/", "/coordinate/", "/account/")


@bp.get("/robots.txt")
@public
def robots():
    """Crawlers may read everything public; the sitemap lists it (on PORTAL_URL's origin)."""
    from urllib.parse import urlsplit

    from portal.urls import absolute_url

    sitemap = absolute_url("reader.sitemap")
    root = urlsplit(sitemap).path.removesuffix("/sitemap.xml")  # PORTAL_URL's path, if any
    lines = ["User-agent: *", *(f"Disallow: {root}{path}" for path in ROBOTS_DISALLOWED),
             f"Allow: {root}/", "", f"Sitemap: {sitemap}", ""]
    return Response("\n".join(lines), mimetype="text/plain")
