"""Which payees the linker joins, and which it keeps apart (real names from the published files)."""

from __future__ import annotations

from linkhelpers import NO_SPLINK, kind_of, payee_table, supplier_of

from totalplace.link import link_payees


def _links(register, rule):
    return [link for link in register.links.to_pylist() if link["rule"] == rule]


def test_vat_numbers_in_messy_formats_join_differently_named_payees():
    # Trafford 2024-25 publishes both names with VAT GB386115978.
    register = link_payees(
        payee_table(
            [
                {
                    "partner": "trafford",
                    "raw_name": "I Love MCR (I Love Media Ltd)",
                    "vat_number": "gb 386 1159 78",
                },
                {
                    "partner": "manchester",
                    "raw_name": "I Love Media Ltd T/A I Love Manches",
                    "vat_number": "386115978",
                },
            ]
        ),
        threshold_match_weight=NO_SPLINK,
    )
    a = supplier_of(register, "trafford", "I Love MCR (I Love Media Ltd)")
    b = supplier_of(register, "manchester", "I Love Media Ltd T/A I Love Manches")
    assert a == b
    [vat] = _links(register, "vat")
    assert vat["applied"] and vat["detail"].startswith("386115978")


def test_company_numbers_in_messy_formats_join_differently_ordered_names():
    # Calderdale 2019-09: "R Holroyd & Sons Ltd", company 08528940.
    register = link_payees(
        payee_table(
            [
                {
                    "partner": "calderdale",
                    "raw_name": "R Holroyd & Sons Ltd",
                    "company_number": "08528940",
                },
                {
                    "partner": "bradford",
                    "raw_name": "HOLROYD R & SONS",
                    "company_number": "8528940",
                },
                {
                    "partner": "leeds",
                    "raw_name": "Holroyd Sons (R)",
                    "company_number": "08 528 940",
                },
            ]
        ),
        threshold_match_weight=NO_SPLINK,
    )
    suppliers = {
        supplier_of(register, "calderdale", "R Holroyd & Sons Ltd"),
        supplier_of(register, "bradford", "HOLROYD R & SONS"),
        supplier_of(register, "leeds", "Holroyd Sons (R)"),
    }
    assert len(suppliers) == 1
    assert register.suppliers.to_pylist()[0]["company_number"] == "08528940"


def test_a_vat_number_shared_by_a_council_and_its_school_does_not_join_them():
    # Trafford pays Manchester City Council and its maintained schools under one VAT number.
    register = link_payees(
        payee_table(
            [
                {
                    "partner": "trafford",
                    "raw_name": "Manchester City Council",
                    "vat_number": "GB149151958",
                },
                {
                    "partner": "trafford",
                    "raw_name": "Lancasterian School",
                    "vat_number": "GB149151958",
                },
            ]
        ),
        threshold_match_weight=NO_SPLINK,
    )
    council = supplier_of(register, "trafford", "Manchester City Council")
    school = supplier_of(register, "trafford", "Lancasterian School")
    assert council != school
    [vat] = _links(register, "vat")
    assert vat["applied"] is False  # kept as evidence for a reviewer


def test_redacted_payees_are_never_matched_even_with_a_vat_number():
    register = link_payees(
        payee_table(
            [
                {
                    "partner": "trafford",
                    "raw_name": "Redacted",
                    "payee_status": "redacted",
                    "vat_number": "GB386115978",
                },
                {
                    "partner": "trafford",
                    "raw_name": "I Love MCR (I Love Media Ltd)",
                    "vat_number": "GB386115978",
                },
                {
                    "partner": "newcastle",
                    "raw_name": "Redacted Personal Data",
                    "payee_status": "redacted",
                },
                {
                    "partner": "oxford",
                    "raw_name": "Redacted Personal Data",
                    "payee_status": "redacted",
                },
                {
                    "partner": "lancashire-pcc",
                    "raw_name": "THIRD PARTY SUPPLIER",
                    "payee_status": "withheld",
                },
                {"partner": "bradford", "raw_name": None, "payee_status": "blank"},
            ]
        )
    )
    redacted = [
        supplier_of(register, "trafford", "Redacted"),
        supplier_of(register, "newcastle", "Redacted Personal Data"),
        supplier_of(register, "oxford", "Redacted Personal Data"),
        supplier_of(register, "lancashire-pcc", "THIRD PARTY SUPPLIER"),
        supplier_of(register, "bradford", None),
    ]
    assert len(set(redacted)) == 5
    assert supplier_of(register, "trafford", "I Love MCR (I Love Media Ltd)") not in redacted
    assert {kind_of(register, s) for s in redacted} == {"redacted"}
    touched = {(x["partner_a"], x["raw_name_a"]) for x in register.links.to_pylist()}
    touched |= {(x["partner_b"], x["raw_name_b"]) for x in register.links.to_pylist()}
    assert ("trafford", "Redacted") not in touched


def test_public_bodies_are_recognised_from_official_lists_and_patterns():
    names = {
        "LANCASHIRE COUNTY COUNCIL (200398)": "council",
        "Stockport MBC (Accts Receiveable)": "council",
        "the police & crime commissioner for lancashire": "police",
        "Lancashire Constabulary": "police",
        "MERSEYSIDE FIRE & RESCUE AUTHORITY": "fire",
        "Blackpool Teaching Hospitals NHS FT": "nhs",
        "NORTHUMBRIA HEALTHCARE NHS TRUST": "nhs",
        "HM Revenue & Customs": "government",
        "DVLA": "government",
        "greater manchester combined authority": "council",
        "Transport for Greater Manchester": "transport",
    }
    others = [
        "Lancashire County Cricket Club",
        "POLICE MUTUAL ASSURANCE SOCIETY",
        "British Red Cross Society",
    ]
    register = link_payees(
        payee_table([{"partner": "p", "raw_name": n} for n in [*names, *others]]),
        threshold_match_weight=NO_SPLINK,
    )
    suppliers = {s["supplier_id"]: s for s in register.suppliers.to_pylist()}
    for name, body_type in names.items():
        supplier = suppliers[supplier_of(register, "p", name)]
        assert (supplier["kind"], supplier["public_body_type"]) == ("public body", body_type), name
    for name in others:
        assert suppliers[supplier_of(register, "p", name)]["kind"] == "organisation", name


