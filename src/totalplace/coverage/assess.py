"""Coverage: for each kind of body serving the place, is its spending loaded, apportioned, estimated or missing?

The loaded figures come from the place count (``totalplace.count``) for one financial
year; bodies with no loaded data get their top-down estimate
(``totalplace.coverage.topdown``). A payment in a loaded ledger to a body that is
estimated top-down (Hyndburn Borough Council paying Lancashire County Council the
county's council tax precept) is money that body spends: as with transfers between
partners (domain spec §3.2 rule 4), it is counted once, at the body that finally
spends it, so it is taken off that body's top-down estimate and shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import ibis

from totalplace import stages
from totalplace.count import counted
from totalplace.count.months import MONTHS_TABLE, runs
from totalplace.count.transfers import normalise_name
from totalplace.coverage.bodies import Body, bodies_serving
from totalplace.coverage.layers import Layers, build_layers
from totalplace.coverage.topdown import RS_KINDS, TopdownEstimates, estimate
from totalplace.money import times_share
from totalplace.report.documents import jsonable
from totalplace.warehouse import has_table
from totalplace.workspace import Workspace
from totalplace.years import default_year, parse_year, year_label

__all__ = [
    "STATUSES",
    "Coverage",
    "already_counted",
    "already_counted_by_theme",
    "coverage",
    "layers",
    "months_missing",
    "part_of_year",
]

#: The statuses a kind of body can have, in the order they are explained.
STATUSES = ("loaded", "apportioned", "estimated top-down", "missing")
ZERO = Decimal("0.00")
SHARE_UNIT = Decimal("1e-9")


@dataclass
class Coverage:
    """Who serves the place and how each is counted, with the layers and what is left out."""

    place: dict[str, Any]
    financial_year: str
    estimate_year: str
    rows: list[dict[str, Any]]
    layers: Layers
    does_not_include: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """Return the estimated total: every row's amount (= the layers' total)."""
        return sum((r["amount"] for r in self.rows), ZERO)

    def row(self, kind: str) -> dict[str, Any] | None:
        """Return the row of a kind of body ('county_council'), or None."""
        return next((r for r in self.rows if r["kind"] == kind), None)

    def as_json(self) -> dict[str, Any]:
        """Return the coverage as a JSON-ready document (decimals as strings)."""
        return jsonable(
            {
                "place": self.place,
                "financial_year": self.financial_year,
                "estimate_year": self.estimate_year,
                "coverage": self.rows,
                "total": self.total,
                "layers": self.layers.as_json(),
                "does_not_include": self.does_not_include,
                "notes": self.notes,
            }
        )


def _count_rows(
    con: Any, workspace: Workspace
) -> tuple[list[dict[str, Any]], list[str], list[dict[str, Any]]]:
    """Return the count's rows, notes and months loaded per partner and year (all empty if none).

    Reads the count stage's tables (StageNotRun / StageStale if they are missing or out
    of date while spending is imported); with nothing imported there is nothing to count.
    """
    if not _anything_imported(con, workspace):
        return (
            [],
            ["No loaded spending counted (nothing imported yet: run 'totalplace import' first)."],
            [],
        )
    result = counted(workspace, con=con)
    return result.rows, result.notes, result.months


def _anything_imported(con: Any, workspace: Workspace) -> bool:
    """Return whether any transaction of the workspace's partners is imported."""
    known = [p.slug for p in workspace.partners]
    if not known or not has_table(con, "transactions"):
        return False
    t = con.table("transactions")
    return bool(t.filter(t.partner.isin(known)).count().execute() > 0)


def _months_of(body: Body, months: list[dict[str, Any]], year: int | None) -> list[int]:
    """Return the months (1-12) of ``year`` any of the body's partners has loaded."""
    slugs = {p.slug for p in body.partners}
    found: set[int] = set()
    for row in months:
        if row["partner"] in slugs and row["fy_start_year"] == year and row["month_numbers"]:
            found.update(int(m) for m in row["month_numbers"].split(","))
    return sorted(found)


def part_of_year(amount: Decimal, months: int) -> Decimal:
    """Return ``months`` twelfths of a whole-year amount, to the penny (half up)."""
    return (amount * months / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)


def months_missing(
    workspace: Workspace, year: int, loaded: set[str], con: Any | None = None
) -> dict[str, int]:
    """Return per loaded body (``Body.key``) with 1-11 months of ``year`` loaded: the months not loaded.

    Reads the count's ``count_months`` table (no table: nothing is a part year).
    """
    with stages.using(workspace, con) as c:
        if not has_table(c, MONTHS_TABLE):
            return {}
        t = c.table(MONTHS_TABLE)
        months = t.filter(t.fy_start_year == year).to_pyarrow().to_pylist()
    out = {}
    for body in bodies_serving(workspace):
        if body.key in loaded:
            k = len(_months_of(body, months, year))
            if 0 < k < 12:
                out[body.key] = 12 - k
    return out


