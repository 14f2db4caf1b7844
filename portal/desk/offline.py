"""Views for translating offline: download the work as XLIFF or PO, upload it back.

Only the claimant of an active claim downloads and uploads. An upload is size-limited
(413 before it is read), parsed with no DTD, entities or network (portal.exchange), and
goes into the drafts through the autosave's own rule: a paragraph saved since the file
was made is never overwritten, the person chooses per paragraph.
"""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from portal.desk import bp
from portal.desk.forms import MAX_SEGMENT_LENGTH, ConfirmForm
from portal.desk.routes import KIND_LABELS
from portal.exchange.offline import (
    FORMATS,
    WRITERS,
    FileIdentity,
    OfflineFileError,
    export_units,
    read_offline_file,
)
from portal.extensions import db
from portal.inputs import refuse
from portal.models import Translation
from portal.workflow import drafts_by_key
from portal.workflow.offline import import_offline_file, take_file_texts
from portal.workflow.permissions import can_edit


def _identity(translation: Translation) -> FileIdentity:
    statement = translation.statement
    return FileIdentity(statement.slug, statement.source_language_tag,
                        translation.language_tag)


def _claimant_only(translation_id: int) -> Translation:
    translation = db.get_or_404(Translation, translation_id)
    if not can_edit(current_user, translation):
        abort(403)
    return translation


@bp.get("/translations/<int:translation_id>/offline/<any(xliff12, xliff20, po):fmt>",
        endpoint="download_offline")
def download(translation_id: int, fmt: str):
    """The claimed work as a file for a translation tool, drafts included."""
    translation = _claimant_only(translation_id)
    units = export_units(translation.statement.current_revision.segments,
                         drafts_by_key(translation))
    labels = {kind: str(label) for kind, label in KIND_LABELS.items()}
    data = WRITERS[fmt](_identity(translation), units, labels)
    extension, media_type, _name = FORMATS[fmt]
    suffix = ".xliff2" if fmt == "xliff20" else ""
    filename = f"{translation.statement.slug}.{translation.language_tag}{suffix}.{extension}"
    return data, 200, {"Content-Type": f"{media_type}; charset=utf-8",
                       "Content-Disposition": f'attachment; filename="{filename}"'}


def _read_upload(translation: Translation):
    """The uploaded file's bytes, refused with 413 or 400 before anything is parsed."""
    limit = current_app.config["OFFLINE_UPLOAD_BYTES"]
    too_large = _("The file is larger than the portal accepts (%(size)d kB).",
                  size=limit // 1000)
    if (request.content_length or 0) > limit + 64_000:  # room for the form around it
        request.close()  # the upload's temporary file, if the CSRF check spooled one
        refuse(413, too_large)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        refuse(400, _("Choose a file to upload: XLIFF or PO, as downloaded from this page."))
    data = upload.stream.read(limit + 1)
    request.close()
    if len(data) > limit:
        refuse(413, too_large)
    return data


@bp.post("/translations/<int:translation_id>/offline", endpoint="upload_offline")
def upload(translation_id: int):
    """Bring a translated file back into the drafts; say what came in and what did not."""
    translation = _claimant_only(translation_id)
    data = _read_upload(translation)
    try:
        offline = read_offline_file(data)
    except OfflineFileError as error:
        if error.line:
            refuse(400, _("The file could not be read (line %(line)d: %(problem)s). Nothing "
                          "was saved.", line=error.line, problem=error.problem))
        refuse(400, _("The file could not be read (%(problem)s). Nothing was saved.",
                      problem=error.problem))
    identity = _identity(translation)
    if offline.original is not None and offline.original != identity.original:
        refuse(400, _("This file is for other work (%(file)s), not for this translation "
                      "(%(this)s). Nothing was saved.", file=offline.original,
                      this=identity.original))
    report = import_offline_file(current_user, translation, offline, MAX_SEGMENT_LENGTH)
    db.session.commit()
    return render_template("desk/offline_result.html", translation=translation,
                           statement=translation.statement, report=report,
                           conflicts=report.conflicts,
                           form=ConfirmForm(back=url_for(".editor",
                                                         translation_id=translation.id)))


@bp.post("/translations/<int:translation_id>/offline/conflicts", endpoint="resolve_offline")
def resolve(translation_id: int):
    """Settle an upload's conflicts: per paragraph, keep the saved text or take the file's."""
    translation = _claimant_only(translation_id)
    choices, kept = [], 0
    for key in request.form.getlist("key"):
        choice = request.form.get(f"choice-{key}", "")
        if choice not in ("saved", "file"):
            refuse(400, _("Choose, for each paragraph, the saved text or the file's."))
        if choice == "saved":
            kept += 1
            continue
        try:
            revision = int(request.form.get(f"revision-{key}", ""))
        except ValueError:
            refuse(400, _("The form was damaged; upload the file again."))
        text = request.form.get(f"text-{key}", "").replace("\r\n", "\n").strip()
        if not text or len(text) > MAX_SEGMENT_LENGTH:
            refuse(400, _("The form was damaged; upload the file again."))
        choices.append((key, text, revision))
    again = take_file_texts(current_user, translation, choices)
    db.session.commit()
    if again:
        flash(_("Some paragraphs changed again meanwhile; choose once more."), "error")
        return render_template("desk/offline_result.html", translation=translation,
                               statement=translation.statement, report=None, conflicts=again,
                               form=ConfirmForm())
    flash(ngettext("%(num)d paragraph now has the file's text.",
                   "%(num)d paragraphs now have the file's text.",
                   len(choices) - len(again)) + " " +
          ngettext("%(num)d paragraph kept its saved text.",
                   "%(num)d paragraphs kept their saved text.", kept), "success")
    return redirect(url_for(".editor", translation_id=translation.id), 303)
