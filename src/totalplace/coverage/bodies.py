"""The kinds of public body that serve a place, found from the ONS geography lookups.

Domain spec §3.1 lists the bodies in scope; here each is a *kind* (district council,
county council, police, fire, the NHS, DWP, ...) with the body that is that kind for
the place (Lancashire County Council for Hyndburn) and the workspace partners whose
sector makes them that kind. The 2019 lookups (county, police force area, fire and
rescue authority, combined authority, region) decide which bodies serve a district.
A place of several districts has a body per council, county, police and fire area
(``Body.key``), so coverage can say which of its district councils are not loaded.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from totalplace import extent, reference
from totalplace.coverage import sources
from totalplace.workspace import Partner, Workspace

__all__ = ["KINDS", "Body", "Kind", "bodies_for", "bodies_serving", "partner_kind"]


@dataclass(frozen=True)
class Kind:
    """A kind of body: its label and the workspace sectors that load it."""

    key: str
    label: str
    sectors: tuple[str, ...]
    always: bool = False  # listed for every place (national bodies, sectors everywhere)


KINDS: dict[str, Kind] = {
    k.key: k
    for k in (
        Kind("district_council", "District council", ("district_council",)),
        Kind("unitary_council", "Unitary council", ("unitary_council",)),
        Kind("county_council", "County council", ("county_council",)),
        Kind("combined_authority", "Combined authority", ("combined_authority",)),
        Kind("police", "Police", ("police",)),
        Kind("fire", "Fire and rescue", ("fire",)),
        Kind("nhs", "NHS: ICB and trusts", ("nhs_icb", "nhs_trust"), always=True),
        Kind("dwp", "DWP benefits and pensions", (), always=True),
        Kind("hmrc", "HMRC tax credits and child benefit", (), always=True),
        Kind("education", "Schools and colleges funded by DfE", ("education",), always=True),
        Kind(
            "central_government",
            "Other central government",
            ("central_government",),
            always=True,
        ),
        Kind("housing_association", "Housing associations", ("housing_association",), True),
        Kind("voluntary", "Voluntary and community sector", ("voluntary",), always=True),
        Kind("other", "Other partners", ("other", "unknown")),
    )
}

# Central government partners are sorted into kinds by name.
_CG_NAMES = (
    ("dwp", re.compile(r"work\s*(and|&)\s*pensions|\bdwp\b|jobcentre", re.I)),
    ("hmrc", re.compile(r"revenue\s*(and|&)\s*customs|\bhmrc\b", re.I)),
    (
        "education",
        re.compile(r"department for education|\bdfe\b|education and skills funding|\besfa\b", re.I),
    ),
)


def partner_kind(partner: Partner) -> str:
    """Return the kind of body a partner is, from its sector (and name, for central government)."""
    if partner.sector == "central_government":
        for key, pattern in _CG_NAMES:
            if pattern.search(partner.name):
                return key
    for kind in KINDS.values():
        if partner.sector in kind.sectors:
            return kind.key
    return "other"


@dataclass
class Body:
    """One body (or group of bodies) of a kind serving the place.

    ``rs_code`` is the ONS code of its Revenue Outturn row (councils, police, fire,
    combined authorities); ``area_code`` the area it covers ('' for national bodies);
    ``partners`` the loaded workspace partners of this kind that cover the place;
    ``aliases`` the names other ledgers use to pay it.
    """

    kind: str
    who: str
    area_code: str = ""
    rs_code: str = ""
    partners: list[Partner] = field(default_factory=list)
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """Return the label of the body's kind ('County council')."""
        return KINDS[self.kind].label if self.kind in KINDS else self.kind

    @property
    def key(self) -> str:
        """Return the body's identity among the place's bodies: kind and area ('county_council:E10000017')."""
        return f"{self.kind}:{self.area_code}" if self.area_code else self.kind

    def districts(self, place_districts: Sequence[str] | str) -> list[str]:
        """Return the districts the body covers (its area's, or the place's for national bodies)."""
        if not self.area_code:
            return [place_districts] if isinstance(place_districts, str) else list(place_districts)
        if self.area_code.startswith("E47"):
            return sorted(
                d.code
                for d in sources.drivers().values()
                if d.combined_authority_code == self.area_code
            )
        try:
            return reference.expand_area(self.area_code)
        except ValueError:
            return [self.area_code]


def _covers(partner: Partner, body: Body, place_districts: Sequence[str]) -> bool:
    """Return True when the partner's area reaches the body's part of the place (or is not set)."""
    districts = partner.districts()
    if not districts:
        return True
    return bool(set(districts) & set(body.districts(place_districts)) & set(place_districts))


def _name(code: str) -> str:
    try:
        return reference.area_name(code)
    except ValueError:
        return code


def _rs_name(code: str) -> str | None:
    for year in sorted(sources.RS_YEARS, reverse=True):
        row = sources.rs_row(code, year)
        if row is not None:
            return re.sub(r"\s*\([a-z]\)$", "", str(row["authority"]))  # drop '(d)' note marks
    return None


def bodies_serving(workspace: Workspace) -> list[Body]:
    """Return the bodies that serve the place, each with the partners that load it.

    Bodies come from the 2019 lookups for every district of the place (its council,
    the county for two-tier areas, police force area, fire and rescue authority,
    combined authority) -- one body each, however many of the place's districts it
    serves -- plus the national kinds every place has. A partner loads the bodies of
    its kind whose area its own overlaps; a kind no body of the place has is added.
    """
    where = extent.extent(workspace.place)
    return _bodies(list(where.districts), workspace.partners)


