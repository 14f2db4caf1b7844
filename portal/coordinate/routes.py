"""Views of the coordinate blueprint: thin — load, check, validate, call the workflow."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.coordinate import bp
from portal.coordinate.forms import (
    ROLE_TITLES,
    AuditFilterForm,
    CorrectionsForm,
    InviteForm,
    NewStatementForm,
    OrganizationForm,
    PersonActionForm,
    ReleaseForm,
    SkillsForm,
    StatementForm,
    UnpublishForm,
    coordinator_zone,
    language_label,
    to_utc,
    today_in,
)
from portal.dates import moment_text
from portal.extensions import db
from portal.inputs import page_number, refuse
from portal.models import (
    AuditEvent,
    Edition,
    Invitation,
    Language,
    Organization,
    Publication,
    Release,
    Review,
    Role,
    SourceRevision,
    Statement,
    Translation,
    TranslationState,
    User,
    Version,
    utcnow,
)
from portal.models.languages import autonym
from portal.urls import links_to
from portal.visibility import (
    enabled_languages,
    newest_edition,
    not_yet_readable,
    readers_see,
    scheduled_at,
    scheduled_times,
)
from portal.workflow import (
    AlreadyDone,
    WorkflowError,
    create_statement,
    release_statement,
    revise_source,
    unpublish,
    update_statement_details,
)
from portal.workflow.accounts import invite_person
from portal.workflow.corrections import set_corrections_need_release
from portal.workflow.locks import lock
from portal.workflow.organizations import (
    create_organization,
    demanded_languages,
    update_organization,
)
from portal.workflow.people import (
    deactivate_person,
    may_manage,
    reactivate_person,
    set_person_details,
)
from portal.workflow.permissions import claim_is_active, is_coordinator, latest_version
from portal.workflow.releases import check_not_released, check_not_withdrawn
from portal.workflow.tallies import state_totals

# The key under which progress totals count published translations readers cannot see yet.
SCHEDULED = "scheduled"
AUDIT_PER_PAGE = 50
STATEMENTS_PER_PAGE = 50
PROGRESS_PER_PAGE = 25
MAX_FILTER_TEXT = 200
DEADLINE_FILTERS = {
    "overdue": _l("Overdue"),
    "week": _l("Due within 7 days"),
    "none": _l("No deadline"),
}


@bp.before_request
@login_required
def _coordinators_only():
    """Every page here is for coordinators: strangers sign in first, others get 403."""
    if not is_coordinator(current_user):
        abort(403)


@bp.context_processor
def _template_helpers():
    # Error pages render here for anyone (a refused CSRF token comes before sign-in).
    zone = coordinator_zone().key if current_user.is_authenticated else "UTC"
    return {"local_time": local_time, "zone_name": zone,
            "role_title": lambda role: ROLE_TITLES[Role(role)], "language_label": language_label,
            "state_title": _state_title, "TranslationState": TranslationState,
            "may_manage": may_manage, "scheduled_title": scheduled_title}


def local_time(moment) -> str:
    """A UTC moment as the coordinator reads it (Flask-Babel uses their zone and language)."""
    return "" if moment is None else moment_text(moment)


def scheduled_title(moment) -> str:
    """"Scheduled (date, time, zone)": released, but readers do not see it until then."""
    return _("Scheduled (%(time)s, %(zone)s)", time=moment_text(moment),
             zone=coordinator_zone().key)


def _state_title(value) -> str:
    try:
        return TranslationState(value).title
    except ValueError:  # audit events may name states that no longer exist
        return value or ""


# --- statements ---------------------------------------------------------------------------

@bp.get("/")
def statements():
    """Statements, newest first, a page at a time; the page's translations counted by state.

    Three queries whatever the archive: how many match, the page, its counts by state.
    """
    text = _filter_text()
    page = page_number()
    conditions = _text_conditions(text)
    total = _statement_count(conditions, titled=bool(text))
    pages = _page_count(total, STATEMENTS_PER_PAGE)
    if page < 1 or page > pages:
        abort(404)
    rows = _statement_rows(conditions, page, STATEMENTS_PER_PAGE)
    ids = [statement.id for statement, _title in rows]
    return render_template(
        "coordinate/statements.html", rows=rows,
        counts=_state_counts(ids), scheduled=_scheduled_by_statement(ids),
        states=list(TranslationState), page=page, pages=pages, total=total, text=text,
        max_text=MAX_FILTER_TEXT, filters={"q": text} if text else {},
    )


@bp.route("/statements/new", methods=["GET", "POST"])
def new_statement():
    """Write a new statement and choose its target languages."""
    form = NewStatementForm(languages=_enabled_tags(),
                            data=_new_statement_defaults() if request.method == "GET" else None)
    if form.validate_on_submit():
        statement = create_statement(
            current_user, slug=form.slug.data, source_language=form.source_language.data,
            statement_date=form.statement_date.data, title=form.title.data,
            summary=form.summary.data, body=form.body.data,
            target_languages=form.target_languages.data, deadline=to_utc(form.deadline.data),
            guidance=form.guidance.data or "")
        db.session.commit()
        flash(_("Statement %(slug)s created with %(count)d target languages.",
                slug=statement.slug, count=_target_count(statement)), "success")
        return redirect(url_for(".edit_statement", statement_id=statement.id), 303)
    return render_template("coordinate/statement_form.html", form=form,
                           statement=None), _status(form)


@bp.route("/statements/<int:statement_id>/edit", methods=["GET", "POST"])
def edit_statement(statement_id):
    """Change a statement's text, date, deadline or targets."""
    statement = db.get_or_404(Statement, statement_id)
    form = StatementForm(languages=_target_choices(statement),
                         data=_statement_values(statement) if request.method == "GET" else None)
    if form.validate_on_submit():
        outdated_before = _needing_update(statement)
        try:
            update_statement_details(
                current_user, statement, statement_date=form.statement_date.data,
                deadline=to_utc(form.deadline.data), target_languages=form.target_languages.data,
                guidance=form.guidance.data or "")
            revision = revise_source(current_user, statement, form.title.data,
                                     form.summary.data, form.body.data)
        except WorkflowError as error:
            return _refused(error, "coordinate/statement_form.html", form=form,
                            statement=statement)
        db.session.commit()
        flash(_revision_message(revision, _needing_update(statement) - outdated_before),
              "success")
        return redirect(url_for(".edit_statement", statement_id=statement.id), 303)
    return render_template("coordinate/statement_form.html", form=form,
                           statement=statement), _status(form)


