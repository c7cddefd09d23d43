"""The top-down estimates of a place: its rows (the ``topdown_estimates`` table layout) and their sums."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pyarrow as pa

from totalplace.money import ZERO

TABLE = "topdown_estimates"


@dataclass
class TopdownEstimates:
    """Top-down estimates for the place: rows as written to ``topdown_estimates``, and notes."""

    place: dict[str, Any]
    cra_year: int
    rs_year: int
    rows: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def by_kind(self, in_count_only: bool = False, theme: str | None = None) -> dict[str, Decimal]:
        """Return the estimate summed per kind of body (optionally only rows added to the count, or of one theme)."""
        return self._sums("kind", in_count_only, theme)

    def by_body(self, in_count_only: bool = False) -> dict[str, Decimal]:
        """Return the estimate summed per body (``body_key``), optionally only rows added to the count."""
        return self._sums("body_key", in_count_only)

    def _sums(self, by: str, in_count_only: bool, theme: str | None = None) -> dict[str, Decimal]:
        totals: dict[str, Decimal] = {}
        for row in self.rows:
            if in_count_only and not row["in_count"]:
                continue
            if theme is not None and row["theme"] != theme:
                continue
            totals[row[by]] = totals.get(row[by], ZERO) + row["estimate"]
        return totals

    def sources_by_kind(self, by: str = "kind") -> dict[str, tuple[str, str]]:
        """Return per kind (or per ``body_key``) its sources, short ('RS 2017-18 row 56') and in full."""
        found: dict[str, dict[tuple[str, str, str, str], list[int]]] = {}
        for row in self.rows:
            short = "CRA 2018" if row["source"].startswith("HM Treasury") else "RS"
            key = (short, row["financial_year"], row["source_file"], row["sheet"])
            found.setdefault(row[by], {}).setdefault(key, []).append(row["sheet_row"])
        out = {}
        for kind, items in found.items():
            brief, full = [], []
            for (short, year, path, sheet), rows in items.items():
                unique = sorted(set(rows))
                where = f"row {unique[0]}" if len(unique) == 1 else f"{len(unique)} rows"
                brief.append(
                    f"RS {year} {where}" if short == "RS" else f"CRA 2018 ({year}), {where}"
                )
                full.append(
                    f"{path}, sheet {sheet!r}, "
                    + (f"row {unique[0]}" if len(unique) == 1 else f"{len(unique)} rows")
                    + f" ({year}; every row and cell in table {TABLE})"
                )
            out[kind] = ("; ".join(brief), "; ".join(full))
        return out


#: Columns added by the theme mapping, after the estimate's own.
_THEME_FIELDS = (
    ("line_estimate", pa.decimal128(18, 2)),
    ("theme", pa.string()),
    ("theme_rule", pa.string()),
    ("theme_share", pa.decimal128(18, 15)),
    ("theme_partly", pa.string()),
    ("theme_split_source", pa.string()),
)


_ROW_FIELDS = (
    ("kind", pa.string()),
    ("body_key", pa.string()),
    ("source", pa.string()),
    ("source_file", pa.string()),
    ("sheet", pa.string()),
    ("sheet_row", pa.int64()),
    ("cell", pa.string()),
    ("line", pa.string()),
    ("detail", pa.string()),
    ("cap_cur", pa.string()),
    ("financial_year", pa.string()),
    ("area_key", pa.string()),
    ("band", pa.string()),
    ("source_amount", pa.decimal128(18, 2)),
    ("area", pa.string()),
    ("place_population", pa.int64()),
    ("area_population", pa.int64()),
    ("share", pa.decimal128(18, 15)),
    ("driver", pa.string()),
    ("body", pa.string()),
    ("estimate", pa.decimal128(18, 2)),
    ("method", pa.string()),
    ("confidence", pa.string()),
    ("price_basis", pa.string()),
    ("in_count", pa.bool_()),
    *_THEME_FIELDS,
)


SCHEMA = pa.schema(list(_ROW_FIELDS))


def as_arrow(rows: list[dict[str, Any]]) -> pa.Table:
    """Return the rows as an Arrow table of the ``topdown_estimates`` layout."""
    return pa.Table.from_pylist([{k: r.get(k) for k in SCHEMA.names} for r in rows], schema=SCHEMA)
