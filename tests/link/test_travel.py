"""Rules that travel to publishers never tuned on (issue 7 part 6).

Real names from the unseen publishers' files (Oxford, BIS, the GLA, TfL, Network Rail,
NHS ICBs, Darlington, Babergh) and generated spellings of them: the rules must hold for
any spelling a publisher uses, not for the examples' spellings.
"""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from linkhelpers import NO_SPLINK, payee_table, supplier_of

from totalplace.link import link_payees
from totalplace.link.names import normalise_names


def _together(rows, *, splink=True):
    """Return the register of ``rows`` (partner, raw_name[, other columns])."""
    return link_payees(
        payee_table(rows),
        related=[],
        threshold_match_weight=None if splink else NO_SPLINK,
    )


def _same(register, a, b) -> bool:
    return supplier_of(register, *a) == supplier_of(register, *b)


# --- registered names ---------------------------------------------------------------


def test_registered_names_that_differ_by_a_word_are_two_companies():
    # Each pair: both carry a legal form, and the words before it differ by a word one
    # lacks -- two entries at Companies House (BIS pays the Scottish LLP, the ICBs the
    # English one; Reach Publishing Ltd and Reach Publishing Services Ltd are two
    # companies of one group).
    pairs = [
        ("DAC BEACHCROFT SCOTLAND LLP", "DAC BEACHCROFT LLP"),
        ("REACH PUBLISHING LTD", "Reach Publishing Services Ltd"),
        ("RENTOKIL INITIAL UK CLEANING LTD", "RENTOKIL INITIAL UK LTD TA AMBIUS"),
    ]
    for a, b in pairs:
        register = _together([{"partner": "bis", "raw_name": a}, {"partner": "tfl", "raw_name": b}])
        assert not _same(register, ("bis", a), ("tfl", b)), (a, b)


def test_one_supplier_account_for_two_group_companies_does_not_join_them():
    # Oxford pays both under supplier id 20000293: Tunstall Healthcare (UK) Ltd and
    # Tunstall Telecom Ltd are two registered companies (HEALTHCARE vs TELECOM).
    register = _together(
        [
            {
                "partner": "oxford",
                "raw_name": "TUNSTALL HEALTHCARE (UK) LIMITED",
                "supplier_id": "20000293",
            },
            {
                "partner": "oxford",
                "raw_name": "TUNSTALL TELECOM LIMITED",
                "supplier_id": "20000293",
            },
        ]
    )
    assert not _same(
        register,
        ("oxford", "TUNSTALL HEALTHCARE (UK) LIMITED"),
        ("oxford", "TUNSTALL TELECOM LIMITED"),
    )
    [edge] = [x for x in register.links.to_pylist() if x["rule"] == "supplier_id"]
    assert not edge["applied"]


def test_spelling_slips_initials_and_spacing_are_not_other_companies():
    # "SEVICES"/"SERVICES" is one slip; "(N)" is the initial of "(North)"; "H B" and
    # "HB" differ only by a space; "(UK)" is a weak word. Same supplier id at one partner.
    pairs = [
        ("Shelton Development Sevices Ltd", "SHELTON DEVELOPMENT SERVICES LTD"),
        ("Capstone Foster Care (N) Ltd", "Capstone Foster Care (North) Ltd"),
        ("SWAN FIRE (UK) LIMITED", "SWAN FIRE LIMITED"),
    ]
    for a, b in pairs:
        register = _together(
            [
                {"partner": "oxford", "raw_name": a, "supplier_id": "1"},
                {"partner": "oxford", "raw_name": b, "supplier_id": "1"},
            ],
            splink=False,
        )
        assert _same(register, ("oxford", a), ("oxford", b)), (a, b)


# --- generated spellings ------------------------------------------------------------

#: Registered companies paid by the unseen publishers (Network Rail, TfL, Oxford, the ICBs).
COMPANIES = ["Mott MacDonald", "Computacenter", "Keltbray Aspire Rail", "Edmundson Electrical"]


@st.composite
def spelling(draw, name: str) -> str:
    """One publisher's spelling of a registered company ``name`` (with its legal form)."""
    words = name.split()
    words = [draw(st.sampled_from([w, w.upper(), w.lower()])) for w in words]
    form = draw(st.sampled_from(["Ltd", "LTD", "Limited", "LIMITED", "Ltd.", "ltd"]))
    text = " ".join(words)
    if draw(st.booleans()):
        text = "The " + text
    text = f"{text} {form}"
    if draw(st.booleans()):
        text += draw(st.sampled_from(["", ".", ",", " (Ipswich)", " - 8700292976"]))
    if draw(st.booleans()):
        text = text.replace(" ", draw(st.sampled_from(["  ", " "])))
    return text


