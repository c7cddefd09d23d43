"""Organisations and people: create them, sign them in (throttled), and who they are to the pages.

A sign-in is refused for a while after repeated failures for the same email or from the
same address (``Settings.sign_in_limit`` in ``sign_in_window_seconds``): the message says
to wait, and says the same whether or not the account exists, so it gives nothing away.
Every attempt, good or bad, is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from totalplace.errors import UsageError
from totalplace.web.passwords import hash_password, password_problem, verify_password
from totalplace.web.state.models import ROLES, AuditEvent, Organisation, Person, SignInAttempt, now

__all__ = [
    "Account",
    "SignInRefused",
    "add_organisation",
    "add_person",
    "audit",
    "sign_in",
]


@dataclass(frozen=True)
class Account:
    """A signed-in person as the pages see them: id, email, name, role and partner (if any)."""

    id: int
    email: str
    name: str
    role: str
    organisation: str | None
    partner: str | None


class SignInRefused(UsageError):
    """A sign-in that failed: wrong details, or too many tries (the message says which to do)."""


def audit(session: Session, actor: str, action: str, **detail: object) -> None:
    """Record one event in the audit log."""
    session.add(
        AuditEvent(actor=actor, action=action, detail={k: str(v) for k, v in detail.items()})
    )


def add_organisation(session: Session, name: str, partner: str | None = None) -> Organisation:
    """Return the organisation ``name`` (made if new), linked to a place.toml partner if given."""
    found = session.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name, partner=partner)
        session.add(found)
        session.flush()
    return found


def add_person(
    session: Session,
    email: str,
    name: str,
    password: str,
    role: str,
    organisation: Organisation | None,
) -> Person:
    """Return a new person with an argon2-hashed password; UsageError for a bad role, email or password."""
    email = email.strip().lower()
    if role not in ROLES:
        raise UsageError(f"no role {role!r}; the roles are {', '.join(ROLES)}")
    if "@" not in email or len(email) > 320:
        raise UsageError("Enter an email address in the correct format, like name@example.org")
    if problem := password_problem(password):
        raise UsageError(problem)
    if session.scalar(select(Person).where(Person.email == email)) is not None:
        raise UsageError(f"{email} already has an account")
    person = Person(email=email, name=name, password_hash=hash_password(password), role=role,
                    organisation=organisation)  # fmt: skip
    session.add(person)
    session.flush()
    return person


def account_of(person: Person) -> Account:
    """Return what the pages need to know of a person."""
    org = person.organisation
    return Account(person.id, person.email, person.name, person.role,
                   org.name if org else None, org.partner if org else None)  # fmt: skip


def _recent_failures(session: Session, column: Any, value: str, since: dt.datetime) -> int:
    query = (
        select(func.count())
        .select_from(SignInAttempt)
        .where(column == value, SignInAttempt.succeeded.is_(False), SignInAttempt.at >= since)
    )
    return int(session.scalar(query) or 0)


def sign_in(
    session: Session, email: str, password: str, address: str, limit: int, window_seconds: int
) -> Account:
    """Return the account if ``email`` and ``password`` match and neither the email nor the
    address has failed ``limit`` times in the window; SignInRefused otherwise (audited either way)."""
    email = email.strip().lower()[:320]
    since = now() - dt.timedelta(seconds=window_seconds)
    throttled = (
        _recent_failures(session, SignInAttempt.email, email, since) >= limit
        or _recent_failures(session, SignInAttempt.address, address, since) >= limit
    )
    if throttled:
        audit(session, email, "sign-in throttled", address=address)
        session.commit()  # the refusal is recorded even though the caller's block raises
        minutes = max(1, window_seconds // 60)
        raise SignInRefused(f"Too many failed sign-ins. Wait {minutes} minutes and try again")
    person = session.scalar(select(Person).where(Person.email == email, Person.active.is_(True)))
    good = person is not None and verify_password(password, person.password_hash)
    session.add(SignInAttempt(email=email, address=address, succeeded=good))
    audit(session, email, "signed in" if good else "sign-in failed", address=address)
    if not good or person is None:
        session.commit()  # the failure counts towards throttling though the caller's block raises
        raise SignInRefused("Enter a correct email address and password")
    return account_of(person)


def account_by_id(session: Session, person_id: int) -> Account | None:
    """Return the active account with this id, or None."""
    person = session.get(Person, person_id)
    return account_of(person) if person is not None and person.active else None