def bodies_for(place: str, partners: Sequence[Partner] = ()) -> list[Body]:
    """Return the bodies that serve a district (ONS code), with the given partners sorted into kinds.

    The same as :func:`bodies_serving` for a district with no workspace (a comparator
    place): with no partners, every body is unloaded.
    """
    return _bodies([place.strip().upper()], partners)


def _bodies(districts: list[str], partners: Sequence[Partner]) -> list[Body]:
    bodies: dict[str, Body] = {}
    for place in districts:
        for body in _district_bodies(place):
            bodies.setdefault(body.key, body)
    found = sorted(bodies.values(), key=lambda b: (_ORDER.index(b.kind), b.who))
    region = _region_words(districts)
    national = {
        "nhs": f"NHS in the {region} (ICB, trusts)",
        "dwp": "DWP, and housing benefit paid by the council",
        "hmrc": "HM Revenue and Customs",
        "education": "DfE: academies, sixth forms, colleges",
        "central_government": "Other departments and their bodies",
        "housing_association": "Housing associations",
        "voluntary": "Voluntary and community organisations",
    }
    if len([b for b in found if b.kind in ("district_council", "unitary_council")]) > 1:
        national["dwp"] = "DWP, and housing benefit paid by the councils"
    found += [Body(key, who) for key, who in national.items()]
    for partner in partners:
        kind = partner_kind(partner)
        mine = [b for b in found if _same_kind(kind, b.kind) and _covers(partner, b, districts)]
        if not mine and not any(_same_kind(kind, b.kind) for b in found):
            if partner.districts() and not set(partner.districts()) & set(districts):
                continue  # a partner serving none of the place
            body = Body(kind, partner.name)
            found.append(body)
            mine = [body]
        for body in mine:
            body.partners.append(partner)
    return found


#: A district's own council, whatever the partner's sector calls it (a metropolitan
#: borough named a "district_council" is still the council of its district).
_COUNCILS = ("district_council", "unitary_council")


def _same_kind(partner_kind: str, body_kind: str) -> bool:
    return partner_kind == body_kind or (partner_kind in _COUNCILS and body_kind in _COUNCILS)


_ORDER = ("district_council", "unitary_council", "county_council", "combined_authority", "police", "fire")  # fmt: skip


def _region_words(districts: list[str]) -> str:
    names = sorted({d.region_name for c in districts if (d := sources.district(c)) is not None})
    if not names:
        return "region"
    return names[0] if len(names) == 1 else " and ".join(names) + " regions"


#: Bodies named after an area of the lookups: kind, lookup column, what to call the body
#: and the names payers use for it ({} is the area's name).
_AREA_BODIES = (
    (
        "police",
        "police_force_code",
        "{} police",
        (
            "{} Police and Crime Commissioner",
            "Police and Crime Commissioner for {}",
            "Police & Crime Commissioner for {}",
            "The Police and Crime Commissioner for {}",
            "{} Constabulary",
            "{} Police",
        ),
    ),
    (
        "fire",
        "fire_authority_code",
        "{} fire and rescue authority",
        (
            "{} Fire and Rescue",
            "{} Fire & Rescue",
            "{} Combined Fire Authority",
            "{} Fire Authority",
            "{} Combined Fire and Rescue Authority",
        ),
    ),
)


def _district_bodies(place: str) -> list[Body]:
    """Return the council, county, combined authority, police and fire bodies serving one district."""
    bodies: list[Body] = []
    areas = {"county_code": "", "police_force_code": "", "fire_authority_code": ""}
    with contextlib.suppress(ValueError):  # not a district of the lookups: national bodies only
        areas = reference.areas_for_lad(place)
    district = sources.district(place)
    name = _name(place)
    if place.startswith("E07"):
        bodies.append(
            Body(
                "district_council",
                f"{name} district council",
                place,
                place,
                aliases=tuple(
                    f"{name} {s}"
                    for s in ("Borough Council", "District Council", "City Council", "Council")
                ),
            )
        )
    else:
        bodies.append(
            Body(
                "unitary_council",
                f"{name} Council",
                place,
                place,
                aliases=(f"{name} Council", f"{name} Borough Council", f"{name} City Council"),
            )
        )
    county = areas.get("county_code", "")
    if county.startswith("E10"):
        county_name = _name(county)
        bodies.append(
            Body(
                "county_council",
                f"{county_name} County Council",
                county,
                county,
                aliases=(f"{county_name} County Council",),
            )
        )
    if district is not None and district.combined_authority_code:
        ca = district.combined_authority_name
        code = district.combined_authority_code
        bodies.append(
            Body(
                "combined_authority",
                _rs_name(code) or f"{ca} Combined Authority",
                code,
                code,
                aliases=(f"{ca} Combined Authority",),
            )
        )
    for kind, column, who, aliases in _AREA_BODIES:
        code = areas.get(column, "")
        if code:
            area = _name(code)
            bodies.append(
                Body(
                    kind,
                    _rs_name(code) or who.format(area),
                    code,
                    code,
                    aliases=tuple(alias.format(area) for alias in aliases),
                )
            )
    return bodies
