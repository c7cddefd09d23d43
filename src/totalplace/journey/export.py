"""A costed journey written to files: one workbook (agencies, contacts, settings) or a CSV/Parquet
file per view. Text is neutralised by the report writers (never a formula)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace.errors import UsageError
from totalplace.report import EXPORT_FORMATS, export_table, write_workbook

__all__ = ["export_journey", "journey_tables"]


def journey_tables(document: dict[str, Any]) -> dict[str, pa.Table]:
    """Return each view of a journey document as an Arrow table, by sheet name."""
    settings = [
        {"setting": f"{group}.{k}", "value": None if v is None else str(v)}
        for group in ("journey", "cohort", "totals")
        for k, v in document[group].items()
    ] + [{"setting": "method", "value": document["method"]}]
    return {
        "agencies": pa.Table.from_pylist(document["agencies"]),
        "contacts": pa.Table.from_pylist(document["contacts"]),
        "settings": pa.Table.from_pylist(settings),
    }


def export_journey(document: dict[str, Any], path: Path | str) -> list[Path]:
    """Write a journey document's views and return the files: ``x.xlsx`` one workbook with a
    sheet each; ``x.csv`` / ``x.parquet`` one file per view."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise UsageError(
            f"cannot export to {path.name}: use a name ending {', '.join(EXPORT_FORMATS)}"
        )
    tables = journey_tables(document)
    if suffix == ".xlsx":
        return [write_workbook(tables, path)]
    return [
        export_table(t, path.with_name(f"{path.stem}_{name}{suffix}")) for name, t in tables.items()
    ]
