"""Where each supplier is: from the user's file, else the postcode its payer published, else unknown.

One row per supplier (the register's supplier where ``totalplace link`` has run, else
the payee name as paid, case- and punctuation-blind), with its district, whether it is
in the place (``local`` / ``not local`` / ``unknown``), and the method, confidence and
source of that answer. The user's file wins over a published postcode (it is the more
specific statement); within the file a ``local`` yes/no wins over a district, a
district over a postcode. Nothing is guessed: a supplier without evidence is unknown.
All of it is vectorised over Arrow (hash joins and pyarrow.compute).
"""

from __future__ import annotations

from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.count.transfers import payee_key
from totalplace.economy.postcodes import normalise_postcodes, place_postcodes
from totalplace.extent import Extent

__all__ = [
    "LOCAL",
    "NOT_LOCAL",
    "UNKNOWN",
    "STATUSES",
    "locate_suppliers",
    "supplier_table",
]

LOCAL = "local"
NOT_LOCAL = "not local"
UNKNOWN = "unknown"
STATUSES = (LOCAL, NOT_LOCAL, UNKNOWN)

_STR = pa.string()


def supplier_table(lines: ir.Table) -> ir.Table:
    """Return one row per supplier of the supplier-spend ``lines``, largest spend first.

    Columns: supplier_ref, supplier_id, supplier, partners, lines, spend (ledger),
    published_postcode (as published; the smallest where a supplier has several).
    """
    named = lines.filter(lines.supplier_ref.notnull())
    postcode = named.supplier_postcode.strip()
    return (
        named.group_by("supplier_ref")
        .aggregate(
            supplier_id=named.supplier_id.max(),
            supplier=named.supplier_name_canonical.max().coalesce(named.supplier_name.min()),
            partners=named.partner.nunique(),
            lines=named.count(),
            spend=named.amount.sum().cast("decimal(18,2)"),
            published_postcode=ibis.ifelse(postcode == "", ibis.null(), postcode).min(),
        )
        .order_by([ibis.desc("spend"), "supplier_ref"])
    )


def member_keys(lines: ir.Table) -> ir.Table:
    """Return the distinct (supplier_ref, payee_key) of the named supplier-spend lines."""
    named = lines.filter(lines.supplier_ref.notnull() & lines.payee_key.notnull())
    return named.select("supplier_ref", "payee_key").distinct()


def file_keys(con: Any, rows: pa.Table) -> pa.Table:
    """Return the file rows' (payee_key, line) for rows naming a supplier: keyed as payees are, in the engine."""
    named = rows.filter(pc.is_valid(rows.column("supplier"))).select(["supplier", "line"])
    t = ibis.memtable(named)
    return con.to_pyarrow(t.select(payee_key=payee_key(t.supplier), line=t.line))


def _pick(choices: list[tuple[Any, Any]], default: Any) -> Any:
    """Return, per row, the value of the first choice whose condition holds, else ``default``."""
    result = default
    for condition, value in reversed(choices):
        result = pc.if_else(pc.fill_null(condition, False), value, result)
    return result


def _strings(n: int, value: str | None) -> pa.Array:
    return pa.array([value] * n, _STR)


