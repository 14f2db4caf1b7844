"""Views of the desk blueprint: my work, the queue, claims, the editor and reviews.

Thin, as everywhere: load or 404 → predicate or 403 → validate → workflow → commit →
flash → redirect. Refusals raised by the workflow (a lost claim race, a missing
paragraph, an author approving their own version) are turned into a flashed message and
a redirect back, or JSON for the editor's script, by the app-wide handler in portal.errors.
"""

from datetime import datetime, timedelta

from babel.lists import format_list
from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import format_timedelta, get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from portal.content.placeables import draft_tokens, has_markup, placeable_html
from portal.dates import moment_text
from portal.desk import bp
from portal.desk.forms import (
    MAX_SAVE_BYTES,
    MAX_SEGMENT_LENGTH,
    ConfirmForm,
    CorrectionForm,
    DecisionForm,
    RefusedSave,
    ReleaseForm,
    paragraph_notes,
    segment_edits,
    segment_save,
)
from portal.extensions import db
from portal.inputs import page_number, refuse
from portal.models import (
    ProblemReport,
    SegmentKind,
    Translation,
    TranslationState,
    Version,
    utcnow,
)
from portal.models.languages import autonym, english_name
from portal.reader.negotiation import interface_languages, safe_next
from portal.workflow import (
    AlreadyDone,
    StaleDraft,
    approve_version,
    claim_translation,
    drafts_by_key,
    release_claim,
    request_changes,
    resolve_report,
    save_draft_segment,
    submit_translation,
)
from portal.workflow.corrections import open_correction, open_correction_of
from portal.workflow.permissions import (
    active_claim_count,
    can_edit,
    can_open_correction,
    can_read_translation,
    can_review,
    can_translate,
    claim_is_active,
    is_claimable,
    latest_version,
)
from portal.workflow.quality import (
    UnfinishedTranslation,
    problems_of,
    source_placeables,
    stored_text,
)
from portal.workflow.queue import (
    QUEUE_PER_PAGE,
    Conflict,
    conversation,
    count_open_work,
    count_translated,
    editor_rows,
    my_claims,
    my_submitted,
    open_reports_for,
    open_work_for,
    review_rows,
    reviews_waiting_for,
    source_word_count,
    translate_tags,
)
from portal.workflow.translations import MAX_TITLE, where_the_work_is

KIND_LABELS = {
    SegmentKind.TITLE: _l("Title"),
    SegmentKind.SUMMARY: _l("Summary"),
    SegmentKind.PARAGRAPH: _l("Paragraph"),
    SegmentKind.HEADING: _l("Heading"),
    SegmentKind.LIST_ITEM: _l("List item"),
    SegmentKind.QUOTE: _l("Quote"),
    SegmentKind.VERBATIM: _l("Block"),
}


@bp.before_request
@login_required
def _signed_in_only():
    """Every desk page needs a signed-in person (the decorator redirects to sign-in)."""


def moment(value: datetime) -> str:
    """A date and time in the person's time zone, named, for volunteers around the world."""
    # Flask-Babel formats in the signed-in person's zone (portal.select_time_zone).
    return f"{moment_text(value)} {current_user.zone.key}"


def time_left(expires_at: datetime | None, now: datetime) -> str:
    """How long a claim still runs, or that it ran out, in the interface language."""
    if expires_at is None or expires_at <= now:
        return _("expired — anyone may take it; your drafts are kept")
    return _("%(time)s left, until %(until)s",
             time=format_timedelta(expires_at - now, threshold=1, add_direction=False),
             until=moment(expires_at))


def duration(hours: int) -> str:
    """A length of time in words, e.g. "3 days"."""
    return format_timedelta(timedelta(hours=hours), threshold=1, add_direction=False)


PLACEABLE_LABELS = {
    "link": _l("link"), "autolink": _l("link"), "url": _l("web address"),
    "em": _l("emphasis"), "strong": _l("strong"), "code": _l("code"),
    "br": _l("line break"), "image": _l("image"),
}


@bp.context_processor
def _desk_helpers():
    return {"english_name": english_name, "moment": moment, "time_left": time_left,
            "duration": duration, "kind_labels": KIND_LABELS,
            "placeable_labels": PLACEABLE_LABELS}


@bp.app_template_filter("has_markup")
def _has_markup(markdown: str) -> bool:
    return has_markup(markdown)


@bp.app_template_filter("placeable_html")
def _placeable_html(token_text: str):
    return placeable_html(token_text)


def _back(endpoint: str, **values) -> str:
    """Where a refused action returns to: the app-wide WorkflowError handler reads `back`."""
    return url_for(endpoint, **values)