@bp.route("/statements/<int:statement_id>/release", methods=["GET", "POST"])
def release(statement_id):
    """Publish the source and chosen approved translations, now or at a time."""
    statement = db.get_or_404(Statement, statement_id)
    if request.method == "POST":
        lock(statement)  # a twin request waits here, then finds the release made
        try:
            check_not_released(statement, _posted_ids("versions"))
        except AlreadyDone as done:
            flash(done.message, "info")
            return redirect(url_for(".release", statement_id=statement.id), 303)
    approved = _approved_versions(statement)
    form = _release_form(approved, submitted=request.method == "POST")
    if form.validate_on_submit():
        chosen = [approved[version_id] for version_id in form.versions.data]
        release_at = form.release_time()
        try:
            release_statement(current_user, statement, chosen, release_at, form.note.data)
        except WorkflowError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return _release_page(statement, form, _unpublish_form(statement, False),
                                 error.status)
        db.session.commit()
        flash(_release_message(statement, chosen, release_at), "success")
        return redirect(url_for(".release", statement_id=statement.id), 303)
    return _release_page(statement, form, _unpublish_form(statement, False), _status(form))


@bp.post("/statements/<int:statement_id>/unpublish", endpoint="unpublish")
def withdraw(statement_id):
    """Take one language of a statement away from readers, with a reason."""
    statement = db.get_or_404(Statement, statement_id)
    lock(statement)
    form = _unpublish_form(statement, True)
    if form.language.data not in {choice.value for choice in form.language.choices}:
        try:  # a repeat: the language is no longer offered because it is already withdrawn
            check_not_withdrawn(statement, form.language.data or "")
        except AlreadyDone as done:
            flash(done.message, "info")
            return redirect(url_for(".release", statement_id=statement.id), 303)
    if form.validate_on_submit():
        try:
            unpublish(current_user, statement, form.language.data, form.reason.data)
        except WorkflowError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return _release_page(statement, _release_form(_approved_versions(statement), False),
                                 form, error.status)
        db.session.commit()
        flash(_("%(language)s was unpublished.", language=autonym(form.language.data)),
              "success")
        return redirect(url_for(".release", statement_id=statement.id), 303)
    return _release_page(statement, _release_form(_approved_versions(statement), False),
                         form, 400)


