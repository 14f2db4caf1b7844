"""Views of the translator's aids: memory suggestions, glossaries, machine suggestions.

The editor shows them through `desk/_assist.html` (one include per segment row) and
`static/assist.js`; without the script, every action here is a plain form post.
"""

from dataclasses import dataclass, field

from flask import (
    Response,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_percent, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from portal.assist.exchange import (
    ImportRefused,
    export_csv,
    export_tbx,
    export_tmx,
    import_csv,
    import_tbx,
    import_tmx,
)
from portal.assist.glossary import (
    TermRefused,
    find_terms,
    glossary_warnings,
    mark_terms,
    save_term,
    terms_for,
)
from portal.assist.machine import MachineUnavailable, machine_enabled, machine_translate
from portal.assist.memory import Suggestion, suggestions_for
from portal.desk import bp
from portal.desk.assist_forms import DeleteTermForm, ImportForm, TermForm
from portal.desk.forms import RefusedSave, segment_save
from portal.desk.routes import _refuse_conflicts, _refuse_too_long, _render_editor, _save_edits
from portal.extensions import db
from portal.inputs import refuse
from portal.models import (
    GlossaryTerm,
    Language,
    MemoryEntry,
    Statement,
    Translation,
)
from portal.workflow import StaleDraft, drafts_by_key
from portal.workflow.assist import fill_exact_matches, use_machine_suggestion
from portal.workflow.audit import record_event
from portal.workflow.permissions import (
    can_edit,
    can_import_memory,
    can_keep_glossary,
    can_use_glossary,
    is_coordinator,
)
from portal.workflow.queue import Conflict


@dataclass
class SegmentHelp:
    """What the editor shows beside one segment."""

    suggestions: list[Suggestion] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    terms: list[GlossaryTerm] = field(default_factory=list)
    machine: str | None = None
    machine_error: str | None = None


def _pair_terms(source_tag: str, target_tag: str) -> list[GlossaryTerm]:
    cache = g.setdefault("glossaries", {})
    if (source_tag, target_tag) not in cache:
        cache[source_tag, target_tag] = terms_for(source_tag, target_tag)
    return cache[source_tag, target_tag]


def assist_for(translation: Translation) -> dict[str, SegmentHelp]:
    """Suggestions, glossary terms and warnings per segment key, computed once a request."""
    cache = g.setdefault("assist", {})
    if translation.id in cache:
        return cache[translation.id]
    source_tag, target_tag = translation.statement.source_language_tag, translation.language_tag
    segments = translation.statement.current_revision.segments
    drafts = drafts_by_key(translation)
    terms = _pair_terms(source_tag, target_tag)
    found = suggestions_for([segment.text for segment in segments], source_tag, target_tag) \
        if can_edit(current_user, translation) else {}
    machine = g.get("machine", {})
    help_by_key: dict[str, SegmentHelp] = {}
    for segment in segments:
        if segment.key in help_by_key:
            continue
        draft = drafts.get(segment.key)
        help_by_key[segment.key] = SegmentHelp(
            suggestions=found.get(" ".join(segment.text.split()), []),
            warnings=glossary_warnings(segment.text, draft.text if draft else "", terms,
                                       source_tag, target_tag),
            terms=list(dict.fromkeys(match.term for match in
                                     find_terms(segment.text, terms, source_tag))),
            machine=machine.get(segment.key, (None, None))[0],
            machine_error=machine.get(segment.key, (None, None))[1])
    cache[translation.id] = help_by_key
    return help_by_key


def segment_warnings(translation: Translation) -> dict[str, list[str]]:
    """The glossary check of a translation's drafts: warnings per segment key."""
    return {key: item.warnings for key, item in assist_for(translation).items()
            if item.warnings}


@bp.app_template_filter("glossary_marks")
def glossary_marks(html, translation: Translation):
    """Mark the glossary terms of the translation's language pair in source text or HTML."""
    source_tag = translation.statement.source_language_tag
    return mark_terms(html, _pair_terms(source_tag, translation.language_tag), source_tag)


@bp.context_processor
def _assist_helpers():
    return {"assist_for": assist_for, "machine_enabled": machine_enabled,
            "score_label": lambda score: format_percent(score / 100)}


# --- the editor's aids ---------------------------------------------------------------------

def _editable(translation_id: int) -> Translation:
    translation = db.get_or_404(Translation, translation_id)
    if not can_edit(current_user, translation):
        abort(403)
    return translation


def _wants_json() -> bool:
    return request.is_json


@bp.post("/translations/<int:translation_id>/fill-exact")
def fill_exact(translation_id: int):
    """Fill empty paragraphs with exact matches from the memory; typed text is saved first."""
    translation = _editable(translation_id)
    refused = _refuse_too_long(translation)
    if refused is not None:
        return refused
    conflicts = _save_edits(translation)
    filled, stale = fill_exact_matches(current_user, translation, _posted_revisions(translation))
    db.session.commit()
    if conflicts:
        return _refuse_conflicts(translation, conflicts)
    if filled:
        flash(ngettext("%(num)d empty paragraph was filled with its exact match from the "
                       "memory.",
                       "%(num)d empty paragraphs were filled with their exact matches from the "
                       "memory.", filled), "success")
    elif not stale:
        flash(_("Nothing to fill: no empty paragraph has an exact match in the memory."),
              "info")
    if stale:
        flash(ngettext("%(num)d paragraph was left as it is: it was saved elsewhere in the "
                       "meantime.",
                       "%(num)d paragraphs were left as they are: they were saved elsewhere "
                       "in the meantime.", stale), "info")
    return redirect(url_for(".editor", translation_id=translation.id), 303)


def _posted_revisions(translation: Translation) -> dict[str, int]:
    """The draft revisions the posted page was loaded with, per segment key."""
    revisions = {}
    for segment in translation.statement.current_revision.segments:
        value = request.form.get(f"revision-{segment.key}")
        if value is not None and value.isdigit():
            revisions[segment.key] = int(value)
    return revisions


def _segment_text(translation: Translation, key: str) -> str:
    for segment in translation.statement.current_revision.segments:
        if segment.key == key:
            return segment.text
    abort(404)


@bp.post("/translations/<int:translation_id>/segments/<key>/machine")
def machine_suggestion(translation_id: int, key: str):
    """Ask the machine translation server for one segment; shown, labelled, never filled."""
    translation = _editable(translation_id)
    if not machine_enabled():
        abort(404)
    source = _segment_text(translation, key)
    try:
        suggestion, error = machine_translate(source, translation.statement.source_language_tag,
                                              translation.language_tag), None
    except MachineUnavailable as unavailable:
        suggestion, error = None, str(unavailable)
    if _wants_json():
        if error:
            return jsonify(error={"status": 502, "detail": error}), 502
        return jsonify(text=suggestion, label=_("Machine translation"))
    # Without the script: keep what was typed, then show the page with the suggestion.
    conflicts = _save_edits(translation)
    db.session.commit()
    g.machine = {key: (suggestion, error)}
    return _render_editor(translation, conflicts)


@bp.post("/translations/<int:translation_id>/segments/<key>/machine/use")
def use_machine(translation_id: int, key: str):
    """Put the machine suggestion in the paragraph, recorded as machine output."""
    translation = _editable(translation_id)
    if not machine_enabled():
        abort(404)
    _segment_text(translation, key)
    if _wants_json():
        try:
            text, revision = segment_save(request.get_data(cache=False))
        except RefusedSave as refused:
            refuse(400, str(refused))
        try:
            draft = use_machine_suggestion(current_user, translation, key, text, revision)
        except StaleDraft as stale:
            return jsonify(current_text=stale.current_text,
                           current_revision=stale.current_revision,
                           error={"status": 409, "detail": str(stale.message)}), 409
        db.session.commit()
        return jsonify(revision=draft.revision, text=draft.text)
    text = request.form.get(f"machine-text-{key}", "").strip()
    if not text:
        refuse(400, _("There is no machine suggestion to use. Ask for one first."))
    conflicts = _save_edits(translation)
    if key not in conflicts:
        # The paragraph as this page showed it, or as it was just saved from this page: the
        # translator chose to replace it. Anything saved elsewhere meanwhile is kept.
        revision = _posted_revisions(translation).get(key, -1)
        draft = drafts_by_key(translation).get(key)
        typed = request.form.get(f"text-{key}", "").replace("\r\n", "\n")
        if draft is not None and draft.text == typed:
            revision = draft.revision
        try:
            use_machine_suggestion(current_user, translation, key, text, revision)
        except StaleDraft as stale:
            conflicts[key] = Conflict(typed, stale.current_text, stale.current_revision)
    db.session.commit()
    if conflicts:
        return _refuse_conflicts(translation, conflicts)
    flash(_("The machine suggestion is in the paragraph, marked as machine output. Check "
            "every word."), "success")
    return redirect(url_for(".editor", translation_id=translation.id) + f"#text-{key}", 303)


# --- glossaries and memories -----------------------------------------------------------------

def _pair(source: str, target: str) -> tuple[str, str]:
    """The two tags, if both are languages set up here and differ; else 404."""
    if source == target:
        abort(404)
    known = set(db.session.scalars(select(Language.tag).where(Language.tag.in_(
        [source, target]))))
    if known != {source, target}:
        abort(404)
    return source, target


def _my_target_tags() -> list[str]:
    if is_coordinator(current_user):
        return list(db.session.scalars(select(Language.tag).where(Language.enabled)
                                       .order_by(Language.tag)))
    return sorted({skill.language_tag for skill in current_user.skills
                   if skill.can_translate or skill.can_review})


def _source_tags() -> list[str]:
    tags = set(db.session.scalars(select(Statement.source_language_tag).distinct()))
    return sorted(tags or {current_app.config["DEFAULT_LANGUAGE"]})


@bp.get("/glossaries")
def glossaries():
    """The glossaries and memories of the language pairs I work in, with their sizes."""
    targets, sources = _my_target_tags(), _source_tags()
    pairs = [(source, target) for target in targets for source in sources if source != target]
    terms = dict(((row.source_language_tag, row.target_language_tag), row.count)
                 for row in db.session.execute(
                     select(GlossaryTerm.source_language_tag, GlossaryTerm.target_language_tag,
                            func.count().label("count"))
                     .group_by(GlossaryTerm.source_language_tag,
                               GlossaryTerm.target_language_tag)))
    memory = dict(((row.source_language_tag, row.target_language_tag), row.count)
                  for row in db.session.execute(
                      select(MemoryEntry.source_language_tag, MemoryEntry.target_language_tag,
                             func.count().label("count"))
                      .group_by(MemoryEntry.source_language_tag,
                                MemoryEntry.target_language_tag)))
    return render_template("desk/glossaries.html", pairs=pairs, terms=terms, memory=memory,
                           may_import_memory=can_import_memory(current_user),
                           form=ImportForm())


@bp.route("/glossaries/<source>/<target>", methods=["GET", "POST"])
def glossary(source: str, target: str):
    """A language pair's glossary; its reviewers and coordinators add and change terms."""
    source, target = _pair(source, target)
    if not can_use_glossary(current_user, target):
        abort(403)
    form = TermForm()
    if request.method == "POST":
        if not can_keep_glossary(current_user, target):
            abort(403)
        if form.validate_on_submit():
            try:
                term, created = save_term(current_user, source, target, form.term.data,
                                          form.translation.data, form.note.data or "",
                                          form.part_of_speech.data)
            except TermRefused as refused:
                form.term.errors = [*form.term.errors, str(refused)]
            else:
                record_event(current_user, "glossary.add" if created else "glossary.update",
                             detail=f"{source}>{target}: {term.term}")
                db.session.commit()
                flash(_("“%(term)s” → “%(translation)s” is in the glossary.", term=term.term,
                        translation=term.translation), "success")
                return redirect(url_for(".glossary", source=source, target=target), 303)
        return _glossary_page(source, target, form), 400
    return _glossary_page(source, target, form)


def _glossary_page(source: str, target: str, form: TermForm):
    return render_template("desk/glossary.html", source=source, target=target,
                           terms=terms_for(source, target), form=form,
                           may_keep=can_keep_glossary(current_user, target),
                           import_form=ImportForm(), delete_form=DeleteTermForm())


@bp.post("/glossaries/<source>/<target>/terms/<int:term_id>/delete")
def delete_term(source: str, target: str, term_id: int):
    """Remove a term; removing one already removed says so."""
    source, target = _pair(source, target)
    if not can_keep_glossary(current_user, target):
        abort(403)
    form = DeleteTermForm()
    if not form.validate_on_submit():
        abort(400)
    term = db.session.get(GlossaryTerm, term_id)
    if term is None or (term.source_language_tag, term.target_language_tag) != (source, target):
        flash(_("This term was already removed from the glossary."), "info")
        return redirect(url_for(".glossary", source=source, target=target), 303)
    record_event(current_user, "glossary.remove", detail=f"{source}>{target}: {term.term}")
    db.session.delete(term)
    db.session.commit()
    flash(_("“%(term)s” was removed from the glossary.", term=term.term), "success")
    return redirect(url_for(".glossary", source=source, target=target), 303)


def _download(data, name: str, mimetype: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@bp.get("/glossaries/<source>/<target>/glossary.<any(tbx, csv):fmt>")
def export_glossary(source: str, target: str, fmt: str):
    """The glossary as TBX or CSV, for CAT tools and spreadsheets."""
    source, target = _pair(source, target)
    if not can_use_glossary(current_user, target):
        abort(403)
    name = f"glossary-{source}-{target}.{fmt}"
    if fmt == "tbx":
        return _download(export_tbx(source, target), name, "application/x-tbx")
    return _download(export_csv(source, target), name, "text/csv; charset=utf-8")


def _uploaded() -> tuple[bytes, str]:
    form = ImportForm()
    if not form.validate_on_submit():
        refuse(400, _("Choose a file to import."))
    upload = form.file.data
    limit = current_app.config["MAX_IMPORT_BYTES"]
    data = upload.stream.read(limit + 1)
    return data, (upload.filename or "").lower()


def _report(report, what: str) -> None:
    flash(_("%(what)s: %(added)d added, %(updated)d updated, %(skipped)d skipped.",
            what=what, added=report.added, updated=report.updated,
            skipped=report.skipped_count), "success")
    for reason in report.skipped:
        flash(reason, "info")


@bp.post("/glossaries/<source>/<target>/import")
def import_glossary(source: str, target: str):
    """Add or update terms from a TBX or CSV file; reports what was added and skipped."""
    source, target = _pair(source, target)
    if not can_keep_glossary(current_user, target):
        abort(403)
    data, name = _uploaded()
    limit = current_app.config["MAX_IMPORT_BYTES"]
    try:
        if name.endswith(".csv") or not data.lstrip()[:1] == b"<":
            report = import_csv(current_user, data, source, target, limit)
        else:
            report = import_tbx(current_user, data, source, target, limit)
    except ImportRefused as refused:
        db.session.rollback()
        refuse(400, str(refused))
    record_event(current_user, "glossary.import",
                 detail=f"{source}>{target}: {report.added} added, {report.updated} updated")
    db.session.commit()
    _report(report, _("Glossary import"))
    return redirect(url_for(".glossary", source=source, target=target), 303)


@bp.get("/memories/<source>/<target>/memory.tmx")
def export_memory(source: str, target: str):
    """The translation memory of a language pair as TMX."""
    source, target = _pair(source, target)
    if not can_use_glossary(current_user, target):
        abort(403)
    return _download(export_tmx(source, target), f"memory-{source}-{target}.tmx",
                     "application/x-tmx+xml")


@bp.post("/memories/<source>/<target>/import")
def import_memory(source: str, target: str):
    """Add a TMX file's units to a language pair's memory (coordinators)."""
    source, target = _pair(source, target)
    if not can_import_memory(current_user):
        abort(403)
    data, _name = _uploaded()
    try:
        report = import_tmx(data, source, target, current_app.config["MAX_IMPORT_BYTES"])
    except ImportRefused as refused:
        db.session.rollback()
        refuse(400, str(refused))
    record_event(current_user, "memory.import",
                 detail=f"{source}>{target}: {report.added} added")
    db.session.commit()
    _report(report, _("Memory import"))
    return redirect(url_for(".glossaries"), 303)

