"""The workflow: one function per transition. Functions flush; the caller commits."""

from portal.workflow.audit import record_event
from portal.workflow.releases import assemble_version, release_statement
from portal.workflow.statements import create_statement

__all__ = ["assemble_version", "create_statement", "record_event", "release_statement"]