@st.composite
def trading_as(draw, name: str) -> str:
    """``name`` Ltd trading as something, as publishers write it."""
    ta = draw(st.sampled_from(["T/A", "t/a", "TA", "Trading As", "T/AS"]))
    brand = draw(st.text(alphabet=string.ascii_uppercase, min_size=5, max_size=8))
    return f"{name} Ltd {ta} {brand} Services"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_spelling_of_a_registered_company_is_one_supplier(data):
    name = data.draw(st.sampled_from(COMPANIES))
    a = data.draw(spelling(name))
    b = data.draw(st.one_of(spelling(name), trading_as(name)))
    register = _together([{"partner": "tfl", "raw_name": a}, {"partner": "oxford", "raw_name": b}])
    assert _same(register, ("tfl", a), ("oxford", b)), (a, b)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_company_and_its_sibling_are_two_suppliers_however_spelt(data):
    # "X Scotland Ltd", "X Holdings Ltd", "X Group Ltd", "X Rail Services Ltd" are other
    # registered companies than "X Ltd", whatever the case, punctuation or "The".
    name = data.draw(st.sampled_from(COMPANIES))
    extra = data.draw(st.sampled_from(["Scotland", "Holdings", "Group", "Rail Services"]))
    a = data.draw(spelling(name))
    b = data.draw(spelling(f"{name} {extra}"))
    register = _together([{"partner": "tfl", "raw_name": a}, {"partner": "oxford", "raw_name": b}])
    assert not _same(register, ("tfl", a), ("oxford", b)), (a, b)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(["Emerald Law", "Irwin Mitchell", "Lyons Wilson"]),
    amp=st.sampled_from([" & ", " and ", " AND "]),
    suffix=st.sampled_from(["Solicitors", "SOLICITORS", "Solicitor"]),
)
def test_a_firms_trailing_solicitors_and_its_ampersand_do_not_change_its_key(name, amp, suffix):
    # "Emerald Law Solicitors" (NHS ICBs) is "Emerald Law" (Babergh): the firm's
    # descriptor after its name, and '&' / 'and', give the same matching key.
    first, second = name.split()
    plain = normalise_names([f"{first} {second}"])[0]["name_key"]
    assert normalise_names([f"{first} {second} {suffix}"])[0]["name_key"] == plain
    joined = normalise_names([f"{first}{amp}{second} {suffix}"])[0]["name_key"]
    assert joined == normalise_names([f"{first} and {second}"])[0]["name_key"]


# --- VAT groups, supplier ids, individuals, acronyms ---------------------------------


def test_a_vat_group_with_names_each_adding_its_own_word_is_not_one_payee():
    # Trafford publishes both with one VAT number: ANCHOR + TRUST vs ANCHOR + CARE HOMES,
    # each name has a word the other lacks -> a VAT group of two bodies.
    register = _together(
        [
            {
                "partner": "trafford",
                "raw_name": "ANCHOR TRUST (PENDLETON CENTRE)",
                "vat_number": "GB 123 4567 89",
            },
            {"partner": "trafford", "raw_name": "Anchor Care Homes Ltd", "vat_number": "123456789"},
        ]
    )
    assert not _same(
        register,
        ("trafford", "ANCHOR TRUST (PENDLETON CENTRE)"),
        ("trafford", "Anchor Care Homes Ltd"),
    )


def test_one_partners_supplier_id_joins_its_spellings_of_an_individual():
    # Oxford pays "MR J KEOWN" and "MR JOHN KEOWN" under supplier id 20010650: the same
    # surname and initial. "MRS A KEOWN" under the same id has another initial; a firm
    # under it is never an individual's payee.
    register = _together(
        [
            {"partner": "oxford", "raw_name": "MR J KEOWN", "supplier_id": "20010650"},
            {"partner": "oxford", "raw_name": "MR JOHN KEOWN", "supplier_id": "20010650"},
            {"partner": "oxford", "raw_name": "MRS A KEOWN", "supplier_id": "20010650"},
            {"partner": "oxford", "raw_name": "KEOWN BUILDERS LTD", "supplier_id": "20010650"},
            {"partner": "gla", "raw_name": "MR J KEOWN", "supplier_id": "20010650"},
        ],
        splink=False,
    )
    assert _same(register, ("oxford", "MR J KEOWN"), ("oxford", "MR JOHN KEOWN"))
    assert not _same(register, ("oxford", "MR J KEOWN"), ("oxford", "MRS A KEOWN"))
    assert not _same(register, ("oxford", "MR J KEOWN"), ("oxford", "KEOWN BUILDERS LTD"))
    # another partner's id 20010650 is another account: individuals are never joined by name
    assert not _same(register, ("oxford", "MR J KEOWN"), ("gla", "MR J KEOWN"))


