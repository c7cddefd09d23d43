"""Matches held back from joining: public bodies of different kinds or places, different registered companies, ambiguous short names.

Two public bodies of different kinds (police, council, NHS ...), of different places
or with different qualifiers (NORTH, GREATER ...) are never one supplier, even when
their names are alike; and a short name inside two longer names of different places
would chain them together. The tables made here (``key_kinds``, ``name_pair_kinds``,
``ambiguous_short``) are read when the match graph's edges are built
(:func:`totalplace.link.graph.build_edges`).
"""

from __future__ import annotations

from typing import Any

from totalplace.link.engine import run
from totalplace.link.kinds import public_body_pattern_sql
from totalplace.link.model import place_words
from totalplace.link.words import sql_list

#: Words that tell public bodies of one kind and place apart: "North Manchester CCG" is
#: not "South Manchester CCG", "Greater Manchester Combined Authority" not "Manchester
#: City Council".
PUBLIC_QUALIFIERS: tuple[str, ...] = (
    "NORTH",
    "SOUTH",
    "EAST",
    "WEST",
    "CENTRAL",
    "MID",
    "GREATER",
    "INNER",
    "OUTER",
    "UPPER",
    "LOWER",
)
#: Words left out of a name's "body core" when matching it to the official list:
#: "Central Mcr Uni Hospital" is "Central Manchester University Hospitals NHS
#: Foundation Trust" without them.
_BODY_SUFFIX_WORDS = ("NHS", "FOUNDATION", "TRUST", "THE", "OF", "AND", "FOR")


def body_words_sql(tokens: str) -> str:
    """SQL: the words of ``tokens`` without the suffixes NHS, FOUNDATION, TRUST and the like."""
    return f"list_filter({tokens}, w -> NOT list_contains({sql_list(_BODY_SUFFIX_WORDS)}, w))"


def body_core_sql(tokens: str) -> str:
    """SQL: a name's "body core", its words without those suffixes, joined without spaces."""
    return f"array_to_string({body_words_sql(tokens)}, '')"


def public_compatible_sql(a: str, b: str) -> str:
    """SQL: may two names (rows of ``key_kinds``) be one supplier, as public bodies go?

    Two public bodies of different kinds (police, council, NHS ...), of different places
    or with different qualifiers (NORTH, GREATER ...) are never one supplier.
    """
    return f"""NOT coalesce({a}.public_type IS NOT NULL AND {b}.public_type IS NOT NULL AND (
        {a}.public_type <> {b}.public_type
        OR (len({a}.places) > 0 AND len({b}.places) > 0
            AND len(list_intersect({a}.places, {b}.places)) = 0)
        OR {a}.quals <> {b}.quals), false)"""


def unmatched_words_sql(xs: str, ys: str) -> str:
    """SQL: the words of list ``xs`` with no counterpart in list ``ys``.

    A counterpart is the same word, one edit away (five letters or more: SEVICES /
    SERVICES), a word one is the start of (four letters or more: CHILD / CHILDREN), or
    for a word of up to three letters, a longer word starting with one of its letters
    (initials: N / NORTH, NW / NORTH and WEST).
    """
    return f"""list_filter({xs}, w -> NOT coalesce(list_bool_or(list_transform({ys}, v ->
        v = w
        OR (least(length(v), length(w)) >= 5 AND levenshtein(v, w) <= 1)
        OR (least(length(v), length(w)) >= 4 AND (starts_with(v, w) OR starts_with(w, v)))
        -- an initial or initials for words: (N) / (NORTH), (NW) / (NORTH WEST)
        OR (length(w) <= 3 AND length(v) > length(w) AND contains(w, v[1]))
        OR (length(v) <= 3 AND length(w) > length(v) AND contains(v, w[1])))),
        false))"""


def registered_conflict_sql(a: str, b: str) -> str:
    """SQL: are ``a`` and ``b`` (lists of ``form_words``) two different registered companies?

    Both names carry a legal form and the words before it differ by a word one of them
    lacks: "DAC Beachcroft Scotland LLP" / "DAC Beachcroft LLP", "Reach Publishing Ltd" /
    "Reach Publishing Services Ltd", "Tunstall Healthcare (UK) Ltd" / "Tunstall Telecom
    Ltd". Spelling slips, plurals, THE/CO/UK and spacing ("H B Clark" / "HB Clark")
    do not count.
    """
    return f"""coalesce(len({a}) > 0 AND len({b}) > 0
        AND array_to_string({a}, '') <> array_to_string({b}, '')
        AND (len({unmatched_words_sql(a, b)}) > 0 OR len({unmatched_words_sql(b, a)}) > 0),
        false)"""


