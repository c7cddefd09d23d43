"""Prepare a raw sheet for typing: find its header, map its columns and check them.

This is per-file work, done in the reading threads; the typing itself is one query
over many sheets (:mod:`clean`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from totalplace.ingest.columns import Mapping_
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.header_map import header_score, map_header
from totalplace.ingest.header_row import (
    HEADER_SEARCH_TOP,
    find_header,
    has_data,
)
from totalplace.ingest.label_fit import checked_mapping
from totalplace.ingest.meaning import ColumnProfile, confidence, describe_values, profile_columns
from totalplace.ingest.outcome import CleanSheet, empty_outcome
from totalplace.ingest.pins import pinned_mapping
from totalplace.ingest.sheets import RawSheet, iter_cells
from totalplace.ingest.summary import is_summary, summary_period
from totalplace.ingest.values import VALUES_RANK, choose_amount, mapping_from_values


@dataclass
class PreparedSheet:
    """A sheet whose header and column mapping are known, ready to be typed."""

    sheet: RawSheet
    cols: list[str]
    header_row: int | None  # 1-based _row of the header that precedes the data
    mapping: Mapping_
    pinned: bool  # a profile fixes the columns: a header inside the data changes nothing
    notes: list[str]
    header: Sequence[object] | None = None  # the header's cells, where one was found
    evidence: list[str] = field(default_factory=list)  # why each field's column was taken
    period: date | None = None  # a summary file's period (its first day)


def prepare_sheet(
    sheet: RawSheet,
    profile: Mapping[str, str | int] | None = None,
    period: str | None = None,
) -> PreparedSheet | CleanSheet:
    """Return the sheet with its header found and columns mapped, or its outcome if it is empty.

    ``profile`` pins fields to columns (header text or 0-based number; the others are
    read from the header); ``period`` ('2019-09') dates a summary file's rows. Raises
    ImportProblem when no header row can be found and no profile says where the
    columns are, when the sheet has no amount column, when the header's labels do not
    fit the values under them, or when a summary file has no period.
    """
    label = sheet.file if sheet.sheet is None else f"{sheet.file} [{sheet.sheet}]"
    cols = [c for c in sheet.table.column_names if re.fullmatch(r"c\d+", c)]
    notes = list(sheet.notes)
    if sheet.n_rows == 0 or not cols:
        return empty_outcome(sheet, notes + ["empty sheet"])

    top = list(iter_cells(sheet, HEADER_SEARCH_TOP))
    header_row, header_cells = find_header(label, sheet, cols, top, profile, notes)

    if profile:
        try:
            mapping = pinned_mapping(profile, header_cells)
        except ValueError as exc:
            raise ImportProblem(
                label, str(exc), "Correct the column profile in place.toml"
            ) from exc
        notes.append(
            "columns pinned by the profile: "
            + ", ".join(f"{f} = {w!r}" for f, w in profile.items())
            + ("; the other fields read from the header" if header_cells is not None else "")
        )
    elif header_cells is not None:
        mapping = map_header(header_cells)
    elif (
        near := next(
            (i for i, r in enumerate(top) if header_score(r) >= 2 and not has_data(r)), None
        )
    ) is not None:
        # A header naming no amount: the amount is read from the values below it.
        header_row, header_cells = near + 1, top[near]
        mapping = map_header(header_cells)
    elif all(v is None for row in top for v in row):
        return empty_outcome(sheet, notes + ["empty sheet"])
    else:
        # No header at all: the values say which column is the amount (and the date,
        # payee, transaction number), or the file is refused saying how to pin it.
        mapping = mapping_from_values(label, profile_columns(sheet.table, cols, 0), top[:3])
    if "amount" not in mapping.columns:
        mapping = _amount_from_values(label, sheet, cols, mapping, header_row, header_cells, top)
    notes += list(mapping.notes)
    profiles = profile_columns(sheet.table, cols, header_row or 0)
    if not (profile and "amount" in profile):
        mapping, sheet, header_cells, shifted = checked_mapping(
            label, sheet, cols, mapping, header_row, header_cells, profiles
        )
        if shifted:
            notes.append(shifted)
            profiles = profile_columns(sheet.table, cols, header_row or 0)
    evidence = _evidence(mapping, profiles)
    period_start = None
    if is_summary(mapping, profiles):
        period_start, where = summary_period(label, sheet, top, header_row, period)
        notes.append(
            "a summary file (one row per supplier, no dates): stored as summaries for the "
            f"period {period_start:%B %Y} ({where}), date precision 'period'"
        )
    return PreparedSheet(
        sheet,
        cols,
        header_row,
        mapping,
        bool(profile),
        notes,
        header_cells,
        evidence,
        period_start,
    )


def _amount_from_values(
    label: str,
    sheet: RawSheet,
    cols: list[str],
    mapping: Mapping_,
    header_row: int | None,
    header_cells: Sequence[object] | None,
    top: list[list[str | None]],
) -> Mapping_:
    """Return the mapping with the amount read from the values, for a header that names none.

    Raises ImportProblem (naming the headers, saying how to pin) when the values do not say.
    """
    seen = ", ".join(repr(str(c)) for c in (header_cells or []) if c)
    why = f"no amount column was recognised (the headers are {seen or '(none)'})"
    first = header_row or 0
    try:
        found = choose_amount(
            label,
            profile_columns(sheet.table, cols, first),
            top[first : first + 3],
            exclude=set(mapping.columns.values()),
            why=why,
        )
    except ImportProblem as exc:
        raise ImportProblem(
            label,
            exc.problem,
            "Expected a header such as 'Amount', 'Net Amount', 'Amount Paid', 'Total', "
            "'Value £', 'Net'. Pin the right column with a profile in place.toml: "
            "[partners.columns] amount = '<header>' (or its number, from 0)",
        ) from exc
    header = (
        header_cells[found.column] if header_cells and found.column < len(header_cells) else None
    )
    said = f"header {str(header)!r} names no field" if header not in (None, "") else "no header"
    return replace(
        mapping,
        columns={**mapping.columns, "amount": found.column},
        headers={**mapping.headers, **({"amount": str(header)} if header else {})},
        evidence={**mapping.evidence, "amount": found.evidence},
        notes=(
            *mapping.notes,
            f"no header names the amount: column {found.column} ({said}) was taken from its "
            "values; pin it in place.toml if that is wrong",
        ),
    )


def _evidence(mapping: Mapping_, profiles: dict[int, ColumnProfile]) -> list[str]:
    """Return, per field, why its column was taken: the header's words and what the values say."""
    out = []
    for fld, index in mapping.columns.items():
        said = mapping.evidence.get(fld, f"{fld}: column {index}")
        rank = (
            0
            if "known spelling" in said or "pinned" in said
            else VALUES_RANK
            if "from its values" in said
            else 100
        )
        found = profiles.get(index)
        sure = confidence(fld, rank, found)
        out.append(f"{said.rstrip(')')}; {describe_values(fld, found)}; confidence {sure:.2f})")
    return out
