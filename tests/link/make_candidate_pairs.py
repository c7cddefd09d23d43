"""Draw candidate pairs of payee names for hand labelling (see README.md in this folder).

Usage (from the project root; WORKSPACE built as README.md says)::

    .venv/bin/python tests/link/make_candidate_pairs.py WORKSPACE candidates.csv [--seed 42]

Candidates come from the named payees of the Lancashire bodies, Trafford, the Tyneside
and the West Yorkshire councils, independently of the linker (so the labels do not
flatter it):

* cross-partner pairs of names sharing a word that at most 40 of these names contain,
  drawn in bands of Jaro-Winkler similarity of their upper-case letters and digits
  (>= .95: 110, .90: 110, .85: 90, .80: 70, .70: 60, below: 40) plus 70 pairs where one
  name's words are all in the other; pairs equal but for case and punctuation are left
  out (every linker gets those right);
* pairs of different names Trafford publishes with the same VAT number (130 drawn);
* pairs of different names one partner publishes under the same supplier id.

Pairs already in labelled_pairs.csv are left out, so the output is new work only.
The draw is by a hash of the names and the seed: the same inputs give the same pairs.
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
from totalplace.link.payees import load_payees  # noqa: E402
from totalplace.workspace import open_workspace  # noqa: E402

TARGETS = (
    "hyndburn-borough-council",
    "lancashire-fire",
    "lancashire-pcc",
    "trafford",
    "newcastle",
    "gateshead",
    "north-tyneside",
    "bradford",
    "calderdale",
    "leeds",
)
BANDS = {"jw95": 110, "jw90": 110, "jw85": 90, "jw80": 70, "jw70": 60, "jw00": 40}
STOP = "('LTD','LIMITED','THE','AND','PLC','LLP','CIC','UK','CO','COMPANY','OF','T','A','TA')"
RARE_STOP = (
    "('LTD','LIMITED','THE','AND','PLC','SERVICES','SERVICE','LLP','CIC','GROUP','COMPANY','CARE',"
    "'HOME','COUNCIL','SCHOOL','PRIMARY','TRUST','CENTRE','HOUSING','ASSOCIATION','NORTH','SOUTH',"
    "'EAST','WEST','FOR','UK')"
)


def candidates(workspace: Path, seed: int) -> list[dict[str, object]]:
    """Return candidate pairs (name_a, name_b, source, partner_a, partner_b, jw)."""
    ws = open_workspace(workspace)
    wh = warehouse.connect(ws, read_only=True)
    payees = load_payees(wh)
    wh.disconnect()
    con = duckdb.connect()
    con.register("payees", payees)
    con.execute(
        f"""CREATE TABLE p AS SELECT partner, raw_name AS name, list(DISTINCT supplier_id) AS ids,
            list(DISTINCT vat_number) AS vats
        FROM payees WHERE payee_status = 'named' AND raw_name IS NOT NULL AND partner IN {TARGETS}
        GROUP BY ALL"""
    )
    con.execute("CREATE MACRO alnum(s) AS upper(regexp_replace(s, '[^A-Za-z0-9]', '', 'g'))")
    con.execute(
        f"""CREATE MACRO toks(s) AS list_distinct(list_filter(
            string_split(regexp_replace(upper(s), '[^A-Z0-9]+', ' ', 'g'), ' '),
            w -> w <> '' AND w NOT IN {STOP}))"""
    )
    con.execute(
        f"""CREATE TABLE words AS SELECT name, unnest(list_distinct(list_filter(
            string_split(regexp_replace(upper(name), '[^A-Z0-9]+', ' ', 'g'), ' '),
            w -> length(w) >= 3 AND w NOT IN {RARE_STOP}))) AS tok
        FROM (SELECT DISTINCT name FROM p)"""
    )
    con.execute(
        """CREATE TABLE cross_pairs AS
        WITH rare AS (
            SELECT w.name, w.tok FROM words w
            JOIN (SELECT tok FROM words GROUP BY tok HAVING count(*) <= 40) USING (tok)
        ), pairs AS (
            SELECT DISTINCT a.name AS name_a, b.name AS name_b
            FROM rare a JOIN rare b ON a.tok = b.tok AND a.name < b.name
        )
        SELECT name_a, name_b, jaro_winkler_similarity(alnum(name_a), alnum(name_b)) AS jw,
            list_has_all(toks(name_a), toks(name_b)) OR list_has_all(toks(name_b), toks(name_a))
                AS subset,
            (SELECT min(partner) FROM p WHERE p.name = name_a) AS partner_a,
            (SELECT min(partner) FROM p WHERE p.name = name_b
                AND p.partner <> (SELECT min(partner) FROM p WHERE p.name = name_a)) AS partner_b
        FROM pairs
        WHERE alnum(name_a) <> alnum(name_b)"""
    )
    con.execute("DELETE FROM cross_pairs WHERE partner_b IS NULL")
    rows: list[dict[str, object]] = []
    order = f"hash(name_a || chr(31) || name_b || '{seed}')"
    band = (
        "CASE WHEN jw >= 0.95 THEN 'jw95' WHEN jw >= 0.9 THEN 'jw90' WHEN jw >= 0.85 THEN 'jw85' "
        "WHEN jw >= 0.8 THEN 'jw80' WHEN jw >= 0.7 THEN 'jw70' ELSE 'jw00' END"
    )
    for name, quota in BANDS.items():
        rows += _fetch(
            con,
            f"""SELECT name_a, name_b, 'cross-partner {name}' AS source, partner_a, partner_b, jw
            FROM cross_pairs WHERE NOT subset AND {band} = '{name}' ORDER BY {order} LIMIT {quota}""",
        )
    rows += _fetch(
        con,
        f"""SELECT name_a, name_b, 'cross-partner subset', partner_a, partner_b, jw
        FROM cross_pairs WHERE subset ORDER BY {order} LIMIT 70""",
    )
    rows += _fetch(
        con,
        f"""WITH v AS (SELECT name, unnest(vats) AS vat FROM p WHERE partner = 'trafford')
        SELECT a.name AS name_a, b.name AS name_b, 'trafford same VAT', 'trafford', 'trafford',
            jaro_winkler_similarity(alnum(a.name), alnum(b.name)) AS jw
        FROM v a JOIN v b ON a.vat = b.vat AND a.name < b.name
        WHERE a.vat <> 'NA' AND alnum(a.name) <> alnum(b.name)
        ORDER BY {order} LIMIT 130""",
    )
    rows += _fetch(
        con,
        """WITH v AS (SELECT partner, name, unnest(ids) AS sid FROM p)
        SELECT a.name AS name_a, b.name AS name_b, a.partner || ' same supplier id',
            a.partner, b.partner, jaro_winkler_similarity(alnum(a.name), alnum(b.name))
        FROM v a JOIN v b ON a.sid = b.sid AND a.partner = b.partner AND a.name < b.name
        WHERE a.sid NOT IN ('ONETIME', 'Personal Budgets', 'Purchase Card Supplier')
          AND alnum(a.name) <> alnum(b.name)
        ORDER BY a.partner, a.name, b.name""",
    )
    return rows


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, object]]:
    keys = ("name_a", "name_b", "source", "partner_a", "partner_b", "jw")
    return [dict(zip(keys, row, strict=True)) for row in con.execute(sql).fetchall()]


def main(argv: list[str] | None = None) -> int:
    """Write new candidate pairs to a CSV for labelling; return a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("workspace", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)
    labelled_path = Path(__file__).with_name("labelled_pairs.csv")
    with labelled_path.open(encoding="utf-8", newline="") as f:
        done = {(r["name_a"], r["name_b"]) for r in csv.DictReader(f)}
    seen: set[tuple[str, str]] = set()
    fresh = []
    for row in candidates(args.workspace, args.seed):
        pair = (str(row["name_a"]), str(row["name_b"]))
        if pair in done or pair[::-1] in done or pair in seen:
            continue
        seen.add(pair)
        fresh.append({**row, "same": ""})
    with args.output.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(
            f, ["name_a", "name_b", "same", "source", "partner_a", "partner_b", "jw"]
        )
        writer.writeheader()
        writer.writerows(fresh)
    print(f"wrote {len(fresh)} new candidate pairs to {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
