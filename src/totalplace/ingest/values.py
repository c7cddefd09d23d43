"""Read a sheet's columns from their values alone, when no header names them.

A file without a header row (or whose header names no amount) still says, in its
values, which column is money: it parses as money on (nearly) every row, carries what
only money carries (pence, '£', a thousands separator, a sign), and is not a run of
whole-number identifiers, dates, VAT or company numbers. Exactly one such column is
the amount; two (gross and net without labels, an amount beside a VAT amount) are
refused with a message saying how to pin it -- never guessed. A column of whole
numbers only is taken only when nothing else is money-like and its values span at
least an order of magnitude (a line number or a code never does both).

The date, payee and transaction number are taken the same way when exactly one
column fits each; every choice keeps its evidence and a confidence for the report.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from totalplace.ingest.columns import Mapping_
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.header_row import HEADER_SEARCH_TOP
from totalplace.ingest.meaning import ColumnProfile

#: Data rows a file needs before its values alone are trusted to say which column is money.
MIN_ROWS = 5
#: Share of a column's filled cells that must parse as money for it to be the amount.
MONEY_SHARE = 0.95
#: A money-like column must be filled on at least this share of the fullest column's rows.
FILLED_SHARE = 0.9
#: Share of cells carrying a money mark (pence, '£', ',000', sign) that makes money sure.
MARKED_SHARE = 0.2
#: Orders of magnitude whole-pound amounts span at least (a line number or code does not).
WHOLE_SPREAD = 1.0

_PIN = (
    "Give the partner a column profile in place.toml pinning the amount, e.g. "
    "[partners.columns] amount = {n} (column "
    "number counting from 0; the other fields are still read by themselves), or add a "
    "header row to the file"
)


NO_HEADER = (
    f"no header row was found (no row of the first {HEADER_SEARCH_TOP} names an amount and "
    "another column)"
)
#: The rank ``meaning.confidence`` gives a column read from its values alone.
VALUES_RANK = 200


@dataclass(frozen=True)
class Choice:
    """A column taken for a field from its values, and why."""

    column: int
    evidence: str


def _shown(index: int, samples: Sequence[Sequence[object]]) -> str:
    """Return a column's first few values for a message, e.g. "'1,450.18', '715.73'"."""
    values = [str(r[index]).strip() for r in samples if index < len(r) and r[index] is not None]
    return ", ".join(repr(v) for v in values if v)[:60] or "(empty)"


def _money_like(profile: ColumnProfile, fullest: int) -> bool:
    return (
        profile.filled >= FILLED_SHARE * fullest
        and profile.money >= MONEY_SHARE
        and not profile.looks_like_ids()
        and profile.dates < 0.5
        and profile.vat < 0.5
        and profile.company < 0.5
    )


def choose_amount(
    label: str,
    profiles: dict[int, ColumnProfile],
    samples: Sequence[Sequence[object]],
    exclude: Collection[int] = (),
    why: str = NO_HEADER,
) -> Choice:
    """Return the amount column read from the values, or raise ImportProblem saying how to pin it.

    ``samples`` are a few data rows (for the message); ``exclude`` columns other fields
    hold. Refused when no column, or more than one, is money-like.
    """
    fullest = max((p.filled for p in profiles.values()), default=0)
    if fullest < MIN_ROWS:
        raise ImportProblem(
            label,
            f"{why}, and with {fullest} data row(s) the values are too few to tell which "
            f"column is the amount (at least {MIN_ROWS} are needed)",
            _PIN.format(n="<its number>"),
        )
    like = {
        i: p
        for i, p in profiles.items()
        if i not in exclude and p.filled and _money_like(p, fullest)
    }
    sure = [i for i, p in like.items() if p.marked >= MARKED_SHARE]
    whole = [
        i
        for i, p in like.items()
        if i not in sure
        and p.integers >= 0.99
        and p.spread >= WHOLE_SPREAD
        and p.distinct >= 0.5
        and not p.looks_like_ids()
    ]
    if len(sure) == 1:
        p = profiles[sure[0]]
        return Choice(
            sure[0],
            f"amount: column {sure[0]} (from its values: {p.money:.0%} parse as "
            f"money, {p.marked:.0%} with pence, '£', a thousands separator or a sign; "
            "the only such column)",
        )
    if not sure and len(whole) == 1:
        p = profiles[whole[0]]
        return Choice(
            whole[0],
            f"amount: column {whole[0]} (from its values: whole pounds, "
            f"{p.spread:.1f} orders of magnitude apart, not identifiers; no other column "
            "is money with pence or a sign, and none other is whole pounds)",
        )
    found = sure or whole
    if found:
        listed = "; ".join(f"column {i}: {_shown(i, samples)}" for i in found)
        raise ImportProblem(
            label,
            f"{why}, and the values alone do not say which column is the amount: "
            f"{len(found)} columns hold money ({listed}) -- gross and net, or an amount "
            "beside a VAT amount, cannot be told apart without labels",
            _PIN.format(n=found[-1]),
        )
    raise ImportProblem(
        label,
        f"{why}, and no column's values are money on (nearly) every row (whole-number "
        "identifiers, dates, VAT and company numbers are never the amount)",
        _PIN.format(n="<its number>"),
    )