def _months_text(k: int) -> str:
    return "1 month" if k == 1 else f"{k} months"


def _fy_start_month(body: Body, default: int) -> int:
    return body.partners[0].fy_start_month if body.partners else default


def _missing_months_row(
    loaded_row: dict[str, Any], months: list[int], fy_start: int, est_years: str, driver: str
) -> dict[str, Any] | None:
    """Return the top-down row for the months of the year a loaded body has no data for (None if none).

    The body's whole-year top-down estimate times (12 - k) / 12 for k months loaded:
    the loaded months are counted from its ledger only, never again top-down.
    """
    gross = loaded_row["topdown_estimate"]
    k = len(months)
    if gross is None or k >= 12:
        return None
    missing = [m for m in range(1, 13) if m not in months]
    part = part_of_year(gross, 12 - k)
    label = runs(missing, fy_start)
    return {
        **loaded_row,
        "who": f"{loaded_row['who']} ({label}, not loaded)",
        "status": "estimated top-down",
        "method": "top-down",
        "amount": part,
        "topdown_estimate": part,
        "topdown_year_estimate": gross,
        "financial_year": est_years,
        "driver": driver,
        "source": (
            f"{loaded_row['topdown_source_brief']} × {12 - k}/12 for {label}, the months not loaded"
        ),
        "source_detail": (
            f"its whole-year top-down estimate £{gross:,.2f} × {12 - k}/12 for the {12 - k} "
            f"months not loaded ({label}); {loaded_row['topdown_source']}"
        ),
        "confidence": "low",
        "months_loaded": k,
        "months_estimated": 12 - k,
        "months": label,
        "part_year": True,
    }


def _paid_lines(
    workspace: Workspace, year: int, bodies: list[Body], con: Any | None = None
) -> list[dict[str, Any]]:
    """Return counted payments to the bodies in loaded ledgers, by body paid (key), theme, partner and share."""
    wanted = {b.key: b for b in bodies if b.aliases}
    if not wanted:
        return []
    with stages.using(workspace, con) as con:
        if not has_table(con, "count_lines"):
            return []
        cl = con.table("count_lines")
        t = con.table("transactions").select("txn_key", "supplier_name")
        lines = cl.filter((cl.fy_start_year == year) & cl.transfer_to.isnull()).join(t, "txn_key")
        payee = lines.supplier_name.upper().re_replace("[^A-Z0-9]+", "")
        cases = [
            (payee.startswith(normalise_name(alias)), kind)
            for kind, body in wanted.items()
            for alias in body.aliases
            if len(normalise_name(alias)) >= 6
        ]
        lines = lines.mutate(paid_kind=ibis.cases(*cases, else_=ibis.null().cast("string")))
        lines = lines.filter(lines.paid_kind.notnull())
        grouped = lines.group_by(["paid_kind", "theme", "partner", "share"]).aggregate(
            base=lines.base_amount.sum(), n=lines.count()
        )
        grouped = grouped.mutate(
            base=grouped.base.cast("decimal(18,2)"),
            counted=times_share(grouped.base, grouped.share),
        )
        order = [grouped.paid_kind, grouped.theme, grouped.partner, grouped.share]
        rows: list[dict[str, Any]] = grouped.order_by(order).to_pyarrow().to_pylist()
    return rows


def already_counted(
    workspace: Workspace, year: int, bodies: list[Body], con: Any | None = None
) -> dict[str, tuple[Decimal, int, list[str]]]:
    """Return per body (``Body.key``): counted payments to it in loaded ledgers, their number, and payers."""
    # The payments of every theme together, per payer and share, rounded as one product.
    bases: dict[tuple[str, str, Any], tuple[Decimal, int]] = {}
    for r in _paid_lines(workspace, year, bodies, con):
        key = (r["paid_kind"], r["partner"], r["share"])
        base, n = bases.get(key, (Decimal(0), 0))
        bases[key] = (base + Decimal(r["base"]), n + int(r["n"]))
    rows: list[dict[str, Any]] = [
        {
            "paid_kind": kind,
            "partner": partner,
            "counted": (base * Decimal(share or 0)).quantize(Decimal("0.01"), ROUND_HALF_UP),
            "n": n,
        }
        for (kind, partner, share), (base, n) in bases.items()
    ]
    names = {p.slug: p.name for p in workspace.partners}
    out: dict[str, tuple[Decimal, int, list[str]]] = {}
    for r in sorted(rows, key=lambda r: (r["paid_kind"], -r["counted"])):
        amount, n, payers = out.get(r["paid_kind"], (ZERO, 0, []))
        payer = names.get(r["partner"], r["partner"])
        out[r["paid_kind"]] = (
            amount + Decimal(r["counted"]),
            n + int(r["n"]),
            payers if payer in payers else [*payers, payer],
        )
    return out


