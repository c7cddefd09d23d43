"""Who bears a unit cost: the GMCA database's agency, mapped to the place's partners.

The database names agencies as "Police", "Fire Service", "NHS", "Local Authority",
"DWP", "Criminal Justice System" ... (level 1, with a level-2 detail such as "Housing
Services"). A partner of the place of the matching sector takes the benefit; otherwise
it stays with the outside agency by its own name, so the wrong pocket stays visible.
"Multiple" (a headline cost spread over several agencies) cannot be placed: the file
must say which agency gains, or use the constituent codes (CR2.0.1 ... CR2.0.5).
"""

from __future__ import annotations

from typing import Any

from totalplace.scenario.lever import Frame
from totalplace.scenario.spec import Reader
from totalplace.workspace.toml_lines import KeyPath

__all__ = ["SOCIETY", "agency_of", "place_agency"]

#: Who gains the economic and social value of an outcome.
SOCIETY = "Individuals and society"

_COUNCILS = ("district_council", "county_council", "unitary_council")
# Database agency (lower case, first words) -> (partner sectors that take it, outside name).
_AGENCIES: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("police", ("police",), "Police"),
    ("fire", ("fire",), "Fire and rescue"),
    ("nhs", ("nhs_icb", "nhs_trust"), "NHS"),
    ("local authority", _COUNCILS, "Local authority"),
    ("schools", ("education",) + _COUNCILS, "Schools"),
    ("dwp", ("central_government",), "DWP"),
    ("hm revenue", (), "HMRC"),
    ("hm treasury", (), "HM Treasury"),
    ("department for education", (), "DfE"),
    ("criminal justice", (), "Criminal justice system"),
    ("court", (), "Criminal justice system"),
    ("probation", (), "Criminal justice system"),
    ("prison", (), "Criminal justice system"),
    ("ministry of justice", (), "Criminal justice system"),
)


def place_agency(level1: str, level2: str, frame: Frame) -> str | None:
    """Return the partner (or outside agency) that bears a cost of the database's agency
    ``level1`` / ``level2``; None for "Multiple" or an agency that matches several partners."""
    text = f"{level1 or ''}".strip().lower()
    if level2 and text in ("criminal justice system",) and level2.strip().lower() == "police":
        text = "police"  # CJS costs the database itself places with the police
    for start, sectors, outside in _AGENCIES:
        if text.startswith(start):
            matches = [p for p in frame.partners if frame.sectors.get(p) in sectors]
            if len(matches) > 1:
                return None
            return matches[0] if matches else outside
    return None


def agency_of(reader: Reader, path: KeyPath, given: Any, valued: Any, frame: Frame) -> str:
    """Return who gains an outcome: the file's ``agency`` if given, else the database's, mapped."""
    if given is not None:
        if not isinstance(given, str) or not given.strip():
            reader.fault(
                path, 'agency must be text: a partner\'s name or an outside agency such as "DWP"'
            )
            return "unknown"
        return given.strip()
    found = place_agency(valued.agency, valued.agency_detail, frame)
    if found is None:
        reader.fault(
            path,
            f"the unit cost {valued.code} is borne by {valued.agency!r}"
            + (f" ({valued.agency_detail})" if valued.agency_detail else "")
            + ', which this place cannot place on one body: add agency = "..." (a partner\'s name or '
            "an outside agency), or use the database's constituent codes for each agency",
        )
        return "unknown"
    return found
