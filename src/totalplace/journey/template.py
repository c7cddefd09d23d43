"""``totalplace journey new``: a commented starting journey file naming the place's own partners.

Every figure in it is marked as illustrative for the partnership to replace; the unit costs
are GMCA codes a reader can look up, and one contact shows a local unit cost from the count.
"""

from __future__ import annotations

import json
from pathlib import Path

from totalplace.errors import UsageError
from totalplace.journey.spec import journey_path
from totalplace.workspace import Workspace

__all__ = ["JourneyExists", "new_journey"]


class JourneyExists(UsageError):
    """The journey file is there already: nothing was overwritten."""


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _text(name: str, stem: str, partner: str, year: str) -> str:
    return f"""# totalplace journey: one cohort's contacts across agencies, today and redesigned.
# Run it with `totalplace journey run {stem}`; feed a scenario with
#   [[levers]]  type = "journey"  file = "journeys/{stem}.toml"
#
# ILLUSTRATIVE: the cohort size, every frequency and share below are placeholders -- replace
# them with the partnership's own records and say where each comes from in `source`.
# unit_cost: a GMCA Unit Cost Database v1.4 code (or its exact description), uplifted from its
# price year to price_year with the GDP deflator. local_cost: a partner's spend counted by
# `totalplace count` on a theme in a year, divided by an activity count you give.
# agency: a partner of place.toml (name or alias) or a body listed in other_bodies.

[journey]
name = {_q(name)}
description = "Who the cohort is, what happens to them today and what the redesign changes"
price_year = "{year}"   # prices of every figure
other_bodies = ["NHS", "County council adult social care"]   # agencies that are not partners
source = "where the journey mapping comes from (case files, a deep-dive workshop)"

[cohort]
name = "People in the cohort"
size = 100          # ILLUSTRATIVE: people (or families) a year
who = "who they are"
source = "ILLUSTRATIVE"

[[current]]
agency = "NHS"
activity = "A&E attendance"
unit_cost = "HE4.0"     # GMCA: A&E attendance (all scenarios)
frequency = 2           # ILLUSTRATIVE: contacts per person affected a year
share = 0.5             # ILLUSTRATIVE: share of the cohort affected (0 to 1)
source = "ILLUSTRATIVE"

[[current]]
agency = "County council adult social care"
activity = "Home care package (weeks)"
unit_cost = "SS11.0"    # GMCA: weekly home care package for older people
frequency = 12          # ILLUSTRATIVE
share = 0.2             # ILLUSTRATIVE

[[redesigned]]
agency = "NHS"
activity = "A&E attendance"
unit_cost = "HE4.0"
frequency = 1           # ILLUSTRATIVE
share = 0.4             # ILLUSTRATIVE

[[redesigned]]
agency = {_q(partner)}
activity = "A contact the partner provides"
# local cost: the partner's counted spend on a theme / the activity it paid for (ILLUSTRATIVE count)
local_cost = {{ partner = {_q(partner)}, theme = "Community safety", year = "{year}", activity = 1000, activity_unit = "contacts a year", source = "ILLUSTRATIVE" }}
frequency = 1
share = 0.5
"""


def new_journey(workspace: Workspace, name: str, force: bool = False) -> Path:
    """Write ``journeys/NAME.toml``, a commented starting journey, and return its path.

    Raises JourneyExists if the file is there (and not ``force``); nothing is overwritten.
    """
    path = journey_path(workspace, name)
    if path.exists() and not force:
        raise JourneyExists(
            f"{path} exists already; choose another name or pass --force to replace it"
        )
    partner = workspace.partners[0].name if workspace.partners else "A partner"
    year = f"{workspace.place.population_year}-{(workspace.place.population_year + 1) % 100:02d}"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_text(name, path.stem, partner, year), encoding="utf-8")
    return path
