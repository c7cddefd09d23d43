"""Read the worksheets of an XLSX, XLS or ODS workbook into raw sheets (with calamine).

Cells become text as a person sees them (dates in ISO form, floats exactly), and each
worksheet's rows are counted from A1, empty leading rows and columns included, so row
numbers match the spreadsheet's.
"""

from __future__ import annotations

import html
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.safety import check_archive, check_sheet_size, check_xlsx_sheets, open_zip
from totalplace.ingest.sheets import RawSheet, Reading, mark_long_cells


def _cell_text(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _column_text(values: tuple[object, ...]) -> pa.Array:
    """Return one column of spreadsheet values as text, as :func:`_cell_text` makes it."""
    kinds = set(map(type, values)) - {type(None)}
    if kinds <= {str}:  # the common columns, converted by Arrow: only '' needs care (no value)
        text = pa.array(values, pa.string())
        return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)
    if kinds == {float}:
        return pa.array([None if v is None else repr(v) for v in values], pa.string())
    return pa.array(list(map(_cell_text, values)), pa.string())


_UNOPENED = (
    "It may be damaged or password-protected: open it in a spreadsheet program and save a copy."
)
_UNREAD = "It may be damaged: open it in a spreadsheet program and save a copy."


@contextmanager
def _calamine_errors(name: str, what: str, advice: str) -> Iterator[None]:
    """Turn any error calamine raises (its own types, per format) into an ImportProblem."""
    try:
        yield
    except ImportProblem:
        raise
    except Exception as exc:
        raise ImportProblem(name, f"{what} ({exc})", advice) from exc


def read_spreadsheet(
    name: str, data: bytes, fmt: str, reading: Reading | None = None
) -> list[RawSheet]:
    """Return one raw sheet per worksheet of an XLSX, XLS or ODS workbook (empty sheets too).

    An XLSX or ODS is a ZIP: its unpacked size and ratio, and (XLSX) each worksheet's
    declared and real extent, are checked against the limits before calamine reads it.
    """
    from python_calamine import CalamineWorkbook

    reading = reading or Reading()
    limits = reading.limits
    if fmt in ("xlsx", "ods"):
        with open_zip(name, data) as zf:
            check_archive(name, zf, reading.spent, 0)
            if fmt == "xlsx":
                check_xlsx_sheets(name, zf, limits)
    with _calamine_errors(name, f"the {fmt.upper()} workbook cannot be opened", _UNOPENED):
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    declared = _xlsx_declared_heights(data) if fmt == "xlsx" else {}
    sheets = []
    for sheet_name in workbook.sheet_names:
        with _calamine_errors(
            name, f"the {fmt.upper()} worksheet {sheet_name!r} cannot be read", _UNREAD
        ):
            sheet = workbook.get_sheet_by_name(sheet_name)
            start = sheet.start or (0, 0)
            height, width = start[0] + sheet.height, start[1] + sheet.width
            check_sheet_size(name, repr(sheet_name), height, width, limits)
            table = _sheet_table(sheet.iter_rows(), start, declared.get(sheet_name, 0))
        table = mark_long_cells(table, [c for c in table.column_names if c[1:].isdigit()], limits)
        sheets.append(RawSheet(name, sheet_name, table, fmt))
    return sheets


#: Rows of a worksheet turned into Arrow at a time, so Python holds one chunk's values.
_SHEET_CHUNK = 65_536


def _sheet_table(rows: Iterator[Any], start: tuple[int, int], declared: int) -> pa.Table:
    """Return a worksheet's rows (from A1, as a person sees them) as a table of text cells.

    calamine's rows begin at the first cell used (``start``); the empty rows and
    columns before it are put back, and trailing rows that are formatted but empty
    still count as rows of the source (a person scrolling the sheet sees them).
    """
    first_row, first_col = start
    chunks: list[tuple[int, list[pa.Array]]] = []
    while chunk := list(itertools.islice(rows, _SHEET_CHUNK)):
        # zip_longest turns the rows into columns (short rows padded with None) in C.
        columns = itertools.zip_longest(*chunk, fillvalue=None)
        chunks.append((len(chunk), [_column_text(values) for values in columns]))
    count = sum(n for n, _ in chunks)
    width = first_col + max((len(c) for _, c in chunks), default=0)
    total = max(first_row + count, declared)
    table: dict[str, pa.ChunkedArray] = {}
    for i in range(width):
        k = i - first_col
        pieces = [pa.nulls(first_row, pa.string())]
        pieces += [c[k] if 0 <= k < len(c) else pa.nulls(n, pa.string()) for n, c in chunks]
        pieces.append(pa.nulls(total - first_row - count, pa.string()))
        table[f"c{i}"] = pa.chunked_array(pieces, pa.string())
    table["_row"] = pa.chunked_array([np.arange(1, total + 1, dtype=np.int64)])
    table["_overflow"] = pa.chunked_array([pa.nulls(total, pa.string())])
    return pa.table(table)


def _xlsx_declared_heights(data: bytes) -> dict[str, int]:
    """Return sheet name -> last row number declared by the sheet's <dimension> element."""
    heights: dict[str, int] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            book = zf.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = zf.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = dict(re.findall(r'<Relationship[^>]*Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
            targets.update(
                {
                    rid: t
                    for t, rid in re.findall(
                        r'<Relationship[^>]*Target="([^"]+)"[^>]*Id="([^"]+)"', rels
                    )
                }
            )
            for tag in re.findall(r"<sheet\b[^>]*>", book):
                name = re.search(r'name="([^"]*)"', tag)
                rid = re.search(r'r:id="([^"]*)"', tag)
                if not name or not rid or rid.group(1) not in targets:
                    continue
                target = targets[rid.group(1)].lstrip("/")
                path = target if target.startswith("xl/") else f"xl/{target}"
                with zf.open(path) as fh:
                    head = fh.read(4096).decode("utf-8", "replace")
                dim = re.search(r'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"', head)
                if dim and dim.group(1):
                    heights[html.unescape(name.group(1))] = int(dim.group(1))
    except (KeyError, zipfile.BadZipFile):
        return {}
    return heights
