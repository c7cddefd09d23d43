"""What a sheet's columns hold, judged from their values: money, dates, identifiers, names.

A header says what its columns should hold; the values say what they do. Each column
of a sample of data rows is profiled with Arrow compute kernels (one pass per column,
no loop over rows), and the profile is used to check the header's labels: a column of
whole-number identifiers is never the amount, and a header one cell short, whose labels
sit one column off their values, is put right or refused, never trusted.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import pyarrow as pa
import pyarrow.compute as pc

from totalplace.ingest.columns import Mapping_

#: Data rows profiled per sheet: enough to judge a column, cheap for a million-row file.
SAMPLE_ROWS = 500

_MONEY = (
    r"^[(+\-]?\s*(£|GBP|œ)?\s*[(\-]?\s*((\d{1,3}(,\d{3})+|\d+)([.,]\d{1,2}|\.\d+)?|\.\d+)\s*\)?-?"
    r"(\s*(CR|DR))?$"
)
_INTEGER = r"^\d+$"
_DECIMAL = r"[.,]\d{1,2}\)?-?$"
_DATE = (
    r"^(\d{4}-\d{1,2}-\d{1,2}([ T].*)?|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}( .*)?|"
    r"\d{1,2}[ \-/]?[A-Za-z]{3,9}[ \-/]?\d{2,4}|[A-Za-z]{3,9}[ \-/]\d{2,4}|[34]\d{4}(\.\d+)?)$"
)
_VAT = r"^(GB)?\s*\d{3}\s*\d{4}\s*\d{2}(\s*\d{3})?$"
_COMPANY = r"^(\d{8}|(SC|NI|OC|SO|NC|R0|IP|FC)\d{6})$"
_LETTERS = r"[A-Za-z]{2,}"
# What only money carries: pence, a pound sign, a thousands separator, a sign or a CR/DR.
_MONEY_MARK = r"(£|GBP|œ|\d,\d{3}|^[(+\-]|-$|\)$|[.,]\d{1,2}\)?-?$|(CR|DR)$)"
# A legal form or a kind of organisation: what a payee's name has and a description rarely does.
_ENTITY = (
    r"(?i)\b(ltd|limited|plc|llp|llc|inc|cic|co|company|trust|council|partnership|"
    r"association|society|charity|group|authority|university|college|school|church)\b"
)
# One token mixing letters and digits, or digits, of five or more: an invoice or voucher number.
_CODE = r"^([A-Za-z0-9/_\-]{4,}\d[A-Za-z0-9/_\-]*|[A-Za-z0-9/_\-]*\d[A-Za-z0-9/_\-]{4,})$"


@dataclass(frozen=True)
class ColumnProfile:
    """Shares of a column's filled sample cells (0..1) that parse as each kind of value."""

    filled: int
    money: float
    decimals: float
    integers: float
    dates: float
    vat: float
    company: float
    text: float
    distinct: float
    monotone: float
    mean_length: float
    marked: float = 0.0  # share with pence, '£', a thousands separator, a sign or CR/DR
    spread: float = 0.0  # orders of magnitude between the smallest and largest whole number
    entity: float = 0.0  # share naming a legal form or kind of organisation ('Ltd', 'Council')
    code: float = 0.0  # share that are one token of five or more with a digit (invoice numbers)

    def looks_like_ids(self) -> bool:
        """Return whether the column holds whole-number identifiers (never money).

        All whole numbers, no decimals, nearly all distinct, long, and rising (or very long).
        """
        return (
            self.filled >= 5
            and self.integers >= 0.99
            and self.decimals == 0
            and self.distinct >= 0.9
            and self.mean_length >= 5
            and (self.monotone >= 0.8 or self.mean_length >= 7)
        )

    def looks_like_money(self) -> bool:
        """Return whether nearly every filled cell parses as money and it is not identifiers."""
        return self.filled > 0 and self.money >= 0.95 and not self.looks_like_ids()


