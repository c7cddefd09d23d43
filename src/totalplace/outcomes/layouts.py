"""The two tidy layouts of outcome indicator files, recognised from their columns.

* **ONS Explore Local Statistics** (one file per indicator, every UK area level):
  areacd, areanm, geography, indicator, period (an ISO 8601 interval), observation (or
  value), measure, unit, lci_95, uci_95, status, notes, and polarity where given.
* **Oflog adult social care** (``ASC_data.csv``, measures ASC1-ASC7 of upper-tier
  authorities): Financial year, Local authority code, Local authority name, Measure,
  Code, Value, MEDIAN, rank_order (``desc``: higher ranks first, so higher is better).

Column names are compared without case, spaces or underscores, so a user's file of the
same layout with ``Area code`` written ``AREACD`` is recognised too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from totalplace.errors import BadInputError

__all__ = ["LAYOUTS", "Layout", "OutcomeLayoutError", "recognise", "squash"]


class OutcomeLayoutError(BadInputError):
    """An outcome file is not of a layout totalplace reads; the message lists what each needs."""


@dataclass(frozen=True)
class Layout:
    """One layout: its name, label, the columns it needs (alternatives joined by '|') and may have."""

    name: str
    label: str
    required: tuple[str, ...]
    optional: tuple[str, ...]

    def column(self, header: Iterable[str], wanted: str) -> str | None:
        """Return the file's own name of the column ``wanted`` (or of an alternative), None if absent."""
        by_squash = {squash(h): h for h in header}
        for option in wanted.split("|"):
            if squash(option) in by_squash:
                return by_squash[squash(option)]
        return None

    def missing(self, header: Iterable[str]) -> list[str]:
        """Return the required columns ``header`` lacks."""
        names = list(header)
        return [w for w in self.required if self.column(names, w) is None]


LAYOUTS: tuple[Layout, ...] = (
    Layout(
        "oflog_adult_social_care",
        "Oflog adult social care measures",
        (
            "Financial year",
            "Local authority code",
            "Local authority name",
            "Measure",
            "Code",
            "Value",
        ),
        ("Entity_Name", "Region", "MEDIAN", "rank_order"),
    ),
    Layout(
        "ons_explore_local_statistics",
        "ONS Explore Local Statistics",
        ("areacd", "areanm", "indicator", "period", "observation|value"),
        ("geography", "measure", "unit", "lci_95", "uci_95", "status", "notes", "polarity"),
    ),
)


def squash(name: str) -> str:
    """Return a column name without case, spaces, underscores or a byte-order mark."""
    return re.sub(r"[\s_\-\ufeff]+", "", name).lower()


def recognise(header: list[str], file: str) -> Layout:
    """Return the layout whose required columns ``header`` has.

    Raises OutcomeLayoutError naming the file and listing each layout's required columns.
    """
    for layout in LAYOUTS:
        if not layout.missing(header):
            return layout
    wanted = "; ".join(
        f"{layout.label}: {', '.join(c.replace('|', ' or ') for c in layout.required)}"
        for layout in LAYOUTS
    )
    shown = ", ".join(h for h in header if h.strip())[:300] or "none"
    raise OutcomeLayoutError(
        f"{file}: not an outcome indicator file of a layout totalplace reads (its columns: "
        f"{shown}). The layouts and the columns each needs are — {wanted}. Save the file "
        "with those column names (in any order, any case), or leave it out of [[outcomes]] "
        "in place.toml."
    )
