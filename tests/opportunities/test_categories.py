"""Procurement categories: readable rules, a workspace's own mapping, and the published fallbacks."""

from __future__ import annotations

from pathlib import Path

import ibis
import pyarrow as pa
import pytest

from totalplace.classify.rules import FIELDS
from totalplace.opportunities import CategoriesError, load_categories, opportunities
from totalplace.opportunities.categories import categorise, default_categories_path

from .conftest import sql


def categorised(rows: list[dict[str, str | None]], workspace: Path | None = None) -> list[dict]:
    """Return each row's category columns, computed by DuckDB from the rules in force."""
    columns = {f: [r.get(f) for r in rows] for f in ("partner", *FIELDS)}
    table = ibis.memtable(pa.table({k: pa.array(v, pa.string()) for k, v in columns.items()}))
    expr = categorise(table, load_categories(workspace)).select(
        "category_rule", "category_source", "category", "influenceable"
    )
    return ibis.duckdb.connect().to_pyarrow(expr).to_pylist()


def test_the_default_rules_have_unique_ids_names_and_a_commented_file():
    rules = load_categories().rules
    assert len(rules) > 30 and len({r.id for r in rules}) == len(rules)
    assert all(r.name and (r.match or r.partners) for r in rules)
    closed = {r.name for r in rules if not r.influenceable}
    assert closed == {"Not influenceable (ProClass)", "Rates and taxes"}
    assert "use_defaults = false" in default_categories_path().read_text(encoding="utf-8")


def test_one_purchase_described_three_ways_by_three_partners_is_one_category(hyndburn):
    ws, result = hyndburn
    fuel = next(r for r in result.procurement if r["category"] == "Vehicle fuel")
    described = sql(
        ws,
        """SELECT DISTINCT t.partner, coalesce(t.expense_type, t.purpose) FROM opp_lines l
        JOIN transactions t USING (txn_key) WHERE l.opportunity_key = ?""",
        [fuel["opportunity_key"]],
    )
    words = {partner: {w for p, w in described if p == partner} for partner, _ in described}
    assert "Petrol" in words["lancashire-police-and-crime-commissioner"]
    assert "lfrs.expenditure.transport.petrol" in words["lancashire-fire-and-rescue-service"]
    assert any("fuel" in w.lower() for w in words["hyndburn-borough-council"])


def test_lines_no_rule_explains_fall_back_to_proclass_then_expense_type():
    rows = categorised(
        [
            # North Tyneside publishes ProClass; Lancashire police an expense type; a
            # Hyndburn purpose is free text; the last line says nothing usable.
            {"partner": "a", "proclass": "HIGHWAYS.STREET LIGHTING", "expense_type": "Third Party"},
            {"partner": "b", "expense_type": "Police - NABIS"},
            {"partner": "c", "purpose": "Freehold cost"},
            {"partner": "d", "purpose": "Dec 24"},
            {"partner": "e", "proclass": "NON INFLUENCIBLE.PUBLIC SECTOR"},
            {
                "partner": "f",
                "expense_type": "lfrs.expenditure.supplies_&_services.computer_software",
            },
        ]
    )
    assert [(r["category_source"], r["category"]) for r in rows] == [
        ("proclass", "highways.street lighting"),
        ("expense_type", "police - nabis"),
        ("rule", "Rents and property leases"),
        (None, None),
        ("rule", "Not influenceable (ProClass)"),
        ("rule", "ICT software and licences"),
    ]
    assert [r["influenceable"] for r in rows] == [True, True, True, True, False, True]


def test_a_workspace_rule_is_tried_before_the_defaults(tmp_path: Path):
    (tmp_path / "categories.toml").write_text(
        '[[category]]\nid = "fleet-fuel"\nname = "Fleet fuel"\nitem = "petrol|diesel"\n'
        'partner = ["Lancashire Police and Crime Commissioner"]\n',
        encoding="utf-8",
    )
    rows = categorised(
        [
            {"partner": "lancashire-police-and-crime-commissioner", "expense_type": "Petrol"},
            {"partner": "lancashire-fire-and-rescue-service", "expense_type": "Petrol"},
        ],
        tmp_path,
    )
    assert [r["category"] for r in rows] == ["Fleet fuel", "Vehicle fuel"]
    assert rows[0]["category_rule"] == "fleet-fuel"


