"""Green Book appraisal parameters shipped in ``totalplace/data/appraisal`` (see ``SOURCES.md``).

* :func:`discount_schedule` -- the declining social time preference rate by year band;
* :func:`gdp_deflator` -- HM Treasury's GDP deflator, to move money between price years;
* :func:`capital_optimism_bias` and :func:`confidence_grades` -- optimism bias by project
  category (costs) and by data-confidence grade (benefits), from ``optimism_bias.toml``;
* :func:`additionality_defaults` -- deadweight, displacement, leakage and substitution;
* :func:`unit_costs` / :func:`unit_cost` -- the GMCA Unit Cost Database, read from its
  workbook (:mod:`totalplace.reference.unit_costs`).

Every value carries its source. A file a user gives in place of a shipped one is read
the same way; a bad one raises :class:`AppraisalDataError` naming the file and line.
Design note: ``docs/decisions/0018-appraisal-parameters.md``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from totalplace.errors import BadInputError, UsageError
from totalplace.years import YearError, parse_year, year_label

__all__ = [
    "ADDITIONALITY_LEVELS",
    "DISCOUNT_VARIANTS",
    "AdditionalityDefaults",
    "AppraisalDataError",
    "CapitalOptimismBias",
    "ConfidenceGrade",
    "Deflator",
    "DiscountBand",
    "PriceYearError",
    "additionality_defaults",
    "capital_optimism_bias",
    "confidence_bias",
    "confidence_grades",
    "discount_schedule",
    "gdp_deflator",
    "price_year",
    "shipped_appraisal_bytes",
]

DISCOUNT_VARIANTS = ("standard", "health", "catastrophic")
ADDITIONALITY_LEVELS = ("standard", "conservative", "optimistic")

_STPR_SOURCE = (
    "HM Treasury Green Book 2022 Annex A6 and supplementary discounting guidance "
    "(stpr_schedule.csv, charlescoverdale/greenbook@6ad7f3762c7b)"
)
_DEFLATOR_SOURCE = (
    "HM Treasury GDP deflators at market prices, December 2025 Quarterly National Accounts, "
    "calendar years, 2024 = 100 (gdp_deflator.csv, charlescoverdale/greenbook@6ad7f3762c7b)"
)


class AppraisalDataError(BadInputError):
    """An appraisal parameter file (shipped or the user's) cannot be read; the message says where."""


class PriceYearError(AppraisalDataError, ValueError):
    """A price year is not a year, or lies outside the deflator series (the message names its range)."""


def shipped_appraisal_bytes(name: str) -> bytes:
    """Return the bytes of a file shipped in ``totalplace/data/appraisal``."""
    resource = files("totalplace")
    for part in ("data", "appraisal", name):  # one step at a time: namespace packages need it
        resource = resource.joinpath(part)
    return resource.read_bytes()


def _text(name: str, path: Path | None) -> tuple[str, str]:
    """Return (text, label) of the user's file if given, else of the shipped one."""
    if path is None:
        return shipped_appraisal_bytes(name).decode("utf-8"), f"shipped {name}"
    try:
        return Path(path).read_text(encoding="utf-8-sig"), str(path)
    except OSError as exc:
        raise AppraisalDataError(
            f"{path}: cannot read it ({exc.strerror}); check the path"
        ) from exc


def _number(value: object, where: str, *, low: float | None = None) -> float:
    try:
        number = float(str(value).replace(",", "").strip())
    except ValueError:
        raise AppraisalDataError(f"{where}: {value!r} is not a number") from None
    if not math.isfinite(number) or (low is not None and number < low):
        raise AppraisalDataError(f"{where}: {value!r} is out of range")
    return number


# -- discounting ----------------------------------------------------------------------


@dataclass(frozen=True)
class DiscountBand:
    """One band of the discount schedule: ``rate`` for years ``year_from``..``year_to`` (None: onwards)."""

    year_from: int
    year_to: int | None
    rate: float
    source: str


@lru_cache(maxsize=8)
def discount_schedule(
    variant: str = "standard", path: Path | None = None
) -> tuple[DiscountBand, ...]:
    """Return the Green Book declining discount schedule (standard, health or catastrophic-risk rates).

    The last band is open-ended (``year_to`` None): the Green Book's 1% applies beyond 300 years.
    """
    if variant not in DISCOUNT_VARIANTS:
        raise UsageError(
            f"no discount schedule {variant!r}: choose one of {', '.join(DISCOUNT_VARIANTS)}"
        )
    text, label = _text("stpr_schedule.csv", path)
    rows = list(csv.DictReader(io.StringIO(text)))
    bands: list[DiscountBand] = []
    for line, row in enumerate(rows, start=2):
        where = f"{label}, line {line}"
        if variant not in row or row.get("year_from") is None:
            raise AppraisalDataError(f"{where}: needs columns year_from, year_to, {variant}")
        start = int(_number(row["year_from"], where, low=0))
        end = None if line == len(rows) + 1 else int(_number(row["year_to"], where, low=start))
        if bands and start != (bands[-1].year_to or 0) + 1:
            raise AppraisalDataError(f"{where}: band starts at {start}, not after the band before")
        bands.append(DiscountBand(start, end, _number(row[variant], where, low=0), _STPR_SOURCE))
    if not bands or bands[0].year_from != 0:
        raise AppraisalDataError(f"{label}: the schedule must start at year 0")
    return tuple(bands)


# -- prices ---------------------------------------------------------------------------


def price_year(value: int | str) -> int:
    """Return the calendar year whose deflator index stands for price year ``value``.

    A financial year April Y - March Y+1 ('2013/14', '2013-14', '2013/2014', 'FY2013-14')
    takes calendar year Y, in which nine of its twelve months fall; a bare year (2013)
    is read the same way (it names the financial year 2013-14, as everywhere in totalplace).
    """
    try:
        year = parse_year(value.strip() if isinstance(value, str) else value)
    except YearError:
        raise PriceYearError(
            f"{value!r} is not a price year: write a financial year like 2013/14 or a year like 2013"
        ) from None
    assert year is not None
    return year


@dataclass(frozen=True)
class Deflator:
    """A GDP deflator series by calendar year; :meth:`factor` moves money between price years."""

    years: tuple[int, ...]
    values: tuple[float, ...]
    source: str

    def index(self, year: int | str) -> float:
        """Return the index for price year ``year`` (see :func:`price_year` for the rule)."""
        calendar = price_year(year)
        first, last = self.years[0], self.years[-1]
        if not first <= calendar <= last:
            raise PriceYearError(
                f"price year {year!r} is outside the GDP deflator series, which covers "
                f"{first} to {last} (financial years {year_label(first)} to {year_label(last)}); "
                "use a price year in that range or give a longer deflator series"
            )
        return self.values[calendar - first]

    def factor(self, from_year: int | str, to_year: int | str) -> float:
        """Return the multiplier that turns money in ``from_year`` prices into ``to_year`` prices."""
        return self.index(to_year) / self.index(from_year)


@lru_cache(maxsize=8)
def gdp_deflator(path: Path | None = None) -> Deflator:
    """Return HM Treasury's GDP deflator (calendar years, 2024 = 100), or a user's CSV (year,value)."""
    text, label = _text("gdp_deflator.csv", path)
    points: dict[int, float] = {}
    for line, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        where = f"{label}, line {line}"
        if row.get("year") is None or row.get("value") is None:
            raise AppraisalDataError(f"{where}: needs columns year and value")
        points[int(_number(row["year"], where, low=1000))] = _number(row["value"], where, low=1e-9)
    years = tuple(sorted(points))
    if not years or years != tuple(range(years[0], years[-1] + 1)):
        raise AppraisalDataError(f"{label}: needs one value for every year, with no gaps")
    source = _DEFLATOR_SOURCE if path is None else f"GDP deflator from {path}"
    return Deflator(years, tuple(points[y] for y in years), source)


# -- optimism bias --------------------------------------------------------------------


@dataclass(frozen=True)
class CapitalOptimismBias:
    """Upper-bound optimism bias for one project category (None where the source gives none)."""

    category: str
    description: str
    capex_upper: float | None
    duration_upper: float | None
    opex_upper: float | None
    source: str


@dataclass(frozen=True)
class ConfidenceGrade:
    """A data-confidence grade and its optimism-bias correction (benefits x (1 - correction))."""

    grade: int
    correction: float
    description: str
    source: str
    status: str


@lru_cache(maxsize=8)
def _optimism_bias(path: Path | None) -> tuple[dict[str, Any], str]:
    text, label = _text("optimism_bias.toml", path)
    try:
        return tomllib.loads(text), label
    except tomllib.TOMLDecodeError as exc:
        raise AppraisalDataError(f"{label}: not valid TOML ({exc})") from exc


def capital_optimism_bias(path: Path | None = None) -> dict[str, CapitalOptimismBias]:
    """Return the capital-project optimism-bias upper bounds by category (Mott MacDonald 2002)."""
    data, label = _optimism_bias(path)
    section = data.get("capital")
    if not isinstance(section, dict):
        raise AppraisalDataError(f"{label}: needs a [capital] table")
    source = str(section.get("source", label))
    result: dict[str, CapitalOptimismBias] = {}
    for category, entry in section.items():
        if not isinstance(entry, dict):
            continue
        where = f"{label}, [capital.{category}]"

        def bound(key: str, entry: dict[str, Any] = entry, where: str = where) -> float | None:
            return None if key not in entry else _number(entry[key], f"{where} {key}", low=0)

        result[category] = CapitalOptimismBias(
            category,
            str(entry.get("description", category)),
            bound("capex_upper"),
            bound("duration_upper"),
            bound("opex_upper"),
            str(entry.get("source", source)),
        )
    return result


def confidence_grades(path: Path | None = None) -> dict[int, ConfidenceGrade]:
    """Return the data-confidence grades (1 best .. 6 weakest) with their corrections ([U]: see file)."""
    data, label = _optimism_bias(path)
    section = data.get("confidence_grades")
    if not isinstance(section, dict) or not isinstance(section.get("grade"), list):
        raise AppraisalDataError(f"{label}: needs [[confidence_grades.grade]] entries")
    source, status = str(section.get("source", label)), str(section.get("status", ""))
    grades: dict[int, ConfidenceGrade] = {}
    for number, entry in enumerate(section["grade"], start=1):
        where = f"{label}, confidence grade entry {number}"
        grade = int(_number(entry.get("grade"), f"{where} grade", low=1))
        correction = _number(entry.get("correction"), f"{where} correction", low=0)
        if correction >= 1:
            raise AppraisalDataError(f"{where}: correction {correction} must be below 1")
        grades[grade] = ConfidenceGrade(
            grade, correction, str(entry.get("description", "")), source, status
        )
    return grades


def confidence_bias(grade: int, path: Path | None = None) -> float:
    """Return the optimism-bias correction for confidence ``grade``; UsageError for an unknown grade."""
    grades = confidence_grades(path)
    if grade not in grades:
        raise UsageError(
            f"no confidence grade {grade!r}: grades run {min(grades)} (best evidence) "
            f"to {max(grades)} (weakest)"
        )
    return grades[grade].correction


# -- additionality --------------------------------------------------------------------


@dataclass(frozen=True)
class AdditionalityDefaults:
    """Default additionality rates (proportions) and multiplier, with their source."""

    level: str
    deadweight: float
    displacement: float
    leakage: float
    substitution: float
    multiplier: float
    label: str
    source: str


@lru_cache(maxsize=8)
def additionality_defaults(
    level: str = "standard", path: Path | None = None
) -> AdditionalityDefaults:
    """Return the additionality defaults for ``level`` (standard, conservative or optimistic)."""
    text, label = _text("additionality.json", path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise AppraisalDataError(f"{label}: not valid JSON ({exc})") from exc
    scenarios = data.get("scenarios", {})
    if level not in scenarios:
        raise UsageError(
            f"no additionality level {level!r}: choose one of {', '.join(sorted(scenarios))}"
        )
    entry = scenarios[level]
    where = f"{label}, scenarios.{level}"

    def rate(key: str) -> float:
        value = _number(entry.get(key), f"{where}.{key}", low=0)
        if value > 1:
            raise AppraisalDataError(f"{where}.{key}: {value} is above 1")
        return value

    cited = data.get("source", {})
    source = (
        f"{cited.get('publication', 'Additionality Guide')} ({cited.get('publisher', 'HM Treasury')}, "
        f"{cited.get('date', '')}); central values by charlescoverdale/econstack-data@710804674f02"
    )
    return AdditionalityDefaults(
        level,
        rate("deadweight"),
        rate("displacement"),
        rate("leakage"),
        rate("substitution"),
        _number(entry.get("multiplier", 1.0), f"{where}.multiplier", low=0),
        str(entry.get("label", level)),
        source,
    )
