"""Payment integrity: payments made twice and orders split under a threshold, across the place's bodies.

Reads the loaded transactions, the count and (once ``totalplace link`` has run) the
supplier register, and writes, all in the engine through Ibis:

* ``integrity_findings`` -- one row per group of payments that looks wrong: detector,
  grade ('probable error', 'signal to check', 'information'), confidence, partners,
  supplier, money at stake, the numbers behind it and the rule that found it;
* ``integrity_members`` -- the payments (txn_key) behind each finding;
* ``integrity_repeats`` -- regular payments set apart (rent, standing orders), with why;
* ``integrity_parameters`` -- every threshold in force and its reason.

Design note: ``docs/decisions/0022-payment-integrity.md``.
"""

from __future__ import annotations

from totalplace.integrity.params import IntegrityParamsError, Params, load_params
from totalplace.integrity.payments import IntegrityError, payments
from totalplace.integrity.result import Integrity
from totalplace.integrity.run import DETECTORS, TABLES, find_on, integrity
from totalplace.integrity.tables import Found

__all__ = [
    "DETECTORS",
    "TABLES",
    "Found",
    "Integrity",
    "IntegrityError",
    "IntegrityParamsError",
    "Params",
    "find_on",
    "integrity",
    "load_params",
    "payments",
]