def profile_columns(
    table: pa.Table, cols: list[str], first_row: int = 0, rows: int = SAMPLE_ROWS
) -> dict[int, ColumnProfile]:
    """Return a profile of each raw column (by 0-based index) over a sample of data rows.

    ``first_row`` is the 0-based position of the first data row (after the header).
    """
    sample = table.slice(first_row, rows)
    out: dict[int, ColumnProfile] = {}
    for index, name in enumerate(cols):
        column = pc.utf8_trim_whitespace(sample.column(name).combine_chunks())
        filled = column.filter(pc.and_(pc.is_valid(column), pc.not_equal(column, "")))
        n = len(filled)
        if n == 0:
            out[index] = ColumnProfile(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            continue

        def share(pattern: str, values: pa.Array = filled, n: int = n) -> float:
            return float(pc.sum(pc.match_substring_regex(values, pattern)).as_py() or 0) / n

        integers = pc.match_substring_regex(filled, _INTEGER)
        numbers = pc.cast(filled.filter(integers), pa.float64()) if share(_INTEGER) else None
        monotone = spread = 0.0
        if numbers is not None and len(numbers) > 1:
            steps = pc.greater_equal(numbers.slice(1), numbers.slice(0, len(numbers) - 1))
            monotone = float(pc.sum(steps).as_py() or 0) / (len(numbers) - 1)
            low, high = pc.min_max(numbers).values()
            spread = math.log10(max(high.as_py(), 1) / max(low.as_py(), 1))
        out[index] = ColumnProfile(
            filled=n,
            money=share(_MONEY),
            decimals=share(_DECIMAL),
            integers=share(_INTEGER),
            dates=share(_DATE),
            vat=share(_VAT),
            company=share(_COMPANY),
            text=share(_LETTERS),
            distinct=len(pc.unique(filled)) / n,
            monotone=monotone,
            mean_length=float(pc.mean(pc.utf8_length(filled)).as_py() or 0),
            marked=share(_MONEY_MARK),
            spread=spread,
            entity=share(_ENTITY),
            code=share(_CODE),
        )
    return out


def describe_values(fld: str, profile: ColumnProfile | None) -> str:
    """Return what the values say about a field's column, for the import report."""
    if profile is None or profile.filled == 0:
        return "no values in the sample"
    pct = {
        "amount": (profile.money, "parse as money"),
        "date": (profile.dates, "parse as dates"),
        "vat_number": (profile.vat, "look like VAT numbers"),
        "company_number": (profile.company, "look like company numbers"),
    }.get(fld, (profile.text, "are words"))
    return f"{pct[0]:.0%} of values {pct[1]}"


def confidence(fld: str, rank: int, profile: ColumnProfile | None) -> float:
    """Return how sure the reading of a field's column is (0..1): header words and values together."""
    sure = 0.9 if rank < 100 else 0.75 if rank < 200 else 0.6  # 200: values alone
    if profile is None or profile.filled == 0:
        return round(sure * 0.8, 2)
    fits = {
        "amount": profile.looks_like_money(),
        "date": profile.dates >= 0.9,
        "vat_number": profile.vat >= 0.8,
        "company_number": profile.company >= 0.8,
        "supplier_name": profile.text >= 0.8,
    }.get(fld)
    if fits is None:
        return sure
    return round(min(1.0, sure + 0.1) if fits else sure * 0.4, 2)


def fits(mapping: Mapping_, profiles: dict[int, ColumnProfile]) -> bool:
    """Return whether the values under a mapping's amount and date columns are money and dates."""
    amount = profiles.get(mapping.columns.get("amount", -1))
    if amount is None or not amount.looks_like_money():
        return False
    date_col = mapping.columns.get("date")
    if date_col is not None:
        date = profiles.get(date_col)
        if date is None or (date.filled and date.dates < 0.9):
            return False
    return True


_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH_NAME = "|".join(sorted(_MONTHS, key=len, reverse=True))
_NAMED = re.compile(rf"(?i)(?<![a-z])({_MONTH_NAME})[a-z]*[\s_\-/.,]*((?:19|20)\d{{2}})(?!\d)")
_ISO = re.compile(r"(?<!\d)((?:19|20)\d{2})[\-_/. ]?(0[1-9]|1[0-2])(?![\d])")
_MONTH_YEAR = re.compile(r"(?<!\d)(0?[1-9]|1[0-2])[\-_/.]((?:19|20)\d{2})(?!\d)")


def find_period(text: str) -> date | None:
    """Return the first day of the month a text names ('September 2019', '..._2019-09.csv'), or None."""
    if match := _NAMED.search(text):
        return date(int(match.group(2)), _MONTHS[match.group(1).lower()], 1)
    if match := _ISO.search(text):
        return date(int(match.group(1)), int(match.group(2)), 1)
    if match := _MONTH_YEAR.search(text):
        return date(int(match.group(2)), int(match.group(1)), 1)
    return None
