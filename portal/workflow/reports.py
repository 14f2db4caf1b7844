"""Readers' reports of problems in published translations."""

from flask_babel import lazy_gettext as _l

from portal.extensions import db
from portal.models import ProblemReport, Publication, User, utcnow
from portal.workflow.audit import record_event
from portal.workflow.errors import AlreadyDone, NotAllowed, WorkflowError
from portal.workflow.permissions import can_review_language

MAX_MESSAGE = 2000


def report_problem(publication: Publication, *, paragraph: str, message: str,
                   reporter_email: str | None = None) -> ProblemReport:
    """File a reader's report; it waits on the desk of that language's reviewers."""
    message = message.strip()
    if not message:
        raise WorkflowError(_l("Describe the problem, please."), 400)
    if len(message) > MAX_MESSAGE:
        raise WorkflowError(_l("Please keep the report under %(count)d characters.",
                               count=MAX_MESSAGE), 400)
    report = ProblemReport(statement_id=publication.statement_id,
                           language_tag=publication.language_tag, publication_id=publication.id,
                           paragraph=paragraph.strip()[:MAX_MESSAGE], message=message,
                           reporter_email=(reporter_email or "").strip() or None)
    db.session.add(report)
    db.session.flush()
    record_event(None, "report.create", statement=publication.statement,
                 detail=f"{publication.language_tag}: report {report.id}")
    return report


def resolve_report(actor: User, report: ProblemReport) -> ProblemReport:
    """Mark a report as dealt with."""
    if not can_review_language(actor, report.language_tag):
        raise NotAllowed(_l("Only reviewers of this language can resolve its reports."))
    if report.resolved_at is not None:
        who = db.session.get(User, report.resolved_by_id) if report.resolved_by_id else None
        if who is not None:
            raise AlreadyDone(_l("%(name)s already resolved this report.",
                                 name=who.display_name))
        raise AlreadyDone(_l("This report was already resolved."))
    report.resolved_at = utcnow()
    report.resolved_by_id = actor.id
    record_event(actor, "report.resolve", statement=report.statement,
                 detail=f"{report.language_tag}: report {report.id}")
    db.session.flush()
    return report
