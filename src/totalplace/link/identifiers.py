"""Registration numbers as published, normalised so that equal numbers compare equal.

Each function returns a DuckDB SQL expression over a text column; the result is NULL
when the cell holds no usable number ('NA', 'N/A', 'None', '0', blanks, placeholders).

* VAT: 'GB 123 4567 89', 'gb123456789', '123456789', 'GB123456789001' (a branch
  trader's 12 digits) all become '123456789' -- the 9-digit registration, branch
  dropped. Government departments' 'GD123' and health authorities' 'HA567' keep
  their prefix.
* Companies House: 8 characters, zero padded: '7343850' -> '07343850',
  'SC 12345' -> 'SC012345', 'ni-601234' -> 'NI601234'.
* Charity: England and Wales '1012345' (a '-1' subsidiary suffix dropped), Scotland
  'SC012345', Northern Ireland 'NIC100123' (also written 'XN12345' by some).
"""

from __future__ import annotations

import pyarrow as pa

_NOTHING = (
    r"^(N/?A|NONE|NIL|NULL|UNKNOWN|NOT ?(APPLICABLE|KNOWN|REGISTERED|VAT ?REGISTERED)|-+|0+|X+)$"
)


#: Nine-digit strings that are placeholders, not registrations.
_PLACEHOLDERS = ", ".join(f"'{d * 9}'" for d in "0123456789") + ", '123456789', '987654321'"


def _clean(column: str) -> str:
    """Upper case, with spaces, dots, dashes and slashes removed; NULL when empty."""
    return (
        f"nullif(regexp_replace(upper(trim(coalesce(CAST({column} AS VARCHAR), ''))), "
        f"'[\\s.\\-/]', '', 'g'), '')"
    )


def vat_sql(column: str) -> str:
    """Return SQL for the normalised VAT registration (9 digits, or GD/HA + 3) or NULL."""
    # A zero-padded 10-digit form ('GB0796642084') is the same registration.
    raw = f"regexp_replace({_clean(column)}, '^(GB)?0([0-9]{{9}})$', '\\2')"
    return f"""(CASE
        WHEN regexp_matches({raw}, '{_NOTHING}') THEN NULL
        WHEN regexp_full_match({raw}, '(GB)?(GD|HA)[0-9]{{3}}')
            THEN regexp_extract({raw}, '(GD|HA)[0-9]{{3}}')
        WHEN regexp_full_match({raw}, '(GB)?[0-9]{{9}}([0-9]{{3}})?')
            AND regexp_extract({raw}, '[0-9]{{9}}') NOT IN ({_PLACEHOLDERS})
            THEN regexp_extract({raw}, '[0-9]{{9}}')
        ELSE NULL END)"""


def company_number_sql(column: str) -> str:
    """Return SQL for the normalised Companies House number (8 characters) or NULL."""
    raw = _clean(column)
    return f"""(CASE
        WHEN regexp_matches({raw}, '{_NOTHING}') THEN NULL
        WHEN regexp_full_match({raw}, '[0-9]{{1,8}}') AND CAST({raw} AS BIGINT) > 0
            THEN lpad({raw}, 8, '0')
        WHEN regexp_full_match({raw}, '(SC|NI|OC|SO|NC|R0|IP|SP|RS|LP|SL|FC|GE|NP|NL|NO|IC|CE|CS|SE|SI|SZ|ZC|AC|SA|SF|SR|NA|NZ|NF|NR|RC|SG|GS|ES|EN|FE|GN|NV|PC|IS|SY|SN)[0-9]{{1,6}}')
            AND CAST(substr({raw}, 3) AS BIGINT) > 0
            THEN substr({raw}, 1, 2) || lpad(substr({raw}, 3), 6, '0')
        ELSE NULL END)"""


def charity_number_sql(column: str) -> str:
    """Return SQL for the normalised charity number or NULL."""
    # A '-1' suffix marks a subsidiary or linked charity of the main registration.
    unsuffixed = f"regexp_replace(CAST({column} AS VARCHAR), '\\s*-\\s*[0-9]{{1,2}}\\s*$', '')"
    raw = f"regexp_replace({_clean(unsuffixed)}, '^(REGISTERED)?CHARITY(NO|NUMBER)?:?', '')"
    return f"""(CASE
        WHEN regexp_matches({raw}, '{_NOTHING}') THEN NULL
        WHEN regexp_full_match({raw}, 'SC0?[0-9]{{5,6}}') THEN 'SC' || lpad(substr({raw}, 3), 6, '0')
        WHEN regexp_full_match({raw}, '(NIC|XN)[0-9]{{5,6}}') THEN 'NIC' || regexp_extract({raw}, '[0-9]+')
        WHEN regexp_full_match({raw}, '[0-9]{{6,7}}') AND CAST({raw} AS BIGINT) > 0 THEN {raw}
        ELSE NULL END)"""


def normalise_ids(
    vat: list[str | None] | None = None,
    company: list[str | None] | None = None,
    charity: list[str | None] | None = None,
) -> dict[str, list[str | None]]:
    """Return the normalised values of lists of published numbers (for tests and tools)."""
    from totalplace.link.engine import kernel, put, query

    result: dict[str, list[str | None]] = {}
    with kernel() as con:
        for name, values, sql in (
            ("vat", vat, vat_sql),
            ("company", company, company_number_sql),
            ("charity", charity, charity_number_sql),
        ):
            if values is None:
                continue
            put(
                con, "_ids", pa.table({"i": range(len(values)), "v": pa.array(values, pa.string())})
            )
            result[name] = (
                query(con, f"SELECT {sql('v')} FROM _ids ORDER BY i").column(0).to_pylist()
            )
    return result
