"""Opportunities: where partners in a place pay twice: back offices, suppliers, purchases, themes.

Reads the count (``count_lines``), ``transactions``, ``classifications`` and, when
``totalplace link`` has built it, the supplier register (``suppliers``,
``supplier_members``), and writes, all in the engine through Ibis:

* ``opp_shared_suppliers`` -- suppliers paid by two or more partners, spend by
  supplier x partner x financial year;
* ``opp_procurement`` -- purchase categories bought by two or more partners in a
  year, with fragmentation (suppliers, partners, lines, median payment) and a
  saving range from the cited benchmarks; ``opp_procurement_partners`` splits
  each by partner;
* ``opp_back_office`` -- back-office spend per partner x function x year, with the
  saving if shared at the benchmark rates;
* ``opp_fragmentation`` -- per theme and year, how many partners and suppliers
  serve it, and the spend;
* ``opp_lines`` -- (kind, opportunity_key, txn_key, source file, row, rule) for
  every transaction behind every row above;
* ``opp_assumptions`` and ``opp_category_rules`` -- the benchmarks and category
  rules in force, so every rate and rule id resolves.

Only counted lines are used (transfers to partners and money passed on, such as
precepts, are excluded, as in the count). Every row gives ledger amounts (the
partner's whole spend) and place amounts (apportioned to the place by the count's
shares): a county-wide police back office is not all one district's.
"""

from __future__ import annotations

from totalplace.opportunities.assumptions import (
    Assumptions,
    AssumptionsError,
    Benchmark,
    default_assumptions_path,
    load_assumptions,
    rate_overrides,
)
from totalplace.opportunities.categories import (
    CategoriesError,
    CategorySet,
    default_categories_path,
    load_categories,
)
from totalplace.opportunities.result import Opportunities
from totalplace.opportunities.run import TABLES, find_on, opportunities
from totalplace.opportunities.scope import OpportunitiesError

__all__ = [
    "TABLES",
    "Assumptions",
    "AssumptionsError",
    "Benchmark",
    "CategoriesError",
    "CategorySet",
    "Opportunities",
    "OpportunitiesError",
    "default_assumptions_path",
    "find_on",
    "default_categories_path",
    "load_assumptions",
    "load_categories",
    "opportunities",
    "rate_overrides",
]
