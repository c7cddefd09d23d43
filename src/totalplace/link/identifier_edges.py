"""Edges from shared identifiers: VAT, Companies House and charity numbers, a partner's supplier id.

A number shared by two payees joins them only when their names agree too; otherwise
the evidence is recorded unapplied (a VAT group, a council and its schools). Adds to
the ``edges`` table of :func:`totalplace.link.graph.build_edges`.
"""

from __future__ import annotations

from typing import Any

from totalplace.link.conflicts import (
    entity_kind_conflict_sql,
    group_names_sql,
    registered_conflict_sql,
)
from totalplace.link.engine import run
from totalplace.link.model import WEIGHTED_DICE_SQL

#: A supplier id paying more distinct names than this is a sundry account, not a supplier.
MAX_NAMES_PER_SUPPLIER_ID = 5
#: Two payees sharing a VAT, company or charity number, or a partner's supplier id, are
#: joined when their names are at least this alike (rarity-weighted Dice of their words).
ID_MIN_DICE = 0.5
#: SQL: a member's published name in upper-case letters and digits only.
_ALNUM = "regexp_replace(upper({0}.raw_name), '[^A-Z0-9]', '', 'g')"
#: SQL: the initials of a member's name words, small words included (TFGM).
_INITIALS = "array_to_string(list_transform({0}.tokens, t -> t[1]), '')"
#: Identifier groups larger than this are not expanded pair by pair (placeholders).
MAX_MEMBERS_PER_IDENTIFIER = 200


