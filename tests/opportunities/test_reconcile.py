"""Opportunity totals reconcile to the count, and every row is traceable to its transactions.

Expected figures are recomputed here with plain SQL over the count's own tables
(``count_lines``, ``count_by_partner_theme_year``, ``classifications``), not through
the opportunities code, so a wrong join, filter or rounding there fails a test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from .conftest import sql

HYNDBURN = "hyndburn-borough-council"
POLICE = "lancashire-police-and-crime-commissioner"
FIRE = "lancashire-fire-and-rescue-service"
TABLE_OF_KIND = {
    "back_office": "opp_back_office",
    "procurement": "opp_procurement",
    "fragmentation": "opp_fragmentation",
    "shared_supplier": "opp_shared_suppliers",
}


def test_back_office_by_partner_and_function_is_the_classified_back_office_spend_of_counted_lines(
    hyndburn,
):
    ws, result = hyndburn
    expected = {
        (partner, function): (lines, amount)
        for partner, function, lines, amount in sql(
            ws,
            """SELECT cl.partner, c.back_office_function, count(*), sum(cl.amount)
            FROM count_lines cl JOIN classifications c USING (txn_key)
            WHERE cl.transfer_kind IS NULL AND c.front_back = 'back office'
            GROUP BY ALL""",
        )
    }
    got = {(r["partner"], r["function"]): (r["lines"], r["amount"]) for r in result.back_office}
    assert got == expected
    # The three partners each run a back office, and the police's is the largest.
    by_partner = {r["partner"]: r["amount"] for r in result.back_office_by_partner("2024-25")}
    assert set(by_partner) == {HYNDBURN, POLICE, FIRE}
    assert by_partner[POLICE] == max(by_partner.values())


def test_back_office_never_exceeds_a_partners_counted_spend(hyndburn):
    _, result = hyndburn
    for row in result.back_office_by_partner():
        assert Decimal(0) < row["amount"] <= row["counted_spend"]
        assert row["place_amount"] <= row["amount"]


def test_place_amounts_apply_the_counts_share_per_partner_rounded_to_the_penny(hyndburn):
    ws, result = hyndburn
    shares = dict(sql(ws, "SELECT DISTINCT partner, share FROM count_lines"))
    assert shares[HYNDBURN] == 1 and Decimal("0.05") < shares[POLICE] < Decimal("0.06")
    for row in result.back_office:
        exact = row["amount"] * shares[row["partner"]]
        assert row["place_amount"] == exact.quantize(Decimal("0.01"))
    police = [r for r in result.back_office_by_partner() if r["partner"] == POLICE][0]
    # A Lancashire-wide police back office is not all Hyndburn's: about 5% of it is.
    assert police["place_amount"] < police["amount"] / 10


def test_fragmentation_spend_per_theme_is_the_counted_spend_per_theme(hyndburn):
    ws, result = hyndburn
    counted = {
        (theme, fy): (base, place)
        for theme, fy, base, place in sql(
            ws,
            """SELECT theme, financial_year, sum(base_amount), sum(counted_amount)
            FROM count_by_partner_theme_year GROUP BY ALL""",
        )
    }
    got = {
        (r["theme"], r["financial_year"]): (r["amount"], r["place_amount"])
        for r in result.fragmentation
    }
    # Themes whose only lines are transfers have counted spend of zero and no row here.
    assert got == {k: v for k, v in counted.items() if v != (0, 0)}
    total = sum(place for _, place in counted.values())
    assert sum(r["place_amount"] for r in result.fragmentation) == total
    # 40,521,045.02 since the apprenticeship levy (£18,348.00 in 2024-25) is counted as the
    # pay cost it is, not passed on as a levy (it was 40,502,697.02 before).
    assert total == Decimal("40521045.02")  # the count's own Hyndburn total for 2024-25


def test_fragmentation_counts_partners_serving_each_theme(hyndburn):
    ws, result = hyndburn
    expected = dict(
        sql(
            ws,
            """SELECT theme, count(DISTINCT partner) FROM count_lines
            WHERE transfer_kind IS NULL GROUP BY theme""",
        )
    )
    assert {r["theme"]: r["partners"] for r in result.fragmentation} == expected
    safety = next(r for r in result.fragmentation if r["theme"] == "Community safety")
    assert safety["partners"] == 3


@pytest.mark.parametrize("kind", sorted(TABLE_OF_KIND))
def test_every_row_is_the_sum_of_the_lines_behind_it(hyndburn, kind):
    ws, _ = hyndburn
    table = TABLE_OF_KIND[kind]
    mismatched = sql(
        ws,
        f"""WITH l AS (
                SELECT opportunity_key, count(*) AS n, sum(amount) AS amount
                FROM opp_lines WHERE kind = ? GROUP BY opportunity_key)
            SELECT o.opportunity_key, o.lines, l.n, o.amount, l.amount
            FROM {table} o FULL JOIN l USING (opportunity_key)
            WHERE o.lines IS DISTINCT FROM l.n OR o.amount IS DISTINCT FROM l.amount""",
        [kind],
    )
    assert mismatched == []


def test_a_transaction_is_behind_at_most_one_row_of_each_kind(hyndburn):
    ws, _ = hyndburn
    assert sql(ws, "SELECT kind, txn_key FROM opp_lines GROUP BY ALL HAVING count(*) > 1") == []


def test_each_line_leads_back_to_its_source_file_row_and_rule(hyndburn):
    ws, _ = hyndburn
    unresolved = sql(
        ws,
        """SELECT l.kind, count(*) FROM opp_lines l
        LEFT JOIN transactions t USING (txn_key)
        LEFT JOIN classification_rules r ON r.rule_id = l.rule
        LEFT JOIN opp_category_rules c ON c.rule_id = l.rule
        WHERE t.txn_key IS NULL OR t.source_file <> l.source_file OR t.row_number <> l.row_number
           OR (l.kind IN ('back_office', 'fragmentation') AND l.rule IS NOT NULL
               AND r.rule_id IS NULL)
           OR (l.kind = 'procurement' AND c.rule_id IS NULL
               AND l.rule NOT IN ('proclass', 'expense_type'))
        GROUP BY l.kind""",
    )
    assert unresolved == []
    assert sql(
        ws, "SELECT count(*) FROM opp_lines WHERE kind = 'back_office' AND rule IS NULL"
    ) == [(0,)]


def test_transfers_and_precepts_are_left_out_of_every_opportunity(hyndburn):
    ws, result = hyndburn
    excluded = sql(
        ws,
        """SELECT transfer_kind, count(*), sum(amount) FROM count_lines
        WHERE transfer_kind IS NOT NULL GROUP BY ALL""",
    )
    kinds = {k for k, _, _ in excluded}
    # The data really has them (so this test can fail): Hyndburn's precepts and business
    # rates shares, and fire and police payments to the council.
    assert {"Precept or levy", "Business rates share", "paid to a partner"} <= kinds
    leaked = sql(
        ws,
        """SELECT l.kind, count(*) FROM opp_lines l JOIN count_lines cl USING (txn_key)
        WHERE cl.transfer_kind IS NOT NULL GROUP BY l.kind""",
    )
    assert leaked == []
    precepts = sum(a for k, _, a in excluded if k == "Precept or levy")
    hyndburn_counted = next(r for r in result.partner_totals if r["partner"] == HYNDBURN)["amount"]
    ledger = sql(ws, "SELECT sum(amount) FROM transactions WHERE partner = ?", [HYNDBURN])[0][0]
    assert hyndburn_counted <= ledger - precepts


def test_procurement_category_spend_is_the_spend_of_the_lines_it_includes(hyndburn):
    ws, result = hyndburn
    by_category = dict(
        sql(
            ws,
            """SELECT l.opportunity_key, sum(t.amount) FROM opp_lines l
            JOIN transactions t USING (txn_key) WHERE l.kind = 'procurement' GROUP BY 1""",
        )
    )
    assert {r["opportunity_key"]: r["amount"] for r in result.procurement} == by_category
    partners = dict(
        sql(
            ws,
            """SELECT opportunity_key, count(DISTINCT partner) FROM opp_lines
            WHERE kind = 'procurement' GROUP BY 1""",
        )
    )
    for row in result.procurement:
        assert row["partners"] == partners[row["opportunity_key"]] >= 2
    summary = result.summary()[0]["procurement"]
    assert summary["amount"] == sum(by_category.values())
    assert summary["amount"] <= summary["categorised_amount"] <= summary["scope_amount"]


def test_procurement_excludes_benefits_grants_and_hidden_payees(hyndburn):
    ws, _ = hyndburn
    rows = sql(
        ws,
        """SELECT count(*) FROM opp_lines l JOIN transactions t USING (txn_key)
        JOIN classifications c USING (txn_key)
        WHERE l.kind = 'procurement'
          AND (t.payee_status <> 'named' OR c.subjective IN ('Transfer payments', 'Income'))""",
    )
    assert rows == [(0,)]
    # ...while the police ledger does hide payees, so the filter is exercised.
    assert sql(ws, "SELECT count(*) FROM transactions WHERE payee_status <> 'named'")[0][0] > 0


def test_the_procurement_median_payment_is_the_median_of_positive_payments(hyndburn):
    ws, result = hyndburn
    fuel = next(r for r in result.procurement if r["category"] == "Vehicle fuel")
    [(median,)] = sql(
        ws,
        """SELECT median(t.amount)::DECIMAL(18, 2) FROM opp_lines l JOIN transactions t USING (txn_key)
        WHERE l.opportunity_key = ? AND t.amount > 0""",
        [fuel["opportunity_key"]],
    )
    assert fuel["median_payment"] == median
    assert fuel["partners"] == 3  # council, fire and police all buy fuel separately
