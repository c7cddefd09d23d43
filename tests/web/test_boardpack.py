"""The board pack: a real PDF (and HTML) with the total and the scenarios, aggregates only."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.workspaces import counted_example
from totalplace.cli import app as cli
from totalplace.warehouse import connect
from totalplace.web.boardpack import board_pack, run_documents

NAMES = ["shared-back-office", "early-help-for-families"]


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return counted_example(tmp_path_factory.mktemp("pack") / "ws").root


def pdf_text(pdf: bytes) -> str:
    pypdf = pytest.importorskip("pypdf")
    return " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_the_pdf_is_a_real_pdf_with_the_total_and_the_scenario_names(root: Path) -> None:
    from totalplace.workspace import open_workspace

    ws = open_workspace(root)
    pdf = board_pack(ws, NAMES, "pdf", run_documents(ws, NAMES, 300))
    assert pdf.startswith(b"%PDF")
    text = " ".join(pdf_text(pdf).split())
    con = connect(ws, read_only=True)
    t = con.table("count_by_partner_theme_year")
    total = t.filter(t.fy_start_year == 2024).counted_amount.sum().to_pyarrow().as_py()
    con.disconnect()
    assert f"£{round(total):,}" in text
    assert "Scenario: Shared back office" in text and "Scenario: Early help for families" in text
    assert "Page 2 of" in text


def test_the_pack_holds_no_transaction_of_any_partner(root: Path) -> None:
    from totalplace.workspace import open_workspace

    ws = open_workspace(root)
    html = board_pack(ws, NAMES[:1], "html", run_documents(ws, NAMES[:1], 300)).decode()
    con = connect(ws, read_only=True)
    t = con.table("transactions")
    payees = t.select("supplier_name").distinct().to_pyarrow().column(0).to_pylist()
    con.disconnect()
    # a supplier's name would only appear through transaction detail: none may -- but a
    # partner is named in the pack as a partner, and other partners pay it (a precept)
    partners = {p.name.casefold() for p in ws.partners}
    named = [p for p in payees if p and len(p) > 12 and p in html and p.casefold() not in partners]
    assert named == []
    assert "no partner's individual transactions are in this pack" in html


def test_the_cli_writes_the_pack_as_html_and_refuses_other_formats(
    root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "pack.html"
    args = [
        "board-pack",
        "--export",
        str(out),
        "-s",
        "shared-back-office",
        "--draws",
        "200",
        "-w",
        str(root),
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "Shared back office" in out.read_text() and "<svg" in out.read_text()
    wrong = CliRunner().invoke(
        cli, ["board-pack", "--export", str(tmp_path / "pack.docx"), "-w", str(root)]
    )
    assert wrong.exit_code != 0 and not (tmp_path / "pack.docx").exists()
