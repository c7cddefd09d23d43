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
    """Return (field, rank) for a header cell, or None when it names no field.

    A known spelling (:data:`SYNONYMS`) ranks first; otherwise the cell's words are
    read (:func:`meaning_of`), ranked after every known spelling.
    """
    norm = normalise_header(cell)
    if not norm:
        return None
    hit = _LOOKUP.get(norm)
    if hit is not None:
        return hit
    squashed = norm.replace(" ", "")
    hit = _LOOKUP.get(squashed)
    if hit is not None:
        return hit
    meant = meaning_of(cell)
    return None if meant is None else (meant.field, WORD_RANK + meant.rank)


# ----------------------------------------------------------------- header words

#: Ranks of fields recognised from their words come after every known spelling.
WORD_RANK = 100

# Abbreviations and variant spellings, to one word each.
_SPELLING: dict[str, str] = {
    "nett": "net",
    "amt": "amount",
    "amnt": "amount",
    "amout": "amount",
    "inv": "invoice",
    "val": "value",
    "trans": "transaction",
    "tran": "transaction",
    "txn": "transaction",
    "no": "number",
    "nos": "number",
    "num": "number",
    "nbr": "number",
    "nr": "number",
    "ref": "reference",
    "dept": "department",
    "desc": "description",
    "supp": "supplier",
    "vendor": "supplier",
    "payee": "supplier",
    "beneficiary": "supplier",
    "creditor": "supplier",
    "recipient": "supplier",
    "gbp": "pound",
    "sterling": "pound",
    "reg": "registration",
    "registered": "registration",
    "organisation": "organization",
    "organistion": "organization",
    "excl": "excluding",
    "exc": "excluding",
    "ex": "excluding",
    "exclusive": "excluding",
    "excludes": "excluding",
    "incl": "including",
    "inc": "including",
    "inclusive": "including",
    "includes": "including",
    "expenditure": "expense",
    "spent": "spend",
    "cap": "capital",
    "rev": "revenue",
    "vat": "vat",
}
_NOT_PLURAL = {
    "gross",
    "vat",
    "status",
    "address",
    "business",
    "as",
    "is",
    "was",
    "class",
    "proclass",
}

_MONEY_WORDS = frozenset(
    {
        "amount",
        "value",
        "sum",
        "total",
        "paid",
        "invoiced",
        "spend",
        "net",
        "gross",
        "cost",
        "pound",
        "payment",
        "price",
        "charge",
        "expense",
    }
)
# Words that make a money-sounding header name something else ('Payment Date', 'Invoice
# Number', 'Expenditure Category', 'VAT Registration Number').
_NOT_MONEY = frozenset(
    {
        "date",
        "number",
        "id",
        "reference",
        "code",
        "name",
        "type",
        "category",
        "description",
        "area",
        "account",
        "registration",
        "postcode",
        "post",
        "card",
        "method",
        "status",
        "period",
        "year",
        "month",
        "count",
        "supplier",
        "service",
        "detail",
        "narrative",
        "purpose",
        "centre",
        "group",
        "class",
        "classification",
        "quantity",
        "unit",
        "rate",
        "percentage",
        "percent",
        "irrecoverable",
        "recoverable",
        "term",
        "terms",
        "directorate",
    }
)
_MONEY_QUALIFIERS = frozenset(
    {
        "of",
        "invoice",
        "line",
        "excluding",
        "including",
        "vat",
        "in",
        "the",
        "actual",
        "final",
        "cash",
        "order",
        "purchase",
        "tax",
        "before",
        "after",
        "transaction",
        "item",
        "goods",
        "made",
        "to",
        "supplier",
    }
)
_SUPPLIER_ID_WORDS = frozenset({"id", "number", "reference", "code"})


@dataclass(frozen=True)
class Meaning:
    """What a header cell's words say: the field, its rank (lower is better), the words read.

    ``kind`` tells amounts apart: 'net', 'gross', 'vat' (a VAT amount, never loaded) or ''.
    """

    field: str
    rank: int
    words: tuple[str, ...]
    kind: str = ""


def header_words(cell: object) -> tuple[str, ...]:
    """Return a header cell's words: split at case changes and non-letters, lower case, singular.

    'SumOfNet Amt' -> ('sum', 'of', 'net', 'amount'); 'Value £' -> ('value', 'pound').
    """
    text = str(cell or "").replace("£", " pound ")
    text = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", text)
    words = []
    for raw in re.split(r"[^a-z]+", text.lower()):
        if not raw:
            continue
        word = _SPELLING.get(raw, raw)
        if word not in _NOT_PLURAL and len(word) > 3 and not word.endswith("ss"):
            if word.endswith("ies"):
                word = word[:-3] + "y"
            elif word.endswith("s"):
                word = word[:-1]
        words.append(_SPELLING.get(word, word))
    return tuple(words)