def already_counted_by_theme(
    workspace: Workspace, year: int, bodies: list[Body], con: Any | None = None
) -> dict[tuple[str, str], Decimal]:
    """Return per (body key, theme): payments to that body counted in loaded ledgers in ``year``.

    The payments are matched as for the coverage (payee name prefix against the body's
    usual names) and kept under the theme the count gave them, so a theme's top-down
    estimate for the body can be netted of them. Needs the count's ``count_lines``.
    """
    out: dict[tuple[str, str], Decimal] = {}
    for r in _paid_lines(workspace, year, bodies, con):
        key = (r["paid_kind"], r["theme"])
        out[key] = out.get(key, ZERO) + Decimal(r["counted"])
    return out


def _shares(amounts: list[Decimal]) -> list[Decimal]:
    """Return each amount's share of their total to 1e-9, largest remainders adjusted to sum to 1."""
    total = sum(amounts, ZERO)
    if total <= 0:
        return [Decimal(0) for _ in amounts]
    raw = [a / total for a in amounts]
    floored = [r.quantize(SHARE_UNIT, ROUND_DOWN) for r in raw]
    short = int((Decimal(1) - sum(floored, Decimal(0))) / SHARE_UNIT)
    order = sorted(range(len(raw)), key=lambda i: raw[i] - floored[i], reverse=True)
    for i in order[:short]:
        floored[i] += SHARE_UNIT
    return floored


def coverage(
    workspace: Workspace, year: str | int | None = None, con: Any | None = None
) -> Coverage:
    """Return the coverage of the place count for one financial year (default: the count's latest full year).

    One row per kind of body serving the place: who, status (loaded, apportioned,
    estimated top-down, missing), amount, share of the estimated total, method,
    driver, source and confidence; plus the layers and what the count does not include.
    Reads the count stage's tables (StageNotRun: "run `totalplace count` first" if
    spending is imported but not counted), writes ``topdown_estimates`` and records the
    coverage run. ``con``: the warehouse connection to run on (default: the workspace's).
    """
    with stages.using(workspace, con) as c:
        return _coverage(c, workspace, year)


