"""The match graph: members, the names they carry, and the evidence joining them.

Nodes are members (``m<id>``: one partner's payee name) and name nodes (``k:<key>``):
a member is attached to the node of its normalised name, so payees whose names
normalise alike are joined ("same_name"), and a payee "X T/A Y" is attached to the
nodes of both X and Y ("trading_as"). Some names are scoped to their partner
(``k:<key>@<partner>``) because the same name can mean different payees in different
places: local institutions (joined across partners that serve a common district) and
plain personal names (never joined to another partner's personal name). Titled
personal names and one-off payees are individuals: ``i:<partner>:<key>``, joined to
nothing else. Redacted and withheld payees get no edge at all.

Edges come from: the same name; a name that spells out its acronym and the acronym
("acronym"); Splink's match weight between two names ("splink");
equal VAT, Companies House or charity numbers, or one partner's supplier id, when the
two names also agree on a distinctive word ("vat", "company_number",
"charity_number", "supplier_id" -- otherwise recorded with ``applied = false``: a VAT
group or a council and its schools); and the reviewer's overrides. Suppliers are
the connected components (Splink's clustering).
"""

from __future__ import annotations

from typing import Any

from totalplace.link.conflicts import (
    ambiguous_short_names,
    body_core_sql,
    body_words_sql,
    key_kinds,
    public_body_conflicts,
    public_compatible_sql,
    qualifier_words_sql,
)
from totalplace.link.engine import run, scalar
from totalplace.link.identifier_edges import identifier_edges
from totalplace.link.kinds import (
    firm_form_sql,
    has_organisation_word_sql,
    legal_form_sql,
    local_institution_sql,
    plain_person_name_sql,
    public_body_pattern_sql,
    titled_person_sql,
)
from totalplace.link.names import normalise_sql
from totalplace.link.words import sql_list

#: Precedence of evidence when saying which rule joined a member (lower wins).
RULE_PRECEDENCE = {
    "override_confirm": 0,
    "override_merge": 1,
    "vat": 2,
    "company_number": 3,
    "charity_number": 4,
    "supplier_id": 5,
    "same_name": 6,
    "trading_as": 7,
    "acronym": 8,
    "splink": 9,
}

#: Words left out of a name's initials ("Organisation for Economic Co-operation and
#: Development" -> OECD).
_INITIALS_SKIP = ("AND", "OF", "FOR", "THE", "IN", "AT", "ON")


def acronym_sql(raw_upper: str, tokens: str) -> str:
    """SQL: the acronym a name spells out for itself, or NULL.

    "British Standards Institution (BSI)": a bracketed acronym that is the initials of
    the name's words; "OECD Organisation for Economic Co-operation and Development": a
    first word that is the initials of the words after it.
    """
    skip = sql_list(_INITIALS_SKIP)

    def initials(words: str) -> str:
        return (
            f"array_to_string(list_transform(list_filter({words}, "
            f"t -> NOT list_contains({skip}, t)), t -> t[1]), '')"
        )

    bracketed = f"regexp_extract({raw_upper}, '\\(\\s*([A-Z]{{2,6}})\\s*\\)', 1)"
    return f"""CASE
        WHEN {bracketed} <> '' AND len({tokens}) >= 2 AND {bracketed} = {initials(tokens)}
            THEN {bracketed}
        WHEN len({tokens}) >= 3 AND length({tokens}[1]) BETWEEN 2 AND 6
             AND {tokens}[1] = {initials(f"{tokens}[2:]")} THEN {tokens}[1]
        END"""


