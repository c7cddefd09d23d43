"""The register of the bundled Hyndburn example: nothing lost, nothing counted twice, to the penny."""

from __future__ import annotations

import json
from decimal import Decimal

import duckdb
import typer
from typer.testing import CliRunner

from totalplace.cli.link import link_command


def _sql(ws, query):
    con = duckdb.connect(str(ws.warehouse_path), read_only=True)
    try:
        return con.execute(query).fetchall()
    finally:
        con.close()


def test_every_transaction_payee_is_a_member_of_exactly_one_supplier(hyndburn, hyndburn_register):
    orphans, doubles = _sql(
        hyndburn,
        """SELECT
            count(*) FILTER (WHERE n = 0), count(*) FILTER (WHERE n > 1)
        FROM (
            SELECT t.txn_key, count(m.supplier_id) AS n
            FROM transactions t LEFT JOIN supplier_members m
              ON m.partner = t.partner AND m.raw_name IS NOT DISTINCT FROM t.supplier_name
            GROUP BY t.txn_key
        )""",
    )[0]
    assert (orphans, doubles) == (0, 0)


def test_amounts_and_payments_reconcile_to_the_transactions_to_the_penny(
    hyndburn, hyndburn_register
):
    [(total, rows)] = _sql(hyndburn, "SELECT sum(amount), count(*) FROM transactions")
    [(member_total, member_rows)] = _sql(
        hyndburn, "SELECT sum(amount), sum(payments) FROM supplier_members"
    )
    [(supplier_total, supplier_rows)] = _sql(
        hyndburn, "SELECT sum(amount), sum(payments) FROM suppliers"
    )
    assert total == member_total == supplier_total
    assert isinstance(total, Decimal)
    assert rows == member_rows == supplier_rows
    by_partner = _sql(
        hyndburn,
        """SELECT t.partner, t.amount, m.amount FROM
            (SELECT partner, sum(amount) AS amount FROM transactions GROUP BY partner) t
            JOIN (SELECT partner, sum(amount) AS amount FROM supplier_members GROUP BY partner) m
            USING (partner)""",
    )
    assert len(by_partner) == 3 and all(a == b for _, a, b in by_partner)


def test_the_register_has_every_kind_and_suppliers_shared_by_all_three_partners(hyndburn_register):
    summary = hyndburn_register.summary()
    assert set(summary["suppliers_by_kind"]) >= {
        "organisation",
        "public body",
        "individual",
        "redacted",
    }
    top = hyndburn_register.top_shared(5)
    assert top[0]["partners"] == 3 and top[0]["kind"] != "redacted"


def test_each_link_names_its_rule_and_splink_links_carry_a_match_weight(hyndburn_register):
    links = hyndburn_register.links.to_pylist()
    assert {x["rule"] for x in links} >= {"same_name", "splink"}
    for x in links:
        if x["rule"] == "splink":
            assert x["match_weight"] is not None
    members = hyndburn_register.members.to_pylist()
    assert {m["match_rule"] for m in members} >= {"only", "canonical", "same_name", "splink"}


def test_link_command_prints_the_register_as_one_json_document(hyndburn, hyndburn_register):
    app = typer.Typer()
    app.command("link")(link_command)
    app.command("other")(lambda: None)  # two commands, so "link" is a subcommand
    result = CliRunner().invoke(app, ["link", "--workspace", str(hyndburn.root), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    suppliers = document["suppliers"]
    assert len(suppliers) == document["summary"]["suppliers"]
    first = suppliers[0]
    assert set(first) >= {"id", "canonical_name", "kind", "members", "amount"}
    member = first["members"][0]
    assert set(member) >= {"partner", "raw_name", "payments", "amount"}
    assert Decimal(member["amount"]) == Decimal(member["amount"]).quantize(Decimal("0.01"))
    assert sum(Decimal(s["amount"]) for s in suppliers) == Decimal(document["summary"]["amount"])


def test_link_command_shows_the_suppliers_paid_by_most_partners(hyndburn, hyndburn_register):
    app = typer.Typer()
    app.command("link")(link_command)
    app.command("other")(lambda: None)
    result = CliRunner().invoke(app, ["link", "--workspace", str(hyndburn.root), "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "Suppliers paid by most partners (top 3)" in result.output
    assert "payees of 3 partners resolved into" in result.output
