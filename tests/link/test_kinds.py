"""What kind of payee a name is, as publishers outside the tuned set write it (issue 7, item 6).

Names are from the real files (Manchester City Council 2019-09 in
../shared/realdata/odileeds_cleaned/manchester) and from the issue's Greater
Manchester analyst: abbreviated NHS trusts, public bodies whose names differ only by
their kind, and firms whose names look like a person's.
"""

from __future__ import annotations

from linkhelpers import kind_of, payee_table, supplier_of

from totalplace.link import link_payees


def _register(names_by_partner):
    return link_payees(
        payee_table(
            [{"partner": p, "raw_name": n} for p, names in names_by_partner.items() for n in names]
        ),
        related=[],
    )


def _kinds(register, partner, names):
    suppliers = {s["supplier_id"]: s for s in register.suppliers.to_pylist()}
    return {
        name: (
            suppliers[supplier_of(register, partner, name)]["kind"],
            suppliers[supplier_of(register, partner, name)]["public_body_type"],
        )
        for name in names
    }


def test_abbreviated_nhs_trusts_and_waste_authorities_are_public_bodies():
    names = [
        "Central Mcr Uni Hospital t/a",
        "Uni Hospital of South Mcr",
        "Central Manchester University Hosp",
        "University Hospital of South Mcr",
        "Salford Royal NHSFT",
        "Pennine Acute Hospitals NHS Tr",
        "Bolton Hospitals Fdn Tr",
    ]
    register = _register(
        {"manchester": names, "stockport": ["GREATER MANCHESTER WASTE DISPOSAL AUTHORITY"]}
    )
    assert _kinds(register, "manchester", names) == {n: ("public body", "nhs") for n in names}
    assert _kinds(register, "stockport", ["GREATER MANCHESTER WASTE DISPOSAL AUTHORITY"]) == {
        "GREATER MANCHESTER WASTE DISPOSAL AUTHORITY": ("public body", "council")
    }
    # Abbreviations of one trust are one supplier.
    assert supplier_of(register, "manchester", "Uni Hospital of South Mcr") == supplier_of(
        register, "manchester", "University Hospital of South Mcr"
    )


def test_private_hospitals_stay_organisations():
    names = ["Spire Manchester Hospital", "BMI The Alexandra Hospital", "Nuffield Health"]
    register = _register({"manchester": names})
    assert {k for k, _ in _kinds(register, "manchester", names).values()} == {"organisation"}


def test_public_bodies_of_different_kinds_or_areas_are_never_one_supplier():
    register = _register(
        {
            "manchester": [
                "Greater Manchester Police",
                "Greater Manchester Fire & Rescue",
                "NHS North Manchester CCG",
            ],
            "trafford": [
                "Greater Manchester Combined Authority",
                "GREATER MANCHESTER WASTE DISPOSAL AUTHORITY",
                "NHS South Manchester CCG",
                # Names of no kind that are like several bodies would chain them.
                "Greater Manchester",
            ],
            "lancashire-pcc": ["GREATER MANCHESTER COMBNIED AUTHORITY - GMP"],
        }
    )
    bodies = [
        ("manchester", "Greater Manchester Police"),
        ("manchester", "Greater Manchester Fire & Rescue"),
        ("trafford", "Greater Manchester Combined Authority"),
        ("trafford", "GREATER MANCHESTER WASTE DISPOSAL AUTHORITY"),
    ]
    suppliers = [supplier_of(register, p, n) for p, n in bodies]
    assert len(set(suppliers)) == len(bodies)
    assert supplier_of(register, "manchester", "NHS North Manchester CCG") != supplier_of(
        register, "trafford", "NHS South Manchester CCG"
    )
    kinds = {kind_of(register, s) for s in suppliers}
    assert kinds == {"public body"}


def test_firms_are_never_individuals():
    firms = [
        "Roger Hannah & Co",
        "Robert Pinkus and Co",
        "Peter Jones & Sons",
        "Kirsty Baldwin LLP",
    ]
    register = link_payees(
        payee_table(
            [
                # One-off supplier accounts (Oxford's pattern) make a payee an individual
                # unless its name says it is a firm.
                {"partner": "oxford", "raw_name": n, "supplier_id": f"20000000_{i}"}
                for i, n in enumerate(firms)
            ]
            + [{"partner": "manchester", "raw_name": n} for n in firms]
        )
    )
    for partner in ("oxford", "manchester"):
        for name in firms:
            assert kind_of(register, supplier_of(register, partner, name)) == "organisation", (
                partner,
                name,
            )
    # ... while the person rule still holds for a plain name.
    person = link_payees(payee_table([{"partner": "oxford", "raw_name": "Roger Hannah"}]))
    assert kind_of(person, supplier_of(person, "oxford", "Roger Hannah")) == "individual"