def classify_names(con: Any) -> None:
    """Create ``names``, ``name_flags`` and ``key_kinds``: each distinct named payee, normalised, with its kind flags.

    Reads ``members`` and ``public_ref`` (name_key, body_type of official bodies).
    """
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE names AS "
        + normalise_sql(
            "(SELECT DISTINCT raw_name FROM members "
            "WHERE payee_status = 'named' AND raw_name IS NOT NULL)"
        ),
    )
    run(
        con,
        "CREATE OR REPLACE TEMP TABLE owners AS "
        + normalise_sql(
            "(SELECT DISTINCT owner_name AS raw_name FROM names WHERE owner_name IS NOT NULL)"
        ),
    )
    # The official list also by "body core": an abbreviated NHS trust ("Uni Hospital of
    # South Mcr") is the listed trust whose name without NHS/FOUNDATION/TRUST it is.
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE public_core AS
        SELECT {body_core_sql("tokens")} AS body_core, min(body_type) AS body_type
        FROM ({normalise_sql("public_ref_names")})
        WHERE body_type = 'nhs' AND len({body_words_sql("tokens")}) >= 2
        GROUP BY ALL""",
    )
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE name_flags AS
        SELECT n.raw_name, n.match_name, n.tokens, n.core_tokens, n.name_key, n.form_words,
            coalesce(ref.body_type, refc.body_type, {public_body_pattern_sql("n.match_name")})
                AS public_type,
            {firm_form_sql("upper(n.raw_name)")} AS firm,
            {titled_person_sql("n.tokens", "upper(n.raw_name)")} AS titled_person,
            {plain_person_name_sql("n.tokens", "upper(n.raw_name)", "n.match_name")} AS plain_person,
            {has_organisation_word_sql("n.tokens")} AS has_org_word,
            {legal_form_sql("upper(n.raw_name)")} AS legal_form,
            {local_institution_sql("n.match_name", "upper(n.raw_name)")} AS local_institution,
            {acronym_sql("upper(n.raw_name)", "n.tokens")} AS acronym,
            {qualifier_words_sql("upper(n.raw_name)", registered=True)} AS registered_qualifier,
            {qualifier_words_sql("upper(n.raw_name)", registered=False)} AS qualifier,
            CASE WHEN o.name_key IS NOT NULL AND length(o.name_key) >= 3
                  AND o.name_key <> n.name_key
                  AND NOT {titled_person_sql("o.tokens", "upper(o.raw_name)")}
                  AND NOT {plain_person_name_sql("o.tokens", "upper(o.raw_name)", "o.match_name")}
                 THEN o.name_key END AS owner_key,
            o.match_name AS owner_match_name, o.tokens AS owner_tokens,
            -- "X T/A Y": X is the legal entity, with or without a legal form.
            coalesce(o.form_words, o.tokens) AS owner_form_words,
            o.core_tokens AS owner_core_tokens,
            list_concat(n.core_tokens, coalesce(o.core_tokens, [])) AS all_core
        FROM names n
        LEFT JOIN owners o ON o.raw_name = n.owner_name
        LEFT JOIN public_ref ref ON ref.name_key = n.name_key
        LEFT JOIN public_core refc ON len({body_words_sql("n.tokens")}) >= 2
            AND refc.body_core = {body_core_sql("n.tokens")}""",
    )
    key_kinds(con)


def assign_roles(con: Any) -> None:
    """Create ``m``: members with their normalised name and role.

    Roles: 'redacted' (no usable name), 'individual', 'person' (a plain personal-looking
    name), 'local' (a local institution), 'org' (everything else, public bodies too).
    """
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE m AS
        SELECT mb.*, f.* EXCLUDE (raw_name),
            CASE
                WHEN mb.payee_status <> 'named' OR f.name_key IS NULL THEN 'redacted'
                WHEN f.public_type IS NOT NULL THEN 'org'
                WHEN f.titled_person THEN 'individual'
                WHEN mb.one_off_ids AND NOT f.has_org_word AND NOT f.legal_form AND NOT f.firm
                    THEN 'individual'
                WHEN f.plain_person THEN 'person'
                WHEN f.local_institution THEN 'local'
                ELSE 'org'
            END AS role
        FROM members mb LEFT JOIN name_flags f ON f.raw_name = mb.raw_name""",
    )


def attach_members(con: Any) -> None:
    """Create ``attach`` (member -> name node), ``key_nodes`` and ``node_partners``."""
    # A trading name used by payees of several owners ("SHORT GROUND T/A WOODLEIGH CARE",
    # "RELATIVETO T/A WOODLEIGH CARE") does not join those owners: such payees hang
    # from their owner's name only.
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE attach AS
        WITH shared_trading AS (
            SELECT name_key FROM m WHERE role = 'org' AND owner_key IS NOT NULL
            GROUP BY name_key HAVING count(DISTINCT owner_key) > 1
        )
        SELECT member_id, partner, name_key AS key, role AS scope,
            CASE role WHEN 'individual' THEN 'i:' || partner || ':' || name_key
                      WHEN 'org' THEN 'k:' || name_key
                      ELSE 'k:' || name_key || '@' || partner END AS node,
            'name' AS via, payments
        FROM m WHERE role <> 'redacted'
          AND NOT (owner_key IS NOT NULL AND name_key IN (SELECT name_key FROM shared_trading))
        UNION ALL
        SELECT member_id, partner, owner_key, 'org', 'k:' || owner_key, 'owner', payments
        FROM m WHERE role = 'org' AND owner_key IS NOT NULL""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE key_nodes AS
        SELECT DISTINCT node, key, scope,
            CASE WHEN scope IN ('local', 'person') THEN partner END AS partner
        FROM attach WHERE scope <> 'individual'""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE node_partners AS
        SELECT DISTINCT node, partner FROM attach WHERE scope = 'org'""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE node_rep AS
        SELECT node, first(member_id ORDER BY via = 'name' DESC, payments DESC, member_id) AS member_id
        FROM attach GROUP BY node""",
    )


