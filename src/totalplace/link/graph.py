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

Edges come from: the same name; Splink's match weight between two names ("splink");
equal VAT, Companies House or charity numbers, or one partner's supplier id, when the
two names also agree on a distinctive word ("vat", "company_number",
"charity_number", "supplier_id" -- otherwise recorded with ``applied = false``: a VAT
group or a council and its schools); and the reviewer's overrides. Suppliers are
the connected components (Splink's clustering).
"""

from __future__ import annotations

from typing import Any

from totalplace.link.engine import run, scalar
from totalplace.link.kinds import (
    firm_form_sql,
    has_organisation_word_sql,
    legal_form_sql,
    local_institution_sql,
    plain_person_name_sql,
    public_body_pattern_sql,
    titled_person_sql,
)
from totalplace.link.model import WEIGHTED_DICE_SQL, place_words
from totalplace.link.names import normalise_sql

#: A supplier id paying more distinct names than this is a sundry account, not a supplier.
MAX_NAMES_PER_SUPPLIER_ID = 5
#: Two payees sharing a VAT, company or charity number, or a partner's supplier id, are
#: joined when their names are at least this alike (rarity-weighted Dice of their words).
ID_MIN_DICE = 0.5
#: Identifier groups larger than this are not expanded pair by pair (placeholders).
MAX_MEMBERS_PER_IDENTIFIER = 200

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
    "splink": 8,
}


def classify_names(con: Any) -> None:
    """Create ``names``: each distinct named payee, normalised, with its kind flags.

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
        SELECT {_body_core_sql("tokens")} AS body_core, min(body_type) AS body_type
        FROM ({normalise_sql("public_ref_names")})
        WHERE body_type = 'nhs' AND len({_body_words_sql("tokens")}) >= 2
        GROUP BY ALL""",
    )
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE name_flags AS
        SELECT n.raw_name, n.match_name, n.tokens, n.core_tokens, n.name_key,
            coalesce(ref.body_type, refc.body_type, {public_body_pattern_sql("n.match_name")})
                AS public_type,
            {firm_form_sql("upper(n.raw_name)")} AS firm,
            {titled_person_sql("n.tokens", "upper(n.raw_name)")} AS titled_person,
            {plain_person_name_sql("n.tokens", "upper(n.raw_name)", "n.match_name")} AS plain_person,
            {has_organisation_word_sql("n.tokens")} AS has_org_word,
            {legal_form_sql("upper(n.raw_name)")} AS legal_form,
            {local_institution_sql("n.match_name", "upper(n.raw_name)")} AS local_institution,
            CASE WHEN o.name_key IS NOT NULL AND length(o.name_key) >= 3
                  AND o.name_key <> n.name_key
                  AND NOT {titled_person_sql("o.tokens", "upper(o.raw_name)")}
                  AND NOT {plain_person_name_sql("o.tokens", "upper(o.raw_name)", "o.match_name")}
                 THEN o.name_key END AS owner_key,
            o.match_name AS owner_match_name, o.tokens AS owner_tokens,
            list_concat(n.core_tokens, coalesce(o.core_tokens, [])) AS all_core
        FROM names n
        LEFT JOIN owners o ON o.raw_name = n.owner_name
        LEFT JOIN public_ref ref ON ref.name_key = n.name_key
        LEFT JOIN public_core refc ON len({_body_words_sql("n.tokens")}) >= 2
            AND refc.body_core = {_body_core_sql("n.tokens")}""",
    )
    # Each name node's public-body kind, places and qualifiers (owners' names too).
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE key_kinds AS
        WITH k AS (
            SELECT name_key AS key, public_type, tokens FROM name_flags
            UNION ALL
            SELECT owner_key, {public_body_pattern_sql("owner_match_name")}, owner_tokens
            FROM name_flags WHERE owner_key IS NOT NULL
        )
        SELECT key, max(public_type) AS public_type,
            list_sort(list_distinct(list_filter(min(tokens),
                t -> list_contains({_sql_list(place_words())}, t)))) AS places,
            list_sort(list_distinct(list_filter(min(tokens),
                t -> list_contains({_sql_list(PUBLIC_QUALIFIERS)}, t)))) AS quals
        FROM k GROUP BY key""",
    )


def _sql_list(words: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join("'" + w.replace("'", "''") + "'" for w in words) + "]"


def _body_words_sql(tokens: str) -> str:
    return f"list_filter({tokens}, w -> NOT list_contains({_sql_list(_BODY_SUFFIX_WORDS)}, w))"


def _body_core_sql(tokens: str) -> str:
    return f"array_to_string({_body_words_sql(tokens)}, '')"


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
        _ambiguous_short_names(con, name_edges, threshold_match_weight)
        _public_body_conflicts(con, name_edges, threshold_match_weight)
        run(
            con,
            f"""INSERT INTO edges
            SELECT a.node, b.node, ra.member_id, rb.member_id, 'splink', e.match_weight,
                printf('name %+.1f, words %+.1f, place %+.1f, postcode %+.1f',
                       e.mw_name, e.mw_words, e.mw_place, e.mw_postcode)
                    || CASE WHEN NOT c.compatible THEN '; public bodies of different kinds or areas'
                            WHEN e.match_weight < {threshold_match_weight}
                            THEN '; below the threshold: for review'
                            WHEN h.key IS NOT NULL THEN '; ambiguous: ' || h.key
                                || ' is part of names of different places'
                            ELSE '' END,
                e.match_weight >= {threshold_match_weight} AND h.key IS NULL
                    AND c.compatible
            FROM {name_edges} e
            JOIN name_pair_kinds c ON c.key_l = e.key_l AND c.key_r = e.key_r
            LEFT JOIN ambiguous_short h ON (h.key = e.key_l AND h.other = e.key_r)
                                        OR (h.key = e.key_r AND h.other = e.key_l)
            JOIN key_nodes a ON a.key = e.key_l JOIN key_nodes b ON b.key = e.key_r
            JOIN node_rep ra ON ra.node = a.node JOIN node_rep rb ON rb.node = b.node
            WHERE {_allowed("a", "b")}""",
        )
    _identifier_edges(con, name_edges is not None)


def _ambiguous_short_names(con: Any, name_edges: str, threshold_match_weight: float) -> None:
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


def _public_body_conflicts(con: Any, name_edges: str, threshold_match_weight: float) -> None:
    """Create ``name_pair_kinds`` (key_l, key_r, compatible): may two matched names be one?

    Two public bodies of different kinds or areas never are (:func:`public_compatible_sql`).
    A name that is no public body by itself ("Greater Manchester", "GM Combnied Authority
    - GMP") takes the kind and area of the public body it matches best, so that it cannot
    chain "... Police" and "... Combined Authority" into one supplier.
    """
    run(
        con,
        f"""CREATE OR REPLACE TEMP TABLE name_pair_kinds AS
        WITH direct AS (
            SELECT e.key_l, e.key_r, e.match_weight, {public_compatible_sql("ka", "kb")} AS ok
            FROM {name_edges} e
            LEFT JOIN key_kinds ka ON ka.key = e.key_l LEFT JOIN key_kinds kb ON kb.key = e.key_r
        ), both_ways AS (
            SELECT key_l AS x, key_r AS y, match_weight FROM direct
            WHERE ok AND match_weight >= {threshold_match_weight}
            UNION ALL
            SELECT key_r, key_l, match_weight FROM direct
            WHERE ok AND match_weight >= {threshold_match_weight}
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
        SELECT d.key_l, d.key_r, d.ok AND {public_compatible_sql("ea", "eb")} AS compatible
        FROM direct d
        LEFT JOIN effective ea ON ea.key = d.key_l LEFT JOIN effective eb ON eb.key = d.key_r""",
    )


def _identifier_edges(con: Any, names_scored: bool) -> None:
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
        WHERE m.role NOT IN ('redacted', 'individual')
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
        WHERE ma.role NOT IN ('redacted', 'individual') AND mb.role NOT IN ('redacted', 'individual')
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
            (coalesce(ma.public_type, '') = coalesce(mb.public_type, '')
             -- A VAT group or one supplier account covers numbered companies of a group
             -- ("HC-One Ltd" / "HC-One No.1 Ltd"): numbers in the names must agree.
             AND (p.id_type IN ('company_number', 'charity_number')
                  OR list_sort(list_filter(ma.tokens, t -> regexp_full_match(t, '[0-9]+')))
                     = list_sort(list_filter(mb.tokens, t -> regexp_full_match(t, '[0-9]+'))))
             AND (coalesce(s.dice, 0) >= {ID_MIN_DICE}
                  OR starts_with(ma.name_key, mb.name_key) OR starts_with(mb.name_key, ma.name_key))
             AND (ma.partner = mb.partner OR NOT (ma.role = 'local' OR mb.role = 'local')
                  OR EXISTS (SELECT 1 FROM related r WHERE r.p = ma.partner AND r.q = mb.partner)))
        FROM id_pairs p
        JOIN m ma ON ma.member_id = p.member_a JOIN m mb ON mb.member_id = p.member_b
        LEFT JOIN id_similarity s ON s.member_a = p.member_a AND s.member_b = p.member_b""",
    )


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