def test_a_workspace_replaces_or_switches_off_a_default_by_id(tmp_path: Path):
    (tmp_path / "categories.toml").write_text(
        '[[category]]\nid = "vehicle-fuel"\nname = "Fuel cards"\nitem = "petrol"\n\n'
        '[[category]]\nid = "energy"\ndisabled = true\n',
        encoding="utf-8",
    )
    categories = load_categories(tmp_path)
    assert categories.disabled == ("energy",)
    ids = [r.id for r in categories.rules]
    assert "energy" not in ids
    # The replacement keeps the default's place in the order.
    default_ids = [r.id for r in load_categories().rules]
    assert ids.index("vehicle-fuel") == default_ids.index("vehicle-fuel")
    rows = categorised(
        [{"partner": "x", "expense_type": "Petrol"}, {"partner": "x", "expense_type": "Gas"}],
        tmp_path,
    )
    assert [r["category"] for r in rows] == ["Fuel cards", "gas"]


def test_use_defaults_false_keeps_only_the_workspace_rules(tmp_path: Path):
    (tmp_path / "categories.toml").write_text(
        'use_defaults = false\n[[category]]\nid = "x"\nname = "Only"\nitem = "petrol"\n',
        encoding="utf-8",
    )
    assert [r.id for r in load_categories(tmp_path).rules] == ["x"]


def test_a_workspace_mapping_changes_the_opportunities(hyndburn_copy):
    (hyndburn_copy.root / "categories.toml").write_text(
        '[[category]]\nid = "all-ict"\nname = "All ICT"\nitem = "software|computer|ict|\\\\bit\\\\b"\n',
        encoding="utf-8",
    )
    result = opportunities(hyndburn_copy)
    ict = next(r for r in result.procurement if r["category"] == "All ICT")
    assert ict["partners"] == 3
    described = sql(
        hyndburn_copy,
        """SELECT DISTINCT l.rule, t.expense_type FROM opp_lines l JOIN transactions t USING (txn_key)
        WHERE l.opportunity_key = ?""",
        [ict["opportunity_key"]],
    )
    assert {rule for rule, _ in described} == {"all-ict"}
    assert "Computer Licences" in {expense for _, expense in described}
    assert sql(
        hyndburn_copy, "SELECT origin FROM opp_category_rules WHERE rule_id = 'all-ict'"
    ) == [("workspace",)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[category]]\nid = "a"\nname = "A"\nitem = "(unclosed"\n',
            "not a valid regular expression",
        ),
        ('[[category]]\nid = "a"\nname = "A"\n', "has no conditions"),
        ('[[category]]\nid = "a"\nname = "A"\nwhat_ever = "x"\n', "unknown key(s) what_ever"),
        ('[[category]]\nid = "a"\nitem = "x"\n', "needs a name"),
        ('[[category]]\nid = "nope"\ndisabled = true\n', "no default category rule has that id"),
        ('[[category]]\nid = "a"\nname = "A"\nitem = "x"\n' * 2, "appears twice"),
        ('[[category]]\nname = "A"\nitem = "x"\n', "has no id"),
        ('[[category]]\nid = "a"\nname = "A"\nitem = "x"\ninfluenceable = "no"\n', "true or false"),
        ("colour = 1\n", "unknown top-level key(s) colour"),
    ],
)
def test_a_wrong_categories_file_is_refused_with_a_clear_message(
    tmp_path: Path, text: str, message: str
):
    (tmp_path / "categories.toml").write_text(text, encoding="utf-8")
    with pytest.raises(CategoriesError) as caught:
        load_categories(tmp_path)
    assert message in str(caught.value) and "categories.toml" in str(caught.value)
