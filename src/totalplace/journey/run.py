"""A journey costed: each contact, each agency's cost of the cohort a year, current against redesigned.

Each contact costs ``unit cost x uplift x frequency x share x cohort`` a year (to the penny,
half up); an agency's cost of a path is the sum of its contacts (so the lines reconcile to
the agency totals exactly), and its difference is redesigned minus current: negative where
the agency pays less, positive where it pays more. Costs per person are per member of the
cohort (each contact's cost x its share), not per person affected.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from totalplace.journey.costs import Priced, price_contacts
from totalplace.journey.spec import PATHS, JourneySpec, journey_files, journey_path, read_journey
from totalplace.money import ZERO, round_half_up
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["AgencyCost", "JourneyResult", "journey_document", "list_journeys", "run_journey"]

ILLUSTRATIVE = (
    "Frequencies, shares and the cohort size are the journey file's (see its comments for "
    "their sources; where they are marked illustrative they are not this place's evidence)."
)


@dataclass(frozen=True)
class AgencyCost:
    """One agency's yearly cost of the cohort on each path, and the difference (redesigned - current)."""

    agency: str
    partner: bool
    current: Decimal
    redesigned: Decimal
    current_per_person: Decimal
    redesigned_per_person: Decimal

    @property
    def difference(self) -> Decimal:
        """Return redesigned minus current a year: below zero, the agency pays less."""
        return self.redesigned - self.current

    @property
    def difference_per_person(self) -> Decimal:
        """Return the difference per member of the cohort a year."""
        return self.redesigned_per_person - self.current_per_person


@dataclass(frozen=True)
class JourneyResult:
    """A costed journey: the checked file, every contact priced, and the totals by agency."""

    spec: JourneySpec
    lines: tuple[dict[str, Any], ...]
    agencies: tuple[AgencyCost, ...]

    def total(self, path: str) -> Decimal:
        """Return the yearly cost of the whole cohort on ``path`` ("current" or "redesigned")."""
        return sum((getattr(a, path) for a in self.agencies), ZERO)

    @property
    def citation(self) -> str:
        """Return how the journey's figures were made, in one sentence (for a scenario's sources)."""
        s = self.spec
        return (
            f"journey {s.path.name} ({s.name}): cohort of {s.cohort_size:,g} a year, contacts costed "
            f"with GMCA unit costs and local costs from the count at {year_label(s.price_year)} prices"
            + (f"; {s.source}" if s.source else "")
        )


def _line(p: Priced, size: Decimal) -> dict[str, Any]:
    c = p.contact
    frequency, share = Decimal(str(c.frequency)), Decimal(str(c.share))
    per_affected = p.unit_cost * frequency
    return {
        "path": c.path,
        "step": c.index + 1,
        "agency": c.agency,
        "partner": c.partner,
        "activity": c.activity,
        "unit_cost_kind": "gmca" if c.gmca is not None else "local",
        "unit_cost_code": c.gmca.code if c.gmca is not None else None,
        "unit_cost_original": round_half_up(p.original),
        "original_price_year": year_label(p.original_year),
        "uplift": float(round(p.uplift, 6)),
        "unit_cost": round_half_up(p.unit_cost),
        "frequency": c.frequency,
        "share": c.share,
        "per_person_affected": round_half_up(per_affected),
        "per_person": round_half_up(per_affected * share),
        "per_cohort": round_half_up(per_affected * share * size),
        "unit_cost_ref": p.ref,
        "unit_cost_source": p.source,
        "contact_source": c.source,
        "_exact_per_person": per_affected * share,
    }


