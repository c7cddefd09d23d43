"""The pattern subset every engine reads alike, and how a pattern is written for each engine."""

from __future__ import annotations

import re

import pytest

from totalplace.rules import PatternError, check, for_engine


@pytest.mark.parametrize(
    ("pattern", "duckdb", "postgres"),
    [
        (r"\bhospitals?\b", r"(?i)\bhospitals?\b", r"(?i)\yhospitals?\y"),
        (r"(?i)^agency", r"(?i)^agency", r"(?i)^agency"),
        (r"\d{2,4}\s\w+", r"(?i)[0-9]{2,4}[ \t\n\f\r][0-9A-Za-z_]+", None),
        (r"[\w.-]+@", r"(?i)[0-9A-Za-z_.-]+@", None),
        (r"\Bcar\.", r"(?i)\Bcar\.", r"(?i)\Ycar\."),
        (r"(?:a|b)+?c", r"(?i)(?:a|b)+?c", None),
    ],
)
def test_a_shared_pattern_is_written_for_each_engine(pattern, duckdb, postgres):
    assert for_engine(pattern, "duckdb") == duckdb
    assert for_engine(pattern, "spark") == duckdb  # Java reads what RE2 reads, here
    assert for_engine(pattern, "postgres") == (postgres or duckdb)
    assert check(pattern) is None


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("(?=care)", "look-arounds"),
        ("(?<!home)care", "look-arounds"),
        (r"(a)\1", r"\1"),
        (r"\p{L}+", r"\p"),
        (r"\x{00A0}", r"\x"),
        ("[[:alpha:]]+", "inside [...]"),
        ("[a-z&&[^e]]", "inside [...]"),
        ("a*+", "possessive"),
        ("a{,3}", "repeat count"),
        ("fees {", "repeat count"),
        ("x(?i)y", "inline flags"),
        ("(?P<n>a)", "named groups"),
        ("*care", "nothing to repeat"),
        ("(care", "not a valid regular expression"),
        ("", "non-empty"),
    ],
)
def test_a_pattern_outside_the_subset_is_refused_with_what_to_write(pattern, words):
    problem = check(pattern)
    assert problem is not None and words in problem, problem


def test_a_refused_pattern_raises_for_every_engine():
    for engine in ("duckdb", "postgres", "spark"):
        with pytest.raises(PatternError):
            for_engine("(?=x)", engine)


def test_the_written_pattern_means_what_the_rule_says_in_re2_terms():
    # Python's re stands in for RE2 here: same meaning for the shared subset.
    written = re.compile(for_engine(r"\bfire\b", "duckdb"))
    assert written.search("Lancashire FIRE and Rescue") and not written.search("Bonfires")
