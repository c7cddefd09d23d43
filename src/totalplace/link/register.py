"""The supplier register: suppliers, their members (payees) and the evidence between them.

Three tables, written to the warehouse by :func:`totalplace.link.link`:

* ``suppliers`` -- supplier_id, canonical_name, kind ('organisation', 'public body',
  'individual', 'redacted'), public_body_type, vat_number, company_number,
  charity_number, partners, members, payments, amount, reviewed;
* ``supplier_members`` -- supplier_id, partner, raw_name, payee_status, name_key,
  role, payments, amount, match_rule (the strongest evidence joining the payee to its
  supplier: an override, 'vat', 'company_number', 'charity_number', 'supplier_id',
  'same_name', 'trading_as', 'splink'; 'canonical' for the payee that names the
  supplier, 'only' for a supplier of one payee), match_weight (Splink's, for
  'splink'), reviewed;
* ``supplier_links`` -- supplier_id_a/_b, partner_a, raw_name_a, partner_b, raw_name_b,
  rule, match_weight, detail, applied: every piece of evidence, including identifier
  matches that were *not* applied because the names disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from totalplace.link.engine import kernel, put, query, run
from totalplace.link.graph import RULE_PRECEDENCE


def build_register_tables(con: Any) -> None:
    """Create ``out_suppliers``, ``out_members`` and ``out_links`` from the clustered graph."""
    precedence = " ".join(f"WHEN '{rule}' THEN {rank}" for rule, rank in RULE_PRECEDENCE.items())
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE mc AS
        WITH split_node AS (
            SELECT member_a AS member_id, min(node_b) AS node FROM edges
            WHERE rule = 'override_split' GROUP BY member_a
        ), attach_node AS (
            SELECT member_id, min(node) AS node FROM attach GROUP BY member_id
        ), confirmed AS (
            SELECT DISTINCT member_id FROM override_members WHERE action = 'confirm'
        )
        SELECT m.*, c.cluster_id,
            -- The node a member hangs from names its supplier: no two suppliers share one.
            coalesce(s.node, a.node, 'r:' || m.partner || ':' || coalesce(m.raw_name, ''))
                AS anchor,
            o.member_id IS NOT NULL AS reviewed
        FROM m JOIN member_cluster c USING (member_id)
        LEFT JOIN split_node s USING (member_id)
        LEFT JOIN attach_node a USING (member_id)
        LEFT JOIN confirmed o USING (member_id)""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE cluster_ids AS
        SELECT cluster_id, 'S' || substr(md5(min(anchor)), 1, 16) AS supplier_id
        FROM mc GROUP BY cluster_id""",
    )
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE member_evidence AS
        WITH inc AS (
            SELECT member_a AS member_id, rule, match_weight FROM edges
            WHERE applied AND member_a <> member_b
            UNION ALL
            SELECT member_b, rule, match_weight FROM edges WHERE applied AND member_a <> member_b
        )
        SELECT member_id,
            first(rule ORDER BY CASE rule {precedence} ELSE 99 END, match_weight DESC NULLS LAST)
                AS rule,
            first(match_weight ORDER BY CASE rule {precedence} ELSE 99 END,
                  match_weight DESC NULLS LAST) AS match_weight
        FROM inc GROUP BY member_id""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE ids_by_member AS
        SELECT member_id,
            min(id_value) FILTER (WHERE id_type = 'vat') AS vat_number,
            min(id_value) FILTER (WHERE id_type = 'company_number') AS company_number,
            min(id_value) FILTER (WHERE id_type = 'charity_number') AS charity_number
        FROM member_ids GROUP BY member_id""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE out_suppliers AS
        SELECT k.supplier_id,
            first(mc.raw_name ORDER BY mc.payments DESC, mc.amount DESC, mc.raw_name, mc.partner)
                AS canonical_name,
            CASE WHEN bool_and(mc.role = 'redacted') THEN 'redacted'
                 WHEN bool_or(mc.public_type IS NOT NULL) THEN 'public body'
                 WHEN bool_or(mc.role IN ('org', 'local')) THEN 'organisation'
                 ELSE 'individual' END AS kind,
            mode(mc.public_type ORDER BY mc.public_type) AS public_body_type,
            mode(i.vat_number ORDER BY i.vat_number) AS vat_number,
            mode(i.company_number ORDER BY i.company_number) AS company_number,
            mode(i.charity_number ORDER BY i.charity_number) AS charity_number,
            count(DISTINCT mc.partner)::INTEGER AS partners,
            count(*)::INTEGER AS members,
            sum(mc.payments)::BIGINT AS payments,
            sum(mc.amount)::DECIMAL(18, 2) AS amount,
            bool_or(mc.reviewed) AS reviewed
        FROM mc JOIN cluster_ids k USING (cluster_id)
        LEFT JOIN ids_by_member i USING (member_id)
        GROUP BY k.supplier_id""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE out_members AS
        WITH canon AS (
            SELECT cluster_id, count(*) AS n,
                first(member_id ORDER BY payments DESC, amount DESC, raw_name, partner) AS member_id
            FROM mc GROUP BY cluster_id
        )
        SELECT k.supplier_id, mc.partner, mc.raw_name, mc.payee_status, mc.name_key, mc.role,
            mc.payments, mc.amount,
            CASE WHEN c.n = 1 THEN 'only' WHEN c.member_id = mc.member_id THEN 'canonical'
                 ELSE coalesce(e.rule, 'same_name') END AS match_rule,
            CASE WHEN c.n > 1 AND c.member_id <> mc.member_id THEN e.match_weight END
                AS match_weight,
            mc.reviewed
        FROM mc JOIN cluster_ids k USING (cluster_id)
        JOIN canon c USING (cluster_id)
        LEFT JOIN member_evidence e ON e.member_id = mc.member_id
        ORDER BY k.supplier_id, mc.payments DESC, mc.partner, mc.raw_name""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE out_links AS
        SELECT ka.supplier_id AS supplier_id_a, kb.supplier_id AS supplier_id_b,
            a.partner AS partner_a, a.raw_name AS raw_name_a,
            b.partner AS partner_b, b.raw_name AS raw_name_b,
            e.rule, e.match_weight, e.detail, e.applied
        FROM edges e
        JOIN mc a ON a.member_id = e.member_a JOIN mc b ON b.member_id = e.member_b
        JOIN cluster_ids ka ON ka.cluster_id = a.cluster_id
        JOIN cluster_ids kb ON kb.cluster_id = b.cluster_id
        WHERE e.member_a <> e.member_b
        ORDER BY ka.supplier_id, e.rule, a.partner, a.raw_name, b.partner, b.raw_name""",
    )


@dataclass
class Register:
    """The supplier register as Arrow tables, with warnings and step timings (seconds)."""

    suppliers: pa.Table
    members: pa.Table
    links: pa.Table
    warnings: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        """Return counts and totals: suppliers by kind, payees, payments, amount."""
        with kernel() as con:
            put(con, "s", self.suppliers)
            kinds = query(con, "SELECT kind, count(*) AS n FROM s GROUP BY kind ORDER BY kind")
            totals = query(
                con,
                "SELECT count(*), coalesce(sum(members), 0), coalesce(sum(payments), 0), "
                "coalesce(sum(amount), 0), count(*) FILTER (WHERE partners > 1) FROM s",
            )
        by_kind = dict(zip(kinds.column(0).to_pylist(), kinds.column(1).to_pylist(), strict=True))
        row = [column[0].as_py() for column in totals.columns]
        return {
            "suppliers": row[0],
            "suppliers_by_kind": by_kind,
            "payees": int(row[1]),
            "payments": int(row[2]),
            "amount": Decimal(row[3]),
            "suppliers_paid_by_several_partners": row[4],
        }

    def document(self) -> dict[str, Any]:
        """Return the register as one JSON-ready document (amounts as decimal strings)."""
        with kernel() as con:
            put(con, "s", self.suppliers)
            put(con, "mb", self.members)
            table = query(
                con,
                """SELECT s.supplier_id, s.canonical_name, s.kind, s.public_body_type,
                    s.vat_number, s.company_number, s.charity_number, s.partners,
                    s.payments, CAST(s.amount AS VARCHAR), s.reviewed,
                    list({'partner': mb.partner, 'raw_name': mb.raw_name,
                          'payments': mb.payments, 'amount': CAST(mb.amount AS VARCHAR),
                          'match_rule': mb.match_rule, 'match_weight': round(mb.match_weight, 2),
                          'reviewed': mb.reviewed}
                         ORDER BY mb.payments DESC, mb.partner, mb.raw_name) AS members
                FROM s JOIN mb USING (supplier_id)
                GROUP BY s.supplier_id, s.canonical_name, s.kind, s.public_body_type,
                    s.vat_number, s.company_number, s.charity_number, s.partners,
                    s.payments, s.amount, s.reviewed
                ORDER BY s.partners DESC, s.amount DESC, s.supplier_id""",
            )
        rows = list(zip(*(column.to_pylist() for column in table.columns), strict=True))
        keys = (
            "id",
            "canonical_name",
            "kind",
            "public_body_type",
            "vat_number",
            "company_number",
            "charity_number",
            "partners",
            "payments",
            "amount",
            "reviewed",
            "members",
        )
        summary = self.summary()
        summary["amount"] = str(summary["amount"])
        return {
            "summary": summary,
            "warnings": self.warnings,
            "suppliers": [dict(zip(keys, row, strict=True)) for row in rows],
        }

    def top_shared(self, n: int) -> list[dict[str, Any]]:
        """Return the ``n`` suppliers paid by most partners (then by amount), excluding redacted."""
        with kernel() as con:
            put(con, "s", self.suppliers)
            put(con, "mb", self.members)
            return query(
                con,
                f"""SELECT s.supplier_id, s.canonical_name, s.kind, s.partners, s.members,
                    s.payments, s.amount,
                    string_agg(DISTINCT mb.partner, ', ' ORDER BY mb.partner) AS partner_list
                FROM s JOIN mb USING (supplier_id)
                WHERE s.kind <> 'redacted'
                GROUP BY ALL
                ORDER BY s.partners DESC, s.amount DESC, s.supplier_id LIMIT {int(n)}""",
            ).to_pylist()
