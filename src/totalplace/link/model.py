"""The probabilistic name model: Splink 5 on distinct normalised supplier names.

One record per distinct ``name_key`` (see :mod:`totalplace.link.names`), with its words
weighted by rarity (inverse document frequency over the names being linked, blended
with the word frequencies of every real UK ledger we hold, ``data/token_frequencies.csv``,
so that "PUBLISHING" is common even in a small workspace). Four comparisons:

* ``name`` -- the whole name as a string: same words in another order, edit
  similarity >= 0.92 (typos), one a prefix of the other (names cut off by a column
  width), edit similarity >= 0.85, one an acronym of the other ("TFGM" /
  "TRANSPORT FOR GREATER MANCHESTER");
* ``words`` -- the rarity-weighted share of words in common (a weighted Dice
  coefficient): extra generic words ("SERVICES", "GROUP") cost little, an extra
  distinctive word costs a lot; one name's words all inside the other's;
* ``place`` -- the district, county, police and fire area names in each name:
  "... COMMISSIONER FOR LANCASHIRE" is not "... COMMISSIONER FOR CUMBRIA";
* ``postcode`` -- where published (central government files): same postcode, same
  outward code, different.

The m probabilities are estimated from the *tune* half of the labelled pairs in
``tests/link/labelled_pairs.csv`` (Laplace-smoothed), the u probabilities from random
pairs of all real payee names, and the match-weight threshold is chosen on the tune
half; all are in ``data/model.json``, written by ``tests/link/train_model.py``.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from totalplace.link.words import GENERIC_WORDS, sql_list

#: A first word at least this rare (idf, natural log) marks a brand worth blocking on.
RARE_FIRST_WORD_IDF = 7.5
#: A name whose words weigh this much (idf, natural log) in all is distinctive on its own.
RARE_WORDS_IDF = 8.0
# A word of one name "is in" the other when it is one of its words, or when one name was
# cut off by a column width ("I LOVE MANCHES"): the cut word (4+ letters, last in its
# name) is the start of a word of the other. Typos are the name comparison's business:
# soft matching of every word pair cost four times as much at a million names.
_SOFT_IN = (
    "list_contains({other}, x.t)"
    " OR (x.last AND length(x.t) >= 4 AND list_bool_or(list_transform({other}, y -> starts_with(y, x.t))))"
    " OR (length({other}[-1]) >= 4 AND starts_with(x.t, {other}[-1]))"
)
_SHARED = (
    "list_sum(list_transform(list_filter(tokw_l, x -> "
    + _SOFT_IN.format(other="tokens_r")
    + "), x -> x.w))"
)
_SHARED_R = (
    "list_sum(list_transform(list_filter(tokw_r, x -> "
    + _SOFT_IN.format(other="tokens_l")
    + "), x -> x.w))"
)
_DICE = f"(({_SHARED}) + ({_SHARED_R})) / (tw_l + tw_r)"
#: SQL: the rarity-weighted Dice coefficient of two names (columns tokw_, tokens_, tw_ l/r).
WEIGHTED_DICE_SQL = _DICE
_COVER = f"greatest(({_SHARED}) / tw_l, ({_SHARED_R}) / tw_r)"
_SHORTEST = "least(length(unique_id_l), length(unique_id_r))"
_LEV = "(1 - levenshtein(unique_id_l, unique_id_r) / greatest(length(unique_id_l), length(unique_id_r)))"
# Lengths bound the edit similarity from above: a cheap test first spares most pairs
# the Levenshtein distance.
_LENGTHS = "least(length(unique_id_l), length(unique_id_r)) / greatest(length(unique_id_l), length(unique_id_r))"


def _level(sql: str, label: str, null: bool = False) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    return level


def comparisons() -> list[dict[str, Any]]:
    """Return the Splink comparisons (levels without m/u probabilities)."""
    return [
        {
            "output_column_name": "name",
            "comparison_description": "the whole name as a string",
            "comparison_levels": [
                _level("match_name_l = '' OR match_name_r = ''", "null", null=True),
                _level("tok_sorted_l = tok_sorted_r", "same words, other order"),
                _level(
                    f"{_SHORTEST} >= 8 AND {_LENGTHS} >= 0.92 AND {_LEV} >= 0.92",
                    "edit similarity >= 0.92",
                ),
                _level(
                    "(starts_with(unique_id_l, unique_id_r) OR starts_with(unique_id_r, unique_id_l))"
                    f" AND {_SHORTEST} >= 12",
                    "one a prefix of the other (cut off)",
                ),
                _level(
                    f"{_SHORTEST} >= 10 AND {_LENGTHS} >= 0.85 AND {_LEV} >= 0.85",
                    "edit similarity >= 0.85",
                ),
                _level(
                    "(acronym_l = unique_id_r OR acronym_r = unique_id_l)"
                    " AND length(acronym_l) >= 3 AND length(acronym_r) >= 3",
                    "one an acronym of the other",
                ),
                _level("ELSE", "different"),
            ],
        },
        {
            "output_column_name": "words",
            "comparison_description": "rarity-weighted words in common",
            "comparison_levels": [
                # tokens_l/_r are named here too: Splink finds the columns a level uses
                # outside lambdas only.
                _level(
                    "len(tokens_l) = 0 OR len(tokens_r) = 0 OR tw_l = 0 OR tw_r = 0",
                    "null",
                    null=True,
                ),
                _level(f"{_DICE} >= 0.9", "weighted Dice >= 0.9"),
                _level(f"{_DICE} >= 0.75", "weighted Dice >= 0.75"),
                _level(
                    f"{_COVER} >= 0.999 AND least(tw_l, tw_r) >= {RARE_WORDS_IDF}",
                    "one name's words all in the other, and rare",
                ),
                _level(f"{_COVER} >= 0.999", "one name's words all in the other"),
                _level(f"{_DICE} >= 0.5", "weighted Dice >= 0.5"),
                _level(f"{_SHARED} > 0", "a word shared"),
                _level("ELSE", "no word shared"),
            ],
        },
        {
            "output_column_name": "place",
            "comparison_description": "the places named (districts, counties, police and fire areas)",
            "comparison_levels": [
                _level("len(places_l) = 0 OR len(places_r) = 0", "null", null=True),
                _level("places_l = places_r", "same places"),
                _level("len(list_intersect(places_l, places_r)) > 0", "a place in common"),
                _level("ELSE", "different places"),
            ],
        },
        {
            "output_column_name": "postcode",
            "comparison_description": "postcode where published",
            "comparison_levels": [
                _level("postcode_l = '' OR postcode_r = ''", "null", null=True),
                _level("postcode_l = postcode_r", "same postcode"),
                _level(
                    "split_part(postcode_l, ' ', 1) = split_part(postcode_r, ' ', 1)",
                    "same outward code",
                ),
                _level("ELSE", "different"),
            ],
        },
    ]


def blocking_rules() -> list[str]:
    """Return the blocking rules: which pairs of names are compared at all.

    Each is an equi-join, so blocks stay small at a million names: the first two words;
    a rare first word; the first word with the start of the last; the last word with
    the start of the first (a typo in the first word); an acronym and its expansion.
    """
    return [
        "l.first2 = r.first2",
        f"l.first_token = r.first_token AND l.w1 >= {RARE_FIRST_WORD_IDF}",
        "l.first_token = r.first_token AND l.last3 = r.last3",
        "l.last_token = r.last_token AND l.first2c = r.first2c",
        "l.acronym = r.unique_id",
        "l.unique_id = r.acronym",
        "l.tok_sorted = r.tok_sorted",
    ]


def base_settings() -> dict[str, Any]:
    """Return the Splink settings without trained probabilities."""
    return {
        "link_type": "dedupe_only",
        "unique_id_column_name": "unique_id",
        "comparisons": comparisons(),
        "blocking_rules_to_generate_predictions": blocking_rules(),
        "probability_two_random_records_match": 1e-5,
        "retain_matching_columns": False,
        "retain_intermediate_calculation_columns": False,
    }


@dataclass(frozen=True)
class NameModel:
    """A trained name model: Splink settings with m/u probabilities, and its threshold."""

    settings: dict[str, Any]
    threshold_match_weight: float
    trained_on: dict[str, Any]


@lru_cache(maxsize=1)
def load_model() -> NameModel:
    """Return the shipped model (``data/model.json``)."""
    text = files("totalplace").joinpath("link").joinpath("data").joinpath("model.json")
    data = json.loads(text.read_text("utf-8"))
    return NameModel(
        settings=data["settings"],
        threshold_match_weight=float(data["threshold_match_weight"]),
        trained_on=data.get("trained_on", {}),
    )


@lru_cache(maxsize=1)
def background_frequencies() -> tuple[int, tuple[tuple[str, int], ...]]:
    """Return (number of names, ((word, names containing it), ...)) of the real corpus."""
    path = files("totalplace").joinpath("link").joinpath("data").joinpath("token_frequencies.csv")
    lines = path.read_text("utf-8").splitlines()
    total = int(lines[0].split(",")[1])  # first line: "#names,<count>"
    rows = tuple((w, int(n)) for w, n in (line.rsplit(",", 1) for line in lines[2:]))
    return total, rows


#: Words of district, county, police and fire area names that are also everyday words.
_NOT_PLACES = frozenset(
    str.split(
        "AND OF ON UPON THE WITH ISLE ISLES GREATER CITY COUNTY BOROUGH DISTRICT ROYAL FOREST VALE "
        "DEAN WHITE HORSE CHASE POINT CASTLE HILL HILLS DOWN DOWNS COAST HEATH MOOR MOORLANDS VALLEY "
        "FIELD FIELDS WELLS BAY GREEN LAKE LAKES RIVER WATER BRIDGE CROSS NEW OLD HIGH LOW GREAT "
        "LITTLE NORTH SOUTH EAST WEST NORTHERN SOUTHERN EASTERN WESTERN MID CENTRAL METROPOLITAN "
        "TOWER BARKING READING BATH RUGBY POOLE DERBY DOVER LINCOLN WARWICK STAFFORD KINGSTON "
        "RICHMOND MERTON SUTTON HALTON TELFORD SWALE TEST ARUN WORTHING CRAWLEY WOKING BRENT "
        "ELMBRIDGE MALVERN STROUD WYRE HART RUNNYMEDE BROADLAND CHILTERN CORNWALL DEVON KENT "
        "AMBER BORDER BUCK CAUSEWAY ANGUS BARROW ASHFIELD DALE EDEN EMERGENCY GLEN HAMLET HELEN "
        "HOLLAND INNER ISLAND KING LYME MILTON MOLE MOORLAND OUTER PEAK PLANNING PORT RIDING "
        "SCOTTISH THREE TRENT UNDER WALE WELL TALBOT BOSTON DEANE THAME"
    )
)


@lru_cache(maxsize=1)
def place_words() -> tuple[str, ...]:
    """Return the normalised words that name places (from the shipped ONS area lookups)."""
    from totalplace.link.names import normalise_names

    text = files("totalplace").joinpath("data").joinpath("reference").joinpath("lad_areas.csv")
    names: set[str] = set()
    for row in csv.DictReader(io.StringIO(text.read_text("utf-8"), newline="")):
        for column in ("lad_name", "county_name", "police_force_name", "fire_authority_name"):
            value = row.get(column) or ""
            if value and not value[:1].isdigit() and not value.startswith(("E1", "E2", "E3")):
                names.add(value)
    words: set[str] = set()
    for row in normalise_names(sorted(names)):
        tokens = row["tokens"]
        if isinstance(tokens, list):
            words.update(str(t) for t in tokens)
    excluded = _NOT_PLACES | set(GENERIC_WORDS)
    return tuple(sorted(w for w in words if len(w) >= 4 and w not in excluded))


def records_sql(keys_table: str, background_table: str, background_names: int) -> str:
    """Return SQL for the Splink input: one row per distinct key of ``keys_table``.

    ``keys_table`` has ``name_key``, ``match_name``, ``tokens`` and ``postcode``;
    ``background_table`` has ``t`` (a word) and ``df`` (names of the real corpus
    containing it).
    """
    return f"""
