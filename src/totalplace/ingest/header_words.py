"""What a header cell's words say, for headers no known spelling matches.

'Invoice Nett Amount', 'SumOfNet Amt' and 'Value £' are read word by word: abbreviations
spelled out, plurals made singular, and the words matched against what each field's
headers are made of (an amount's header has money words and nothing else).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