#: Words that make a name another organisation when added to it: "Oxford Brookes
#: University" / "Oxford Brookes Enterprises Ltd", "X" / "X Pension Fund", "X Holdings",
#: "DAC Beachcroft" / "DAC Beachcroft Scotland". (Not HOUSING, TRADING or FOUNDATION:
#: "London & Quadrant" is "London & Quadrant Housing Trust", "Travis Perkins" is
#: "Travis Perkins Trading Co", an NHS trust is often written without "Foundation".)
ENTITY_KIND_WORDS: tuple[str, ...] = (
    "ENTERPRISE",
    "PENSION",
    "HOLDING",
    "GROUP",
    "ASSOCIATION",
    "CHARITY",
    "CHARITABLE",
    "SCOTLAND",
    "WALES",
    "IRELAND",
)


def entity_kind_conflict_sql(a: str, b: str) -> str:
    """SQL: does one of word lists ``a``, ``b`` add a word naming another organisation?

    A word of :data:`ENTITY_KIND_WORDS` (plural-folded) in one name and not the other:
    "Salvation Army Housing Association" is not "Salvation Army", "DAC Beachcroft
    Scotland" not "DAC Beachcroft".
    """
    kinds = sql_list(ENTITY_KIND_WORDS)
    return f"""coalesce(
        len(list_filter({a}, w -> list_contains({kinds}, w) AND NOT list_contains({b}, w))) > 0
        OR len(list_filter({b}, w -> list_contains({kinds}, w) AND NOT list_contains({a}, w))) > 0,
        false)"""


def qualifier_words_sql(raw_upper: str, *, registered: bool) -> str:
    """SQL: the words of a name's bracketed qualifier ("(ILKLEY)", a cut-off "(LEEDS &").

    With ``registered`` only a qualifier just before a legal form, which is part of the
    company's registered name ("Springfield Healthcare (Ilkley) Limited"). UK, GB and
    THE are left out.
    """
    pattern = (
        r"\(([^)]*)\)\s*(UK\s+)?(LIMITED|LTD|PLC|LLP|CIC|LLC|INC)\b" if registered else r"\(([^)]*)"
    )
    return f"""list_filter(string_split(regexp_replace(
        regexp_extract({raw_upper}, '{pattern}', 1), '[^A-Z0-9]+', ' ', 'g'), ' '),
        w -> w <> '' AND w NOT IN ('UK', 'GB', 'THE'))"""


def qualifier_conflict_sql(a: str, b: str) -> str:
    """SQL: does a registered name's bracketed qualifier share nothing with the other's?

    ``a`` and ``b`` are rows with ``registered_qualifier`` and ``qualifier``:
    "Springfield Healthcare (Ilkley) Limited" is not "Springfield healthcare (Leeds &"
    (two companies of one group, named for their places); "(N)" and "(North)" agree.
    """

    def one_way(x: str, y: str) -> str:
        return (
            f"(len({x}.registered_qualifier) > 0 AND len({y}.qualifier) > 0 "
            f"AND len({unmatched_words_sql(f'{x}.registered_qualifier', f'{y}.qualifier')})"
            f" = len({x}.registered_qualifier))"
        )

    return f"coalesce({one_way(a, b)} OR {one_way(b, a)}, false)"


def generic_conflict_sql(a: str, b: str) -> str:
    """SQL: is one name all generic words while the other has a distinctive word (core tokens)?

    "The Learning & Development Company" says nothing about *which* organisation it is,
    so it does not match "Learning & Development Centre - Sentinel Ltd" by its words
    alone (two names both without distinctive words, "British Gas" / "British Gas
    Business", still may).
    """
    return (
        f"""coalesce((len({a}) = 0 AND len({b}) > 0) OR (len({b}) = 0 AND len({a}) > 0), false)"""
    )


def group_names_sql(a: str, b: str) -> str:
    """SQL: do word lists ``a`` and ``b`` each have a word the other lacks (a group's names)?

    "Anchor Trust" / "Anchor Care Homes", "Oasis Community Hub Oldham" / "Oasis Community
    Learning": two payees sharing a VAT number or a supplier account whose names each
    add their own word are a VAT group's members, not one payee.
    """
    return f"""coalesce(len({unmatched_words_sql(a, b)}) > 0
        AND len({unmatched_words_sql(b, a)}) > 0, false)"""


