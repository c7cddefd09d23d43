"""The GMCA (New Economy) Unit Cost Database v1.4, read from its workbook.

The thematic sheets (Crime .. Social Services) share one layout under a two-row header:
outcome category and detail, cost code, description, unit, the agency bearing the cost
(level 1 and 2), then Fiscal, Economic and Social values, each as "Estimated
cost/saving", "Year" (its price year) and "Updated cost/saving". We keep the estimate and
its price year -- uplifting is ours to do with the current deflator
(:func:`~totalplace.reference.appraisal.gdp_deflator`); the workbook's "Updated" column
is its own 2015 uplift to 2015/16 prices and is kept only as a cross-check. Rows without
a code (headings, the "Do not delete rows" year list, one uncoded constituent line) are
skipped. Shipped as ``data/appraisal/unit-cost-database.xlsx``; see ``SOURCES.md``.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from totalplace.reference.appraisal import (
    AppraisalDataError,
    PriceYearError,
    price_year,
    shipped_appraisal_bytes,
)
from totalplace.years import year_label

__all__ = [
    "UNIT_COST_SHEETS",
    "UnitCost",
    "UnknownUnitCostError",
    "unit_cost",
    "unit_costs",
]

#: The workbook's thematic sheets, in its order.
UNIT_COST_SHEETS = (
    "Crime",
    "Education & Skills",
    "Employment & Economy",
    "Fire",
    "Health",
    "Housing",
    "Social Services",
)
_WORKBOOK = "unit-cost-database.xlsx"
_SOURCE = (
    "GMCA / New Economy Unit Cost Database v1.4 (March 2015), as redistributed in "
    "charlescoverdale/econstack-data@710804674f02"
)
# Columns (0-based) under the two-row header; checked against the header before reading.
_CODE, _ESTIMATE = 2, {"fiscal": 7, "economic": 10, "social": 13}
_HEADER_ROW2 = {5: "level 1", 6: "level 2", 7: "estimated", 8: "year", 9: "updated"}


class UnknownUnitCostError(AppraisalDataError, LookupError):
    """A unit-cost code is not in the database; the message names the closest codes."""


@dataclass(frozen=True)
class UnitCost:
    """One entry of the Unit Cost Database: values in pounds at their own price years (None: none given).

    ``*_year`` is the price year as a financial-year label ('2013-14'); ``*_updated`` is the
    workbook's own uplift to 2015/16 prices (a cross-check, not used). ``sheet`` and ``row``
    (1-based, as Excel shows it) trace the entry to the workbook.
    """

    code: str
    category: str
    detail: str
    description: str
    unit: str
    agency: str
    agency_detail: str
    fiscal: float | None
    fiscal_year: str | None
    economic: float | None
    economic_year: str | None
    social: float | None
    social_year: str | None
    fiscal_updated: float | None
    economic_updated: float | None
    social_updated: float | None
    source_document: str
    rag: str
    sheet: str
    row: int
    source: str = _SOURCE


def _cell_text(value: object) -> str:
    return " ".join(str(value).split())  # descriptions carry newlines and doubled spaces


def _value(cell: object, where: str) -> float | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, bool) or not isinstance(cell, (int, float, str)):
        raise AppraisalDataError(f"{where}: {cell!r} is not an amount")
    try:
        return float(str(cell).replace(",", "").replace("£", "").strip())
    except ValueError:
        raise AppraisalDataError(f"{where}: {cell!r} is not an amount") from None


def _year(cell: object, where: str) -> str | None:
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    try:
        return year_label(price_year(cell if isinstance(cell, int) else str(cell)))
    except PriceYearError:
        raise AppraisalDataError(f"{where}: {cell!r} is not a price year (like 2013/14)") from None


def _check_header(rows: Sequence[Sequence[object]], where: str) -> None:
    second = [_cell_text(c).lower() for c in rows[1]] if len(rows) > 1 else []
    for column, word in _HEADER_ROW2.items():
        if column >= len(second) or word not in second[column]:
            raise AppraisalDataError(
                f"{where}: row 2 is not the Unit Cost Database header (column {column + 1} "
                f"should say {word!r}); is this the GMCA workbook v1.4?"
            )


def _read_sheet(rows: Sequence[Sequence[object]], sheet: str, label: str) -> list[UnitCost]:
    _check_header(rows, f"{label}, sheet {sheet!r}")
    entries = []
    for number, raw in enumerate(rows[2:], start=3):
        cells = list(raw) + [""] * (21 - len(raw))
        code = _cell_text(cells[_CODE])
        if not code:
            continue
        where = f"{label}, sheet {sheet!r}, row {number}"
        values = {
            kind: (
                _value(cells[col], f"{where} ({kind} value)"),
                _year(cells[col + 1], f"{where} ({kind} year)"),
                _value(cells[col + 2], f"{where} ({kind} updated)"),
            )
            for kind, col in _ESTIMATE.items()
        }
        for kind, (amount, year, _updated) in values.items():
            if amount is not None and year is None:
                raise AppraisalDataError(f"{where}: the {kind} value {amount} has no price year")
        entries.append(
            UnitCost(
                code=code,
                category=_cell_text(cells[0]),
                detail=_cell_text(cells[1]),
                description=_cell_text(cells[3]),
                unit=_cell_text(cells[4]),
                agency=_cell_text(cells[5]),
                agency_detail=_cell_text(cells[6]),
                fiscal=values["fiscal"][0],
                fiscal_year=values["fiscal"][1] if values["fiscal"][0] is not None else None,
                economic=values["economic"][0],
                economic_year=values["economic"][1] if values["economic"][0] is not None else None,
                social=values["social"][0],
                social_year=values["social"][1] if values["social"][0] is not None else None,
                fiscal_updated=values["fiscal"][2],
                economic_updated=values["economic"][2],
                social_updated=values["social"][2],
                source_document=_cell_text(cells[16]),
                rag=_cell_text(cells[17]),
                sheet=sheet,
                row=number,
            )
        )
    return entries


@lru_cache(maxsize=4)
def unit_costs(path: Path | None = None) -> dict[str, UnitCost]:
    """Return every coded entry of the Unit Cost Database by code (the shipped workbook, or ``path``)."""
    from python_calamine import CalamineError, CalamineWorkbook

    label = f"shipped {_WORKBOOK}" if path is None else str(path)
    try:
        if path is None:
            book = CalamineWorkbook.from_filelike(io.BytesIO(shipped_appraisal_bytes(_WORKBOOK)))
        else:
            book = CalamineWorkbook.from_path(str(path))
    except (OSError, CalamineError, ValueError) as exc:
        raise AppraisalDataError(f"{label}: cannot open it as a workbook ({exc})") from exc
    missing = [sheet for sheet in UNIT_COST_SHEETS if sheet not in book.sheet_names]
    if missing:
        raise AppraisalDataError(f"{label}: has no sheet {', '.join(map(repr, missing))}")
    result: dict[str, UnitCost] = {}
    for sheet in UNIT_COST_SHEETS:
        for entry in _read_sheet(book.get_sheet_by_name(sheet).to_python(), sheet, label):
            if entry.code in result:
                first = result[entry.code]
                raise AppraisalDataError(
                    f"{label}: code {entry.code} is on sheet {entry.sheet!r} row {entry.row} "
                    f"and on sheet {first.sheet!r} row {first.row}"
                )
            result[entry.code] = entry
    return result


def unit_cost(code: str, path: Path | None = None) -> UnitCost:
    """Return the entry for ``code`` (case and spaces ignored); UnknownUnitCostError names the closest codes."""
    table = unit_costs(path)
    wanted = "".join(str(code).split()).upper()
    if wanted in table:
        return table[wanted]
    close = difflib.get_close_matches(wanted, list(table), n=5, cutoff=0.6)
    hint = f"the closest are {', '.join(close)}" if close else "codes look like SS1.0, CR2.0, HE4.0"
    raise UnknownUnitCostError(
        f"no unit cost {code!r} in the GMCA Unit Cost Database: {hint} "
        "(the workbook's sheets list every code)"
    )
