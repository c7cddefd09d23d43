"""Issue 7, item 3: a partner's name is identified as a council, police, fire, combined
authority or NHS body from the reference lists, whatever its spelling."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.identify import identify_body, short_forms
from totalplace.link.kinds import public_body_reference
from totalplace.reference import UnknownAreaError, area_kind


@pytest.mark.parametrize(
    ("name", "sector", "areas"),
    [
        ("Manchester City Council", "unitary_council", ("E08000003",)),
        ("Manchester CC", "unitary_council", ("E08000003",)),
        ("MANCHESTER CITY COUNCIL", "unitary_council", ("E08000003",)),
        ("  manchester  city council ", "unitary_council", ("E08000003",)),
        ("Salford City Council", "unitary_council", ("E08000006",)),
        ("Hyndburn Borough Council", "district_council", ("E07000120",)),
        ("London Borough of Camden", "unitary_council", ("E09000007",)),
        ("Bristol City Council", "unitary_council", ("E06000023",)),
        ("Lancashire County Council", "county_council", ("E10000017",)),
        ("Lancashire CC", "county_council", ("E10000017",)),
        ("Durham County Council", "unitary_council", ("E06000047",)),
        ("Lancashire Constabulary", "police", ("E23000003",)),
        ("Police and Crime Commissioner for Lancashire", "police", ("E23000003",)),
        ("Greater Manchester Police", "police", ("E23000005",)),
        ("Lancashire Fire and Rescue Service", "fire", ("E31000023",)),
        ("Lancashire Fire & Rescue Authority", "fire", ("E31000023",)),
        ("Greater Manchester Combined Authority", "combined_authority", ("E11000001",)),
        (
            "West of England Combined Authority",
            "combined_authority",
            ("E06000022", "E06000023", "E06000025"),
        ),
        ("Manchester University NHS Foundation Trust", "nhs_trust", ()),
        ("Manchester University NHS FT", "nhs_trust", ()),
        ("East Lancashire Hospitals NHS Trust", "nhs_trust", ()),
        # The districts of the practices of ICB QOP (NHS England's allocations table,
        # column LAD21): the ten Greater Manchester districts, Bolton to Wigan.
        (
            "NHS Greater Manchester Integrated Care Board",
            "nhs_icb",
            tuple(f"E080000{n:02d}" for n in range(1, 11)),
        ),
        ("NHS Greater Manchester ICB", "nhs_icb", tuple(f"E080000{n:02d}" for n in range(1, 11))),
        # Sub-ICB 00T (Bolton): its 49 practices all have LAD21 E08000001.
        ("NHS Greater Manchester ICB - 00t", "nhs_icb", ("E08000001",)),
        ("GMCA", "combined_authority", ("E11000001",)),
        ("G.M.C.A.", "combined_authority", ("E11000001",)),
        ("GMP", "police", ("E23000005",)),
        ("GMFRS", "fire", ("E31000040",)),
        ("WYCA", "combined_authority", ("E11000006",)),
        ("ELHT", "nhs_trust", ()),
    ],
)
def test_each_kind_of_body_is_identified_with_its_sector_and_areas(name, sector, areas):
    body = identify_body(name).body
    assert body is not None, name
    assert (body.sector, body.areas) == (sector, areas)


def test_what_a_body_was_identified_as_is_said_with_its_code():
    body = identify_body("Manchester City Council").body
    assert body is not None and body.text() == "the council of Manchester (E08000003)"


def test_a_name_two_councils_fit_is_ambiguous_with_both_as_candidates():
    found = identify_body("Newcastle City Council")
    assert found.body is None
    assert {c.code for c in found.candidates} == {"E08000021", "E07000195"}


@pytest.mark.parametrize(
    "name", ["Friends of Platt Fields Park", "Alpha Council", "TfGM", "Acme Ltd", "", "AB"]
)
def test_a_name_no_body_has_is_not_identified(name):
    found = identify_body(name)
    assert found.body is None and found.candidates == ()


_SMALL = {"and", "of", "for", "the", "in", "on", "upon"}


def _initials(name: str) -> str:
    """Worked here, not by the code: the first letter of each word but and/of/for/the..."""
    words = name.replace("&", " and ").replace("-", " ").replace(",", " ").lower().split()
    return "".join(w[0] for w in words if w[0].isalnum() and w not in _SMALL)


def _bodies() -> list[tuple[str, str]]:
    """Return (official name, code) of every listed body the import can identify by full name."""
    out = []
    for name, _kind, code in public_body_reference():
        body = identify_body(name).body
        if body is not None and body.code == code.upper():
            out.append((name, body.code))
    return out


BODIES = _bodies()


def test_every_bodys_acronym_names_it_or_asks_never_another_body_silently():
    # For every body of the reference lists, its acronym (worked by _initials) resolves
    # to that body alone, or to several candidates among which it is: two bodies with
    # the same acronym are never resolved to one of them without asking.
    checked = 0
    for name, code in BODIES:
        short = _initials(name)
        if len(short) < 3 or short not in short_forms():
            continue  # too short, or an area's own name (left out on purpose)
        found = identify_body(short.upper())
        assert code in {c.code for c in found.candidates}, (name, short)
        checked += 1
    assert checked > 900  # most of the 1,365 listed bodies have a usable acronym


@settings(max_examples=80, deadline=None)
@given(
    body=st.sampled_from(BODIES),
    style=st.sampled_from(["upper", "lower", "dots", "spaced"]),
)
def test_generated_spellings_of_a_short_form_resolve_alike(body, style):
    name, code = body
    short = _initials(name)
    if len(short) < 3 or short not in short_forms():
        return
    spelt = {
        "upper": short.upper(),
        "lower": short,
        "dots": ".".join(short.upper()) + ".",
        "spaced": " " + short.upper() + " ",
    }[style]
    found = identify_body(spelt)
    assert code in {c.code for c in found.candidates}
    if found.body is not None:
        # Resolved silently: then no other listed body has that acronym.
        assert {c for n, c in BODIES if _initials(n) == short} == {code}


def test_an_acronym_many_councils_share_gives_all_of_them_as_candidates():
    # LFRS: the fire and rescue services of Lancashire, Leicestershire and Lincolnshire.
    found = identify_body("LFRS")
    assert found.body is None
    assert {"E31000023", "E31000024", "E31000025"} <= {c.code for c in found.candidates}


def test_an_nhs_trust_gets_no_areas_and_the_import_says_to_give_them():
    from totalplace.ingest import NewPartner
    from totalplace.workspace import Partner

    found = identify_body("Lancashire Teaching Hospitals NHS Foundation Trust")
    assert found.body is not None and found.body.areas == ()
    partner = Partner(name="LTH", sector="nhs_trust")
    said = NewPartner(partner, found, found.body).text()
    assert "no areas" in said and "areas = [" in said


def test_codes_of_icb_areas_are_known_districts():
    body = identify_body("NHS Lancashire and South Cumbria ICB").body
    assert body is not None and "E07000120" in body.areas  # Hyndburn's practices
    for code in body.areas:
        try:
            assert area_kind(code) == "district"
        except UnknownAreaError:  # pragma: no cover - says which code is unknown
            raise AssertionError(code) from None
