"""Recognise Transparency Code columns from the header variants UK bodies publish.

A header cell is normalised (lower case, leading ``*`` and currency marks dropped,
punctuation to spaces) and looked up in :data:`SYNONYMS`. Each field lists its
variants best first, so where two columns could be the amount (``Net Amount`` and
``Gross Amount``) the better one wins. Columns nobody recognises are kept out of
the facts but the row can always be found again by file hash and row number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

#: Canonical fields of a spending line, in the order they are stored.
FIELDS: tuple[str, ...] = (
    "body",
    "date",
    "transaction_id",
    "amount",
    "supplier_name",
    "supplier_id",
    "vat_number",
    "company_number",
    "charity_number",
    "service_area",
    "department",
    "expense_type",
    "expense_code",
    "purpose",
    "proclass",
    "capital_revenue",
    "procurement_card",
    "supplier_postcode",
)

# Variants seen in real publications (Transparency Code, HMT £25k, ODI Leeds,
# Lancashire, Trafford, NHS compilations), best first within each field.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "amount": (
        "net amount",
        "netamount",
        "net amount gbp",
        "amount excluding vat",
        "amount net",
        "total excludes vat",
        "invoice line value net of vat",
        "amount paid",
        "amount",
        "total invoice amount",
        "spend",
        "value",
        "total",
        "line amount",
        "payment amount",
        "transaction amount",
        "amount gbp",
        "gross amount",
    ),
    "date": (
        "payment date",
        "paymentdate",
        "paid date",
        "date paid",
        "datepaid",
        "date of payment",
        "invoice payment date",
        "transaction date",
        "clearing date",
        "invoice gl date",
        "date",
        "posting date",
        "updated",
    ),
    "transaction_id": (
        "transaction number",
        "transactionnumber",
        "transaction no",
        "trans no",
        "transno",
        "transaction id",
        "transaction reference",
        "document number",
        "document no",
        "hbc ref no",
        "internal ref number",
        "internal ref",
        "invoice number",
        "invoicenumber",
        "reference",
    ),
    "supplier_name": (
        "supplier name",
        "suppliername",
        "supplier beneficiary name",
        "beneficiary name",
        "beneficiaryname",
        "vendor name",
        "supplier final",
        "supplier",
        "payee",
        "payee name",
        "name",
        "supplier id t",
    ),
    "supplier_id": (
        "supplier id",
        "supplierid",
        "supplier number",
        "vendor id",
        "beneficiaryotherid",
        "local supplier internal reference",
        "supplier reference",
    ),
    "vat_number": ("vat registration number", "vatregistrationnumber", "supplier vat number"),
    "company_number": (
        "supplier registered company number",
        "company number",
        "companies house number",
    ),
    "charity_number": ("supplier registered charity number", "charity number"),
    "body": (
        "body name",
        "bodyname",
        "organisation name",
        "organistion name",
        "organisation label",
        "organisationlabel",
        "council name",
        "entity",
        "icb",
        "department",
        "departmental family",
        "department family",
        "client",
    ),
    "service_area": (
        "service area",
        "servicelabel",
        "service label",
        "service division label",
        "servicedivisionlabel",
        "organisational unit",
        "organisationalunit",
        "directorate service where expenditure incurred",
        "expense area",
        "service",
        "service category label",
        "directorate",
        "service cost centre",
        "cost centre name",
        "strgrpcc t",
        "cipfsubj t",
    ),
    "department": ("department area", "directotate"),
    "expense_type": (
        "expenditure category",
        "expenditurecategory",
        "expenditure catergory",
        "detailed expenditure type",
        "detailedexpendituretype",
        "expense type",
        "expenses type",
        "category internal name",
        "categoryinternalname",
        "sercop expenditure category",
        "expenditure account code description",
        "expenditure account",
        "subjective description",
        "account detail",
        "account",
        "category family",
        "group description",
        "merchant category",
        "cipfsubs t",
        "type of expenditure",
    ),
    "expense_code": (
        "expenditure code",
        "expense code",
        "detailed expenditure code",
        "detailedexpenditurecode",
        "sercop detailed expenditure code",
        "cost element",
        "merchantcategorycode",
    ),
    "purpose": (
        "purpose",
        "purpose of spend",
        "purpose of spend summary",
        "description",
        "narrative",
        "extended description",
    ),
    "proclass": (
        "proclasslabel",
        "proclass",
        "procurement classification",
        "procurement classification council s procurement category name",
    ),
    "capital_revenue": (
        "capital or revenue",
        "capitalorrevenue",
        "capital revenue",
        "cap rev",
    ),
    "procurement_card": ("procurement card", "cardtransaction", "card transaction"),
    "supplier_postcode": ("supplier post code", "supplier postcode", "postcode"),
}

_LOOKUP: dict[str, tuple[str, int]] = {}
for _field, _variants in SYNONYMS.items():
    for _rank, _variant in enumerate(_variants):
        _LOOKUP.setdefault(_variant, (_field, _rank))

#: Every normalised header word we recognise; used to spot header rows in SQL.
HEADER_TOKENS: frozenset[str] = frozenset(_LOOKUP)

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_header(cell: object) -> str:
    """Return a header cell in the form :data:`SYNONYMS` uses ('* Net Amount(£)' -> 'net amount')."""
    text = str(cell or "").lower().replace("£", " ").replace("gbp", " gbp ")
    text = _NON_ALNUM.sub(" ", text).strip()
    return re.sub(r"\s+", " ", text)


def recognise(cell: object) -> tuple[str, int] | None:
    """Return (field, rank) for a header cell, or None when it is not a known variant."""
    norm = normalise_header(cell)
    if not norm:
        return None
    hit = _LOOKUP.get(norm)
    if hit is not None:
        return hit
    squashed = norm.replace(" ", "")
    return _LOOKUP.get(squashed)


def header_score(cells: Sequence[object]) -> int:
    """Return how many distinct fields a row's cells name (a header row names several)."""
    fields = {hit[0] for cell in cells if (hit := recognise(cell)) is not None}
    return len(fields)


