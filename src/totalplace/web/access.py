"""Who may see what: a partner's analysts see its transactions; everyone else sees aggregates,
with small cells of other partners' detail suppressed and the suppression explained.

Primary suppression: a cell of another partner's detail built from fewer than
:data:`SMALL_CELL` transactions (or, where a cell counts payees, fewer distinct payees)
is withheld. Secondary suppression: a withheld cell must not be recoverable by
subtraction from a total shown beside it, so when a group of cells that adds up to a
shown total has exactly one withheld cell, a second cell is withheld too (the smallest
the viewer does not already know); if there is none, the total is withheld instead.
:func:`protect` applies both to any set of cells and the "lines" (a total and the
cells adding up to it) they sit in, until nothing more can be worked out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from totalplace.workspace.model import slugify

__all__ = [
    "PUBLIC",
    "SMALL_CELL",
    "Role",
    "Viewer",
    "may_see_transactions",
    "own_partner",
    "protect",
    "suppress",
    "suppress_with_total",
]

Role = Literal["administrator", "analyst", "board", "public"]

#: A cell of another partner's detail built from fewer than this many transactions (or,
#: for cells counting payees, fewer distinct payees) is suppressed.
SMALL_CELL = 10

#: The money fields a suppressed cell loses (whichever it has).
AMOUNT_KEYS = (
    "amount",
    "ledger_amount",
    "counted_amount",
    "per_head",
    "share",
    "place_amount",
    "gross_amount",
    "base_amount",
)


@dataclass(frozen=True)
class Viewer:
    """A person looking at the pages: their role, their organisation (a place.toml partner) and name."""

    role: Role
    partner: str | None = None
    name: str = ""


#: The anonymous resident.
PUBLIC = Viewer(role="public")


def own_partner(viewer: Viewer) -> str | None:
    """Return the slug of the partner whose detail the viewer knows already (None: none).

    An analyst's and a board member's own organisation: its figures are theirs, so
    they are never suppressed for them (and never count as hiding anything from them).
    """
    if viewer.role in ("analyst", "board") and viewer.partner:
        return slugify(viewer.partner)
    return None


def may_see_transactions(viewer: Viewer, partner: str) -> bool:
    """Return whether the viewer may see ``partner``'s individual transactions.

    Only the partner's own analysts. Administrators manage people and organisations and
    see no partner's transactions: there is no account that sees every ledger, so a
    stolen administrator password leaks no detail; a place analyst who needs a
    partner's detail is given an analyst account of that partner. Board members read
    aggregates, as the board pack does.
    """
    return viewer.role == "analyst" and own_partner(viewer) == slugify(partner)


def _reason(count_key: str, count: int, threshold: int) -> str:
    what = "payees" if count_key == "payees" else "transactions"
    return (
        f"Suppressed: built from fewer than {threshold} {what} of another partner "
        f"({count}), so it could identify a person or a single payment."
    )


SECONDARY = (
    "Suppressed: shown, it would let a suppressed figure beside it be worked out "
    "by subtraction from the total."
)


def _withhold(row: dict[str, Any], reason: str) -> None:
    for key in AMOUNT_KEYS:
        if key in row:
            row[key] = None
    row["suppressed"] = True
    row["reason"] = reason


def _small(row: Mapping[str, Any], count_key: str, threshold: int) -> tuple[str, int] | None:
    """Return what makes the row small (its count's key and value), or None if it is not small."""
    for key in dict.fromkeys((count_key, "payees")):
        value = row.get(key)
        if value is not None and int(value) < threshold:
            return key, int(value)
    return None


def protect(
    cells: dict[str, dict[str, Any]],
    lines: Sequence[tuple[str | None, Sequence[str]]],
    viewer: Viewer,
    *,
    partner_key: str = "partner",
    count_key: str = "lines",
    threshold: int = SMALL_CELL,
) -> dict[str, dict[str, Any]]:
    """Return copies of ``cells`` (by id) with small cells and their complements suppressed.

    ``lines`` are (total id or None, member ids): groups of cells adding up to the total
    (None: a total the viewer knows some other way). A cell whose ``partner_key`` is the
    viewer's own partner is never suppressed; a cell without a partner (a total over
    several) is suppressed only by its count or as a complement.
    """
    own = own_partner(viewer)
    out = {k: {**v, "suppressed": False, "reason": None} for k, v in cells.items()}

    def known(cid: str) -> bool:
        partner = out[cid].get(partner_key)
        return own is not None and partner is not None and slugify(str(partner)) == own

    for cid, row in out.items():
        small = _small(row, count_key, threshold)
        if small is not None and not known(cid):
            _withhold(row, _reason(small[0], small[1], threshold))
    changed = True
    while changed:  # each pass only adds suppressions, so this ends
        changed = False
        for total, members in lines:
            hidden = [m for m in members if out[m]["suppressed"]]
            if len(hidden) != 1 or (total is not None and out[total]["suppressed"]):
                continue
            candidates = [m for m in members if not out[m]["suppressed"] and not known(m)]
            if candidates:
                pick = min(candidates, key=lambda m: (_size(out[m]), m))
                _withhold(out[pick], SECONDARY)
                changed = True
            elif total is not None and not known(total):
                _withhold(out[total], SECONDARY)
                changed = True
    return out


def _size(row: Mapping[str, Any]) -> tuple[int, Decimal]:
    """Return the order of complements: the fewest transactions, then the smallest amount, first."""
    amount = next((row[k] for k in AMOUNT_KEYS if row.get(k) is not None), Decimal(0))
    return (int(row.get("lines") or 0), abs(Decimal(amount)))


def suppress(
    rows: Iterable[Mapping[str, Any]],
    viewer: Viewer,
    *,
    partner_key: str = "partner",
    count_key: str = "lines",
    threshold: int = SMALL_CELL,
) -> list[dict[str, Any]]:
    """Return the rows with other partners' small cells replaced: amounts None, ``suppressed``
    True and a ``reason``; with secondary suppression, taking the rows as adding up to a shown total.

    Every row gains ``suppressed`` (bool) and ``reason`` (None when shown). If no row can
    be withheld as a complement, every other partner's row is withheld (the caller shows
    a total it cannot take back); use :func:`suppress_with_total` to withhold the total instead.
    """
    ids = {str(i): dict(r) for i, r in enumerate(rows)}
    done = protect(
        ids,
        [(None, list(ids))],
        viewer,
        partner_key=partner_key,
        count_key=count_key,
        threshold=threshold,
    )
    result = [done[str(i)] for i in range(len(ids))]
    hidden = [r for r in result if r["suppressed"]]
    if len(hidden) == 1:  # no complement to hide: hide every row the viewer does not know
        own = own_partner(viewer)
        for row in result:
            partner = row.get(partner_key)
            if not row["suppressed"] and (partner is None or slugify(str(partner)) != own):
                _withhold(row, SECONDARY)
    return result


def suppress_with_total(
    rows: Iterable[Mapping[str, Any]],
    total: Mapping[str, Any],
    viewer: Viewer,
    *,
    partner_key: str = "partner",
    count_key: str = "lines",
    threshold: int = SMALL_CELL,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Return (rows, total) suppressed as :func:`suppress` does, withholding the total when no
    row can be the complement of a lone suppressed row."""
    ids = {str(i): dict(r) for i, r in enumerate(rows)}
    ids["total"] = dict(total)
    members = [k for k in ids if k != "total"]
    done = protect(
        ids,
        [("total", members)],
        viewer,
        partner_key=partner_key,
        count_key=count_key,
        threshold=threshold,
    )
    return [done[m] for m in members], done["total"]
