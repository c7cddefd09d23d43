"""The payments view's cleaning: placeholder categories are blank, whatever their spelling."""

from __future__ import annotations

import ibis
from hypothesis import given, settings
from hypothesis import strategies as st

from totalplace.integrity.payments import known

# Publishers' ways of writing "no value", as words; the test spells them freely.
PLACEHOLDER_WORDS = [
    "N/A",
    "NA",
    "n/a",
    "-",
    "",
    "Unknown",
    "Not applicable",
    "Redacted",
    "TBC",
    "None",
]
REAL = ["Computer Licences", "Waste", "Consultant Fees", "NHS", "Nappies", "A"]


def _known(values: list[str | None]) -> list[str | None]:
    t = ibis.memtable({"v": values}, schema={"v": "string"})
    return t.select(k=known(t.v)).to_pyarrow().column(0).to_pylist()


@settings(max_examples=25, deadline=None)
@given(
    word=st.sampled_from(PLACEHOLDER_WORDS),
    upper=st.booleans(),
    pad=st.sampled_from(["", " ", "  ", "\t"]),
    dots=st.sampled_from(["", ".", " -", "/"]),
)
def test_a_placeholder_in_any_spelling_is_null(word, upper, pad, dots):
    spelt = pad + (word.upper() if upper else word.lower()) + dots + pad
    assert _known([spelt]) == [None]


def test_real_categories_are_kept_stripped():
    assert _known([f" {r} " for r in REAL] + [None]) == [*REAL, None]