def _allowed(a: str, b: str) -> str:
    """SQL: may name nodes ``a`` and ``b`` (rows of key_nodes) be joined?"""
    org_local = (
        "EXISTS (SELECT 1 FROM node_partners np WHERE np.node = {u}.node AND "
        "(np.partner = {s}.partner OR EXISTS (SELECT 1 FROM related r "
        "WHERE r.p = np.partner AND r.q = {s}.partner)))"
    )
    return f"""(
        ({a}.scope = 'org' AND {b}.scope IN ('org', 'person'))
        OR ({b}.scope = 'org' AND {a}.scope = 'person')
        OR ({a}.scope = 'org' AND {b}.scope = 'local' AND {org_local.format(u=a, s=b)})
        OR ({b}.scope = 'org' AND {a}.scope = 'local' AND {org_local.format(u=b, s=a)})
        OR ({a}.scope IN ('local', 'person') AND {b}.scope IN ('local', 'person')
            AND ({a}.partner = {b}.partner
                 OR ({a}.scope = 'local' AND {b}.scope = 'local' AND EXISTS (
                     SELECT 1 FROM related r WHERE r.p = {a}.partner AND r.q = {b}.partner))))
    )"""


def splink_keys_sql() -> str:
    """Return SQL: the names Splink compares (name_key, match_name, tokens, postcode)."""
    return """
    SELECT kn.key AS name_key, min(coalesce(n.match_name, o.match_name)) AS match_name,
           arg_min(coalesce(n.tokens, o.tokens), coalesce(n.match_name, o.match_name)) AS tokens,
           coalesce(mode(nullif(mm.postcode, '') ORDER BY mm.postcode), '') AS postcode
    FROM (SELECT DISTINCT key FROM key_nodes) kn
    LEFT JOIN (SELECT name_key, min(match_name) AS match_name,
                      arg_min(tokens, match_name) AS tokens
               FROM name_flags GROUP BY name_key) n ON n.name_key = kn.key
    LEFT JOIN (SELECT owner_key, min(owner_match_name) AS match_name,
                      arg_min(owner_tokens, owner_match_name) AS tokens
               FROM name_flags WHERE owner_key IS NOT NULL GROUP BY owner_key) o
           ON o.owner_key = kn.key
    LEFT JOIN attach a ON a.key = kn.key
    LEFT JOIN m mm ON mm.member_id = a.member_id
    GROUP BY kn.key
    """


