"""Financial years: one meaning of ``--year`` everywhere, one label, one default.

A financial year is named by the calendar year it starts in: 2024 is the year
April 2024 - March 2025 (for a body whose year starts in April), labelled ``2024-25``.
Every spelling users write names its *start* year, so ``2024``, ``FY2024``,
``2024-25``, ``2024/25`` and ``2024-2025`` all mean 2024-25 (never the year ending
in 2024, the American reading of "FY2024"). See docs/decisions/0014-domain-core.md.

Lines with no usable date belong to no year; they are labelled ``date missing``.

The Ibis expressions (:func:`start_year_of`, :func:`label_of`) use only CASE, EXTRACT,
arithmetic and string padding, so they compile on DuckDB, PostgreSQL and Spark alike
(no boolean-to-integer casts, which PostgreSQL refuses).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from totalplace.errors import UsageError

if TYPE_CHECKING:  # Ibis is imported where the expressions are built, not at start-up.
    import ibis.expr.types as ir

__all__ = [
    "DATE_MISSING",
    "YearError",
    "default_year",
    "label_of",
    "normalise_year",
    "parse_year",
    "start_year_of",
    "year_label",
]

#: The label of lines whose date is missing or unreadable: they belong to no financial year.
DATE_MISSING = "date missing"

# "2024", "FY2024", "fy 2024-25", "2024/25", "2024 – 2025": a four-digit start year,
# then optionally the end year as two or four digits after "-", "/" or an en dash.
_SPELLING = re.compile(r"(?:FY\s*)?(\d{4})(?:\s*[-/\u2013]\s*(\d{2}|\d{4}))?", re.IGNORECASE)


class YearError(UsageError, ValueError):
    """A value that is not a financial year; the message says how to write one."""


def _refuse(value: object) -> YearError:
    return YearError(
        f"{value!r} is not a financial year: write it like 2024-25 (or its start year, 2024)"
    )


def parse_year(value: int | str | None) -> int | None:
    """Return the start year of the financial year ``value`` names (None stays None: every year).

    Accepts 2024, '2024', 'FY2024', '2024-25', '2024/25', '2024-2025' (all 2024-25).
    Raises YearError for anything else, including an end year that does not follow
    the start ('2024-26') and a two-digit start ('24-25').
    """
    if value is None:
        return None
    if isinstance(value, bool):  # a bool is an int to Python, never a year to a user
        raise _refuse(value)
    if isinstance(value, int):
        if 1000 <= value <= 9999:
            return value
        raise _refuse(value)
    if not isinstance(value, str):
        raise _refuse(value)
    match = _SPELLING.fullmatch(value.strip())
    if match is None:
        raise _refuse(value)
    start, end = int(match.group(1)), match.group(2)
    if end is not None:
        follows = int(end) == start + 1 if len(end) == 4 else int(end) == (start + 1) % 100
        if not follows:
            raise _refuse(value)
    return start


def year_label(start: int | None) -> str:
    """Return the label of the financial year starting in ``start`` ('2024-25'; None: 'date missing')."""
    if start is None:
        return DATE_MISSING
    return f"{start}-{(start + 1) % 100:02d}"


def normalise_year(value: int | str | None) -> str | None:
    """Return the label ``--year`` names ('2024' -> '2024-25'); None and 'date missing' pass through.

    Raises YearError for a value that is neither a financial year nor 'date missing'.
    """
    if value is None:
        return None
    if isinstance(value, str) and value.strip().lower() == DATE_MISSING:
        return DATE_MISSING
    return year_label(parse_year(value))


def default_year(rows: Iterable[Mapping[str, Any]]) -> int | None:
    """Return the year shown when none is asked for: the latest every partner with dated data covers.

    ``rows`` carry ``partner`` and ``fy_start_year`` (None for undated lines). If no
    year is covered by every partner with dated data, the latest year any covers;
    None if nothing is dated. Partners with no data at all do not hold the choice
    back (a partner yet to load would otherwise send every command to the latest
    year, however few partners it has).
    """
    by_year: dict[int, set[str]] = {}
    for row in rows:
        if row["fy_start_year"] is not None:
            by_year.setdefault(int(row["fy_start_year"]), set()).add(row["partner"])
    if not by_year:
        return None
    partners = set().union(*by_year.values())
    full = [year for year, have in by_year.items() if have == partners]
    return max(full or by_year)


def start_year_of(date: ir.Value, start_month: int | ir.IntegerValue = 4) -> ir.IntegerValue:
    """Return an Ibis int64 expression: the start year of the financial year ``date`` falls in.

    ``start_month`` is the month the year starts (4 = April), a number or an Ibis
    expression (e.g. a CASE over partners). NULL for a NULL date.
    """
    import ibis

    year = date.year().cast("int64")
    result: ir.IntegerValue = ibis.ifelse(date.month() < start_month, year - 1, year)
    return result


def label_of(start: ir.IntegerValue) -> ir.StringValue:
    """Return an Ibis string expression: the label of a start year ('2024-25'; NULL: 'date missing')."""
    import ibis

    end = ((start + 1) % 100).cast("string").lpad(2, "0")
    result: ir.StringValue = ibis.cases(
        (start.isnull(), ibis.literal(DATE_MISSING)),
        else_=start.cast("string") + "-" + end,
    )
    return result
