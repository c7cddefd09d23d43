"""``link``: resolve every payee of every partner into one register of suppliers.

Steps (each a SQL stage in an in-memory DuckDB fed by Arrow, so the warehouse may be
any Ibis backend): payees from the warehouse -> members (one per partner and payee
name) -> normalised names and kinds -> deterministic evidence (same name, VAT,
Companies House, charity numbers, supplier ids within a partner) -> Splink on the
distinct names -> the reviewer's overrides -> connected components -> the register.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from typing import Any

import duckdb
import pyarrow as pa

from totalplace import warehouse
from totalplace.link import graph
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
    threads: int | None = None,
) -> Register:
    """Return the register of suppliers for payee rows (columns of ``PAYEE_SCHEMA``).

    ``partners`` give the districts that decide where local institutions may match
    (``related`` overrides them) and name partners that are public bodies; ``model``
    and ``threshold_match_weight`` default to the shipped Splink model.
    """
    model = model or load_model()
    timings: dict[str, float] = {}
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # the command line has its own
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    try:
        with _timed(timings, "members", report):
            con.register("payee_input", payees.select(PAYEE_SCHEMA.names).cast(PAYEE_SCHEMA))
            con.execute("CREATE TEMP TABLE payee_rows AS SELECT * FROM payee_input")
            con.unregister("payee_input")
            con.execute("CREATE TEMP TABLE members AS " + members_sql("payee_rows"))
            pairs = list(related) if related is not None else related_partners(partners)
            con.register(
                "related_input",
                pa.table(
                    {"p": [p for p, _ in pairs], "q": [q for _, q in pairs]},
                    schema=pa.schema([("p", pa.string()), ("q", pa.string())]),
                ),
            )
            con.execute("CREATE TEMP TABLE related AS SELECT * FROM related_input")
        with _timed(timings, "names", report):
            con.register("public_input", _public_reference(partners))
            con.execute("CREATE TEMP TABLE public_ref_names AS SELECT * FROM public_input")
            con.unregister("public_input")
            con.execute(
                "CREATE TEMP TABLE public_ref AS SELECT name_key, min(body_type) AS body_type "
                f"FROM ({normalise_sql('public_ref_names')}) GROUP BY name_key"
            )
            graph.classify_names(con)
            graph.assign_roles(con)
            con.execute(
                "CREATE TEMP TABLE member_ids AS " + member_identifiers_sql("payee_rows", "members")
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
                suppliers=con.execute("SELECT * FROM out_suppliers").to_arrow_table(),
                members=con.execute("SELECT * FROM out_members").to_arrow_table(),
                links=con.execute("SELECT * FROM out_links").to_arrow_table(),
                warnings=warnings,
                timings=timings,
            )
    finally:
        con.close()
    return register


def _splink(con: duckdb.DuckDBPyConnection, model: NameModel, threshold: float) -> bool:
    """Run Splink over the distinct names; return False when there are too few to compare."""
    con.execute("CREATE TEMP TABLE splink_keys AS " + graph.splink_keys_sql())
    if con.execute("SELECT count(*) FROM splink_keys").fetchone()[0] < 2:  # type: ignore[index]
        return False
    names, rows = background_frequencies()
    con.register(
        "background_input",
        pa.table({"t": [r[0] for r in rows], "df": [r[1] for r in rows]}),
    )
    con.execute("CREATE TEMP TABLE background AS SELECT * FROM background_input")
    con.execute(
        "CREATE TEMP TABLE splink_records AS " + records_sql("splink_keys", "background", names)
    )
    predict(con, "splink_records", model, threshold)
    return True


def link(ws: Workspace, report: Step | None = None) -> Register:
    """Link the workspace's payees into the supplier register and write its tables.

    Writes ``suppliers``, ``supplier_members`` and ``supplier_links`` to the warehouse,
    and a commented ``supplier_overrides.toml`` if the workspace has none. Raises
    OverridesError when the overrides file is invalid (nothing is written then).
    """
    overrides_path = ws.root / OVERRIDES_FILE
    overrides = read_overrides(overrides_path, [p.slug for p in ws.partners])
    con = warehouse.connect(ws)
    try:
        payees = load_payees(con)
        register = link_payees(payees, ws.partners, overrides, report=report)
        with _timed(register.timings, "write", report), warehouse.transaction(con):
            warehouse.replace_table(con, "suppliers", register.suppliers)
            warehouse.replace_table(con, "supplier_members", register.members)
            warehouse.replace_table(con, "supplier_links", register.links)
    finally:
        con.disconnect()
    write_template(overrides_path)
    return register
