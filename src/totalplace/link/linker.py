"""``link``: resolve every payee of every partner into one register of suppliers.

Steps: payees aggregated from the transactions by the warehouse's engine (DuckDB,
PostgreSQL or Spark) -> members (one per partner and payee name) -> normalised names and
kinds -> deterministic evidence (same name, VAT, Companies House, charity numbers,
supplier ids within a partner) -> Splink on the distinct names -> the reviewer's
overrides -> connected components -> the register, stored back through the warehouse
seam. The steps between payees and register are SQL stages in temporary tables of the
linker's in-process DuckDB (:mod:`totalplace.link.engine`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

from totalplace import stages, warehouse
from totalplace.link import graph
from totalplace.link.engine import kernel, put, query, run, scalar
from totalplace.link.kinds import public_body_reference
from totalplace.link.model import (
    NameModel,
    background_frequencies,
    load_model,
    predict,
    records_sql,
)
from totalplace.link.names import normalise_sql
from totalplace.link.overrides import (
    OVERRIDES_FILE,
    Overrides,
    apply_overrides,
    read_overrides,
    write_template,
)
from totalplace.link.payees import PAYEE_SCHEMA, load_payees, member_identifiers_sql, members_sql
from totalplace.link.register import Register, build_register_tables
from totalplace.workspace import Partner, Workspace

#: Public-body types of partner sectors (partners are named in other ledgers too).
_SECTOR_BODY_TYPE = {
    "district_council": "council",
    "county_council": "council",
    "unitary_council": "council",
    "combined_authority": "council",
    "police": "police",
    "fire": "fire",
    "nhs_icb": "nhs",
    "nhs_trust": "nhs",
    "central_government": "government",
}

Step = Callable[[str], None]

#: Name pairs scoring up to this much below the threshold are kept as unapplied
#: evidence in ``supplier_links``: the candidates a reviewer should look at first.
REVIEW_MARGIN = 4.0


def related_partners(partners: Sequence[Partner]) -> list[tuple[str, str]]:
    """Return the ordered pairs of distinct partners that serve a common district."""
    districts = {p.slug: set(p.districts()) for p in partners}
    return [
        (a, b) for a, da in districts.items() for b, db in districts.items() if a != b and da & db
    ]


def _public_reference(partners: Sequence[Partner]) -> pa.Table:
    rows = list(public_body_reference())
    for partner in partners:
        body_type = _SECTOR_BODY_TYPE.get(partner.sector)
        if body_type:
            rows += [(name, body_type, partner.slug) for name in partner.payee_names()]
    return pa.table(
        {
            "raw_name": [r[0] for r in rows],
            "body_type": [r[1] for r in rows],
        }
    )


@contextmanager
def _timed(timings: dict[str, float], step: str, report: Step | None) -> Any:
    if report:
        report(step)
    start = time.perf_counter()
    yield
    timings[step] = round(time.perf_counter() - start, 3)


def link_payees(
    payees: pa.Table,
    partners: Sequence[Partner] = (),
    overrides: Overrides | None = None,
    *,
    related: Iterable[tuple[str, str]] | None = None,
    model: NameModel | None = None,
    threshold_match_weight: float | None = None,
    report: Step | None = None,
) -> Register:
    """Return the register of suppliers for payee rows (columns of ``PAYEE_SCHEMA``).

    The work runs in the linker's in-process DuckDB (:func:`engine.kernel`), so the
    register depends on the payee rows only, not on the engine they came from.
    ``partners`` give the districts that decide where local institutions may match
    (``related`` overrides them) and name partners that are public bodies; ``model``
    and ``threshold_match_weight`` default to the shipped Splink model.
    """
    model = model or load_model()
    timings: dict[str, float] = {}
    with kernel() as con:
        with _timed(timings, "members", report):
            put(con, "payee_rows", payees.select(PAYEE_SCHEMA.names).cast(PAYEE_SCHEMA))
            run(con, "CREATE OR REPLACE TEMP TABLE members AS " + members_sql("payee_rows"))
            pairs = sorted(set(related if related is not None else related_partners(partners)))
            put(
                con,
                "related",
                pa.table(
                    {"p": [p for p, _ in pairs], "q": [q for _, q in pairs]},
                    schema=pa.schema([("p", pa.string()), ("q", pa.string())]),
                ),
            )
        with _timed(timings, "names", report):
            put(con, "public_ref_names", _public_reference(partners))
            run(
                con,
                "CREATE OR REPLACE TEMP TABLE public_ref AS SELECT name_key, "
                f"min(body_type) AS body_type FROM ({normalise_sql('public_ref_names')}) "
                "GROUP BY name_key",
            )
            graph.classify_names(con)
            graph.assign_roles(con)
            run(
                con,
                "CREATE OR REPLACE TEMP TABLE member_ids AS "
                + member_identifiers_sql("payee_rows", "members"),
            )
            graph.attach_members(con)
        threshold = (
            model.threshold_match_weight
            if threshold_match_weight is None
            else threshold_match_weight
        )
        with _timed(timings, "splink", report):
            names_compared = _splink(con, model, threshold - REVIEW_MARGIN)
        with _timed(timings, "evidence", report):
            graph.build_edges(con, "name_edges" if names_compared else None, threshold)
            warnings = apply_overrides(con, overrides or Overrides())
        with _timed(timings, "clusters", report):
            graph.cluster(con)
            build_register_tables(con)
            register = Register(
                suppliers=query(con, "SELECT * FROM out_suppliers ORDER BY supplier_id"),
                members=query(
                    con,
                    "SELECT * FROM out_members "
                    "ORDER BY supplier_id, payments DESC, partner, raw_name NULLS LAST",
                ),
                links=query(
                    con,
                    "SELECT * FROM out_links ORDER BY supplier_id_a, rule, partner_a, "
                    "raw_name_a, partner_b, raw_name_b, supplier_id_b, detail",
                ),
                warnings=warnings,
                timings=timings,
            )
    return register


def _splink(con: Any, model: NameModel, threshold: float) -> bool:
    """Run Splink over the distinct names; return False when there are too few to compare."""
    run(con, "CREATE OR REPLACE TEMP TABLE splink_keys AS " + graph.splink_keys_sql())
    if scalar(con, "SELECT count(*) FROM splink_keys") < 2:
        return False
    names, rows = background_frequencies()
    put(con, "background", pa.table({"t": [r[0] for r in rows], "df": [r[1] for r in rows]}))
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE splink_records AS "
        + records_sql("splink_keys", "background", names),
    )
    predict(con, "splink_records", model, threshold)
    return True


def link(ws: Workspace, report: Step | None = None) -> Register:
    """Link the workspace's payees into the supplier register and write its tables.

    Writes ``suppliers``, ``supplier_members`` and ``supplier_links`` to the warehouse,
    and a commented ``supplier_overrides.toml`` if the workspace has none, and records
    the run (:mod:`totalplace.stages`). Raises OverridesError when the overrides file is
    invalid (nothing is written then).
    """
    overrides_path = ws.root / OVERRIDES_FILE
    overrides = read_overrides(overrides_path, [p.slug for p in ws.partners])
    con = warehouse.connect(ws)
    try:
        payees = load_payees(con)  # aggregated by the warehouse's engine
        register = link_payees(payees, ws.partners, overrides, report=report)
        with _timed(register.timings, "write", report), warehouse.transaction(con):
            warehouse.replace_table(con, "suppliers", register.suppliers)
            warehouse.replace_table(con, "supplier_members", register.members)
            warehouse.replace_table(con, "supplier_links", register.links)
        write_template(overrides_path)  # before the run is recorded: the file is one of its inputs
        stages.record(con, ws, "link")
    finally:
        con.disconnect()
    return register
