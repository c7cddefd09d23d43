"""A reviewer's decisions about the register, kept in ``supplier_overrides.toml``.

The file names payees by their published names (supplier ids can change between
runs) and is applied after automatic matching every time ``totalplace link`` runs, so
decisions survive re-runs and new data. :data:`TEMPLATE` documents the format.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa

from totalplace.errors import WorkspaceStateError
from totalplace.link.engine import put, query, run

OVERRIDES_FILE = "supplier_overrides.toml"

Action = Literal["confirm", "merge", "split", "apart"]
ACTIONS: tuple[Action, ...] = ("split", "confirm", "merge", "apart")

TEMPLATE = """\
# Supplier overrides: a reviewer's decisions about the supplier register.
#
# `totalplace link` applies this file after its automatic matching every time it runs,
# so your decisions survive re-runs and new data. Name payees exactly as published
# (`totalplace link --json` lists every supplier's payee names; case and spacing do not
# matter). Supplier ids are not used here because they can change between runs.
# A payee name means that name at every partner; write {name = "...", partner = "slug"}
# to mean one partner's payee only (slugs: `totalplace partner list`).
#
# [[confirm]]  These payees are one supplier and you have checked it: they are joined,
#              and the supplier is marked reviewed. Payees matched into it later are
#              listed as not yet reviewed.
#   names = ["BT GLOBAL SERVICES", "BT Global Servies"]
#   note = "checked against Companies House"            # optional
#
# [[merge]]    The suppliers holding these payees are one supplier.
#   names = ["London & Quadrant Housing Trust", {name = "L&Q", partner = "trafford"}]
#   note = "L&Q is London & Quadrant"
#
# [[split]]    Take this payee out of the supplier it was matched into; it becomes a
#              supplier of its own (splits are applied before merges, so a split payee
#              can then be merged elsewhere).
#   name = "JOSLINS STONEMASONRY LTD"
#   partner = "oxford"                                  # optional
#   note = "not the same company as Bespoke Stonemasonry"
#
# [[apart]]    These two payees are not the same supplier: the evidence joining them
#              directly (name match, numbers) is not applied. `totalplace link-review
#              --reject` writes these; if other payees still join the two, split one.
#   names = ["Reach Publishing Ltd", "Reach Publishing Services Ltd"]
"""


class OverridesError(WorkspaceStateError):
    """supplier_overrides.toml cannot be read; the message names the entry and the fix."""


@dataclass(frozen=True)
class PayeeRef:
    """A payee named in the overrides file: a published name, at one partner or all."""

    name: str
    partner: str | None = None


@dataclass(frozen=True)
class Decision:
    """One reviewer decision: confirm or merge several payees, or split one out."""

    action: Action
    payees: tuple[PayeeRef, ...]
    note: str = ""
    number: int = 1

    @property
    def label(self) -> str:
        """Return how error messages and evidence name this decision: '[[merge]] number 2'."""
        return f"[[{self.action}]] number {self.number}"


@dataclass(frozen=True)
class Overrides:
    """The decisions of one overrides file (empty when there is none)."""

    decisions: tuple[Decision, ...] = ()
    path: Path | None = None


def _payee(value: Any, where: str, partners: set[str] | None) -> PayeeRef:
    if isinstance(value, str):
        if not value.strip():
            raise OverridesError(f"{where}: a payee name is empty.")
        return PayeeRef(value)
    if isinstance(value, dict):
        unknown = set(value) - {"name", "partner"}
        if unknown:
            raise OverridesError(
                f"{where}: unknown key(s) {', '.join(sorted(unknown))}; a payee is "
                '{name = "...", partner = "slug"}.'
            )
        name, partner = value.get("name"), value.get("partner")
        if not isinstance(name, str) or not name.strip():
            raise OverridesError(f'{where}: a payee needs name = "published name".')
        if partner is not None and not isinstance(partner, str):
            raise OverridesError(f'{where}: partner must be a slug in quotes, e.g. "trafford".')
        if partner is not None and partners is not None and partner not in partners:
            raise OverridesError(
                f"{where}: no partner {partner!r}; use one of {', '.join(sorted(partners))}."
            )
        return PayeeRef(name, partner)
    raise OverridesError(
        f'{where}: a payee is a name in quotes or {{name = "...", partner = "slug"}}, '
        f"not {value!r}."
    )


def parse_overrides(
    text: str, source: str = OVERRIDES_FILE, partners: Iterable[str] | None = None
) -> Overrides:
    """Return the decisions in overrides TOML ``text``; raise OverridesError if invalid."""
    known = set(partners) if partners is not None else None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OverridesError(f"{source} is not valid TOML ({exc}); fix the line it names.") from exc
    unknown = set(data) - set(ACTIONS)
    if unknown:
        raise OverridesError(
            f"{source}: unknown table(s) {', '.join(sorted(unknown))}; "
            "use [[confirm]], [[merge]], [[split]] or [[apart]]."
        )
    decisions: list[Decision] = []
    for action in ACTIONS:
        entries = data.get(action, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise OverridesError(f"{source}: write each {action} as a [[{action}]] table.")
        for number, entry in enumerate(entries, start=1):
            where = f"{source}: [[{action}]] number {number}"
            note = entry.get("note", "")
            if not isinstance(note, str):
                raise OverridesError(f"{where}: note must be text in quotes.")
            if action == "split":
                unknown = set(entry) - {"name", "partner", "note"}
                if unknown:
                    raise OverridesError(
                        f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                        "a split has name, partner (optional) and note (optional)."
                    )
                payee = _payee(
                    {k: v for k, v in entry.items() if k in ("name", "partner")}, where, known
                )
                decisions.append(Decision("split", (payee,), note, number))
            else:
                unknown = set(entry) - {"names", "note"}
                if unknown:
                    raise OverridesError(
                        f"{where}: unknown key(s) {', '.join(sorted(unknown))}; "
                        f"a {action} has names and note (optional)."
                    )
                names = entry.get("names")
                minimum = 1 if action == "confirm" else 2
                if action == "apart" and isinstance(names, list) and len(names) != 2:
                    raise OverridesError(f"{where}: names must be exactly two payee names.")
                if not isinstance(names, list) or len(names) < minimum:
                    raise OverridesError(
                        f"{where}: names must be a list of at least {minimum} payee "
                        f'name{"s" if minimum > 1 else ""}, e.g. names = ["A Ltd", "A Limited"].'
                    )
                payees = tuple(_payee(v, where, known) for v in names)
                decisions.append(Decision(action, payees, note, number))
    return Overrides(tuple(decisions), None)


def read_overrides(path: Path, partners: Iterable[str] | None = None) -> Overrides:
    """Return the decisions in the overrides file at ``path`` (none if it is absent)."""
    if not path.exists():
        return Overrides((), None)
    parsed = parse_overrides(path.read_text(encoding="utf-8"), path.name, partners)
    return Overrides(parsed.decisions, path)


def write_template(path: Path) -> bool:
    """Write the commented empty overrides file if there is none; return whether it did."""
    if path.exists():
        return False
    path.write_text(TEMPLATE, encoding="utf-8")
    return True


def apply_overrides(con: Any, overrides: Overrides) -> list[str]:
    """Apply the decisions to the ``edges`` of the match graph; return warnings.

    Splits switch off every automatic edge of the payee and attach it to a node of
    its own; merges and confirms add edges. Reads ``m`` (members).
    """
    refs = [
        (i, d.action, d.label, d.note, p.name, p.partner)
        for i, d in enumerate(overrides.decisions)
        for p in d.payees
    ]
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE override_refs (
            decision INTEGER, action VARCHAR, label VARCHAR, note VARCHAR,
            name VARCHAR, partner VARCHAR, ref INTEGER)""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE override_members (
            decision INTEGER, action VARCHAR, ref INTEGER, member_id BIGINT, role VARCHAR)""",
    )
    if not refs:
        return []
    table = pa.table(
        {
            "decision": [r[0] for r in refs],
            "action": [r[1] for r in refs],
            "label": [r[2] for r in refs],
            "note": [r[3] for r in refs],
            "name": [r[4] for r in refs],
            "partner": [r[5] for r in refs],
            "ref": list(range(len(refs))),
        }
    )
    put(con, "override_refs_input", table)
    run(con, "INSERT INTO override_refs SELECT * FROM override_refs_input")
    run(
        con,
        """INSERT INTO override_members
        SELECT r.decision, r.action, r.ref, m.member_id, m.role
        FROM override_refs r JOIN m
          ON upper(trim(regexp_replace(m.raw_name, '\\s+', ' ', 'g')))
             = upper(trim(regexp_replace(r.name, '\\s+', ' ', 'g')))
         AND (r.partner IS NULL OR r.partner = m.partner)""",
    )
    source = overrides.path.name if overrides.path else OVERRIDES_FILE
    warnings = [
        f"{source}: {label}: no payee named {name!r}"
        + (f" at {partner}" if partner else "")
        + " in the transactions; the decision does nothing until one appears."
        for label, name, partner in _rows(
            con,
            """SELECT label, name, partner FROM override_refs r
            WHERE NOT EXISTS (SELECT 1 FROM override_members o WHERE o.ref = r.ref)
            ORDER BY ref""",
        )
    ]
    warnings += [
        f"{source}: {label}: {name!r} is a redacted or withheld payee; it is never matched."
        for label, name in _rows(
            con,
            """SELECT DISTINCT r.label, r.name FROM override_refs r JOIN override_members o
            ON o.ref = r.ref WHERE o.role = 'redacted' ORDER BY r.label, r.name""",
        )
    ]
    run(con, "DELETE FROM override_members WHERE role = 'redacted'")
    # Splits: every automatic edge touching the payee is switched off.
    run(
        con,
        """UPDATE edges SET applied = false
        WHERE rule NOT LIKE 'override%' AND (
            node_a IN (SELECT 'm' || member_id FROM override_members WHERE action = 'split')
            OR node_b IN (SELECT 'm' || member_id FROM override_members WHERE action = 'split'))""",
    )
    run(
        con,
        """INSERT INTO edges
        SELECT 'm' || o.member_id, 'split:' || o.decision, o.member_id, o.member_id,
            'override_split', NULL, r.label || coalesce(': ' || nullif(r.note, ''), ''), true
        FROM override_members o JOIN override_refs r USING (ref) WHERE o.action = 'split'""",
    )
    # Apart: the automatic evidence directly between the two payees (their members and
    # the name nodes they hang from) is switched off.
    run(
        con,
        """UPDATE edges SET applied = false
        WHERE rule NOT LIKE 'override%' AND EXISTS (
            WITH sides AS (
                SELECT o.decision, o.ref, 'm' || o.member_id AS node FROM override_members o
                WHERE o.action = 'apart'
                UNION SELECT o.decision, o.ref, a.node FROM override_members o
                JOIN attach a USING (member_id) WHERE o.action = 'apart'
            )
            SELECT 1 FROM sides x JOIN sides y ON x.decision = y.decision AND x.ref < y.ref
            WHERE (edges.node_a = x.node AND edges.node_b = y.node)
               OR (edges.node_a = y.node AND edges.node_b = x.node))""",
    )
    # Merges and confirms: a star from the decision's first payee to the others.
    run(
        con,
        """INSERT INTO edges
        WITH o AS (
            SELECT o.*, first(o.member_id ORDER BY o.ref, o.member_id)
                OVER (PARTITION BY o.decision) AS hub
            FROM override_members o WHERE o.action IN ('merge', 'confirm')
        )
        SELECT 'm' || o.hub, 'm' || o.member_id, o.hub, o.member_id,
            'override_' || o.action, NULL, r.label || coalesce(': ' || nullif(r.note, ''), ''), true
        FROM o JOIN override_refs r USING (ref) WHERE o.member_id <> o.hub""",
    )
    return warnings


def _rows(con: Any, sql: str) -> list[tuple[Any, ...]]:
    """Return a small query's rows as tuples (a handful of reviewer's decisions)."""
    table = query(con, sql)
    return list(zip(*(table.column(i).to_pylist() for i in range(table.num_columns)), strict=True))
