"""The appraisal parameters levers read: optimism bias by confidence grade, unit costs, prices.

One place where the scenario levers meet the reference tables of
:mod:`totalplace.reference.appraisal` (the Green Book and the 2014 local-partnership
guidance), so a lever never reads a reference file itself.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from totalplace.reference.appraisal import confidence_bias, gdp_deflator
from totalplace.reference.unit_costs import unit_costs
from totalplace.scenario.spec import LeverTable, Reader
from totalplace.workspace.toml_lines import KeyPath
from totalplace.years import year_label

__all__ = [
    "DEFAULT_GRADE",
    "Valued",
    "benefit_bias",
    "price_factor",
    "read_confidence",
    "unit_value",
]

#: The grade a lever's benefits get when the file gives none: 3, "local or national data
#: and research" -- neither audited figures nor a best guess.
DEFAULT_GRADE = 3


def benefit_bias(grade: int) -> float:
    """Return the optimism-bias reduction applied to benefits of data-confidence ``grade``
    (the shipped table of the 2014 guidance's grades, :func:`totalplace.reference.appraisal.confidence_bias`)."""
    return confidence_bias(grade)


def read_confidence(reader: Reader, lever: LeverTable) -> int:
    """Return the lever's ``confidence_grade`` (1..6; DEFAULT_GRADE when absent)."""
    return reader.whole(lever.table, "confidence_grade", lever.path, 1, 6, DEFAULT_GRADE)


@dataclass(frozen=True)
class Valued:
    """A unit cost at the scenario's price base: pounds per event, who bears it, and its prices."""

    code: str
    description: str
    agency: str
    agency_detail: str
    fiscal: float
    economic: float
    social: float
    note: str


def price_factor(reader: Reader, path: KeyPath, from_year: int | None, price_base: int) -> float:
    """Return the GDP-deflator uplift from financial year ``from_year`` to the price base (1 if None)."""
    if from_year is None or from_year == price_base:
        return 1.0
    try:
        return float(gdp_deflator().factor(year_label(from_year), year_label(price_base)))
    except (ValueError, KeyError, LookupError) as exc:
        reader.fault(path, f"cannot uplift prices of {year_label(from_year)}: {exc}")
        return 1.0


def unit_value(reader: Reader, path: KeyPath, code: str, price_base: int) -> Valued | None:
    """Return the unit cost ``code`` uplifted to the price base; note a fault if it is unknown."""
    costs = unit_costs()
    found = costs.get(code.strip())
    if found is None:
        close = difflib.get_close_matches(code.strip(), list(costs), n=3, cutoff=0.5)
        hint = f"did you mean {', '.join(close)}?" if close else "codes look like CR2.0.3 or HE4.0"
        reader.fault(path, f"{code!r} is not a code of the GMCA unit cost database; {hint}")
        return None

    def at_base(value: float | None, year: str | None) -> float:
        if not value:
            return 0.0
        if not year:
            return float(value)
        return float(value) * float(gdp_deflator().factor(year, year_label(price_base)))

    try:
        fiscal = at_base(found.fiscal, found.fiscal_year)
        economic = at_base(found.economic, found.economic_year)
        social = at_base(found.social, found.social_year)
    except (ValueError, KeyError, LookupError) as exc:
        reader.fault(path, f"cannot uplift the prices of {code}: {exc}")
        return None
    return Valued(
        code=found.code,
        description=found.description,
        agency=found.agency or "",
        agency_detail=found.agency_detail or "",
        fiscal=fiscal,
        economic=economic,
        social=social,
        note=f"{found.fiscal:,.2f} at {found.fiscal_year} prices x GDP deflator to {year_label(price_base)}; "
        f"{found.sheet} row {found.row}"
        if found.fiscal
        else "no fiscal value",
    )
