"""The classify stage on real published files: one row per line, traceable, reconciled, stable."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import pytest

from totalplace.classify import (
    BACK_OFFICE_FUNCTIONS,
    COLUMNS,
    SUBJECTIVE_GROUPS,
    THEMES,
    NotClassifiedError,
    classify,
    coverage,
    load_rules,
)

DIMENSIONS = {
    "subjective": ("subjective", "subjective_rule"),
    "back_office": ("back_office_function", "back_office_rule"),
    "theme": ("theme", "theme_rule"),
    "transfer": ("transfer", "transfer_rule"),
}


def test_every_transaction_has_exactly_one_classification_row(classified, sql):
    rows = sql(
        classified,
        """
        SELECT count(*), count(c.txn_key), count(DISTINCT c.txn_key)
        FROM transactions t LEFT JOIN classifications c USING (txn_key)
        """,
    )[0]
    total, matched, distinct = rows
    assert total > 5000
    assert matched == total == distinct
    (extra,) = sql(
        classified,
        "SELECT count(*) FROM classifications WHERE txn_key NOT IN (SELECT txn_key FROM transactions)",
    )[0]
    assert extra == 0


def test_table_has_the_documented_columns(classified, sql):
    names = [r[0] for r in sql(classified, "DESCRIBE classifications")]
    assert tuple(names) == COLUMNS


def test_every_value_comes_from_an_existing_rule_that_gives_that_value(classified, sql):
    rules = {r.id: r for r in load_rules(classified).rules}
    for dimension, (value_col, rule_col) in DIMENSIONS.items():
        pairs = sql(
            classified,
            f"SELECT DISTINCT {value_col}, {rule_col} FROM classifications WHERE {rule_col} IS NOT NULL",
        )
        assert pairs, dimension
        for value, rule_id in pairs:
            assert rule_id in rules, rule_id
            rule = rules[rule_id]
            assert rule.dimension == dimension
            expected = None if rule.value == "Front line" else rule.value
            assert value == expected, (rule_id, value)
    orphans = sql(
        classified,
        """
        SELECT count(*) FROM classifications
        WHERE (subjective IS NOT NULL AND subjective_rule IS NULL)
           OR (theme IS NOT NULL AND theme_rule IS NULL)
           OR (back_office_function IS NOT NULL AND back_office_rule IS NULL)
        """,
    )[0][0]
    assert orphans == 0


def test_rule_ids_in_the_warehouse_resolve_to_the_rules_table(classified, sql):
    missing = sql(
        classified,
        """
        SELECT DISTINCT r FROM (
            SELECT subjective_rule AS r FROM classifications
            UNION ALL SELECT back_office_rule FROM classifications
            UNION ALL SELECT theme_rule FROM classifications) x
        WHERE r IS NOT NULL AND r NOT IN (SELECT rule_id FROM classification_rules)
        """,
    )
    assert missing == []


def test_values_are_from_the_fixed_lists(classified, sql):
    assert {r[0] for r in sql(classified, "SELECT DISTINCT subjective FROM classifications")} <= {
        *SUBJECTIVE_GROUPS,
        None,
    }
    assert {r[0] for r in sql(classified, "SELECT DISTINCT theme FROM classifications")} <= {
        *THEMES,
        None,
    }
    functions = sql(classified, "SELECT DISTINCT back_office_function FROM classifications")
    assert {r[0] for r in functions} <= {*BACK_OFFICE_FUNCTIONS, None}
    sides = sql(
        classified,
        "SELECT DISTINCT front_back, back_office_function IS NULL FROM classifications",
    )
    assert set(sides) <= {("front line", True), ("back office", False)}


def test_classified_plus_unclassified_equals_the_transactions_total_to_the_penny(classified, sql):
    net, gross = sql(classified, "SELECT sum(amount), sum(abs(amount)) FROM transactions")[0]
    report = coverage(classified)
    json.dumps(report)  # JSON-ready
    for dimension, entry in report["dimensions"].items():
        for basis, total in (("net", net), ("gross", gross)):
            parts = Decimal(entry["classified"][basis]) + Decimal(entry["unclassified"][basis])
            assert parts == total == Decimal(entry["total"][basis]), (dimension, basis)
        by_partner = sum(Decimal(p["total"]["gross"]) for p in entry["by_partner"])
        assert by_partner == gross
        by_value = sum(Decimal(v["gross"]) for v in entry["by_value"])
        assert by_value == gross
        unclassified_rule = DIMENSIONS[dimension][1]
        (missing,) = sql(
            classified,
            f"""SELECT sum(abs(t.amount)) FROM transactions t JOIN classifications c
                USING (txn_key) WHERE c.{unclassified_rule} IS NULL""",
        )[0]
        assert Decimal(entry["unclassified"]["gross"]) == (missing or Decimal("0.00"))


def test_back_office_share_is_the_back_office_functions_share(classified, sql):
    entry = coverage(classified)["dimensions"]["back_office"]
    back, total = sql(
        classified,
        """SELECT sum(abs(t.amount)) FILTER (WHERE c.front_back = 'back office'),
                  sum(abs(t.amount))
           FROM transactions t JOIN classifications c USING (txn_key)""",
    )[0]
    assert 0 < back < total
    assert entry["back_office_share"] == round(float(back / total), 4)
    functions = {v["value"] for v in entry["by_value"]} - {None}
    assert functions and functions <= set(BACK_OFFICE_FUNCTIONS)


def test_the_largest_unclassified_groups_really_are_unclassified(classified, sql):
    report = coverage(classified, top=5)
    gaps = report["dimensions"]["subjective"]["largest_unclassified"]
    assert 0 < len(gaps) <= 5
    amounts = [Decimal(g["gross"]) for g in gaps]
    assert amounts == sorted(amounts, reverse=True)
    first = gaps[0]
    rows = sql(
        classified,
        f"""SELECT count(*), sum(abs(t.amount)) FROM transactions t
            JOIN classifications c USING (txn_key)
            WHERE c.subjective_rule IS NULL AND t.partner = '{first["partner"]}'
              AND t.expense_type IS NOT DISTINCT FROM {_lit(first["expense_type"])}
              AND t.service_area IS NOT DISTINCT FROM {_lit(first["service_area"])}
              AND t.purpose IS NOT DISTINCT FROM {_lit(first["purpose"])}""",
    )[0]
    assert rows == (first["rows"], Decimal(first["gross"]))


def _lit(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def test_rerunning_gives_identical_output(classified, sql):
    query = f"SELECT {', '.join(COLUMNS)} FROM classifications ORDER BY txn_key"
    first = sql(classified, query)
    result = classify(classified)
    assert sql(classified, query) == first
    assert result.rows == len(first)


def test_classify_result_reports_coverage_per_dimension(ws, sql):
    result = classify(ws)
    (total,) = sql(ws, "SELECT sum(abs(amount)) FROM transactions")[0]
    assert set(result.coverage) == {"subjective", "back_office", "theme", "transfer"}
    for cov in result.coverage.values():
        assert cov.total.gross == total
        assert cov.share is not None and 0 < cov.share <= 1
    # On these three publishers the defaults explain most of the money.
    assert result.coverage["subjective"].share > 0.9
    assert result.coverage["theme"].share > 0.7


def test_coverage_before_classify_says_to_classify_first(ws):
    with pytest.raises(NotClassifiedError, match="classify"):
        coverage(ws)


def test_police_and_fire_lines_get_community_safety(classified, sql):
    rows = dict(
        sql(
            classified,
            """SELECT t.partner, count(*) FILTER (WHERE c.theme IS DISTINCT FROM 'Community safety')
               FROM transactions t JOIN classifications c USING (txn_key)
               WHERE t.partner LIKE 'lancashire-%' GROUP BY 1""",
        )
    )
    assert rows == {"lancashire-fire-and-rescue": 0, "lancashire-police-and-crime-commissioner": 0}


def test_known_lines_from_the_published_files(classified, sql):
    def tags(where: str) -> set[tuple]:
        return set(
            sql(
                classified,
                f"""SELECT c.subjective, c.front_back, c.back_office_function, c.theme
                    FROM transactions t JOIN classifications c USING (txn_key) WHERE {where}""",
            )
        )

    # Hyndburn passes council tax on to the county: a transfer, not finance running costs.
    assert tags("t.purpose = 'LCC Ctax Precept Apr 24'") == {
        ("Transfer payments", "front line", None, None)
    }
    # ... and the police precept is for community safety.
    assert {t[3] for t in tags("t.purpose ILIKE 'Police%Precept%'")} == {"Community safety"}
    # Police software licences are ICT back office.
    assert tags("t.expense_type = 'Computer Licences'") == {
        ("Supplies and services", "back office", "ICT", "Community safety")
    }
    # Fire's chart of accounts names the CIPFA group (lfrs.expenditure.employees.*).
    assert {t[0] for t in tags("t.expense_type ILIKE 'lfrs.expenditure.employees.%'")} == {
        "Employees"
    }
    # Non-breaking spaces in the PCC spreadsheets do not stop a match.
    assert {t[0] for t in tags("t.expense_type LIKE 'Ext%Adapt%Improv%'")} == {"Premises"}


def test_nothing_is_written_when_the_rules_are_wrong(classified, sql):
    before = sql(classified, "SELECT count(*), count(theme) FROM classifications")
    (classified.root / "rules.toml").write_text(
        '[[rule]]\nid = "bad"\ndimension = "theme"\nvalue = "Older people"\npurpose = "("\n'
    )
    with pytest.raises(Exception, match="bad"):
        classify(classified)
    assert sql(classified, "SELECT count(*), count(theme) FROM classifications") == before


def test_lines_loaded_after_classify_count_as_unclassified(classified):
    con = duckdb.connect(str(classified.warehouse_path))
    try:
        con.execute(
            "DELETE FROM classifications WHERE txn_key IN "
            "(SELECT txn_key FROM classifications LIMIT 10)"
        )
    finally:
        con.close()
    report = coverage(classified)
    entry = report["dimensions"]["subjective"]
    assert Decimal(entry["classified"]["gross"]) + Decimal(entry["unclassified"]["gross"]) == (
        Decimal(entry["total"]["gross"])
    )
    assert entry["total"]["rows"] == entry["classified"]["rows"] + entry["unclassified"]["rows"]
