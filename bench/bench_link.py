"""Supplier linking at scale: every real file together, and a million perturbed names.

Run from the repository root::

    .venv/bin/python bench/bench_link.py [--realdata DIR] [--synthetic 1000000] [--runs 2]

1. **Every real body together.** A workspace holding every spending file of
   ``../shared/realdata`` (21 bodies: councils, police, fire, NHS ICBs, central
   government) is built once in ``bench/out/link-realdata`` (import not timed here; delete
   the folder to rebuild). ``totalplace.link.link`` runs on it ``--runs`` times (best
   reported, wall clock) against a baseline measured in the same run: DuckDB grouping the
   same payees by their upper-case alphanumeric name (what a spreadsheet user would do).
   The aim is under a minute on a 2-core machine.
2. **Quality.** Precision and recall on ``tests/link/labelled_pairs.csv``: the holdout
   half and the unseen-publisher pairs (never used to fit the model) and the tune half, linking the labelled names on
   their own (as the tests do) and judging them by the real workspace's register.
3. **A million names.** Distinct real payee names copied and perturbed in DuckDB SQL
   (deterministic hash choices: upper/lower case, legal form dropped/changed, a deleted,
   swapped or replaced letter, '&'/'AND'), spread over 40 synthetic partners, then linked
   with ``link_payees``. Pairwise precision and recall against the real register (a copy
   of a name "belongs" to the real supplier of that name) show how far noisier names
   change the register.

Nothing is asserted: Rich tables on the terminal and ``bench/out/link.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from totalplace import warehouse  # noqa: E402
from totalplace.ingest import import_files  # noqa: E402
from totalplace.link import evaluate, link, link_payees, load_pairs  # noqa: E402
from totalplace.link.evaluate import pairs_register  # noqa: E402
from totalplace.link.payees import load_payees  # noqa: E402
from totalplace.workspace import Partner, add_partner, init_workspace, open_workspace  # noqa: E402

OUT = ROOT / "bench" / "out"
console = Console(width=None if sys.stdout.isatty() else 130)

#: (partner, sector, ONS areas, files relative to realdata) -- every spending file we hold.
#: Partner names as in tests/link/README.md, so the labelled pairs' partners are found.
BODIES: list[tuple[str, str, list[str], list[str]]] = [
    (
        "Hyndburn Borough Council",
        "district_council",
        ["E07000120"],
        ["lancashire/hyndburn_bc/*.csv"],
    ),
    ("Lancashire Fire", "fire", ["E31000023"], ["lancashire/lancashire_fire/*.xlsx"]),
    ("Lancashire PCC", "police", ["E23000003"], ["lancashire/lancashire_pcc/*.xlsx"]),
    (
        "Trafford",
        "unitary_council",
        ["E08000009"],
        [
            "trafford_council/trafford-supplier-spend-2024-25.zip",
            "trafford_council/trafford-supplier-spend-2026-27.zip",
            "trafford_council/government_procurement_card_transactions_2026-27.csv",
        ],
    ),
    ("Newcastle", "unitary_council", ["E08000021"], ["odileeds_cleaned/newcastle/*.csv"]),
    ("Gateshead", "unitary_council", ["E08000037"], ["odileeds_cleaned/gateshead/*.csv"]),
    ("North Tyneside", "unitary_council", ["E08000022"], ["odileeds_cleaned/north_tyneside/*.csv"]),
    ("Bradford", "unitary_council", ["E08000032"], ["odileeds_cleaned/bradford/*.csv"]),
    ("Calderdale", "unitary_council", ["E08000033"], ["odileeds_cleaned/calderdale/*.csv"]),
    ("Leeds", "unitary_council", ["E08000035"], ["leeds_city_council_raw/*.csv"]),
    ("Manchester", "unitary_council", ["E08000003"], ["odileeds_cleaned/manchester/*.csv"]),
    ("Darlington", "unitary_council", ["E06000005"], ["odileeds_cleaned/darlington/*.csv"]),
    ("Harrogate", "district_council", ["E07000165"], ["odileeds_cleaned/harrogate/*.csv"]),
    ("Oxford", "district_council", ["E07000178"], ["oxford_city_council/*.csv"]),
    ("Babergh", "district_council", ["E07000200"], ["babergh_district_council/*.xlsx"]),
    ("GLA", "combined_authority", [], ["odileeds_cleaned/gla/*.csv"]),
    ("TfL", "other", [], ["odileeds_cleaned/tfl/*.csv"]),
    ("Network Rail", "other", [], ["odileeds_cleaned/network_rail/*.csv"]),
    ("Cabinet Office", "central_government", [], ["odileeds_cleaned/cabinet_office/*.csv"]),
    ("BIS", "central_government", [], ["central_government/*"]),
    (
        "NHS ICBs",
        "nhs_icb",
        ["E10000013", "E10000027"],
        ["nhs/icb_spend_gloucestershire_somerset.xlsx"],
    ),
]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def real_workspace(realdata: Path) -> Path:
    """Return the workspace of every real file, building it on first use."""
    root = OUT / "link-realdata"
    marker = root / ".complete"
    if marker.exists():
        return root
    if root.exists():
        import shutil

        shutil.rmtree(root)
    init_workspace(root, "E07000120", "Hyndburn")
    ws = open_workspace(root)
    start = time.perf_counter()
    for name, sector, areas, patterns in BODIES:
        files = sorted(
            p
            for pattern in patterns
            for p in realdata.glob(pattern)
            if p.is_file() and p.stat().st_size
        )
        add_partner(ws, Partner(name=name, sector=sector, areas=tuple(areas)))
        import_files(ws, name, files)
        console.print(f"  imported {name}: {len(files)} file(s)")
    console.print(
        f"  built {root} in {time.perf_counter() - start:.0f} s (not part of the timings)"
    )
    marker.write_text("ok\n")
    return root


def baseline_exact(payees: pa.Table) -> int:
    """Group payees by upper-case alphanumeric name in DuckDB; return the number of groups."""
    con = duckdb.connect()
    con.register("p", payees)
    row = con.execute(
        "SELECT count(DISTINCT regexp_replace(upper(coalesce(raw_name, '')), '[^A-Z0-9]', '', 'g')) FROM p"
    ).fetchone()
    con.close()
    return int(row[0]) if row else 0


def synthetic_payees(payees: pa.Table, n: int) -> pa.Table:
    """Return ``n`` payee rows made by perturbing the distinct real names (deterministic)."""
    con = duckdb.connect()
    con.register("p", payees)
    con.execute(
        """CREATE TABLE src AS SELECT row_number() OVER (ORDER BY raw_name) AS sid, raw_name
        FROM (SELECT DISTINCT raw_name FROM p WHERE payee_status = 'named' AND raw_name IS NOT NULL)"""
    )
    sources = con.execute("SELECT count(*) FROM src").fetchone()[0]  # type: ignore[index]
    copies = -(-n // sources)
    table = con.execute(
        f"""
        WITH c AS (
            SELECT sid, raw_name, k, hash(sid * 1000003 + k) AS h
            FROM src, range({copies}) r(k)
        ), legal AS (
            SELECT *, CASE WHEN k = 0 THEN raw_name ELSE
                CASE (h >> 3) % 4
                    WHEN 0 THEN raw_name
                    WHEN 1 THEN trim(regexp_replace(raw_name, '(?i)\\s+(ltd|limited|plc|llp)\\.?$', '')) || ' LTD'
                    WHEN 2 THEN trim(regexp_replace(raw_name, '(?i)\\s+(ltd|limited|plc|llp)\\.?$', '')) || ' Limited'
                    ELSE trim(regexp_replace(raw_name, '(?i)\\s+(ltd|limited|plc|llp)\\.?$', ''))
                END END AS s1
            FROM c
        ), amp AS (
            SELECT *, CASE WHEN k > 0 AND (h >> 12) % 3 = 0
                THEN CASE WHEN contains(s1, '&') THEN replace(s1, '&', 'and') ELSE replace(s1, ' and ', ' & ') END
                ELSE s1 END AS s2
            FROM legal
        ), typo AS (
            SELECT *, (h >> 8) % greatest(length(s2) - 1, 1) + 1 AS pos FROM amp
        ), t2 AS (
            SELECT *, CASE WHEN k = 0 OR length(s2) < 6 THEN s2 ELSE
                CASE (h >> 5) % 5
                    WHEN 0 THEN s2[:pos - 1] || s2[pos + 1:]
                    WHEN 1 THEN s2[:pos - 1] || s2[pos + 1:pos + 1] || s2[pos:pos] || s2[pos + 2:]
                    WHEN 2 THEN s2[:pos - 1] || 'x' || s2[pos + 1:]
                    ELSE s2
                END END AS s3
            FROM typo
        )
        SELECT 'synthetic-' || lpad(CAST(h % 40 AS VARCHAR), 2, '0') AS partner,
            CASE WHEN k = 0 THEN s3 WHEN (h >> 1) % 3 = 0 THEN upper(s3)
                 WHEN (h >> 1) % 3 = 1 THEN lower(s3) ELSE s3 END AS raw_name,
            'named' AS payee_status, NULL::VARCHAR AS supplier_id, NULL::VARCHAR AS vat_number,
            NULL::VARCHAR AS company_number, NULL::VARCHAR AS charity_number,
            NULL::VARCHAR AS supplier_postcode, 1::BIGINT AS payments,
            CAST(1 AS DECIMAL(18, 2)) AS amount, sid, raw_name AS source_name
        FROM t2 ORDER BY sid, k LIMIT {n}
        """
    ).to_arrow_table()
    con.close()
    return table


def synthetic_quality(table: pa.Table, register: Any, real: Any) -> dict[str, float]:
    """Return pairwise precision/recall of the synthetic register against the real one.

    Each synthetic payee's truth is the real register's supplier of the name it was made
    from: a pair is "same" when both come from names the real register puts in one
    supplier. So this measures how far perturbing names changes the register, not
    absolute quality (that is the labelled pairs' job).
    """
    con = duckdb.connect()
    con.register("t", table)
    con.register("m", register.members)
    con.register("rm", real.members)
    row = con.execute(
        """WITH truth AS (
            SELECT raw_name, min(supplier_id) AS truth FROM rm GROUP BY raw_name
        ), src AS (
            SELECT DISTINCT t.sid, tr.truth FROM t JOIN truth tr ON tr.raw_name = t.source_name
        ), j AS (
            SELECT src.truth, m.supplier_id
            FROM t JOIN m ON m.partner = t.partner AND m.raw_name = t.raw_name
            JOIN src USING (sid)
        ), cell AS (SELECT truth, supplier_id, count(*) AS n FROM j GROUP BY ALL),
        sup AS (SELECT supplier_id, count(*) AS n FROM j GROUP BY ALL),
        tru AS (SELECT truth, count(*) AS n FROM j GROUP BY ALL)
        SELECT (SELECT sum(n * (n - 1) / 2) FROM cell), (SELECT sum(n * (n - 1) / 2) FROM sup),
               (SELECT sum(n * (n - 1) / 2) FROM tru)"""
    ).fetchone()
    con.close()
    assert row is not None
    both, joined, same = (float(x or 0) for x in row)
    return {
        "precision_vs_real_register": both / joined if joined else 1.0,
        "recall_vs_real_register": both / same if same else 1.0,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return a process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--realdata",
        type=Path,
        default=Path(os.environ.get("TOTALPLACE_REALDATA", ROOT.parent / "shared" / "realdata")),
    )
    parser.add_argument(
        "--synthetic", type=int, default=1_000_000, help="names in the synthetic set (0: skip)"
    )
    parser.add_argument(
        "--runs", type=int, default=2, help="runs of the real-data link (best reported)"
    )
    args = parser.parse_args(argv)
    if not (args.realdata / "MANIFEST.md").exists():
        console.print(f"[red]No real data at {args.realdata}[/] (set --realdata).")
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "duckdb": duckdb.__version__,
        },
    }

    console.rule("Every real body together")
    ws = open_workspace(real_workspace(args.realdata))
    con = warehouse.connect(ws, read_only=True)
    payees = load_payees(con)
    con.disconnect()
    named = payees.filter(pa.compute.equal(payees["payee_status"], "named"))
    distinct_names = len(set(named["raw_name"].to_pylist()))
    base_s, groups = _timed(lambda: baseline_exact(payees))
    runs = []
    register = None
    for _ in range(max(args.runs, 1)):
        seconds, register = _timed(lambda: link(ws))
        runs.append((seconds, register.timings))
    assert register is not None
    best = min(runs, key=lambda r: r[0])
    summary = register.summary()
    table = Table(title=f"link() on every real file ({len(ws.partners)} partners)")
    for column in ("Measure", "Value"):
        table.add_column(column)
    rows = [
        ("transactions (payments)", f"{summary['payments']:,}"),
        ("payees (partner, published name)", f"{summary['payees']:,}"),
        ("distinct published payee names", f"{distinct_names:,}"),
        ("suppliers", f"{summary['suppliers']:,} {summary['suppliers_by_kind']}"),
        ("suppliers paid by 2+ partners", f"{summary['suppliers_paid_by_several_partners']:,}"),
        ("link() wall clock, best of runs", f"{best[0]:.1f} s  {[round(r[0], 1) for r in runs]}"),
        ("  of which", ", ".join(f"{k} {v:.1f}s" for k, v in best[1].items())),
        ("baseline: DuckDB exact-name group-by", f"{base_s:.2f} s ({groups:,} groups)"),
        ("ratio link / baseline", f"{best[0] / base_s:.0f}x"),
        ("aim", "under 60 s: " + ("met" if best[0] < 60 else "NOT met")),
    ]
    for row in rows:
        table.add_row(*row)
    console.print(table)
    report["real"] = {
        "partners": len(ws.partners),
        "payments": summary["payments"],
        "payees": summary["payees"],
        "distinct_names": distinct_names,
        "suppliers": summary["suppliers"],
        "suppliers_by_kind": summary["suppliers_by_kind"],
        "link_seconds": [round(r[0], 2) for r in runs],
        "step_seconds": best[1],
        "baseline_seconds": round(base_s, 3),
    }

    console.rule("Quality on the labelled pairs")
    pairs = load_pairs()
    quality = Table(title="Precision and recall, tests/link/labelled_pairs.csv")
    for column in ("Judged by", "Split", "Pairs", "Precision", "Recall", "TP", "FP", "FN"):
        quality.add_column(column)
    report["quality"] = []
    own = pairs_register(pairs)
    for label, reg in (
        ("labelled names linked alone", own),
        ("register of every real file", register),
    ):
        for split in ("holdout", "unseen", "unseen-jw", "tune"):
            result = evaluate(pairs, split, register=reg)
            quality.add_row(
                label,
                split,
                str(result.pairs),
                f"{result.precision:.3f}",
                f"{result.recall:.3f}",
                str(result.true_positives),
                str(result.false_positives),
                str(result.false_negatives),
            )
            report["quality"].append({"judged_by": label, **result.as_dict()})
    console.print(quality)
    console.print("[dim]Aim on holdout: precision >= 0.98, recall >= 0.95.[/]")

    if args.synthetic:
        console.rule(f"{args.synthetic:,} perturbed names")
        gen_s, synthetic = _timed(lambda: synthetic_payees(payees, args.synthetic))
        link_s, synth_register = _timed(
            lambda: link_payees(synthetic.drop_columns(["sid", "source_name"]))
        )
        proxy = synthetic_quality(synthetic, synth_register, register)
        s = synth_register.summary()
        synth = Table(title=f"link_payees() on {len(synthetic):,} synthetic payees")
        for column in ("Measure", "Value"):
            synth.add_column(column)
        for row in (
            ("distinct source names", f"{len(set(synthetic['sid'].to_pylist())):,}"),
            ("generation (not part of linking)", f"{gen_s:.1f} s"),
            ("link_payees() wall clock", f"{link_s:.1f} s"),
            ("  of which", ", ".join(f"{k} {v:.1f}s" for k, v in synth_register.timings.items())),
            ("suppliers", f"{s['suppliers']:,}"),
            (
                "pairwise precision against the real register",
                f"{proxy['precision_vs_real_register']:.3f}",
            ),
            (
                "pairwise recall against the real register",
                f"{proxy['recall_vs_real_register']:.3f}",
            ),
        ):
            synth.add_row(*row)
        console.print(synth)
        report["synthetic"] = {
            "names": len(synthetic),
            "generation_seconds": round(gen_s, 2),
            "link_seconds": round(link_s, 2),
            "step_seconds": synth_register.timings,
            "suppliers": s["suppliers"],
            **{k: round(v, 4) for k, v in proxy.items()},
        }
    (OUT / "link.json").write_text(
        json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8"
    )
    console.print(f"[dim]Wrote {OUT / 'link.json'}[/]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
