"""The [[partners]] blocks of place.toml: each partner, its pinned columns and per-source profiles.

A pasted partner block would count a partner twice, so a partner named twice (by
slug) is a fault.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

from totalplace.reference import nhs_need
from totalplace.workspace.areas import sector_area_kinds
from totalplace.workspace.checks import Checker, describe
from totalplace.workspace.model import SECTORS, Partner, Place, SourceProfile, slugify
from totalplace.workspace.toml_lines import KeyPath

PARTNER_KEYS = (
    "name",
    "sector",
    "areas",
    "fy_start_month",
    "sources",
    "aliases",
    "columns",
    "profiles",
    "apportion",
)
#: Sectors whose spending may be apportioned by NHS need instead of head count.
NHS_SECTORS = ("nhs_icb", "nhs_trust")
PROFILE_KEYS = ("sources", "columns", "period")
_PERIOD = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")


def check_partners(checker: Checker, data: dict[str, Any], place: Place | None) -> list[Partner]:
    """Return the partners of the [[partners]] blocks, each once, noting each fault."""
    items = data.get("partners", [])
    if isinstance(items, dict):
        checker.fault(
            ("partners",),
            "[partners] is written as one table, but each partner needs its own block with "
            "double brackets: write [[partners]] above each partner's name, sector, areas ...",
        )
        return []
    if not isinstance(items, list):
        checker.fault(
            ("partners",),
            f"partners is {describe(items)}; write each partner as its own [[partners]] block",
        )
        return []
    found: list[Partner] = []
    seen: dict[str, tuple[str, int | None]] = {}
    for index, item in enumerate(items):
        partner = check_partner(checker, index, item, place)
        if partner is None:
            continue
        line = (
            checker.lines.line(("partners", index, "name")) if checker.lines is not None else None
        )
        if partner.slug in seen:
            other, other_line = seen[partner.slug]
            at = f" (line {other_line})" if other_line is not None else ""
            checker.fault(
                ("partners", index, "name"),
                f"partner {partner.name!r} is the same partner as {other!r}{at} (both are "
                f"{partner.slug!r}); each partner must appear once, or its spending is "
                "counted twice: remove the repeated [[partners]] block or rename one",
            )
            continue
        seen[partner.slug] = (partner.name, line)
        found.append(partner)
    return found


def check_partner(
    checker: Checker, index: int, item: object, place: Place | None
) -> Partner | None:
    """Return the partner one [[partners]] block describes, or None (its faults noted)."""
    path: KeyPath = ("partners", index)
    if not isinstance(item, dict):
        checker.fault(
            path,
            f"partner number {index + 1} is {describe(item)}; write each partner as a "
            "[[partners]] block of name = ..., sector = ..., areas = [...]",
        )
        return None
    name = None
    if "name" not in item:
        checker.fault(
            path,
            f'partner number {index + 1} has no name; add one, e.g. name = "Hyndburn Borough Council"',
        )
    else:
        name = checker.text(
            item["name"],
            (*path, "name"),
            f"the name of partner number {index + 1}",
            '"Hyndburn Borough Council"',
        )
        if name is not None and not slugify(name):
            checker.fault(
                (*path, "name"),
                f"partner name {name!r} has no letters or digits; give it a readable name",
            )
            name = None
    where = f"partner {name!r}" if name else f"partner number {index + 1}"
    checker.unknown_keys(item, PARTNER_KEYS, path, where)
    sector: str | None = "unknown"
    if "sector" in item:
        sector = checker.text(item["sector"], (*path, "sector"), f"{where}: sector", '"police"')
        if sector is not None and sector not in SECTORS:
            close = difflib.get_close_matches(sector, SECTORS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            checker.fault(
                (*path, "sector"),
                f"{where}: sector {sector!r} is not a sector; {hint}sectors are {', '.join(SECTORS)}",
            )
            sector = None
    areas: tuple[str, ...] = ()
    if "areas" in item:
        kinds = sector_area_kinds(sector or "unknown")
        areas = checker.codes(
            item["areas"],
            (*path, "areas"),
            f"{where}: areas",
            kinds,
            place,
            'areas = ["E23000003"]',
        )
    default_month = place.financial_year_start if place is not None else 4
    month = checker.whole(
        item.get("fy_start_month", default_month),
        (*path, "fy_start_month"),
        f"{where}: fy_start_month",
        1,
        12,
        "give the month number its financial year starts, e.g. 4 for April",
    )
    sources = checker.texts(
        item.get("sources", []),
        (*path, "sources"),
        f"{where}: sources",
        'sources = ["data/*.csv"]',
    )
    aliases = checker.texts(
        item.get("aliases", []),
        (*path, "aliases"),
        f"{where}: aliases",
        'aliases = ["Lancashire Constabulary"]',
    )
    columns = pinned_columns(checker, item.get("columns", {}), (*path, "columns"), where)
    profiles = source_profiles(checker, item.get("profiles", []), (*path, "profiles"), where)
    apportion = check_apportion(checker, item.get("apportion"), (*path, "apportion"), where, sector)
    if name is None or sector is None or month is None or apportion is None:
        return None
    return Partner(name, sector, areas, month, sources, aliases, columns, profiles, apportion)


def check_apportion(
    checker: Checker, value: object, path: KeyPath, where: str, sector: str | None
) -> str | None:
    """Return the partner's apportionment driver ('population' if unset), or None (fault noted).

    'nhs_need' (overall) or 'nhs_need:COMPONENT' is for NHS partners only.
    """
    if value is None:
        return "population"
    text = checker.text(value, path, f"{where}: apportion", '"nhs_need"')
    if text is None:
        return None
    if text == "population":
        return text
    kind, _, component = text.partition(":")
    components = tuple(nhs_need.COMPONENTS)
    if kind != "nhs_need" or (component and component not in components):
        checker.fault(
            path,
            f'{where}: apportion = {text!r} is not a driver; write "population" (the default), '
            f'"nhs_need" or "nhs_need:COMPONENT" with a component of {", ".join(components)}',
        )
        return None
    if sector not in NHS_SECTORS:
        checker.fault(
            path,
            f"{where}: apportion = {text!r} is for NHS partners (sector "
            f"{' or '.join(NHS_SECTORS)}), not sector {sector!r}; remove it to apportion by population",
        )
        return None
    return f"nhs_need:{component or 'overall'}"


def source_profiles(
    checker: Checker, value: object, path: KeyPath, where: str
) -> tuple[SourceProfile, ...]:
    """Return a partner's per-source profiles: globs, pinned columns and a summary's period."""
    example = (
        '[[partners.profiles]] then sources = ["data/old/*.csv"] and columns = { amount = "Net" }'
    )
    if not isinstance(value, list):
        checker.fault(
            path,
            f"{where}: profiles is {describe(value)}, but it must be a list of tables, "
            f"each written as {example}",
        )
        return ()
    found: list[SourceProfile] = []
    for index, item in enumerate(value):
        at = (*path, index)
        what = f"{where}: profile number {index + 1}"
        if not isinstance(item, dict):
            checker.fault(at, f"{what} is {describe(item)}; write it as {example}")
            continue
        checker.unknown_keys(item, PROFILE_KEYS, at, what)
        if "sources" not in item:
            checker.fault(
                at,
                f'{what} has no sources; say which files it is for, e.g. sources = ["data/old/*.csv"]',
            )
            continue
        globs = checker.texts(
            item["sources"],
            (*at, "sources"),
            f"{what}: sources",
            'sources = ["data/old/*.csv"]',
        )
        columns = pinned_columns(checker, item.get("columns", {}), (*at, "columns"), what)
        period = None
        if "period" in item:
            raw = item["period"]
            if isinstance(raw, str) and _PERIOD.match(raw.strip()):
                period = raw.strip()
            else:
                checker.fault(
                    (*at, "period"),
                    f"{what}: period is {describe(raw)}; give the month a summary file "
                    'covers as "YYYY-MM", e.g. period = "2019-09"',
                )
                continue
        if "columns" not in item and "period" not in item:
            checker.fault(
                at,
                f'{what} pins no columns and no period; add columns = {{ amount = "Net" }} '
                'or period = "2019-09", or remove it',
            )
            continue
        if globs:
            found.append(SourceProfile(globs, columns, period))
    return tuple(found)


def pinned_columns(
    checker: Checker, value: object, path: KeyPath, where: str
) -> dict[str, str | int]:
    """Return a pinned column profile: field -> header text or column number (from 0)."""
    example = '[partners.columns] then amount = "Amount Paid" or amount = 7 (columns count from 0)'
    if not isinstance(value, dict):
        checker.fault(
            path,
            f"{where}: columns is {describe(value)}, but it must be a table, e.g. {example}",
        )
        return {}
    if not value:
        return {}
    # Imported here, only when columns are pinned: ingest imports this package (a
    # top-level import would be circular) and takes a second to load.
    from totalplace.ingest.columns import FIELDS

    found: dict[str, str | int] = {}
    taken: dict[str | int, str] = {}
    for fld, where_col in value.items():
        key_path = (*path, fld)
        if fld not in FIELDS:
            close = difflib.get_close_matches(fld, FIELDS, n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}? " if close else ""
            checker.fault(
                key_path,
                f"{where}: columns names an unknown field {fld!r}; {hint}fields are {', '.join(FIELDS)}",
            )
            continue
        if isinstance(where_col, int) and not isinstance(where_col, bool):
            if where_col < 0:
                checker.fault(
                    key_path,
                    f"{where}: columns {fld} = {where_col} is negative; column numbers count from 0 (the first column)",
                )
                continue
            column: str | int = where_col
        elif isinstance(where_col, str) and where_col.strip():
            column = where_col
        else:
            checker.fault(
                key_path,
                f"{where}: columns {fld} is {describe(where_col)}; give the header text in quotes or a column number from 0, e.g. {fld} = 3",
            )
            continue
        same = column.strip().casefold() if isinstance(column, str) else column
        if same in taken:
            checker.fault(
                key_path,
                f"{where}: columns {fld} and {taken[same]} both name {column!r}; each field needs its own column",
            )
            continue
        taken[same] = fld
        found[fld] = column
    return found
