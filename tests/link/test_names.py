"""Payee names normalise to one key however a publisher spells them (real names from the files)."""

from __future__ import annotations

import pytest

from totalplace.link import name_key, normalise_names


@pytest.mark.parametrize(
    "variants",
    [
        ["DENNIS EAGLE LTD", "Dennis Eagle Limited", "Dennis Eagle Ltd."],
        ["S & N Theatre Company", "S and N Theatre Company"],
        ["BRITISH DYSLEXIA ASSOCIATION", "British Dyslexia Assoc"],
        ["L.S.I Ltd", "LSI LIMITED"],
        ["C P Y Excavations Ltd", "CPY EXCAVATIONS LTD"],
        ["Stockport MBC (Accts Receiveable)", "Stockport Metropolitan Borough Council"],
        ["CITY OF BRADFORD MDC", "Bradford City Council"],
        ["BARNARDO'S", "BARNARDO\\x92S", "Barnardos"],
        ["HC-One Ltd (Kings Park)", "HC-One Limited"],
        ["Amazon.Co.Uk*zr2zs0fq5", "AMAZON.CO.UK*MZ71L6NB4 AM", "Amazon UK"],
        ["TESCO STORES 2617", "Tesco Stores 2187"],
        ["CORE ASSETS FOSTERINGLTD", "Core Assets Fostering Limited"],
        ["MBL (Seminars) Ltd", "MBL Seminars Limited"],
        ["Paypal *swellukltd", "SWELLUK LTD"],
    ],
)
def test_spellings_of_one_payee_share_a_key(variants):
    keys = {name_key(v) for v in variants}
    assert len(keys) == 1, keys


def test_trading_names_split_owner_from_trading_name():
    row = normalise_names(["L&Q T/A London & Quadrant Housing T"])[0]
    assert row["owner_name"] == "L&Q"
    assert name_key(str(row["owner_name"])) == "LANDQ"
    assert row["match_name"] == "LONDON AND QUADRANT HOUSING T"
    glued = normalise_names(["TGC Concerts Ltd T/AThe Gig Cartel"])[0]
    assert glued["match_name"] == "GIG CARTEL"
    assert glued["owner_name"] == "TGC CONCERTS LTD"


def test_small_numbers_in_a_name_stay_but_store_numbers_go():
    assert name_key("VOYAGE 1 LTD") != name_key("Voyage Limited")
    assert name_key("ALDI 60 779") == name_key("Aldi 40 779") == "ALDI"


def test_brackets_before_a_legal_form_are_part_of_the_name():
    assert name_key("Springfield Healthcare (Ilkley) Limited") == "SPRINGFIELDHEALTHCAREILKLEY"
    assert name_key("Cohens Chemist (Altrincham)") == name_key("Cohens Chemist (Stretford)")


def test_blank_and_legal_form_only_names_do_not_collapse_together():
    assert name_key(None) is None
    assert name_key("") is None
    assert name_key("Ltd") == "LTD"
