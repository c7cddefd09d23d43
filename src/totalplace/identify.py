"""Say which public body a partner's name is, from the shipped reference lists.

A partner named only on the command line (``import --partner "Manchester City
Council"``) must get its sector and areas, or coverage cannot tell its loaded spending
from the body it estimates top-down and counts the council twice. The name is
normalised ("&" -> "and", case, punctuation) and read as an area name plus the words
for a kind of body:

* councils -- "X City Council", "X Borough Council", "X CC", "London Borough of X" ...:
  a district (E07 -> district_council; unitary, metropolitan, London and Welsh councils
  -> unitary_council) or a county (E10 -> county_council);
* police -- "X Constabulary", "X Police", "Police and Crime Commissioner for X":
  the police force area;
* fire -- "X Fire and Rescue Service/Authority", "X Fire Authority": the fire and
  rescue authority area;
* combined authorities -- "X Combined Authority": its districts (or the metropolitan
  county that is exactly them);
* NHS bodies -- the trusts, CCGs/sub-ICBs and ICBs of the official list: nhs_trust or
  nhs_icb (no areas: the NHS is counted for the place as a whole).

An area name matches exactly, or as the start of one name ("Newcastle" fits two
districts: ambiguous). The official list of public bodies (``link/data/
public_bodies.csv``) is searched first by whole normalised name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from totalplace import reference
from totalplace.reference import nhs_need

__all__ = [
    "Candidate",
    "Identification",
    "acronyms",
    "identify_body",
    "normalise_name",
    "short_forms",
]


@dataclass(frozen=True)
class Candidate:
    """A body a name may be: what it is, its sector and the areas it covers."""

    what: str  # "the council of Manchester"
    sector: str
    areas: tuple[str, ...]
    code: str  # the code that identifies it (ONS area, or NHS ODS code)

    def text(self) -> str:
        """Return e.g. 'the council of Manchester (E08000003)'."""
        return f"{self.what} ({self.code})"


@dataclass(frozen=True)
class Identification:
    """What a partner's name was found to be: no, one or several candidate bodies."""

    name: str
    candidates: tuple[Candidate, ...]

    @property
    def body(self) -> Candidate | None:
        """Return the one body the name identifies, or None if none or several fit."""
        return self.candidates[0] if len(self.candidates) == 1 else None


def normalise_name(name: str) -> str:
    """Return a name folded for matching: lower case, '&' as 'and', no punctuation."""
    text = name.casefold().replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"[^a-z0-9]+", " ", text).strip()
    return re.sub(r"^the ", "", text)


def _area_key(name: str) -> str:
    """Return an area name folded for matching ('Bristol, City of', 'City of Bristol' -> 'bristol')."""
    return re.sub(r" (city|county) of$|^(city|county) of ", "", normalise_name(name))


# Council words after the area's name; "county council" names a county, "cc" either.
_COUNCIL_SUFFIX = re.compile(
    r"^(?P<area>.+?) (?P<kind>metropolitan borough council|metropolitan district council"
    r"|county borough council|city council|borough council|district council|county council"
    r"|city and district council|council|mbc|mdc|cbc|bc|dc|cc)$"
)
_COUNCIL_PREFIX = re.compile(
    r"^(?:london borough of|royal borough of|borough of|city of|city and county of"
    r"|council of the city of|county of) (?P<area>.+?)(?: council)?$"
)
_POLICE = (
    re.compile(
        r"^(?:office of the )?(?:police and crime commissioner|pcc|police fire and crime "
        r"commissioner) (?:for|of) (?P<area>.+)$"
    ),
    re.compile(
        r"^(?P<area>.+?) (?:police and crime commissioner|police fire and crime commissioner"
        r"|pcc|constabulary|police service|police force|police)$"
    ),
)
_FIRE = re.compile(
    r"^(?P<area>.+?) (?:combined )?(?:fire and rescue service|fire and rescue authority"
    r"|fire and rescue|fire authority|fire and civil defence authority|fire brigade"
    r"|fire service|frs|fra)$"
)
_COMBINED = re.compile(r"^(?P<area>.+?) (?:mayoral )?combined authority$|^(?P<ca>.+?) ca$")
_ICB_WORDS = re.compile(
    r"\b(icb|integrated care board|ccg|clinical commissioning group|commissioning hub)\b"
)


