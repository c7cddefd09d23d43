"""Turn the bytes of a published file into raw sheets of text cells.

Every reader returns :class:`RawSheet` objects: all cells as text (or null), in
columns ``c0 … cN``, with ``_row`` the 1-based record number in the sheet, so each
fact can be traced back to the line a person would find in the original. Readers
are registered by format in :data:`READERS`; a new layout needs a reader here or a
profile, never a change to the cleaning or storing code.
"""

from __future__ import annotations

import csv
import html
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from totalplace.ingest.encoding import decode_text
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.safety import (
    Budget,
    check_archive,
    check_sheet_size,
    check_xlsx_sheets,
    limit_advice,
    open_zip,
    read_member,
)
from totalplace.limits import DEFAULT_LIMITS, Limits


@dataclass
class RawSheet:
    """Text cells of one sheet (or one CSV) before any interpretation."""

    file: str
    sheet: str | None
    table: pa.Table
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def n_rows(self) -> int:
        """Return the number of records read, header and blank lines included."""
        return self.table.num_rows


def detect_format(name: str, data: bytes) -> str:
    """Return 'zip', 'xlsx', 'ods', 'xls' or 'csv' from the bytes, whatever the file is called."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                if "[Content_Types].xml" in names:
                    return "xlsx"
                if "mimetype" in names:
                    with zf.open("mimetype") as fh:  # a few bytes, whatever it claims
                        if b"opendocument.spreadsheet" in fh.read(256):
                            return "ods"
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, RuntimeError) as exc:
            raise ImportProblem(
                name, "the file looks like a ZIP or XLSX but is damaged", "Download it again."
            ) from exc
        return "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    return "csv"


# 4 bytes at most per character, so this many bytes hold 262,144 characters even when
# decoding drops a character cut at the end.
_HEAD_BYTES = (1 << 20) + 4


def _head(data: bytes) -> str:
    """Return the start of UTF-8 text: its first 262,144 characters at least (or all of it)."""
    return data[:_HEAD_BYTES].decode("utf-8", errors="ignore")


def _count_byte(data: bytes, byte: int) -> int:
    if data.find(bytes([byte])) < 0:  # memchr: fast when absent, the usual case
        return 0
    view = np.frombuffer(data, dtype=np.uint8)
    step = 1 << 24  # in chunks, so the comparison never holds a file-sized array
    return sum(int(np.count_nonzero(view[i : i + step] == byte)) for i in range(0, len(view), step))


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.replace("\r\n", "\n").replace("\r", "\n").split("\n")[:200] if ln]
    best, best_score = ",", -1.0
    for delim in (",", ";", "\t", "|"):
        counts = [ln.count(delim) for ln in lines]
        if not counts or max(counts) == 0:
            continue
        # Favour a delimiter that appears the same number of times on most lines.
        modal = max(set(counts), key=counts.count)
        score = counts.count(modal) * (1 if modal else 0) + modal / 100
        if score > best_score:
            best, best_score = delim, score
    return best


@dataclass
class Reading:
    """What reading one input file may use (its limits) and has used (over nested archives)."""

    limits: Limits = DEFAULT_LIMITS
    budget: Budget | None = None
    depth: int = 0  # ZIP archives around the bytes being read

    def __post_init__(self) -> None:
        if self.budget is None:
            self.budget = Budget(self.limits)

    @property
    def spent(self) -> Budget:
        """Return the budget (made in __post_init__)."""
        assert self.budget is not None
        return self.budget


def read_csv_text(
    name: str, data: bytes, encoding: str, limits: Limits = DEFAULT_LIMITS
) -> RawSheet:
    """Return one raw sheet from CSV text (UTF-8 bytes): any delimiter, CR/LF/CRLF, ragged rows kept."""
    head = _head(data)
    if not head.strip() and (len(data) <= _HEAD_BYTES or not data.decode("utf-8").strip()):
        raise ImportProblem(
            name,
            "the file is empty (no rows at all)",
            "The publisher's download probably failed: download it again.",
        )
    if "\x00" in head[:65536]:
        raise ImportProblem(
            name,
            "the file is binary, not a CSV or spreadsheet this tool can read",
            "Check it is the spending file you meant; export it as CSV or XLSX and import that.",
        )
    delimiter = _sniff_delimiter(head[:65536])
    # An odd number of quote marks may mean a quoted cell is never closed.
    quotes = _count_byte(data, ord('"'))
    ends_in_quotes = quotes % 2 == 1 and _ends_inside_quotes(name, data.decode("utf-8"), delimiter)
    try:
        sample_rows = list(
            csv.reader(
                io.StringIO(head[:262144].replace("\r\n", "\n").replace("\r", "\n")),
                delimiter=delimiter,
            )
        )
    except csv.Error as exc:
        raise ImportProblem(
            name,
            f"the CSV cannot be parsed ({exc})",
            "A quote mark may be out of place, or the file is not a CSV: export it afresh.",
        ) from exc
    width = max([len(r) for r in sample_rows[:-1] or sample_rows] + [1])  # a blank first line has 0
    _check_width(name, width, limits)
    names = [f"c{i}" for i in range(width)]
    try:
        # Parse on all threads first; ragged rows (or an error) are rare and need record
        # numbers, which only a single-threaded parse reports, so then parse again that way.
        table, odd = _parse_csv(data, names, delimiter, threads=True)
        if odd:
            table, odd = _parse_csv(data, names, delimiter, threads=False)
    except pa.ArrowInvalid:
        try:
            table, odd = _parse_csv(data, names, delimiter, threads=False)
        except pa.ArrowInvalid as exc:
            raise ImportProblem(
                name,
                f"the CSV cannot be parsed ({exc})",
                "The file may be truncated or not a CSV: download it again or export it afresh.",
            ) from exc
    total = table.num_rows + len(odd)
    odd_numbers = {n for n, _ in odd}
    rows = np.arange(1, total + 1, dtype=np.int64)
    if odd:  # the ragged rows, parsed below, are put back in place by number
        rows = np.delete(rows, [n - 1 for n in odd_numbers if 1 <= n <= total])
    rows = pa.array(rows)
    table = table.append_column("_row", rows)
    table = table.append_column("_overflow", pa.nulls(table.num_rows, pa.string()))
    # Each record's own field count, and a ragged record's own cells: ingest/ragged.py
    # later compares them with the header's, once the header is known.
    table = table.append_column("_fields", pa.array(np.full(table.num_rows, width, np.int32)))
    table = table.append_column("_cells", pa.nulls(table.num_rows, pa.list_(pa.string())))
    if odd:
        table = pa.concat_tables([table, _ragged_rows(odd, names, delimiter)]).sort_by("_row")
    if quotes:  # only a quoted cell can span lines
        _refuse_swallowed_rows(name, table, names, delimiter)
    table = mark_long_cells(table, names, limits)
    sheet = RawSheet(name, None, table, "csv", encoding=encoding, delimiter=delimiter)
    if ends_in_quotes:
        sheet.notes.append("truncated")
    elif not data.endswith((b"\n", b"\r")) and odd and max(odd_numbers) == total:
        last = next(t for n, t in odd if n == total)
        if len(next(csv.reader([last], delimiter=delimiter), [])) < width:
            sheet.notes.append("truncated")
    return sheet


def _parse_csv(
    data: bytes, names: list[str], delimiter: str, threads: bool
) -> tuple[pa.Table, list[tuple[int, str]]]:
    """Return the well-formed records as a table of text, and (record number, text) of the others."""
    odd: list[tuple[int, str]] = []

    def keep_odd(row: pacsv.InvalidRow) -> str:
        odd.append((row.number or 0, row.text))
        return "skip"

    table = pacsv.read_csv(
        pa.BufferReader(data),
        read_options=pacsv.ReadOptions(column_names=names, use_threads=threads, block_size=1 << 22),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter,
            ignore_empty_lines=False,
            newlines_in_values=True,
            invalid_row_handler=keep_odd,
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            null_values=[""],
            check_utf8=False,  # decode_text has validated or produced it
        ),
    )
    return table, odd


def _refuse_swallowed_rows(name: str, table: pa.Table, names: list[str], delimiter: str) -> None:
    """Raise ImportProblem if a cell spans lines that look like whole rows of the file.

    A stray quote mark opens a quoted cell that runs on to the next quote, however far
    away: the rows in between would silently vanish into that one cell.
    """
    if len(names) < 3:
        return
    line = f"[^\\r\\n]*(?:{re.escape(delimiter)}[^\\r\\n]*){{{max(len(names) - 1, 3)}}}"
    for column in names:
        cells = table.column(column)
        if not any(pc.any(pc.match_substring(cells, end)).as_py() for end in ("\n", "\r")):
            continue
        swallowed = pc.match_substring_regex(cells, f"[\\r\\n]{line}")
        if pc.any(swallowed).as_py():
            index = pc.index(swallowed, True).as_py()
            row = table.column("_row")[index].as_py()
            raise ImportProblem(
                name,
                f"the quoted cell in row {row} runs over several lines that look like whole rows "
                f"({cells[index].as_py()[:80]!r}), so a quote mark is probably out of place",
                "Remove the stray quote mark, or export the file afresh.",
            )


_END = "\x1etotalplace-end\x1e"


def _ends_inside_quotes(name: str, text: str, delimiter: str) -> bool:
    """Return whether the text stops inside a quoted cell begun on its last line (a cut file).

    Raises ImportProblem when the open quote began on an earlier line: the rest of the
    file would silently be read as one cell.
    """
    last: list[str] = []
    try:
        for row in csv.reader(io.StringIO(f"{text}\n{_END}\n", newline=""), delimiter=delimiter):
            last = row
    except csv.Error:  # a cell longer than the csv module allows: a quote swallowed the rest
        last = [f"\n\n{_END}"]
    cell = next((c for c in last if _END in c), None)
    if cell is None or last == [_END]:
        return False
    partial = cell[: cell.find(_END) - 1]  # without the line break added above
    if "\n" in partial or "\r" in partial:
        begins = f" (it begins {partial[:60]!r})" if partial.strip() else ""
        raise ImportProblem(
            name,
            "a quote mark opens a cell that is never closed, so the rest of the file would be read "
            f"as one cell{begins}",
            "Remove the stray quote mark, or export the file afresh.",
        )
    return True


def _ragged_rows(odd: list[tuple[int, str]], names: list[str], delimiter: str) -> pa.Table:
    # Rows with too few or too many cells: few, so parse them one by one and keep
    # extra cells in an overflow column rather than drop them.
    columns: dict[str, list[str | None]] = {n: [] for n in names}
    overflow: list[str | None] = []
    records: list[list[str]] = []
    for _, text in odd:
        cells = next(csv.reader([text], delimiter=delimiter), [])
        records.append(cells)
        for i, n in enumerate(names):
            value = cells[i] if i < len(cells) else None
            columns[n].append(value if value != "" else None)
        extra = [c for c in cells[len(names) :] if c.strip()]
        overflow.append(delimiter.join(cells[len(names) :]) if extra else None)
    arrays = {n: pa.array(v, pa.string()) for n, v in columns.items()}
    arrays["_row"] = pa.array([n for n, _ in odd], pa.int64())
    arrays["_overflow"] = pa.array(overflow, pa.string())
    arrays["_fields"] = pa.array([len(r) for r in records], pa.int32())
    arrays["_cells"] = pa.array(records, pa.list_(pa.string()))
    return pa.table(arrays)


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
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # calamine raises its own error types per format
        raise ImportProblem(
            name,
            f"the {fmt.upper()} workbook cannot be opened ({exc})",
            "It may be damaged or password-protected: open it in a spreadsheet program and save a copy.",
        ) from exc
    declared = _xlsx_declared_heights(data) if fmt == "xlsx" else {}
    sheets = []
    for sheet_name in workbook.sheet_names:
        try:
            sheet = workbook.get_sheet_by_name(sheet_name)
            start = sheet.start or (0, 0)
            height, width = start[0] + sheet.height, start[1] + sheet.width
            check_sheet_size(name, repr(sheet_name), height, width, limits)
            table = _sheet_table(sheet.iter_rows(), start, declared.get(sheet_name, 0))
        except ImportProblem:
            raise
        except Exception as exc:  # calamine raises its own error types per format
            raise ImportProblem(
                name,
                f"the {fmt.upper()} worksheet {sheet_name!r} cannot be read ({exc})",
                "It may be damaged: open it in a spreadsheet program and save a copy.",
            ) from exc
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


def read_zip(name: str, data: bytes, reading: Reading | None = None) -> list[RawSheet]:
    """Return the raw sheets of every CSV or spreadsheet inside a ZIP archive.

    Archives inside it are read too, up to the limits' depth; the members' unpacked
    size is counted against the limits as they are read.
    """
    reading = reading or Reading()
    inner_reading = Reading(reading.limits, reading.budget, reading.depth + 1)
    sheets: list[RawSheet] = []
    with open_zip(name, data) as zf:
        check_archive(name, zf, reading.spent, reading.depth + 1)
        members = [
            m for m in zf.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")
        ]
        for member in members:
            inner = read_member(name, zf, member, reading.spent)
            for sheet in read_bytes(f"{name}!{member.filename}", inner, inner_reading):
                sheet.file = name
                sheet.sheet = (
                    member.filename if sheet.sheet is None else f"{member.filename}!{sheet.sheet}"
                )
                sheets.append(sheet)
    if not sheets:
        raise ImportProblem(
            name, "the ZIP archive holds no files", "Check you downloaded the right archive."
        )
    return sheets


def _read_csv_bytes(name: str, data: bytes, reading: Reading) -> list[RawSheet]:
    utf8, encoding = decode_text(name, data)
    return [read_csv_text(name, utf8, encoding, reading.limits)]


READERS: dict[str, Callable[[str, bytes, Reading], list[RawSheet]]] = {
    "csv": _read_csv_bytes,
    "xlsx": lambda n, d, r: read_spreadsheet(n, d, "xlsx", r),
    "xls": lambda n, d, r: read_spreadsheet(n, d, "xls", r),
    "ods": lambda n, d, r: read_spreadsheet(n, d, "ods", r),
    "zip": read_zip,
}


def read_bytes(name: str, data: bytes, reading: Reading | Limits | None = None) -> list[RawSheet]:
    """Return the raw sheets of a file's bytes, choosing the reader by content, within limits."""
    if not isinstance(reading, Reading):
        reading = Reading(reading or DEFAULT_LIMITS)
    if not data:
        raise ImportProblem(
            name,
            "the file is empty (0 bytes)",
            "The publisher's download probably failed: download it again.",
        )
    return READERS[detect_format(name, data)](name, data, reading)


