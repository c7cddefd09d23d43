"""One rule engine for every rule set: one loader, one pattern check, one first-match expression.

Classification rules (``classify.rules``), procurement categories
(``opportunities.categories``), the outturn service map (``coverage.outturn``) and the
top-down themes (``coverage.themes``) are each a :class:`RuleKind` that supplies its own
fields; reading, merging, provenance, the regular-expression subset and the Ibis
matching live here.
"""

from totalplace.rules.load import (
    RuleFile,
    RuleKind,
    load,
    load_with_workspace,
    read_csv,
    read_path,
    read_toml,
)
from totalplace.rules.match import condition, first_match, first_matches, search, tidy, value_of
from totalplace.rules.model import Rule, RulesError, RuleSet, Test
from totalplace.rules.regex import ENGINES, SUBSET, PatternError, check, for_engine

__all__ = [
    "ENGINES",
    "SUBSET",
    "PatternError",
    "Rule",
    "RuleFile",
    "RuleKind",
    "RuleSet",
    "RulesError",
    "Test",
    "check",
    "condition",
    "first_match",
    "first_matches",
    "for_engine",
    "load",
    "load_with_workspace",
    "read_csv",
    "read_path",
    "read_toml",
    "search",
    "tidy",
    "value_of",
]