def _coverage(con: Any, workspace: Workspace, year: str | int | None) -> Coverage:
    count_rows, count_notes, count_months = _count_rows(con, workspace)
    start = parse_year(year)
    if start is None:
        start = default_year(count_rows)
    fy = year_label(start) if start is not None else "no loaded data"
    rows_in_year = [r for r in count_rows if r["fy_start_year"] == start]
    bodies = bodies_serving(workspace)
    notes: list[str] = []
    loaded: dict[str, list[dict[str, Any]]] = {}
    for body in bodies:
        slugs = {p.slug for p in body.partners}
        mine = [r for r in rows_in_year if r["partner"] in slugs]
        if mine:
            loaded[body.key] = mine
        elif body.partners:
            names = ", ".join(p.name for p in body.partners)
            notes.append(
                f"{names}: loaded, but with no spending counted for {fy}; estimated instead."
            )
    estimates = estimate(workspace, start, set(loaded), con=con)
    gross = estimates.by_body()
    source_text = estimates.sources_by_kind(by="body_key")
    drivers = _driver_summary(estimates, workspace.place.name)
    paid = (
        already_counted(
            workspace,
            start,
            [b for b in bodies if b.kind in RS_KINDS and b.key not in loaded],
            con,
        )
        if start is not None
        else {}
    )
    est_year = year_label(estimates.cra_year)
    est_years: dict[str, set[str]] = {}
    for r in estimates.rows:
        est_years.setdefault(r["body_key"], set()).add(r["financial_year"])
    rows: list[dict[str, Any]] = []
    for body in bodies:
        row = _row(
            body, loaded.get(body.key), gross.get(body.key), source_text.get(body.key, ("", ""))
        )
        row["financial_year"] = (
            fy
            if row["method"] in ("actual", "apportioned")
            else "/".join(sorted(est_years.get(body.key, set())))
        )
        row["months_loaded"], row["months_estimated"], row["months"] = 0, 12, ""
        if row["method"] in ("actual", "apportioned"):
            months = _months_of(body, count_months, start)
            fy_start = _fy_start_month(body, workspace.place.financial_year_start)
            row["months_loaded"], row["months_estimated"] = len(months), 0
            row["months"] = runs(months, fy_start)
            extra = _missing_months_row(
                row,
                months,
                fy_start,
                "/".join(sorted(est_years.get(body.key, set()))),
                drivers.get(body.key, ""),
            )
            rows.append(row)
            if extra is not None:
                rows.append(extra)
                notes.append(
                    f"{row['who']}: {_months_text(len(months))} loaded ({row['months']}); "
                    f"{extra['months']} estimated top-down, £{extra['amount']:,.2f} "
                    f"({extra['months_estimated']}/12 of its top-down estimate for the year, "
                    f"£{extra['topdown_year_estimate']:,.2f}); the loaded months are not counted "
                    "again top-down."
                )
            elif len(months) < 12:
                notes.append(
                    f"{row['who']}: {_months_text(len(months))} loaded ({row['months']}); no top-down "
                    "source for the other months, which are not counted."
                )
            continue
        if row["method"] == "top-down":
            row["driver"] = drivers.get(body.key, "")
            already, n, payers = paid.get(body.key, (ZERO, 0, []))
            if already:
                taken = min(already, row["topdown_estimate"])
                row["already_counted"] = taken
                row["amount"] = row["topdown_estimate"] - taken
                notes.append(
                    f"{body.who}: £{already:,.2f} counted in {n} payments to it in the {fy} "
                    f"ledgers of {', '.join(payers)} is money it spends, so it is taken off "
                    "its top-down estimate (counted once, at the body that spends it)"
                    + (
                        " — the payments exceed the estimate, which is set to zero."
                        if already > taken
                        else "."
                    )
                )
        rows.append(row)
    for row, share in zip(rows, _shares([r["amount"] for r in rows]), strict=True):
        row["share"] = share
    place = {"code": workspace.place.code, "name": workspace.place.name}
    notes = estimates.notes + _kind_notes(rows) + notes
    if count_rows:
        notes.append(
            f"Loaded figures are for {fy}, top-down ones for {est_year}: the total adds "
            "different years, so read it as an order of magnitude."
        )
    layer_view = build_layers(place, fy, rows, notes)
    stages.record(con, workspace, "coverage")
    return Coverage(
        place,
        fy,
        est_year,
        rows,
        layer_view,
        _does_not_include(rows, bool(count_rows)),
        notes + [n for n in count_notes if fy in n or not re.search(r"\d{4}-\d{2}", n)],
    )


def layers(workspace: Workspace, year: str | int | None = None, con: Any | None = None) -> Layers:
    """Return the count for a year as separate layers (loaded actual, apportioned, top-down) and their total."""
    return coverage(workspace, year, con).layers


_BAND_SHORT = {
    "pop_all": "all ages",
    "pop_0_15": "aged 0-15",
    "pop_16_59": "aged 16-59",
    "pop_60_plus": "aged 60+",
    "pop_working_age": "working age",
    "pop_16_plus": "aged 16+",
}


def _driver_summary(estimates: TopdownEstimates, place_name: str) -> dict[str, str]:
    """Return per body (key) the population shares its estimate uses, largest part of the estimate first."""
    weights: dict[str, dict[tuple[str, str], Decimal]] = {}
    shares: dict[tuple[str, str], Decimal] = {}
    areas: dict[tuple[str, str], str] = {}
    for r in estimates.rows:
        key = (r["area_key"], r["band"])
        shares[key] = r["share"]
        area = r["area"]
        if r["kind"] == "dwp" and r["area_key"].startswith("body:"):
            area = f"housing benefit in {r['detail']}'s own outturn"
        areas[(r["body_key"], r["area_key"])] = area
        item = weights.setdefault(r["body_key"], {})
        item[key] = item.get(key, ZERO) + abs(r["estimate"])
    out = {}
    for kind, items in weights.items():
        by_area: dict[str, list[str]] = {}
        for key, _ in sorted(items.items(), key=lambda kv: -kv[1]):
            area_key, band = key
            text = (
                "in full"
                if shares[key] == 1
                else f"{_BAND_SHORT.get(band, band)} {shares[key] * 100:.2f}%"
            )
            texts = by_area.setdefault(areas[(kind, area_key)], [])
            if text not in texts:
                texts.append(text)
        if all(texts == ["in full"] for texts in by_area.values()) and kind != "dwp":
            whole_place = all(
                r["driver"] == f"covers only {place_name}: counted in full"
                for r in estimates.rows
                if r["body_key"] == kind
            )
            out[kind] = (
                f"counted in full: its return covers only {place_name}"
                if whole_place
                else f"counted in full: its area lies inside {place_name}"
            )
            continue
        parts = [
            f"{area} in full" if texts == ["in full"] else f"of {area}: {', '.join(texts)}"
            for area, texts in by_area.items()
        ]
        out[kind] = "population share " + "; ".join(parts) + " (ONS mid-2015)"
    return out


