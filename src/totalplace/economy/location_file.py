"""The supplier-location file a user fills in: read and checked, or written as a template.

``supplier_locations.csv`` beside ``place.toml`` says where suppliers are. Each row
names a supplier by ``supplier_id`` (the register's id from ``totalplace link``) or by
``supplier`` (the name as paid; matched case- and punctuation-blind), and gives one of
``postcode``, ``district`` (an ONS local authority district code) or ``local``
(yes/no). Other columns (spend, partners, the published postcode, notes) are there to
help the person filling it in and are ignored. A row with no location is skipped.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from totalplace.economy.postcodes import normalise_postcodes
from totalplace.errors import BadInputError
from totalplace.reference import codes_of_kind
from totalplace.report import neutralise_table

__all__ = [
    "LOCATION_FILE",
    "TEMPLATE_COLUMNS",
    "SupplierLocationError",
    "read_location_file",
    "write_template",
]

LOCATION_FILE = "supplier_locations.csv"
#: The columns the template writes: who the supplier is, what helps to place it, then the cells to fill.
TEMPLATE_COLUMNS = (
    "supplier_id",
    "supplier",
    "partners",
    "spend",
    "published_postcode",
    "postcode",
    "district",
    "local",
    "note",
)
_YES = ("yes", "y", "true", "1", "local")
_NO = ("no", "n", "false", "0", "not local")


class SupplierLocationError(BadInputError):
    """A supplier-location file that cannot be used; the message names the file, line and fix."""


def _column(table: pa.Table, name: str) -> pa.ChunkedArray:
    if name in table.column_names:
        return pc.utf8_trim_whitespace(pc.cast(table.column(name), pa.string()))
    return pa.chunked_array([pa.nulls(table.num_rows, pa.string())])


def _blank_to_null(values: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _first_bad(path: Path, bad: pa.ChunkedArray | pa.Array, lines: pa.Array, message: str) -> None:
    """Raise SupplierLocationError for the first row where ``bad`` is true (message formats {line} and {value})."""
    hits = pc.indices_nonzero(pc.fill_null(bad, False))
    if len(hits):
        line = lines[hits[0].as_py()].as_py()
        raise SupplierLocationError(f"{path}, line {line}: {message.format(line=line)}")


def read_location_file(path: Path) -> pa.Table:
    """Return the file's located rows: line, supplier_id, supplier, postcode, district, local (bool).

    Postcodes are normalised ('bb51rt' -> 'BB5 1RT'), district codes upper-cased.
    Raises SupplierLocationError naming the file and line for a row with a location but
    no supplier, a postcode that is not a full UK postcode, an unknown district code,
    a ``local`` that is not yes or no, or a file without the columns it needs.
    """
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf-8-sig"),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False, column_types={}, auto_dict_encode=False
            ),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise SupplierLocationError(
            f"{path}: cannot be read as CSV ({exc}); save it as CSV (UTF-8) with a header row"
        ) from exc
    table = table.rename_columns([c.strip().lower() for c in table.column_names])
    if not {"supplier_id", "supplier"} & set(table.column_names):
        raise SupplierLocationError(
            f"{path}: needs a 'supplier' column (the name as paid) or a 'supplier_id' column "
            f"(from 'totalplace link'); its columns are {', '.join(table.column_names)}. "
            "'totalplace economy --template FILE' writes one to fill in"
        )
    if not {"postcode", "district", "local"} & set(table.column_names):
        raise SupplierLocationError(
            f"{path}: needs at least one of the columns 'postcode', 'district' or 'local'; "
            f"its columns are {', '.join(table.column_names)}"
        )
    lines = pa.array(range(2, table.num_rows + 2), pa.int64())  # line 1 is the header
    supplier_id = _blank_to_null(_column(table, "supplier_id"))
    supplier = _blank_to_null(_column(table, "supplier"))
    raw_postcode = _blank_to_null(_column(table, "postcode"))
    district = _blank_to_null(pc.utf8_upper(_column(table, "district")))
    local_text = _blank_to_null(pc.utf8_lower(_column(table, "local")))
    located = pc.or_(
        pc.or_(pc.is_valid(raw_postcode), pc.is_valid(district)), pc.is_valid(local_text)
    )
    nameless = pc.and_(located, pc.and_(pc.is_null(supplier_id), pc.is_null(supplier)))
    _first_bad(
        path,
        nameless,
        lines,
        "a location but no supplier: fill in 'supplier' (the name as paid) or 'supplier_id'",
    )
    postcode = normalise_postcodes(raw_postcode)
    _first_bad(
        path,
        pc.and_(pc.is_valid(raw_postcode), pc.is_null(postcode)),
        lines,
        "the postcode is not a full UK postcode (like BB5 1RT); correct it or leave it blank",
    )
    known = pa.array(sorted(codes_of_kind("district")), pa.string())
    _first_bad(
        path,
        pc.and_(pc.is_valid(district), pc.invert(pc.is_in(district, known))),
        lines,
        "the district is not an ONS local authority district code (like E07000120); "
        "correct it or leave it blank",
    )
    yes = pc.is_in(local_text, pa.array(_YES))
    no = pc.is_in(local_text, pa.array(_NO))
    _first_bad(
        path,
        pc.and_(pc.is_valid(local_text), pc.invert(pc.or_(yes, no))),
        lines,
        "'local' must be yes or no (or blank)",
    )
    local = pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))
    out = pa.table(
        {
            "line": lines,
            "supplier_id": supplier_id,
            "supplier": supplier,
            "postcode": postcode,
            "district": district,
            "local": local,
        }
    )
    return out.filter(located)


def write_template(suppliers: pa.Table, path: Path) -> Path:
    """Write ``suppliers`` (a row per supplier, largest spend first) as a file to fill in; return the path.

    ``suppliers`` holds supplier_id, supplier, partners, spend, published_postcode;
    the location cells (postcode, district, local, note) are left empty.
    """
    n = suppliers.num_rows
    empty = pa.array([""] * n, pa.string())
    table = pa.table(
        {
            "supplier_id": suppliers.column("supplier_id"),
            "supplier": suppliers.column("supplier"),
            "partners": suppliers.column("partners"),
            "spend": suppliers.column("spend"),
            "published_postcode": suppliers.column("published_postcode"),
            "postcode": empty,
            "district": empty,
            "local": empty,
            "note": empty,
        }
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(neutralise_table(table), path)
    return path
