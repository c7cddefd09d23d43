"""Rule files: the defaults are sound, a workspace can override them, and mistakes are named."""

from __future__ import annotations

import tomllib

import pytest

from totalplace.classify import (
    SUBJECTIVE_GROUPS,
    THEMES,
    RulesError,
    classify,
    default_rules_path,
    load_rules,
)
from totalplace.classify.rules import DIMENSIONS


def write_rules(ws, text: str) -> None:
    (ws.root / "rules.toml").write_text(text, encoding="utf-8")


def test_default_rules_load_with_unique_ids_and_known_values():
    rules = load_rules().rules
    raw = tomllib.loads(default_rules_path().read_text(encoding="utf-8"))["rule"]
    assert len(rules) == len(raw) > 50
    assert len({r.id for r in rules}) == len(rules)
    for rule in rules:
        assert rule.value in DIMENSIONS[rule.dimension]
        assert rule.note, rule.id
        assert rule.match or rule.sectors or rule.partners, rule.id
    assert {r.value for r in rules if r.dimension == "subjective"} == set(SUBJECTIVE_GROUPS)
    assert {r.value for r in rules if r.dimension == "theme"} == set(THEMES)


def test_sector_fallbacks_come_after_the_service_area_rules():
    themes = load_rules().for_dimension("theme")
    sector_only = [i for i, r in enumerate(themes) if r.sectors and not r.match]
    service_area = [
        i for i, r in enumerate(themes) if "service_area" in r.match and "corporate" not in r.id
    ]
    assert len(sector_only) >= 3
    assert max(service_area) < min(sector_only)
    subjective = load_rules().for_dimension("subjective")
    assert subjective[-1].id == "subj.sector.nhs_commissioner"
    nhs = next(r for r in themes if r.id == "theme.sector.nhs")
    assert nhs.matching_sectors() == ["nhs_icb", "nhs_trust"]


def test_a_new_workspace_rule_comes_first_and_is_recorded(classified, sql):
    before = sql(
        classified,
        "SELECT count(*) FROM transactions WHERE expense_type = 'Petrol'",
    )[0][0]
    assert before > 0
    write_rules(
        classified,
        """
[[rule]]
id = "local.petrol"
dimension = "subjective"
value = "Supplies and services"
note = "Our fuel is bought through a supplies framework."
expense_type = '^petrol$'
""",
    )
    result = classify(classified)
    assert result.workspace_rules == classified.root / "rules.toml"
    rows = sql(
        classified,
        """SELECT DISTINCT c.subjective, c.subjective_rule FROM transactions t
           JOIN classifications c USING (txn_key) WHERE t.expense_type = 'Petrol'""",
    )
    assert rows == [("Supplies and services", "local.petrol")]
    origin = sql(
        classified,
        "SELECT origin, position FROM classification_rules WHERE rule_id = 'local.petrol'",
    )
    assert origin == [("workspace", 1)]


def test_a_workspace_rule_with_a_default_id_replaces_it_in_place(classified, sql):
    position = sql(
        classified,
        "SELECT position FROM classification_rules WHERE rule_id = 'theme.sector.police'",
    )
    write_rules(
        classified,
        """
[[rule]]
id = "theme.sector.police"
dimension = "theme"
value = "Corporate and democratic"
note = "Testing a replacement."
sector = ["police"]
""",
    )
    classify(classified)
    themes = sql(
        classified,
        """SELECT DISTINCT c.theme FROM transactions t JOIN classifications c USING (txn_key)
           WHERE c.theme_rule = 'theme.sector.police'""",
    )
    assert themes == [("Corporate and democratic",)]
    assert sql(
        classified,
        "SELECT position, origin FROM classification_rules WHERE rule_id = 'theme.sector.police'",
    ) == [(position[0][0], "workspace (replaces default)")]


