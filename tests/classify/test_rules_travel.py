"""Rules that travel: the same words mean the same thing whoever publishes them.

Payroll deductions are employee costs in every spelling; council tax and business
rate refunds and levies to bodies outside the count are passed on, for every kind of
partner; and service words match whole words, never fragments ("Hospitality" is not
a hospital). The lines here are written as other publishers write them, so these run
the default rules through the engine on small in-memory tables, no files needed.
"""

from __future__ import annotations

from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pytest

from totalplace.classify.engine import classification_expr
from totalplace.classify.rules import FIELDS, load_rules

RULES = load_rules()
SECTORS = ("district_council", "unitary_council", "county_council", "combined_authority", "unknown")


def classify_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the classification of each line (in order), by the default rules.

    Each line gives some of the transaction text fields and optionally a ``sector``;
    every line is its own partner, so lines of different sectors can sit side by side.
    """
    rows, sectors = [], {}
    for n, line in enumerate(lines):
        partner = f"partner-{n}"
        sectors[partner] = line.get("sector", "district_council")
        rows.append({"txn_key": n, "partner": partner, **{f: line.get(f) for f in FIELDS}})
    schema = pa.schema(
        [("txn_key", pa.int64()), ("partner", pa.string())] + [(f, pa.string()) for f in FIELDS]
    )
    table = ibis.memtable(pa.Table.from_pylist(rows, schema=schema))
    out = classification_expr(table, RULES, sectors).to_pyarrow().to_pylist()
    return sorted(out, key=lambda r: r["txn_key"])


def _spellings(*words: str) -> list[str]:
    """Return each wording as published: as is, upper case, lower case, title case."""
    return sorted({v for w in words for v in (w, w.upper(), w.lower(), w.title())})


# --- Payroll deductions are Employees ------------------------------------------------

PAYROLL_WORDS = _spellings(
    "PAYE",
    "PAYE Tax",
    "P.A.Y.E.",
    "Income tax (PAYE)",
    "National Insurance",
    "Nat Ins",
    "Nat. Ins.",
    "Nat Ins & Rebate",
    "Employers NI",
    "Employer's NI",
    "Ers NI",
    "Ees NI",
    "NI contributions",
    "HMRC - NI",
    "HMRC NI Aug 24",
    "PAYE and NI",
    "Superannuation",
    "Superann",
    "Supn",
    "Teachers Supn Fund",
    "Employers pension contributions",
    "Pension contributions - LGPS",
    "LGPS employer contributions",
    "Pension Fund deficit payment",
    "HBC Pension Jan 25",
    "AVC",
    "Add Vol Conts",
    "Statutory Maternity Pay",
    "Apprenticeship Levy",
)


@pytest.mark.parametrize("field", ["purpose", "expense_type"])
def test_payroll_deductions_are_employees_in_every_spelling(field):
    lines = [{field: w, "service_area": "Finance", "supplier_name": "Payee"} for w in PAYROLL_WORDS]
    got = classify_lines(lines)
    wrong = [(w, r["subjective"]) for w, r in zip(PAYROLL_WORDS, got, strict=True)]
    assert [x for x in wrong if x[1] != "Employees"] == []
    # Paid over for every service's staff: not the finance team's cost, not passed on,
    # and not a corporate theme because the payroll happens to be run from finance.
    assert {r["back_office_function"] for r in got} == {None}
    assert {r["transfer"] for r in got} == {None}
    assert "Corporate and democratic" not in {r["theme"] for r in got}


def test_pay_deductions_paid_to_hmrc_are_employees_not_student_grants():
    got = classify_lines(
        [
            {"purpose": "Student Loans", "supplier_name": "HMRC Cumbernauld"},
            {"purpose": "HMRC Aug 24 Tax", "supplier_name": "HM Revenue & Customs"},
            {"purpose": "November 24", "supplier_name": "HMRC", "service_area": "AAF - Finance"},
        ]
    )
    assert [r["subjective"] for r in got] == ["Employees"] * 3
    assert [r["theme"] for r in got] == [None, None, None]


def test_teachers_pensions_are_for_schools():
    got = classify_lines(
        [
            {"purpose": "Teachers Supn Fund", "service_area": "NA"},
            {"purpose": "Employer contributions", "supplier_name": "Teachers' Pensions"},
        ]
    )
    assert [r["theme"] for r in got] == ["Children and families"] * 2
    assert [r["subjective"] for r in got] == ["Employees"] * 2


@pytest.mark.parametrize(
    "words",
    [
        "National Institute of Adult Continuing Education",
        "Northern Ireland Office",
        "Nightingale Court",
        "Pensions administration services",
        "Pension scheme actuarial advice",
        "Navcom radios",
    ],
)
def test_words_that_only_look_like_pay_are_not_pay(words):
    (got,) = classify_lines([{"purpose": words}])
    assert got["subjective_rule"] not in {
        "subj.employees.payroll_deductions",
        "subj.employees.payroll_payee",
        "subj.employees.pay",
    }


def test_construction_industry_scheme_tax_paid_to_hmrc_is_not_pay():
    (got,) = classify_lines(
        [{"purpose": "CI TAX NET CLEARING - CIS 06 May to 05 June", "supplier_name": "HMRC"}]
    )
    assert got["subjective_rule"] != "subj.employees.payroll_payee"


# --- Refunds and levies are passed on, the same for every partner ------------------------

REFUNDS = _spellings(
    "NNDR Refund",
    "N.N.D.R. refunds",
    "NDR refund",
    "Business Rates Refund",
    "Business rate refunds 2024/25",
    "Refund of business rates",
    "Refund of NNDR overpayment",
    "Rates refund",
    "Non-Domestic Rates Refund",
    "Council Tax Refund",
    "Council tax refunds",
    "Ctax refund",
    "C Tax Refund",
    "Overpayment of council tax",
)


@pytest.mark.parametrize("sector", SECTORS)
def test_rate_refunds_are_passed_on_for_every_partner(sector):
    lines = [{"purpose": w, "service_area": "Revenues", "sector": sector} for w in REFUNDS]
    lines += [
        {"purpose": "Refund", "supplier_name": "NNDR REFUNDS", "sector": sector},
        {"purpose": "Refunds", "supplier_name": "Business Rates Refund", "sector": sector},
        {"expense_type": "Payments", "supplier_name": "COUNCIL TAX REFUND", "sector": sector},
    ]
    got = classify_lines(lines)
    assert {r["transfer"] for r in got} == {"Council tax or business rates refund"}
    assert {r["subjective"] for r in got} == {"Transfer payments"}
    assert {r["back_office_function"] for r in got} == {None}  # not the revenues team's cost


@pytest.mark.parametrize(
    "words", ["Planning refund", "Rent refund", "Refund of fees", "Refund of deposit"]
)
def test_other_refunds_are_not_rate_refunds(words):
    (got,) = classify_lines([{"purpose": words}])
    assert got["transfer"] is None


LEVIES: list[dict[str, str]] = [
    {"purpose": "Waste Disposal Levy"},
    {"purpose": "GMITA LEVY (GMCA)"},
    {"purpose": "Transport levy 2024/25"},
    {"expense_type": "Levies", "supplier_name": "Environment Agency"},
    {"purpose": "Flood Defence Levy"},
    {"purpose": "IDB drainage levy"},
    {"purpose": "Special levy", "supplier_name": "Danvm Drainage Commissioners"},
    # The payee is the levying body though the line does not say "levy".
    {"purpose": "Transport contribution", "supplier_name": "Greater Manchester Combined Authority"},
    {"purpose": "Waste disposal", "supplier_name": "Merseyside Waste Disposal Authority"},
    {"purpose": "Flood defence contribution", "supplier_name": "Environment Agency"},
    {"purpose": "Drainage rates", "supplier_name": "Doncaster East Internal Drainage Board"},
    {"purpose": "Transport contribution", "supplier_name": "West Yorkshire Combined Authority"},
    {"expense_type": "Statutory contribution", "supplier_name": "South Yorkshire PTE"},
]


@pytest.mark.parametrize("sector", SECTORS)
def test_levies_are_passed_on_the_same_way_for_every_partner(sector):
    got = classify_lines([{**line, "sector": sector} for line in LEVIES])
    assert [r["transfer"] for r in got] == ["Precept or levy"] * len(LEVIES)


def test_the_apprenticeship_levy_is_a_pay_cost_not_a_levy_passed_on():
    got = classify_lines([{"purpose": p} for p in _spellings("Apprenticeship Levy")])
    assert {r["transfer"] for r in got} == {None}
    assert {r["subjective"] for r in got} == {"Employees"}


@pytest.mark.parametrize(
    ("what", "payee"),
    [  # lines seen in real files: bought from a levying body, not a levy
        ("Training course fee", "Greater Manchester Combined Authority"),
        ("Public Transport and Taxi Fares", "NEXUS"),
        (
            "Police - Other Specialist Operational Equipment",
            "Greater Manchester Combined Authority",
        ),
        ("Licences (Non-Transport)", "Environment Agency"),
        ("CONTRIB EXT PROJECTS - TFGM officer time", "Transport for Greater Manchester"),
        ("Other Contributions", "Environment Agency"),
    ],
)
def test_services_bought_from_a_levying_body_are_not_levies(what, payee):
    (got,) = classify_lines([{"purpose": what, "supplier_name": payee}])
    assert got["transfer"] is None


# --- Whole words, not fragments -------------------------------------------------------

#: Words that contain a shorter word a rule looks for, and the values they must NOT get
#: from any rule of that dimension because of it.
TRICKY: dict[str, dict[str, set[str]]] = {
    "Hospitality + Trading Services": {
        "theme": {"Health and wellbeing"},
        "subjective": {"Third party payments"},
    },
    "Hospitality Catering Ltd": {"theme": {"Health and wellbeing"}},
    "Libraries, Archives & Info": {"theme": {"Health and wellbeing"}},
    "Recycling": {"theme": {"Transport and highways"}},
    "Recycle bins": {"theme": {"Transport and highways"}},
    "Metal Recycle": {"theme": {"Transport and highways"}},
    "Transport": {"theme": {"Culture and leisure"}},
    "Highways & Transport": {"theme": {"Culture and leisure"}},
    "Agriculture": {"theme": {"Culture and leisure"}},
    "Prevents": {"theme": {"Culture and leisure"}},
    "Spare parts": {"theme": {"Culture and leisure"}},
    "Marketing and Communications": {"theme": {"Place and environment"}},
    "Workplace Services": {"theme": {"Place and environment"}},
    "Sparkes Ltd": {"theme": {"Place and environment"}},
    "Accidental damage": {"theme": {"Health and wellbeing"}},
    "Replacement windows": {"subjective": {"Third party payments"}},
    "Watercourses": {"subjective": {"Employees"}},
    "National Institute": {"subjective": {"Employees"}},
    "Havco Ltd": {"subjective": {"Employees"}},
    "Shopper bags": {"subjective": {"Supplies and services"}},
    "Elevator lifting": {"subjective": {"Premises"}},
}

#: And the whole words the same rules must still find.
PLAIN: dict[str, tuple[str, str]] = {
    "Hospital discharge": ("theme", "Health and wellbeing"),
    "St Mary's Hospital": ("theme", "Health and wellbeing"),
    "HIV prevention": ("theme", "Health and wellbeing"),
    "Cycle lanes": ("theme", "Transport and highways"),
    "Cycling": ("theme", "Transport and highways"),
    "Sports development": ("theme", "Culture and leisure"),
    "Arts and culture": ("theme", "Culture and leisure"),
    "Events": ("theme", "Culture and leisure"),
    "Markets": ("theme", "Place and environment"),
    "Parks and open spaces": ("theme", "Place and environment"),
    "Pest control": ("theme", "Place and environment"),
    "Dental practice": ("theme", "Health and wellbeing"),
    "Residential placements": ("subjective", "Third party payments"),
    "Training courses": ("subjective", "Employees"),
}


def _patterns(dimension: str, value: str) -> list[tuple[str, str, str]]:
    return [
        (r.id, field, pattern)
        for r in RULES.rules
        if r.dimension == dimension and r.value == value
        for field, pattern in r.match.items()
    ]


def _matches(con: duckdb.DuckDBPyConnection, text: str, pattern: str) -> bool:
    return bool(con.execute("SELECT regexp_matches(?, ?)", [text, f"(?i){pattern}"]).fetchone()[0])


def test_no_rule_pattern_matches_a_fragment_of_a_tricky_word():
    con = duckdb.connect()
    hits = [
        (word, rule_id, field)
        for word, forbidden in TRICKY.items()
        for dimension, values in forbidden.items()
        for value in values
        for rule_id, field, pattern in _patterns(dimension, value)
        if _matches(con, word, pattern)
    ]
    assert hits == []


@pytest.mark.parametrize(("word", "where"), PLAIN.items())
def test_whole_words_are_still_found(word, where):
    dimension, value = where
    con = duckdb.connect()
    assert any(_matches(con, word, p) for _, _, p in _patterns(dimension, value))


@pytest.mark.parametrize(
    "expense_type", ["Catering Provisions", "Security", "Vehicle Fuel Costs", "Insurance"]
)
def test_hospitality_and_trading_services_is_not_health(expense_type):
    (got,) = classify_lines(
        [{"service_area": "Hospitality + Trading Services", "expense_type": expense_type}]
    )
    assert got["theme"] != "Health and wellbeing"
    assert got["theme_rule"] != "theme.health.service_area"


def test_every_rule_still_has_a_stable_unique_id():
    ids = [r.id for r in RULES.rules]
    assert len(ids) == len(set(ids))
    # Ids of the rules this change rewrote keep their meaning (same dimension and value).
    kept = {
        "subj.employees.pay": ("subjective", "Employees"),
        "transfer.precept": ("transfer", "Precept or levy"),
        "theme.health.service_area": ("theme", "Health and wellbeing"),
        "theme.corporate.service_area": ("theme", "Corporate and democratic"),
        "bo.front.payroll_deductions": ("back_office", "Front line"),
    }
    by_id = {r.id: (r.dimension, r.value) for r in RULES.rules}
    assert {k: by_id[k] for k in kept} == kept


def test_a_partner_named_for_its_purpose_gets_that_theme_whatever_its_sector():
    lines = [
        {"purpose": "Stationery"},
    ]
    names = {
        "transport-for-london": "Transport and highways",
        "network-rail": "Transport and highways",
        "greater-manchester-police": "Community safety",
        "west-yorkshire-fire-and-rescue-service": "Community safety",
        "nhs-somerset-icb": "Health and wellbeing",
    }
    rows = [
        {"txn_key": n, "partner": slug, **{f: lines[0].get(f) for f in FIELDS}}
        for n, slug in enumerate(names)
    ]
    schema = pa.schema(
        [("txn_key", pa.int64()), ("partner", pa.string())] + [(f, pa.string()) for f in FIELDS]
    )
    table = ibis.memtable(pa.Table.from_pylist(rows, schema=schema))
    got = classification_expr(table, RULES, dict.fromkeys(names, "other")).to_pyarrow()
    themes = dict(zip(names, sorted(got.to_pylist(), key=lambda r: r["txn_key"]), strict=True))
    assert {k: v["theme"] for k, v in themes.items()} == names
