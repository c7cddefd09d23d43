"""The review queue: the register's uncertain pairs of payees, by money at stake.

A pair is uncertain when Splink's match probability for the two names is in a middle
band (match weight within ``REVIEW_BELOW`` under and ``REVIEW_ABOVE`` over the
model's threshold, joined or not), or when deterministic rules disagree: a VAT,
company or charity number or a partner's supplier id says "same" while the names say
otherwise, or the names match but name public bodies of different kinds or areas, or
different organisations (registered names differing by a word, :mod:`.conflicts`).
Pairs are ordered by the money at stake (both payees' spend). A reviewer's answer is
written to ``supplier_overrides.toml`` -- accept as ``[[merge]]``, reject as
``[[apart]]`` -- and applied the next time ``totalplace link`` runs; decided pairs
leave the queue. ``totalplace link-review`` (in :mod:`totalplace.cli.link`) shows it.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pyarrow as pa

from totalplace import stages, warehouse
from totalplace.errors import UsageError
from totalplace.link.engine import kernel, put, query
from totalplace.link.linker import REVIEW_MARGIN
from totalplace.link.model import load_model
from totalplace.link.overrides import (
    OVERRIDES_FILE,
    TEMPLATE,
    Overrides,
    parse_overrides,
    read_overrides,
)
from totalplace.workspace import Workspace

__all__ = ["ReviewError", "record_decision", "review_queue"]

#: Splink matches this far below the threshold are uncertain (the links keep no lower).
REVIEW_BELOW = REVIEW_MARGIN
#: ... and this far above it: joined, but not by much (probability under about 0.9).
REVIEW_ABOVE = 3.5

_ID_RULES = ("vat", "company_number", "charity_number", "supplier_id")


class ReviewError(UsageError):
    """A decision names a pair that is not in the review queue; says how to list them."""


def _register_tables(ws: Workspace) -> tuple[pa.Table, pa.Table]:
    if not warehouse.exists(ws):
        raise stages.StageNotRun(
            "There is no supplier register yet: run `totalplace import`, then `totalplace link`.",
            "link",
        )
    con = warehouse.connect(ws, read_only=True)
    try:
        # Decisions recorded since link ran are expected (they leave the queue); new data is not.
        stages.require(con, ws, "link", ignoring=(f"file:{OVERRIDES_FILE}",))
        links = con.table("supplier_links").to_pyarrow()
        members = con.table("supplier_members").to_pyarrow()
    finally:
        con.disconnect()
    return links, members


def _norm(name: str) -> str:
    return " ".join(name.split()).upper()


def _decided(overrides: Overrides) -> list[tuple[str, tuple[tuple[str, str | None], ...]]]:
    return [
        (d.action, tuple((_norm(p.name), p.partner) for p in d.payees))
        for d in overrides.decisions
        if d.action in ("merge", "confirm", "apart")
    ]


def review_queue(ws: Workspace, include_decided: bool = False) -> pa.Table:
    """Return the uncertain pairs, most money at stake first.

    Columns: pair (a stable id for --accept/--reject), partner_a, name_a, partner_b,
    name_b, evidence, match_probability (Splink's, or NULL), joined (one supplier now),
    at_stake (both payees' spend, exact decimal). Raises StageNotRun when there is no
    register yet, StageStale when the data or place changed since link ran.
    """
    links, members = _register_tables(ws)
    threshold = load_model().threshold_match_weight
    overrides = read_overrides(ws.root / OVERRIDES_FILE, [p.slug for p in ws.partners])
    ids = ", ".join(f"'{r}'" for r in _ID_RULES)
    with kernel() as con:
        put(con, "links", links)
        put(con, "members", members)
        table = query(
            con,
            f"""
            WITH cand AS (
                SELECT *,
                    CASE
                        WHEN rule = 'splink' AND contains(detail, 'public bodies of different')
                             AND match_weight >= ? THEN 'names alike, but public bodies of different kinds or areas'
                        WHEN rule = 'splink' AND contains(detail, 'different organisations')
                             THEN 'names alike, but different organisations (registered names '
                                  || 'or kinds differ by a word)'
                        WHEN rule = 'splink' THEN printf('names alike (match weight %+.1f)',
                                                         match_weight)
                        ELSE 'same ' || replace(rule, '_', ' ') || ' '
                             || split_part(detail, ';', 1) || ', names differ'
                    END AS evidence
                FROM links
                WHERE partner_a IS NOT NULL AND partner_b IS NOT NULL
                  AND ((rule = 'splink' AND ((match_weight BETWEEN ? AND ?
                            AND NOT contains(detail, 'public bodies of different'))
                        -- the names match, the kinds of public body do not
                        OR (contains(detail, 'public bodies of different')
                            AND match_weight >= ?)
                        -- the names match, but their registered names or kinds differ
                        OR (contains(detail, 'different organisations') AND match_weight >= ?)))
                    OR (rule IN ({ids}) AND NOT applied))
            ), ordered AS (
                SELECT *,
                    -- one row per unordered pair of payees (the strongest evidence first)
                    least(partner_a || chr(31) || raw_name_a, partner_b || chr(31) || raw_name_b)
                        AS side1,
                    greatest(partner_a || chr(31) || raw_name_a, partner_b || chr(31) || raw_name_b)
                        AS side2
                FROM cand WHERE NOT (partner_a = partner_b AND raw_name_a = raw_name_b)
            ), pairs AS (
                SELECT side1, side2,
                    string_agg(DISTINCT evidence, '; ' ORDER BY evidence) AS evidence,
                    max(match_weight) FILTER (WHERE rule = 'splink') AS match_weight,
                    bool_or(supplier_id_a = supplier_id_b) AS joined
                FROM ordered GROUP BY side1, side2
            ), spend AS (
                SELECT partner || chr(31) || raw_name AS side, sum(amount) AS amount
                FROM members WHERE raw_name IS NOT NULL GROUP BY ALL
            )
            SELECT 'P' || substr(md5(p.side1 || chr(30) || p.side2), 1, 8) AS pair,
                split_part(p.side1, chr(31), 1) AS partner_a,
                substr(p.side1, length(split_part(p.side1, chr(31), 1)) + 2) AS name_a,
                split_part(p.side2, chr(31), 1) AS partner_b,
                substr(p.side2, length(split_part(p.side2, chr(31), 1)) + 2) AS name_b,
                p.evidence,
                round(pow(2, p.match_weight) / (1 + pow(2, p.match_weight)), 3)
                    AS match_probability,
                p.joined,
                CAST(coalesce(a.amount, 0) + coalesce(b.amount, 0) AS DECIMAL(18, 2))
                    AS at_stake
            FROM pairs p
            LEFT JOIN spend a ON a.side = p.side1 LEFT JOIN spend b ON b.side = p.side2
            ORDER BY at_stake DESC, pair
            """,
            [threshold, threshold - REVIEW_BELOW, threshold + REVIEW_ABOVE, threshold, threshold],
        )
    if include_decided or not overrides.decisions:
        return table
    decided = _decided(overrides)

    def covered(partner: str, name: str, refs: tuple[tuple[str, str | None], ...]) -> bool:
        return any(n == _norm(name) and (p is None or p == partner) for n, p in refs)

    rows = table.to_pylist()  # the queue is short: a few thousand pairs at most
    keep = [
        not any(
            covered(r["partner_a"], r["name_a"], refs)
            and covered(r["partner_b"], r["name_b"], refs)
            for _, refs in decided
        )
        for r in rows
    ]
    return table.filter(pa.array(keep, pa.bool_()))


def _toml_string(text: str) -> str:
    # JSON string escapes are valid TOML basic-string escapes.
    return json.dumps(text, ensure_ascii=False)


def record_decision(ws: Workspace, pair: str, accept: bool, note: str = "") -> dict[str, Any]:
    """Write the reviewer's answer for queue ``pair`` to the overrides file; return it.

    Accepting writes ``[[merge]]`` of the two payees (each at its partner), rejecting
    ``[[apart]]``. Raises ReviewError for a pair not in the queue.
    """
    queue = review_queue(ws, include_decided=True).to_pylist()
    found = [r for r in queue if r["pair"].upper() == pair.strip().upper()]
    if not found:
        raise ReviewError(
            f"No pair {pair!r} in the review queue; run `totalplace link-review` to list "
            "the pairs and their ids (after `totalplace link` if the data changed)."
        )
    row = found[0]
    action = "merge" if accept else "apart"
    verdict = "accepted" if accept else "rejected"
    text = note or f"link review {date.today().isoformat()}: {verdict} ({row['evidence']})"
    entry = (
        f"\n[[{action}]]  # review pair {row['pair']}\n"
        f"names = [{{name = {_toml_string(row['name_a'])}, "
        f"partner = {_toml_string(row['partner_a'])}}}, "
        f"{{name = {_toml_string(row['name_b'])}, partner = {_toml_string(row['partner_b'])}}}]\n"
        f"note = {_toml_string(text)}\n"
    )
    path = ws.root / OVERRIDES_FILE
    text = (path.read_text(encoding="utf-8") if path.exists() else TEMPLATE) + entry
    # The file must still read before it is replaced: a decision never breaks it.
    parse_overrides(text, path.name, [p.slug for p in ws.partners])
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return {"pair": row["pair"], "decision": action, **{k: row[k] for k in _SIDE_KEYS}}


_SIDE_KEYS = ("partner_a", "name_a", "partner_b", "name_b")
