"""The tables of the app state (SQLAlchemy 2 declarative; their schema is Alembic's, see migrations/).

Organisations are the partners of place.toml (``partner`` holds the partner's name) or
others (a board's secretariat). A person has one role: administrator, analyst (a
partner's analyst: sees its own transactions), board (a board member) -- the public
needs no account. Residents' responses keep no personal data beyond an optional ward.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ROLES",
    "AuditEvent",
    "Base",
    "Comment",
    "Decision",
    "Invitation",
    "Organisation",
    "Person",
    "Position",
    "Proposal",
    "ResidentResponse",
    "SignInAttempt",
]

ROLES = ("administrator", "analyst", "board")
POSITIONS = ("agree", "object", "abstain")


def now() -> dt.datetime:
    """Return the current time in UTC (timezone-aware)."""
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    """The declarative base of every app-state table."""


class Organisation(Base):
    """A body in the partnership: a partner of place.toml, or another (the board's secretariat)."""

    __tablename__ = "organisations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    partner: Mapped[str | None] = mapped_column(String(200))  # the place.toml partner, if one
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    people: Mapped[list[Person]] = relationship(back_populates="organisation")


class Person(Base):
    """Someone who signs in: email, argon2 password hash, one role, an organisation."""

    __tablename__ = "people"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(400))
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    organisation: Mapped[Organisation | None] = relationship(back_populates="people")


class SignInAttempt(Base):
    """A sign-in attempt (for throttling and the audit): the email tried, the address, success."""

    __tablename__ = "sign_in_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(default=False)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)


class AuditEvent(Base):
    """One thing that happened: sign-ins, uploads, changes and decisions, who did it and when."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now, index=True)
    actor: Mapped[str] = mapped_column(String(320))  # an email, or "public"
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class Proposal(Base):
    """A trade-off: what changes, who pays, who benefits, a scenario attached, and its status."""

    __tablename__ = "proposals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    who_pays: Mapped[str] = mapped_column(Text, default="")
    who_benefits: Mapped[str] = mapped_column(Text, default="")
    scenario: Mapped[str | None] = mapped_column(String(200))  # a scenario file's name
    status: Mapped[str] = mapped_column(
        String(20), default="open"
    )  # open, agreed, rejected, withdrawn
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Comment(Base):
    """A partner's comment on a proposal."""

    __tablename__ = "comments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    text: Mapped[str] = mapped_column(Text)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Position(Base):
    """An organisation's recorded position on a proposal (agree / object / abstain); each change kept."""

    __tablename__ = "positions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    position: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Decision(Base):
    """The board's decision on a proposal, and why."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("proposal_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id"))
    outcome: Mapped[str] = mapped_column(String(20))  # agreed, rejected
    reason: Mapped[str] = mapped_column(Text)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class ResidentResponse(Base):
    """A resident's budget-simulator response: allocations by theme, an optional ward, nothing personal."""

    __tablename__ = "resident_responses"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    financial_year: Mapped[str] = mapped_column(String(10))
    ward: Mapped[str | None] = mapped_column(String(20))  # an ONS ward code, if given
    allocations: Mapped[dict[str, str]] = mapped_column(
        JSON
    )  # theme -> pounds per head (decimal text)
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Invitation(Base):
    """A one-time link for an invited person to choose a password: the token's SHA-256 (never the
    token), when it expires and when it was used (a used or expired link does nothing)."""

    __tablename__ = "invitations"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(320))  # the administrator's email
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
