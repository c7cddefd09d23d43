"""What a comparison returns: spend per head beside need, one row per place, ward and comparator."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from totalplace.report.documents import jsonable

COLUMNS = (
    "kind",
    "code",
    "name",
    "financial_year",
    "theme",
    "spend",
    "spend_status",
    "population",
    "population_year",
    "per_head",
    "cohort",
    "cohort_population",
    "cohort_per_head",
    "imd2019_score",
    "imd2019_rank",
    "imd2025_score",
    "imd2025_rank",
    "ward_imd_rank",
    "ward_most_deprived_decile_share",
    "distance",
    "source",
    "bottom_up_year",
    "bottom_up_method",
    "top_down",
    "top_down_year",
    "top_down_method",
    "top_down_per_head",
    "top_down_cohort_per_head",
    "all_agency",
    "all_agency_note",
    "all_agency_per_head",
    "all_agency_cohort_per_head",
    "top_down_all_bodies",
    "top_down_all_bodies_per_head",
    "top_down_all_bodies_cohort_per_head",
)


@dataclass
class Comparison:
    """Spend per head beside need for the place, its wards and comparators (rows: see COLUMNS)."""

    financial_year: str
    theme: str | None
    cohort: str | None
    place: dict[str, Any]
    wards: list[dict[str, Any]]
    comparators: list[dict[str, Any]]
    method: str
    notes: list[str] = field(default_factory=list)
    topdown: dict[str, Any] = field(default_factory=dict)
    comparator_topdown: list[dict[str, Any]] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """Return the place, ward and comparator rows in one list with the same columns."""
        return [
            {c: row.get(c) for c in COLUMNS} for row in [self.place, *self.wards, *self.comparators]
        ]

    def to_arrow(self) -> pa.Table:
        """Return :meth:`rows` as an Arrow table (for export)."""
        return pa.Table.from_pylist(self.rows(), schema=SCHEMA)

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-ready document (decimals as strings)."""
        return jsonable(
            {
                "financial_year": self.financial_year,
                "theme": self.theme,
                "cohort": self.cohort,
                "place": self.place,
                "wards": self.wards,
                "comparators": self.comparators,
                "comparator_method": self.method,
                "top_down": self.topdown,
                "comparator_top_down": self.comparator_topdown,
                "notes": self.notes,
            }
        )


#: The per-head columns of every needs row (the ward count's too): people, cohort, per head.
PER_HEAD_FIELDS = (
    ("population", pa.int64()),
    ("population_year", pa.int64()),
    ("per_head", pa.decimal128(18, 2)),
    ("cohort", pa.string()),
    ("cohort_population", pa.int64()),
    ("cohort_per_head", pa.decimal128(18, 2)),
)

SCHEMA = pa.schema(
    [
        ("kind", pa.string()),
        ("code", pa.string()),
        ("name", pa.string()),
        ("financial_year", pa.string()),
        ("theme", pa.string()),
        ("spend", pa.decimal128(18, 2)),
        ("spend_status", pa.string()),
        *PER_HEAD_FIELDS,
        ("imd2019_score", pa.float64()),
        ("imd2019_rank", pa.int64()),
        ("imd2025_score", pa.float64()),
        ("imd2025_rank", pa.int64()),
        ("ward_imd_rank", pa.float64()),
        ("ward_most_deprived_decile_share", pa.float64()),
        ("distance", pa.float64()),
        ("source", pa.string()),
        ("bottom_up_year", pa.string()),
        ("bottom_up_method", pa.string()),
        ("top_down", pa.decimal128(18, 2)),
        ("top_down_year", pa.string()),
        ("top_down_method", pa.string()),
        ("top_down_per_head", pa.decimal128(18, 2)),
        ("top_down_cohort_per_head", pa.decimal128(18, 2)),
        ("all_agency", pa.decimal128(18, 2)),
        ("all_agency_note", pa.string()),
        ("all_agency_per_head", pa.decimal128(18, 2)),
        ("all_agency_cohort_per_head", pa.decimal128(18, 2)),
        ("top_down_all_bodies", pa.decimal128(18, 2)),
        ("top_down_all_bodies_per_head", pa.decimal128(18, 2)),
        ("top_down_all_bodies_cohort_per_head", pa.decimal128(18, 2)),
    ]
)
