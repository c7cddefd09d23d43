"""Supplier names normalised for matching, in DuckDB SQL (vectorised over distinct names).

A published payee name ("HC-One Ltd (Acorn Hollow)", "L&Q T/A London & Quadrant Housing T",
"AMAZON.CO.UK*MZ71L6NB4 AM") becomes:

* ``match_name`` -- upper case, accents and punctuation gone, '&'/'+' as AND, the
  trading name when the payee is "X T/A Y", bracketed qualifiers (sites, accounts,
  "(THE)", "(FORMERLY ...)") dropped, legal forms (LTD, LIMITED, PLC, LLP, CIC ...)
  dropped, common abbreviations spelled out (ASSOC, SVCS, MGMT, INTL ...), council
  styles folded ("Stockport MBC", "Stockport Metropolitan Borough Council" ->
  "STOCKPORT COUNCIL"), runs of single letters joined ("B T GLOBAL" -> "BT GLOBAL"),
  card-terminal references dropped;
* ``name_key`` -- ``match_name`` without spaces and with simple plurals folded: two
  payees with the same key are treated as the same supplier;
* ``form_words`` -- for a name carrying a legal form (Ltd, plc, LLP ...), the words of
  the registered name before it, without THE/AND/CO/UK (NULL otherwise): two
  registered names that differ by a word are two companies;
* ``tokens`` -- the words of ``match_name`` with plurals folded, and ``core_tokens``,
  those that are not generic (LTD-free words like SERVICES, CARE, COUNCIL, SCHOOL), which
  say *which* organisation it is.

Everything is SQL so that a million names normalise in seconds inside DuckDB; the
same expressions run for every caller (the linker, the evaluation, the tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import pyarrow as pa

from totalplace.link.words import ABBREVIATIONS, GENERIC_WORDS, LEGAL_FORMS, sql_list, stem

#: Council styles folded into the one word COUNCIL (MBC, BC, CC, DC, MDC, CBC and the
#: spelled-out forms), so "Stockport MBC" and "Stockport Metropolitan Borough Council"
#: share a key.
_COUNCIL_STYLE = (
    r"\b((ROYAL|LONDON|METROPOLITAN|MET|CITY|COUNTY|BOROUGH|DISTRICT|MB|TOWN|PARISH)\s+)*"
    r"(COUNCIL|CNCL|CNC|MBC|BC|CC|DC|MDC|CBC|BOROUGH)$"
)


#: Legal forms that end a registered company name (for ``form_words``).
_REGISTERED_FORMS = r"(LIMITED|LTD|PLC|LLP|LLC|CIC|CIO|INC|INCORPORATED|GMBH)"
#: Words a registered name may gain or lose without naming another company.
_WEAK_REGISTERED_WORDS = ("THE", "AND", "CO", "COMPANY", "UK", "GB", "U", "K")
#: Simple plurals folded (SERVICES -> SERVICE, SUPPLIES -> SUPPLY; not -SS, -US, -IS,
#: -AS, -OS: GLASS, CIRCUS, AXIS, THOMAS stay), on a word ``w``.
_FOLD_PLURAL_SQL = """CASE
                WHEN length(w) >= 5 AND w[-3:] = 'IES' THEN w[:-4] || 'Y'
                WHEN length(w) >= 4 AND w[-1] = 'S' AND w[-2] NOT IN ('S', 'U', 'I', 'A', 'O')
                    THEN w[:-2]
                ELSE w END"""


def _words_regex(words: Sequence[str]) -> str:
    return r"\b(" + "|".join(sorted(words, key=len, reverse=True)) + r")\b"


def normalise_sql(source: str, column: str = "raw_name") -> str:
    """Return a SELECT over ``source`` adding the normalised name columns to each row.

    Columns added: ``owner_name`` (the part before "T/A", or NULL), ``match_name``,
    ``name_key``, ``form_words``, ``tokens``, ``core_tokens``, ``first_token``. ``source`` is a table,
    view or parenthesised query with a text column ``column``.
    """
    abbrev_keys = sql_list(list(ABBREVIATIONS))
    abbrev_values = sql_list(list(ABBREVIATIONS.values()))
    legal = _words_regex(LEGAL_FORMS)
    generic = sql_list(GENERIC_WORDS)
    return f"""