def key_kinds(con: Any) -> None:
    """Create ``key_kinds``: each name node's public-body kind, places, qualifiers and registered words (owners' names too).

    Reads ``name_flags``; :func:`public_compatible_sql` compares two of its rows.
    """
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE key_kinds AS
        WITH k AS (
            SELECT name_key AS key, public_type, tokens, form_words, core_tokens,
                registered_qualifier, qualifier
            FROM name_flags
            UNION ALL
            SELECT owner_key, {public_body_pattern_sql("owner_match_name")}, owner_tokens,
                owner_form_words, owner_core_tokens, [], []
            FROM name_flags WHERE owner_key IS NOT NULL
        )
        SELECT key, max(public_type) AS public_type,
            min(form_words) FILTER (WHERE len(form_words) > 0) AS form_words,
            min(tokens) AS tokens, min(core_tokens) AS core_tokens,
            max(registered_qualifier) AS registered_qualifier, max(qualifier) AS qualifier,
            list_sort(list_distinct(list_filter(min(tokens),
                t -> list_contains({sql_list(place_words())}, t)))) AS places,
            list_sort(list_distinct(list_filter(min(tokens),
                t -> list_contains({sql_list(PUBLIC_QUALIFIERS)}, t)))) AS quals
        FROM k GROUP BY key""",
    )


def ambiguous_short_names(con: Any, name_edges: str, threshold_match_weight: float) -> None:
    """Create ``ambiguous_short`` (key, other): matches of a short name to be held back.

    A name whose words are all inside two longer names that name different places
    ("POLICE AND CRIME COMMISSIONER" inside "... FOR LANCASHIRE" and "... FOR CUMBRIA")
    would chain those suppliers together; its matches to longer names are not applied.
    """
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE ambiguous_short AS
        WITH inside AS (
            SELECT s.unique_id AS short, g.unique_id AS long
            FROM {name_edges} e
            JOIN splink_records a ON a.unique_id = e.key_l
            JOIN splink_records b ON b.unique_id = e.key_r,
            LATERAL (SELECT CASE WHEN len(a.tokens) < len(b.tokens) THEN a ELSE b END AS s,
                            CASE WHEN len(a.tokens) < len(b.tokens) THEN b ELSE a END AS g)
            WHERE e.match_weight >= {threshold_match_weight}
              AND len(s.tokens) < len(g.tokens) AND list_has_all(g.tokens, s.tokens)
        ), hubs AS (
            SELECT DISTINCT i1.short AS key
            FROM inside i1 JOIN inside i2 ON i1.short = i2.short AND i1.long < i2.long
            JOIN splink_records p ON p.unique_id = i1.long
            JOIN splink_records q ON q.unique_id = i2.long
            WHERE len(p.places) > 0 AND len(q.places) > 0
              AND len(list_intersect(p.places, q.places)) = 0
        )
        SELECT i.short AS key, i.long AS other FROM inside i JOIN hubs h ON h.key = i.short""",
    )


def public_body_conflicts(con: Any, name_edges: str, threshold_match_weight: float) -> None:
    """Create ``name_pair_kinds`` (key_l, key_r, compatible, registered_ok): may two matched names be one?

    Two public bodies of different kinds or areas never are (:func:`public_compatible_sql`);
    nor two registered companies whose names differ by a word
    (:func:`registered_conflict_sql`: ``registered_ok`` is false).
    A name that is no public body by itself ("Greater Manchester", "GM Combnied Authority
    - GMP") takes the kind and area of the public body it matches best, so that it cannot
    chain "... Police" and "... Combined Authority" into one supplier.
    """
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE name_pair_kinds AS
        WITH direct AS (
            SELECT e.key_l, e.key_r, e.match_weight, {public_compatible_sql("ka", "kb")} AS ok,
                NOT ({registered_conflict_sql("ka.form_words", "kb.form_words")}
                     OR {entity_kind_conflict_sql("ka.tokens", "kb.tokens")}
                     OR {generic_conflict_sql("ka.core_tokens", "kb.core_tokens")}
                     OR {qualifier_conflict_sql("ka", "kb")})
                    AS registered_ok
            FROM {name_edges} e
            LEFT JOIN key_kinds ka ON ka.key = e.key_l LEFT JOIN key_kinds kb ON kb.key = e.key_r
        ), both_ways AS (
            SELECT key_l AS x, key_r AS y, match_weight FROM direct
            WHERE ok AND registered_ok AND match_weight >= {threshold_match_weight}
            UNION ALL
            SELECT key_r, key_l, match_weight FROM direct
            WHERE ok AND registered_ok AND match_weight >= {threshold_match_weight}
        ), inherited AS (
            SELECT b.x AS key,
                -- the best match; ties go to the first name, so every engine agrees
                first({{'public_type': k.public_type, 'places': k.places, 'quals': k.quals}}
                      ORDER BY b.match_weight DESC, b.y) AS kind
            FROM both_ways b JOIN key_kinds k ON k.key = b.y
            JOIN key_kinds kx ON kx.key = b.x
            WHERE k.public_type IS NOT NULL AND kx.public_type IS NULL
            GROUP BY b.x
        ), effective AS (
            SELECT k.key, coalesce(i.kind.public_type, k.public_type) AS public_type,
                CASE WHEN i.key IS NOT NULL THEN i.kind.places ELSE k.places END AS places,
                CASE WHEN i.key IS NOT NULL THEN i.kind.quals ELSE k.quals END AS quals
            FROM key_kinds k LEFT JOIN inherited i USING (key)
        )
        SELECT d.key_l, d.key_r, d.ok AND {public_compatible_sql("ea", "eb")} AS compatible,
            d.registered_ok
        FROM direct d
        LEFT JOIN effective ea ON ea.key = d.key_l LEFT JOIN effective eb ON eb.key = d.key_r""",
    )