def _row(
    body: Body,
    count_rows: list[dict[str, Any]] | None,
    estimate_gross: Decimal | None,
    source: tuple[str, str],
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "kind": body.kind,
        "body_key": body.key,
        "area_code": body.area_code,
        "kind_label": body.label,
        "who": body.who,
        "partners": [p.name for p in body.partners],
        "topdown_estimate": estimate_gross,
        "topdown_source": source[1],
        "topdown_source_brief": source[0],
        "topdown_year_estimate": estimate_gross,
        "already_counted": ZERO,
        "part_year": False,
    }
    if count_rows:
        apportioned = any(r["method"] == "apportioned" for r in count_rows)
        drivers = sorted({r["driver"] for r in count_rows})
        confidence = sorted({r["confidence"] for r in count_rows})
        lines = sum(int(r["lines"]) for r in count_rows)
        row.update(
            who=", ".join(p.name for p in body.partners),
            status="apportioned" if apportioned else "loaded",
            method="apportioned" if apportioned else "actual",
            amount=sum((r["counted_amount"] for r in count_rows), ZERO),
            driver="; ".join(drivers),
            source=f"{lines:,} transactions loaded",
            source_detail=(
                f"{lines:,} transactions of {', '.join(p.name for p in body.partners)} in the "
                "count (table count_by_partner_theme_year)"
            ),
            confidence="/".join(confidence),
        )
    elif estimate_gross is not None:
        row.update(
            status="estimated top-down",
            method="top-down",
            amount=estimate_gross,
            driver="",
            source=source[0],
            source_detail=source[1],
            confidence="low",
        )
    else:
        row.update(
            status="missing",
            method="",
            amount=ZERO,
            driver="",
            source="none",
            source_detail="no loaded data and no top-down source shipped",
            confidence="",
        )
    return row


_PLURALS = {
    "district_council": "district councils",
    "unitary_council": "unitary councils",
    "county_council": "county councils",
    "combined_authority": "combined authorities",
    "police": "police bodies",
    "fire": "fire and rescue authorities",
}


def _kind_notes(rows: list[dict[str, Any]]) -> list[str]:
    """Return, per kind of body the place has several of, how many are loaded and which are not."""
    notes = []
    kinds: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("area_code"):
            kinds.setdefault(row["kind"], []).append(row)
    for kind, members in kinds.items():
        members = [r for r in members if not r.get("part_year")]
        if len(members) < 2:
            continue
        loaded = [r for r in members if r["method"] in ("actual", "apportioned")]
        rest = [r for r in members if r not in loaded]
        plural = _PLURALS.get(kind, members[0]["kind_label"].lower() + "s")
        text = f"{plural.capitalize()}: {len(loaded)} of the {len(members)} {plural} serving the place loaded"
        if loaded:
            text += f" ({', '.join(', '.join(r['partners']) or r['who'] for r in loaded)})"
        if rest:
            by_status: dict[str, list[str]] = {}
            for r in rest:
                by_status.setdefault(r["status"], []).append(_body_name(r))
            text += "; not loaded: " + "; ".join(
                f"{', '.join(names)} ({status})" for status, names in by_status.items()
            )
        notes.append(text + ".")
    return notes


def _body_name(row: dict[str, Any]) -> str:
    return re.sub(r"\s+(district council|Council)$", "", row["who"])


def _does_not_include(rows: list[dict[str, Any]], has_count: bool) -> list[str]:
    """Return plain-words items the count leaves out."""
    out = [
        f"{r['who']}: no data loaded and no top-down source"
        for r in rows
        if r["status"] == "missing"
    ]
    if has_count:
        out.append(
            "loaded partners' spending outside their published transactions: payroll, "
            "payments under the publication threshold, benefit payments to individuals"
        )
    out += [
        "capital spending of councils, police and fire (their outturn is current spending only)",
        "parish and town councils",
        "non-identifiable national spending (defence, debt interest, overseas), which the CRA does not place in regions",
    ]
    return out