@bp.post("/statements/<int:statement_id>/corrections", endpoint="corrections")
def corrections_setting(statement_id):
    """Choose whether approved corrections go live at once or wait for a release."""
    statement = db.get_or_404(Statement, statement_id)
    form = CorrectionsForm()
    if not form.validate_on_submit():
        refuse(400, _("Choose how corrections are released."))
    required = form.corrections.data == "release"
    changed = set_corrections_need_release(current_user, statement, required)
    db.session.commit()
    if required:
        message = _("Approved corrections of this statement now wait for your release.")
    else:
        message = _("Approved corrections of this statement now go live at once.")
    flash(message if changed else _("Nothing changed: %(setting)s",
                                    setting=message[0].lower() + message[1:]),
          "success" if changed else "info")
    return redirect(url_for(".release", statement_id=statement.id), 303)


@bp.get("/progress")
def progress():
    """Statements × enabled languages, a page at a time: where the work is.

    Filtered by language (one column: a list that fits a phone), by state and by deadline;
    a fixed number of queries whatever the archive, the totals one GROUP BY.
    """
    languages = enabled_languages()
    choice = _progress_filter({language.tag for language in languages})
    page = page_number()
    if page < 1:
        abort(404)
    return render_template("coordinate/progress.html",
                           progress=_progress(languages, choice, page), choice=choice,
                           filters=choice.arguments(), deadline_filters=DEADLINE_FILTERS,
                           state_titles={state: str(state.title) for state in TranslationState},
                           total_states=_total_states(),
                           translation_url=links_to("coordinate.translation", "translation_id",
                                                    absolute=False))


def _total_states() -> list[tuple[str, str]]:
    """The rows of the progress totals: each state, and "Scheduled" after "Published"."""
    rows = []
    for state in TranslationState:
        rows.append((state.value, state.title))
        if state == TranslationState.PUBLISHED:
            rows.append((SCHEDULED, _("Scheduled (not yet readable)")))
    return rows


@bp.get("/translations/<int:translation_id>")
def translation(translation_id):
    """One cell of the matrix: the translation's state, claimant, deadline and versions."""
    translation = db.get_or_404(Translation, translation_id)
    versions = db.session.scalars(
        select(Version).where(Version.translation_id == translation.id)
        .options(joinedload(Version.created_by), joinedload(Version.source_revision),
                 selectinload(Version.reviews).joinedload(Review.reviewer))
        .order_by(Version.number.desc())).all()
    return render_template("coordinate/translation.html", translation=translation,
                           statement=translation.statement, versions=versions,
                           claim_active=claim_is_active(translation, utcnow()))


# --- organizations ------------------------------------------------------------------------

@bp.get("/organizations")
def organizations():
    """Every member organization and the languages it needs."""
    found = db.session.scalars(select(Organization).options(selectinload(Organization.languages))
                               .order_by(func.lower(Organization.name))).all()
    return render_template("coordinate/organizations.html", organizations=found,
                           territories=get_locale().territories)


