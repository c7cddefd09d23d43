"""Levers that save by sharing: a back office, joint buying, senior management.

Each partner taking part saves a rate of its own spend on each shared item (a back-office
function, a purchase category) -- the spend read from the opportunities tables, the
rates their cited benchmarks unless the scenario gives its own -- phased in over the
years, reduced for optimism bias by the benefits' data-confidence grade, and split into
cashable and non-cashable. An item is only shared when at least two partners taking
part spend on it: one body alone shares nothing. The one-off cost of setting it up is
split by each partner's share of the central saving (or the shares the file gives); a
partner that stays out neither pays nor saves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np

from totalplace.scenario.lever import (
    Frame,
    Param,
    Stream,
    one_off,
    phasing,
    read_cost_bias,
    read_phasing,
)
from totalplace.scenario.parameters import benefit_bias, read_confidence
from totalplace.scenario.spec import LeverTable, Ranged, Reader

__all__ = [
    "COMMON_KEYS",
    "SeniorManagementLever",
    "SharingLever",
    "build_senior_management",
    "build_sharing",
]

#: The keys every lever that saves by sharing takes: who, the set-up cost, confidence, phasing.
COMMON_KEYS = (
    "type",
    "name",
    "partners",
    "implementation_cost",
    "implementation_years",
    "cost_kind",
    "cost_optimism_bias",
    "cost_split",
    "confidence_grade",
    "cashable",
    "start",
    "ramp_up",
    "duration",
)
SHARING_KEYS = (*COMMON_KEYS, "items", "saving_rate")


@dataclass(frozen=True)
class Costing:
    """The one-off cost of a lever: its range, optimism bias, kind, years and who pays what share."""

    amount: Param | None
    optimism_bias: Param
    kind: str
    year: int
    spread: int
    split: Mapping[
        str, float
    ]  # partner -> share of the whole cost (need not sum to 1 over members)

    def streams(
        self, lever: str, values: Mapping[str, np.ndarray], frame: Frame, members: np.ndarray
    ) -> list[Stream]:
        """Return each taking-part partner's share of the one-off cost, uplifted for optimism bias."""
        if self.amount is None:
            return []
        total = values[self.amount.id] * (1 + values[self.optimism_bias.id])
        profile = one_off(frame.horizon, self.year, self.spread)
        out = []
        for i, partner in enumerate(frame.partners):
            share = self.split.get(partner, 0.0)
            if members[i] and share:
                out.append(
                    Stream(
                        lever,
                        "set-up cost",
                        self.kind,
                        partner,
                        (total * share)[:, None] * profile[None, :],
                        f"{self.amount.range.source or 'scenario file'}; optimism bias "
                        f"{self.optimism_bias.range.central:g}",
                    )
                )
        return out

    def params(self) -> list[Param]:
        """Return the cost's ranged inputs."""
        return [p for p in (self.amount, self.optimism_bias) if p is not None]


@dataclass(frozen=True)
class SharingLever:
    """A share of each taking-part partner's spend on each shared item, saved every year."""

    name: str
    kind: str
    frame: Frame
    base: Mapping[tuple[str, str], float]  # (partner, item) -> yearly spend in the place
    rates: Mapping[str, Param]  # item -> saving rate
    profile: np.ndarray  # (H,) share of the full saving each year
    bias: float  # optimism bias on benefits (data-confidence grade)
    grade: int
    cashable: Param
    costing: Costing
    source: str
    min_members: int = 2

    def parameters(self) -> list[Param]:
        """Return the saving rates, the cashable share and the cost's inputs."""
        return [*self.rates.values(), self.cashable, *self.costing.params()]

    def streams(self, values: Mapping[str, np.ndarray], members: np.ndarray) -> list[Stream]:
        """Return each partner's yearly saving (cashable and not) and its share of the set-up cost."""
        frame, out = self.frame, []
        draws = len(next(iter(values.values())))
        for i, partner in enumerate(frame.partners):
            if not members[i]:
                continue
            saving = np.zeros(draws)
            for item, rate in self.rates.items():
                spend = self.base.get((partner, item), 0.0)
                if spend and self._shared(item, members):
                    saving = saving + spend * values[rate.id]
            if not saving.any():
                continue
            yearly = saving[:, None] * self.profile[None, :] * (1 - self.bias)
            cash = values[self.cashable.id][:, None]
            for kind, part in (("fiscal_cashable", cash), ("fiscal_non_cashable", 1 - cash)):
                out.append(Stream(self.name, "saving", kind, partner, yearly * part, self.source))
        return out + self.costing.streams(self.name, values, frame, members)

    def _shared(self, item: str, members: np.ndarray) -> bool:
        spenders = sum(
            1
            for i, p in enumerate(self.frame.partners)
            if members[i] and self.base.get((p, item), 0.0) > 0
        )
        return spenders >= self.min_members

    def describe(self) -> dict[str, Any]:
        """Return the spend each saving is a rate of, by partner and item, and the settings."""
        return {
            "type": self.kind,
            "name": self.name,
            "spend": [
                {"partner": p, "item": item, "yearly_spend": round(v, 2)}
                for (p, item), v in sorted(self.base.items())
            ],
            "confidence_grade": self.grade,
            "optimism_bias_on_benefits": self.bias,
            "phasing": [round(float(x), 4) for x in self.profile],
            "source": self.source,
        }


