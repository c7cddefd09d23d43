"""Resource limits on what one import may read: sizes, ZIP depth, sheet dimensions, cells.

Small hostile inputs (a sheet declaring two billion rows, a zip bomb, ``/dev/zero``)
must fail at once with a clear message rather than exhaust memory. The defaults are
well above anything UK bodies publish (the largest real file is a few hundred MB, the
widest a few dozen columns); a workspace can raise them in ``place.toml``::

    [limits]
    max_file_mb = 4096
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    """Bounds on one import; every field is a positive whole number."""

    # Bytes of one input file as it lies on disk.
    max_file_mb: int = 2048
    # Bytes of everything a ZIP, XLSX or ODS unpacks to, added up.
    max_unpacked_mb: int = 4096
    # Unpacked size over packed size, per member: spreadsheets pack 5-30x; bombs 1,000x+.
    max_compression_ratio: int = 250
    # ZIPs inside ZIPs.
    max_zip_depth: int = 3
    # Files inside one ZIP (all levels).
    max_zip_members: int = 5000
    # Rows x columns a sheet may declare or hold (Excel's own sheet is 1,048,576 rows).
    max_sheet_cells: int = 60_000_000
    # Columns of one sheet or CSV.
    max_columns: int = 512
    # Characters in one cell (Excel's own limit is 32,767).
    max_cell_chars: int = 32_767

    @classmethod
    def names(cls) -> list[str]:
        """Return the names of the limits, as written in place.toml."""
        return [f.name for f in fields(cls)]


DEFAULT_LIMITS = Limits()