def _single(
    fld: str,
    profiles: dict[int, ColumnProfile],
    taken: Collection[int],
    test: str,
    score: float,
    label: str,
    samples: Sequence[Sequence[object]],
) -> Choice | None:
    """Return the one column whose values fit ``fld`` best, or None when none or several do."""
    scored = sorted(
        ((getattr(p, test), i) for i, p in profiles.items() if i not in taken and p.filled),
        reverse=True,
    )
    fit = [(s, i) for s, i in scored if s >= score]
    if not fit:
        return None
    if fld == "date" and len(fit) > 1:
        listed = "; ".join(f"column {i}: {_shown(i, samples)}" for _, i in fit)
        raise ImportProblem(
            label,
            f"{NO_HEADER}, and {len(fit)} columns hold dates ({listed}): "
            "which is the payment date cannot be told without labels",
            "Pin the date column in place.toml, e.g. [partners.columns] date = "
            f"{fit[0][1]} (column number counting from 0), or add a header row to the file",
        )
    if len(fit) > 1 and fit[0][0] - fit[1][0] < 0.2:
        return None  # two columns fit about as well: leave the field unread rather than guess
    s, i = fit[0]
    return Choice(i, f"{fld}: column {i} (from its values: {s:.0%} {_WHAT[test]})")


_WHAT = {
    "dates": "parse as dates",
    "entity": "name a legal form or kind of organisation",
    "code": "are one token with a digit, like invoice numbers",
}


def mapping_from_values(
    label: str, profiles: dict[int, ColumnProfile], samples: Sequence[Sequence[object]]
) -> Mapping_:
    """Return the columns of a sheet without a header, read from its values.

    The amount is required (see :func:`choose_amount`); date, payee and transaction
    number are taken when one column fits each. Raises ImportProblem when the amount
    or the date cannot be told.
    """
    amount = choose_amount(label, profiles, samples)
    chosen: dict[str, Choice] = {"amount": amount}
    taken = {amount.column}
    plan = (
        ("date", "dates", 0.9),
        ("supplier_name", "entity", 0.15),
        ("transaction_id", "code", 0.9),
    )
    for fld, test, score in plan:
        usable = {
            i: p
            for i, p in profiles.items()
            if fld != "transaction_id" or (p.dates < 0.5 and p.distinct >= 0.5)
        }
        if fld == "supplier_name":
            usable = {i: p for i, p in usable.items() if p.text >= 0.8}
        found = _single(fld, usable, taken, test, score, label, samples)
        if found is not None:
            chosen[fld] = found
            taken.add(found.column)
    return Mapping_(
        columns={f: c.column for f, c in chosen.items()},
        headers={},
        evidence={f: c.evidence for f, c in chosen.items()},
        notes=(
            "no header row: the columns were read from their values (counting from 0: "
            + ", ".join(f"{f} = column {c.column}" for f, c in chosen.items())
            + "); pin them in place.toml if any is wrong",
        ),
    )