WITH n0 AS (
    SELECT *,
        -- Upper case, accents gone, quotes and apostrophes dropped ("St John's" -> ST JOHNS).
        regexp_replace(regexp_replace(
            upper(strip_accents(coalesce({column}, ''))),
            '\\\\X[0-9A-F]{{2}}', '', 'g'),
            '[''`\u2018\u2019\u00b4"]', '', 'g'
        ) AS _s0
    FROM {source}
), n1 AS (
    SELECT *,
        -- "X T/A Y", "X TRADING AS Y", "X T/AS Y" (also glued: "T/AThe Gig Cartel").
        regexp_replace(_s0, '\\s*\\bT\\s*/\\s*AS?\\s*|\\s+T\\.A\\.\\s+|\\s+TRADING\\s+AS\\s+|\\s+TA\\s+', ' |TA| ') AS _s1
    FROM n0
), n2 AS (
    SELECT *,
        CASE WHEN contains(_s1, '|TA|') THEN trim(split_part(_s1, '|TA|', 1)) END AS _owner,
        CASE WHEN contains(_s1, '|TA|') AND length(trim(split_part(_s1, '|TA|', 2))) >= 3
             THEN trim(split_part(_s1, '|TA|', 2))
             ELSE replace(_s1, '|TA|', ' ') END AS _s2
    FROM n1
), n3 AS (
    SELECT *,
        -- Bracketed qualifiers ("(ACORN HOLLOW)", "(THE)", "(FORMERLY ...)", a cut-off
        -- "(RENT") and "FORMERLY ..." tails; web addresses and card-terminal references.
        regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
            -- ... but brackets just before a legal form are part of the registered name:
            -- "MBL (Seminars) Ltd", "Springfield Healthcare (Ilkley) Limited".
            regexp_replace(
                _s2,
                '\\(([^)]*)\\)(\\s*(UK\\s+)?(LIMITED|LTD|PLC|LLP|CIC|LLC|INC)\\b)', ' \\1 \\2', 'g'),
            '\\([^)]*\\)?', ' ', 'g'),
            '\\b(FORMERLY|FORMALLY|PREVIOUSLY)\\b.*$', ' '),
            '\\b(WWW\\.|HTTPS?://)', ' ', 'g'),
            '\\.(CO\\.UK|COM|ORG\\.UK|ORG|NET|GOV\\.UK|UK)\\b', ' ', 'g'),
            -- Card payments: "PAYPAL *SHOPNAME" names the shop after the processor;
            -- "AMAZON.CO.UK*MZ71L6NB4" names the shop before a reference.
            '^\\s*(PAYPAL|PP|SP|SQ|SUMUP|SUM UP|IZ|IZETTLE|ZTL|EB|STRIPE|WPY|TST|GC|CRV|PAY|AMZ)\\s*\\*\\s*(.*)$|\\*.*$',
            '\\2'),
            '\\bCO\\s*-?\\s*OP', 'COOP', 'g') AS _s3
    FROM n2
), n4 AS (
    SELECT *,
        -- Dotted initials (L.S.I -> LSI), '&'/'+' as AND, other punctuation as spaces.
        trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
            _s3,
            '\\b([A-Z])\\.', '\\1', 'g'),
            '([A-Z]{{3,}})([0-9]{{3,}})\\b', '\\1 \\2', 'g'),
            '[&+]', ' AND ', 'g'),
            '[^A-Z0-9 ]+', ' ', 'g'),
            '\\s+', ' ', 'g')) AS _s4
    FROM n3
), n4b AS (
    SELECT *,
        -- The registered name: the words before a legal form ("DAC BEACHCROFT SCOTLAND"
        -- of "DAC Beachcroft Scotland LLP"), NULL when the name carries none.
        CASE WHEN regexp_matches(' ' || _s4 || ' ', ' {_REGISTERED_FORMS} ')
             THEN list_transform(list_filter(
                    string_split(regexp_extract(' ' || _s4 || ' ', '^(.*?) {_REGISTERED_FORMS} ', 1), ' '),
                    w -> w <> '' AND NOT list_contains({sql_list(_WEAK_REGISTERED_WORDS)}, w)),
                  w -> {_FOLD_PLURAL_SQL})
        END AS form_words
    FROM n4
), n5 AS (
    SELECT *,
        -- Legal forms (also glued: FOSTERINGLTD), a cut-off "LT"/"LIMI" at the end, and
        -- a firm's trailing "SOLICITORS" after two words or more ("Emerald Law
        -- Solicitors" is "Emerald Law"; the firm flag is read from the published name).
        trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
            ' ' || regexp_replace(_s4, '([A-Z]{{3}})(LTD|LIMITED)$', '\\1') || ' ',
            '{legal}', ' ', 'g'),
            '\\s(LT|LI|LIM|LIMI|LIMIT|LIMITE|PL)\\s*$', ' '),
            '^(\\s*\\S{{2,}}\\s+\\S{{2,}}.*?)\\s+SOLICITORS?\\s*$', '\\1'),
            '\\s+', ' ', 'g')) AS _s5
    FROM n4b
), n5b AS (
    SELECT *, string_split(_s5, ' ') AS _w5,
        -- A number of 3+ digits marks a store, account or reference number: then every
        -- number goes ("ALDI 60 779" -> ALDI); otherwise small numbers stay ("VOYAGE 1").
        list_bool_or(list_transform(string_split(_s5, ' '), w -> regexp_full_match(w, '[0-9]{{3,}}')))
            AS _refs
    FROM n5
), n6 AS (
    SELECT *,
        -- Abbreviations spelled out; reference numbers and codes mixing letters and
        -- digits (MZ71L6NB4) dropped.
        list_transform(
            list_filter(_w5, w -> NOT (
                (_refs AND regexp_full_match(w, '[0-9]+'))
                OR (length(w) >= 6 AND regexp_matches(w, '([0-9][^0-9]*){3}') AND regexp_matches(w, '[A-Z]'))
            )),
            w -> coalesce({abbrev_values}[list_position({abbrev_keys}, w)], w)
        ) AS _w6
    FROM n5b
), n6b AS (
    SELECT * EXCLUDE (_w6),
        -- NHS trusts cut short at the end of a name: "... NHS TR", "... NHS FT",
        -- "... FOUNDATION TR" (FDN is already FOUNDATION) -> "... NHS FOUNDATION TRUST".
        string_split(regexp_replace(regexp_replace(
            array_to_string(list_filter(list_transform(_w6, w -> w::VARCHAR), w -> w <> ''), ' '),
            '\\b(NHS|FOUNDATION) TR$', '\\1 TRUST'),
            '\\bNHS F ?T$', 'NHS FOUNDATION TRUST'), ' ') AS _w6
    FROM n6
), n7 AS (
    SELECT *,
        -- Council styles folded; "CITY OF X COUNCIL" -> "X COUNCIL"; trailing AND dropped.
        trim(regexp_replace(regexp_replace(regexp_replace(
            array_to_string(list_filter(_w6, w -> w <> ''), ' '),
            '{_COUNCIL_STYLE}', 'COUNCIL'),
            '^(CITY OF (.+) COUNCIL|(LONDON|ROYAL) BOROUGH OF (.+))$', '\\2\\4 COUNCIL'),
            '(\\sAND)+$', '')) AS _s7
    FROM n6b
), n8 AS (
    SELECT *,
        -- Runs of single letters joined: "B T GLOBAL" -> "BT GLOBAL" (each pass halves a run).
        trim(replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
            ' ' || replace(_s7, ' ', '  ') || ' ',
            ' ([A-Z0-9]) ', ' \\1# ', 'g'),
            '#\\s+([A-Z0-9]#)', '\\1', 'g'),
            '#\\s+([A-Z0-9]#)', '\\1', 'g'),
            '\\s+', ' ', 'g'), '#', '')) AS match_name
    FROM n7
), n9 AS (
    SELECT *,
        list_transform(
            list_filter(string_split(match_name, ' '), w -> w <> ''),
            w -> {_FOLD_PLURAL_SQL}
        ) AS tokens
    FROM n8
)
SELECT * EXCLUDE (_s0, _s1, _owner, _s2, _s3, _s4, _s5, _w5, _refs, _w6, _s7),
    nullif(_owner, '') AS owner_name,
    coalesce(
        nullif(array_to_string(tokens, ''), ''),
        nullif(regexp_replace(upper({column}), '[^A-Z0-9]', '', 'g'), '')
    ) AS name_key,
    list_filter(tokens, w -> NOT list_contains({generic}, w)
        AND NOT list_contains({sql_list([stem(w) for w in GENERIC_WORDS])}, w)) AS core_tokens,
    tokens[1] AS first_token
FROM n9
"""


def normalise_names(names: Sequence[str | None]) -> list[dict[str, object]]:
    """Return the normalised columns for each name, in order (for tests and overrides)."""
    from totalplace.link.engine import kernel, put, query

    with kernel() as con:
        put(
            con,
            "_names",
            pa.table(
                {"i": list(range(len(names))), "raw_name": pa.array(list(names), pa.string())}
            ),
        )
        rows = query(con, normalise_sql("_names") + " ORDER BY i").to_pylist()
    return [{k: v for k, v in row.items() if k not in ("i",)} for row in rows]


def name_key(name: str | None) -> str | None:
    """Return the matching key of one name ('Dennis Eagle Ltd.' -> 'DENNISEAGLE')."""
    key = normalise_names([name])[0]["name_key"]
    return key if isinstance(key, str) else None