def _check_width(name: str, width: int, limits: Limits) -> None:
    if width > limits.max_columns:
        raise ImportProblem(
            name,
            f"the file has {width:,} columns, over the limit max_columns = {limits.max_columns}",
            limit_advice("max_columns", limits.max_columns),
        )


def mark_long_cells(table: pa.Table, names: list[str], limits: Limits) -> pa.Table:
    """Return the table with rows holding a cell over max_cell_chars marked for quarantine.

    The row's other cells are fine, so only it is set aside (with the reason), not the file.
    """
    cap = limits.max_cell_chars
    long_rows: pa.ChunkedArray | None = None
    for n in names:
        lengths = pc.utf8_length(table.column(n))
        if (pc.max(lengths).as_py() or 0) > cap:
            over = pc.fill_null(pc.greater(lengths, cap), False)
            long_rows = over if long_rows is None else pc.or_(long_rows, over)
    if long_rows is None:
        return table
    reason = (
        f"a cell holds more than {cap:,} characters, over the limit max_cell_chars = {cap} "
        "(raise [limits] max_cell_chars in place.toml if the file is genuine)"
    )
    problem = pc.if_else(long_rows, reason, pa.scalar(None, pa.string()))
    return table.append_column("_problem", problem).append_column(
        "_problem_amount", pa.nulls(table.num_rows, pa.decimal128(18, 2))
    )


def iter_cells(sheet: RawSheet, limit: int) -> Iterator[list[str | None]]:
    """Yield the first ``limit`` rows of a sheet as lists of cells (for header search)."""
    cols = [c for c in sheet.table.column_names if c.startswith("c")]
    head = sheet.table.slice(0, limit).select(cols).to_pylist()
    for row in head:
        yield [row[c] for c in cols]