@bp.get("/")
def home():
    """My work: claims, work sent back, reviews waiting, readers' problem reports."""
    claims = my_claims(current_user)
    return render_template(
        "desk/home.html", now=utcnow(), claims=claims,
        sent_back=[item for item in claims if item.sent_back],
        reviews=reviews_waiting_for(current_user), reports=open_reports_for(current_user),
        submitted=my_submitted(current_user),
    )


@bp.get("/queue")
def queue():
    """Open work in the languages I translate (or one of them), most urgent first, by pages."""
    now = utcnow()
    languages = sorted(translate_tags(current_user))
    language = request.args.get("language", "").strip()
    if language and language not in languages:
        if language not in interface_languages():
            refuse(400, _("Choose one of the languages you translate."))
        # A reader's "help translate" link, followed by someone who does not translate it.
        flash(_("You do not translate %(language)s yet: a coordinator can add it to your "
                "languages. Here is the work in the languages you translate.",
                language=autonym(language)), "info")
        return redirect(url_for(".queue"), 303)
    page = page_number()
    total = count_open_work(current_user, now, language or None)
    pages = max(1, -(-total // QUEUE_PER_PAGE))
    if page < 1 or page > pages:
        abort(404)
    return render_template(
        "desk/queue.html", rows=open_work_for(current_user, now, language or None, page),
        now=now, claims_held=active_claim_count(current_user, now),
        max_claims=current_app.config["MAX_CLAIMS"], languages=languages, chosen=language,
        page=page, pages=pages, total=total, filters={"language": language} if language else {},
        back=url_for(".queue", page=page if page > 1 else None, language=language or None),
    )


@bp.route("/translations/<int:translation_id>/claim", methods=["GET", "POST"])
def claim(translation_id: int):
    """The source to read before claiming (GET), and taking the translation (POST)."""
    translation = db.get_or_404(Translation, translation_id)
    if not can_translate(current_user, translation.language_tag):
        abort(403)
    form = ConfirmForm(back=_back(".claim", translation_id=translation_id))
    if form.validate_on_submit():
        try:
            claim_translation(current_user, translation)
        except AlreadyDone as done:
            flash(done.message, "info")
            return redirect(url_for(".editor", translation_id=translation.id), 303)
        db.session.commit()
        flash(_("You are translating into %(language)s until %(until)s. Saving your work "
                "extends the claim.", language=autonym(translation.language_tag),
                until=moment(translation.claim_expires_at)), "success")
        return redirect(url_for(".editor", translation_id=translation.id), 303)
    now = utcnow()
    revision = translation.statement.current_revision
    return render_template(
        "desk/claim.html", translation=translation, statement=translation.statement,
        revision=revision, words=source_word_count(revision), form=form,
        claim_hours=current_app.config["CLAIM_HOURS"],
        claimable=is_claimable(translation, now), held=claim_is_active(translation, now),
        claims_held=active_claim_count(current_user, now),
        max_claims=current_app.config["MAX_CLAIMS"],
    )


@bp.route("/translations/<int:translation_id>/release", methods=["GET", "POST"],
          endpoint="release_claim")
def release(translation_id: int):
    """Give a claim back to the queue; the drafts stay for whoever takes it next."""
    translation = db.get_or_404(Translation, translation_id)
    form = ReleaseForm(back=_back(".release_claim", translation_id=translation_id))
    if form.validate_on_submit():
        # The workflow answers a repeat ("already back in the queue") and strangers alike.
        try:
            release_claim(current_user, translation, form.reason.data or "")
        except AlreadyDone as done:
            flash(done.message, "info")
            return redirect(url_for(".home"), 303)
        db.session.commit()
        flash(_("You released “%(title)s” (%(language)s). It is back in the queue, drafts "
                "included.", title=translation.statement.current_revision.title,
                language=autonym(translation.language_tag)), "success")
        return redirect(url_for(".home"), 303)
    if not can_edit(current_user, translation):
        abort(403)
    return render_template("desk/release.html", translation=translation,
                           statement=translation.statement, form=form)


def _render_editor(translation: Translation, conflicts: dict[str, Conflict] | None = None,
                   typed: dict[str, str] | None = None):
    editable = can_edit(current_user, translation)
    if not can_read_translation(current_user, translation):
        abort(403)
    revision = translation.statement.current_revision
    drafts = drafts_by_key(translation)
    version = latest_version(translation)
    last_review = version.reviews[-1] if version is not None and version.reviews else None
    correction = open_correction_of(translation)
    rows = editor_rows(translation, drafts, conflicts, correction=correction,
                       review=last_review if editable else None)
    for row in rows:  # a refused form comes back with what was typed in its boxes
        if typed and row.repeat_of is None and row.segment.key in typed:
            row.text = typed[row.segment.key]
    return render_template(
        "desk/editor.html", translation=translation, statement=translation.statement,
        revision=revision, rows=rows,
        translated=count_translated(revision.segments, drafts), total=len(revision.segments),
        editable=editable, version=version, last_review=last_review, now=utcnow(),
        focus=request.args.get("focus", type=int),
        form=ConfirmForm(back=_back(".editor", translation_id=translation.id)),
        correction=correction, conversation=conversation(translation),
        may_correct=translation.state == TranslationState.PUBLISHED
        and can_open_correction(current_user, translation),
        claimable=is_claimable(translation, utcnow())
        and can_translate(current_user, translation.language_tag),
    )


@bp.get("/translations/<int:translation_id>")
def editor(translation_id: int):
    """The claimant's editor; reviewers and coordinators get a read-only view."""
    return _render_editor(db.get_or_404(Translation, translation_id))


@bp.post("/translations/<int:translation_id>/segments/<key>")
def save_segment(translation_id: int, key: str):
    """The script's autosave of one segment: JSON in, JSON out; stale → 409 + current text."""
    translation = db.get_or_404(Translation, translation_id)
    if not can_edit(current_user, translation):
        abort(403)
    too_long = _("A paragraph can have at most %(max)d characters.", max=MAX_SEGMENT_LENGTH)
    if (request.content_length or 0) > MAX_SAVE_BYTES:
        refuse(413, too_long)
    body = request.get_data(cache=False)
    if len(body) > MAX_SAVE_BYTES:
        refuse(413, too_long)
    try:
        if not request.is_json:
            raise RefusedSave(_("The editor sent something the portal cannot read. Reload "
                                "the page and try again."))
        text, revision = segment_save(body)
    except RefusedSave as refused:
        refuse(400, str(refused))
    segments = translation.statement.current_revision.segments
    segment = next((segment for segment in segments if segment.key == key), None)
    if segment is not None:  # token text → Markdown; an unknown key is refused below
        text = stored_text(segment, text)
    try:
        draft = save_draft_segment(current_user, translation, key, text, revision)
    except StaleDraft as stale:
        current = stale.current_text
        if segment is not None:
            current = draft_tokens(current, source_placeables(segment))
        return jsonify(current_text=current, current_revision=stale.current_revision,
                       error={"status": 409, "detail": str(stale.message)}), 409
    problems = problems_of(segment, text, translation.statement.source_language_tag,
                           translation.language_tag)
    result = {"revision": draft.revision, "total": len(segments),
              "translated": count_translated(segments, drafts_by_key(translation)),
              "problems": [problem.as_dict() for problem in problems],
              "feedback": render_template("desk/_feedback.html", segment=segment,
                                          markdown=text, problems=problems,
                                          target=translation.language_tag)}
    db.session.commit()
    return jsonify(result)


def _save_edits(translation: Translation) -> dict[str, Conflict]:
    """Save each posted textarea that changed; stale ones are kept aside, never written.

    One workflow call per changed segment: the form is the script-less twin of autosave.
    """
    segments = {segment.key: segment
                for segment in translation.statement.current_revision.segments}
    drafts = drafts_by_key(translation)
    conflicts: dict[str, Conflict] = {}
    for edit in segment_edits(request.form, list(segments)):
        text = stored_text(segments[edit.key], edit.text)  # token text → Markdown
        saved = drafts.get(edit.key)
        if text == (saved.text if saved else ""):
            continue  # unchanged: no save, so no revision bump to trip another tab
        try:
            save_draft_segment(current_user, translation, edit.key, text, edit.revision)
        except StaleDraft as stale:
            conflicts[edit.key] = Conflict(edit.text, stale.current_text, stale.current_revision)
    return conflicts


def _refuse_too_long(translation: Translation):
    """Paragraphs over the limit: nothing is saved; the page comes back with all that was typed.

    None when every posted paragraph is short enough.
    """
    segments = translation.statement.current_revision.segments
    edits = segment_edits(request.form, [segment.key for segment in segments])
    first: dict[str, int] = {}
    limits: dict[str, int] = {}
    for number, segment in enumerate(segments, start=1):
        first.setdefault(segment.key, number)  # a repeated paragraph has no box of its own
        # A title is published in a column of MAX_TITLE characters.
        limits.setdefault(segment.key, MAX_TITLE if segment.kind == SegmentKind.TITLE
                          else MAX_SEGMENT_LENGTH)
    too_long = {edit.key for edit in edits if len(edit.text.strip()) > limits[edit.key]}
    if not too_long:
        return None
    typed = {edit.key: edit.text for edit in edits}
    if any(limits[key] == MAX_TITLE for key in too_long):
        flash(_("Nothing was saved: a title can have at most %(max)d characters. Shorten it "
                "and save again.", max=MAX_TITLE), "error")
        return _render_editor(translation, typed=typed), 400
    numbers = [str(number) for number in sorted(first[key] for key in too_long)]
    flash(ngettext(
        "Nothing was saved: paragraph %(numbers)s is longer than %(max)d characters. "
        "Shorten it and save again.",
        "Nothing was saved: paragraphs %(numbers)s are longer than %(max)d characters. "
        "Shorten them and save again.",
        len(numbers), numbers=format_list(numbers, locale=get_locale()),
        max=MAX_SEGMENT_LENGTH), "error")
    return _render_editor(translation, typed=typed), 400


def _refuse_conflicts(translation: Translation, conflicts: dict[str, Conflict]):
    """Say which paragraphs were not saved and show the page again, typed text included."""
    numbers, seen = [], set()
    for number, segment in enumerate(translation.statement.current_revision.segments, start=1):
        if segment.key in conflicts and segment.key not in seen:  # a repeat has no box
            numbers.append(str(number))
        seen.add(segment.key)
    flash(ngettext(
        "Paragraph %(numbers)s was not saved: it was changed elsewhere in the meantime. "
        "Your text is still in its box, beside the saved one; save again to keep yours.",
        "Paragraphs %(numbers)s were not saved: they were changed elsewhere in the meantime. "
        "Your text is still in their boxes, beside the saved ones; save again to keep yours.",
        len(numbers), numbers=format_list(numbers, locale=get_locale())), "error")
    return _render_editor(translation, conflicts)


@bp.post("/translations/<int:translation_id>/save")
def save_all(translation_id: int):
    """Save every changed textarea at once: the editor without JavaScript."""
    translation = db.get_or_404(Translation, translation_id)
    if not can_edit(current_user, translation):
        abort(403)
    refused = _refuse_too_long(translation)
    if refused is not None:
        return refused
    conflicts = _save_edits(translation)
    db.session.commit()
    if conflicts:
        return _refuse_conflicts(translation, conflicts)
    flash(_("Saved."), "success")
    return redirect(url_for(".editor", translation_id=translation.id), 303)


@bp.post("/translations/<int:translation_id>/submit")
def submit(translation_id: int):
    """Send the translation to review, saving whatever the form carried first."""
    translation = db.get_or_404(Translation, translation_id)
    seen = request.form.get("versions", "")
    if seen.isdigit() and int(seen) < len(translation.versions) and \
            translation.versions[-1].created_by_id == current_user.id:
        # A late repeat of a submit that went through (a reviewer may even have sent it
        # back since): say so, rather than submit the same text again.
        flash(_("Version %(number)d was already submitted.",
                number=translation.versions[-1].number) + " " + where_the_work_is(translation),
              "info")
        return redirect(url_for(".editor", translation_id=translation.id), 303)
    if can_edit(current_user, translation):
        refused = _refuse_too_long(translation)
        if refused is not None:
            return refused
        conflicts = _save_edits(translation)
        # Commit the text now, so a refused submit (a paragraph missing) keeps it.
        db.session.commit()
        if conflicts:
            return _refuse_conflicts(translation, conflicts)
    try:
        version = submit_translation(current_user, translation)
    except AlreadyDone as done:
        flash(done.message, "info")
        return redirect(url_for(".home"), 303)
    except UnfinishedTranslation as unfinished:
        # Back to the editor, with the first paragraph to fix in focus.
        flash(unfinished.message, "error")
        return redirect(url_for(".editor", translation_id=translation.id,
                                focus=unfinished.first, _anchor=f"segment-{unfinished.first}"),
                        303)
    db.session.commit()
    flash(_("Version %(number)d of “%(title)s” (%(language)s) is waiting for a reviewer.",
            number=version.number, title=translation.statement.current_revision.title,
            language=autonym(translation.language_tag)), "success")
    return redirect(url_for(".home"), 303)


@bp.get("/versions/<int:version_id>")
def review(version_id: int):
    """A version beside its source, with what changed since the previous version."""
    version = db.get_or_404(Version, version_id)
    return _review_page(version, DecisionForm(back=_back(".review", version_id=version.id)))


def _review_page(version: Version, form: DecisionForm):
    """The version read-only, its history and review conversation; the decision for reviewers."""
    translation = version.translation
    if not can_read_translation(current_user, translation):
        abort(403)
    return render_template(
        "desk/review.html", version=version, translation=translation,
        statement=translation.statement, rows=review_rows(version),
        may_review=can_review(current_user, version), form=form,
        conversation=conversation(translation), notes=request.form if form.errors else {},
    )


@bp.post("/versions/<int:version_id>/decision")
def decide(version_id: int):
    """Approve a version or send it back; the workflow refuses authors and non-reviewers."""
    version = db.get_or_404(Version, version_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        if form.comment.errors:  # too long: shown again as typed, with the limit
            return _review_page(version, form), 400
        flash(_("Choose “Approve” or “Request changes”."), "error")
        return redirect(url_for(".review", version_id=version.id), 303)
    translation = version.translation
    values = {"number": version.number, "title": translation.statement.current_revision.title,
              "language": autonym(translation.language_tag)}
    if form.decision.data == "approve":
        approve_version(current_user, version, form.comment.data or "")
        if translation.state == TranslationState.PUBLISHED:
            message = _("You approved version %(number)d of “%(title)s” (%(language)s). It "
                        "corrects the published text, so readers see it now.", **values)
        else:
            message = _("You approved version %(number)d of “%(title)s” (%(language)s).",
                        **values)
    else:
        request_changes(current_user, version, form.comment.data or "",
                        paragraph_comments=paragraph_notes(
                            request.form, [part.position for part in version.segments]))
        message = _("Version %(number)d of “%(title)s” (%(language)s) went back to its "
                    "translator with your comment.", **values)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".home"), 303)


@bp.post("/reports/<int:report_id>/resolve", endpoint="resolve_report")
def resolve(report_id: int):
    """Mark a reader's problem report as dealt with."""
    report = db.get_or_404(ProblemReport, report_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        resolve_report(current_user, report)
        db.session.commit()
        flash(_("Report marked as resolved."), "success")
    return redirect(url_for(".home"), 303)


def _paragraph_choices(translation: Translation) -> list[tuple[str, str]]:
    """The published paragraphs to point a correction at, by segment key."""
    choices = [("", _("No paragraph in particular"))]
    version = latest_version(translation)
    seen = set()
    for number, part in enumerate(version.segments if version else [], start=1):
        if part.segment_key not in seen:
            seen.add(part.segment_key)
            text = " ".join(part.text.split())
            choices.append((part.segment_key,
                            f"{number}. {text[:69] + '…' if len(text) > 70 else text}"))
    return choices


@bp.route("/translations/<int:translation_id>/correction", methods=["GET", "POST"],
          endpoint="open_correction")
def correct(translation_id: int):
    """Open a published translation again to fix a mistake; readers keep the old text."""
    translation = db.get_or_404(Translation, translation_id)
    if not can_open_correction(current_user, translation):
        abort(403)
    form = CorrectionForm(back=_back(".editor", translation_id=translation.id))
    form.segment.choices = _paragraph_choices(translation)
    if form.validate_on_submit():
        report = None
        if (form.report.data or "").isdigit():
            report = db.session.get(ProblemReport, int(form.report.data))
            if report is None or report.statement_id != translation.statement_id or \
                    report.language_tag != translation.language_tag:
                refuse(400, _("That report is not about this translation."))
        keys = {value for value, _label in form.segment.choices if value}
        segment_key = form.segment.data if form.segment.data in keys else None
        try:
            open_correction(current_user, translation, report=report, segment_key=segment_key,
                            note=form.note.data or "")
        except AlreadyDone as done:
            db.session.commit()  # a further report was linked to the open correction
            flash(done.message, "info")
            return redirect(safe_next(form.back.data or "", url_for(
                ".editor", translation_id=translation.id)), 303)
        db.session.commit()
        flash(_("A correction of “%(title)s” (%(language)s) is open. Readers keep seeing the "
                "published text until the corrected version is approved.",
                title=translation.statement.current_revision.title,
                language=autonym(translation.language_tag)), "success")
        if can_translate(current_user, translation.language_tag):
            return redirect(url_for(".claim", translation_id=translation.id), 303)
        return redirect(url_for(".editor", translation_id=translation.id), 303)
    if form.is_submitted():
        return render_template("desk/correction.html", translation=translation,
                               statement=translation.statement, form=form), 400
    if translation.state != TranslationState.PUBLISHED:
        # Nothing to open (a repeat, or already open): say where the work is.
        flash(_("This translation is not published now, so there is nothing to correct: it "
                "is %(state)s.", state=translation.state.title.lower()), "info")
        return redirect(url_for(".editor", translation_id=translation.id), 303)
    return render_template("desk/correction.html", translation=translation,
                           statement=translation.statement, form=form)
