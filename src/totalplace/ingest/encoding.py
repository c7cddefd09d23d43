"""Turn a text file's bytes into UTF-8 bytes for the CSV reader, and say what they were.

UTF-8 (BOM or not), UTF-16 by BOM, else Windows-1252 with the five bytes cp1252 leaves
undefined kept as their Latin-1 code points (see decision 0001). The common cases are
done without a Python string: valid UTF-8 is only validated (by Arrow), and
Windows-1252 is transcoded in place only where the bytes are not ASCII.
"""

from __future__ import annotations

import codecs

import numpy as np
import pyarrow as pa

from totalplace.ingest.errors import ImportProblem


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    # cp1252 leaves 0x81 0x8D 0x8F 0x90 0x9D undefined; keep them as the latin-1
    # code point so no byte is lost (Oxford's 'L\x90ATELIER').
    assert isinstance(err, UnicodeDecodeError)
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("totalplace-latin1", _latin1_fallback)


def decode_text(name: str, data: bytes) -> tuple[bytes, str]:
    """Return (the text as UTF-8 bytes, the encoding it was read as); see the module.

    Valid UTF-8 is passed on as it is: it is only validated (by Arrow, much faster than
    a Python decode), never decoded and encoded again, which would cost time and a copy
    of the whole file, or four if one character lies beyond Latin-1.
    """
    if data.startswith(codecs.BOM_UTF8):
        body = data[3:]
        if _is_utf8(body):
            return body, "utf-8-sig"
        return body.decode("utf-8", errors="replace").encode("utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").encode("utf-8"), "utf-16"
    if _is_utf8(data):
        return data, "utf-8"
    sample = data[:65536]
    if sample.count(b"\x00") > len(sample) // 20:
        raise ImportProblem(
            name,
            "the file is binary, not a CSV or spreadsheet this tool can read",
            "Check it is the spending file you meant; export it as CSV or XLSX and import that.",
        )
    return _cp1252_to_utf8(data), "cp1252"


# Windows-1252 is one byte a character: ASCII stays as it is, and each other byte becomes
# the 2 or 3 bytes of its character in UTF-8 (undefined bytes: their Latin-1 code point).
_CP1252 = [bytes([b]).decode("cp1252", errors="totalplace-latin1").encode() for b in range(256)]
_CP1252_LEN = np.array([len(e) for e in _CP1252], dtype=np.int64)
_CP1252_UTF8 = np.array([list(e.ljust(3, b"\0")) for e in _CP1252], dtype=np.uint8)
_SPAN = 1 << 12


def _cp1252_to_utf8(data: bytes) -> bytes:
    """Return Windows-1252 bytes as UTF-8, the same as decoding and encoding but 2-3x faster.

    Spending files are nearly all ASCII (Leeds: 434 other bytes in 255 MB), so only the
    4 KB spans holding other bytes are converted (vectorised); the rest is joined as it is.
    """
    signed = np.frombuffer(data, dtype=np.int8)  # bytes >= 0x80 are negative
    step = 1 << 20  # scanned in steps, so no file-sized temporary array
    high = [np.flatnonzero(signed[i : i + step] < 0) + i for i in range(0, len(signed), step)]
    spans = np.unique(np.concatenate([np.empty(0, np.int64), *high]) // _SPAN)
    view, done = memoryview(data), 0
    pieces: list[memoryview | bytes] = []
    for span in spans.tolist():
        start = span * _SPAN
        chunk = np.frombuffer(data, np.uint8, count=min(_SPAN, len(data) - start), offset=start)
        lengths = _CP1252_LEN[chunk]
        ends = np.cumsum(lengths)
        out = np.empty(int(ends[-1]), dtype=np.uint8)
        for k in range(3):  # the k-th byte of each character that has one
            has = lengths > k
            out[ends[has] - lengths[has] + k] = _CP1252_UTF8[chunk[has], k]
        pieces += [view[done:start], out.tobytes()]
        done = start + len(chunk)
    pieces.append(view[done:])
    return b"".join(pieces)


def _is_utf8(data: bytes) -> bool:
    offsets = pa.py_buffer(np.array([0, len(data)], dtype=np.int64))
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, pa.py_buffer(data)])
    try:
        text.validate(full=True)  # checks the UTF-8 without making a Python str
    except pa.ArrowInvalid:
        return False
    return True
