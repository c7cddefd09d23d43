"""The local economy: spend with suppliers in the place, LM3, and the jobs behind a cut or a shift.

Reads the count's lines (through the opportunities scope: counted, transfers between
partners excluded, with category and supplier register) and writes:

* ``economy_supplier_locations`` -- one row per supplier: postcode, district, status
  (local / not local / unknown), and the method, confidence and source of that answer
  (the user's ``supplier_locations.csv``, a postcode the payer published placed by a
  postcode directory, the shipped GP practice postcodes or an outward code; else unknown);
* ``economy_local_share`` -- spend with suppliers per partner x financial year x status,
  ledger and place amounts, exact to the penny.

LM3 (nef) per year from those, with re-spend rates from ``economy.toml``
(:mod:`~totalplace.economy.lm3`), and :func:`jobs_effect`: the jobs, income and output a
cut of a partner's spend in a theme affects, by supplier sector, from the place's
multipliers and employment (:mod:`~totalplace.economy.jobs`). Design note:
``docs/decisions/0020-local-economy.md``.
"""

from __future__ import annotations

from totalplace.economy.assumptions import (
    ECONOMY_FILE,
    EconomyAssumptions,
    EconomyError,
    load_economy_assumptions,
)
from totalplace.economy.jobs import JobsEffect, jobs_effect, spread_jobs
from totalplace.economy.lm3 import Lm3, lm3
from totalplace.economy.local_figures import SectorFigures, local_figures
from totalplace.economy.location_file import (
    LOCATION_FILE,
    SupplierLocationError,
    read_location_file,
)
from totalplace.economy.postcodes import PostcodeDirectoryError, normalise_postcode
from totalplace.economy.result import EconomyResult
from totalplace.economy.run import TABLES, Cut, economy, economy_on, write_location_template

__all__ = [
    "ECONOMY_FILE",
    "LOCATION_FILE",
    "TABLES",
    "Cut",
    "EconomyAssumptions",
    "EconomyError",
    "EconomyResult",
    "JobsEffect",
    "Lm3",
    "PostcodeDirectoryError",
    "SectorFigures",
    "SupplierLocationError",
    "economy",
    "economy_on",
    "jobs_effect",
    "lm3",
    "load_economy_assumptions",
    "local_figures",
    "normalise_postcode",
    "read_location_file",
    "spread_jobs",
    "write_location_template",
]
