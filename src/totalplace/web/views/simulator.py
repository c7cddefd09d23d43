"""The residents' budget simulator: this year's spending by theme, a savings target and
stated floors per theme (``data/simulator/floors.toml``), and the check of a resident's plan."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

from totalplace.money import ZERO, round_half_up
from totalplace.web.access import PUBLIC
from totalplace.web.views.overview import overview
from totalplace.workspace import Workspace

__all__ = ["ResponseCheck", "check_response", "load_floors", "simulator"]

FLOORS_FILE = "floors.toml"


def load_floors() -> dict[str, Any]:
    """Return the shipped simulator settings: savings_target, default, and floors by theme."""
    text = (resources.files("totalplace") / "data" / "simulator" / FLOORS_FILE).read_text("utf-8")
    data = tomllib.loads(text)
    return {
        "savings_target": Decimal(str(data["savings_target"])),
        "default": bool(data.get("default", True)),
        "floors": {
            f["theme"]: {"share": Decimal(str(f["share"])), "duty": f["duty"]}
            for f in data.get("floors", [])
        },
    }


def simulator(ws: Workspace, year: int | str | None = None) -> dict[str, Any]:
    """Return the simulator's start: each theme's spending this year (amount and per head) and
    its floor (amount, share and the duty behind it), the total, the savings target and the
    total a plan must stay within. Decimal amounts, pounds a year for the place."""
    seen = overview(ws, PUBLIC, year)
    settings = load_floors()
    target = settings["savings_target"]
    themes = []
    for t in sorted(seen["by_theme"], key=lambda t: t["theme"]):
        if t["suppressed"]:
            continue  # a theme the public may not see cannot be rebalanced in public
        floor = settings["floors"].get(t["theme"])
        themes.append(
            {
                "theme": t["theme"],
                "amount": t["amount"],
                "per_head": t["per_head"],
                "floor_share": floor["share"] if floor else None,
                "floor": round_half_up(t["amount"] * floor["share"]) if floor else ZERO,
                "duty": floor["duty"] if floor else None,
                "floor_note": (
                    f"At least {floor['share']:.0%} of this year's spending, a minimum the "
                    f"partnership states because of a legal duty: {floor['duty']}."
                    if floor
                    else "No stated floor: no legal duty is attached to this theme here."
                ),
            }
        )
    total = sum((t["amount"] for t in themes), ZERO)
    return {
        "place": seen["place"],
        "fy_start_year": seen["fy_start_year"],
        "financial_year": seen["financial_year"],
        "population": seen["population"],
        "themes": themes,
        "total": total,
        "savings_target": target,
        "target_total": round_half_up(total * (1 - target)),
        "saving": total - round_half_up(total * (1 - target)),
        "defaults": settings["default"],
        "notes": [
            f"Find a saving of {target:.0%} of the £{total:,.2f} counted, by moving money "
            "between themes and cutting where you choose.",
            "Floors are minimums the partnership states for services the law requires; "
            + (
                "these are the tool's default values, not yet agreed by the partnership."
                if settings["default"]
                else "the partnership has set them."
            ),
        ],
    }


@dataclass
class ResponseCheck:
    """Whether a resident's plan meets the target and every floor, with a message per theme."""

    ok: bool
    total: Decimal
    target_total: Decimal
    messages: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the check as a JSON-ready document (amounts as decimal strings)."""
        return {
            "ok": self.ok,
            "total": format(self.total, "f"),
            "target_total": format(self.target_total, "f"),
            "messages": self.messages,
            "problems": self.problems,
        }


def check_response(
    ws: Workspace, year: int | str | None, allocations: Mapping[str, Decimal]
) -> ResponseCheck:
    """Return whether ``allocations`` (theme -> pounds a year for the place) keeps every theme at
    or above its floor, names every theme and only those, and stays within the target total."""
    start = simulator(ws, year)
    themes = {t["theme"]: t for t in start["themes"]}
    messages: dict[str, str] = {}
    problems: list[str] = []
    for name in sorted(set(allocations) - set(themes)):
        problems.append(f"'{name}' is not a theme of the simulator.")
    total = ZERO
    for name, theme in themes.items():
        if name not in allocations:
            messages[name] = "Give an amount for this theme (it can stay as it is)."
            problems.append(f"{name}: no amount given.")
            continue
        value = Decimal(allocations[name])
        total += value
        if value < 0:
            messages[name] = "An amount cannot be below zero."
            problems.append(f"{name}: below zero.")
        elif value < theme["floor"]:
            messages[name] = (
                f"£{value:,.2f} is below the floor of £{theme['floor']:,.2f} "
                f"({theme['floor_note']})"
            )
            problems.append(f"{name}: below its floor.")
        else:
            change = value - theme["amount"]
            messages[name] = (
                "No change."
                if change == 0
                else f"{'Up' if change > 0 else 'Down'} £{abs(change):,.2f} on this year."
            )
    over = total - start["target_total"]
    if over > 0:
        problems.append(
            f"The plan spends £{total:,.2f}: £{over:,.2f} more than the target of "
            f"£{start['target_total']:,.2f} ({start['savings_target']:.0%} less than this year)."
        )
    return ResponseCheck(
        ok=not problems,
        total=total,
        target_total=start["target_total"],
        messages=messages,
        problems=problems,
    )
