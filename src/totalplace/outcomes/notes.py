"""The caveats printed with outcomes against spend: geographies, lags, partial years, gaps."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from totalplace.outcomes.areas import Area

if TYPE_CHECKING:
    from totalplace.outcomes.run import OutcomesView

__all__ = ["notes_for"]


def notes_for(view: OutcomesView, areas: list[Area], mapping: dict[str, Any]) -> list[str]:
    """Return the caveats of ``view``, most important first."""
    place = view.place["name"]
    notes = []
    for area in areas:
        if area.role != "place upper tier":
            continue
        shown = sorted({r["indicator_code"] for r in view.summary if r["area_code"] == area.code})
        if shown:
            notes.append(
                f"Different geographies: {area.name} ({area.code}) is an upper-tier area; its "
                f"outcomes ({', '.join(shown)}) are for the whole county, while the count spend "
                f"per head beside them is {place}'s (a district): the county council's own "
                "spending (adult social care, children's services) is in the count only if it "
                "is a partner, and in its outturn series only for the lines the series carries."
            )
    notes.append(
        "Lags: each outcome is set beside the spend of the financial year its period ends in"
        + (f", {view.lag} year(s) earlier (--lag)" if view.lag else " (--lag N for earlier spend)")
        + "; outcomes respond to spending over years, several indicators are three-year "
        "averages (P3Y), and spending and outcome moving together is a question to ask, "
        "not proof that one caused the other."
    )
    partial = sorted({s["partial"] for s in view.place_spend if s["partial"]})
    years = sorted({s["financial_year"] for s in view.place_spend if s["partial"]})
    if partial:
        notes.append(
            f"Partial years in the count ({', '.join(years)}): {'; '.join(partial)} — its per "
            "head figure covers only the months loaded, not annualised."
        )
    outcome_years = {r["financial_year"] for r in view.series}
    count_years = {s["financial_year"] for s in view.place_spend}
    if outcome_years and count_years and not outcome_years & count_years:
        notes.append(
            f"No year has both: the outcomes run {min(outcome_years)} to {max(outcome_years)}, "
            f"the count covers {', '.join(sorted(count_years))}; the summary sets the latest "
            "outcome beside the latest spend, with both years shown."
        )
    gaps = sorted(
        {
            r["theme"]
            for r in view.summary
            if r["theme"] and not any(o["theme"] == r["theme"] for o in view.outturn_spend)
        }
    )
    if view.outturn_spend and gaps:
        notes.append(
            "The councils' outturn series ([[outturns]]) carry no service line on "
            f"{', '.join(gaps)}: those indicators have no outturn spend beside them."
        )
    beside = {(r["area_code"], r["theme"]) for r in view.summary}
    whole = sorted(
        {
            f"{o['body_name']} on {o['theme']}: {o['basis']}"
            for o in view.outturn_spend
            if o.get("basis", "").startswith("whole line")
            and (o["body_code"], o["theme"]) in beside
        }
    )
    if whole:
        notes.append("Outturn beside an indicator is a whole line: " + "; ".join(whole) + ".")
    unmapped = sorted({r["indicator_code"] for r in view.summary if r["theme"] is None})
    if unmapped:
        notes.append(
            f"No theme for {', '.join(unmapped)}: add a row to outcome_themes.csv in the "
            "workspace (indicator_code, indicator, theme, polarity, why)."
        )
    notes.append(
        "Benchmarks: England's value for the same period (ONS files), or the median of all "
        "upper-tier authorities (Oflog); 'better'/'worse' only where the 95% interval excludes "
        "the benchmark, when the file gives one. Comparators have no count loaded: their spend "
        f"is their published outturn where [[outturns]] declares it. {view.comparator_method}."
    )
    return notes