def identify_body(name: str) -> Identification:
    """Return the bodies of the reference lists a partner's name may be (none, one or several)."""
    text = normalise_name(name)
    listed = _listed().get(text)
    if listed is not None:
        return Identification(name, (listed,))
    for finder in (_combined, _police, _fire, _nhs, _council):
        found = finder(text)
        if found:
            return Identification(name, tuple(dict.fromkeys(found)))
    # An acronym ('GMCA', 'LFRS', 'GMP', 'ELHT'): every body whose official name it
    # abbreviates; several bodies -> several candidates, for the user to choose.
    return Identification(name, short_forms().get(text.replace(" ", ""), ()))


#: What a council of each kind of area (by code prefix) calls itself.
_COUNCIL_KINDS = {
    "E06": ("council", "borough council", "city council"),
    "E07": ("council", "borough council", "district council", "city council"),
    "E08": ("council", "metropolitan borough council", "city council"),
    "E09": ("council", "borough council"),
    "E10": ("county council",),
    "W06": ("council", "county borough council", "city council"),
}

#: Words an acronym may leave out ('Lancashire Fire and Rescue Service' -> LFRS or LFARS).
_SMALL_WORDS = frozenset({"and", "of", "for", "the", "in", "on", "upon"})


def acronyms(official: str) -> set[str]:
    """Return the acronyms of an official name: every word's initial, with and without small words.

    'Greater Manchester Combined Authority' -> {'gmca'}; 'Lancashire Fire and Rescue
    Service' -> {'lfars', 'lfrs'}; an NHS body's also without 'NHS' ('East Lancashire
    Hospitals NHS Trust' -> {'elhnt', 'elht'}). Fewer than three letters: none (too
    common to mean one body).
    """
    words = normalise_name(official).split()
    found = set()
    for drop in (frozenset(), _SMALL_WORDS, _SMALL_WORDS | {"nhs"}):
        letters = "".join(w[0] for w in words if w not in drop)
        if len(letters) >= 3:
            found.add(letters)
    return found


@lru_cache(maxsize=1)
def short_forms() -> dict[str, tuple[Candidate, ...]]:
    """Return acronym -> the bodies of the reference lists it abbreviates (one or several).

    Made from each body's official name (councils, police, fire, NHS bodies, combined
    authorities), never from a list of spellings; an acronym that is an area's name
    too is left out.
    """
    named: list[tuple[str, Candidate]] = [(n, c) for n, c in _listed_names() if c is not None]
    named += [(c.what, c) for c in _nhs_bodies().values()]
    named += [
        (f"{ca_name} Combined Authority", c)
        for code, (ca_name, _) in _combined_authorities().items()
        for c in _combined(normalise_name(f"{ca_name} combined authority"))
        if c.code == code
    ]
    # A council's formal name is its area's name and its kind of council, whichever the
    # list spells: every kind a council of that area may call itself.
    for kind in ("district", "county"):
        for hits in _area_index()[kind].values():
            for code, area_name in hits:
                suffixes = _COUNCIL_KINDS.get(code[:3], ("council",))
                for candidate in _councils(area_name, (kind,)):
                    if candidate.code == code:
                        named += [(f"{area_name} {suffix}", candidate) for suffix in suffixes]
    found: dict[str, dict[str, Candidate]] = {}
    for official, candidate in named:
        for short in acronyms(official):
            found.setdefault(short, {}).setdefault(candidate.code, candidate)
    areas = {key for kind in _area_index().values() for key in kind}
    return {
        short: tuple(sorted(by_code.values(), key=lambda c: c.code))
        for short, by_code in found.items()
        if short not in areas
    }