@dataclass(frozen=True)
class Mapping_:
    """Which raw column (0-based) holds each canonical field, and the header it came from."""

    columns: dict[str, int]
    headers: dict[str, str] = field(default_factory=dict)

    def describe(self) -> dict[str, str]:
        """Return field -> header text (or column number) for messages and provenance."""
        return {f: self.headers.get(f, f"column {i + 1}") for f, i in self.columns.items()}


def map_header(cells: Sequence[object]) -> Mapping_:
    """Return the best mapping of canonical fields to the columns of a header row."""
    best: dict[str, tuple[int, int]] = {}
    for index, cell in enumerate(cells):
        hit = recognise(cell)
        if hit is None:
            continue
        fld, rank = hit
        if fld not in best or rank < best[fld][0]:
            best[fld] = (rank, index)
    # 'Irrecoverable VAT Amount' must never be taken for the amount.
    columns = {fld: idx for fld, (_, idx) in best.items()}
    headers = {fld: str(cells[idx]) for fld, idx in columns.items()}
    return Mapping_(columns=columns, headers=headers)


def pinned_mapping(spec: Mapping[str, str | int], header: Sequence[object] | None) -> Mapping_:
    """Return a mapping from a saved profile: field -> header text or 0-based column number.

    Raises ValueError naming the header that could not be found.
    """
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    normalised = [normalise_header(c) for c in (header or [])]
    for fld, where in spec.items():
        if fld not in FIELDS:
            raise ValueError(
                f"profile names an unknown field {fld!r}; fields are {', '.join(FIELDS)}"
            )
        if isinstance(where, int):
            columns[fld] = where
            continue
        target = normalise_header(where)
        if target not in normalised:
            raise ValueError(
                f"profile says {fld} is in column {where!r}, but the header has "
                f"{', '.join(repr(str(c)) for c in (header or [])) or 'no header'}"
            )
        columns[fld] = normalised.index(target)
        headers[fld] = where
    return Mapping_(columns=columns, headers=headers)