@bp.route("/organizations/new", methods=["GET", "POST"])
def new_organization():
    """Add a member organization."""
    form = OrganizationForm(languages=_enabled_tags())
    if form.validate_on_submit():
        try:
            organization = create_organization(current_user, **_organization_values(form))
        except WorkflowError as error:
            return _refused(error, "coordinate/organization_form.html", form=form,
                            organization=None)
        db.session.commit()
        flash(_("%(name)s was added.", name=organization.name), "success")
        return redirect(url_for(".organizations"), 303)
    return render_template("coordinate/organization_form.html", form=form,
                           organization=None), _status(form)


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
def edit_organization(organization_id):
    """Change a member organization."""
    organization = db.get_or_404(Organization, organization_id)
    tags = {*_enabled_tags(), *(language.tag for language in organization.languages)}
    form = OrganizationForm(languages=tags, data=_organization_data(organization)
                            if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            update_organization(current_user, organization, **_organization_values(form))
        except WorkflowError as error:
            return _refused(error, "coordinate/organization_form.html", form=form,
                            organization=organization)
        db.session.commit()
        flash(_("%(name)s was saved.", name=organization.name), "success")
        return redirect(url_for(".organizations"), 303)
    return render_template("coordinate/organization_form.html", form=form,
                           organization=organization), _status(form)


# --- people -------------------------------------------------------------------------------

@bp.get("/people")
def people():
    """Everyone with an account, their languages, and the invitations still open."""
    users = db.session.scalars(select(User).options(selectinload(User.skills))
                               .order_by(func.lower(User.display_name), User.id)).all()
    invitations = db.session.scalars(
        select(Invitation).options(joinedload(Invitation.invited_by))
        .where(Invitation.accepted_at.is_(None), Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at.desc(), Invitation.id.desc())).all()
    return render_template("coordinate/people.html", users=users, invitations=invitations,
                           action_form=PersonActionForm(back=url_for(".people")))


@bp.route("/people/invite", methods=["GET", "POST"])
def invite():
    """Invite someone by e-mail, with a role and languages."""
    form = InviteForm(languages=_enabled_tags(), all_roles=current_user.role == Role.ADMIN)
    if form.validate_on_submit():
        try:
            invite_person(current_user, email=form.email.data, **form.workflow_values())
        except WorkflowError as error:
            return _refused(error, "coordinate/invite.html", form=form)
        db.session.commit()
        flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
        return redirect(url_for(".people"), 303)
    return render_template("coordinate/invite.html", form=form), _status(form)


@bp.route("/people/<int:user_id>/edit", methods=["GET", "POST"])
def edit_person(user_id):
    """Change a person's role and languages."""
    user = db.get_or_404(User, user_id)
    if not may_manage(current_user, user):
        abort(403)  # coordinators manage volunteers, not administrators or themselves
    tags = {*_enabled_tags(), *(skill.language_tag for skill in user.skills)}
    form = SkillsForm(languages=tags, all_roles=current_user.role == Role.ADMIN,
                      data=_skills_data(user) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            set_person_details(current_user, user, **form.workflow_values())
        except WorkflowError as error:
            return _refused(error, "coordinate/person_form.html", form=form, person=user)
        db.session.commit()
        flash(_("%(name)s was saved.", name=user.display_name), "success")
        return redirect(url_for(".people"), 303)
    return render_template("coordinate/person_form.html", form=form, person=user), \
        _status(form)


@bp.post("/people/<int:user_id>/deactivate", endpoint="deactivate_person")
def deactivate(user_id):
    """Stop someone signing in; refusals come back as a message on the people page."""
    user = db.get_or_404(User, user_id)
    claims = deactivate_person(current_user, user)
    db.session.commit()
    flash(_("%(name)s was deactivated; %(count)d claims went back to the queue.",
            name=user.display_name, count=claims), "success")
    return redirect(url_for(".people"), 303)


@bp.post("/people/<int:user_id>/reactivate", endpoint="reactivate_person")
def reactivate(user_id):
    """Let someone sign in again."""
    user = db.get_or_404(User, user_id)
    reactivate_person(current_user, user)
    db.session.commit()
    flash(_("%(name)s can sign in again.", name=user.display_name), "success")
    return redirect(url_for(".people"), 303)


# --- audit log ----------------------------------------------------------------------------

@bp.get("/audit")
def audit():
    """The audit log, newest first, filtered by statement and by person."""
    statement_titles = dict(_statement_choices())
    form = AuditFilterForm(request.args, statements=statement_titles.items(),
                           people=_people_choices())
    if form.statement.process_errors or form.person.process_errors:
        refuse(400, _("Choose a statement and a person from the lists."))
    page = page_number()
    events, total = _audit_page(form.statement.data, form.person.data, page)
    if page < 1 or (page > 1 and not events):
        abort(404)
    return render_template(
        "coordinate/audit.html", form=form, events=events, page=page,
        pages=max(1, -(-total // AUDIT_PER_PAGE)), statement_titles=statement_titles,
        filters={key: value for key, value in (("statement", form.statement.data),
                                               ("person", form.person.data)) if value},
    )


# --- helpers: reading what the pages show -------------------------------------------------

def _status(form) -> int:
    """400 when a submitted form is shown again because of its errors."""
    return 400 if form.is_submitted() else 200


def _refused(error: WorkflowError, template: str, **context):
    """Show the workflow's refusal on the form that caused it, keeping all that was typed."""
    db.session.rollback()  # nothing half-done may be flushed while the page renders
    flash(str(error.message), "error")
    return render_template(template, **context), error.status


def _enabled_tags() -> list[str]:
    return [language.tag for language in enabled_languages()]


def _new_statement_defaults() -> dict:
    enabled = _enabled_tags()
    default = current_app.config["DEFAULT_LANGUAGE"]
    return {
        "statement_date": today_in(coordinator_zone()),
        "source_language": default if default in enabled else None,
        # The languages member organizations need are what a statement is usually for.
        "target_languages": [tag for tag in demanded_languages() if tag in enabled],
    }


def _target_choices(statement: Statement) -> set[str]:
    """Enabled languages, and any target already set (so saving never drops it unseen)."""
    existing = db.session.scalars(select(Translation.language_tag).where(
        Translation.statement_id == statement.id))
    return ({*_enabled_tags(), *existing}) - {statement.source_language_tag}


def _statement_values(statement: Statement) -> dict:
    revision = statement.current_revision
    return {
        "title": revision.title, "summary": revision.summary, "body": revision.body,
        "statement_date": statement.statement_date, "deadline": statement.deadline,
        "guidance": statement.guidance,
        "target_languages": list(db.session.scalars(select(Translation.language_tag).where(
            Translation.statement_id == statement.id))),
    }


def _target_count(statement: Statement) -> int:
    return db.session.scalar(select(func.count()).select_from(Translation).where(
        Translation.statement_id == statement.id))


def _needing_update(statement: Statement) -> int:
    return db.session.scalar(select(func.count()).select_from(Translation).where(
        Translation.statement_id == statement.id,
        Translation.state == TranslationState.NEEDS_UPDATE))


def _revision_message(revision: SourceRevision | None, outdated: int) -> str:
    if revision is None:
        return _("Saved. No change to the text; translations untouched.")
    return _("Saved as new revision %(number)d: %(count)d translations need an update.",
             number=revision.number, count=outdated)


def _filter_text() -> str:
    """The statements list's text filter; 400 when longer than any slug or title."""
    text = request.args.get("q", "").strip()
    if len(text) > MAX_FILTER_TEXT:
        refuse(400, _("Search with at most %(max)d characters.", max=MAX_FILTER_TEXT))
    return text


def _titled(query):
    """`query` with the title of each statement's current revision at hand."""
    return query.outerjoin(SourceRevision, SourceRevision.id == Statement.current_revision_id)


def _text_conditions(text: str) -> list:
    """Slug or title contains the text, whatever the case (wildcards are taken literally)."""
    if not text:
        return []
    return [or_(Statement.slug.icontains(text, autoescape=True),
                SourceRevision.title.icontains(text, autoescape=True))]


def _page_count(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def _statement_count(conditions: list, titled: bool = False) -> int:
    """Statements matching `conditions`; `titled` when they name the current title."""
    query = select(func.count(Statement.id)).select_from(Statement)
    return db.session.scalar((_titled(query) if titled else query).where(*conditions))


def _statement_rows(conditions: list, page: int, per_page: int) -> list:
    """One page of (Statement, title of its current revision), newest statement first."""
    return db.session.execute(
        _titled(select(Statement, SourceRevision.title)).where(*conditions)
        .order_by(Statement.statement_date.desc(), Statement.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()


def _state_counts(statement_ids: list[int]) -> dict[int, Counter]:
    """{statement id: Counter of states} for these statements only, in one GROUP BY."""
    counts: dict[int, Counter] = {}
    if not statement_ids:
        return counts
    for statement_id, state, count in db.session.execute(
            select(Translation.statement_id, Translation.state, func.count())
            .where(Translation.statement_id.in_(statement_ids))
            .group_by(Translation.statement_id, Translation.state)):
        counts.setdefault(statement_id, Counter())[state] = count
    return counts


def _scheduled_by_statement(statement_ids: list[int]) -> dict[int, Counter]:
    """{statement id: Counter of release times} of the published translations readers
    cannot see yet: shown as "Scheduled (time)" instead of "Published"."""
    now = utcnow()
    times = scheduled_times(statement_ids, now)
    if not times:
        return {}
    published = set(db.session.execute(
        select(Translation.statement_id, Translation.language_tag)
        .where(Translation.statement_id.in_({key[0] for key in times}),
               Translation.state == TranslationState.PUBLISHED)).all())
    result: dict[int, Counter] = {}
    for (statement_id, tag), moment in times.items():
        if (statement_id, tag) in published:
            result.setdefault(statement_id, Counter())[moment] += 1
    return result


def _approved_versions(statement: Statement) -> dict:
    """{version id: Version} of the statement's approved translations, by language."""
    translations = db.session.scalars(
        select(Translation).options(selectinload(Translation.versions))
        .where(Translation.statement_id == statement.id,
               Translation.state == TranslationState.APPROVED)
        .order_by(Translation.language_tag)).all()
    versions = (latest_version(translation) for translation in translations)
    return {version.id: version for version in versions if version is not None}


def _release_form(approved: dict, submitted: bool) -> ReleaseForm:
    """The release form: as posted, or fresh with every approved version checked."""
    choices = [(version_id, autonym(version.translation.language_tag))
               for version_id, version in approved.items()]
    if submitted:
        return ReleaseForm(version_choices=choices)
    return ReleaseForm(formdata=None, version_choices=choices,
                       data={"versions": list(approved)})


def _unpublish_form(statement: Statement, submitted: bool) -> UnpublishForm:
    """Offers the languages with anything released or scheduled and not withdrawn."""
    tags = db.session.scalars(select(Publication.language_tag).distinct().where(
        Publication.statement_id == statement.id, Publication.withdrawn_at.is_(None)))
    if submitted:
        return UnpublishForm(languages=list(tags))
    return UnpublishForm(formdata=None, languages=list(tags))


def _release_page(statement: Statement, form: ReleaseForm, unpublish_form: UnpublishForm,
                  status: int):
    now = utcnow()
    translations = db.session.scalars(
        select(Translation).options(selectinload(Translation.versions))
        .where(Translation.statement_id == statement.id).order_by(Translation.language_tag)).all()
    scheduled = db.session.scalars(
        select(Release).options(selectinload(Release.publications))
        .where(Release.statement_id == statement.id, Release.release_at > now)
        .order_by(Release.release_at)).all()
    return render_template(
        "coordinate/release.html", statement=statement, form=form,
        unpublish_form=unpublish_form, translations=translations, scheduled=scheduled,
        readers_see=readers_see(statement, now),
        scheduled_at=scheduled_times([statement.id], now),
        corrections_form=CorrectionsForm(formdata=None, data={
            "corrections": "release" if statement.corrections_need_release else "live"}),
    ), status


def _posted_ids(name: str) -> set[int]:
    """The integer values posted under `name`; anything else is ignored."""
    return {int(value) for value in request.form.getlist(name)
            if value.isascii() and value.isdigit() and len(value) < 19}


def _release_message(statement: Statement, chosen: list, release_at) -> str:
    languages = ", ".join([autonym(statement.source_language_tag)] + [
        autonym(version.translation.language_tag) for version in chosen])
    if release_at > utcnow():
        return _("Scheduled: %(languages)s will be published at %(time)s (%(zone)s).",
                 languages=languages, time=local_time(release_at),
                 zone=coordinator_zone().key)
    return _("Published now: %(languages)s, at %(time)s (%(zone)s).", languages=languages,
             time=local_time(release_at), zone=coordinator_zone().key)


@dataclass(frozen=True)
class ProgressFilter:
    """What the progress page is narrowed to; empty values mean everything."""

    language: str = ""
    state: TranslationState | None = None
    deadline: str = ""

    def arguments(self) -> dict[str, str]:
        """The query-string arguments that ask for this filter again (pagination keeps them)."""
        return {key: value for key, value in (
            ("language", self.language), ("state", self.state.value if self.state else ""),
            ("deadline", self.deadline)) if value}


def _progress_filter(tags: set[str]) -> ProgressFilter:
    """The filter from the query string; 400 for a language, state or deadline not offered."""
    language, state, deadline = (request.args.get(name, "").strip()
                                 for name in ("language", "state", "deadline"))
    if (language and language not in tags) or (deadline and deadline not in DEADLINE_FILTERS) \
            or (state and state not in {member.value for member in TranslationState}):
        refuse(400, _("Choose a language, a state and a deadline from the lists."))
    return ProgressFilter(language, TranslationState(state) if state else None, deadline)


def _progress_conditions(choice: ProgressFilter, tags: list[str]) -> list:
    """SQL conditions on Statement; translations are looked up by index, never scanned."""
    now = utcnow()
    conditions = []
    if choice.deadline == "overdue":
        conditions.append(Statement.deadline < now)
    elif choice.deadline == "week":
        conditions += [Statement.deadline >= now, Statement.deadline < now + timedelta(days=7)]
    elif choice.deadline == "none":
        conditions.append(Statement.deadline.is_(None))
    if choice.language or choice.state:
        work = select(Translation.id).where(
            Translation.statement_id == Statement.id,
            Translation.language_tag == choice.language if choice.language
            else Translation.language_tag.in_(tags))
        if choice.state:
            work = work.where(Translation.state == choice.state)
        conditions.append(work.exists())
    return conditions


class Cell(NamedTuple):
    """One translation in the matrix: the editor's link, the state, and when a published
    one becomes readable if that is still to come."""

    translation_id: int
    state: TranslationState
    scheduled: datetime | None = None


@dataclass
class Progress:
    """One page of the matrix of the progress page, and the counts of every translation."""

    languages: list[Language]  # every enabled language
    shown: list[Language]  # the columns: every enabled language, or the one chosen
    rows: list
    cells: dict[tuple[int, str], Cell]
    page: int = 1
    pages: int = 1
    total: int = 0  # statements matching the filter
    columns: dict[str, Counter] = field(default_factory=dict)
    totals: Counter = field(default_factory=Counter)


def _progress(languages: list[Language], choice: ProgressFilter, page: int) -> Progress:
    """Four queries whatever the number of statements: count, page, its cells, tallies.

    404 past the last page.
    """
    tags = [language.tag for language in languages]
    shown = [language for language in languages if language.tag == choice.language] \
        if choice.language else languages
    conditions = _progress_conditions(choice, tags)
    total = _statement_count(conditions)
    pages = _page_count(total, PROGRESS_PER_PAGE)
    if page > pages:
        abort(404)
    rows = _statement_rows(conditions, page, PROGRESS_PER_PAGE)
    cells = {}
    now = utcnow()
    if rows:
        # Each cell with its newest edition, to tell "Scheduled" from "Published". Found
        # by the page's statements; a language filter only when one language is shown (a
        # list of every language made SQLite walk each language's translations instead).
        languages_shown = [Translation.language_tag == shown[0].tag] if choice.language else []
        cells = {(statement_id, tag): Cell(translation_id, state,
                                           scheduled_at(start, statement_from, now)
                                           if state == TranslationState.PUBLISHED else None)
                 for translation_id, statement_id, tag, state, start, statement_from
                 in db.session.execute(
                     select(Translation.id, Translation.statement_id, Translation.language_tag,
                            Translation.state, Edition.visible_from, Edition.statement_from)
                     .outerjoin(Edition, newest_edition(Translation.statement_id,
                                                        Translation.language_tag))
                     .where(Translation.statement_id.in_([row[0].id for row in rows]),
                            *languages_shown))}
    result = Progress(languages, shown, rows, cells, page=page, pages=pages, total=total,
                      columns={tag: Counter() for tag in tags})
    # Every translation, from the tallies the database keeps (a few rows per language and
    # state, whatever the archive); languages no longer enabled are left out.
    for tag, counts in state_totals().items():
        if tag in result.columns:
            result.columns[tag].update(counts)
            result.totals.update(counts)
    # Published translations readers cannot see yet, counted apart as "Scheduled": only
    # statements with a release time still ahead can have one, so this stays small.
    ahead = select(Release.statement_id).where(Release.release_at > now)
    for tag, count in db.session.execute(
            select(Translation.language_tag, func.count())
            .join(Edition, newest_edition(Translation.statement_id, Translation.language_tag))
            .where(Translation.state == TranslationState.PUBLISHED,
                   Translation.statement_id.in_(ahead), not_yet_readable(now))
            .group_by(Translation.language_tag)):
        if tag in result.columns:
            for counter in (result.columns[tag], result.totals):
                counter[TranslationState.PUBLISHED] -= count
                counter[SCHEDULED] += count
    return result


def _organization_values(form: OrganizationForm) -> dict:
    return {"name": form.name.data, "country": form.country.data,
            "languages": list(form.languages.data or []),
            "contact_email": form.contact_email.data or None}


def _organization_data(organization: Organization) -> dict:
    return {"name": organization.name, "country": organization.country,
            "contact_email": organization.contact_email or "",
            "languages": [language.tag for language in organization.languages]}


def _skills_data(user: User) -> dict:
    return {"role": user.role.value,
            "translates": [skill.language_tag for skill in user.skills if skill.can_translate],
            "reviews": [skill.language_tag for skill in user.skills if skill.can_review]}


def _statement_choices() -> list[tuple[int, str]]:
    return [(statement_id, f"{title or slug} ({slug})") for statement_id, slug, title in
            db.session.execute(
                select(Statement.id, Statement.slug, SourceRevision.title)
                .outerjoin(SourceRevision, SourceRevision.id == Statement.current_revision_id)
                .order_by(Statement.statement_date.desc(), Statement.id.desc()))]


def _people_choices() -> list[tuple[int, str]]:
    return [(user_id, f"{name} <{email}>") for user_id, name, email in db.session.execute(
        select(User.id, User.display_name, User.email).order_by(func.lower(User.display_name)))]


def _audit_page(statement_id: int | None, person_id: int | None, page: int):
    query = select(AuditEvent)
    if statement_id:
        query = query.where(AuditEvent.statement_id == statement_id)
    if person_id:
        query = query.where(AuditEvent.actor_id == person_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    events = db.session.scalars(
        query.options(joinedload(AuditEvent.actor))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(AUDIT_PER_PAGE).offset((max(page, 1) - 1) * AUDIT_PER_PAGE)).all()
    return events, total
