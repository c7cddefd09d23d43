"""Generators of fuzzed and hostile input files for the fuzz experiment.

Synthetic ledgers carry unique transaction ids and known amounts, so any loaded row can be
checked against the rows the file really had. Mutations of them (and of real files) and a
fixed list of hostile inputs (bombs, devices, FIFOs, symlink loops, escape sequences and
Rich markup in names, formula payloads) are written into one folder per case.
"""

from __future__ import annotations

import csv
import io
import os
import random
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HEADER = [
    "Body Name",
    "Service Area",
    "Expense Type",
    "Payment Date",
    "Transaction Number",
    "Amount",
    "Irrecoverable VAT Amount",
    "Supplier Name",
    "Supplier ID",
]
SUPPLIERS = [
    "Acme Services Ltd",
    "Smith, Jones & Co",
    'The "Best" Builders Ltd',
    "Café Nero Group",
    "Łódź Trading Sp. z o.o.",
    "Northern Rail",
    "REDACTED PERSONAL DATA",
    "Bolton & District Care",
]
FORMULAS = [
    "=cmd|' /C calc'!A0",
    '=HYPERLINK("http://x.example/steal","click")',
    "+SUM(1,2)",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "\tTAB Ltd",
    "\rCR Ltd",
]


@dataclass
class Case:
    """One file (or path) to import in a fresh workspace, and what can be checked of it."""

    name: str
    kind: str
    path: str  # the argument given to 'totalplace import' (relative to the workspace)
    pairs: set[tuple[str, str]] | None = None  # every original (transaction id, amount)
    human: bool = False  # run without --json: the name is echoed by the terminal output
    echo: str | None = None  # text the output must show literally (markup not swallowed)
    folder: Path | None = None  # the workspace folder the case is written in
    rows: int | None = None  # data rows the generator wrote, where each is one record


def ledger_rows(
    rng: random.Random, n: int, tag: str, names: list[str] | None = None
) -> list[list[str]]:
    """Return ``n`` rows of a synthetic ledger with unique ids ``tag``-number and known amounts."""
    names = names or SUPPLIERS
    rows = []
    for i in range(n):
        amount = f"{rng.randint(50_000, 5_000_000) / 100:.2f}"
        vat = f"{rng.randint(0, 99_999) / 100:.2f}"
        day, month = rng.randint(1, 28), rng.randint(1, 12)
        rows.append(
            [
                "Example Borough Council",
                f"Service {rng.randint(1, 40)}",
                rng.choice(["Supplies", "Agency Staff", "Repairs", "Grants"]),
                f"{day:02d}/{month:02d}/2024",
                f"{tag}{i:06d}",
                amount,
                vat,
                rng.choice(names),
                str(rng.randint(1000, 99999)),
            ]
        )
    return rows


def csv_text(rows: list[list[str]], header: list[str] = HEADER, delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue()


def pairs_of(rows: list[list[str]]) -> set[tuple[str, str]]:
    return {(r[4], r[5]) for r in rows}


# --- Mutations of CSV text: each returns the new text; "keeps_values" says whether every
# field that survives keeps its bytes (so a loaded (id, amount) must be an original pair).


def _sep(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n" if "\n" in text else "\r"


def _lines(text: str) -> list[str]:
    return text.split(_sep(text))


def del_delimiter(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, max(2, len(lines) - 1))
        spots = [k for k, c in enumerate(lines[i]) if c == ","]
        if spots:
            k = rng.choice(spots)
            lines[i] = lines[i][:k] + lines[i][k + 1 :]
    return _sep(text).join(lines)


def add_delimiter(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 3)):
        i = rng.randrange(1, max(2, len(lines) - 1))
        spots = [k for k, c in enumerate(lines[i]) if c == ","]
        if spots:
            k = rng.choice(spots)
            lines[i] = lines[i][:k] + "," + lines[i][k:]
    return _sep(text).join(lines)


def del_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 4)):
        if len(lines) > 2:
            del lines[rng.randrange(0, len(lines) - 1)]
    return _sep(text).join(lines)


def dup_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(0, max(1, len(lines) - 1))
        lines.insert(i, lines[i])
    return _sep(text).join(lines)


def truncate(text: str, rng: random.Random) -> str:
    return text[: rng.randrange(1, max(2, len(text)))]


