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


def ensure_demo_accounts(db: Database, workspace: Workspace) -> list[tuple[str, str]]:
    """Create the demo accounts the workspace's partners allow (once); return (email, role) of each."""
    made = []
    partners = {p.name for p in workspace.partners}
    with db.session() as session:
        for email, (role, partner) in DEMO_ACCOUNTS.items():
            if partner is not None and partner not in partners:
                continue  # another place: no such partner
            made.append((email, role))
            if session.scalar(select(Person).where(Person.email == email)) is not None:
                continue
            organisation = add_organisation(session, partner or "Partnership board", partner)
            add_person(session, email, f"Demo {role}", DEMO_PASSWORD, role, organisation)
            audit(session, "totalplace serve --demo", "demo account created", email=email)
    return made
