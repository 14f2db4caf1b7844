"""The workflow: one function per transition. Functions flush; the caller commits."""

from portal.workflow.audit import record_event
from portal.workflow.errors import AlreadyDone, ClaimLost, NotAllowed, StaleDraft, WorkflowError
from portal.workflow.releases import ReleaseRefused, assemble_version, release_statement, unpublish
from portal.workflow.reports import report_problem, resolve_report
from portal.workflow.statements import (
    create_statement,
    new_source_revision,
    revise_source,
    update_statement_details,
)
from portal.workflow.translations import (
    approve_version,
    claim_translation,
    drafts_by_key,
    release_claim,
    remind_expiring_claims,
    request_changes,
    save_draft_segment,
    submit_translation,
)

__all__ = [
    "AlreadyDone", "ClaimLost", "NotAllowed", "ReleaseRefused", "StaleDraft", "WorkflowError",
    "approve_version", "assemble_version", "claim_translation", "create_statement",
    "drafts_by_key", "new_source_revision", "record_event", "release_claim",
    "release_statement", "remind_expiring_claims", "report_problem", "request_changes",
    "resolve_report", "revise_source",
    "save_draft_segment", "submit_translation", "unpublish", "update_statement_details",
]
