"""The words of the coverage table: driver summaries per row, notes per kind of body, and what it leaves out."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from totalplace.coverage.estimates import TopdownEstimates
from totalplace.money import ZERO

_BAND_SHORT = {
    "pop_all": "all ages",
    "pop_0_15": "aged 0-15",
    "pop_16_59": "aged 16-59",
    "pop_60_plus": "aged 60+",
    "pop_working_age": "working age",
    "pop_16_plus": "aged 16+",
}


def driver_summary(estimates: TopdownEstimates, place_name: str) -> dict[str, str]:
    """Return per body (key) the population shares its estimate uses, largest part of the estimate first."""
    weights: dict[str, dict[tuple[str, str], Decimal]] = {}
    shares: dict[tuple[str, str], Decimal] = {}
    areas: dict[tuple[str, str], str] = {}
    for r in estimates.rows:
        key = (r["area_key"], r["band"])
        shares[key] = r["share"]
        area = r["area"]
        if r["kind"] == "dwp" and r["area_key"].startswith("body:"):
            area = f"housing benefit in {r['detail']}'s own outturn"
        areas[(r["body_key"], r["area_key"])] = area
        item = weights.setdefault(r["body_key"], {})
        item[key] = item.get(key, ZERO) + abs(r["estimate"])
    out = {}
    for kind, items in weights.items():
        by_area: dict[str, list[str]] = {}
        for key, _ in sorted(items.items(), key=lambda kv: -kv[1]):
            area_key, band = key
            text = (
                "in full"
                if shares[key] == 1
                else f"{_BAND_SHORT.get(band, band)} {shares[key] * 100:.2f}%"
            )
            texts = by_area.setdefault(areas[(kind, area_key)], [])
            if text not in texts:
                texts.append(text)
        if all(texts == ["in full"] for texts in by_area.values()) and kind != "dwp":
            whole_place = all(
                r["driver"] == f"covers only {place_name}: counted in full"
                for r in estimates.rows
                if r["body_key"] == kind
            )
            out[kind] = (
                f"counted in full: its return covers only {place_name}"
                if whole_place
                else f"counted in full: its area lies inside {place_name}"
            )
            continue
        parts = [
            f"{area} in full" if texts == ["in full"] else f"of {area}: {', '.join(texts)}"
            for area, texts in by_area.items()
        ]
        out[kind] = "population share " + "; ".join(parts) + " (ONS mid-2015)"
    return out


_PLURALS = {
    "district_council": "district councils",
    "unitary_council": "unitary councils",
    "county_council": "county councils",
    "combined_authority": "combined authorities",
    "police": "police bodies",
    "fire": "fire and rescue authorities",
}


def kind_notes(rows: list[dict[str, Any]]) -> list[str]:
    """Return, per kind of body the place has several of, how many are loaded and which are not."""
    notes = []
    kinds: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("area_code"):
            kinds.setdefault(row["kind"], []).append(row)
    for kind, members in kinds.items():
        members = [r for r in members if not r.get("part_year")]
        if len(members) < 2:
            continue
        loaded = [r for r in members if r["method"] in ("actual", "apportioned")]
        rest = [r for r in members if r not in loaded]
        plural = _PLURALS.get(kind, members[0]["kind_label"].lower() + "s")
        text = f"{plural.capitalize()}: {len(loaded)} of the {len(members)} {plural} serving the place loaded"
        if loaded:
            text += f" ({', '.join(', '.join(r['partners']) or r['who'] for r in loaded)})"
        if rest:
            by_status: dict[str, list[str]] = {}
            for r in rest:
                by_status.setdefault(r["status"], []).append(_body_name(r))
            text += "; not loaded: " + "; ".join(
                f"{', '.join(names)} ({status})" for status, names in by_status.items()
            )
        notes.append(text + ".")
    return notes


def _body_name(row: dict[str, Any]) -> str:
    return re.sub(r"\s+(district council|Council)$", "", row["who"])


def does_not_include(rows: list[dict[str, Any]], has_count: bool) -> list[str]:
    """Return plain-words items the count leaves out."""
    out = [
        f"{r['who']}: no data loaded and no top-down source"
        for r in rows
        if r["status"] == "missing"
    ]
    if has_count:
        out.append(
            "loaded partners' spending outside their published transactions: payroll, "
            "payments under the publication threshold, benefit payments to individuals"
        )
    out += [
        "capital spending of councils, police and fire (their outturn is current spending only)",
        "parish and town councils",
        "non-identifiable national spending (defence, debt interest, overseas), which the CRA does not place in regions",
    ]
    return out
