"""Rewrite pair_evidence.csv: what the real files publish beside every labelled payee name.

Usage (from the project root; WORKSPACE built as README.md in this folder says)::

    .venv/bin/python tests/link/make_pair_evidence.py WORKSPACE

One row per distinct (partner, raw_name, supplier_id, vat_number, company_number,
charity_number, supplier_postcode) the partner's transactions carry for a name of
``labelled_pairs.csv``; ``evaluate`` links the pairs with it, as ``link`` would.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "src"))

from totalplace import warehouse  # noqa: E402
from totalplace.link.evaluate import DEFAULT_EVIDENCE, load_pairs  # noqa: E402
from totalplace.link.payees import load_payees  # noqa: E402
from totalplace.workspace import open_workspace  # noqa: E402

COLUMNS = (
    "partner",
    "raw_name",
    "supplier_id",
    "vat_number",
    "company_number",
    "charity_number",
    "supplier_postcode",
)


def main() -> int:
    """Write the evidence of the labelled payees found in the workspace."""
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", type=Path)
    args = parser.parse_args()
    pairs = load_pairs()
    wanted = {(p.partner_a, p.name_a) for p in pairs} | {(p.partner_b, p.name_b) for p in pairs}
    wh = warehouse.connect(open_workspace(args.workspace), read_only=True)
    payees = load_payees(wh)
    wh.disconnect()
    con = duckdb.connect()
    con.register("payees", payees)
    con.execute("CREATE TABLE wanted (partner VARCHAR, raw_name VARCHAR)")
    con.executemany("INSERT INTO wanted VALUES (?, ?)", sorted(wanted))
    rows = con.execute(
        f"""SELECT DISTINCT {", ".join("p." + c for c in COLUMNS)}
        FROM payees p JOIN wanted w USING (partner, raw_name)
        WHERE p.payee_status = 'named' AND coalesce(p.supplier_id, p.vat_number,
            p.company_number, p.charity_number, p.supplier_postcode) IS NOT NULL
        ORDER BY ALL"""
    ).fetchall()
    with DEFAULT_EVIDENCE.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows([["" if v is None else v for v in r] for r in rows])
    print(f"{len(rows)} rows of evidence for {len(wanted)} labelled payees -> {DEFAULT_EVIDENCE}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
