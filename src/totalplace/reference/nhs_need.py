"""NHS England's GP-practice table: which districts an ICB or sub-ICB's practices lie in.

The one reader of the weighted-population file by GP practice (NHS England, allocations
2024/25: practice, sub-ICB (CCG21), ICB (ICS22), district (LAD21) ...). Read from the
copy shipped in ``totalplace/data/nhs_need/`` when there is one, else from the shared
real-data folder ($TOTALPLACE_REALDATA/reference/nhs_need/).

(Written by the ingest helper for partner identification, with only ``icb_districts``;
the need-apportionment helper owns this module and its fuller reader.)
"""

from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pyarrow.csv as pacsv

from totalplace.errors import WorkspaceStateError

FILE = "aif_gp_practice_weighted_population_2024_2025.csv"


def _path() -> Path:
    shipped = Path(str(resources.files("totalplace") / "data" / "nhs_need" / FILE))
    if shipped.is_file():
        return shipped
    here = Path(__file__).resolve().parents[3]  # the repository
    realdata = Path(os.environ.get("TOTALPLACE_REALDATA", here.parent / "shared" / "realdata"))
    return realdata / "reference" / "nhs_need" / FILE


@lru_cache(maxsize=1)
def _practices() -> dict[str, frozenset[str]]:
    """Return ICB (ICS22) and sub-ICB (CCG21) code -> the districts (LAD21) of its practices."""
    path = _path()
    if not path.is_file():
        raise WorkspaceStateError(
            f"the NHS GP-practice table is missing ({path}); reinstall totalplace, or set "
            "TOTALPLACE_REALDATA to the folder holding reference/nhs_need/"
        )
    table = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            include_columns=["ICS22", "CCG21", "LAD21"],
            column_types={c: "string" for c in ("ICS22", "CCG21", "LAD21")},
        ),
    ).to_pydict()
    found: dict[str, set[str]] = {}
    for icb, sub, lad in zip(table["ICS22"], table["CCG21"], table["LAD21"], strict=True):
        if lad:
            for code in (icb, sub):
                if code:
                    found.setdefault(code.upper(), set()).add(lad)
    return {code: frozenset(lads) for code, lads in found.items()}


def icb_districts(icb_code: str) -> list[str]:
    """Return the districts (LAD21 codes, sorted) where an ICB's or sub-ICB's GP practices are.

    ``icb_code`` is an ICB code as NHS England's allocations give it (e.g. 'QE1') or a
    sub-ICB location code ('00T'); an unknown code gives an empty list.
    """
    return sorted(_practices().get(icb_code.strip().upper(), ()))
