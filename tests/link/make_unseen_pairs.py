"""Draw candidate pairs from publishers never tuned on, by blocking only (no similarity floor).

Usage (from the project root; WORKSPACE built as README.md in this folder says)::

    .venv/bin/python tests/link/make_unseen_pairs.py WORKSPACE candidates.csv [--seed 7]

Both names of every pair come from the *unseen* publishers (Manchester, Darlington,
Harrogate, Oxford, Babergh, the GLA, TfL, Network Rail, Cabinet Office, BIS, NHS ICBs):
none of them paid a name of the tune or holdout pairs, so the split is disjoint by
publisher. Candidates are drawn by blocking, as a linker would find them, and never by
how alike the names look:

* ``block-rare-token``: two publishers' names sharing a word that at most 40 payee names
  of the whole workspace contain (one pair per shared word, drawn by hash);
* ``block-very-rare-token``: the same, for a word at most 4 names contain (more of
  these pairs are one supplier, so the set has enough matches to measure recall);
* ``block-contained``: two publishers' names where every word of one (bar legal forms)
  is in the other;
* ``block-supplier-id``: different names one publisher pays under one supplier id
  (Oxford, the GLA);
* ``block-postcode``: different names one publisher gives the same postcode (BIS).

Pairs equal but for case and punctuation are left out; pairs already labelled too.
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

UNSEEN = (
    "manchester",
    "darlington",
    "harrogate",
    "oxford",
    "babergh",
    "gla",
    "tfl",
    "network-rail",
    "cabinet-office",
    "bis",
    "nhs-icbs",
)
QUOTAS = {
    "block-rare-token": 150,
    "block-very-rare-token": 100,
    "block-contained": 60,
    "block-supplier-id": 40,
    "block-postcode": 25,
}
STOP = "('LTD','LIMITED','THE','AND','PLC','LLP','CIC','UK','CO','COMPANY','OF','T','A','TA','INC')"


def candidates(workspace: Path, seed: int) -> list[dict[str, object]]:
    """Return candidate pairs (name_a, name_b, source, partner_a, partner_b)."""
    ws = open_workspace(workspace)
    wh = warehouse.connect(ws, read_only=True)
    payees = load_payees(wh)
    wh.disconnect()
    con = duckdb.connect()
    con.register("payees", payees)
    con.execute(
        f"""CREATE MACRO toks(s) AS list_distinct(list_filter(
            string_split(regexp_replace(upper(s), '[^A-Z0-9]+', ' ', 'g'), ' '),
            w -> w <> '' AND w NOT IN {STOP}))"""
    )
    con.execute("CREATE MACRO alnum(s) AS upper(regexp_replace(s, '[^A-Za-z0-9]', '', 'g'))")
    con.execute(
        """CREATE TABLE allp AS SELECT partner, raw_name AS name, toks(raw_name) AS t,
            list(DISTINCT supplier_id) FILTER (WHERE supplier_id IS NOT NULL) AS ids,
            list(DISTINCT upper(supplier_postcode)) FILTER (WHERE supplier_postcode IS NOT NULL)
                AS pcs
        FROM payees WHERE payee_status = 'named' AND raw_name IS NOT NULL GROUP BY ALL"""
    )
    con.execute(
        """CREATE TABLE df AS SELECT w, count(DISTINCT alnum(name)) AS n
        FROM (SELECT name, unnest(t) AS w FROM allp) GROUP BY w"""
    )
    con.execute(f"CREATE TABLE p AS SELECT * FROM allp WHERE partner IN {UNSEEN}")
    con.execute("CREATE TABLE pw AS SELECT partner, name, unnest(t) AS w FROM p")
    h = f"hash(a.name || b.name || '{seed}')"
    queries = {
        "block-rare-token": f"""
            SELECT a.name AS name_a, b.name AS name_b, a.partner AS partner_a,
                   b.partner AS partner_b, a.w AS block, {h} AS h
            FROM pw a JOIN pw b ON a.w = b.w AND a.partner < b.partner
            JOIN df ON df.w = a.w
            WHERE df.n <= 40 AND length(a.w) >= 3 AND NOT regexp_full_match(a.w, '[0-9]+')
              AND alnum(a.name) <> alnum(b.name)
            QUALIFY row_number() OVER (PARTITION BY a.w ORDER BY {h}) = 1""",
        "block-very-rare-token": f"""
            SELECT a.name AS name_a, b.name AS name_b, a.partner AS partner_a,
                   b.partner AS partner_b, a.w AS block, {h} AS h
            FROM pw a JOIN pw b ON a.w = b.w AND a.partner < b.partner
            JOIN df ON df.w = a.w
            WHERE df.n <= 4 AND length(a.w) >= 4 AND NOT regexp_full_match(a.w, '[0-9]+')
              AND alnum(a.name) <> alnum(b.name)
            QUALIFY row_number() OVER (PARTITION BY a.w ORDER BY {h}) = 1""",
        "block-contained": f"""
            SELECT a.name AS name_a, b.name AS name_b, a.partner AS partner_a,
                   b.partner AS partner_b, '' AS block, {h} AS h
            FROM p a JOIN p b ON a.partner <> b.partner AND len(a.t) >= 1
              AND len(a.t) < len(b.t) AND list_has_all(b.t, a.t)
            WHERE alnum(a.name) <> alnum(b.name)
              AND NOT list_has_all(['COUNCIL','CITY','BOROUGH','DISTRICT','COUNTY'], a.t)""",
        "block-supplier-id": f"""
            SELECT a.name AS name_a, b.name AS name_b, a.partner AS partner_a,
                   b.partner AS partner_b, list_intersect(a.ids, b.ids)[1] AS block, {h} AS h
            FROM p a JOIN p b ON a.partner = b.partner AND a.name < b.name
              AND len(list_intersect(a.ids, b.ids)) > 0
            WHERE alnum(a.name) <> alnum(b.name)
            -- at most two pairs per id: a sundry account must not fill the quota
            QUALIFY row_number() OVER (PARTITION BY block ORDER BY {h}) <= 2""",
        "block-postcode": f"""
            SELECT a.name AS name_a, b.name AS name_b, a.partner AS partner_a,
                   b.partner AS partner_b, list_intersect(a.pcs, b.pcs)[1] AS block, {h} AS h
            FROM p a JOIN p b ON a.partner = b.partner AND a.name < b.name
              AND len(list_intersect(a.pcs, b.pcs)) > 0
            WHERE alnum(a.name) <> alnum(b.name)
            QUALIFY row_number() OVER (PARTITION BY block ORDER BY {h}) <= 2""",
    }
    out: list[dict[str, object]] = []
    for source, sql in queries.items():
        rows = con.execute(f"SELECT * FROM ({sql}) ORDER BY h LIMIT {QUOTAS[source]}").fetchall()
        for name_a, name_b, partner_a, partner_b, block, _ in rows:
            out.append(
                {
                    "name_a": name_a,
                    "name_b": name_b,
                    "source": f"unseen-{source} {block}".strip(),
                    "partner_a": partner_a,
                    "partner_b": partner_b,
                }
            )
    return out


def main() -> int:
    """Write the candidates not yet labelled to the output CSV."""
    parser = argparse.ArgumentParser()
    parser.add_argument("workspace", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    labelled = ROOT / "tests" / "link" / "labelled_pairs.csv"
    with labelled.open(encoding="utf-8", newline="") as f:
        done = {frozenset((r["name_a"], r["name_b"])) for r in csv.DictReader(f)}
    seen: set[frozenset[str]] = set()
    rows = []
    for row in candidates(args.workspace, args.seed):
        key = frozenset((str(row["name_a"]), str(row["name_b"])))
        if key not in done and key not in seen:
            seen.add(key)
            rows.append(row)
    with args.out.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["name_a", "name_b", "source", "partner_a", "partner_b"])
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} candidate pairs written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
