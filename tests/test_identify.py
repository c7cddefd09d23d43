"""Issue 7, item 3: a partner's name is identified as a council, police, fire, combined
authority or NHS body from the reference lists, whatever its spelling."""

from __future__ import annotations

import pytest

from totalplace.identify import identify_body


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
        ("NHS Greater Manchester Integrated Care Board", "nhs_icb", ()),
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
    "name", ["Friends of Platt Fields Park", "Alpha Council", "GMCA", "Acme Ltd", ""]
)
def test_a_name_no_body_has_is_not_identified(name):
    found = identify_body(name)
    assert found.body is None and found.candidates == ()
