"""Turn the bytes of a published file into raw sheets of text cells, by format.

Readers are registered by format in :data:`READERS` (CSV in :mod:`csv_reader`,
spreadsheets in :mod:`workbook`, ZIP archives here); the format is told from the
bytes, whatever the file is called. A new layout needs a reader here or a profile,
never a change to the cleaning or storing code.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable

from totalplace.ingest.csv_reader import read_csv_text
from totalplace.ingest.encoding import decode_text
from totalplace.ingest.errors import ImportProblem
from totalplace.ingest.safety import check_archive, open_zip, read_member
from totalplace.ingest.sheets import RawSheet, Reading
from totalplace.ingest.workbook import read_spreadsheet
from totalplace.limits import DEFAULT_LIMITS, Limits


def detect_format(name: str, data: bytes) -> str:
    """Return 'zip', 'xlsx', 'ods', 'xls' or 'csv' from the bytes, whatever the file is called."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = zf.namelist()
                if "[Content_Types].xml" in names:
                    return "xlsx"
                if "mimetype" in names:
                    with zf.open("mimetype") as fh:  # a few bytes, whatever it claims
                        if b"opendocument.spreadsheet" in fh.read(256):
                            return "ods"
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, RuntimeError) as exc:
            raise ImportProblem(
                name, "the file looks like a ZIP or XLSX but is damaged", "Download it again."
            ) from exc
        return "zip"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        return "xls"
    return "csv"


def read_zip(name: str, data: bytes, reading: Reading | None = None) -> list[RawSheet]:
    """Return the raw sheets of every CSV or spreadsheet inside a ZIP archive.

    Archives inside it are read too, up to the limits' depth; the members' unpacked
    size is counted against the limits as they are read.
    """
    reading = reading or Reading()
    inner_reading = Reading(reading.limits, reading.budget, reading.depth + 1)
    sheets: list[RawSheet] = []
    with open_zip(name, data) as zf:
        check_archive(name, zf, reading.spent, reading.depth + 1)
        members = [
            m for m in zf.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX")
        ]
        for member in members:
            inner = read_member(name, zf, member, reading.spent)
            for sheet in read_bytes(f"{name}!{member.filename}", inner, inner_reading):
                sheet.file = name
                sheet.sheet = (
                    member.filename if sheet.sheet is None else f"{member.filename}!{sheet.sheet}"
                )
                sheets.append(sheet)
    if not sheets:
        raise ImportProblem(
            name, "the ZIP archive holds no files", "Check you downloaded the right archive."
        )
    return sheets


def _read_csv_bytes(name: str, data: bytes, reading: Reading) -> list[RawSheet]:
    utf8, encoding = decode_text(name, data)
    return [read_csv_text(name, utf8, encoding, reading.limits)]


READERS: dict[str, Callable[[str, bytes, Reading], list[RawSheet]]] = {
    "csv": _read_csv_bytes,
    "xlsx": lambda n, d, r: read_spreadsheet(n, d, "xlsx", r),
    "xls": lambda n, d, r: read_spreadsheet(n, d, "xls", r),
    "ods": lambda n, d, r: read_spreadsheet(n, d, "ods", r),
    "zip": read_zip,
}


def read_bytes(name: str, data: bytes, reading: Reading | Limits | None = None) -> list[RawSheet]:
    """Return the raw sheets of a file's bytes, choosing the reader by content, within limits."""
    if not isinstance(reading, Reading):
        reading = Reading(reading or DEFAULT_LIMITS)
    if not data:
        raise ImportProblem(
            name,
            "the file is empty (0 bytes)",
            "The publisher's download probably failed: download it again.",
        )
    return READERS[detect_format(name, data)](name, data, reading)
