"""Top-down estimates of one theme: for the place (net of what is already counted) and for any district.

``totalplace compare --theme`` sets the place's bottom-up count of a theme beside the
top-down estimate of the same theme for the bodies with no loaded data, and compares
places like for like on the top-down estimate of every body. This module gives both:

* :func:`place_theme_topdown` -- the workspace's place: top-down rows of the theme
  (``topdown_estimates``, themed by ``data/topdown/themes.toml``), per kind of body,
  with payments to a body already counted in the loaded ledgers under the same theme
  taken off that body's estimate (counted once, at the body that spends it);
* :func:`district_theme_topdown` -- any English district with no workspace (a
  comparator): the same sources, drivers and themes, every body estimated, nothing
  netted, nothing written.

Both keep the year, method and sources of the estimate, and list the lines of other
themes (or unthemed) that the mapping says serve the theme in part (``partly``): they
are shown beside the theme's figures, never added to them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from totalplace.coverage.bodies import bodies_serving
from totalplace.coverage.estimates import TopdownEstimates
from totalplace.coverage.paid import already_counted, already_counted_by_theme
from totalplace.coverage.partyear import months_missing, part_of_year
from totalplace.coverage.themes import theme_map_for
from totalplace.coverage.topdown import CONFIDENCE, METHOD, RS_KINDS, estimate, estimate_district
from totalplace.money import ZERO, split
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = [
    "ThemeTopdown",
    "district_theme_topdown",
    "loaded_kinds",
    "place_theme_topdown",
]


@dataclass
class ThemeTopdown:
    """The top-down estimate of one theme (None: every theme) for a district, by kind of body.

    ``cells`` holds one item per (kind, theme) with ``gross`` (the estimate),
    ``already_counted`` (payments to that body counted in loaded ledgers under that
    theme, taken off) and ``net``; ``in_count`` is False for kinds whose data is loaded
    (kept for the like-for-like comparison only). ``partly`` lists lines of other themes
    that serve this one in part (not added).
    """

    code: str
    name: str
    theme: str | None
    cra_year: str
    rs_year: str
    cells: list[dict[str, Any]]
    partly: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    @property
    def financial_year(self) -> str:
        """Return the year(s) of the estimate: '2017-18', or 'CRA 2017-18 / RS 2014-15' if they differ."""
        if self.cra_year == self.rs_year:
            return self.cra_year
        return f"CRA {self.cra_year} / RS {self.rs_year}"

    @property
    def method(self) -> str:
        """Return how the estimate is made, in words."""
        return (
            "HM Treasury CRA 2018 spending in the region × the place's population share, and "
            "each council's, police and fire body's RS outturn × the place's population share; "
            f"cash {self.financial_year}, not uprated; method {METHOD}, confidence {CONFIDENCE}"
        )

    @property
    def total(self) -> Decimal:
        """Return the top-down layer: the net estimate of the kinds with no loaded data."""
        return sum((c["net"] for c in self.cells if c["in_count"]), ZERO)

    @property
    def gross(self) -> Decimal:
        """Return the estimate of the kinds with no loaded data before payments already counted."""
        return sum((c["gross"] for c in self.cells if c["in_count"]), ZERO)

    @property
    def already_counted(self) -> Decimal:
        """Return the payments already counted in loaded ledgers, taken off the estimate."""
        return sum((c["already_counted"] for c in self.cells if c["in_count"]), ZERO)

    @property
    def all_bodies(self) -> Decimal:
        """Return the estimate of every body, loaded or not, gross: the like-for-like figure."""
        return sum((c["gross"] for c in self.cells), ZERO)

    def by_kind(self, in_count_only: bool = True) -> list[dict[str, Any]]:
        """Return per kind of body: body, in_count, net, gross and already counted, largest net first."""
        kinds: dict[str, dict[str, Any]] = {}
        for c in self.cells:
            if in_count_only and not c["in_count"]:
                continue
            item = kinds.setdefault(
                c["body_key"],
                {
                    "kind": c["kind"],
                    "body_key": c["body_key"],
                    "body": c["body"],
                    "in_count": c["in_count"],
                    "gross": ZERO,
                    "already_counted": ZERO,
                    "net": ZERO,
                },
            )
            for key in ("gross", "already_counted", "net"):
                item[key] += c[key]
        return sorted(kinds.values(), key=lambda k: (-k["net"], k["kind"]))

    def as_json(self) -> dict[str, Any]:
        """Return a JSON-ready summary (decimals as strings)."""
        return {
            "code": self.code,
            "name": self.name,
            "theme": self.theme,
            "financial_year": self.financial_year,
            "method": self.method,
            "top_down": str(self.total),
            "top_down_gross": str(self.gross),
            "already_counted_in_loaded_ledgers": str(self.already_counted),
            "all_bodies": str(self.all_bodies),
            "by_kind": [
                {k: str(v) if isinstance(v, Decimal) else v for k, v in item.items()}
                for item in self.by_kind(in_count_only=False)
            ],
            "partly": [
                {k: str(v) if isinstance(v, Decimal) else v for k, v in item.items()}
                for item in self.partly
            ],
            "notes": self.notes,
        }


def loaded_kinds(workspace: Workspace, partners: Iterable[str]) -> set[str]:
    """Return the bodies (``Body.key``) loaded by the given partner slugs (those with spending counted)."""
    slugs = set(partners)
    return {
        body.key
        for body in bodies_serving(workspace)
        if any(p.slug in slugs for p in body.partners)
    }


def _theme_of(theme: str | None, row: dict[str, Any]) -> bool:
    return theme is None or row["theme"] == theme


def _partly(estimates: TopdownEstimates, theme: str | None) -> list[dict[str, Any]]:
    """Return, per kind and mapping rule, the lines of other themes that serve ``theme`` in part."""
    if theme is None:
        return []
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for row in estimates.rows:
        partly = (row["theme_partly"] or "").split("; ")
        if row["theme"] == theme or theme not in partly:
            continue
        key = (row["kind"], row["theme_rule"] or "")
        item = groups.setdefault(
            key,
            {
                "kind": row["kind"],
                "body": row["body"],
                "rule": row["theme_rule"],
                "theme": row["theme"],
                "lines": set(),
                "segments": set(),
                "estimate": ZERO,
                "in_count": row["in_count"],
                "financial_year": row["financial_year"],
            },
        )
        item["lines"].add(row["line"])
        if row["source"].startswith("HM Treasury"):  # detail: department / organisation / segment
            item["segments"].add(str(row["detail"]).split(" / ")[-1].split("-", 1)[-1].strip())
        item["estimate"] += row["estimate"]
    out = []
    for item in groups.values():
        if not item["estimate"]:
            continue
        lines, segments = sorted(item.pop("lines")), sorted(item.pop("segments"))
        item["line"] = lines[0] if len(lines) == 1 else f"{lines[0]} and {len(lines) - 1} more"
        if len(segments) == 1:
            item["line"] += f" ({segments[0].lower()})"
        out.append(item)
    return sorted(out, key=lambda i: (-i["estimate"], i["kind"]))


def _cells(
    estimates: TopdownEstimates,
    theme: str | None,
    paid_by_theme: dict[tuple[str, str], Decimal] | None = None,
    paid_by_kind: dict[str, Decimal] | None = None,
    part_year: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Return one cell per (kind, theme) of ``theme``: gross estimate, payments already counted, net.

    Payments to a body already counted in loaded ledgers (``paid_by_kind``, as the
    coverage takes them off, and ``paid_by_theme``, the same by the theme the count gave
    them) are taken off the body's cells in two steps: first each theme's payments off
    the same theme's estimate (capped at it); then what is left — payments under themes
    the body has no estimate for — off its other cells in proportion to what remains of
    them, in pennies by largest remainder. In all, a body loses exactly what the
    coverage takes off it (its payments, capped at its estimate), so every theme
    together adds up to the coverage's top-down layer.
    """
    cells: dict[tuple[str, str], dict[str, Any]] = {}
    for row in estimates.rows:
        key = (row["body_key"], row["theme"])
        cell = cells.setdefault(
            key,
            {
                "kind": row["kind"],
                "body_key": row["body_key"],
                "body": row["body"],
                "theme": row["theme"],
                "in_count": row["in_count"],
                "gross": ZERO,
                "already_counted": ZERO,
                "financial_year": set(),
                "rows": 0,
            },
        )
        cell["gross"] += row["estimate"]
        cell["financial_year"].add(row["financial_year"])
        cell["rows"] += 1
    for body_key, missing in (part_year or {}).items():
        _scale_to_months([c for c in cells.values() if c["body_key"] == body_key], missing)
    for body_key, total_paid in (paid_by_kind or {}).items():
        mine = [c for c in cells.values() if c["body_key"] == body_key and c["in_count"]]
        _take_off(mine, total_paid, paid_by_theme or {})
    for cell in cells.values():
        cell["net"] = cell["gross"] - cell["already_counted"]
        cell["financial_year"] = "/".join(sorted(cell["financial_year"]))
    chosen = [c for c in cells.values() if _theme_of(theme, c)]
    return sorted(chosen, key=lambda c: (c["kind"], c["body_key"], c["theme"]))


