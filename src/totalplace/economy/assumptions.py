"""The local economy's assumptions: re-spend rates, staff pay, the jobs benchmark, where look-ups live.

The defaults ship in ``totalplace/data/economy/economy.toml`` (each citing its source);
a workspace's ``economy.toml`` overrides only the keys it sets, and a changed value
takes the file's ``source`` if it gives one. Sectors (category -> SIC section) ship
in ``data/economy/sectors.toml`` and may be extended in the workspace file's
``[sectors]`` table. Every rate is checked to lie between 0 and 1.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

from totalplace.errors import WorkspaceStateError
from totalplace.workspace import Workspace

__all__ = [
    "ECONOMY_FILE",
    "SECTIONS",
    "EconomyAssumptions",
    "EconomyError",
    "load_economy_assumptions",
]

ECONOMY_FILE = "economy.toml"
#: SIC 2007 sections A to S, the sectors of employment.json and multipliers.json.
SECTIONS: tuple[str, ...] = tuple("ABCDEFGHIJKLMNOPQRS")

_KEYS: dict[str, tuple[str, ...]] = {
    "respend": ("local_suppliers", "non_local_suppliers", "staff", "source"),
    "staff": ("pay", "local_share", "source"),
    "benchmark": ("jobs_per_million", "source"),
    "lookups": ("postcode_directory", "local_economy_folder"),
    "sectors": (),  # any category name
}
_FRACTIONS = {
    ("respend", "local_suppliers"),
    ("respend", "non_local_suppliers"),
    ("respend", "staff"),
    ("staff", "local_share"),
}


class EconomyError(WorkspaceStateError):
    """The local economy cannot be worked out as asked; the message says which file and what to do."""


@dataclass(frozen=True)
class EconomyAssumptions:
    """The rates and settings in force, each with the source that justifies it."""

    respend_local: Decimal
    respend_non_local: Decimal
    respend_staff: Decimal
    respend_source: str
    staff_pay: Decimal
    staff_local_share: Decimal
    staff_source: str
    jobs_per_million: Decimal
    benchmark_source: str
    postcode_directory: str
    local_economy_folder: str
    sectors: dict[str, str] = field(default_factory=dict)
    multiplier_sectors: dict[str, str] = field(default_factory=dict)
    origin: str = "default"

    def as_json(self) -> dict[str, Any]:
        """Return the assumptions as a JSON-ready mapping (numbers as decimal strings)."""
        return {
            "respend": {
                "local_suppliers": str(self.respend_local),
                "non_local_suppliers": str(self.respend_non_local),
                "staff": str(self.respend_staff),
                "source": self.respend_source,
            },
            "staff": {
                "pay": str(self.staff_pay),
                "local_share": str(self.staff_local_share),
                "source": self.staff_source,
            },
            "benchmark": {
                "jobs_per_million": str(self.jobs_per_million),
                "source": self.benchmark_source,
            },
            "origin": self.origin,
        }


def _shipped(name: str) -> dict[str, Any]:
    text = (resources.files("totalplace") / "data" / "economy" / name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise EconomyError(f"{path}: not valid TOML ({exc}); fix the file and run again") from exc


def _check_keys(data: dict[str, Any], path: Path) -> None:
    for table, values in data.items():
        if table not in _KEYS:
            raise EconomyError(
                f"{path}: unknown table [{table}]; the tables are "
                + ", ".join(f"[{k}]" for k in _KEYS)
            )
        if not isinstance(values, dict):
            raise EconomyError(f"{path}: {table} must be a table ([{table}])")
        for key in values:
            if _KEYS[table] and key not in _KEYS[table]:
                raise EconomyError(
                    f"{path}: unknown key {key!r} in [{table}]; its keys are "
                    + ", ".join(_KEYS[table])
                )


def _number(value: Any, where: str, path: Path, fraction: bool) -> Decimal:
    try:
        number = Decimal(str(value)) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise EconomyError(f"{path}: {where} = {value!r} is not a number of 0 or more")
    if fraction and number > 1:
        raise EconomyError(
            f"{path}: {where} = {value} is not between 0 and 1 (a fraction: "
            f"{number / 100} for {value}%)"
        )
    return number


def load_economy_assumptions(workspace: Workspace | None) -> EconomyAssumptions:
    """Return the shipped assumptions with the workspace's ``economy.toml`` laid over them.

    Raises EconomyError naming the file and key for an unknown table or key, a value
    that is not a number, or a rate outside 0-1.
    """
    merged = _shipped(ECONOMY_FILE)
    shipped_path = Path("totalplace/data/economy") / ECONOMY_FILE
    sectors = dict(_shipped("sectors.toml")["categories"])
    multiplier_sectors = dict(_shipped("sectors.toml")["multiplier_sectors"])
    origin = "default"
    path = workspace.root / ECONOMY_FILE if workspace is not None else None
    if path is not None and path.exists():
        data = _read(path)
        _check_keys(data, path)
        for table, values in data.items():
            if table == "sectors":
                bad = {c: s for c, s in values.items() if s not in SECTIONS}
                if bad:
                    category, section = next(iter(bad.items()))
                    raise EconomyError(
                        f"{path}: [sectors] {category!r} = {section!r} is not a SIC 2007 "
                        "section letter A to S"
                    )
                sectors.update(values)
                continue
            changed = {k for k in values if k != "source"}
            if changed and "source" in _KEYS[table] and "source" not in values:
                values = {**values, "source": f"{ECONOMY_FILE} (no source given)"}
            merged[table] = {**merged.get(table, {}), **values}
        origin = str(path)
    else:
        path = shipped_path
    where = path
    numbers = {
        (t, k): _number(merged[t][k], f"[{t}] {k}", where, (t, k) in _FRACTIONS)
        for t, k in (
            ("respend", "local_suppliers"),
            ("respend", "non_local_suppliers"),
            ("respend", "staff"),
            ("staff", "pay"),
            ("staff", "local_share"),
            ("benchmark", "jobs_per_million"),
        )
    }
    return EconomyAssumptions(
        respend_local=numbers[("respend", "local_suppliers")],
        respend_non_local=numbers[("respend", "non_local_suppliers")],
        respend_staff=numbers[("respend", "staff")],
        respend_source=str(merged["respend"]["source"]),
        staff_pay=numbers[("staff", "pay")],
        staff_local_share=numbers[("staff", "local_share")],
        staff_source=str(merged["staff"]["source"]),
        jobs_per_million=numbers[("benchmark", "jobs_per_million")],
        benchmark_source=str(merged["benchmark"]["source"]),
        postcode_directory=str(merged["lookups"]["postcode_directory"]),
        local_economy_folder=str(merged["lookups"]["local_economy_folder"]),
        sectors=sectors,
        multiplier_sectors=multiplier_sectors,
        origin=origin,
    )
