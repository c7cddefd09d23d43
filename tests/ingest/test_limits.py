"""Small hostile inputs fail at once with a clear message naming the limit, storing nothing.

Issue 13, findings 4 and 8: a 42 KB XLSX declaring A1:Z2000000000 passed 8 GB, zip
bombs of a few MB 6-14 GB, ``/dev/zero`` 4 GB; a FIFO hung the command; 1,200 nested
ZIPs raised RecursionError, ~990 columns a DuckDB error, a corrupt XLSX ``zlib.error``,
a symlink loop an OSError. Each case here is imported in a child process whose address
space is capped at 4 GB (DuckDB reserves address space it never touches) (and given a time limit), so a regression fails the test
instead of exhausting the machine or hanging it.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from totalplace.limits import Limits
from totalplace.workspace import Workspace

PARTNER = "Hyndburn Borough Council"
_CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from dataclasses import replace
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    from pathlib import Path
    from totalplace.ingest import ImportFailed, import_files
    from totalplace.limits import Limits
    from totalplace.warehouse import connect
    from totalplace.workspace import open_workspace
    root, partner, paths, limits = json.loads(sys.argv[1])
    ws = replace(open_workspace(root), limits=Limits(**limits))
    out = {"problems": [], "reports": []}
    try:
        reports = import_files(ws, partner, [Path(p) for p in paths])
        out["reports"] = [r.as_json() for r in reports]
    except ImportFailed as failure:
        out["problems"] = [[p.problem, p.advice] for p in failure.problems]
    con = connect(ws)
    try:
        out["stored"] = con.con.execute("SELECT count(*) FROM transactions").fetchone()[0]
    finally:
        con.disconnect()
    print(json.dumps(out))
    """
)


def run_import(
    workspace: Workspace, paths: list[Path], timeout: float = 60, **limits: int
) -> dict[str, Any]:
    """Import in a child process (4 GB address space, time limit); return what it reported."""
    src = Path(__file__).resolve().parents[2] / "src"
    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    args = [str(workspace.root), PARTNER, [str(p) for p in paths], asdict(Limits(**limits))]
    done = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(args)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def refused(workspace: Workspace, path: Path, **limits: int) -> tuple[str, str]:
    """Return the (problem, advice) of a file that must be refused with nothing stored."""
    result = run_import(workspace, [path], **limits)
    assert result["stored"] == 0, "a refused import must store nothing"
    [problem] = result["problems"]
    return problem[0], problem[1]


def names_limit(problem: tuple[str, str], limit: str) -> None:
    text, advice = problem
    assert limit in text, text
    assert f"[limits] {limit}" in advice and "place.toml" in advice, advice


def data(workspace: Workspace, name: str) -> Path:
    folder = workspace.root / "data"
    folder.mkdir(exist_ok=True)
    return folder / name


# -- what a file is ---------------------------------------------------------------------


def test_a_fifo_is_refused_at_once_not_waited_on(workspace: Workspace) -> None:
    fifo = data(workspace, "pipe.csv")
    os.mkfifo(fifo)
    problem, _ = refused(workspace, fifo)
    assert "FIFO" in problem and "not a regular file" in problem


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_at_once(workspace: Workspace, device: str) -> None:
    problem, _ = refused(workspace, Path(device))
    assert "a device, not a regular file" in problem


def test_a_symlink_loop_is_a_clear_problem(workspace: Workspace) -> None:
    a, b = data(workspace, "a.csv"), data(workspace, "b.csv")
    a.symlink_to(b)
    b.symlink_to(a)
    problem, _ = refused(workspace, a)
    assert "symbolic link" in problem and "loop" in problem


def test_a_symlink_to_a_real_file_is_followed(workspace: Workspace, realdata: Path) -> None:
    link = data(workspace, "link.csv")
    link.symlink_to(realdata / "lancashire/hyndburn_bc/hyndburn_2024-04.csv")
    result = run_import(workspace, [link])
    assert result["stored"] == 428


def test_a_file_over_max_file_mb_is_refused(workspace: Workspace) -> None:
    big = data(workspace, "big.csv")
    big.write_bytes(b"Payment Date,Supplier Name,Amount\n" + b"01/04/2024,Acme,1.00\n" * 60_000)
    names_limit(refused(workspace, big, max_file_mb=1), "max_file_mb")


