"""The header spellings UK bodies publish for each Transparency Code field.

A header cell is normalised (lower case, leading ``*`` and currency marks dropped,
punctuation to spaces) and looked up in :data:`SYNONYMS`. Each field lists its
variants best first, so where two columns could be the amount (``Net Amount`` and
``Gross Amount``) the better one wins.
"""

from __future__ import annotations

import re

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


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_header(cell: object) -> str:
    """Return a header cell in the form :data:`SYNONYMS` uses ('* Net Amount(£)' -> 'net amount')."""
    text = str(cell or "").lower().replace("£", " ").replace("gbp", " gbp ")
    text = _NON_ALNUM.sub(" ", text).strip()
    return re.sub(r"\s+", " ", text)


def known_spelling(norm: str) -> tuple[str, int] | None:
    """Return (field, rank) for a normalised header spelled as :data:`SYNONYMS` lists, or None."""
    hit = _LOOKUP.get(norm)
    if hit is not None:
        return hit
    return _LOOKUP.get(norm.replace(" ", ""))
