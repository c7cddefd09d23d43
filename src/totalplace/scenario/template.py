"""``totalplace scenario new``: a commented starting file written from the place's own figures.

Each template is a scenario a partnership can run at once and then edit: the back-office
and procurement templates list every partner's spend from the opportunities tables and
the cited saving rates; the early-intervention template sets out a programme in the 2014
CBA guidance's terms with the GMCA unit-cost codes of the agencies that gain. Figures no
source gives (a programme's cohort and success rates, a set-up cost) are marked as the
partnership's own estimates to replace.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

from totalplace.errors import UsageError
from totalplace.scenario.baseline import Baseline, read_baseline
from totalplace.scenario.spec import SCENARIO_DIR, scenario_path
from totalplace.workspace import Workspace
from totalplace.years import year_label

__all__ = ["TEMPLATES", "ScenarioExists", "new_scenario"]

TEMPLATES = {
    "back-office": "a shared back office across the partners (from the opportunities' back-office spend)",
    "procurement": "buying together the categories several partners buy separately",
    "early-intervention": "an early-help programme whose savings fall on several agencies",
    "budget-change": "a cut in one partner x theme, and the demand it shifts to others",
}


class ScenarioExists(UsageError):
    """The scenario file is there already: nothing was overwritten."""


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _header(name: str, stem: str, what: str, base: Baseline) -> str:
    return f"""# totalplace scenario: {what}.
# Edit any figure: a point (0.2), a range [low, central, high], or
# {{ low = .., central = .., high = .., source = "where it comes from" }}.
# Run it with `totalplace scenario run {stem}`; compare with `totalplace scenario compare {stem} OTHER`.

[scenario]
name = {_q(name)}
baseline_year = "{year_label(base.year)}"   # the count's year the levers start from
start_year = "{year_label(base.year + 1)}"     # year 0 of the appraisal: everything is discounted to it
horizon = 10                  # years appraised (a spending review is 3; prevention needs 10 or more)
price_base = "{year_label(base.year)}"     # prices of every figure (unit costs are uplifted by the GDP deflator)
discount = "standard"         # Green Book STPR: 3.5% to year 30, then declining; "health" for health effects
draws = 10000                 # Monte Carlo draws over the ranges
seed = 1                      # the same seed gives the same draws
distribution = "triangular"   # or "pert"
gain_share_on = "fiscal"      # share out fiscal (cashable + non-cashable) or only "cashable" gains
"""


def _outsourcing_bias() -> str:
    from totalplace.reference.appraisal import capital_optimism_bias

    found = capital_optimism_bias().get("outsourcing")
    bound = found.opex_upper or found.capex_upper if found else None
    return f"{bound:g}" if bound is not None else "0"


def _money(value: Decimal | float) -> str:
    return f"{float(value):.0f}"


def _sharing(name: str, kind: str, base: Baseline, spend: dict[tuple[str, str], Decimal],
             rates: dict[str, tuple[Decimal, Decimal, Decimal, str]], what: str) -> str:  # fmt: skip
    partners = sorted({p for p, _ in spend})
    items = sorted({i for _, i in spend})
    lines = [f"# {what} in the place, {year_label(base.year)} (opportunities tables):"]
    central = Decimal(0)
    for item in items:
        low, mid, high, source = rates.get(item, (Decimal(0),) * 3 + ("",))
        total = sum((v for (p, i), v in spend.items() if i == item), Decimal(0))
        central += total * mid
        lines.append(
            f"#   {item}: £{total:,.0f} a year; saving rate {low:.0%}-{high:.0%} ({source[:90]})"
        )
    cost = central  # one year's central saving: the partnership's own estimate to replace
    return (
        "\n".join(lines)
        + f"""

