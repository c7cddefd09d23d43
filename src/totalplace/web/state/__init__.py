"""The web service's own state: people, organisations, proposals, responses and the audit log."""

from totalplace.web.state.db import Database, migrate
from totalplace.web.state.models import (
    AuditEvent,
    Base,
    Comment,
    Decision,
    Invitation,
    Organisation,
    Person,
    Position,
    Proposal,
    ResidentResponse,
    SignInAttempt,
)

__all__ = [
    "AuditEvent",
    "Base",
    "Comment",
    "Database",
    "Decision",
    "Invitation",
    "Organisation",
    "Person",
    "Position",
    "Proposal",
    "ResidentResponse",
    "SignInAttempt",
    "migrate",
]
