"""Who pays and who benefits, and a fair split of a scheme's net gain between the partners.

The "wrong pocket" of Total Place: one body invests, others save. :func:`payer_beneficiary`
credits each lever's benefit to the bodies that paid for it; :func:`gain_share` proposes three
ways to share the partners' total net gain -- in proportion to investment, in proportion to
benefit, and the Shapley value (each partner's average marginal contribution over every order
in which the partners could join, computed exactly from the 2**n coalitions) -- with the
transfers each implies and who would end worse off.

Everything here is NumPy over whole arrays; figures are reported to the penny as Decimal.
Coalitions are indexed by bitmask: coalition ``m`` holds partner ``i`` iff bit ``i`` of ``m``
is set, so ``values[0]`` is the empty coalition and ``values[2**n - 1]`` all partners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from math import comb
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from totalplace.errors import UsageError
from totalplace.money import from_pennies, round_half_up

__all__ = [
    "MAX_PARTNERS",
    "GainShare",
    "Proposal",
    "coalitions",
    "gain_share",
    "no_payer",
    "payer_beneficiary",
    "shapley",
]

#: Exact Shapley needs all 2**n coalitions: 2**20 (a million) is already far beyond a place's
#: handful of partners, and a table of that many coalition values is the most worth building.
MAX_PARTNERS = 20

Floats = NDArray[np.float64]

# Cost shares of a lever add up to 1 (or 0: a lever nobody pays for); allow float noise.
_SHARE_TOLERANCE = 1e-9


def _cost_shares(lever_cost_shares: ArrayLike) -> Floats:
    shares = np.asarray(lever_cost_shares, dtype=np.float64)
    if shares.ndim < 2:
        raise UsageError(
            f"lever cost shares must be a (levers, agencies) array, not shape {shares.shape}."
        )
    if not np.all(np.isfinite(shares)) or np.any(shares < 0):
        raise UsageError("lever cost shares must be finite and not negative.")
    sums = shares.sum(axis=-1)
    bad = ~(np.isclose(sums, 1.0, atol=_SHARE_TOLERANCE) | (sums == 0))
    if np.any(bad):
        lever = int(np.argwhere(bad)[0][-1])
        raise UsageError(
            f"the cost shares of lever {lever} add up to {float(sums[bad].flat[0]):.6g}: each "
            "lever's shares of its cost must add up to 1 (or all be 0 for a lever with no cost)."
        )
    return shares


def payer_beneficiary(lever_cost_shares: ArrayLike, lever_benefits: ArrayLike) -> Floats:
    """Return the payer x beneficiary matrix (..., A, A): ``[p, b]`` is the benefit to agency ``b``
    bought with agency ``p``'s money, ``sum_l share[l, p] * benefit[l, b]``.

    ``lever_cost_shares`` (..., L, A) is each lever's cost split between the agencies (rows add
    up to 1); ``lever_benefits`` (..., L, A) each lever's benefit to each agency (a PV, or one
    year's amount). Leading axes (years, draws) broadcast. A lever with no cost (shares all 0)
    is credited to its beneficiaries as their own payers, on the diagonal, so each column still
    adds up to all that agency gains; :func:`no_payer` gives that unpaid part of the diagonal.
    """
    shares = _cost_shares(lever_cost_shares)
    benefits = np.asarray(lever_benefits, dtype=np.float64)
    if benefits.shape[-2:] != shares.shape[-2:]:
        raise UsageError(
            f"lever benefits have shape {benefits.shape} but the cost shares {shares.shape}: "
            "both must be (levers, agencies)."
        )
    paid = np.einsum("...lp,...lb->...pb", shares, benefits)
    unpaid = no_payer(shares, benefits)
    agencies = shares.shape[-1]
    diagonal = np.arange(agencies)
    paid[..., diagonal, diagonal] += unpaid
    return paid


def no_payer(lever_cost_shares: ArrayLike, lever_benefits: ArrayLike) -> Floats:
    """Return (..., A): each agency's benefit from levers that cost nobody anything (the part of
    :func:`payer_beneficiary`'s diagonal that no agency paid for)."""
    shares = _cost_shares(lever_cost_shares)
    benefits = np.asarray(lever_benefits, dtype=np.float64)
    costless = shares.sum(axis=-1) == 0  # (..., L)
    result: Floats = np.einsum("...l,...lb->...b", costless.astype(np.float64), benefits)
    return result