def meaning_of(cell: object) -> Meaning | None:
    """Return the field a header cell names by its words, or None if they name none.

    'Invoice Nett Amount', 'Sum of Inv Amount', 'SumOfNet Amt', 'Amount Paid', 'Value £',
    'Net', 'Invoiced' and 'Paid' are all amounts; 'VAT' is a VAT amount (kind 'vat').
    """
    text = str(cell or "")
    # A long cell, or one with a number in it, is data, not a header.
    if len(text) > 60 or re.search(r"\d", text):
        return None
    words = header_words(cell)
    if not words or len(words) > 8:
        return None
    w = set(words)
    if "vat" in w and w & {"number", "registration"}:
        return Meaning("vat_number", 0, words)
    if "company" in w and w & {"number", "registration"}:
        return Meaning("company_number", 0, words)
    if "charity" in w and w & {"number", "registration"}:
        return Meaning("charity_number", 0, words)
    if "postcode" in w or {"post", "code"} <= w:
        return Meaning("supplier_postcode", 0, words)
    if "date" in w:
        rank = 0 if w & {"payment", "paid"} else 1 if w & {"transaction", "posting"} else 2
        return Meaning("date", rank, words)
    # Every word must belong to an amount's header: 'Total Hygiene' is a payee.
    if w & _MONEY_WORDS and w <= _MONEY_WORDS | _MONEY_QUALIFIERS:
        net = "net" in w or ("excluding" in w and "vat" in w)
        gross = "gross" in w or ("including" in w and "vat" in w)
        if net:
            return Meaning("amount", 0, words, "net")
        if "vat" in w and not gross:
            return Meaning("amount", 9, words, "vat")
        return Meaning("amount", 2 if gross else 1, words, "gross" if gross else "")
    if words == ("vat",):
        return Meaning("amount", 9, words, "vat")
    if "supplier" in w:
        if w & _SUPPLIER_ID_WORDS:
            return Meaning("supplier_id", 0, words)
        if not w & {"type", "category", "address", "town", "city", "county"}:
            return Meaning("supplier_name", 0, words)
    if w & {"transaction", "document", "voucher", "journal", "invoice", "payment"} and w & {
        "number",
        "id",
        "reference",
    }:
        return Meaning("transaction_id", 0, words)
    if words in (("name",), ("reference",), ("transaction",)):
        return Meaning("supplier_name" if words == ("name",) else "transaction_id", 1, words)
    if "capital" in w and "revenue" in w:
        return Meaning("capital_revenue", 0, words)
    if "card" in w:
        return Meaning("procurement_card", 0, words)
    if "proclass" in w or {"procurement", "classification"} <= w:
        return Meaning("proclass", 0, words)
    if "code" in w and w & {"expense", "account", "subjective", "cost"}:
        return Meaning("expense_code", 0, words)
    if w & {"expense", "subjective", "category", "account"}:
        return Meaning("expense_type", 0, words)
    if w & {"purpose", "description", "narrative"}:
        return Meaning("purpose", 0, words)
    if w & {"service", "directorate", "division", "portfolio"} or {"cost", "centre"} <= w:
        return Meaning("service_area", 0, words)
    if "department" in w:
        return Meaning("department", 0, words)
    if w & {"body", "organization", "council", "authority", "entity"}:
        return Meaning("body", 0, words)
    return None


def header_score(cells: Sequence[object]) -> int:
    """Return how many distinct fields a row's cells name (a header row names several)."""
    fields = {hit[0] for cell in cells if (hit := recognise(cell)) is not None}
    return len(fields)


@dataclass(frozen=True)
class Mapping_:
    """Which raw column (0-based) holds each canonical field, and the header it came from.

    ``evidence`` says, per field, why that column was taken; ``notes`` what a reader
    should know about the choice (a net amount taken over gross, a pin).
    """

    columns: dict[str, int]
    headers: dict[str, str] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def describe(self) -> dict[str, str]:
        """Return field -> header text (or column number) for messages and provenance."""
        return {f: self.headers.get(f, f"column {i + 1}") for f, i in self.columns.items()}

    def shifted(self, by: int, width: int) -> Mapping_ | None:
        """Return the mapping with every column moved by ``by``, or None if one falls off the sheet."""
        moved = {f: i + by for f, i in self.columns.items()}
        if any(i < 0 or i >= width for i in moved.values()):
            return None
        return Mapping_(moved, dict(self.headers), dict(self.evidence), self.notes)


