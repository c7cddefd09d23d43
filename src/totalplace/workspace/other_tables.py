"""The other tables of place.toml: [limits], [warehouse] and [wards]."""

from __future__ import annotations

from typing import Any

from totalplace.limits import Limits
from totalplace.workspace import engine_url
from totalplace.workspace.checks import Checker

WAREHOUSE_KEYS = ("url",)
WARDS_KEYS = ("drivers", "default")


def check_limits(checker: Checker, data: dict[str, Any]) -> Limits:
    """Return the [limits] place.toml sets (defaults for the rest), noting each fault."""
    table = checker.table(
        data.get("limits", {}),
        ("limits",),
        "; write [limits] on its own line, then e.g. max_file_mb = 4096",
    )
    if table is None:
        return Limits()
    names = tuple(Limits.names())
    checker.unknown_keys(table, names, ("limits",), "[limits]")
    values: dict[str, int] = {}
    for name, value in table.items():
        if name in names:
            default = getattr(Limits(), name)
            got = checker.whole(
                value,
                ("limits", name),
                f"[limits] {name}",
                1,
                None,
                f"the default is {default}",
            )
            if got is not None:
                values[name] = got
    return Limits(**values)


def check_warehouse(checker: Checker, data: dict[str, Any]) -> str | None:
    """Return ``[warehouse] url`` (None when absent), noting a fault if it is no engine's URL."""
    table = checker.table(
        data.get("warehouse", {}),
        ("warehouse",),
        "; write [warehouse] on its own line, then "
        'e.g. url = "postgresql://totalplace@db.example.org/hyndburn"',
    )
    if table is None:
        return None
    checker.unknown_keys(table, WAREHOUSE_KEYS, ("warehouse",), "[warehouse]")
    if "url" not in table:
        return None
    url = checker.text(
        table["url"], ("warehouse", "url"), "[warehouse] url", '"postgresql://user@host/db"'
    )
    if url is None:
        return None
    try:
        engine_url.parse(url)
    except ValueError as exc:
        checker.fault(("warehouse", "url"), f"[warehouse] url: {exc}")
        return None
    return url


def check_wards(checker: Checker, data: dict[str, Any]) -> None:
    """Note the faults of [wards] (its default and drivers are read where wards are counted)."""
    table = checker.table(
        data.get("wards", {}),
        ("wards",),
        '; write [wards] on its own line, then e.g. default = "population"',
    )
    if table is None:
        return
    checker.unknown_keys(table, WARDS_KEYS, ("wards",), "[wards]")
    if "default" in table:
        checker.text(table["default"], ("wards", "default"), "[wards] default", '"population"')
    drivers = table.get("drivers", {})
    if not isinstance(drivers, dict) or not all(isinstance(v, str) for v in drivers.values()):
        checker.fault(
            ("wards", "drivers"),
            '[wards] drivers must be a table of theme = driver, e.g. drivers = { "Older people" = "older" }',
        )
