"""``outcomes``: outcome indicators over time for the place and its comparators, beside spend per head on their theme."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from totalplace import stages
from totalplace.errors import UsageError
from totalplace.money import ZERO
from totalplace.outcomes.areas import ENGLAND, Area, level_of, outcome_areas
from totalplace.outcomes.judge import against_benchmark, direction
from totalplace.outcomes.mapping import load_mapping
from totalplace.outcomes.notes import notes_for
from totalplace.outcomes.spend import outturn_spend, place_spend
from totalplace.outcomes.store import ensure_loaded
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["OutcomesView", "outcomes"]


@dataclass
class OutcomesView:
    """The result: per observation (``series``), per indicator x area (``summary``), and the caveats."""

    place: dict[str, Any]
    areas: list[dict[str, str]]
    comparator_method: str
    lag: int
    series: list[dict[str, Any]]
    summary: list[dict[str, Any]]
    place_spend: list[dict[str, Any]]
    outturn_spend: list[dict[str, Any]]
    files: list[dict[str, Any]]
    notes: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """Return the view as one JSON-ready document (amounts stay Decimal; dumped as strings)."""
        return {
            "place": self.place,
            "areas": self.areas,
            "comparator_method": self.comparator_method,
            "lag_years": self.lag,
            "files": self.files,
            "summary": self.summary,
            "series": self.series,
            "place_spend": self.place_spend,
            "outturn_spend": self.outturn_spend,
            "notes": self.notes,
        }


def outcomes(
    workspace: Workspace,
    comparators: Sequence[str] | None = None,
    n: int = 5,
    indicator: str | None = None,
    theme: str | None = None,
    lag: int = 0,
    con: Any | None = None,
) -> OutcomesView:
    """Return the place's and comparators' outcome indicators beside spend per head on each one's theme.

    Loads the [[outcomes]] files into the warehouse first when they changed. ``indicator``
    (a code or name) or ``theme`` narrows the indicators; ``lag`` sets each outcome
    beside the spend of that many years earlier. Reads the count (StageNotRun /
    StageStale say to run it); raises UsageError for an unknown indicator or theme,
    BadInputError / WorkspaceError for an unreadable or undeclared file.
    """
    if lag < 0 or lag > 10:
        raise UsageError(f"lag {lag} must be 0 to 10 years")
    with stages.using(workspace, con) as c:
        stages.require(c, workspace, "count")
        load = ensure_loaded(c, workspace)
        mapping = load_mapping(workspace)
        spend = place_spend(c, workspace)
        year = max((s["population_year"] for s in spend), default=2024)
        areas, method = outcome_areas(workspace, comparators, n, year)
        rows = _observations(c, [a.code for a in areas])
    council = outturn_spend(workspace)
    rows = _narrow(rows, mapping, indicator, theme)
    series = _series(rows, mapping, {a.code: a for a in areas}, spend, council, workspace, lag)
    order = {a.code: i for i, a in enumerate(areas)}
    summary = sorted(
        _summary(series, spend, council), key=lambda r: (r["indicator_code"], order[r["area_code"]])
    )
    view = OutcomesView(
        place={"code": workspace.place.code, "name": workspace.place.name},
        areas=[{"code": a.code, "name": a.name, "role": a.role} for a in areas],
        comparator_method=method,
        lag=lag,
        series=series,
        summary=summary,
        place_spend=spend,
        outturn_spend=council,
        files=load.files,
    )
    view.notes = notes_for(view, areas, mapping)
    return view


def _observations(con: Any, codes: list[str]) -> list[dict[str, Any]]:
    t = con.table("outcome_indicators")
    return list(t.filter(t.area_code.isin(codes)).to_pyarrow().to_pylist())


def _narrow(
    rows: list[dict[str, Any]], mapping: dict[str, Any], indicator: str | None, theme: str | None
) -> list[dict[str, Any]]:
    if indicator is not None:
        wanted = indicator.strip().lower()
        kept = [r for r in rows if wanted in (r["indicator_code"].lower(), r["indicator"].lower())]
        if not kept:
            known = sorted({r["indicator_code"] for r in rows})
            raise UsageError(
                f"no indicator {indicator!r} for the place or its comparators; the indicators "
                f"are: {', '.join(known) or 'none (declare files in [[outcomes]])'}"
            )
        rows = kept
    if theme is not None:
        themed = {c for c, m in mapping.items() if m.theme == theme}
        kept = [r for r in rows if r["indicator_code"].lower() in themed]
        if not kept:
            known = sorted(
                {
                    mapping[r["indicator_code"].lower()].theme
                    for r in rows
                    if r["indicator_code"].lower() in mapping
                }
            )
            raise UsageError(
                f"no indicator of the theme {theme!r}; the themes with indicators are: "
                f"{', '.join(known) or 'none'}"
            )
        rows = kept
    return rows


def _series(
    rows: list[dict[str, Any]],
    mapping: dict[str, Any],
    areas: dict[str, Area],
    spend: list[dict[str, Any]],
    council: list[dict[str, Any]],
    workspace: Workspace,
    lag: int,
) -> list[dict[str, Any]]:
    """Return one row per observation shown: outcome, CI, benchmark, and the spend beside it."""
    england = {
        (r["indicator_code"], r["period"]): r["value"] for r in rows if r["area_code"] == ENGLAND
    }
    counted = {(s["theme"], s["fy_start_year"]): s for s in spend}
    # A counted year with no spend on a theme counts £0.00 on it (not "no data").
    for s in spend:
        for t in {m.theme for m in mapping.values()}:
            counted.setdefault(
                (t, s["fy_start_year"]),
                {**s, "theme": t, "per_head": ZERO, "amount": ZERO, "partial": None},
            )
    published = {(c["body_code"], c["theme"], c["fy_start_year"]): c for c in council}
    place_codes = {a.code for a in areas.values() if a.role == "place"}
    upper_codes = {a.code for a in areas.values() if a.role == "place upper tier"}
    out = []
    for r in sorted(rows, key=lambda r: (r["indicator_code"], r["area_code"], r["period_start"])):
        m = mapping.get(r["indicator_code"].lower())
        theme = m.theme if m else None
        polarity = r["polarity_in_file"] or (m.polarity if m else None)
        bench_label: str | None = "median of all authorities (Oflog)"
        benchmark = r["benchmark"]
        if benchmark is None:
            benchmark, bench_label = england.get((r["indicator_code"], r["period"])), "England"
        if r["area_code"] == ENGLAND:
            benchmark, bench_label = None, None
        spend_year = r["fy_start_year"] - lag
        count = (
            counted.get((theme, spend_year))
            if r["area_code"] in place_codes | upper_codes
            else None
        )
        outturn = published.get((r["area_code"], theme, spend_year))
        area = areas[r["area_code"]]
        out.append(
            {
                "indicator_code": r["indicator_code"],
                "indicator": r["indicator"],
                "theme": theme,
                "polarity": polarity,
                "area_code": r["area_code"],
                "area_name": area.name,
                "role": area.role,
                "geography_level": level_of(r["geography"], r["area_code"]),
                "period": r["period"],
                "period_start": r["period_start"],
                "period_end": r["period_end"],
                "financial_year": r["financial_year"],
                "fy_start_year": r["fy_start_year"],
                "value": r["value"],
                "lci_95": r["lci_95"],
                "uci_95": r["uci_95"],
                "unit": r["unit"],
                "benchmark": benchmark,
                "benchmark_is": bench_label if benchmark is not None else None,
                "against_benchmark": against_benchmark(
                    r["value"], r["lci_95"], r["uci_95"], benchmark, polarity
                ),
                "spend_year": year_label(spend_year),
                "count_per_head": count["per_head"] if count else None,
                "count_geography": (
                    None
                    if count is None
                    else "same area"
                    if r["area_code"] in place_codes
                    else f"{workspace.place.name}'s count (district) beside {area.name}'s outcome (upper tier)"
                ),
                "count_partial": count["partial"] if count else None,
                "outturn_per_head": outturn["per_head"] if outturn else None,
                "outturn_source": outturn["source_file"] if outturn else None,
                "source_file": r["source_file"],
                "source_row": r["source_row"],
            }
        )
    return out


def _latest(rows: list[dict[str, Any]], theme: str | None, **match: Any) -> dict[str, Any] | None:
    """Return the latest spend row on ``theme`` whose fields equal ``match`` (None if none)."""
    found = [r for r in rows if r["theme"] == theme and all(r[k] == v for k, v in match.items())]
    return max(found, key=lambda r: r["fy_start_year"]) if found else None


def _summary(
    series: list[dict[str, Any]], spend: list[dict[str, Any]], council: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Return per indicator x area: first and latest value, the change and its direction, and
    the latest spend per head on the theme (count for the place and its upper tier; outturn
    for a council with a series), with its year: the years may differ from the outcome's."""
    counted_years = sorted({s["fy_start_year"] for s in spend})
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in series:  # the rows shown: tens to a few thousand
        groups.setdefault((row["indicator_code"], row["area_code"]), []).append(row)
    out = []
    for (_, _), rows in groups.items():
        first, last = rows[0], rows[-1]
        count, outturn = None, _latest(council, last["theme"], body_code=last["area_code"])
        if last["role"] in ("place", "place upper tier") and counted_years:
            count = _latest(spend, last["theme"]) or {
                "fy_start_year": counted_years[-1],
                "per_head": ZERO,
                "partial": None,
            }
        out.append(
            {
                "indicator_code": last["indicator_code"],
                "indicator": last["indicator"],
                "theme": last["theme"],
                "polarity": last["polarity"],
                "area_code": last["area_code"],
                "area_name": last["area_name"],
                "role": last["role"],
                "geography_level": last["geography_level"],
                "first_year": first["financial_year"],
                "first_value": first["value"],
                "latest_period": last["period"],
                "latest_year": last["financial_year"],
                "latest_value": last["value"],
                "latest_lci_95": last["lci_95"],
                "latest_uci_95": last["uci_95"],
                "unit": last["unit"],
                "change": last["value"] - first["value"],
                "direction": direction(first["value"], last["value"], last["polarity"])
                if len(rows) > 1
                else "one year only",
                "against_benchmark": last["against_benchmark"],
                "years": len(rows),
                "count_per_head": count["per_head"] if count else None,
                "count_year": year_label(count["fy_start_year"]) if count else None,
                "count_partial": count["partial"] if count else None,
                "outturn_per_head": outturn["per_head"] if outturn else None,
                "outturn_year": outturn["financial_year"] if outturn else None,
            }
        )
    return out