def run_journey(workspace: Workspace, name: str | Path) -> JourneyResult:
    """Return the journey ``name`` (a file in ``journeys/`` or a path) costed per contact and agency.

    Raises JourneyFileError (every fault with its line; nothing computed) and the stage
    contract's StageNotRun/StageStale when a local unit cost needs the count first.
    """
    path = name if isinstance(name, Path) else journey_path(workspace, name)
    spec = read_journey(workspace, path)
    size = Decimal(str(spec.cohort_size))
    lines = [_line(p, size) for p in price_contacts(workspace, spec)]
    order = list(dict.fromkeys(line["agency"] for line in lines))  # first appearance
    agencies = []
    for agency in order:  # a handful of agencies, not data rows
        mine = [line for line in lines if line["agency"] == agency]

        def total(path: str, key: str, mine: list[dict[str, Any]] = mine) -> Decimal:
            return sum((line[key] for line in mine if line["path"] == path), ZERO)

        agencies.append(
            AgencyCost(
                agency=agency,
                partner=mine[0]["partner"],
                current=total("current", "per_cohort"),
                redesigned=total("redesigned", "per_cohort"),
                current_per_person=round_half_up(total("current", "_exact_per_person")),
                redesigned_per_person=round_half_up(total("redesigned", "_exact_per_person")),
            )
        )
    for line in lines:
        del line["_exact_per_person"]
    return JourneyResult(spec, tuple(lines), tuple(agencies))


def journey_document(result: JourneyResult) -> dict[str, Any]:
    """Return the costed journey as one JSON-ready document (amounts as Decimal)."""
    s = result.spec
    agencies = [
        {
            "agency": a.agency,
            "partner": a.partner,
            "current": a.current,
            "redesigned": a.redesigned,
            "difference": a.difference,
            "current_per_person": a.current_per_person,
            "redesigned_per_person": a.redesigned_per_person,
            "difference_per_person": a.difference_per_person,
            "pays": "less" if a.difference < 0 else "more" if a.difference > 0 else "the same",
        }
        for a in result.agencies
    ]
    totals = {p: result.total(p) for p in PATHS}
    return {
        "journey": {
            "name": s.name,
            "file": str(s.path),
            "description": s.description,
            "price_year": year_label(s.price_year),
            "source": s.source,
        },
        "cohort": {
            "name": s.cohort_name,
            "size": s.cohort_size,
            "who": s.cohort_who,
            "source": s.cohort_source,
        },  # fmt: skip
        "totals": {
            "current": totals["current"],
            "redesigned": totals["redesigned"],
            "difference": totals["redesigned"] - totals["current"],
            "current_per_person": sum((a.current_per_person for a in result.agencies), ZERO),
            "redesigned_per_person": sum((a.redesigned_per_person for a in result.agencies), ZERO),
        },
        "agencies": agencies,
        "contacts": list(result.lines),
        "method": (
            "Each contact a year: unit cost at its price year x GDP deflator uplift to "
            f"{year_label(s.price_year)} x frequency (per person affected) x share of the cohort "
            f"affected x cohort size ({s.cohort_size:,g}), to the penny; an agency's cost is the "
            "sum of its contacts; difference = redesigned - current (below zero: pays less). "
            + ILLUSTRATIVE
        ),
        "citation": result.citation,
    }


def list_journeys(workspace: Workspace) -> list[dict[str, Any]]:
    """Return each journey file of the workspace: its name, cohort, contacts, or what is wrong."""
    from totalplace.journey.spec import JourneyFileError

    rows: list[dict[str, Any]] = []
    for path in journey_files(workspace):
        try:
            spec = read_journey(workspace, path)
        except JourneyFileError as exc:
            rows.append({"name": path.stem, "file": str(path), "cohort": None, "current": None,
                         "redesigned": None, "problem": f"{len(exc.problems)} problem(s): "
                         + exc.problems[0].message})  # fmt: skip
            continue
        rows.append(
            {
                "name": spec.name,
                "file": str(path),
                "cohort": f"{spec.cohort_name} ({spec.cohort_size:,g} a year)",
                "current": len(spec.contacts_of("current")),
                "redesigned": len(spec.contacts_of("redesigned")),
                "problem": None,
            }
        )
    return rows
