"""People administration: organisations, invitations with one-time set-password links,
deactivation and the audit log's pages; every change audited.

An invitation makes the account at once, with no usable password, and a random token
whose SHA-256 alone is stored with an expiry: the link ``/set-password?token=...`` lets
the person choose a password once. A used or expired link does nothing, and a new
invitation for the same person cancels the earlier links.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from totalplace.errors import UsageError
from totalplace.web.passwords import hash_password, password_problem
from totalplace.web.people import add_organisation, audit
from totalplace.web.state.models import ROLES, AuditEvent, Invitation, Organisation, Person, now

__all__ = [
    "INVITE_HOURS",
    "AuditPage",
    "OrganisationRow",
    "PersonRow",
    "audit_page",
    "create_organisation",
    "deactivate",
    "invite",
    "invitee",
    "new_link",
    "organisations",
    "people",
    "set_password",
]

INVITE_HOURS = 72
#: What an invited account's password hash holds until a password is chosen: no argon2
#: hash, so no password ever matches it.
NO_PASSWORD = "!invited"
NAME_LIMIT = 200
EMAIL_LIMIT = 320
LINK_PROBLEM = "This link has expired or has already been used. Ask an administrator for a new one"


@dataclass(frozen=True)
class OrganisationRow:
    """An organisation: id, name, the place.toml partner it is (None: not a partner), its people."""

    id: int
    name: str
    partner: str | None
    people: int


@dataclass(frozen=True)
class PersonRow:
    """A person: id, name, email, role, organisation, active, and whether they have a password yet."""

    id: int
    name: str
    email: str
    role: str
    organisation: str | None
    active: bool
    invited: bool


@dataclass(frozen=True)
class AuditPage:
    """One page of the audit log, newest first: its events, the page number and how many pages."""

    events: list[AuditEvent]
    page: int
    pages: int
    total: int


def organisations(session: Session) -> list[OrganisationRow]:
    """Return every organisation by name, with how many people it has."""
    rows = session.execute(
        select(Organisation, func.count(Person.id))
        .outerjoin(Person, Person.organisation_id == Organisation.id)
        .group_by(Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return [OrganisationRow(o.id, o.name, o.partner, int(n)) for o, n in rows]


def create_organisation(session: Session, actor: str, name: str, partner: str | None) -> int:
    """Return the id of the organisation ``name`` (made if new; audited); UsageError for a bad name."""
    name = name.strip()
    if not name:
        raise UsageError("Enter the organisation's name")
    if len(name) > NAME_LIMIT:
        raise UsageError(f"The organisation's name must be {NAME_LIMIT} characters or fewer")
    made = add_organisation(session, name, partner)
    audit(session, actor, "organisation added", organisation=name, partner=partner or "")
    return made.id


def people(session: Session) -> list[PersonRow]:
    """Return every person, by name, with their organisation."""
    rows = session.execute(
        select(Person, Organisation.name)
        .outerjoin(Organisation, Person.organisation_id == Organisation.id)
        .order_by(Person.name, Person.email)
    ).all()
    return [
        PersonRow(p.id, p.name, p.email, p.role, org, p.active, p.password_hash == NO_PASSWORD)
        for p, org in rows
    ]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: Session, actor: str, email: str, name: str, role: str,
           organisation_id: int | None, hours: int = INVITE_HOURS) -> tuple[int, str]:  # fmt: skip
    """Return (person id, one-time token) for a new account with no password yet (audited);
    UsageError for a bad email, name, role or organisation, or an email already in use."""
    email = email.strip().lower()
    name = name.strip()
    problems = []
    if "@" not in email or len(email) > EMAIL_LIMIT or email.startswith("@"):
        problems.append("Enter an email address in the correct format, like name@example.org")
    if not name or len(name) > NAME_LIMIT:
        problems.append(f"Enter the person's name ({NAME_LIMIT} characters or fewer)")
    if role not in ROLES:
        problems.append("Select a role")
    organisation = session.get(Organisation, organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        problems.append("Select an organisation from the list")
    if role == "analyst" and (organisation is None or organisation.partner is None):
        problems.append("An analyst belongs to a partner organisation: select one")
    if problems:
        raise UsageError("; ".join(problems))
    if session.scalar(select(Person).where(Person.email == email)) is not None:
        raise UsageError(f"{email} already has an account")
    person = Person(email=email, name=name, password_hash=NO_PASSWORD, role=role,
                    organisation=organisation)  # fmt: skip
    session.add(person)
    session.flush()
    token = _new_link(session, actor, person, hours)
    audit(session, actor, "person invited", email=email, role=role,
          organisation=organisation.name if organisation else "")  # fmt: skip
    return person.id, token


def _new_link(session: Session, actor: str, person: Person, hours: int) -> str:
    token = secrets.token_urlsafe(32)
    session.execute(  # an earlier link for the person no longer works
        update(Invitation)
        .where(Invitation.person_id == person.id, Invitation.used_at.is_(None))
        .values(used_at=now())
    )
    session.add(Invitation(person_id=person.id, token_hash=_digest(token),
                           expires_at=now() + dt.timedelta(hours=hours), created_by=actor))  # fmt: skip
    return token


def new_link(
    session: Session, actor: str, person_id: int, hours: int = INVITE_HOURS
) -> tuple[str, str]:
    """Return (email, one-time token) of a new link for an active person who has not chosen a
    password yet; earlier links stop working (audited). UsageError for anyone else."""
    person = session.get(Person, person_id)
    if person is None or not person.active or person.password_hash != NO_PASSWORD:
        raise UsageError("Only an active person who has not chosen a password yet gets a new link")
    token = _new_link(session, actor, person, hours)
    audit(session, actor, "invitation link renewed", email=person.email)
    return person.email, token


def invitee(session: Session, token: str) -> Person | None:
    """Return the active person a current (unused, unexpired) link is for, or None."""
    if not token or len(token) > 100:
        return None
    found = session.scalar(
        select(Invitation).where(
            Invitation.token_hash == _digest(token),
            Invitation.used_at.is_(None),
            Invitation.expires_at > now(),
        )
    )
    person = session.get(Person, found.person_id) if found is not None else None
    return person if person is not None and person.active else None


def set_password(session: Session, token: str, password: str) -> str:
    """Set the password of the person a current link is for, and use the link up; return their
    email. UsageError for a used, expired or unknown link, or a password that breaks the rules."""
    person = invitee(session, token)
    if person is None:
        raise UsageError(LINK_PROBLEM)
    if problem := password_problem(password):
        raise UsageError(problem)
    person.password_hash = hash_password(password)
    session.execute(
        update(Invitation).where(Invitation.token_hash == _digest(token)).values(used_at=now())
    )
    audit(session, person.email, "password set from invitation")
    return person.email


def deactivate(session: Session, actor: str, actor_id: int, person_id: int) -> str:
    """Deactivate a person (they can no longer sign in; their records stay); return their email.
    UsageError for an unknown person or one's own account."""
    person = session.get(Person, person_id)
    if person is None:
        raise UsageError("There is no such person")
    if person.id == actor_id:
        raise UsageError("You cannot deactivate your own account")
    person.active = False
    audit(session, actor, "person deactivated", email=person.email)
    return person.email


def audit_page(session: Session, page: int = 1, per_page: int = 50) -> AuditPage:
    """Return page ``page`` (from 1; clamped to the pages there are) of the audit log, newest first."""
    total = int(session.scalar(select(func.count()).select_from(AuditEvent)) or 0)
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    events = session.scalars(
        select(AuditEvent)
        .order_by(AuditEvent.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AuditPage(list(events), page, pages, total)
