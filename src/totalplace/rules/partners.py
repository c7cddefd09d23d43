"""Partners the rules cannot tell apart: one representative each, so rules run per kind of partner.

Rules see a transaction's text fields and a little about who published it: the
partner's sector (``sector in police``), a list of partners (``partner in ...``) or a
pattern on the partner's name (``partner_name ~ /police/``). Two partners for which
every such condition comes out the same are classified alike, line for line; so a
rule set can run once per distinct text and *kind* of partner instead of once per
distinct text and partner -- for a national run, a few kinds instead of 400 partners.
The kinds are worked out in the engine with the rules' own conditions (the same
regex dialect as the lines), never in Python.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from totalplace.joins import same_values
from totalplace.rules.match import search
from totalplace.rules.model import Rule

#: The column each partner's representative is written to.
KIND_COLUMN = "partner_kind"


def partner_kinds(
    rules: Sequence[Rule], partners: ir.Table, engine: str, attributes: Sequence[str] = ()
) -> ir.Table:
    """Return ``partners`` with :data:`KIND_COLUMN`: the first partner (by slug) its rules treat alike.

    ``partners`` has a ``partner`` column and the partner ``attributes`` rules may test
    with ``within`` (e.g. ``sector``). A rule testing the partner column together with
    other columns in one pattern cannot be split by kind: each partner is then its own.
    """
    signature: dict[str, ir.Value] = {a: partners[a] for a in attributes}
    for rule in rules:
        for n, test in enumerate(rule.tests):
            if "partner" not in test.columns:
                continue
            if test.columns != ("partner",):
                return partners.mutate(**{KIND_COLUMN: partners.partner})
            signature[f"_{rule.id}_{n}"] = search(partners, test, engine)
        if "partner" in rule.within:
            signature[f"_{rule.id}_in"] = partners.partner.isin(list(rule.within["partner"]))
    if not signature:
        return partners.mutate(**{KIND_COLUMN: ibis.literal("")})
    keyed = partners.mutate(**{f"_sig{i}": v for i, v in enumerate(signature.values())})
    keys = [f"_sig{i}" for i in range(len(signature))]
    firsts = keyed.group_by(keys).aggregate(**{KIND_COLUMN: keyed.partner.min()})
    # Equal signatures, NULL equal to NULL (an attribute may be missing).
    joined = keyed.join(firsts, same_values(keyed, firsts, [(k, k) for k in keys], engine))
    return joined.select(*partners.columns, KIND_COLUMN)