def _council(text: str) -> list[Candidate]:
    match = _COUNCIL_SUFFIX.match(text)
    if match:
        kind = match["kind"]
        kinds = (
            ("county",)
            if kind == "county council"
            else ("district", "county")
            if kind in ("council", "cc")
            else ("district",)
        )
        found = _councils(match["area"], kinds)
        if not found and kind in ("county council", "cc"):  # "Durham CC": the unitary County Durham
            found = _councils("county " + match["area"], ("district",))
        return found
    match = _COUNCIL_PREFIX.match(text)
    if match:
        return _councils(match["area"], ("district",))
    return []


def _councils(area: str, kinds: tuple[str, ...]) -> list[Candidate]:
    found: list[Candidate] = []
    for code, area_name in _areas(area, kinds):
        if code.startswith("E10"):
            found.append(Candidate(f"{area_name} County Council", "county_council", (code,), code))
        elif reference.area_kind(code) == "district":
            sector = "district_council" if code.startswith("E07") else "unitary_council"
            found.append(Candidate(f"the council of {area_name}", sector, (code,), code))
    return found


def _police(text: str) -> list[Candidate]:
    for pattern in _POLICE:
        match = pattern.match(text)
        if match:
            return [
                Candidate(f"the police of {area_name}", "police", (code,), code)
                for code, area_name in _areas(match["area"], ("police_force_area",))
            ]
    return []


def _fire(text: str) -> list[Candidate]:
    match = _FIRE.match(text)
    if not match:
        return []
    return [
        Candidate(f"the fire and rescue authority of {area_name}", "fire", (code,), code)
        for code, area_name in _areas(match["area"], ("fire_authority",))
    ]


def _combined(text: str) -> list[Candidate]:
    match = _COMBINED.match(text)
    if not match:
        return []
    wanted = _area_key(match["area"] or match["ca"])
    found = []
    for code, (ca_name, districts) in _combined_authorities().items():
        key = _area_key(ca_name)
        if key == wanted or key.startswith(wanted + " "):
            areas = _county_of_exactly(districts) or districts
            found.append(
                Candidate(f"the {ca_name} Combined Authority", "combined_authority", areas, code)
            )
    return found


def _nhs(text: str) -> list[Candidate]:
    key = _nhs_key(text)
    hit = _nhs_bodies().get(key)
    return [hit] if hit is not None else []


def _nhs_key(text: str) -> str:
    """Return an NHS name without the words its spellings differ by ('NHS', 'FT', 'the')."""
    text = re.sub(r"\bintegrated care board\b", "icb", text)
    text = re.sub(r"\bclinical commissioning group\b", "ccg", text)
    text = re.sub(r"\bft\b", "foundation trust", text)
    text = re.sub(r"\bhosp\b", "hospital", text)
    text = re.sub(r"\buni\b|\buniv\b", "university", text)
    return " ".join(w for w in text.split() if w not in ("nhs", "the"))


def _readable(area_name: str) -> str:
    """Return an ONS name as said ('Bristol, City of' -> 'City of Bristol')."""
    match = re.match(r"^(.+), (City|County) of$", area_name)
    return f"{match[2]} of {match[1]}" if match else area_name


def _areas(area: str, kinds: tuple[str, ...]) -> list[tuple[str, str]]:
    """Return (code, name) of the areas of ``kinds`` named ``area``: exact names, else names it starts."""
    wanted = _area_key(area)
    index = _area_index()
    exact = [(c, n) for k in kinds for c, n in index[k].get(wanted, ())]
    if exact:
        return sorted(set(exact))
    return sorted(
        {
            (c, n)
            for k in kinds
            for key, hits in index[k].items()
            if key.startswith(wanted + " ")
            for c, n in hits
        }
    )


@lru_cache(maxsize=1)
def _area_index() -> dict[str, dict[str, list[tuple[str, str]]]]:
    """Return, per kind of area, folded name -> [(code, ONS name)] (councils: E10 counties only)."""
    index: dict[str, dict[str, list[tuple[str, str]]]] = {}
    for kind in ("district", "county", "police_force_area", "fire_authority"):
        by_name: dict[str, list[tuple[str, str]]] = {}
        for code in reference.codes_of_kind(kind):
            if kind == "county" and not code.startswith("E10"):
                continue  # metropolitan counties and Inner/Outer London have no council
            area_name = _readable(reference.area_name(code))
            by_name.setdefault(_area_key(area_name), []).append((code, area_name))
        index[kind] = by_name
    return index