def read_costing(
    reader: Reader,
    lever: LeverTable,
    frame: Frame,
    split: Mapping[str, float],
    start: int,
) -> Costing:
    """Return the one-off set-up cost of a lever from its keys (``implementation_cost`` ...)."""
    table, path, name = lever.table, lever.path, lever.name
    amount = reader.ranged(table, "implementation_cost", path, low=0.0)
    bias = read_cost_bias(reader, lever)
    kind = reader.choice(table, "cost_kind", path, ("revenue_cost", "capital_cost"))
    spread = reader.whole(table, "implementation_years", path, 1, frame.horizon, 1)
    given = table.get("cost_split", "saving")
    if isinstance(given, dict):
        shares: dict[str, float] = {}
        for partner, share in given.items():
            if partner not in frame.partners:
                reader.fault((*path, "cost_split"), _unknown_partner(partner, frame))
            elif (
                not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share <= 1
            ):
                reader.fault((*path, "cost_split"), f"the share of {partner!r} must be from 0 to 1")
            else:
                shares[partner] = float(share)
        if shares and abs(sum(shares.values()) - 1) > 1e-9:
            reader.fault(
                (*path, "cost_split"),
                f"the cost_split shares add up to {sum(shares.values()):g}, not 1",
            )
        split = shares
    elif given != "saving":
        reader.fault(
            (*path, "cost_split"), 'cost_split is "saving" or a table { "Partner name" = 0.5, ... }'
        )
    return Costing(
        Param(f"{name}: set-up cost", f"{name}: one-off set-up cost", amount, "£")
        if amount
        else None,
        Param(
            f"{name}: cost optimism bias",
            f"{name}: optimism bias on the set-up cost",
            bias or Ranged.point(0.0),
        ),
        kind,
        start,
        spread,
        split,
    )


def _unknown_partner(partner: str, frame: Frame) -> str:
    return (
        f"{partner!r} is not a partner of the place; the partners are {', '.join(frame.partners)}"
    )


def read_partners(reader: Reader, lever: LeverTable, frame: Frame, default: list[str]) -> list[str]:
    """Return the partners a lever names (``partners``; default ``default``), each checked."""
    given = lever.table.get("partners")
    if given is None:
        return default
    if not isinstance(given, list) or not all(isinstance(p, str) for p in given):
        reader.fault(
            (*lever.path, "partners"),
            'partners must be a list of names, e.g. ["Hyndburn Borough Council"]',
        )
        return []
    for partner in given:
        if partner not in frame.partners:
            reader.fault((*lever.path, "partners"), _unknown_partner(partner, frame))
    return [p for p in given if p in frame.partners]


def build_sharing(
    reader: Reader,
    lever: LeverTable,
    frame: Frame,
    spend: Mapping[tuple[str, str], Decimal],
    rates: Mapping[str, tuple[Decimal, Decimal, Decimal, str]],
    what: str,
    source: str,
    min_members: int = 2,
) -> SharingLever:
    """Return a sharing lever: ``spend`` by (partner, item), ``rates`` by item; an item is shared
    once ``min_members`` taking-part partners spend on it."""
    table, path, name = lever.table, lever.path, lever.name
    reader.unknown_keys(table, SHARING_KEYS, path, f"the {lever.kind} lever {name!r}")
    have = sorted({p for p, _ in spend})
    partners = read_partners(reader, lever, frame, [p for p in frame.partners if p in have])
    items_known = sorted({item for _, item in spend})
    items = items_known
    if "items" in table:
        given = table["items"]
        if not isinstance(given, list) or not all(isinstance(i, str) for i in given):
            reader.fault((*path, "items"), f"items must be a list of {what}")
            given = []
        for item in given:
            if item not in items_known:
                reader.fault(
                    (*path, "items"),
                    f"{item!r} is not one of the {what} the opportunities found in the baseline "
                    f"year: {', '.join(items_known) or 'none'}",
                )
        items = [i for i in given if i in items_known]
    override = None  # each item's cited rate unless the file gives one rate for all
    if "saving_rate" in table:
        override = reader.ranged(table, "saving_rate", path, low=0.0, high=1.0)
    params: dict[str, Param] = {}
    for item in items:
        if override is not None:
            found = override
        else:
            low, mid, high, cited = rates.get(item, (Decimal(0), Decimal(0), Decimal(0), ""))
            found = Ranged(float(low), float(mid), float(high), cited)
        params[item] = Param(
            f"{name}: rate {item}", f"{name}: saving rate on {item}", found, "rate"
        )
    base = {(p, i): float(v) for (p, i), v in spend.items() if p in partners and i in items}
    start, ramp, duration = read_phasing(reader, lever, frame.horizon)
    grade = read_confidence(reader, lever)
    cashable = reader.ranged(
        table, "cashable", path, default=Ranged.point(1.0, "all cash saved"), low=0.0, high=1.0
    )
    central = {
        p: sum(v * params[i].range.central for (q, i), v in base.items() if q == p)
        for p in partners
    }
    whole = sum(central.values())
    split = {p: (v / whole if whole else 1 / max(len(partners), 1)) for p, v in central.items()}
    costing = read_costing(reader, lever, frame, split, start)
    return SharingLever(
        name=name,
        kind=lever.kind,
        frame=frame,
        base=base,
        rates=params,
        profile=phasing(frame.horizon, start, ramp, duration),
        bias=benefit_bias(grade),
        grade=grade,
        cashable=Param(
            f"{name}: cashable",
            f"{name}: cashable share of the saving",
            cashable or Ranged.point(1.0),
        ),
        costing=costing,
        source=source,
        min_members=min_members,
    )


