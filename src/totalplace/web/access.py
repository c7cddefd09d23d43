"""Who may see what (the lead's placeholder: the full rules and suppression land from wt-views)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["PUBLIC", "Role", "SMALL_CELL", "Viewer"]

Role = Literal["administrator", "analyst", "board", "public"]
SMALL_CELL = 10


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a role, the partner whose detail they may see, and a name."""

    role: Role
    partner: str | None = None
    name: str = ""


PUBLIC = Viewer("public")
