"""The schema of ``place.toml``, checked in one pass: every fault named by file, line and key.

A typo in place.toml changes totals (issue 13, finding 6: a police area one digit
short counted the police at 100%; a pasted partner block counted it twice), so
nothing is coerced and all faults are reported together, each table checked by its
own module (:mod:`place_table`, :mod:`partner_tables`, :mod:`other_tables`).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from totalplace.limits import Limits
from totalplace.workspace.asset_tables import check_assets
from totalplace.workspace.checks import TOP_KEYS, Checker, problems_message, suggest
from totalplace.workspace.model import (
    AssetRegister,
    Partner,
    Place,
    PlaceFileProblem,
    WorkspaceError,
)
from totalplace.workspace.other_tables import check_limits, check_wards, check_warehouse
from totalplace.workspace.partner_tables import check_partner, check_partners
from totalplace.workspace.place_table import check_place
from totalplace.workspace.toml_lines import TomlLines

__all__ = ["parse_place_text", "partner_problems"]


def parse_place_text(
    text: str, path: Path
) -> tuple[Place, list[Partner], Limits, str | None, list[AssetRegister]]:
    """Return the place, partners, limits, warehouse URL and asset registers a place.toml describes.

    Raises WorkspaceError listing every fault, each with its line and key where found.
    """
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found.group(1)) if found else None
        reason = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc)) or "not valid TOML"
        problem = PlaceFileProblem(
            line,
            "",
            f"this is not valid TOML ({reason}); fix that line (or the end of the one above "
            "it, for a list or string left open): text goes in quotes "
            '(name = "Hyndburn"), lists in square brackets (sources = ["data/*.csv"]), '
            "each partner under its own [[partners]] line",
        )
        raise WorkspaceError(problems_message(path, [problem]), (problem,)) from exc
    checker = Checker(TomlLines(text))
    for key in data:
        if key not in TOP_KEYS:
            checker.fault((key,), f"unknown key or table {key!r}; {suggest(key, TOP_KEYS)}")
    place = check_place(checker, data)
    partners = check_partners(checker, data, place)
    limits = check_limits(checker, data)
    check_wards(checker, data)
    warehouse = check_warehouse(checker, data)
    assets = check_assets(checker, data)
    checker.raise_faults(path)
    if place is None:  # check_place notes why; a place.toml without [place] has a fault
        raise WorkspaceError(problems_message(path, checker.problems), tuple(checker.problems))
    return place, partners, limits, warehouse, assets


def partner_problems(
    partner: Partner, place: Place, existing: list[Partner]
) -> list[PlaceFileProblem]:
    """Return what is wrong with a partner about to be added (the same checks as place.toml)."""
    checker = Checker(None)
    entry: dict[str, Any] = {
        "name": partner.name,
        "sector": partner.sector,
        "areas": list(partner.areas),
        "fy_start_month": partner.fy_start_month,
        "sources": list(partner.sources),
        "aliases": list(partner.aliases),
        "columns": dict(partner.columns),
        "profiles": [
            {"sources": list(p.sources), "columns": dict(p.columns)}
            | ({"period": p.period} if p.period else {})
            for p in partner.profiles
        ],
    }
    if partner.apportion != "population":
        entry["apportion"] = partner.apportion
    checked = check_partner(checker, 0, entry, place)
    if checked is not None:
        for other in existing:
            if other.slug == checked.slug:
                checker.fault(
                    ("partners", 0, "name"),
                    f"partner {partner.name!r} is already in place.toml (as {other.name!r}); "
                    "edit that partner instead of adding it again",
                )
    return checker.problems