SENIOR_KEYS = (*COMMON_KEYS, "posts", "cost_per_post", "shares")


@dataclass(frozen=True)
class SeniorManagementLever:
    """Posts that a shared senior team no longer needs, at a cost per post, shared out by partner."""

    name: str
    kind: str
    frame: Frame
    posts: Param
    cost_per_post: Param
    shares: Mapping[str, float]
    profile: np.ndarray
    bias: float
    grade: int
    cashable: Param
    costing: Costing

    def parameters(self) -> list[Param]:
        """Return the posts, cost per post, cashable share and the cost's inputs."""
        return [self.posts, self.cost_per_post, self.cashable, *self.costing.params()]

    def streams(self, values: Mapping[str, np.ndarray], members: np.ndarray) -> list[Stream]:
        """Return each partner's share of the posts' cost saved, once two or more take part."""
        frame = self.frame
        taking = [p for i, p in enumerate(frame.partners) if members[i] and p in self.shares]
        if len(taking) < 2:
            return []
        total = values[self.posts.id] * values[self.cost_per_post.id]
        cash = values[self.cashable.id][:, None]
        out = []
        for partner in taking:
            yearly = (
                (total * self.shares[partner])[:, None] * self.profile[None, :] * (1 - self.bias)
            )
            for kind, part in (("fiscal_cashable", cash), ("fiscal_non_cashable", 1 - cash)):
                out.append(
                    Stream(
                        self.name, "posts", kind, partner, yearly * part, self.posts.range.source
                    )
                )
        return out + self.costing.streams(self.name, values, frame, members)

    def describe(self) -> dict[str, Any]:
        """Return the settings the lever was built from."""
        return {
            "type": self.kind,
            "name": self.name,
            "shares": dict(self.shares),
            "confidence_grade": self.grade,
            "optimism_bias_on_benefits": self.bias,
            "phasing": [round(float(x), 4) for x in self.profile],
        }


def build_senior_management(
    reader: Reader, lever: LeverTable, frame: Frame
) -> SeniorManagementLever:
    """Return a senior-management lever from its table (posts, cost per post, shares)."""
    table, path, name = lever.table, lever.path, lever.name
    reader.unknown_keys(table, SENIOR_KEYS, path, f"the senior_management lever {name!r}")
    partners = read_partners(reader, lever, frame, list(frame.partners))
    posts = reader.ranged(table, "posts", path, low=0.0)
    cost = reader.ranged(table, "cost_per_post", path, low=0.0, unit=" pounds")
    given = table.get("shares")
    shares = {p: 1 / max(len(partners), 1) for p in partners}
    if isinstance(given, dict):
        shares = {
            p: float(v) for p, v in given.items() if p in partners and isinstance(v, int | float)
        }
        if abs(sum(shares.values()) - 1) > 1e-9:
            reader.fault((*path, "shares"), f"the shares add up to {sum(shares.values()):g}, not 1")
    elif given is not None:
        reader.fault((*path, "shares"), 'shares is a table { "Partner name" = 0.5, ... }')
    start, ramp, duration = read_phasing(reader, lever, frame.horizon)
    grade = read_confidence(reader, lever)
    cashable = reader.ranged(
        table, "cashable", path, default=Ranged.point(1.0, "all cash saved"), low=0.0, high=1.0
    )
    return SeniorManagementLever(
        name=name,
        kind=lever.kind,
        frame=frame,
        posts=Param(
            f"{name}: posts", f"{name}: posts no longer needed", posts or Ranged.point(0.0)
        ),
        cost_per_post=Param(
            f"{name}: cost per post",
            f"{name}: cost per post with on-costs",
            cost or Ranged.point(0.0),
            "£",
        ),
        shares=shares,
        profile=phasing(frame.horizon, start, ramp, duration),
        bias=benefit_bias(grade),
        grade=grade,
        cashable=Param(
            f"{name}: cashable", f"{name}: cashable share", cashable or Ranged.point(1.0)
        ),
        costing=read_costing(reader, lever, frame, shares, start),
    )
