"""Demo accounts, one per role, for trying the service on the bundled example (loopback only).

The password is not a secret: it is printed by ``totalplace serve --demo`` and works only
on accounts that ``--demo`` creates, which ``serve`` allows only on a loopback address.
"""

from __future__ import annotations

from sqlalchemy import select

from totalplace.web.people import add_organisation, add_person, audit
from totalplace.web.state import Database, Person
from totalplace.workspace import Workspace

__all__ = ["DEMO_ACCOUNTS", "DEMO_PASSWORD", "ensure_demo_accounts"]

DEMO_PASSWORD = "demo-password-not-secret"

#: email -> (role, partner name or None), for the Hyndburn example's partners.
DEMO_ACCOUNTS: dict[str, tuple[str, str | None]] = {
    "admin@example.org": ("administrator", None),
    "analyst@hyndburn.example.org": ("analyst", "Hyndburn Borough Council"),
    "analyst@police.example.org": ("analyst", "Lancashire Police and Crime Commissioner"),
    # A board member sits for a partner (its leader or chief executive), so records its position.
    "board@example.org": ("board", "Hyndburn Borough Council"),
}


def _stand_in(partner: str | None, names: list[str], used: list[str]) -> str | None:
    """Return ``partner`` if the place has it, else the place's next partner not yet given to a
    demo account (another place: its own partners), else None (a place with too few partners)."""
    if partner is None or partner in names:
        return partner
    spare = [n for n in names if n not in used] or names
    return spare[0] if spare else None


def ensure_demo_accounts(db: Database, workspace: Workspace) -> list[tuple[str, str]]:
    """Create the demo accounts (once) and return (email, role) of each. On a place without the
    example's partners, each partner's account sits for one of the place's own partners."""
    made = []
    names = [p.name for p in workspace.partners]
    used: list[str] = []
    with db.session() as session:
        for email, (role, named) in DEMO_ACCOUNTS.items():
            partner = _stand_in(named, names, used)
            if named is not None and partner is None:
                continue  # a place with no partners: no partner accounts
            if partner is not None and role == "analyst":
                used.append(partner)
            made.append((email, role))
            if session.scalar(select(Person).where(Person.email == email)) is not None:
                continue
            organisation = add_organisation(session, partner or "Partnership board", partner)
            add_person(session, email, f"Demo {role}", DEMO_PASSWORD, role, organisation)
            audit(session, "totalplace serve --demo", "demo account created", email=email)
    return made
