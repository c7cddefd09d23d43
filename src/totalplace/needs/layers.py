"""The spending layers of a comparison row: bottom-up, top-down and all agencies, each per head; and the wards'.

Layers are never silently added (domain spec §3.2, §9): each keeps its year and method,
and the all-agencies sum says when its years differ. The place's top-down layer is
shared between its wards by the theme's ward driver, in pennies by largest remainder.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from totalplace.coverage.bodies import bodies_serving
from totalplace.money import allocate, from_pennies, per_head, to_pennies
from totalplace.needs.drivers import COHORT_LABELS, driver_weights, ward_drivers
from totalplace.needs.wardpeople import district_scales, ward_people
from totalplace.needs.wards import place_wards
from totalplace.workspace import Workspace


def set_layers(
    row: dict[str, Any],
    bottom_up: Decimal,
    top_down: Decimal,
    year: str,
    top_down_year: str,
    top_down_method: str,
) -> None:
    """Set a place or ward row's layers (bottom-up, top-down, all agencies) and their per-head figures."""
    people = row.get("population")
    cohort_people = row.get("cohort_population") if row.get("cohort") else None
    total = bottom_up + top_down
    row.update(
        per_head=per_head(bottom_up, people),
        cohort_per_head=per_head(bottom_up, cohort_people) if row.get("cohort") else None,
        bottom_up_year=year,
        bottom_up_method="actual + apportioned: the count of the loaded ledgers",
        top_down=top_down,
        top_down_year=top_down_year,
        top_down_method=top_down_method,
        top_down_per_head=per_head(top_down, people),
        top_down_cohort_per_head=per_head(top_down, cohort_people),
        all_agency=total,
        all_agency_note=(
            f"bottom-up {year} + top-down {top_down_year}"
            + (" — years differ: cash, not uprated" if top_down_year != year else "")
        ),
        all_agency_per_head=per_head(total, people),
        all_agency_cohort_per_head=per_head(total, cohort_people),
    )


def set_all_bodies(row: dict[str, Any], amount: Decimal | None) -> None:
    """Set a district row's like-for-like top-down estimate of every body and its per-head figures."""
    cohort_people = row.get("cohort_population") if row.get("cohort") else None
    row.update(
        top_down_all_bodies=amount,
        top_down_all_bodies_per_head=per_head(amount, row.get("population")),
        top_down_all_bodies_cohort_per_head=per_head(amount, cohort_people),
    )


def ward_topdown(
    workspace: Workspace,
    ward_rows: list[dict[str, Any]],
    cells: list[dict[str, Any]],
    year: str,
    top_down_year: str,
    top_down_method: str,
) -> None:
    """Apportion the place's top-down layer to its wards and set every ward's layers.

    Each (kind, theme) cell of the estimate (net, bodies with no loaded data) is split
    between the wards by the theme's ward driver — the same as the count's (65+/60+ for
    older people, all ages by default) — in pennies by largest remainder, so the wards
    of every cell add up to it exactly.
    """
    if not ward_rows:
        return

    ward_list = place_wards(workspace)
    year_used = int(ward_rows[0]["population_year"])
    scales = district_scales(workspace, ward_list, year_used)
    reach = {
        b.key: [i for i, w in enumerate(ward_list) if w.lad_code in set(b.districts([]))]
        for b in bodies_serving(workspace)
        if b.area_code
    }
    by_theme, default = ward_drivers(workspace)
    amounts = dict.fromkeys((w.code for w in ward_list), 0)
    raw: dict[str, list[Any]] = {}
    for cell in cells:
        if not cell["in_count"] or not cell["net"]:
            continue
        driver = by_theme.get(cell["theme"], default)
        if driver not in raw:
            raw[driver] = list(driver_weights(ward_list, driver))
        # A body's estimate goes to the wards of the place in its area (national: all).
        positions = reach.get(cell["body_key"]) or list(range(len(ward_list)))
        weights = [Fraction(raw[driver][i]) * scales[ward_list[i].lad_code] for i in positions]
        pennies = allocate(to_pennies(cell["net"]), weights)
        for i, part in zip(positions, pennies, strict=True):
            amounts[ward_list[i].code] += part
    for row in ward_rows:
        top_down = from_pennies(amounts.get(row["code"], 0))
        set_layers(row, row["spend"], top_down, year, top_down_year, top_down_method)
        row["top_down_method"] = (
            f"{top_down_method}; shared between wards by the theme's ward driver "
            "(largest remainder, in pennies)"
        )


def comparison_wards(
    workspace: Workspace,
    rows: list[dict[str, Any]],
    theme: str | None,
    cohort: str | None,
    year: str,
) -> list[dict[str, Any]]:
    """Return one row per ward: its spend for the year (and theme) per head and per cohort head, and IMD."""
    ward_list = place_wards(workspace)
    by_ward: dict[str, dict[str, Any]] = {}
    for row in rows:
        item = by_ward.setdefault(
            row["ward_code"],
            {
                "kind": "ward",
                "code": row["ward_code"],
                "name": row["ward_name"],
                "financial_year": year,
                "theme": theme or "all themes",
                "spend": Decimal("0.00"),
                "spend_status": "apportioned from the count",
                "population": row["population"],
                "population_year": row["population_year"],
            },
        )
        if theme is None or row["theme"] == theme:
            item["spend"] += row["counted_amount"]
    people: list[int] | None = None
    if cohort and rows:
        year_used = int(rows[0]["population_year"])
        people = ward_people(workspace, ward_list, 0, year_used, cohort)
    cohort_people = {w.code: p for w, p in zip(ward_list, people or [], strict=False)}
    everyone: list[int] | None = None
    result = []
    for ward in ward_list:
        if ward.code not in by_ward:
            if not rows:
                continue
            # A ward of the place none of whose loaded partners serves it (a district
            # whose council is not loaded): no bottom-up spend, but its top-down share.
            if everyone is None:
                everyone = ward_people(
                    workspace, ward_list, 0, int(rows[0]["population_year"]), "population"
                )
            by_ward[ward.code] = {
                "kind": "ward",
                "code": ward.code,
                "name": ward.name,
                "financial_year": year,
                "theme": theme or "all themes",
                "spend": Decimal("0.00"),
                "spend_status": "no loaded partner serves it",
                "population": everyone[ward_list.index(ward)] if everyone else None,
                "population_year": rows[0]["population_year"],
            }
        item = by_ward[ward.code]
        count = cohort_people.get(ward.code)
        item.update(
            per_head=per_head(item["spend"], item["population"]),
            cohort=COHORT_LABELS.get(cohort or ""),
            cohort_population=count,
            cohort_per_head=per_head(item["spend"], count) if cohort else None,
            ward_imd_rank=ward.imd_rank,
            ward_most_deprived_decile_share=ward.imd_most_deprived_decile_share,
            source=(f"spend: {rows[0]['method']}, {rows[0]['source']}; IMD: {ward.imd_source}"),
        )
        result.append(item)
    return result
