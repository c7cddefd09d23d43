"""Read CSV text into one raw sheet: any delimiter, CR/LF/CRLF, ragged rows kept.

Arrow parses the file on all threads; the few records with too few or too many cells
are parsed again one by one and put back in place by record number, and a stray
quote mark that would swallow rows (or the rest of the file) is refused.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.sheets import RawSheet, check_width, mark_long_cells
from totalplace.limits import DEFAULT_LIMITS, Limits

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
    check_width(name, width, limits)
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