def _scale_to_months(cells: list[dict[str, Any]], missing: int) -> None:
    """Put a part-loaded body's cells in the count for the months not loaded: ``missing`` twelfths.

    The body's total is scaled as the coverage scales it (one rounding); each theme's
    cell is scaled and the pennies of rounding go to its largest cell, so the themes
    add up to the coverage's row exactly. The loaded months are not estimated again.
    """
    if not cells:
        return
    target = part_of_year(sum((c["gross"] for c in cells), ZERO), missing)
    for cell in cells:
        cell["gross"] = part_of_year(cell["gross"], missing)
        cell["in_count"] = True
        cell["months_estimated"] = missing
    largest = max(cells, key=lambda c: (abs(c["gross"]), c["theme"]))
    largest["gross"] += target - sum((c["gross"] for c in cells), ZERO)


def _take_off(
    cells: list[dict[str, Any]], paid: Decimal, by_theme: dict[tuple[str, str], Decimal]
) -> None:
    """Set ``already_counted`` on one body's cells: its payments, same theme first, capped at its estimate."""
    gross = sum((c["gross"] for c in cells), ZERO)
    total = max(ZERO, min(paid, gross))
    if not cells or not total:
        return
    first = [
        max(ZERO, min(by_theme.get((c["body_key"], c["theme"]), ZERO), c["gross"])) for c in cells
    ]
    if sum(first, ZERO) > total:  # pennies of rounding, or negative lines elsewhere
        first = split(total, first)
    room = [max(ZERO, c["gross"] - f) for c, f in zip(cells, first, strict=True)]
    rest = total - sum(first, ZERO)
    second = split(rest, room) if rest > 0 else [ZERO] * len(cells)
    for cell, a, b in zip(cells, first, second, strict=True):
        cell["already_counted"] = (a + b).quantize(Decimal("0.01"))


