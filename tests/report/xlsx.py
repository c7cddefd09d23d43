"""Read an XLSX file's XML directly (no spreadsheet library): what a spreadsheet would open."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


@dataclass
class Cell:
    """One cell as stored: its type attribute, raw value text, number format and any formula."""

    ref: str
    type: str | None
    value: str | None
    number_format: str | None
    formula: str | None
    text: str | None  # the string shown, for a text cell


def _unescape(text: str) -> str:
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def read_cells(path: Path) -> dict[str, list[list[Cell]]]:
    """Return every sheet's rows of cells, by sheet name."""
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            root = ElementTree.fromstring(z.read("xl/sharedStrings.xml"))
            for si in root.findall("m:si", NS):
                shared.append(_unescape("".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))))
        styles = ElementTree.fromstring(z.read("xl/styles.xml"))
        custom = {
            f.get("numFmtId"): f.get("formatCode") for f in styles.findall("m:numFmts/m:numFmt", NS)
        }
        xfs = [custom.get(xf.get("numFmtId") or "") for xf in styles.findall("m:cellXfs/m:xf", NS)]
        workbook = ElementTree.fromstring(z.read("xl/workbook.xml"))
        sheets = [s.get("name") or "" for s in workbook.findall("m:sheets/m:sheet", NS)]
        result: dict[str, list[list[Cell]]] = {}
        for i, name in enumerate(sheets, start=1):
            root = ElementTree.fromstring(z.read(f"xl/worksheets/sheet{i}.xml"))
            rows = []
            for row in root.findall("m:sheetData/m:row", NS):
                cells = []
                for c in row.findall("m:c", NS):
                    v = c.find("m:v", NS)
                    f = c.find("m:f", NS)
                    inline = c.find("m:is", NS)
                    kind = c.get("t")
                    value = v.text if v is not None else None
                    text = None
                    if kind == "s" and value is not None:
                        text = shared[int(value)]
                    elif kind == "inlineStr" and inline is not None:
                        text = _unescape(
                            "".join(t.text or "" for t in inline.iter(f"{{{NS['m']}}}t"))
                        )
                    elif kind == "str":
                        text = value
                    cells.append(
                        Cell(
                            ref=c.get("r") or "",
                            type=kind,
                            value=value,
                            number_format=xfs[int(c.get("s") or 0)],
                            formula=(f.text or "") if f is not None else None,
                            text=text,
                        )
                    )
                rows.append(cells)
            result[name] = rows
    return result


def has_formula(path: Path) -> bool:
    """Return True if any sheet of the workbook holds a formula element."""
    with zipfile.ZipFile(path) as z:
        return any(
            b"<f>" in z.read(n) or b"<f " in z.read(n)
            for n in z.namelist()
            if n.startswith("xl/worksheets/")
        )