WITH k AS (
    SELECT name_key, min(match_name) AS match_name, arg_min(tokens, match_name) AS tokens,
           coalesce(mode(postcode ORDER BY postcode), '') AS postcode
    FROM {keys_table} GROUP BY name_key
), n AS (SELECT count(*) AS n FROM k),
words AS (
    SELECT name_key, unnest(tokens) AS t, generate_subscripts(tokens, 1) AS pos,
           len(tokens) AS words
    FROM k
), df AS (
    SELECT t, count(DISTINCT name_key) AS df FROM words GROUP BY t
), weighted AS (
    SELECT w.name_key,
        list({{'t': w.t, 'w': ln(({background_names} + n.n) / (df.df + coalesce(b.df, 0))),
               'last': w.pos = w.words}}
             ORDER BY w.pos) AS tokw
    FROM words w JOIN df USING (t) LEFT JOIN {background_table} b USING (t), n
    GROUP BY w.name_key
)
SELECT
    k.name_key AS unique_id,
    k.match_name,
    k.tokens,
    coalesce(weighted.tokw, []) AS tokw,
    coalesce(list_sum(list_transform(weighted.tokw, x -> x.w)), 0) AS tw,
    coalesce(k.tokens[1], '') AS first_token,
    coalesce(k.tokens[2], '') AS second_token,
    coalesce(k.tokens[1], '') || ' ' || coalesce(k.tokens[2], '') AS first2,
    coalesce(weighted.tokw[1].w, 0) AS w1,
    coalesce(k.tokens[-1], '') AS last_token,
    left(coalesce(k.tokens[-1], ''), 3) AS last3,
    left(coalesce(k.tokens[1], ''), 2) AS first2c,
    CASE WHEN len(k.tokens) >= 3 THEN array_to_string(list_transform(
        list_filter(k.tokens, t -> NOT list_contains(['AND', 'OF', 'FOR', 'THE', 'IN', 'AT', 'ON'], t)),
        t -> t[1]), '') ELSE '' END AS acronym,
    array_to_string(list_sort(k.tokens), ' ') AS tok_sorted,
    list_sort(list_distinct(list_filter(k.tokens, t -> list_contains({sql_list(place_words())}, t))))
        AS places,
    k.postcode
FROM k LEFT JOIN weighted USING (name_key)
"""


def predict(
    con: Any,
    records_table: str,
    model: NameModel,
    threshold_match_weight: float | None = None,
) -> str:
    """Score blocked pairs of ``records_table`` with Splink; return the edges table name.

    The table has ``key_l``, ``key_r``, ``match_weight`` and each comparison's part of
    it (``mw_name`` ...), for pairs at or above the threshold (default: the model's).
    """
    from splink import Linker

    from totalplace.link.engine import run, splink_api

    threshold = (
        model.threshold_match_weight if threshold_match_weight is None else threshold_match_weight
    )
    db_api = splink_api(con)
    records = db_api.register(records_table)
    settings = dict(model.settings, retain_intermediate_calculation_columns=True)
    linker = Linker(records, settings, log_level=logging.WARNING)
    predictions = linker.inference.predict(threshold_match_weight=threshold)
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE name_edges AS
        SELECT unique_id_l AS key_l, unique_id_r AS key_r, match_weight,
               mw_name, mw_words, mw_place, mw_postcode
        FROM {predictions.physical_name}""",
    )
    linker.table_management.delete_tables_created_by_splink_from_db()
    return "name_edges"