def build_edges(con: Any, name_edges: str | None, threshold_match_weight: float = 0.0) -> None:
    """Create ``edges``: every piece of evidence between two members.

    Columns: ``node_a``, ``node_b`` (graph nodes joined when applied), ``member_a``,
    ``member_b`` (the payees the evidence is about), ``rule``, ``match_weight``,
    ``detail``, ``applied``. ``name_edges`` is the Splink output (key_l, key_r,
    match_weight, mw_*), or None to skip probabilistic matching; its pairs below
    ``threshold_match_weight`` are kept unapplied, for a reviewer.
    """
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE edges (
            node_a VARCHAR, node_b VARCHAR, member_a BIGINT, member_b BIGINT, rule VARCHAR,
            match_weight DOUBLE, detail VARCHAR, applied BOOLEAN)""",
    )
    # Members to the nodes of their names.
    run(
        con,
        """INSERT INTO edges
        SELECT 'm' || a.member_id, a.node, a.member_id, r.member_id,
            CASE WHEN a.via = 'owner' THEN 'trading_as' ELSE 'same_name' END,
            NULL, a.key, true
        FROM attach a JOIN node_rep r USING (node)""",
    )
    # The same name under two scopes (e.g. a school paid by two partners of one place).
    run(
        con,
        f"""INSERT INTO edges
        SELECT a.node, b.node, ra.member_id, rb.member_id, 'same_name', NULL, a.key, true
        FROM key_nodes a JOIN key_nodes b ON a.key = b.key AND a.node < b.node
        JOIN node_rep ra ON ra.node = a.node JOIN node_rep rb ON rb.node = b.node
        WHERE {_allowed("a", "b")}""",
    )
    if name_edges is not None:
        ambiguous_short_names(con, name_edges, threshold_match_weight)
        public_body_conflicts(con, name_edges, threshold_match_weight)
        run(
            con,
            f"""INSERT INTO edges
            SELECT a.node, b.node, ra.member_id, rb.member_id, 'splink', e.match_weight,
                printf('name %+.1f, words %+.1f, place %+.1f, postcode %+.1f',
                       e.mw_name, e.mw_words, e.mw_place, e.mw_postcode)
                    || CASE WHEN NOT c.compatible THEN '; public bodies of different kinds or areas'
                            WHEN NOT c.registered_ok
                            THEN '; different organisations (their registered names differ by a word)'
                            WHEN e.match_weight < {threshold_match_weight}
                            THEN '; below the threshold: for review'
                            WHEN h.key IS NOT NULL THEN '; ambiguous: ' || h.key
                                || ' is part of names of different places'
                            ELSE '' END,
                e.match_weight >= {threshold_match_weight} AND h.key IS NULL
                    AND c.compatible AND c.registered_ok
            FROM {name_edges} e
            JOIN name_pair_kinds c ON c.key_l = e.key_l AND c.key_r = e.key_r
            LEFT JOIN ambiguous_short h ON (h.key = e.key_l AND h.other = e.key_r)
                                        OR (h.key = e.key_r AND h.other = e.key_l)
            JOIN key_nodes a ON a.key = e.key_l JOIN key_nodes b ON b.key = e.key_r
            JOIN node_rep ra ON ra.node = a.node JOIN node_rep rb ON rb.node = b.node
            WHERE {_allowed("a", "b")}""",
        )
    # A name that spells out its acronym, to the payee published under the acronym alone
    # ("British Standards Institution (BSI)" / "BSI"), if both may be one body.
    run(
        con,
        f"""INSERT INTO edges
        SELECT 'm' || mm.member_id, kn.node, mm.member_id, r.member_id, 'acronym', NULL,
            mm.acronym, {public_compatible_sql("ka", "kb")}
        FROM m mm JOIN key_nodes kn ON kn.key = mm.acronym AND kn.scope = 'org'
        JOIN node_rep r ON r.node = kn.node
        LEFT JOIN key_kinds ka ON ka.key = mm.name_key LEFT JOIN key_kinds kb ON kb.key = kn.key
        WHERE mm.role = 'org' AND mm.acronym IS NOT NULL AND mm.acronym <> mm.name_key""",
    )
    identifier_edges(con, name_edges is not None)


def cluster(con: Any) -> None:
    """Create ``member_cluster`` (member_id, cluster_id) from the applied edges.

    Connected components by label propagation in SQL: every node starts labelled with
    its own id and takes the smallest label among itself and its neighbours, and then
    its label's label (so chains shorten by half each pass), until no label changes.
    Each pass is one set-based statement; the loop runs over passes (a few dozen at
    most), never over rows. The cluster id is the smallest node id of the component:
    the same on every engine.
    """
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE graph_edges AS
        SELECT DISTINCT node_a AS src, node_b AS dst FROM edges WHERE applied AND node_a <> node_b
        UNION SELECT node_b, node_a FROM edges WHERE applied AND node_a <> node_b""",
    )
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE graph_labels AS
        SELECT node_id, node_id AS label FROM (
            SELECT 'm' || member_id AS node_id FROM members
            UNION SELECT node FROM key_nodes
            UNION SELECT node FROM attach
            UNION SELECT src FROM graph_edges) nodes""",
    )
    while True:
        run(
            con,
            """CREATE OR REPLACE TEMP TABLE graph_step AS
            SELECT l.node_id, least(l.label, coalesce(min(n.label), l.label)) AS label
            FROM graph_labels l
            LEFT JOIN graph_edges e ON e.src = l.node_id
            LEFT JOIN graph_labels n ON n.node_id = e.dst
            GROUP BY l.node_id, l.label""",
        )
        run(
            con,
            """CREATE OR REPLACE TEMP TABLE graph_next AS
            SELECT s.node_id, least(s.label, j.label) AS label
            FROM graph_step s JOIN graph_step j ON j.node_id = s.label""",
        )
        changed = scalar(
            con,
            """SELECT count(*) FROM graph_next x JOIN graph_labels l USING (node_id)
            WHERE x.label <> l.label""",
        )
        run(con, "CREATE OR REPLACE TEMP TABLE graph_labels AS SELECT * FROM graph_next")
        if not changed:
            break
    run(
        con,
        """CREATE OR REPLACE TEMP TABLE member_cluster AS
        SELECT CAST(substr(node_id, 2) AS BIGINT) AS member_id, label AS cluster_id
        FROM graph_labels WHERE node_id LIKE 'm%'""",
    )
