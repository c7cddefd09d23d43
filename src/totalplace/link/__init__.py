"""Link: every partner's payees resolved into one register of real-world suppliers.

``link(ws)`` reads the transactions, matches payees deterministically (same normalised
name, VAT, Companies House and charity numbers, a partner's own supplier ids) and
probabilistically (Splink 5 on distinct names), applies the reviewer's decisions in
``supplier_overrides.toml``, and writes ``suppliers``, ``supplier_members`` and
``supplier_links``. Redacted and withheld payees are never matched; individuals are
kept apart; public bodies are recognised. ``evaluate`` measures precision and recall
on hand-labelled pairs of real names.
"""

from totalplace.link.evaluate import Evaluation, LabelledPair, evaluate, load_pairs
from totalplace.link.linker import link, link_payees
from totalplace.link.names import name_key, normalise_names
from totalplace.link.overrides import (
    OVERRIDES_FILE,
    Overrides,
    OverridesError,
    parse_overrides,
    read_overrides,
)
from totalplace.link.register import Register

__all__ = [
    "OVERRIDES_FILE",
    "Evaluation",
    "LabelledPair",
    "Overrides",
    "OverridesError",
    "Register",
    "evaluate",
    "link",
    "link_payees",
    "load_pairs",
    "name_key",
    "normalise_names",
    "parse_overrides",
    "read_overrides",
]
