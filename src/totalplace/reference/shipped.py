"""Reference tables shipped with the package, in ``totalplace/data/reference/`` (see ``SOURCES.md``)."""

from __future__ import annotations

import io
from functools import lru_cache
from importlib.resources import files
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Arrow is imported when a table is read, not when areas are looked up
    import pyarrow as pa

__all__ = ["shipped", "shipped_bytes"]


def shipped_bytes(name: str) -> bytes:
    """Return the bytes of a shipped reference file by file name."""
    resource = files("totalplace")
    for part in ("data", "reference", name):  # one step at a time: namespace packages need it
        resource = resource.joinpath(part)
    return resource.read_bytes()


@lru_cache(maxsize=8)
def shipped(name: str) -> pa.Table:
    """Return a shipped reference table (Parquet or CSV) by file name, as Arrow (cached)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    data = shipped_bytes(name)
    if name.endswith(".parquet"):
        return pq.read_table(pa.BufferReader(data))
    return pacsv.read_csv(io.BytesIO(data))