@lru_cache(maxsize=1)
def _combined_authorities() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Return combined authority code -> (name, its districts), from the 2019 lookups."""
    from totalplace.coverage import sources  # coverage's data, read only when asked

    found: dict[str, tuple[str, list[str]]] = {}
    for district in sources.drivers().values():
        if district.combined_authority_code:
            entry = found.setdefault(
                district.combined_authority_code, (district.combined_authority_name, [])
            )
            entry[1].append(district.code)
    return {code: (n, tuple(sorted(ds))) for code, (n, ds) in found.items()}


def _county_of_exactly(districts: tuple[str, ...]) -> tuple[str, ...]:
    """Return (county code,) when one county (a metropolitan one) is exactly these districts."""
    for code in reference.codes_of_kind("county"):
        if tuple(reference.expand_area(code)) == districts:
            return (code,)
    return ()


@lru_cache(maxsize=1)
def _nhs_bodies() -> dict[str, Candidate]:
    """Return NHS bodies of the official list keyed by their NHS key (see ``_nhs_key``).

    An ICB or sub-ICB gets the districts its GP practices lie in (NHS England's
    allocations table, ``reference.nhs_need``): an ICB the union of its sub-ICBs'; a
    trust gets none (a trust has no area of its own: the user must give it one).
    """
    from totalplace.link.kinds import public_body_reference

    bodies = [(n, c) for n, t, c in public_body_reference() if t == "nhs"]
    keys = [_nhs_key(normalise_name(n)) for n, _ in bodies]
    found: dict[str, Candidate] = {}
    for (body_name, code), key in zip(bodies, keys, strict=True):
        icb = bool(_ICB_WORDS.search(normalise_name(body_name)))
        areas: tuple[str, ...] = ()
        if icb:
            subs = [code] + [
                c for (_, c), k in zip(bodies, keys, strict=True) if k.startswith(key + " ")
            ]
            areas = tuple(sorted({d for sub in subs for d in nhs_need.icb_districts(sub)}))
        found.setdefault(key, Candidate(body_name, "nhs_icb" if icb else "nhs_trust", areas, code))
    return found


@lru_cache(maxsize=1)
def _listed() -> dict[str, Candidate]:
    """Return councils, police and fire bodies of the official list by whole normalised name."""
    found: dict[str, Candidate] = {}
    for body_name, candidate in _listed_names():
        if candidate is not None:
            found.setdefault(normalise_name(body_name), candidate)
    return found


@lru_cache(maxsize=1)
def _listed_names() -> tuple[tuple[str, Candidate | None], ...]:
    """Return (official name, body) for the councils, police and fire bodies of the official list."""
    from totalplace.link.kinds import public_body_reference

    found: list[tuple[str, Candidate | None]] = []
    for body_name, body_type, code in public_body_reference():
        try:
            kind = reference.area_kind(code)
        except reference.UnknownAreaError:
            continue  # an abolished council, or one outside the 2019 lookups
        area_name = _readable(reference.area_name(code))
        if body_type == "council" and kind == "district":
            sector = "district_council" if code.startswith("E07") else "unitary_council"
            candidate = Candidate(f"the council of {area_name}", sector, (code,), code)
        elif body_type == "council" and code.startswith("E10"):
            candidate = Candidate(f"{area_name} County Council", "county_council", (code,), code)
        elif body_type == "police" and kind == "police_force_area":
            candidate = Candidate(f"the police of {area_name}", "police", (code,), code)
        elif body_type == "fire" and kind == "fire_authority":
            candidate = Candidate(
                f"the fire and rescue authority of {area_name}", "fire", (code,), code
            )
        else:
            continue
        found.append((body_name, candidate))
    return tuple(found)