def test_partners_are_public_bodies_in_other_ledgers(hyndburn, hyndburn_register):
    kinds = {
        (m["raw_name"] or "").upper(): kind_of(hyndburn_register, m["supplier_id"])
        for m in hyndburn_register.members.to_pylist()
    }
    payments_to_hyndburn = [
        k for name, k in kinds.items() if name.startswith("HYNDBURN BOROUGH COUNCIL")
    ]
    assert payments_to_hyndburn and set(payments_to_hyndburn) == {"public body"}


def test_titled_personal_names_and_one_off_payees_are_individuals_kept_apart():
    register = link_payees(
        payee_table(
            [
                # Oxford 2014: a one-off payee account and a titled name.
                {
                    "partner": "oxford",
                    "raw_name": "Nattamon Chaoumduang",
                    "supplier_id": "20000000_46283317",
                },
                {
                    "partner": "oxford",
                    "raw_name": "MRS SAMANTHA WARNER",
                    "supplier_id": "20000000_46283976",
                },
                {"partner": "leeds", "raw_name": "MRS SAMANTHA WARNER"},
                # Plain personal names at two partners are not joined to each other.
                {"partner": "bradford", "raw_name": "KIRSTY BALDWIN"},
                {"partner": "lancashire-pcc", "raw_name": "KIRSTY BALDWIN"},
            ]
        )
    )
    one_off = supplier_of(register, "oxford", "Nattamon Chaoumduang")
    assert kind_of(register, one_off) == "individual"
    oxford = supplier_of(register, "oxford", "MRS SAMANTHA WARNER")
    leeds = supplier_of(register, "leeds", "MRS SAMANTHA WARNER")
    assert oxford != leeds and kind_of(register, oxford) == "individual"
    assert supplier_of(register, "bradford", "KIRSTY BALDWIN") != supplier_of(
        register, "lancashire-pcc", "KIRSTY BALDWIN"
    )


def test_a_personal_looking_name_still_matches_an_organisation():
    register = link_payees(
        payee_table(
            [
                {"partner": "leeds", "raw_name": "Thomson Reuters"},
                {"partner": "lancashire-fire", "raw_name": "thomson reuters professional uk ltd"},
            ]
        )
    )
    assert supplier_of(register, "leeds", "Thomson Reuters") == supplier_of(
        register, "lancashire-fire", "thomson reuters professional uk ltd"
    )


def test_local_institutions_match_only_across_partners_serving_a_common_district():
    rows = [
        {"partner": "lancashire-pcc", "raw_name": "ST. MARY'S CATHOLIC PRMARY SCHOOL"},
        {"partner": "trafford", "raw_name": "St Mary's Catholic Primary School"},
    ]
    apart = link_payees(payee_table(rows), related=[])
    assert supplier_of(apart, "lancashire-pcc", rows[0]["raw_name"]) != supplier_of(
        apart, "trafford", rows[1]["raw_name"]
    )
    together = link_payees(
        payee_table(rows), related=[("lancashire-pcc", "trafford"), ("trafford", "lancashire-pcc")]
    )
    assert supplier_of(together, "lancashire-pcc", rows[0]["raw_name"]) == supplier_of(
        together, "trafford", rows[1]["raw_name"]
    )


def test_splink_joins_spelling_variants_and_records_its_match_weight():
    register = link_payees(
        payee_table(
            [
                {"partner": "leeds", "raw_name": "Yorkshire Purchasing Organisation"},
                {"partner": "bradford", "raw_name": "Yorkshire Purchasing Organization"},
                {"partner": "newcastle", "raw_name": "NORTHUMBRIAN WATER LTD"},
                {"partner": "gateshead", "raw_name": "NORTHUMBRIAN MAGAZINE LTD"},
            ]
        )
    )
    assert supplier_of(register, "leeds", "Yorkshire Purchasing Organisation") == supplier_of(
        register, "bradford", "Yorkshire Purchasing Organization"
    )
    assert supplier_of(register, "newcastle", "NORTHUMBRIAN WATER LTD") != supplier_of(
        register, "gateshead", "NORTHUMBRIAN MAGAZINE LTD"
    )
    [splink] = [x for x in _links(register, "splink") if x["applied"]]
    assert splink["match_weight"] is not None and "words" in splink["detail"]


def test_names_of_different_places_are_not_chained_through_a_generic_name():
    register = link_payees(
        payee_table(
            [
                {
                    "partner": "lancashire-pcc",
                    "raw_name": "POLICE AND CRIME COMMISSIONER FOR LINCOLNSHIRE",
                },
                {
                    "partner": "lancashire-pcc",
                    "raw_name": "THE POLICE AND CRIME COMMISSIONER FOR SUSSEX",
                },
                {"partner": "newcastle", "raw_name": "POLICE AND CRIME COMMISSIONER"},
            ]
        )
    )
    assert supplier_of(
        register, "lancashire-pcc", "POLICE AND CRIME COMMISSIONER FOR LINCOLNSHIRE"
    ) != (supplier_of(register, "lancashire-pcc", "THE POLICE AND CRIME COMMISSIONER FOR SUSSEX"))