def _evidence(cell: object, fld: str, rank: int) -> str:
    words = ", ".join(dict.fromkeys(header_words(cell)))
    how = "a known spelling" if rank < WORD_RANK else "header words"
    return f"{fld}: {str(cell).strip()!r} ({how}: {words})"


def map_header(cells: Sequence[object], exclude: frozenset[int] = frozenset()) -> Mapping_:
    """Return the best mapping of canonical fields to the columns of a header row.

    Columns in ``exclude`` (pinned to other fields) are not considered. Where gross,
    VAT and net amounts are all given, the net one is taken, and a note says so.
    """
    best: dict[str, tuple[int, int]] = {}
    services: list[tuple[int, int]] = []
    kinds: dict[str, list[int]] = {"net": [], "gross": [], "vat": []}
    for index, cell in enumerate(cells):
        if index in exclude:
            continue
        hit = recognise(cell)
        meant = meaning_of(cell)
        if meant is not None and meant.field == "amount" and meant.kind:
            kinds[meant.kind].append(index)
        if hit is None:
            continue
        fld, rank = hit
        if fld == "amount" and meant is not None and meant.kind == "vat" and rank >= WORD_RANK:
            continue  # a VAT amount is never the amount paid
        if fld == "service_area":
            services.append((rank, index))
        if fld not in best or rank < best[fld][0]:
            best[fld] = (rank, index)
    # A second column naming the service (a directorate beside a service, a service code
    # beside a service label, a SeRCOP service category beside a cost centre) says which
    # service spent the money too: kept as the department, which classification reads
    # after the service area, rather than dropped.
    if "department" not in best and len(services) > 1:
        best["department"] = sorted(s for s in services if s != best["service_area"])[0]
    # 'Irrecoverable VAT Amount' must never be taken for the amount.
    columns = {fld: idx for fld, (_, idx) in best.items()}
    headers = {fld: str(cells[idx]) for fld, idx in columns.items()}
    evidence = {fld: _evidence(cells[idx], fld, best[fld][0]) for fld, idx in columns.items()}
    notes: list[str] = []
    amount = columns.get("amount")
    if amount is not None and kinds["gross"] and (kinds["vat"] or kinds["net"]):
        others = [i for i in kinds["gross"] + kinds["vat"] if i != amount]
        if amount in kinds["net"] and others:
            notes.append(
                f"gross, VAT and net amounts are all given: the net amount {headers['amount']!r} "
                "was taken; " + ", ".join(repr(str(cells[i])) for i in others) + " not loaded"
            )
    return Mapping_(columns=columns, headers=headers, evidence=evidence, notes=tuple(notes))


def _find_named(target: str, header: Sequence[object]) -> int | None:
    normalised = [normalise_header(c) for c in header]
    wanted = normalise_header(target)
    return normalised.index(wanted) if wanted in normalised else None


def pinned_mapping(spec: Mapping[str, str | int], header: Sequence[object] | None) -> Mapping_:
    """Return a mapping from a saved profile (field -> header text or 0-based column number).

    The fields the profile names are pinned; the others are read from the header as
    usual, from the columns the pins leave. Raises ValueError naming a header that
    could not be found.
    """
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    evidence: dict[str, str] = {}
    for fld, where in spec.items():
        if fld not in FIELDS:
            raise ValueError(
                f"profile names an unknown field {fld!r}; fields are {', '.join(FIELDS)}"
            )
        if isinstance(where, int):
            columns[fld] = where
            if header is not None and where < len(header) and header[where]:
                headers[fld] = str(header[where])
            evidence[fld] = f"{fld}: column {where} (pinned)"
            continue
        index = _find_named(where, header or [])
        if index is None:
            raise ValueError(
                f"profile says {fld} is in column {where!r}, but the header has "
                f"{', '.join(repr(str(c)) for c in (header or []) if c) or 'no such cell'}"
            )
        columns[fld] = index
        headers[fld] = where
        evidence[fld] = f"{fld}: {where!r} (pinned)"
    notes: tuple[str, ...] = ()
    if header is not None:
        auto = map_header(header, exclude=frozenset(columns.values()))
        for fld, index in auto.columns.items():
            if fld not in columns:
                columns[fld] = index
                headers[fld] = auto.headers[fld]
                evidence[fld] = auto.evidence[fld]
        notes = auto.notes if "amount" not in spec else ()
    return Mapping_(columns=columns, headers=headers, evidence=evidence, notes=notes)


def pinned_header_row(
    spec: Mapping[str, str | int], rows: Sequence[Sequence[object]]
) -> int | None:
    """Return the index of the first row holding every header text the profile pins, or None."""
    named = [w for w in spec.values() if isinstance(w, str)]
    if not named:
        return None
    for index, cells in enumerate(rows):
        if all(_find_named(w, cells) is not None for w in named):
            return index
    return None
