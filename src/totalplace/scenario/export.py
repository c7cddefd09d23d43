"""A scenario run written to files: one workbook with a sheet per view and the inputs, or one
CSV/Parquet file per view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from totalplace.report import EXPORT_FORMATS, export_table, write_workbook

__all__ = ["scenario_tables", "export_document"]


def _rows(items: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(items) if items else pa.table({"empty": pa.array([], pa.string())})


def scenario_tables(document: dict[str, Any]) -> dict[str, pa.Table]:
    """Return each view of a scenario document as an Arrow table, by sheet name."""
    years = document["years"]
    streams = [
        {k: v for k, v in s.items() if k != "by_year"} | dict(zip(years, s["by_year"], strict=True))
        for s in document["streams"]
    ]
    matrix = document["payer_beneficiary"]
    pairs = [
        {"payer": payer, "beneficiary": beneficiary, "present_value": value}
        for payer, row in zip(matrix["payers"], matrix["present_values"], strict=True)
        for beneficiary, value in zip(matrix["beneficiaries"], row, strict=True)
        if value
    ]
    proposals = [
        {"rule": p["rule"], "title": p["title"], **share, "notes": " ".join(p["notes"])}
        for p in document["gain_share"]["proposals"]
        for share in p["partners"]
    ]
    spread = document["monte_carlo"]
    measures = [
        {"measure": k, "value": str(v) if v is not None else None}
        for k, v in document["measures"].items()
    ]
    settings = [{"setting": k, "value": str(v)} for k, v in document["scenario"].items()]
    return {
        "summary": _rows(measures),
        "partners": _rows(document["partners"]),
        "by_year": _rows(document["by_year"]),
        "streams": _rows(streams),
        "agencies": _rows(document["agencies"]),
        "payer_beneficiary": _rows(pairs),
        "gain_share": _rows(proposals),
        "monte_carlo": _rows(spread["partners"]),
        "fan": _rows(spread["fan"]),
        "tornado": _rows(document["tornado"]),
        "inputs": _rows(document["inputs"]["parameters"]),
        "settings": _rows(settings),
    }


def export_document(document: dict[str, Any], path: Path | str) -> list[Path]:
    """Write a scenario document's views and return the files: ``x.xlsx`` one workbook with a
    sheet each; ``x.csv`` / ``x.parquet`` one file per view (``x_partners.csv`` ...)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise ValueError(
            f"cannot export to {path.name}: use a name ending {', '.join(EXPORT_FORMATS)}"
        )
    tables = scenario_tables(document)
    if suffix == ".xlsx":
        return [write_workbook(tables, path)]
    return [
        export_table(t, path.with_name(f"{path.stem}_{name}{suffix}")) for name, t in tables.items()
    ]
