"""Independent readers of the raw published files, for hand-computed expectations (csv module only)."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path


def read_raw(path: Path) -> list[dict[str, str]]:
    """Read a published CSV (gzipped or not, BOM or not) with the csv module, as dicts."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def as_int(text: str) -> int:
    """Return a published count ('1,296') as an int."""
    return int(text.replace(",", "").strip())