def identifier_edges(con: Any, names_scored: bool) -> None:
    """Add VAT, Companies House, charity and supplier-id evidence between members.

    The numbers join two payees only when their names also agree: the same kind of
    public body (or neither), a local institution within reach, and names sharing
    their distinctive words (a rarity-weighted Dice of at least ``ID_MIN_DICE`` over
    the payees' names and owners, or one name the start of the other). Otherwise the
    evidence is kept with ``applied = false``: a VAT group, a council and its schools.
    """
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE id_groups AS
        SELECT i.id_type, i.id_value, count(*) AS members, count(DISTINCT m.name_key) AS names
        FROM member_ids i JOIN m USING (member_id)
        WHERE m.role <> 'redacted' AND (m.role <> 'individual' OR i.id_type = 'supplier_id')
        GROUP BY i.id_type, i.id_value
        HAVING count(*) > 1 AND count(*) <= {MAX_MEMBERS_PER_IDENTIFIER}""",
    )
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE id_pairs AS
        SELECT a.member_id AS member_a, b.member_id AS member_b, g.id_type, g.id_value
        FROM member_ids a JOIN member_ids b
          ON a.id_type = b.id_type AND a.id_value = b.id_value AND a.member_id < b.member_id
        JOIN id_groups g ON g.id_type = a.id_type AND g.id_value = a.id_value
        JOIN m ma ON ma.member_id = a.member_id JOIN m mb ON mb.member_id = b.member_id
        WHERE ma.role <> 'redacted' AND mb.role <> 'redacted'
          -- an individual only by one partner's supplier id, and only with an individual
          AND ((ma.role <> 'individual' AND mb.role <> 'individual')
               OR (ma.role = 'individual' AND mb.role = 'individual' AND g.id_type = 'supplier_id'))
          AND ma.name_key <> mb.name_key
          AND NOT (g.id_type = 'supplier_id' AND g.names > {MAX_NAMES_PER_SUPPLIER_ID})""",
    )
    if names_scored:
        run(
            con,
            f"""CREATE OR REPLACE TEMP TABLE id_similarity AS
            WITH kv AS (SELECT DISTINCT member_id, key FROM attach WHERE scope <> 'individual'),
            sides AS (
                SELECT p.member_a, p.member_b,
                    ra.tokw AS tokw_l, ra.tokens AS tokens_l, ra.tw AS tw_l,
                    rb.tokw AS tokw_r, rb.tokens AS tokens_r, rb.tw AS tw_r
                FROM (SELECT DISTINCT member_a, member_b FROM id_pairs) p
                JOIN kv ka ON ka.member_id = p.member_a JOIN kv kb ON kb.member_id = p.member_b
                JOIN splink_records ra ON ra.unique_id = ka.key
                JOIN splink_records rb ON rb.unique_id = kb.key
                WHERE ra.tw > 0 AND rb.tw > 0
            )
            SELECT member_a, member_b, max({WEIGHTED_DICE_SQL}) AS dice
            FROM sides GROUP BY member_a, member_b""",
        )
    else:  # no names were scored: fall back to a distinctive word in common
        run(
            con,
            """CREATE OR REPLACE TEMP TABLE id_similarity AS
            SELECT p.member_a, p.member_b,
                CASE WHEN len(list_intersect(ma.all_core, mb.all_core)) > 0 THEN 1.0 ELSE 0.0 END
                    AS dice
            FROM (SELECT DISTINCT member_a, member_b FROM id_pairs) p
            JOIN m ma ON ma.member_id = p.member_a JOIN m mb ON mb.member_id = p.member_b""",
        )
    run(
        con,
        f"""INSERT INTO edges
        SELECT 'm' || p.member_a, 'm' || p.member_b, p.member_a, p.member_b, p.id_type,
            NULL, p.id_value || coalesce(printf('; names %.2f alike', s.dice), ''),
            CASE WHEN ma.role = 'individual' OR mb.role = 'individual' THEN
                -- One partner's account for "MR J KEOWN" and "MR JOHN KEOWN": the same
                -- surname and initial (a title, then forenames or initials, then surname).
                ma.tokens[-1] = mb.tokens[-1] AND len(ma.tokens) >= 3 AND len(mb.tokens) >= 3
                AND ma.tokens[2][1] = mb.tokens[2][1]
            -- one name the initials of the other ("TfGM T/A DriveSafe" / "Transport
            -- for Greater Manchester", one VAT number): the number and the names agree
            WHEN length(coalesce(ma.owner_key, ma.name_key)) >= 3
                 AND coalesce(ma.owner_key, ma.name_key) = {_INITIALS.format("mb")} THEN true
            WHEN length(coalesce(mb.owner_key, mb.name_key)) >= 3
                 AND coalesce(mb.owner_key, mb.name_key) = {_INITIALS.format("ma")} THEN true
            ELSE
            (coalesce(ma.public_type, '') = coalesce(mb.public_type, '')
             -- a public body's name cut short by a column ("AYLESBURY VALE DISTRICT")
             OR (ma.public_type IS NULL AND starts_with({_ALNUM.format("mb")}, {
            _ALNUM.format("ma")
        }))
             OR (mb.public_type IS NULL AND starts_with({_ALNUM.format("ma")}, {
            _ALNUM.format("mb")
        })))
             -- A VAT group or one supplier account covers numbered companies of a group
             -- ("HC-One Ltd" / "HC-One No.1 Ltd"): numbers in the names must agree.
             AND (p.id_type IN ('company_number', 'charity_number')
                  OR list_sort(list_filter(ma.tokens, t -> regexp_full_match(t, '[0-9]+')))
                     = list_sort(list_filter(mb.tokens, t -> regexp_full_match(t, '[0-9]+'))))
             -- A company number is the legal entity itself (renamed companies keep it); a
             -- VAT number or supplier account can cover a group: then the names decide
             -- (two registered names differing by a word; for VAT also names each with a
             -- word of its own: "Anchor Trust" / "Anchor Care Homes Ltd").
             AND (p.id_type IN ('company_number', 'charity_number') OR NOT (
                    {registered_conflict_sql("ma.form_words", "mb.form_words")}
                    OR {entity_kind_conflict_sql("ma.tokens", "mb.tokens")}
                    OR (p.id_type = 'vat' AND {
            group_names_sql(
                "coalesce(ma.form_words, ma.tokens)", "coalesce(mb.form_words, mb.tokens)"
            )
        })))
             AND (coalesce(s.dice, 0) >= {ID_MIN_DICE}
                  OR starts_with(ma.name_key, mb.name_key) OR starts_with(mb.name_key, ma.name_key)
                  -- one partner's own account: the same distinctive first word is enough
                  -- ("Kids Planet Day Nurseries" / "Kids Planet-Hale Sale Urms Stan Sq")
                  OR (p.id_type = 'supplier_id' AND ma.tokens[1] = mb.tokens[1]
                      AND list_contains(ma.core_tokens, ma.tokens[1])
                      AND length(ma.tokens[1]) >= 3))
             AND (ma.partner = mb.partner OR NOT (ma.role = 'local' OR mb.role = 'local')
                  OR EXISTS (SELECT 1 FROM related r WHERE r.p = ma.partner AND r.q = mb.partner))
            END
        FROM id_pairs p
        JOIN m ma ON ma.member_id = p.member_a JOIN m mb ON mb.member_id = p.member_b
        LEFT JOIN id_similarity s ON s.member_a = p.member_a AND s.member_b = p.member_b""",
    )