def test_a_public_bodys_name_cut_short_joins_it_by_supplier_id():
    # Oxford pays Aylesbury Vale under one supplier id, once with "COUNCIL" cut off.
    register = _together(
        [
            {"partner": "oxford", "raw_name": "AYLESBURY VALE DISTRICT", "supplier_id": "20009533"},
            {
                "partner": "oxford",
                "raw_name": "AYLESBURY VALE DISTRICT COUNCIL",
                "supplier_id": "20009533",
            },
        ],
        splink=False,
    )
    assert _same(
        register,
        ("oxford", "AYLESBURY VALE DISTRICT"),
        ("oxford", "AYLESBURY VALE DISTRICT COUNCIL"),
    )


def test_a_name_that_spells_out_its_acronym_joins_the_acronym():
    # B-S-I are the initials of British Standards Institution; O-E-C-D of Organisation
    # (for) Economic Co-operation (and) Development. "BIRMINGHAM STEEL INDUSTRIES" does
    # not write "(BSI)", so it is not joined to "BSI" by the acronym rule.
    register = _together(
        [
            {"partner": "bis", "raw_name": "BRITISH STANDARDS INSTITUTION (BSI)"},
            {"partner": "oxford", "raw_name": "BSI"},
            {
                "partner": "bis",
                "raw_name": "OECD ORGANISATION FOR ECONOMIC CO-OPERATION AND DEVELOPMENT",
            },
            {"partner": "manchester", "raw_name": "OECD"},
            {"partner": "tfl", "raw_name": "BIRMINGHAM STEEL INDUSTRIES"},
            {"partner": "tfl", "raw_name": "BRITISH SUGAR (BSI)"},
        ],
        splink=False,
    )
    assert _same(register, ("bis", "BRITISH STANDARDS INSTITUTION (BSI)"), ("oxford", "BSI"))
    assert _same(
        register,
        ("bis", "OECD ORGANISATION FOR ECONOMIC CO-OPERATION AND DEVELOPMENT"),
        ("manchester", "OECD"),
    )
    assert not _same(register, ("tfl", "BIRMINGHAM STEEL INDUSTRIES"), ("oxford", "BSI"))
    # "(BSI)" is not the initials of British Sugar (BS): no acronym
    assert not _same(register, ("tfl", "BRITISH SUGAR (BSI)"), ("oxford", "BSI"))


def test_a_name_of_generic_words_alone_does_not_match_a_distinctive_one():
    # Babergh's "The Learning & Development Company" has no word saying which body it
    # is; the ICBs' "... Centre - Sentinel Ltd" has SENTINEL.
    register = _together(
        [
            {"partner": "babergh", "raw_name": "The Learning & Development Company"},
            {"partner": "nhs-icbs", "raw_name": "LEARNING & DEVELOPMENT CENTRE - SENTINEL LTD"},
        ]
    )
    assert not _same(
        register,
        ("babergh", "The Learning & Development Company"),
        ("nhs-icbs", "LEARNING & DEVELOPMENT CENTRE - SENTINEL LTD"),
    )


def test_companies_named_for_different_places_in_brackets_are_two():
    # "(Ilkley) Limited": the bracket before the legal form is part of the registered
    # name; Leeds' "(leeds &" (cut off by the column) names another place. "(N)" and
    # "(North)" agree (N is North's initial).
    register = _together(
        [
            {"partner": "calderdale", "raw_name": "Springfield Healthcare (Ilkley) Limited"},
            {"partner": "leeds", "raw_name": "Springfield healthcare (leeds &"},
            {"partner": "trafford", "raw_name": "Capstone Foster Care (N) Ltd"},
            {"partner": "newcastle", "raw_name": "Capstone Foster Care (North) Ltd"},
        ]
    )
    assert not _same(
        register,
        ("calderdale", "Springfield Healthcare (Ilkley) Limited"),
        ("leeds", "Springfield healthcare (leeds &"),
    )
    assert _same(
        register,
        ("trafford", "Capstone Foster Care (N) Ltd"),
        ("newcastle", "Capstone Foster Care (North) Ltd"),
    )
