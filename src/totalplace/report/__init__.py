"""Report: export derived tables to files people use (CSV, Excel, Parquet)."""

from totalplace.report.export import (
    EXPORT_FORMATS,
    export_table,
    is_rate,
    neutralise,
    neutralise_table,
    write_workbook,
)

__all__ = [
    "EXPORT_FORMATS",
    "export_table",
    "is_rate",
    "neutralise",
    "neutralise_table",
    "write_workbook",
]