def test_a_disabled_default_stops_applying(classified, sql):
    def count() -> int:
        return sql(
            classified,
            "SELECT count(*) FROM classifications WHERE theme_rule = 'theme.sector.fire'",
        )[0][0]

    assert count() > 0
    # theme.body.fire (the partner's name says "Fire and Rescue") would otherwise take over.
    write_rules(
        classified,
        '[[rule]]\nid = "theme.sector.fire"\ndisabled = true\n'
        '[[rule]]\nid = "theme.body.fire"\ndisabled = true\n',
    )
    result = classify(classified)
    assert count() == 0
    assert result.disabled == ("theme.sector.fire", "theme.body.fire")
    assert "theme.sector.fire" not in load_rules(classified).ids()
    left = sql(
        classified,
        """SELECT count(*) FROM transactions t JOIN classifications c USING (txn_key)
           WHERE t.partner = 'lancashire-fire-and-rescue' AND c.theme IS NULL""",
    )[0][0]
    assert left > 0


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            'id = "x.bad_regex"\ndimension = "theme"\nvalue = "Older people"\npurpose = "(care"',
            ["x.bad_regex", "purpose", "regular expression", "rules.toml"],
        ),
        (
            'id = "x.lookahead"\ndimension = "theme"\nvalue = "Older people"\npurpose = "(?=care)"',
            ["x.lookahead", "RE2"],
        ),
        (
            'id = "x.field"\ndimension = "theme"\nvalue = "Older people"\npurpse = "care"',
            ["x.field", "unknown key", "purpse"],
        ),
        (
            'id = "x.dim"\ndimension = "colour"\nvalue = "Older people"\npurpose = "care"',
            ["x.dim", "dimension", "colour"],
        ),
        (
            'id = "x.value"\ndimension = "subjective"\nvalue = "Staff"\npurpose = "care"',
            ["x.value", "Staff", "Employees"],
        ),
        (
            'id = "x.sector"\ndimension = "theme"\nvalue = "Older people"\nsector = ["polise"]',
            ["x.sector", "polise"],
        ),
        (
            'id = "x.catch_all"\ndimension = "theme"\nvalue = "Older people"',
            ["x.catch_all", "no conditions"],
        ),
        ('id = "no.such.default"\ndisabled = true', ["no.such.default", "disabled"]),
    ],
)
def test_a_wrong_rule_is_named_with_its_file_and_fault(ws, text, words):
    write_rules(ws, "[[rule]]\n" + text + "\n")
    with pytest.raises(RulesError) as caught:
        load_rules(ws)
    message = str(caught.value)
    for word in words:
        assert word in message, message
    with pytest.raises(RulesError):
        classify(ws)


def test_duplicate_ids_and_bad_toml_are_rejected(ws):
    rule = '[[rule]]\nid = "x.same"\ndimension = "theme"\nvalue = "Older people"\npurpose = "a"\n'
    write_rules(ws, rule + rule)
    with pytest.raises(RulesError, match="x.same.*twice"):
        load_rules(ws)
    write_rules(ws, "[[rule]\nid = 1")
    with pytest.raises(RulesError, match="not valid TOML"):
        load_rules(ws)


def test_matching_ignores_case_and_honours_not_conditions(classified, sql):
    write_rules(
        classified,
        """
[[rule]]
id = "local.police_not_petrol"
dimension = "theme"
value = "Transport and highways"
note = "Police transport lines other than petrol."
expense_type = 'TRANSPORT|VEHICLE'
not_expense_type = 'purchase'
partner = ["Lancashire Police and Crime Commissioner"]
""",
    )
    classify(classified)
    rows = sql(
        classified,
        """SELECT t.expense_type, c.theme_rule FROM transactions t
           JOIN classifications c USING (txn_key)
           WHERE t.partner = 'lancashire-police-and-crime-commissioner'
             AND regexp_matches(t.expense_type, '(?i)transport|vehicle')""",
    )
    assert rows
    for expense_type, rule_id in rows:
        wanted = None if "purchase" in expense_type.lower() else "local.police_not_petrol"
        if wanted is None:
            assert rule_id != "local.police_not_petrol"
        else:
            assert rule_id == wanted, expense_type
