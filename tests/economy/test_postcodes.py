"""Postcodes are read however they are written, and placed only as far as the evidence goes."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from totalplace.economy.postcodes import (
    lookup_table,
    normalise_postcode,
    normalise_postcodes,
    place_postcodes,
)


@given(
    st.sampled_from(["BB5 1RT", "SW1A 1AA", "M1 1AE", "EC1A 1BB", "W1A 0AX", "B33 8TH"]),
    st.lists(st.sampled_from([" ", "  ", "\t"]), max_size=3),
    st.booleans(),
    st.booleans(),
)
def test_spacing_and_case_do_not_matter(postcode, pads, lower, squeeze):
    written = postcode.replace(" ", "") if squeeze else postcode
    written = written.lower() if lower else written
    written = "".join(pads) + written + "".join(pads)
    assert normalise_postcode(written) == postcode


def test_partial_or_nonsense_postcodes_are_not_postcodes():
    for text in ("BB5", "12345", "", None, "BB5 1R", "not a postcode"):
        assert normalise_postcode(text) is None


def test_placing_by_gp_practice_postcode_outward_code_or_not_at_all():
    known = lookup_table()
    found = place_postcodes(
        normalise_postcodes(pa.array(["bb5 1rt", "BB5 9ZZ", "ZZ9 9ZZ", None])), known
    ).to_pylist()
    # BB5 1RT is a Hyndburn GP practice (NHS England's AIF file, LAD21 E07000120)
    assert found[0]["lad_code"] == "E07000120"
    assert (found[0]["method"], found[0]["confidence"]) == ("GP practice postcode", "high")
    # BB5 9ZZ: no practice there, but every practice in BB5 is in Hyndburn
    assert found[1]["lad_code"] == "E07000120"
    assert (found[1]["method"], found[1]["confidence"]) == ("outward code", "low")
    # unknown outward code and no postcode: not placed, never guessed
    assert found[2]["lad_code"] is None and found[2]["method"] is None
    assert found[3]["lad_code"] is None


def test_an_outward_code_spanning_districts_places_nothing():
    known = pa.table(
        {
            "postcode": ["AB1 1AA", "AB1 2BB"],
            "lad_code": ["E07000001", "E07000002"],
            "method": ["postcode directory"] * 2,
            "confidence": ["high"] * 2,
            "source": ["test"] * 2,
        }
    )
    found = place_postcodes(pa.array(["AB1 9ZZ", "AB1 2BB"]), known).to_pylist()
    assert found[0]["lad_code"] is None
    assert found[1]["lad_code"] == "E07000002"
