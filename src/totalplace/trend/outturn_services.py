"""Revenue Outturn by service for one council and year: the ``budgets_govuk.json`` layout.

These compilations of MHCLG's Revenue Outturn (``ons_code``, ``units`` "GBP (converted
from GBP thousands)", ``by_year`` -> year -> ``revenue_summary`` -> ``service_expenditure``
-> service -> ``value_thousands`` / ``value_pounds``) carry every Revenue Outturn Summary
(RS) service line, social care and education included, which the ``revenue_trends.json``
series of a county lacks. Each ``service_expenditure`` figure is the line's **net current
expenditure** (the same figure as the RSX form's ``net_current_expenditure`` column,
where that is filled in), the measure the ``revenue_trends.json`` series uses, so the two
layouts make one net series; the gross, income and subjective columns of the RSX/RO forms
are not read (never gross and net in one series).

A null value is a line not published (Pendle did not submit 2023-24): no row, never zero.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from totalplace.years import YearError, parse_year, year_label

__all__ = [
    "SERVICES_LAYOUT",
    "SERVICE_LINES",
    "ServicesFileProblem",
    "is_services_file",
    "services_rows",
]

SERVICES_LAYOUT = "MHCLG Revenue Outturn by service (budgets_govuk.json)"

#: The RS service lines of ``service_expenditure`` (lower-case name -> RS line code);
#: None for the total (RS 699, the sum of the lines above it).
SERVICE_LINES: dict[str, str | None] = {
    "education services": "190",
    "highways and transport services": "290",
    "children social care": "330",
    "adult social care": "360",
    "public health": "390",
    "housing services (gfra only)": "490",
    "cultural and related services": "509",
    "environmental and regulatory services": "590",
    "planning and development services": "599",
    "police services": "601",
    "fire and rescue services": "602",
    "central services": "690",
    "other services": "698",
    "total service expenditure": None,
}
_UNITS = {"gbp(convertedfromgbpthousands)", "gbp", "£"}


class ServicesFileProblem(ValueError):
    """Why a file of this layout cannot be read (the caller names the file)."""


def is_services_file(data: dict[str, Any]) -> bool:
    """Return whether a JSON object is laid out as a budgets_govuk.json compilation (by its keys)."""
    years = data.get("by_year")
    return isinstance(years, dict) and any(
        isinstance(y, dict) and "revenue_summary" in y for y in years.values()
    )


def _pounds(key: str, figure: Any) -> Decimal | None:
    """Return a published figure in pounds (None if not published); £ thousands × 1,000."""
    if not isinstance(figure, dict):
        raise ServicesFileProblem(f"{key} is {figure!r}, not an object with 'value_thousands'")
    thousands, pounds = figure.get("value_thousands"), figure.get("value_pounds")
    raw, scale = (thousands, Decimal(1000)) if thousands is not None else (pounds, Decimal(1))
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ServicesFileProblem(f"{key} is {raw!r}, not a number")
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise ServicesFileProblem(f"{key} is {raw!r}, not a number") from exc
    if not value.is_finite():
        raise ServicesFileProblem(f"{key} is {raw!r}, not a number")
    return (value * scale).quantize(Decimal("0.01"))


def services_rows(path: Path, data: dict[str, Any], body_name: str | None) -> list[dict[str, Any]]:
    """Return one row per council x year x published service line (theme not yet set).

    Raises :class:`ServicesFileProblem` saying what is wrong (units, a year, a line, a value).
    """
    if "ons_code" not in data:
        raise ServicesFileProblem("no 'ons_code'")
    units = str(data.get("units", "")).replace(" ", "").lower()
    if units not in _UNITS:
        raise ServicesFileProblem(
            f"units {data.get('units')!r} (only GBP converted from £ thousands)"
        )
    code = str(data["ons_code"]).strip().upper()
    name = body_name or str(data.get("council_name") or data.get("council") or code)
    note = "published in £ thousands (value_thousands), × 1,000 to pounds; net current expenditure"
    rows: list[dict[str, Any]] = []
    for label, year in data["by_year"].items():
        try:
            start = parse_year(label)
        except YearError as exc:
            raise ServicesFileProblem(f"by_year has {label!r}, not a financial year") from exc
        if start is None:
            raise ServicesFileProblem(f"by_year has {label!r}, not a financial year")
        summary = year.get("revenue_summary") if isinstance(year, dict) else None
        lines = summary.get("service_expenditure") if isinstance(summary, dict) else None
        if not isinstance(lines, dict):
            raise ServicesFileProblem(
                f"by_year[{label!r}] has no revenue_summary.service_expenditure object"
            )
        for line, figure in lines.items():
            if line.strip().lower() not in SERVICE_LINES:
                raise ServicesFileProblem(
                    f"by_year[{label!r}].revenue_summary.service_expenditure has {line!r}, not a "
                    f"Revenue Outturn service line ({', '.join(sorted(SERVICE_LINES))})"
                )
            key = (
                f'$.by_year[{json.dumps(label)}]["revenue_summary"]["service_expenditure"]'
                f"[{json.dumps(line)}]"
            )
            amount = _pounds(key, figure)
            if amount is None:
                continue
            key += (
                '["value_thousands"]'
                if figure.get("value_thousands") is not None
                else '["value_pounds"]'
            )
            rows.append(
                {
                    "body_code": code,
                    "body_name": name,
                    "fy_start_year": start,
                    "financial_year": year_label(start),
                    "service": line,
                    "amount": amount,
                    "units_note": note,
                    "source_file": str(path),
                    "source_key": key,
                    "rs_line": SERVICE_LINES[line.strip().lower()],
                    "part_of": None,
                }
            )
    return rows