def _players(count: int, what: str) -> int:
    if count < 1:
        raise UsageError(f"{what} needs at least one partner.")
    if count > MAX_PARTNERS:
        raise UsageError(
            f"{what} over {count} partners needs 2**{count} coalitions; the exact Shapley value "
            f"is limited to {MAX_PARTNERS} partners. Group partners (e.g. by sector) and try again."
        )
    return count


def coalitions(n: int) -> NDArray[np.bool_]:
    """Return a (2**n, n) boolean matrix: row ``m`` holds partner ``i`` iff bit ``i`` of ``m`` is set."""
    _players(n, "coalitions")
    masks = np.arange(2**n, dtype=np.int64)
    result: NDArray[np.bool_] = ((masks[:, None] >> np.arange(n)) & 1).astype(bool)
    return result


def _game(values: ArrayLike) -> tuple[Floats, int]:
    """Return the characteristic function as floats and the number of players, checked."""
    v = np.asarray(values, dtype=np.float64)
    size = v.shape[-1] if v.ndim else 0
    n = size.bit_length() - 1
    if v.ndim == 0 or size < 2 or size != 2**n:
        raise UsageError(
            f"coalition values must have 2**n entries (one per coalition, by bitmask); got {size}."
        )
    _players(n, "the Shapley value")
    if not np.all(np.isfinite(v)):
        raise UsageError("coalition values must be finite numbers.")
    if np.any(np.abs(v[..., 0]) > _SHARE_TOLERANCE):
        raise UsageError(
            "the empty coalition's value (values[0]) must be 0: a scheme nobody joins gains nothing."
        )
    return v, n


def shapley(values: ArrayLike) -> Floats:
    """Return each partner's exact Shapley value (..., n) from ``values`` (..., 2**n), the value of
    every coalition indexed by bitmask (``values[..., 0]`` must be 0; leading axes, e.g. draws,
    broadcast).

    phi_i = sum over coalitions S without i of |S|! (n-|S|-1)! / n! x (v(S + i) - v(S)).
    """
    v, n = _game(values)
    masks = np.arange(2**n, dtype=np.int64)
    sizes = ((masks[:, None] >> np.arange(n)) & 1).sum(axis=1)
    # |S|! (n-|S|-1)! / n! = 1 / (n * C(n-1, |S|)): the chance S is exactly who came before i
    by_size = np.array([1.0 / (n * comb(n - 1, s)) for s in range(n)])
    phi = np.empty((*v.shape[:-1], n), dtype=np.float64)
    for i in range(n):  # a loop over partners (at most MAX_PARTNERS), each over all coalitions
        bit = 1 << i
        without = masks[(masks & bit) == 0]
        phi[..., i] = (v[..., without | bit] - v[..., without]) @ by_size[sizes[without]]
    return phi