def blank_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    for _ in range(rng.randint(1, 5)):
        lines.insert(rng.randrange(0, len(lines)), rng.choice(["", ",,,,,,,,", "   "]))
    return _sep(text).join(lines)


def stray_quote(text: str, rng: random.Random) -> str:
    k = rng.randrange(len(text) // 10, max(len(text), 1 + len(text) // 10))
    return text[:k] + '"' + text[k:]


def huge_field(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    if len(lines) < 2:
        return text
    i = rng.randrange(1, max(2, len(lines) - 1))
    size = rng.choice([40_000, 300_000, 3_000_000])
    fields = lines[i].split(",")
    fields[-2 if len(fields) > 1 else 0] = "X" * size
    lines[i] = ",".join(fields)
    return _sep(text).join(lines)


def line_endings(text: str, rng: random.Random) -> str:
    return text.replace("\r\n", rng.choice(["\n", "\r"]))


def semicolons(text: str, rng: random.Random) -> str:
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:  # an earlier mutation left a bare CR inside a field: leave it be
        return text.replace(",", ";")
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def swap_lines(text: str, rng: random.Random) -> str:
    lines = _lines(text)
    if len(lines) > 3:
        i, j = rng.randrange(1, len(lines) - 1), rng.randrange(1, len(lines) - 1)
        lines[i], lines[j] = lines[j], lines[i]
    return _sep(text).join(lines)


TEXT_MUTATIONS: dict[str, Callable[[str, random.Random], str]] = {
    "deleted delimiter": del_delimiter,
    "added delimiter": add_delimiter,
    "deleted lines": del_lines,
    "duplicated lines": dup_lines,
    "truncated": truncate,
    "blank lines": blank_lines,
    "stray quote": stray_quote,
    "huge field": huge_field,
    "line endings": line_endings,
    "semicolons": semicolons,
    "swapped lines": swap_lines,
}
#: Mutations after which every data row written is still exactly one record of the file
#: (not "huge field": its naive split can cut a quoted name and open a quote that never ends).
KEEPS_ROWS = {
    "deleted delimiter",
    "added delimiter",
    "line endings",
    "semicolons",
    "swapped lines",
}
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]


def encode(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace")


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        k = rng.randrange(len(buf))
        buf[k] = rng.randrange(256)
    return bytes(buf)


def insert_nul(data: bytes, rng: random.Random) -> bytes:
    k = rng.randrange(len(data))
    return data[:k] + b"\x00" * rng.randint(1, 50) + data[k:]


# --- XLSX ------------------------------------------------------------------------------

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)


def _col(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        name = chr(65 + r) + name
    return name


def sheet_xml(rows: list[list[str]], dimension: str | None = None, extra: str = "") -> str:
    """Return a worksheet with inline strings (numbers as numbers)."""
    body = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            ref = f"{_col(c)}{r}"
            try:
                float(value)
                numeric = r > 1 and c in (5, 6)
            except ValueError:
                numeric = False
            if numeric:
                cells.append(f'<c r="{ref}"><v>{value}</v></c>')
            else:
                text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>')
        body.append(f'<row r="{r}">{"".join(cells)}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{dim}<sheetData>{''.join(body)}{extra}</sheetData></worksheet>"
    )


def write_xlsx(path: Path, sheet: str, extra_members: dict[str, str] | None = None) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        z.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, text in (extra_members or {}).items():
            z.writestr(name, text)


def mutate_zip_member(data: bytes, rng: random.Random) -> bytes:
    """Return an XLSX/ZIP with one XML member's text damaged (tags cut, values duplicated)."""
    try:
        source = zipfile.ZipFile(io.BytesIO(data))
        members = [(i, source.read(i)) for i in source.infolist()]
    except Exception:
        return flip_bytes(data, rng)
    xml = [k for k, (info, _) in enumerate(members) if info.filename.endswith(".xml")]
    if xml:
        k = rng.choice(xml)
        info, raw = members[k]
        text = raw.decode("utf-8", "replace")
        choice = rng.randrange(4)
        if choice == 0:  # cut a tag short
            spots = [m for m, c in enumerate(text) if c == "<"]
            if spots:
                m = rng.choice(spots)
                text = text[:m] + text[m + rng.randint(1, 6) :]
        elif choice == 1:  # truncate the member
            text = text[: rng.randrange(1, max(2, len(text)))]
        elif choice == 2:  # duplicate a stretch
            a = rng.randrange(len(text))
            text = text[:a] + text[a : a + 2000] + text[a:]
        else:  # a huge dimension
            text = text.replace("<sheetData>", '<dimension ref="A1:ZZ99999999"/><sheetData>', 1)
        members[k] = (info, text.encode())
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info, raw in members:
            z.writestr(info.filename, raw)
    return out.getvalue()


# --- Bombs: ZIP members that inflate enormously, written without inflating them ------------


def _deflate_repeated(
    prefix: bytes, chunk: bytes, repeats: int, suffix: bytes
) -> tuple[bytes, int, int]:
    """Return (raw deflate stream, crc32, size) of prefix + chunk * repeats + suffix, fast."""

    def segment(data: bytes, final: bool) -> bytes:
        c = zlib.compressobj(9, zlib.DEFLATED, -15)
        return c.compress(data) + c.flush(zlib.Z_FINISH if final else zlib.Z_FULL_FLUSH)

    head, body, tail = segment(prefix, False), segment(chunk, False), segment(suffix, True)
    crc = zlib.crc32(prefix)
    for _ in range(repeats):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(suffix, crc)
    size = len(prefix) + len(chunk) * repeats + len(suffix)
    return head + body * repeats + tail, crc & 0xFFFFFFFF, size


def write_bomb_zip(
    path: Path, members: list[tuple[str, bytes, bytes, int, bytes]], declared: int | None = None
) -> None:
    """Write a ZIP whose members are (name, prefix, chunk, repeats, suffix), deflated.

    ``declared``: claim this uncompressed size in the headers instead of the true one
    (a lying bomb). Sizes must stay under 4 GiB (no ZIP64).
    """
    out = io.BytesIO()
    central = []
    for name, prefix, chunk, repeats, suffix in members:
        data, crc, size = _deflate_repeated(prefix, chunk, repeats, suffix)
        size = declared if declared is not None else size
        encoded = name.encode()
        offset = out.tell()
        out.write(
            struct.pack(
                "<IHHHHHIIIHH",
                0x04034B50,
                20,
                0x800,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
            )
        )
        out.write(encoded)
        out.write(data)
        central.append(
            struct.pack(
                "<IHHHHHHIIIHHHHHII",
                0x02014B50,
                20,
                20,
                0x800,
                8,
                0,
                0x21,
                crc,
                len(data),
                size,
                len(encoded),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + encoded
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    out.write(
        struct.pack(
            "<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start, start, 0
        )
    )
    path.write_bytes(out.getvalue())


def csv_bomb(
    path: Path, gigabytes: float, member: str = "spend.csv", declared: int | None = None
) -> None:
    header = (",".join(HEADER) + "\r\n").encode()
    line = b"Example Borough Council,Service 1,Supplies,01/04/2024,TX000001,100.00,0.00,Acme Services Ltd,1234\r\n"
    chunk = line * (1_048_576 // len(line))
    write_bomb_zip(path, [(member, header, chunk, int(gigabytes * 1024), b"")], declared)


def xlsx_bomb(path: Path, gigabytes: float) -> None:
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c><c><v>1</v></c></row>'
    chunk = row * (1_048_576 // len(row))
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    write_xlsx(path, sheet_xml([HEADER]))  # the other members, then the sheet replaced
    small = zipfile.ZipFile(path)
    others = [(i.filename, small.read(i)) for i in small.infolist() if "sheet1" not in i.filename]
    small.close()
    members = [(n, b"", data, 1, b"") for n, data in others]
    members.append(
        (
            "xl/worksheets/sheet1.xml",
            head,
            chunk,
            int(gigabytes * 1024),
            b"</sheetData></worksheet>",
        )
    )
    write_bomb_zip(path, members)


def nested_zip(path: Path, depth: int, inner: bytes) -> None:
    data, name = inner, "spend.csv"
    for level in range(depth):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as z:
            z.writestr(name, data)
        data, name = buffer.getvalue(), f"level{level}.zip"
    path.write_bytes(data)


def zip_of(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)


def make_fifo(path: Path) -> None:
    os.mkfifo(path)


def make_socket(path: Path) -> None:
    import socket

    s = socket.socket(socket.AF_UNIX)
    s.bind(str(path))
    s.close()