def place_theme_topdown(
    workspace: Workspace, year: int, theme: str | None, loaded: set[str], con: Any | None = None
) -> ThemeTopdown:
    """Return the place's top-down estimate of ``theme`` (None: all), writing ``topdown_estimates``.

    ``year`` is the count's financial year (start year); ``loaded`` the kinds whose
    spending is counted that year (estimated for comparison only). Payments to a
    council, police or fire body that is estimated top-down, counted in the loaded
    ledgers, are taken off its estimate — under the same theme first, the rest in
    proportion (see :func:`_cells`) — so that every theme together is the coverage's
    top-down layer. Needs the count (``count_lines``) for that netting. ``con``: the
    warehouse connection to run on (default: the workspace's).
    """
    estimates = estimate(workspace, year, loaded, con)
    bodies = [b for b in bodies_serving(workspace) if b.kind in RS_KINDS and b.key not in loaded]
    by_theme = already_counted_by_theme(workspace, year, bodies, con)
    by_kind = {
        kind: paid for kind, (paid, _, _) in already_counted(workspace, year, bodies, con).items()
    }
    part_year = months_missing(workspace, year, loaded, con)
    cells = _cells(estimates, theme, by_theme, by_kind, part_year)
    notes = list(estimates.notes)
    for key, missing in sorted(part_year.items()):
        who = next((c["body"] for c in cells if c["body_key"] == key), key)
        notes.append(
            f"{who}: loaded for {12 - missing} months of {year_label(year)}; its top-down "
            f"estimate covers the {missing} months not loaded ({missing}/12 of the year)."
        )
    taken = sum((c["already_counted"] for c in cells), ZERO)
    if taken:
        who = sorted({c["body"] for c in cells if c["already_counted"]})
        notes.append(
            f"£{taken:,.2f} of {'this theme' if theme else 'the'} top-down estimate of "
            f"{', '.join(who)} is taken off: payments to it in the loaded "
            f"{year_label(year)} ledgers are money it spends, already counted bottom-up "
            "(same theme first, the rest in proportion to its other themes)."
        )
    return ThemeTopdown(
        code=workspace.place.code,
        name=workspace.place.name,
        theme=theme,
        cra_year=year_label(estimates.cra_year),
        rs_year=year_label(estimates.rs_year),
        cells=cells,
        partly=_partly(estimates, theme),
        notes=notes,
    )


def district_theme_topdown(
    code: str, year: int | None, theme: str | None, workspace: Workspace | None = None
) -> ThemeTopdown:
    """Return a district's top-down estimate of ``theme`` (None: all) for every body; nothing written.

    For a comparator place with no workspace of its own: CRA lines of its region and the
    RS outturn of its own councils, police and fire, apportioned by its population,
    themed by the same mapping as the place's (``workspace``'s own mapping if it has one).
    """
    estimates = estimate_district(code, year, theme_map_for(workspace))
    return ThemeTopdown(
        code=estimates.place["code"],
        name=estimates.place["name"],
        theme=theme,
        cra_year=year_label(estimates.cra_year),
        rs_year=year_label(estimates.rs_year),
        cells=_cells(estimates, theme),
        partly=_partly(estimates, theme),
        notes=list(estimates.notes),
    )