# -- ZIP archives -------------------------------------------------------------------------


def _zip(members: dict[str, bytes], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def test_a_zip_bomb_is_refused_by_its_compression_ratio(workspace: Workspace) -> None:
    bomb = data(workspace, "bomb.zip")
    bomb.write_bytes(_zip({"spend.csv": bytes(64 << 20)}))  # 64 MB of zeros, ~64 KB packed
    assert bomb.stat().st_size < 1 << 20
    names_limit(refused(workspace, bomb), "max_compression_ratio")


def test_a_zip_unpacking_past_max_unpacked_mb_is_refused(workspace: Workspace) -> None:
    archive = data(workspace, "big.zip")
    archive.write_bytes(_zip({f"part{i}.csv": os.urandom(600_000) for i in range(4)}, level=1))
    names_limit(refused(workspace, archive, max_unpacked_mb=2), "max_unpacked_mb")


def test_a_zip_whose_headers_lie_about_its_size_is_stopped_while_unpacking(
    workspace: Workspace,
) -> None:
    packed = bytearray(_zip({"spend.csv": bytes(64 << 20)}))
    # Say 1 KB unpacked in the central directory (offset 24 of each entry): reading must
    # still stop at the limit, not trust it.
    at = packed.rfind(b"PK\x01\x02")
    packed[at + 24 : at + 28] = (1024).to_bytes(4, "little")
    archive = data(workspace, "liar.zip")
    archive.write_bytes(bytes(packed))
    problem, _ = refused(workspace, archive)
    assert "damaged" in problem or "max_compression_ratio" in problem


def test_too_many_zip_members_are_refused(workspace: Workspace) -> None:
    archive = data(workspace, "many.zip")
    archive.write_bytes(_zip({f"f{i}.csv": b"a,b\n" for i in range(30)}))
    names_limit(refused(workspace, archive, max_zip_members=20), "max_zip_members")


def test_1200_nested_zips_are_refused_by_depth_not_recursion(workspace: Workspace) -> None:
    inner = b"Payment Date,Supplier Name,Amount\n01/04/2024,Acme,1.00\n"
    name = "spend.csv"
    for level in range(1200):
        inner, name = _zip({name: inner}, level=1), f"level{level}.zip"
    archive = data(workspace, "nested.zip")
    archive.write_bytes(inner)
    names_limit(refused(workspace, archive), "max_zip_depth")


def test_a_damaged_zip_member_is_a_clear_problem(workspace: Workspace) -> None:
    packed = bytearray(_zip({"spend.csv": b"Payment Date,Amount\n" + b"01/04/2024,1.00\n" * 5000}))
    packed[200:240] = bytes(40)  # inside the deflated member
    archive = data(workspace, "damaged.zip")
    archive.write_bytes(bytes(packed))
    problem, advice = refused(workspace, archive)
    assert "damaged" in problem and "again" in advice


# -- spreadsheets ---------------------------------------------------------------------


def _xlsx(sheet_xml: str) -> bytes:
    """Return a minimal XLSX whose one worksheet is the given XML."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return _zip(
        {
            "[Content_Types].xml": (
                b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
                b'content-types"><Default Extension="rels" ContentType="application/vnd.openxml'
                b'formats-package.relationships+xml"/><Default Extension="xml" ContentType='
                b'"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application'
                b'/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
                b'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.worksheet+xml"/></Types>'
            ),
            "_rels/.rels": (
                f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/officeDocument"'
                ' Target="xl/workbook.xml"/></Relationships>'
            ).encode(),
            "xl/workbook.xml": (
                f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets><sheet name="Spend"'
                ' sheetId="1" r:id="rId1"/></sheets></workbook>'
            ).encode(),
            "xl/_rels/workbook.xml.rels": (
                f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                f'package/2006/relationships"><Relationship Id="rId1" Type="{rel}/worksheet" '
                'Target="worksheets/sheet1.xml"/></Relationships>'
            ).encode(),
            "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet {ns}>{sheet_xml}'
            "</worksheet>".encode(),
        }
    )


_CELLS = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Payment Date</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Amount</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>01/04/2024</t></is></c><c r="B2"><v>5</v></c></row>'
)


def test_a_small_xlsx_declaring_two_billion_rows_is_refused(workspace: Workspace) -> None:
    padding = "".join(f"<!-- {i:08d} -->" for i in range(2500))  # ~42 KB unpacked
    book = data(workspace, "huge.xlsx")
    book.write_bytes(
        _xlsx(f'<dimension ref="A1:Z2000000000"/>{padding}<sheetData>{_CELLS}</sheetData>')
    )
    problem = refused(workspace, book)
    names_limit(problem, "max_sheet_cells")
    assert "2,000,000,000 rows x 26 columns" in problem[0]


def test_an_xlsx_whose_cells_reach_far_beyond_its_dimension_is_refused(
    workspace: Workspace,
) -> None:
    far = '<row r="3000000"><c r="Z3000000"><v>1</v></c></row>'
    book = data(workspace, "far.xlsx")
    book.write_bytes(_xlsx(f'<dimension ref="A1:B2"/><sheetData>{_CELLS}{far}</sheetData>'))
    names_limit(refused(workspace, book), "max_sheet_cells")


def test_a_good_minimal_xlsx_still_loads(workspace: Workspace) -> None:
    book = data(workspace, "good.xlsx")
    book.write_bytes(_xlsx(f'<dimension ref="A1:B2"/><sheetData>{_CELLS}</sheetData>'))
    result = run_import(workspace, [book])
    assert result["stored"] == 1 and result["problems"] == []


def test_a_corrupt_xlsx_is_a_clear_problem_not_a_zlib_error(workspace: Workspace) -> None:
    rows = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>01/04/2024</t></is></c>'
        f'<c r="B{r}"><v>{r}</v></c></row>'
        for r in range(3, 3000)
    )
    packed = bytearray(_xlsx(f"<sheetData>{_CELLS}{rows}</sheetData>"))
    at = packed.find(b"xl/worksheets/sheet1.xml") + 200  # inside its deflated bytes
    packed[at : at + 64] = bytes(b ^ 0xFF for b in packed[at : at + 64])
    book = data(workspace, "corrupt.xlsx")
    book.write_bytes(bytes(packed))
    problem, advice = refused(workspace, book)
    assert "damaged" in problem or "cannot be" in problem
    assert "zlib" not in advice


def test_a_truncated_xls_is_a_clear_problem(workspace: Workspace, realdata: Path) -> None:
    whole = (realdata / "central_government/BIS_monthly_spend_December_2012.xls").read_bytes()
    book = data(workspace, "cut.xls")
    book.write_bytes(whole[: len(whole) // 3])
    problem, _ = refused(workspace, book)
    assert "cannot be" in problem


# -- columns and cells ----------------------------------------------------------------------


def _wide_csv(columns: int) -> bytes:
    header = [
        "Payment Date",
        "Supplier Name",
        "Amount",
        *(f"Extra {i}" for i in range(columns - 3)),
    ]
    row = ["01/04/2024", "Acme", "5.00", *("x" for _ in range(columns - 3))]
    return (",".join(header) + "\n" + ",".join(row) + "\n").encode()


def test_1000_columns_are_refused_by_max_columns(workspace: Workspace) -> None:
    wide = data(workspace, "wide.csv")
    wide.write_bytes(_wide_csv(1000))
    names_limit(refused(workspace, wide), "max_columns")


def test_1000_columns_load_when_the_limit_is_raised(workspace: Workspace) -> None:
    """No DuckDB expression-depth error however many columns are allowed."""
    wide = data(workspace, "wide.csv")
    wide.write_bytes(_wide_csv(1000))
    result = run_import(workspace, [wide], max_columns=2000)
    assert result["problems"] == [] and result["stored"] == 1


def test_a_cell_over_max_cell_chars_quarantines_its_row(workspace: Workspace) -> None:
    text = (
        "Payment Date,Supplier Name,Amount\n"
        "01/04/2024,Acme,5.00\n"
        f"02/04/2024,{'A' * 40_000},6.00\n"
        "03/04/2024,Bolt,7.00\n"
    )
    path = data(workspace, "long.csv")
    path.write_text(text)
    result = run_import(workspace, [path])
    [report] = result["reports"]
    assert result["stored"] == 2
    assert (report["rows_quarantined"], report["amount_quarantined"]) == (1, "0.00")