[[levers]]
type = "{kind}"
name = {_q(name)}
partners = [{", ".join(_q(p) for p in partners)}]
# items = [...]            # which {what.lower()} to share (default: all listed above)
# saving_rate = [0.1, 0.15, 0.2]   # one rate for every item (default: each item's cited range)
start = 1                  # the year savings begin (0 = {year_label(base.year + 1)})
ramp_up = [0.5]            # half the saving in its first year, then all of it
confidence_grade = 3       # 2014 CBA guidance: 1 audited ... 6 best guess; sets optimism bias on benefits
cashable = 1.0             # share of the saving that leaves a budget
# One-off set-up cost: YOUR ESTIMATE (no source gives it for this place). The default here is
# one year of the central saving, low half that, high twice it.
implementation_cost = [{_money(cost / 2)}, {_money(cost)}, {_money(cost * 2)}]
implementation_years = 1
cost_kind = "revenue_cost"
cost_optimism_bias = {_outsourcing_bias()}  # Green Book optimism bias upper bound, outsourcing projects (Mott MacDonald 2002)
cost_split = "saving"      # each partner pays its share of the saving; or {{ "Partner" = 0.5, ... }}
"""
    )


def _intervention(name: str, ws: Workspace) -> str:
    by_sector = {p.sector: p.name for p in ws.partners}
    council = next(
        (p.name for p in ws.partners if p.sector.endswith("council")), ws.partners[0].name
    )
    police = by_sector.get("police")
    funders = {council: 0.6, police: 0.4} if police else {council: 1.0}
    funder_text = ", ".join(f"{_q(k)} = {v}" for k, v in funders.items())
    outcomes = [
        (
            "CR2.0.3",
            "domestic abuse incidents avoided: police",
            "success = [0.15, 0.25, 0.35]\nevents = 1.5",
        ),
        (
            "CR2.0.2",
            "domestic abuse incidents avoided: criminal justice",
            "success = [0.15, 0.25, 0.35]\nevents = 1.5",
        ),
        (
            "CR2.0.1",
            "domestic abuse incidents avoided: health",
            "success = [0.15, 0.25, 0.35]\nevents = 1.5",
        ),
        (
            "CR2.0.4",
            "domestic abuse incidents avoided: children's services",
            "success = [0.15, 0.25, 0.35]\nevents = 1.5",
        ),
        ("FI2.0", "dwelling fires avoided (response)", "success = [0.01, 0.02, 0.04]"),
        (
            "E&E1.0.1",
            "adults into work: benefits saved",
            "success = [0.05, 0.1, 0.15]\npersistence = 3\ndrop_off = 0.2",
        ),
        (
            "E&E1.0.2",
            "adults into work: better health",
            "success = [0.05, 0.1, 0.15]\npersistence = 3\ndrop_off = 0.2",
        ),
    ]
    blocks = []
    for code, label, extra in outcomes:
        blocks.append(f"""
[[levers.outcomes]]
unit_cost = "{code}"        # GMCA unit cost database v1.4; its agency gains (mapped to the partners)
label = {_q(label)}
{extra}
deadweight = [0.1, 0.2, 0.3]   # what would have happened anyway
lag = 1
confidence_grade = 4
cashable = 0.25""")
    return (
        f"""
# An early-help programme for families at risk of domestic abuse and worklessness.
# ILLUSTRATIVE ASSUMPTIONS: the cohort, engagement, success rates and cost per family below are
# not this place's evidence -- replace them with the partnership's own (caseloads, evaluations).
# The unit costs are the GMCA database's, uplifted to the price base by the GDP deflator.

[[levers]]
type = "early_intervention"
name = {_q(name)}
funders = {{ {funder_text} }}
cohort = [80, 100, 120]          # families in need each year
engagement = [0.6, 0.7, 0.8]     # share who take part
cost_per_participant = [2500, 3000, 3500]
cost_price_year = "2024-25"
cost_optimism_bias = 0.1
start = 0
duration = 3                     # three yearly intakes
"""
        + "\n".join(blocks)
        + "\n"
    )


def _budget(name: str, base: Baseline) -> str:
    (partner, theme), amount = max(base.spend.items(), key=lambda kv: kv[1])
    return f"""
# The largest partner x theme in the count, {year_label(base.year)}: {partner}, {theme}: £{amount:,.0f}.
[[levers]]
type = "budget_change"
name = {_q(name)}
partner = {_q(partner)}
theme = {_q(theme)}
share = [-0.15, -0.1, -0.05]   # a cut of 5-15% a year (low, central, high) (use change = -100000 for pounds)
start = 1
# shifts = {{ "NHS" = [0.1, 0.2, 0.3] }}   # share of the cut that lands on another body as demand
"""


def new_scenario(workspace: Workspace, name: str, template: str, force: bool = False) -> Path:
    """Write ``scenarios/NAME.toml`` from ``template`` (see TEMPLATES) and return its path.

    Raises UsageError for an unknown template, ScenarioExists if the file is there (and
    not ``force``), and the stage contract's errors if the count or opportunities it
    reads must be run first.
    """
    if template not in TEMPLATES:
        raise UsageError(
            f"no scenario template {template!r}; the templates are {', '.join(TEMPLATES)}"
        )
    path = scenario_path(workspace, name)
    if path.exists() and not force:
        raise ScenarioExists(
            f"{path} exists already; choose another name or pass --force to replace it"
        )
    needs = template in ("back-office", "procurement")
    base = read_baseline(workspace, None, needs)
    if template == "back-office":
        body = _sharing(
            name,
            "shared_back_office",
            base,
            base.back_office,
            base.back_office_rates,
            "Back-office functions",
        )
    elif template == "procurement":
        body = _sharing(
            name,
            "procurement",
            base,
            base.procurement,
            base.procurement_rates,
            "Purchase categories",
        )
    elif template == "early-intervention":
        body = _intervention(name, workspace)
    else:
        body = _budget(name, base)
    text = _header(name, path.stem, TEMPLATES[template], base) + "\n" + body
    (workspace.root / SCENARIO_DIR).mkdir(exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path