@dataclass(frozen=True)
class Proposal:
    """One way to split the scheme's net gain: what each partner ends with and the transfers."""

    rule: str  # "investment", "benefit" or "shapley"
    title: str
    allocation: tuple[Decimal, ...]  # x_i: what each partner ends with
    transfers: tuple[Decimal, ...]  # x_i minus its own net position: positive = receives
    worse_off: tuple[str, ...]  # partners with x_i < 0
    below_standalone: tuple[str, ...]  # partners with x_i < v({i})
    notes: tuple[str, ...]  # fallbacks taken, and the check in words

    def to_dict(self, partners: Sequence[str]) -> dict[str, Any]:
        """Return the proposal for JSON: per partner, amounts as Decimal (printed as strings)."""
        return {
            "rule": self.rule,
            "title": self.title,
            "partners": [
                {"partner": p, "ends_with": x, "transfer": t}
                for p, x, t in zip(partners, self.allocation, self.transfers, strict=True)
            ],
            "worse_off": list(self.worse_off),
            "below_standalone": list(self.below_standalone),
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class GainShare:
    """The partners' net gain from a scheme and three proposals for sharing it (to the penny)."""

    partners: tuple[str, ...]
    total: Decimal  # V = v(all partners) = the sum of the partners' net positions
    pv_costs: tuple[Decimal, ...]
    pv_benefits: tuple[Decimal, ...]
    net: tuple[Decimal, ...]  # each partner's own position before any transfer
    standalone: tuple[Decimal, ...]  # v({i}): what each could gain alone
    proposals: tuple[Proposal, ...]
    statements: tuple[str, ...]  # what no split can achieve, if anything

    def proposal(self, rule: str) -> Proposal:
        """Return the proposal of ``rule`` ("investment", "benefit" or "shapley")."""
        for proposal in self.proposals:
            if proposal.rule == rule:
                return proposal
        raise UsageError(f"no gain-share rule {rule!r}: use investment, benefit or shapley.")

    def to_dict(self) -> dict[str, Any]:
        """Return one JSON-ready document; amounts are Decimal pounds (``emit_json`` prints them
        as strings, as it does every amount)."""
        return {
            "total_net_gain": self.total,
            "partners": [
                {
                    "partner": p,
                    "pv_costs": c,
                    "pv_benefits": b,
                    "net_before_transfers": n,
                    "standalone_value": s,
                }
                for p, c, b, n, s in zip(
                    self.partners,
                    self.pv_costs,
                    self.pv_benefits,
                    self.net,
                    self.standalone,
                    strict=True,
                )
            ],
            "proposals": [p.to_dict(self.partners) for p in self.proposals],
            "statements": list(self.statements),
        }


def _pounds(value: float) -> Decimal:
    return round_half_up(Decimal(float(value)))


def _pennies_adding_up(amounts: Floats, total_pennies: int) -> list[int]:
    """Return ``amounts`` (pounds) in whole pennies adding up to ``total_pennies``: floors, then
    the pennies left over to the largest remainders (ties to the earlier partner)."""
    scaled = amounts * 100.0
    floors = np.floor(scaled)
    left = int(total_pennies - floors.sum())
    # remainders equal but for float noise (thirds, say) are ties, settled by partner order
    order = np.argsort(-np.round(scaled - floors, 6), kind="stable")
    extra = np.zeros(len(amounts), dtype=np.int64)
    if left >= 0:
        extra[order[: min(left, len(amounts))]] = 1
        extra[order[0]] += max(left - len(amounts), 0)  # only float noise gets here
    else:
        extra[order[0]] += left
    return [int(f) + int(e) for f, e in zip(floors, extra, strict=True)]


def _proportional(total: float, weights: Floats, what: str) -> tuple[Floats, tuple[str, ...]]:
    notes: tuple[str, ...] = ()
    if np.any(weights < 0):
        notes = (f"partners with a negative {what} take no share by {what}.",)
        weights = np.clip(weights, 0.0, None)
    if weights.sum() <= 0:
        notes = (*notes, f"no partner has any {what}: the gain is shared equally instead.")
        weights = np.ones_like(weights)
    return total * weights / weights.sum(), notes


def gain_share(
    pv_costs: ArrayLike, pv_benefits: ArrayLike, values: ArrayLike, partners: Sequence[str]
) -> GainShare:
    """Return three proposals for sharing the partners' net gain V = v(all partners).

    ``pv_costs`` and ``pv_benefits`` (n,) are each partner's discounted costs and benefits
    under the whole scheme; ``values`` (2**n,) the net gain of every coalition by bitmask, whose
    last entry must equal the sum of the partners' net positions (so transfers add up to 0).
    """
    partners = tuple(partners)
    v, n = _game(values)
    costs = np.asarray(pv_costs, dtype=np.float64)
    benefits = np.asarray(pv_benefits, dtype=np.float64)
    if v.ndim != 1 or costs.shape != (n,) or benefits.shape != (n,) or len(partners) != n:
        raise UsageError(
            f"gain_share needs one cost, one benefit and one name per partner and 2**n coalition "
            f"values; got {costs.shape} costs, {benefits.shape} benefits, {len(partners)} names, "
            f"{v.shape} values."
        )
    if not (np.all(np.isfinite(costs)) and np.all(np.isfinite(benefits))):
        raise UsageError("partners' costs and benefits must be finite numbers.")
    if np.any(costs < 0):
        raise UsageError("a partner's PV of costs cannot be negative: costs are amounts spent.")
    own = benefits - costs
    total = float(v[-1])
    scale = float(np.abs(benefits).sum() + costs.sum())
    if abs(total - own.sum()) > max(0.005, 1e-9 * scale):
        raise UsageError(
            f"the value of all partners together ({total:,.2f}) is not the sum of their net "
            f"positions ({own.sum():,.2f}): the coalition values and the costs and benefits must "
            "come from the same run of the scheme."
        )

    # Report to the penny, keeping the identities exact: V is the sum of the rounded positions,
    # each proposal's pennies add up to V, so its transfers add up to exactly 0.
    net_pennies = [
        int(round_half_up(Decimal(float(b))) * 100) - int(round_half_up(Decimal(float(c))) * 100)
        for b, c in zip(benefits, costs, strict=True)
    ]
    total_pennies = sum(net_pennies)
    standalone = v[1 << np.arange(n)]
    alone_pennies = [int(_pounds(s) * 100) for s in standalone]
    by_investment = _proportional(total, costs, "investment")
    by_benefit = _proportional(total, benefits, "benefit")
    rules = (
        ("investment", "In proportion to investment (PV of costs)", *by_investment),
        ("benefit", "In proportion to benefit (PV of benefits)", *by_benefit),
        ("shapley", "Shapley value (average marginal contribution)", shapley(v), ()),
    )
    proposals = []
    for rule, title, allocation, notes in rules:
        pennies = _pennies_adding_up(allocation, total_pennies)
        worse = tuple(p for p, x in zip(partners, pennies, strict=True) if x < 0)
        below = tuple(
            p for p, x, alone in zip(partners, pennies, alone_pennies, strict=True) if x < alone
        )
        proposals.append(
            Proposal(
                rule=rule,
                title=title,
                allocation=tuple(from_pennies(x) for x in pennies),
                transfers=tuple(
                    from_pennies(x - own_p) for x, own_p in zip(pennies, net_pennies, strict=True)
                ),
                worse_off=worse,
                below_standalone=below,
                notes=(*notes, _check(worse, below)),
            )
        )
    return GainShare(
        partners=partners,
        total=from_pennies(total_pennies),
        pv_costs=tuple(_pounds(c) for c in costs),
        pv_benefits=tuple(_pounds(b) for b in benefits),
        net=tuple(from_pennies(x) for x in net_pennies),
        standalone=tuple(from_pennies(s) for s in alone_pennies),
        proposals=tuple(proposals),
        statements=_impossible(from_pennies(total_pennies), standalone),
    )


def _names(partners: tuple[str, ...]) -> str:
    return ", ".join(partners[:-1]) + " and " + partners[-1] if len(partners) > 1 else partners[0]


def _check(worse: tuple[str, ...], below: tuple[str, ...]) -> str:
    if not worse and not below:
        return "no partner ends worse off than without the scheme, or with less than it could gain alone."
    said = []
    if worse:
        said.append(f"{_names(worse)} would end worse off than without the scheme")
    if below:
        each = "would each get less than they" if len(below) > 1 else "would get less than it"
        said.append(f"{_names(below)} {each} could gain alone")
    return "; ".join(said) + "."


def _impossible(total: Decimal, standalone: Floats) -> tuple[str, ...]:
    """Return plain statements of what no split of ``total`` can achieve."""
    said = []
    if total < 0:
        said.append(
            f"no split can leave every partner no worse off: the scheme loses £{-total:,.2f} overall."
        )
    alone = _pounds(float(standalone.sum()))
    if alone > total and alone > 0:  # else the loss above already says it
        together = f"only £{total:,.2f}" if total >= 0 else f"they lose £{-total:,.2f}"
        said.append(
            f"no split can give every partner what it could gain alone: alone they would gain "
            f"£{alone:,.2f} together, together {together}."
        )
    return tuple(said)