def locate_suppliers(
    suppliers: pa.Table,
    members: pa.Table,
    file_rows: pa.Table | None,
    file_keyed: pa.Table | None,
    file_name: str,
    known: pa.Table,
    place: Extent,
) -> pa.Table:
    """Return ``suppliers`` with district, status, method, confidence and source of each location.

    ``members`` is :func:`member_keys` as Arrow; ``file_rows`` the user's located rows
    (:func:`~totalplace.economy.location_file.read_location_file`) and ``file_keyed``
    their :func:`file_keys`; ``known`` the postcode look-up
    (:func:`~totalplace.economy.postcodes.lookup_table`).
    """
    n = suppliers.num_rows
    order = pa.array(range(n), pa.int64())
    s = suppliers.append_column("_order", order)
    if file_rows is not None and file_rows.num_rows:
        by_id = (
            file_rows.filter(pc.is_valid(file_rows.column("supplier_id")))
            .group_by("supplier_id")
            .aggregate([("line", "min")])
            .rename_columns(["supplier_id", "id_line"])
        )
        s = s.join(by_id, "supplier_id", join_type="left outer")
        assert file_keyed is not None
        by_name = (
            members.join(file_keyed, "payee_key", join_type="inner")
            .group_by("supplier_ref")
            .aggregate([("line", "min")])
            .rename_columns(["supplier_ref", "name_line"])
        )
        s = s.join(by_name, "supplier_ref", join_type="left outer")
        s = s.append_column("line", pc.coalesce(s.column("id_line"), s.column("name_line")))
        given = file_rows.select(["line", "postcode", "district", "local"]).rename_columns(
            ["line", "file_postcode", "file_district", "file_local"]
        )
        s = s.join(given, "line", join_type="left outer")
    else:
        s = s.append_column("line", pa.nulls(n, pa.int64()))
        for name, kind in (("file_postcode", _STR), ("file_district", _STR)):
            s = s.append_column(name, pa.nulls(n, kind))
        s = s.append_column("file_local", pa.nulls(n, pa.bool_()))
    s = s.sort_by("_order")
    published = normalise_postcodes(s.column("published_postcode"))
    by_file = place_postcodes(s.column("file_postcode"), known)
    by_pub = place_postcodes(published, known)
    line_text = pc.binary_join_element_wise(
        f"{file_name} line ", pc.cast(s.column("line"), _STR), ""
    )
    has_local = pc.is_valid(s.column("file_local"))
    has_district = pc.is_valid(s.column("file_district"))
    file_placed = pc.is_valid(by_file.column("lad_code"))
    file_unplaced = pc.and_(pc.is_valid(s.column("file_postcode")), pc.invert(file_placed))
    pub_placed = pc.is_valid(by_pub.column("lad_code"))
    pub_unplaced = pc.and_(pc.is_valid(published), pc.invert(pub_placed))
    cases = [has_local, has_district, file_placed, file_unplaced, pub_placed, pub_unplaced]
    district = _pick(
        list(
            zip(
                cases,
                [
                    s.column("file_district"),
                    s.column("file_district"),
                    by_file.column("lad_code"),
                    _strings(n, None),
                    by_pub.column("lad_code"),
                    _strings(n, None),
                ],
                strict=True,
            )
        ),
        _strings(n, None),
    )
    method = _pick(
        list(
            zip(
                cases,
                [
                    _strings(n, "local stated in the supplier-location file"),
                    _strings(n, "district stated in the supplier-location file"),
                    pc.binary_join_element_wise(
                        "postcode in the supplier-location file; ", by_file.column("method"), ""
                    ),
                    _strings(n, "postcode in the supplier-location file, not in the look-ups"),
                    pc.binary_join_element_wise(
                        "postcode published by the payer; ", by_pub.column("method"), ""
                    ),
                    _strings(n, "postcode published by the payer, not in the look-ups"),
                ],
                strict=True,
            )
        ),
        _strings(n, "no location given"),
    )
    confidence = _pick(
        list(
            zip(
                cases,
                [
                    _strings(n, "as stated"),
                    _strings(n, "as stated"),
                    by_file.column("confidence"),
                    _strings(n, None),
                    by_pub.column("confidence"),
                    _strings(n, None),
                ],
                strict=True,
            )
        ),
        _strings(n, None),
    )
    source = _pick(
        list(
            zip(
                cases,
                [
                    line_text,
                    line_text,
                    pc.binary_join_element_wise(line_text, by_file.column("source"), "; "),
                    line_text,
                    pc.binary_join_element_wise(
                        "the payers' spending files", by_pub.column("source"), "; "
                    ),
                    _strings(n, "the payers' spending files"),
                ],
                strict=True,
            )
        ),
        _strings(n, None),
    )
    whole = pa.array([d for d in place.districts if place.is_whole(d)], _STR)
    partly = pa.array([d for d in place.districts if not place.is_whole(d)], _STR)
    in_whole = pc.is_in(district, whole)
    in_part = pc.is_in(district, partly)
    status = _pick(
        [
            (pc.equal(s.column("file_local"), True), _strings(n, LOCAL)),
            (pc.equal(s.column("file_local"), False), _strings(n, NOT_LOCAL)),
            (in_whole, _strings(n, LOCAL)),
            (in_part, _strings(n, UNKNOWN)),
            (pc.is_valid(district), _strings(n, NOT_LOCAL)),
        ],
        _strings(n, UNKNOWN),
    )
    method = pc.if_else(
        pc.and_(pc.invert(has_local), in_part),
        pc.binary_join_element_wise(method, "district only partly in the place", "; "),
        method,
    )
    postcode = pc.coalesce(s.column("file_postcode"), published)
    return pa.table(
        {
            "supplier_ref": s.column("supplier_ref"),
            "supplier_id": s.column("supplier_id"),
            "supplier": s.column("supplier"),
            "partners": s.column("partners"),
            "lines": s.column("lines"),
            "spend": s.column("spend"),
            "postcode": postcode,
            "district": district,
            "status": status,
            "method": method,
            "confidence": confidence,
            "source": source,
        }
    )
