"""Map a header row to the canonical fields: which column holds the amount, the date ...

Each cell is recognised by a known spelling (:mod:`spellings`) or, failing that, by its
words (:mod:`header_words`); the best-ranked column per field wins. Columns nobody
recognises are kept out of the facts but the row can always be found again by file
hash and row number.
"""

from __future__ import annotations

from collections.abc import Sequence

from totalplace.ingest.columns import Mapping_
from totalplace.ingest.header_words import WORD_RANK, header_words, meaning_of
from totalplace.ingest.spellings import known_spelling, normalise_header


def recognise(cell: object) -> tuple[str, int] | None:
    """Return (field, rank) for a header cell, or None when it names no field.

    A known spelling (:data:`SYNONYMS`) ranks first; otherwise the cell's words are
    read (:func:`meaning_of`), ranked after every known spelling.
    """
    norm = normalise_header(cell)
    if not norm:
        return None
    hit = known_spelling(norm)
    if hit is not None:
        return hit
    meant = meaning_of(cell)
    return None if meant is None else (meant.field, WORD_RANK + meant.rank)


def header_score(cells: Sequence[object]) -> int:
    """Return how many distinct fields a row's cells name (a header row names several)."""
    fields = {hit[0] for cell in cells if (hit := recognise(cell)) is not None}
    return len(fields)


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
